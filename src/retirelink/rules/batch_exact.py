"""Exact money arithmetic of the batch path (``batch_money``): integers, rounded half up.

A pension component is an exact rational — an integer numerator over a denominator, per person
— rounded half up (the fen rounding of policy-spec §4.1 [P01]), or a sum of such rationals
rounded once (``pension.rounding_order`` ``sum_then_round``). No float is involved: int64 where
the largest possible value fits, Python ints otherwise. No law is decided here.
"""

import math
from collections.abc import Sequence
from functools import reduce
from typing import Any

import numpy as np
from numpy.typing import NDArray

Int64s = NDArray[np.int64]
Rational = tuple[NDArray[Any], int | NDArray[Any]]  # numerator and denominator, per person

_INT64_HEADROOM = 1 << 61
_lcm = np.frompyfunc(math.lcm, 2, 1)


def exact_product(factors: Sequence[Int64s], constant: int = 1) -> NDArray[Any]:
    """Elementwise product of non-negative integer arrays and ``constant``, never overflowing.

    int64 when the largest possible product (with room for the rounding) fits, else Python ints.

    >>> exact_product([np.array([3, 4]), np.array([5, 6])], 10).tolist()
    [150, 240]
    >>> exact_product([np.array([2**40]), np.array([2**40])]).dtype
    dtype('O')
    """
    bound = constant
    for factor in factors:
        bound *= int(factor.max(initial=0))
    size = len(factors[0]) if factors else 1
    dtype: type = np.int64 if bound < _INT64_HEADROOM else object
    product: NDArray[Any] = np.full(size, constant, dtype=dtype)
    for factor in factors:
        product = product * factor.astype(dtype)
    return product


def half_up(numerator: NDArray[Any], denominator: int | Int64s) -> Int64s:
    """numerator ÷ denominator rounded half up, for non-negative integers.

    >>> half_up(np.array([5, 14, 15]), 10).tolist()
    [1, 1, 2]
    """
    quotient = (2 * numerator + denominator) // (2 * denominator)
    return np.asarray(quotient).astype(np.int64)


def scaled(values: NDArray[Any], factor: int) -> NDArray[Any]:
    """``values × factor`` for non-negative integers, in Python ints where int64 could overflow.

    >>> scaled(np.array([3, 4]), 100).tolist(), scaled(np.array([2**60]), 4).dtype
    ([300, 400], dtype('O'))
    """
    if values.dtype != object and int(values.max(initial=0)) * factor >= _INT64_HEADROOM:
        values = values.astype(object)
    return values * factor


def half_up_sum(terms: Sequence[Rational]) -> Int64s:
    """Σ numerator ÷ denominator over the terms, rounded half up once (non-negative integers).

    Each term is split into its whole part and its remainder, and only the remainders are
    brought to a common denominator: their sum stays below (terms) × that denominator, so int64
    holds it whenever the denominators' product leaves room; Python ints otherwise.

    >>> half_up_sum([(np.array([1, 1]), 4), (np.array([1, 1]), np.array([4, 5]))]).tolist()
    [1, 0]
    """
    size = len(terms[0][0])
    bound = 1
    for _, denominator in terms:
        bound *= int(np.max(denominator, initial=1))
    exact = bound * (2 * len(terms) + 1) >= _INT64_HEADROOM or any(
        np.asarray(part).dtype == object for term in terms for part in term
    )
    dtype: type = object if exact else np.int64
    denominators: list[NDArray[Any]] = [
        np.broadcast_to(np.asarray(denominator, dtype=dtype), (size,)) for _, denominator in terms
    ]
    common = reduce(_lcm if exact else np.lcm, denominators)
    whole: NDArray[Any] = np.zeros(size, dtype=dtype)
    remainder: NDArray[Any] = np.zeros(size, dtype=dtype)
    for (numerator, _), denominator in zip(terms, denominators, strict=True):
        numerator = np.asarray(numerator, dtype=dtype)
        whole = whole + numerator // denominator
        remainder = remainder + (numerator % denominator) * (common // denominator)
    return np.asarray(whole + half_up(remainder, common), dtype=object).astype(np.int64)
