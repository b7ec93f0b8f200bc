"""Chinese personal names for the synthetic demo district.

Surname shares are approximate national shares in percent (公安部 household-register
statistics, rounded); the generator only needs a realistic shape (王/李/张 together near a
fifth of the population, a long tail, rare double surnames), not exact figures.

Given names are one or two characters drawn from sex- and birth-cohort-appropriate pools:
people born in the 1950s are more often called 建国 or 秀英, people born in the 1990s more
often 浩宇 or 欣怡. Repeating a character in a pool raises its weight.
"""

from collections.abc import Sequence
from random import Random

SURNAME_SHARES: tuple[tuple[str, float], ...] = (
    ("王", 7.25), ("李", 7.19), ("张", 6.77), ("刘", 5.38), ("陈", 4.53), ("杨", 3.08),
    ("赵", 2.29), ("黄", 2.23), ("周", 2.12), ("吴", 2.05), ("徐", 1.67), ("孙", 1.54),
    ("胡", 1.31), ("朱", 1.26), ("高", 1.21), ("林", 1.18), ("何", 1.17), ("郭", 1.15),
    ("马", 1.05), ("罗", 0.86), ("梁", 0.84), ("宋", 0.81), ("郑", 0.78), ("谢", 0.72),
    ("韩", 0.68), ("唐", 0.65), ("冯", 0.64), ("于", 0.62), ("董", 0.61), ("萧", 0.30),
    ("肖", 0.30), ("程", 0.59), ("曹", 0.58), ("袁", 0.54), ("邓", 0.54), ("许", 0.54),
    ("傅", 0.51), ("沈", 0.50), ("曾", 0.50), ("彭", 0.49), ("吕", 0.47), ("苏", 0.46),
    ("卢", 0.46), ("蒋", 0.46), ("蔡", 0.44), ("贾", 0.43), ("丁", 0.42), ("魏", 0.41),
    ("薛", 0.40), ("叶", 0.39), ("闫", 0.38), ("余", 0.37), ("潘", 0.36), ("杜", 0.35),
    ("戴", 0.34), ("夏", 0.33), ("钟", 0.33), ("汪", 0.32), ("田", 0.32), ("任", 0.32),
    ("姜", 0.31), ("范", 0.30), ("方", 0.30), ("石", 0.29), ("姚", 0.28), ("谭", 0.27),
    ("廖", 0.27), ("邹", 0.26), ("熊", 0.26), ("金", 0.25), ("陆", 0.25), ("郝", 0.24),
    ("孔", 0.24), ("白", 0.23), ("崔", 0.23), ("康", 0.22), ("毛", 0.22), ("邱", 0.21),
    ("秦", 0.21), ("江", 0.20), ("史", 0.20), ("顾", 0.20), ("侯", 0.19), ("邵", 0.19),
    ("孟", 0.19), ("龙", 0.18), ("万", 0.18), ("段", 0.17), ("雷", 0.16), ("钱", 0.16),
    ("汤", 0.16), ("尹", 0.15), ("黎", 0.15), ("易", 0.15), ("常", 0.15), ("武", 0.14),
    ("乔", 0.14), ("贺", 0.14), ("赖", 0.13), ("龚", 0.13), ("文", 0.12), ("申", 0.12),
    ("欧阳", 0.02), ("上官", 0.004), ("司马", 0.005), ("诸葛", 0.003), ("皇甫", 0.003),
)  # fmt: skip

# Share of people whose given name is a single character. Kept low (2-3 %) so that a
# two-character search such as 张伟 finds a handful of people, not hundreds.
SINGLE_CHARACTER_SHARE = 0.03

# Single-character given names; the leading entries are repeated to weight them (伟, 芳 ...).
SINGLE_MALE = "伟伟伟伟伟强强强磊磊军军勇勇杰涛斌超明刚平辉鹏华飞鑫波宁龙林浩亮健峰俊东"
SINGLE_FEMALE = "芳芳芳芳娜娜敏敏静静丽丽艳娟霞燕玲萍红英梅琳洁婷颖雪慧丹倩莉琴兰"

# Two-character given names: (first characters, second characters) per cohort.
# Cohort 0: born before 1966; 1: 1966-1980; 2: 1981 and later.
_MALE_POOLS: tuple[tuple[str, str], ...] = (
    ("建国建国志文海永立振红卫德保福金长树玉春秋解新胜", "国华军平明民生林忠山成福全海义清田喜富"),
    ("建志文海永立振卫德利新金明晓俊红小宏国庆向学", "华军平明强伟林东涛峰杰辉刚龙波斌鹏勇亮兵"),
    ("子浩宇博天家俊一泽思嘉晨鑫志佳明文梓铭雨", "轩宇阳豪睿涛航鹏杰然博晨辉凯琦帆浩磊"),
)
_FEMALE_POOLS: tuple[tuple[str, str], ...] = (
    ("秀桂淑玉凤春秋翠素兰金美月香爱荣", "英兰珍芳华荣梅琴云霞花兰莲娥芬"),
    ("丽春晓红艳海美小秀爱雪玉亚彩新丽", "华红梅霞燕玲萍丽娟芳艳琴敏静英"),
    ("欣雨思佳梦诗子雅婉梓晓嘉可一心", "怡涵琪婷雪悦琳妍萱彤瑶璐洁丹颖"),
)

_SURNAME_TABLE_SIZE = 100_000


def _surname_table() -> tuple[str, ...]:
    """Expand the shares into a lookup table so sampling is one index operation."""
    total = sum(share for _, share in SURNAME_SHARES)
    table: list[str] = []
    for surname, share in SURNAME_SHARES:
        table.extend([surname] * max(1, round(share / total * _SURNAME_TABLE_SIZE)))
    return tuple(table)


_SURNAMES = _surname_table()


def cohort_of(birth_year: int) -> int:
    """Index of the given-name cohort for a birth year (0: <1966, 1: 1966-1980, 2: later)."""
    if birth_year < 1966:
        return 0
    return 1 if birth_year <= 1980 else 2


class NamePicker:
    """Draws full names from a caller-owned :class:`random.Random` (deterministic)."""

    __slots__ = ("_random",)

    def __init__(self, rng: Random) -> None:
        self._random = rng.random

    def surname(self) -> str:
        return _SURNAMES[int(self._random() * len(_SURNAMES))]

    def full_name(self, *, male: bool, cohort: int) -> str:
        """A surname plus a one- or two-character given name for the sex and cohort."""
        rnd = self._random
        surname = _SURNAMES[int(rnd() * len(_SURNAMES))]
        if rnd() < SINGLE_CHARACTER_SHARE:
            pool = SINGLE_MALE if male else SINGLE_FEMALE
            return surname + pool[int(rnd() * len(pool))]
        firsts, seconds = (_MALE_POOLS if male else _FEMALE_POOLS)[cohort]
        first = firsts[int(rnd() * len(firsts))]
        second = seconds[int(rnd() * len(seconds))]
        return surname + first + second


def surnames() -> Sequence[str]:
    """All surnames in the table, most frequent first."""
    return tuple(surname for surname, _ in SURNAME_SHARES)
