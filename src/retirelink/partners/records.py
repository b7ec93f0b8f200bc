"""Records in each department's own field names, codes and date formats.

Field names follow the table "Partner field names" in ``docs/exchange.md`` exactly. Formats
differ between departments on purpose, as they do between real provincial systems: 公安 and
司法 write dates ``YYYYMMDD``, 民政 and 医保 ``YYYY-MM-DD``, 卫健 a time ``YYYY-MM-DD HH:MM``;
公安 and 司法 code sex ``1``/``2``, 卫健 and 民政 write ``男``/``女``. Every value is text and
an absent value is the empty string (a JSON ``""``, a database ``NULL``).
"""

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from retirelink.demo.model import DemoPerson
from retirelink.partners.facts import Custody, Death, person_random
from retirelink.partners.model import (
    CREMATION,
    DEATH_CANCELLATION,
    DEATH_CERTIFICATE,
    HOUSEHOLD_REGISTRATION,
    HOUSING_FUND,
    PRISONERS,
    SETTLEMENTS,
)
from retirelink.rules.identifiers import Sex

PartnerRecord = Mapping[str, str]

FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        HOUSEHOLD_REGISTRATION: ("gmsfhm", "xm", "xb", "mz", "csrq", "hjdqh", "hjzt", "zxrq"),
        DEATH_CANCELLATION: ("gmsfhm", "xm", "xb", "swrq", "zxrq", "zxyy"),
        DEATH_CERTIFICATE: ("sfzh", "xm", "xb", "swsj", "zmbh", "qfjg"),
        CREMATION: ("SFZH", "XM", "XB", "SWRQ", "HHRQ", "BYG"),
        PRISONERS: ("zjhm", "xm", "xb", "xfzl", "jyrq", "xqqr", "xqzr", "sfrq", "zxjg"),
        SETTLEMENTS: ("psn_cert_no", "psn_name", "setl_date", "fixmedins_code", "insu_admdvs"),
        HOUSING_FUND: ("zjhm", "xingming", "dwmc", "jcjs", "zhzt"),
    }
)


class HukouStatus(StrEnum):
    """公安 户籍状态 codes (department code table)."""

    NORMAL = "10"
    DECEASED = "21"
    MOVED_AWAY = "22"

    @property
    def label(self) -> str:
        return {"10": "正常", "21": "死亡注销", "22": "迁出注销"}[self.value]


class AccountStatus(StrEnum):
    """住房公积金 账户状态 codes (industry code table)."""

    ACTIVE = "01"
    SEALED = "02"  # deposits stopped (e.g. at retirement), not yet withdrawn
    CLOSED = "03"

    @property
    def label(self) -> str:
        return {"01": "正常缴存", "02": "封存", "03": "销户"}[self.value]


DEATH_REASON = "死亡注销"
PENALTY_DETENTION = "拘役"
PENALTY_FIXED_TERM = "有期徒刑"
_DETENTION_CENTRE = "邯郸市公安局峰峰矿区分局看守所"
_PRISONS = ("河北省邯郸监狱", "河北省冀东监狱", "河北省太行监狱")
# (医保 定点医药机构编码, name): the name doubles as a 卫健 certificate's issuing institution.
INSTITUTIONS = (
    ("H13040600001", "冀中能源峰峰集团总医院"),
    ("H13040600002", "峰峰矿区人民医院"),
    ("H13040600003", "峰峰矿区中医院"),
    ("H13040600011", "峰峰矿区临水镇卫生院"),
    ("H13040600012", "峰峰矿区大社镇卫生院"),
    ("P13040600101", "峰峰矿区百姓大药房"),
)
_HOSPITALS = tuple(name for code, name in INSTITUTIONS if code.startswith("H"))
_FUNERAL_HOMES = ("峰峰矿区殡仪馆", "邯郸市殡仪馆")


