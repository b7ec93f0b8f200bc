"""Calendar arithmetic for the law: year-months, month spans and ages in completed months.

No law here except the counting rule every other module relies on:

- Retirement law works in whole calendar months (《国务院关于渐进式延迟法定退休年龄的办法》附件
  give ages as "N岁M个月" and retirement as a year-month), so most rules take ``YearMonth``.
- Where a date matters (age "已满" on a given day), a month is completed on the same day of a later
  month; when that month has no such day (the 31st, 29 February), on its last day —
  民法典 第二百零三条: "没有对应日的，月末日为期间的最后一日".
"""

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Self

from retirelink.errors import InvalidInputError

_YEAR_MONTH = re.compile(r"^\s*(\d{4})[-./年](\d{1,2})月?\s*$")
MIN_YEAR, MAX_YEAR = 1850, 2200


@dataclass(frozen=True, order=True, slots=True)
class YearMonth:
    """A calendar month.

    >>> YearMonth(1965, 5).plus(60 * 12 + 4)
    YearMonth(year=2025, month=9)
    >>> YearMonth(2025, 9) - YearMonth(1965, 5)
    724
    >>> str(YearMonth(2025, 1)), YearMonth(2025, 1).label
    ('2025-01', '2025年1月')
    """

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise InvalidInputError(f"月份应在1到12之间，实际为{self.month}", field="month")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidInputError(f"年份{self.year}超出可计算范围", field="year")

    @classmethod
    def parse(cls, text: str, *, field: str = "month") -> Self:
        """Read "1965-05", "1965-5", "1965.05" or "1965年5月".

        >>> YearMonth.parse("1965年5月")
        YearMonth(year=1965, month=5)
        """
        match = _YEAR_MONTH.match(text)
        if not match:
            raise InvalidInputError(f"“{text}”不是有效的年月（应如 1965-05）", field=field)
        try:
            return cls(int(match.group(1)), int(match.group(2)))
        except InvalidInputError as error:
            raise InvalidInputError(error.message, field=field) from None

    @classmethod
    def of(cls, day: date) -> Self:
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Self:
        """Inverse of ``index``: months since year 0."""
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        """Months since January of year 0; differences of indexes are month counts."""
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> "YearMonth":
        return YearMonth.from_index(self.index + months)

    def __sub__(self, other: "YearMonth") -> int:
        """Months from ``other`` to ``self`` (negative when ``other`` is later)."""
        return self.index - other.index

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        return date(self.year, self.month, _calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_inclusive(start: YearMonth, end: YearMonth) -> int:
    """Number of months in [start, end], both included (0 when end < start).

    >>> months_inclusive(YearMonth(1992, 1), YearMonth(1992, 12))
    12
    """
    return max(0, end - start + 1)


def check_months(value: int, field: str) -> None:
    """Refuse a negative month count (contribution months, period lengths), naming the field.

    >>> check_months(-1, "contribution_months")
    Traceback (most recent call last):
    retirelink.errors.InvalidInputError: 月数不能为负（contribution_months=-1）
    """
    if value < 0:
        raise InvalidInputError(f"月数不能为负（{field}={value}）", field=field)


def anniversary(day: date, months: int) -> date:
    """The date ``months`` later, on the same day or, if there is none, the month's last day.

    >>> anniversary(date(1964, 2, 29), 12), anniversary(date(1965, 1, 31), 1)
    (datetime.date(1965, 2, 28), datetime.date(1965, 2, 28))
    """
    target = YearMonth.of(day).plus(months)
    return date(target.year, target.month, min(day.day, target.last_day().day))


def age_in_months(birth: date, on: date) -> int:
    """Completed (已满) months of age on ``on`` (民法典 第二百零三条 for missing days).

    >>> birth = date(1965, 5, 20)
    >>> age_in_months(birth, date(2025, 5, 19)), age_in_months(birth, date(2025, 5, 20))
    (719, 720)
    >>> age_in_months(date(1964, 2, 29), date(2024, 2, 28))
    719
    >>> age_in_months(date(1964, 2, 29), date(2025, 2, 28))
    732
    """
    if on < birth:
        raise InvalidInputError("计算日期早于出生日期", field="on")
    months = YearMonth.of(on) - YearMonth.of(birth)
    return months if anniversary(birth, months) <= on else months - 1


@dataclass(frozen=True, slots=True)
class YearsMonths:
    """An age or a period as years and months, as the law writes them ("60岁3个月").

    >>> YearsMonths.of(723), YearsMonths.of(723).label
    (YearsMonths(years=60, months=3), '60年3个月')
    """

    years: int
    months: int

    @classmethod
    def of(cls, total_months: int) -> "YearsMonths":
        if total_months < 0:
            raise InvalidInputError("月数不能为负", field="months")
        return cls(total_months // 12, total_months % 12)

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def label(self) -> str:
        return f"{self.years}年" + (f"{self.months}个月" if self.months else "")

    @property
    def age_label(self) -> str:
        return f"{self.years}岁" + (f"{self.months}个月" if self.months else "")
