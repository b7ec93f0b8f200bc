"""Numeric kernels of the batch path (``batch``): the index sums and the input checks.

No law is decided here; this is the arithmetic the batch needs to give exactly the scalar
result (``pension``) for the index (exact money is in ``batch_exact``):

- ``index_sums`` — Σ contribution wage ÷ 社平工资 of the contribution year, per person, over
  a flat (CSR) contribution history (the numerator of 平均缴费指数, policy-spec §4.1 [P03]).
  It is summed in float64: every term is a product of at most three correctly rounded
  factors and all terms are positive, so the relative error of a person's sum is below
  (pieces + 4) × 2⁻⁵³ — under 1e-13 for any real career. ``round_half_up_index`` turns the
  mean into the integer index and flags every person whose float value lies within
  ``INDEX_TOLERANCE`` (relative) of a half-point, where float and the scalar's exact sum
  could round differently; the caller recomputes those through the scalar function.
- ``check_people`` / ``refuse`` / ``tabulate`` — the per-person input checks and the
  tabulation of scalar rules over small domains.

Rows of a person must be in chronological order without overlap; an error names the field
and the person (1-based, as a clerk counts).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retirelink.errors import InvalidInputError
from retirelink.rules.account import ContributionPeriod
from retirelink.rules.calendar import MAX_YEAR, MIN_YEAR, YearMonth

Int64s = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Integers = NDArray[np.integer[Any]]

INDEX_TOLERANCE = 1e-9
CHUNK_ROWS = 1 << 20


# --------------------------------------------------------------------------------------------
# 平均缴费指数 numerator: Σ wage ÷ 社平工资 over a flat contribution history
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InverseWages:
    """1 ÷ (社平工资 in fen) for every month from ``first_month`` (NaN: no value that year)."""

    first_month: int
    by_month: Floats

    def at(self, months: Int64s) -> Floats:
        return self.by_month[months - self.first_month]


@dataclass(frozen=True, slots=True)
class ContributionRows:
    """A population's contribution history, flat (CSR): person ``i`` owns the rows
    ``offsets[i]:offsets[i + 1]``, in chronological order without overlap.

    A row is the months ``start``…``end`` (``YearMonth.index``, both included) paid on one
    monthly contribution wage in fen — a ``ContributionPeriod``. Without ``end`` every row is a
    single month (a month-by-month 缴费记录).
    """

    offsets: Integers
    start: Integers
    monthly_wage_fen: Integers
    end: Integers | None = None

    @property
    def persons(self) -> int:
        return len(self.offsets) - 1

    def periods(self, person: int) -> list[ContributionPeriod]:
        """The scalar history this person's rows stand for: one period per row, in order."""
        rows = range(int(self.offsets[person]), int(self.offsets[person + 1]))
        ends = self.start if self.end is None else self.end
        return [
            ContributionPeriod(
                YearMonth.from_index(int(self.start[row])),
                YearMonth.from_index(int(ends[row])),
                Decimal(int(self.monthly_wage_fen[row])).scaleb(-2),
            )
            for row in rows
        ]


def index_sums(history: ContributionRows, inverse: InverseWages) -> tuple[Floats, Int64s]:
    """Per person: Σ over paid months of wage ÷ 社平工资 (float64), and the paid months."""
    offsets = np.asarray(history.offsets, dtype=np.int64)
    sums, months = np.zeros(history.persons), np.zeros(history.persons, dtype=np.int64)
    for low, high in _person_chunks(offsets):
        first, last = int(offsets[low]), int(offsets[high])
        local = offsets[low : high + 1] - first
        terms, row_months = _row_terms(history, first, last, inverse)
        _check_order(history, first, last, local)
        sums[low:high] = _segment_sums(terms, local)
        months[low:high] = _segment_sums(row_months, local)
    return sums, months


def _person_chunks(offsets: Int64s) -> list[tuple[int, int]]:
    """Consecutive person ranges of about ``CHUNK_ROWS`` rows each (bounded temporaries)."""
    persons = len(offsets) - 1
    targets = np.arange(CHUNK_ROWS, int(offsets[-1]), CHUNK_ROWS)
    cuts = np.unique(np.concatenate(([0], np.searchsorted(offsets, targets), [persons])))
    return [(int(low), int(high)) for low, high in pairwise(cuts.tolist())]


