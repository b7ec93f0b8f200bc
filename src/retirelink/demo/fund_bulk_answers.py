"""The answer key of the fund-guard bulk data: one row per planted anomaly, with a note.

``planted.parquet`` lists every planted anomaly (anomaly, pension_id, id_number,
other_pension_id, note), so a benchmark can measure a batch check's precision and recall. The
rows are taken from each chunk's roll rows by role; the note, in 中文, says what a checker
should see (the death dates and departments, the custody dates, the changed account...). The
answer-key rows of the bad partner records are made beside those records, in
:mod:`~retirelink.demo.fund_bulk_frames`.
"""

from collections.abc import Mapping, Sequence
from datetime import timedelta

import numpy as np

from retirelink.demo.fund_bulk_draws import EPOCH, NO_DAY, Ints
from retirelink.demo.fund_bulk_frames import Frame, PlantedRow, account_numbers
from retirelink.demo.fund_bulk_people import REGIONS
from retirelink.demo.fund_bulk_plan import Plan, Rows
from retirelink.demo.fund_bulk_roles import ANOMALY_OF, TWINS, Role, dies_twice
from retirelink.demo.fund_bulk_rows import id_text

_DEPARTMENT_NAMES = ("公安", "卫健", "民政")


# ------------------------------------------------------------------------------------------
# The answer key
# ------------------------------------------------------------------------------------------


def _day_text(day: int) -> str:
    return (EPOCH + timedelta(days=day)).isoformat()


def _month_text(month: int) -> str:
    return f"{month // 12}-{month % 12 + 1:02d}"


def _death_note(plan: Plan, rows: Rows, i: int) -> str:
    died, alt, rank = int(rows.died[i]), int(rows.died_alt[i]), int(rows.rank[i])
    mask = int(rows.departments[i])
    departments = "、".join(name for bit, name in enumerate(_DEPARTMENT_NAMES) if mask >> bit & 1)
    note = f"{_day_text(min(died, alt) if alt != NO_DAY else died)}死亡（{departments}），"
    note += f"发放至{_month_text(plan.end_month)}"
    if alt != NO_DAY and dies_twice(Role(int(rows.role[i])), rank):
        return note + f"；公安两次注销：{_day_text(died)}、{_day_text(alt)}"
    if alt != NO_DAY:
        return note + f"；公安{_day_text(died)}、卫健{_day_text(alt)}，日期不一致"
    return note


def _custody_note(plan: Plan, rows: Rows, i: int) -> str:
    held, freed = int(rows.held[i]), int(rows.freed[i])
    note = f"{_day_text(held)}起服刑"
    if freed != NO_DAY:
        note += f"，{_day_text(freed)}释放"
    if rows.role[i] == Role.NOT_RESUMED:
        return note + f"，仍暂停发放（发放至{_month_text(int(rows.paid_to[i]))}）"
    return note + f"，照常发放至{_month_text(plan.end_month)}"


def _other_note(plan: Plan, rows: Rows, i: int) -> str:
    role = Role(int(rows.role[i]))
    if role is Role.ACCOUNT_AFTER_DEATH:
        changed = _day_text(int(rows.account_changed[i]))
        return f"{_day_text(int(rows.died[i]))}死亡后，{changed}变更银行账户"
    if role is Role.CERT_MISSING:
        certified = int(rows.certified[i])
        last = _day_text(certified) if certified != NO_DAY else "从未认证"
        return f"最近一次资格认证：{last}；近12个月无生存迹象"
    if role is Role.OVER_100:
        return f"{(plan.today - int(rows.people.day[i])) // 365}岁，近12个月无生存迹象"
    if role is Role.ALTERED_BIRTH:
        archive, roll = int(rows.archive_birth[i]), int(rows.people.day[i])
        return f"档案出生日期{_day_text(archive)}，登记为{_day_text(roll)}"
    if role is Role.SHARED_ACCOUNT:
        account = int(account_numbers(plan, rows.account_of[i : i + 1])[0])
        return f"多名无关人员共用账户6217{account:015d}"
    return _duplicate_note(rows, i, role)


_DUPLICATE_NOTES: Mapping[Role, str] = {
    Role.DUP_EXACT: "同一身份证号同时领取职工和城乡居民养老金",
    Role.DUP_ID15: "以15位旧身份证号重复领取城乡居民养老金",
    Role.DUP_TYPO: "姓名、出生日期、性别相同，身份证号顺序码录错一位（校验码不符）",
}


def _duplicate_note(rows: Rows, i: int, role: Role) -> str:
    if role is Role.DUP_VARIANT:
        return f"同一身份证号，姓名写作“{rows.name_text[i]}”"
    if role is Role.TWO_REGIONS:
        return f"同一身份证号在两地领取职工养老金（本行领取地{REGIONS[int(rows.pay_region[i])]}）"
    if role is Role.IDENTITY_CHANGE:
        changes = (("改身份证号", rows.previous_id[i]), ("改姓名", rows.previous_name[i]))
        return "双改：" + "、".join(label for label, value in changes if value is not None)
    return _DUPLICATE_NOTES[role]


def planted(plan: Plan, rows: Rows) -> list[PlantedRow]:
    planted: list[PlantedRow] = []
    for i in map(int, np.flatnonzero(np.isin(rows.role, list(ANOMALY_OF)))):
        role = Role(int(rows.role[i]))
        pid = int(rows.idx[i]) + 1
        id_number = id_text(int(rows.id_body[i]), int(rows.id_check[i]))
        other: int | None = None
        if role in TWINS:
            other = int(plan.employee.rows(TWINS[role], rows.rank[i : i + 1])[0]) + 1
        elif role is Role.SHARED_ACCOUNT and int(rows.account_of[i]) != pid:
            other = int(rows.account_of[i])
        if role in (Role.PAID_AFTER_DEATH, Role.ACCOUNT_AFTER_DEATH):
            planted.append(("paid_after_death", pid, id_number, None, _death_note(plan, rows, i)))
        if role in (Role.PAID_WHILE_IMPRISONED, Role.NOT_RESUMED):
            planted.append((ANOMALY_OF[role], pid, id_number, None, _custody_note(plan, rows, i)))
        elif role is not Role.PAID_AFTER_DEATH:
            planted.append((ANOMALY_OF[role], pid, id_number, other, _other_note(plan, rows, i)))
    return planted


def planted_frame(planted: Sequence[PlantedRow]) -> Frame:
    def ids(column: int) -> Ints:
        return np.array([-1 if row[column] is None else row[column] for row in planted], np.int64)

    return {
        "anomaly": np.array([row[0] for row in planted], dtype=object),
        "pension_id": ids(1),
        "id_number": np.array([row[2] for row in planted], dtype=object),
        "other_pension_id": ids(3),
        "note": np.array([row[4] for row in planted], dtype=object),
    }
