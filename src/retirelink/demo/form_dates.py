"""How the demo archive's paper records write a month, era by era: the date style of a
form (一九六五年三月, 65年3月, 1965.3 …), which era types rather than hand-fills its forms,
and reading such a written month back.
"""

import re
from datetime import date
from enum import StrEnum

CN_DIGITS = "〇一二三四五六七八九"


class DateStyle(StrEnum):
    """How a record writes a month; the style follows the era of the form."""

    CHINESE = "chinese"  # 一九六五年三月
    FULL = "full"  # 1965年3月
    SHORT_YEAR = "short_year"  # 65年3月
    DOTTED = "dotted"  # 1965.3
    PADDED = "padded"  # 1965.03
    DASHED = "dashed"  # 1965-03


# (first year of the next era, styles drawn with equal chance): hand-filled forms of the
# 1960s-70s write numbers in 汉字; the 1980s abbreviate; later forms are typed.
_ERA_STYLES: tuple[tuple[int, tuple[DateStyle, ...]], ...] = (
    (1980, (DateStyle.CHINESE, DateStyle.CHINESE, DateStyle.FULL)),
    (1993, (DateStyle.SHORT_YEAR, DateStyle.DOTTED, DateStyle.FULL, DateStyle.FULL)),
    (2006, (DateStyle.FULL, DateStyle.FULL, DateStyle.DOTTED, DateStyle.PADDED)),
    (10_000, (DateStyle.PADDED, DateStyle.DASHED, DateStyle.FULL)),
)
# Forms formed before this year were filled in by hand; later ones were typed.
TYPED_FROM_YEAR = 1998


def era_style(year: int, draw: float) -> DateStyle:
    """The date style of a form formed in ``year`` (``draw`` in [0, 1) picks among the era's)."""
    for until, styles in _ERA_STYLES:
        if year < until:
            return styles[int(draw * len(styles))]
    raise AssertionError("unreachable: the last era is open-ended")


def chinese_number(value: int) -> str:
    """1-99 in 汉字 as dates write them: 三, 十, 十二, 二十一."""
    if value < 10:
        return CN_DIGITS[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def write_month(day: date, style: DateStyle) -> str:
    """A month the way a record of ``style`` writes it."""
    year, month = day.year, day.month
    if style is DateStyle.CHINESE:
        return "".join(CN_DIGITS[int(d)] for d in str(year)) + f"年{chinese_number(month)}月"
    if style is DateStyle.FULL:
        return f"{year}年{month}月"
    if style is DateStyle.SHORT_YEAR:
        return f"{year % 100:02d}年{month}月"
    if style is DateStyle.DOTTED:
        return f"{year}.{month}"
    if style is DateStyle.PADDED:
        return f"{year}.{month:02d}"
    return f"{year}-{month:02d}"


_CN_VALUES = {char: index for index, char in enumerate(CN_DIGITS)} | {"零": 0, "○": 0}
_CHINESE_MONTH = re.compile(r"([〇零○一二三四五六七八九]{2,4})年([一二三四五六七八九十]{1,3})月")
_ARABIC_MONTH = re.compile(r"(\d{4}|\d{2})\s*(?:年|\.|-)\s*(\d{1,2})(?:月|$)")


def _chinese_value(text: str) -> int:
    if "十" not in text:
        return int("".join(str(_CN_VALUES[char]) for char in text))
    tens, _, ones = text.partition("十")
    return (_CN_VALUES[tens] if tens else 1) * 10 + (_CN_VALUES[ones] if ones else 0)


def read_month(text: str) -> date | None:
    """The month a written date names (any :class:`DateStyle`); two-digit years are 19xx.

    >>> read_month("一九六五年三月"), read_month("65年3月"), read_month("1965.03")
    (datetime.date(1965, 3, 1), datetime.date(1965, 3, 1), datetime.date(1965, 3, 1))
    """
    cleaned = text.strip()
    match = _CHINESE_MONTH.search(cleaned)
    if match is not None:
        year, month = _chinese_value(match[1]), _chinese_value(match[2])
    else:
        arabic = _ARABIC_MONTH.search(cleaned)
        if arabic is None:
            return None
        year, month = int(arabic[1]), int(arabic[2])
    if year < 100:
        year += 1900
    if not 1 <= month <= 12:
        return None
    return date(year, month, 1)