def compact(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day is not None else ""


def iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def sex_word(sex: Sex) -> str:
    return {Sex.MALE: "男", Sex.FEMALE: "女"}.get(sex, "未说明")


def household(person: DemoPerson, status: HukouStatus, status_date: date | None) -> PartnerRecord:
    return {
        "gmsfhm": person.id_number,
        "xm": person.name,
        "xb": person.sex.value,
        "mz": person.ethnicity,
        "csrq": compact(person.birth_date),
        "hjdqh": person.hukou_region,
        "hjzt": status.value,
        "zxrq": compact(status_date),
    }


def death_cancellation(person: DemoPerson, death: Death) -> PartnerRecord:
    return {
        "gmsfhm": person.id_number,
        "xm": person.name,
        "xb": person.sex.value,
        "swrq": compact(death.died_on),
        "zxrq": compact(death.cancelled_on),
        "zxyy": DEATH_REASON,
    }


def death_certificate(seed: int, person: DemoPerson, death: Death, number: int) -> PartnerRecord:
    """``number``: the certificate's serial in the district's year book (its place in the feed)."""
    rnd = person_random(seed, "certificate", person.id_number)
    return {
        "sfzh": person.id_number,
        "xm": person.name,
        "xb": sex_word(person.sex),
        "swsj": f"{death.died_on.isoformat()} {rnd.randrange(24):02d}:{rnd.randrange(60):02d}",
        "zmbh": f"{death.died_on.year}{person.hukou_region}{number:06d}",
        "qfjg": rnd.choice(_HOSPITALS),
    }


def cremation(seed: int, person: DemoPerson, death: Death, cremated_on: date) -> PartnerRecord:
    rnd = person_random(seed, "cremation", person.id_number)
    return {
        "SFZH": person.id_number,
        "XM": person.name,
        "XB": sex_word(person.sex),
        "SWRQ": iso(death.died_on),
        "HHRQ": iso(cremated_on),
        "BYG": rnd.choice(_FUNERAL_HOMES),
    }


@dataclass(frozen=True, slots=True)
class Sentence:
    penalty: str
    end: date
    prison: str


def sentence(seed: int, id_number: str, custody: Custody, *, as_of: date) -> Sentence:
    """The sentence behind a custody: a released prisoner may have been released early
    (减刑); one still inside has a sentence ending after ``as_of``."""
    rnd = person_random(seed, f"sentence:{custody.detained_on.isoformat()}", id_number)
    if custody.released_on is not None:
        end = custody.released_on + timedelta(days=rnd.choice((0, 0, 0, 30, 90, 180)))
    else:
        end = max(
            custody.detained_on + timedelta(days=rnd.randint(180, 2500)),
            as_of + timedelta(days=rnd.randint(30, 900)),
        )
    if (end - custody.detained_on).days <= 183:
        return Sentence(PENALTY_DETENTION, end, _DETENTION_CENTRE)
    return Sentence(PENALTY_FIXED_TERM, end, rnd.choice(_PRISONS))


def prisoner(person: DemoPerson, custody: Custody, term: Sentence) -> PartnerRecord:
    return {
        "zjhm": person.id_number,
        "xm": person.name,
        "xb": person.sex.value,
        "xfzl": term.penalty,
        "jyrq": compact(custody.detained_on),
        "xqqr": compact(custody.detained_on),  # 羁押一日折抵刑期一日: the term runs from detention
        "xqzr": compact(term.end),
        "sfrq": compact(custody.released_on),
        "zxjg": term.prison,
    }


def settlement(person: DemoPerson, day: date) -> PartnerRecord:
    # Tens of thousands of these: a checksum picks the institution, cheaper than a Random.
    institution = zlib.crc32(f"{person.id_number}:{day}".encode()) % len(INSTITUTIONS)
    return {
        "psn_cert_no": person.id_number,
        "psn_name": person.name,
        "setl_date": iso(day),
        "fixmedins_code": INSTITUTIONS[institution][0],
        "insu_admdvs": person.hukou_region,
    }


def housing_account(
    person: DemoPerson, employer_name: str, deposit_base: Decimal, status: AccountStatus
) -> PartnerRecord:
    return {
        "zjhm": person.id_number,
        "xingming": person.name,
        "dwmc": employer_name,
        "jcjs": f"{deposit_base:.2f}",
        "zhzt": status.value,
    }
