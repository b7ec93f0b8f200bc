"""ID numbers and names of the humans in the fund-guard bulk data.

:class:`IdPool` hands out GB 11643-1999 ID numbers without collisions: each pool is a list of
cells (address code, birth date, block of sequence codes); the shuffle of the pool's capacity
maps a human number to one cell and slot, so two humans never share a number, and pools never
share a (birth date, sequence code) pair, so numbers from different pools never collide either.
The 15-digit legacy form and a mistyped sequence digit are here too, for the planted duplicates.
Names: surname by national share (``names.SURNAME_SHARES``), given names from pools whose every
character has a homophone (丽→莉, 伟→玮), so any pensioner's name has a variant; the traditional
spellings give the other kind of variant.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

import numpy as np

from retirelink.demo.fund_bulk_draws import (
    EPOCH,
    Draw,
    Flags,
    Ints,
    Keys,
    Shuffle,
    day_number,
    month_number,
    month_starts,
)
from retirelink.demo.names import SURNAME_SHARES

# ------------------------------------------------------------------------------------------
# ID numbers (GB 11643-1999)
# ------------------------------------------------------------------------------------------

# 邯郸 address codes; 130421 邯郸县 was abolished in 2016 but stays in its people's numbers.
REGIONS = (
    "130406", "130402", "130403", "130404", "130407", "130408",
    "130421", "130423", "130424", "130425", "130426", "130427",
)  # fmt: skip
PAY_REGIONS = np.array([i for i, code in enumerate(REGIONS) if code != "130421"], np.int64)
REGION_NUMBERS = np.array([int(code) for code in REGIONS], dtype=np.int64)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def check_index(body: Ints) -> Ints:
    """Index into ``CHECK_CHARACTERS`` of the MOD 11-2 check character of 17-digit bodies."""
    total = np.zeros(len(body), dtype=np.int64)
    rest = body.copy()
    for weight in reversed(_ID_WEIGHTS):
        total += weight * (rest % 10)
        rest //= 10
    return total % 11


def legacy_15(body: Ints) -> Ints:
    """The 15-digit form (GB 11643-1989): no century, no check character; births 1900-1999."""
    region, rest = body // 10**11, body % 10**11
    return region * 10**9 + rest % 10**9


def mistype(body: Ints, draw: Draw, key: Keys) -> Ints:
    """One digit of the sequence code (15th or 16th character) keyed wrong; sex unchanged."""
    place = np.where(draw.below(key, 41, 2) == 0, 100, 10)
    digit = body // place % 10
    wrong = (digit + 1 + draw.below(key, 42, 9)) % 10
    return body + (wrong - digit) * place


class Pool(IntEnum):
    """ID-number pools; pools never share a (birth date, sequence code) pair."""

    MAIN = 1  # ordinary pensioners, born 99 to 60 years before as_of
    SETTLED = 2  # retired over 3 years ago: time-bound plants (death, prison, certification)
    CENTENARY = 3  # born over 101 years before as_of
    RECENT = 4  # men retired in the last 36 months (the altered birth dates)
    CHANGED = 5  # second identities (双改)
    OUTSIDER = 6  # deceased persons not on the roll
    YOUNG = 7  # justice records of persons not on the roll, born 1967 and later


@dataclass(frozen=True, eq=False)
class IdPool:
    """Cells of one pool: address code, birth day and first sequence code of each cell."""

    region: Ints
    day: Ints
    base: Ints
    slots: int  # humans per cell; slot s has sequence code base + 2*(first_slot + s) + male
    first_slot: int
    male_only: bool
    shuffle: Shuffle

    @property
    def capacity(self) -> int:
        return len(self.region) * self.slots

    def locate(self, humans: Ints) -> tuple[Ints, Ints, Ints]:
        """Address-code index, birth day and sequence code less the sex bit of each human."""
        if len(humans) and int(humans.max()) >= self.capacity:
            raise ValueError("more humans than the ID pool holds")
        slot = self.shuffle.forward(humans)
        cell = slot // self.slots
        offset = slot % self.slots + self.first_slot
        return self.region[cell], self.day[cell], self.base[cell] + 2 * offset


def _pool(
    days: Ints,
    blocks: Ints,
    *,
    base: int,
    slots: int,
    draw: Draw,
    stream: int,
    first_slot: int = 0,
    male: bool = False,
) -> IdPool:
    """Cells for every (day, block, address code); block b starts at ``base + 2*slots*b``."""
    per_day = np.repeat(days, blocks)
    block = np.arange(len(per_day)) - np.repeat(np.cumsum(blocks) - blocks, blocks)
    count = len(REGIONS)
    capacity = len(per_day) * count * slots
    return IdPool(
        region=np.tile(np.arange(count, dtype=np.int64), len(per_day)),
        day=np.repeat(per_day, count),
        base=np.repeat(base + 2 * slots * block, count),
        slots=slots,
        first_slot=first_slot,
        male_only=male,
        shuffle=Shuffle(capacity, draw, stream),
    )


def _days(first: date, last: date) -> Ints:
    return np.arange(day_number(first), day_number(last) + 1, dtype=np.int64)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def male_retirement_months(birth_months: Ints) -> Ints:
    """Statutory age in months for men: 60, plus one month per four born from 1965-01
    (国务院关于渐进式提高法定退休年龄的决定, 2024), up to 63."""
    later = birth_months - 1965 * 12
    return 720 + np.where(later >= 0, np.minimum(later // 4 + 1, 36), 0)


def build_pools(as_of: date, draw: Draw) -> dict[Pool, IdPool]:
    """The pools for a snapshot date; MAIN's birth-year density falls after age 68."""
    end_month = month_number(as_of)
    main_first, main_last = date(as_of.year - 99, 1, 1), _last_day(end_month - 721)
    main = _days(main_first, main_last)
    age = as_of.year - (main.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970)
    density = np.exp(-np.maximum(age.astype(np.float64) - 68, 0) / 7)
    blocks = np.clip(np.round(40 * density), 1, 40).astype(np.int64)
    recent = _recent_days(end_month)
    first_recent = EPOCH + timedelta(days=int(recent[0]))
    settled = _days(main_first, min(_years_before(as_of, 64), first_recent) - timedelta(days=1))
    centenary = _days(date(as_of.year - 108, 1, 1), _years_before(as_of, 101) - timedelta(1))
    young = _days(main_last + timedelta(days=1), _years_before(as_of, 18))
    one = np.ones(len(main), dtype=np.int64)
    settled_blocks = np.clip(np.round(5 * density[: len(settled)]), 1, 5).astype(np.int64)
    return {
        Pool.MAIN: _pool(main, blocks, base=100, slots=10, draw=draw, stream=61),
        Pool.SETTLED: _pool(settled, settled_blocks, base=900, slots=10, draw=draw, stream=62),
        Pool.CENTENARY: _pool(
            centenary, np.full(len(centenary), 40), base=100, slots=10, draw=draw, stream=63
        ),
        Pool.RECENT: _pool(
            recent,
            np.ones(len(recent), np.int64),
            base=900,
            slots=50,
            male=True,
            draw=draw,
            stream=64,
        ),
        Pool.CHANGED: _pool(main, one, base=0, slots=10, first_slot=40, draw=draw, stream=65),
        Pool.OUTSIDER: _pool(main, one, base=0, slots=40, draw=draw, stream=66),
        Pool.YOUNG: _pool(young, np.full(len(young), 4), base=100, slots=10, draw=draw, stream=67),
    }


