"""Foundations of the fund-guard bulk data: array types, day and month numbers, and random draws.

Every value in the bulk data is a pure function of the seed and an integer key, never of the
order or the chunking of the rows, so that a row (or a duplicate's twin, wherever its chunk
is) can be recomputed from its number alone. This module holds the means to that end:
:class:`Draw`, counter-based random numbers (splitmix64 over ``key ^ seed ^ stream``); the key
spaces that keep a row's draws apart from a human's or a sign of life's; :class:`Shuffle`, a
keyed bijection of ``[0, n)`` with an inverse (a Feistel network, cycle-walked into range);
and the day/month arithmetic the other ``fund_bulk_*`` modules share.
"""

from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Keys = npt.NDArray[np.uint64]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]

EPOCH = date(1970, 1, 1)
NO_DAY = -(2**31)  # NULL date: days since 1970 below any real one
_MASK64 = 2**64 - 1
_GAMMA = 0x9E3779B97F4A7C15
Objects = npt.NDArray[np.object_]

# Key spaces: a row, a human of each pool (16 + pool), people not on the roll, signs.
ROW_SPACE, OUTSIDE_DEATH, OUTSIDE_CUSTODY, SIGN_SPACE, GARBAGE_SPACE = 1, 30, 31, 32, 33


def day_number(day: date) -> int:
    """Days since 1970-01-01 (NumPy's ``datetime64[D]`` epoch)."""
    return (day - EPOCH).days


def month_number(day: date) -> int:
    """Month index ``year * 12 + month - 1``."""
    return day.year * 12 + day.month - 1


def months_of(days: Ints) -> Ints:
    """Month index of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


def month_starts(months: Ints) -> Ints:
    """Day number of the first day of each month index."""
    since = (months - 1970 * 12).astype("datetime64[M]")
    return since.astype("datetime64[D]").astype(np.int64)


def ymd(days: Ints) -> Ints:
    """YYYYMMDD as an integer, as the ID number writes the birth date."""
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = month.astype("datetime64[Y]").astype(np.int64) + 1970
    month_of_year = month.astype(np.int64) % 12 + 1
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64) + 1
    result: Ints = year * 10_000 + month_of_year * 100 + day_of_month
    return result


# ------------------------------------------------------------------------------------------
# Random draws
# ------------------------------------------------------------------------------------------


def _mix(x: Keys) -> Keys:
    """splitmix64's finaliser: a bijective scramble of 64 bits, the same on every platform."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def keys(space: int, index: Ints) -> Keys:
    """Keys of ``index`` (< 2**48) in a key space, so row 5 and human 5 draw differently."""
    return index.astype(np.uint64) | np.uint64(space << 48)


class Draw:
    """Counter-based random numbers: a value depends only on (seed, key, stream)."""

    __slots__ = ("_seed",)

    def __init__(self, seed: int) -> None:
        self._seed = int(_mix(np.array([seed & _MASK64], dtype=np.uint64))[0])

    def bits(self, keys: Keys, stream: int) -> Keys:
        salt = np.uint64((self._seed ^ (stream * _GAMMA)) & _MASK64)
        return _mix(_mix(keys ^ salt) + np.uint64(stream))

    def uniform(self, keys: Keys, stream: int) -> Floats:
        """Uniform in [0, 1)."""
        return (self.bits(keys, stream) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def below(self, keys: Keys, stream: int, n: int | Ints) -> Ints:
        """Uniform integer in [0, n)."""
        return (self.uniform(keys, stream) * n).astype(np.int64)

    def between(self, keys: Keys, stream: int, low: int | Ints, high: int | Ints) -> Ints:
        """Uniform integer in [low, high]; ``low`` where ``high < low``."""
        width = np.maximum(np.asarray(high, dtype=np.int64) - low + 1, 1)
        return np.asarray(low, dtype=np.int64) + self.below(keys, stream, width)

    def choice(self, keys: Keys, stream: int, weights: Sequence[float]) -> Ints:
        """Index into ``weights``, drawn in proportion to them."""
        cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        picked = np.searchsorted(cumulative / cumulative[-1], self.uniform(keys, stream), "right")
        return np.minimum(picked, len(weights) - 1).astype(np.int64)

    def value(self, stream: int, n: int) -> int:
        """One integer in [0, n) for a whole run (a permutation's shift)."""
        return int(self.below(np.zeros(1, dtype=np.uint64), stream, n)[0]) if n > 0 else 0


class Shuffle:
    """A keyed bijection of [0, size): a four-round Feistel network over the smallest
    power of four not below ``size``, cycle-walked back into range. Unlike ``a·i + b mod n``
    it leaves no arithmetic pattern in which rows hold a role or which humans are adjacent."""

    __slots__ = ("_half", "_mask", "_round_keys", "size")

    def __init__(self, size: int, draw: Draw, stream: int) -> None:
        bits = max(2, (max(size, 1) - 1).bit_length())
        self.size = size
        self._half = np.uint64((bits + 1) // 2)
        self._mask = np.uint64((1 << int(self._half)) - 1)
        self._round_keys = draw.bits(keys(0, np.arange(4, dtype=np.int64)), stream)

    def _feistel(self, value: Keys, forward: bool) -> Keys:
        left, right = value >> self._half, value & self._mask
        for key in self._round_keys if forward else self._round_keys[::-1]:
            if forward:
                left, right = right, left ^ (_mix(right ^ key) & self._mask)
            else:
                left, right = right ^ (_mix(left ^ key) & self._mask), left
        return (left << self._half) | right

    def _walk(self, values: Ints, forward: bool) -> Ints:
        # Walking from outside [0, size) might never come back into it.
        if len(values) and (int(values.min()) < 0 or int(values.max()) >= self.size):
            raise ValueError("value outside the shuffled range")
        out = self._feistel(values.astype(np.uint64), forward)
        pending = out >= self.size
        while pending.any():
            out[pending] = self._feistel(out[pending], forward)
            pending = out >= self.size
        return out.astype(np.int64)

    def forward(self, values: Ints) -> Ints:
        return self._walk(values, True)

    def backward(self, values: Ints) -> Ints:
        return self._walk(values, False)
