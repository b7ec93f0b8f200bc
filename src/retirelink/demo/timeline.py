"""Precomputed calendar tables for fast drafting (month indexes and day ordinals).

A month index is ``year * 12 + month - 1``; a day is a proleptic Gregorian ordinal
(:meth:`datetime.date.toordinal`). Tables cover births 1950-2000 and months 1950-2100.
"""

from datetime import date
from functools import cache

FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR = 1950, 2000
FIRST_MONTH = FIRST_BIRTH_YEAR * 12
LAST_MONTH = 2101 * 12  # exclusive
BIRTH_BASE = date(FIRST_BIRTH_YEAR, 1, 1).toordinal()


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


@cache
def _month_tables() -> tuple[tuple[date, ...], tuple[str, ...], tuple[int, ...]]:
    days = tuple(date(m // 12, m % 12 + 1, 1) for m in range(FIRST_MONTH, LAST_MONTH))
    return days, tuple(day.isoformat() for day in days), tuple(day.toordinal() for day in days)


def month_date(month: int) -> date:
    """First day of a month index."""
    return _month_tables()[0][month - FIRST_MONTH]


def month_text(month: int) -> str:
    """ISO text (YYYY-MM-01) of the first day of a month index."""
    return _month_tables()[1][month - FIRST_MONTH]


def month_ordinal(month: int) -> int:
    """Ordinal of the first day of a month index."""
    return _month_tables()[2][month - FIRST_MONTH]


@cache
def birth_tables() -> tuple[tuple[str, ...], tuple[int, ...], tuple[str, ...]]:
    """For every day of 1950-2000, indexed by ``ordinal - BIRTH_BASE``: YYYYMMDD text,
    month index and ISO text (YYYY-MM-DD)."""
    end = date(LAST_BIRTH_YEAR + 1, 1, 1).toordinal()
    days = [date.fromordinal(ordinal) for ordinal in range(BIRTH_BASE, end)]
    return (
        tuple(day.strftime("%Y%m%d") for day in days),
        tuple(day.year * 12 + day.month - 1 for day in days),
        tuple(day.isoformat() for day in days),
    )


@cache
def year_starts() -> dict[int, tuple[int, int]]:
    """Birth year -> (ordinal of 1 January, number of days)."""
    return {
        year: (
            date(year, 1, 1).toordinal(),
            date(year + 1, 1, 1).toordinal() - date(year, 1, 1).toordinal(),
        )
        for year in range(FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR + 1)
    }