def _last_day(month: int) -> date:
    """Last day of a month index."""
    return date((month + 1) // 12, (month + 1) % 12 + 1, 1) - timedelta(days=1)


def _recent_days(end_month: int) -> Ints:
    """Birth days of men whose pension began in the last 36 months."""
    months = np.arange(end_month - 800, end_month - 700, dtype=np.int64)
    first = months + male_retirement_months(months) + 1
    chosen = months[(first > end_month - 36) & (first <= end_month)]
    return np.arange(month_starts(chosen[:1])[0], month_starts(chosen[-1:] + 1)[0], dtype=np.int64)


# ------------------------------------------------------------------------------------------
# Names
# ------------------------------------------------------------------------------------------

# Given-name characters for people born before 1967; every one has a homophone below.
_OLD_MALE = (
    "建志文立振红德保福春秋新胜明俊永长玉金树",
    "华军平明生林忠山成福全义清喜富伟东涛峰杰辉刚",
)
_OLD_FEMALE = ("秀桂淑玉春翠兰金月香爱荣丽红艳小", "英兰珍芳桦荣梅琴云红萍丽娟静燕玲")
_OLD_SINGLE = ("伟强军杰涛明刚平辉华峰东", "芳敏静丽艳娟燕玲萍红英梅琴兰")
_YOUNG_MALE = ("子浩宇博天家俊一泽思嘉晨鑫志佳明文梓铭", "轩宇阳豪睿涛航鹏杰然博晨辉凯琦帆浩磊")
_YOUNG_FEMALE = ("欣雨思佳梦诗子雅婉梓晓嘉可一心", "怡涵琪婷雪悦琳妍萱彤瑶璐洁丹颖")
_YOUNG_SINGLE = ("伟强磊军勇杰涛斌超鹏飞鑫宁龙浩亮健峰俊", "娜敏静丽娟霞燕玲婷颖雪慧丹倩莉琴")
SINGLE_SHARE = 0.03

HOMOPHONES: Mapping[str, str] = dict(
    zip(
        "建志文立振红德保福春秋新胜明俊永长玉金树华军平生林忠山成全义清喜富伟东涛峰杰辉刚"
        "秀桂淑翠兰月香爱荣丽艳小英珍芳桦梅琴云萍娟静燕玲强敏",
        "健智雯力震虹得宝富椿丘欣圣铭骏勇常钰今恕骅君萍升琳中珊诚泉艺青禧福玮冬滔锋洁晖钢"
        "琇贵姝萃岚悦湘艾蓉莉燕晓瑛真方华玫勤芸平鹃婧艳铃蔷闵",
        strict=True,
    )
)
TRADITIONAL: Mapping[str, str] = dict(
    zip(
        "张刘陈杨赵黄吴孙郑冯韩邓许吕苏卢蒋贾叶闫钟邹陆顾龙万钱汤龚乔贺赖马罗谢谭欧阳诸萧"
        "国华军义东涛杰辉刚伟红长树胜兰爱荣丽艳云静桦宝贵凤庆卫强",
        "張劉陳楊趙黃吳孫鄭馮韓鄧許呂蘇盧蔣賈葉閆鍾鄒陸顧龍萬錢湯龔喬賀賴馬羅謝譚歐陽諸蕭"
        "國華軍義東濤傑輝剛偉紅長樹勝蘭愛榮麗艷雲靜樺寶貴鳳慶衛強",
        strict=True,
    )
)

SURNAMES: tuple[str, ...] = tuple(surname for surname, _ in SURNAME_SHARES)
_SURNAME_CUMULATIVE = np.cumsum([share for _, share in SURNAME_SHARES])
GIVEN: tuple[str, ...] = tuple(
    dict.fromkeys(
        "".join(_OLD_MALE + _OLD_FEMALE + _OLD_SINGLE + _YOUNG_MALE + _YOUNG_FEMALE + _YOUNG_SINGLE)
    )
)
_GIVEN_INDEX = {character: index + 1 for index, character in enumerate(GIVEN)}  # SQL: 1-based


def _codes(characters: str) -> Ints:
    return np.array([_GIVEN_INDEX[c] for c in characters], dtype=np.int64)


# (young, male) -> (first characters, second characters, single-character names)
_POOLS = {
    (False, True): (_codes(_OLD_MALE[0]), _codes(_OLD_MALE[1]), _codes(_OLD_SINGLE[0])),
    (False, False): (_codes(_OLD_FEMALE[0]), _codes(_OLD_FEMALE[1]), _codes(_OLD_SINGLE[1])),
    (True, True): (_codes(_YOUNG_MALE[0]), _codes(_YOUNG_MALE[1]), _codes(_YOUNG_SINGLE[0])),
    (True, False): (_codes(_YOUNG_FEMALE[0]), _codes(_YOUNG_FEMALE[1]), _codes(_YOUNG_SINGLE[1])),
}


def name_codes(draw: Draw, key: Keys, male: Flags, young: Flags) -> tuple[Ints, Ints, Ints]:
    """Surname and given-name character codes (1-based, 0: none) of each human."""
    share = draw.uniform(key, 51) * _SURNAME_CUMULATIVE[-1]
    surname = np.searchsorted(_SURNAME_CUMULATIVE, share, "right").astype(np.int64) + 1
    surname = np.minimum(surname, len(SURNAMES))
    first = np.zeros(len(key), dtype=np.int64)
    second = np.zeros(len(key), dtype=np.int64)
    single = draw.uniform(key, 52) < SINGLE_SHARE
    for (is_young, is_male), (firsts, seconds, singles) in _POOLS.items():
        pair = (young == is_young) & (male == is_male)
        one = pair & single
        two = pair & ~single
        first[one] = singles[draw.below(key[one], 53, len(singles))]
        first[two] = firsts[draw.below(key[two], 54, len(firsts))]
        second[two] = seconds[draw.below(key[two], 55, len(seconds))]
    return surname, first, second


def name_text(surname: int, first: int, second: int) -> str:
    """The name a row of codes spells (as the SQL builds it)."""
    given = GIVEN[first - 1] + (GIVEN[second - 1] if second else "")
    return SURNAMES[surname - 1] + given


def variant_name(surname: int, first: int, second: int, rank: int) -> str:
    """The same name written differently: in traditional characters (even ranks, when that
    changes it), else with the first given-name character replaced by a homophone."""
    family = SURNAMES[surname - 1]
    given = name_text(surname, first, second)[len(family) :]
    if rank % 2 == 0:
        traditional = "".join(TRADITIONAL.get(c, c) for c in family + given)
        if traditional != family + given:
            return traditional
    return family + HOMOPHONES[given[0]] + given[1:]