def _segment_sums(values: NDArray[Any], local: Int64s) -> NDArray[Any]:
    """Sum of each person's rows (``local`` are the person offsets); 0 for a person without rows."""
    if len(values) == 0:
        return np.zeros(len(local) - 1, dtype=values.dtype)
    sums = np.add.reduceat(values, np.minimum(local[:-1], len(values) - 1))
    sums[local[1:] == local[:-1]] = 0
    return sums


def _row_terms(
    history: ContributionRows, first: int, last: int, inverse: InverseWages
) -> tuple[Floats, Int64s]:
    """Each row's Σ wage ÷ 社平工资 and its month count, after checking the row."""
    start = history.start[first:last].astype(np.int64)
    wage = history.monthly_wage_fen[first:last].astype(np.int64)
    end = start if history.end is None else history.end[first:last].astype(np.int64)
    _check_rows(history, start, end, wage, first, inverse)
    months = end - start + 1
    if history.end is None:
        return wage * inverse.at(start), months
    weights = months * inverse.at(start)
    spanning = np.flatnonzero(start // 12 != end // 12)
    if len(spanning):
        weights[spanning] = _spanning_weights(start[spanning], end[spanning], inverse)
    return wage * weights, months


def _spanning_weights(start: Int64s, end: Int64s, inverse: InverseWages) -> Floats:
    """Σ over the years a period spans of (its months in that year) ÷ that year's 社平工资."""
    first_year, years = start // 12, end // 12 - start // 12 + 1
    pieces = np.repeat(np.arange(len(start)), years)
    piece_starts = np.concatenate(([0], np.cumsum(years)[:-1]))
    year = first_year[pieces] + np.arange(len(pieces)) - np.repeat(piece_starts, years)
    low = np.maximum(start[pieces], year * 12)
    high = np.minimum(end[pieces], year * 12 + 11)
    return np.asarray(
        np.add.reduceat((high - low + 1) * inverse.at(low), piece_starts), dtype=np.float64
    )


def _check_rows(
    history: ContributionRows,
    start: Int64s,
    end: Int64s,
    wage: Int64s,
    first: int,
    inverse: InverseWages,
) -> None:
    problems = (
        (wage < 0, "history.monthly_wage_fen", "缴费工资不能为负"),
        (end < start, "history.end", "缴费的结束年月早于开始年月"),
        (start < inverse.first_month, "history.start", "缴费年月早于社平工资序列（无当年取值）"),
        (
            end >= inverse.first_month + len(inverse.by_month),
            "history.end",
            "缴费年月晚于社平工资序列（无当年取值）",
        ),
    )
    for failed, field, message in problems:
        if failed.any():
            raise_for_row(
                np.asarray(history.offsets, dtype=np.int64),
                first + int(np.argmax(failed)),
                field,
                message,
            )
    gaps = np.isnan(inverse.at(start)) | np.isnan(inverse.at(end))
    if gaps.any():
        row = first + int(np.argmax(gaps))
        raise_for_row(
            np.asarray(history.offsets, dtype=np.int64),
            row,
            "history.start",
            "缴费年份在社平工资序列中没有取值",
        )


def _check_order(history: ContributionRows, first: int, last: int, local: Int64s) -> None:
    """Within a person each row must start after the previous one ends (policy-spec §4.1:
    each month counts once)."""
    if last - first < 2:
        return
    start = history.start[first + 1 : last].astype(np.int64)
    ends = history.start if history.end is None else history.end
    previous_end = ends[first : last - 1].astype(np.int64)
    overlap = start <= previous_end
    boundaries = local[1:-1]
    overlap[boundaries[(boundaries > 0) & (boundaries < last - first)] - 1] = False
    if overlap.any():
        row = first + 1 + int(np.argmax(overlap))
        raise_for_row(
            np.asarray(history.offsets, dtype=np.int64),
            row,
            "history.start",
            "缴费期间未按时间顺序排列或相互重叠",
        )


def raise_for_row(offsets: Int64s, row: int, field: str, message: str) -> None:
    """Raise for flat row ``row``, naming its person (1-based) and the person's row."""
    person = int(np.searchsorted(offsets, row, side="right")) - 1
    position = row - int(offsets[person])
    raise InvalidInputError(f"第{person + 1}人第{position + 1}段：{message}", field=field)


def round_half_up_index(
    paid_sums: Floats,
    deemed_sums: Floats,
    months: Int64s,
    places: int,
) -> tuple[Int64s, Bools]:
    """Ī × 10^places rounded half up, and where the float result is too close to call.

    >>> index, unsure = round_half_up_index(
    ...     np.array([1.5, 2.0]), np.array([0.0, 0.0]), np.array([1, 3]), 0
    ... )
    >>> index.tolist(), unsure.tolist()
    ([2, 1], [True, False])
    """
    scaled = (paid_sums + deemed_sums) * float(10**places) / months
    floor = np.floor(scaled)
    fraction = scaled - floor
    unsure = np.abs(fraction - 0.5) <= INDEX_TOLERANCE * np.maximum(scaled, 1.0)
    index = floor.astype(np.int64) + (fraction >= 0.5)
    return index, unsure


# --------------------------------------------------------------------------------------------
# Input checks: every error names the field (and the person, 1-based)
# --------------------------------------------------------------------------------------------

STATUTORY = -1
FIRST_MONTH, LAST_MONTH = YearMonth(MIN_YEAR, 1).index, YearMonth(MAX_YEAR, 12).index


def check_people(
    arrays: Mapping[str, object], history: ContributionRows, *, categories: int, latest_birth: int
) -> dict[str, Int64s]:
    """The per-person arrays as int64 after checking lengths, types and ranges."""
    count = len(np.asarray(arrays["category"]))
    people = {name: _integers(values, name, count) for name, values in arrays.items()}
    _check_history(history, count)
    category, birth, chosen = people["category"], people["birth_month"], people["retirement_month"]
    problems = (
        ((category < 0) | (category >= categories), "category", "未知的退休人员类别"),
        (
            (birth < FIRST_MONTH) | (birth > latest_birth),
            "birth_month",
            "出生年月超出可计算范围或晚于计算日期",
        ),
        (people["deemed_months"] < 0, "deemed_months", "视同缴费月数不能为负"),
        (people["account_balance_fen"] < 0, "account_balance_fen", "个人账户储存额不能为负"),
        (
            (chosen != STATUTORY) & ((chosen < FIRST_MONTH) | (chosen > LAST_MONTH)),
            "retirement_month",
            "退休年月超出可计算范围",
        ),
    )
    for failed, field, message in problems:
        refuse(failed, field, message)
    return people


def _integers(values: object, field: str, count: int) -> Int64s:
    array = np.asarray(values)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise InvalidInputError(f"{field}应为一维整数数组", field=field)
    if len(array) != count:
        raise InvalidInputError(f"{field}有{len(array)}个元素，应为{count}个（人数）", field=field)
    return array.astype(np.int64)


def _check_history(history: ContributionRows, count: int) -> None:
    offsets = _integers(history.offsets, "history.offsets", count + 1)
    rows = int(offsets[-1])
    if offsets[0] != 0 or (np.diff(offsets) < 0).any():
        raise InvalidInputError("history.offsets应从0开始且不递减", field="history.offsets")
    columns = {"history.start": history.start, "history.monthly_wage_fen": history.monthly_wage_fen}
    if history.end is not None:
        columns["history.end"] = history.end
    for field, column in columns.items():
        array = np.asarray(column)
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer) or len(array) != rows:
            raise InvalidInputError(f"{field}应为{rows}个元素的一维整数数组", field=field)


def refuse(failed: Bools, field: str, message: str) -> None:
    """Raise for the first person where ``failed`` holds."""
    if failed.any():
        person = int(np.argmax(failed))
        raise InvalidInputError(f"第{person + 1}人：{message}", field=field)


def tabulate(keys: Int64s, compute: Callable[[int], int]) -> Int64s:
    """``compute(key)`` for every person, calling it once per distinct key: a scalar rule over
    a small domain (birth months, years, ages) applied to the whole population."""
    distinct, positions = np.unique(keys, return_inverse=True)
    values = np.empty(len(distinct), np.int64)
    for slot, key in enumerate(distinct.tolist()):
        try:
            values[slot] = compute(key)
        except InvalidInputError as error:
            person = int(np.argmax(keys == key))
            raise InvalidInputError(
                f"第{person + 1}人：{error.message}", field=error.field
            ) from None
    return values[positions]
