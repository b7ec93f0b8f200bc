"""Money: ``Decimal`` yuan, rounded half up to the fen (分) wherever a rule rounds.

Why half up and why one helper: the law's worked examples round each component half up to the
fen and then add them up (policy-spec §4.1, example [P01] of 国发〔2005〕38号: 3,520.00 +
1,079.14 + 1,132.80 = 5,731.94; the survivor and suspension examples of §5 round the same way).
Python's own ``round`` and the default ``Decimal`` context round half to even, which gives a
different fen on every ``…5``; so every rule rounds through this module and nowhere else.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from retirelink.errors import InvalidInputError

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
UNROUNDED_PLACES = 4  # how a part left unrounded is shown: to 1/100 fen


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` to ``places`` decimal places, half up (as policy-spec §4.1 rounds).

    >>> round_half_up(Decimal("1.23445"), 4), round_half_up(Decimal("2.5"), 0)
    (Decimal('1.2345'), Decimal('3'))
    """
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_fraction_half_up(value: Fraction, places: int) -> Decimal:
    """An exact rational rounded half up: no intermediate decimal rounding can move a value
    that sits exactly on a half (e.g. Ī = 29/160 = 0.18125 must give 0.1813 however the
    contribution history is split into periods).

    >>> round_fraction_half_up(Fraction(29, 160), 4), round_fraction_half_up(Fraction(-1, 8), 2)
    (Decimal('0.1813'), Decimal('-0.13'))
    """
    scaled = abs(value) * 10**places
    rounded = math.floor(scaled + Fraction(1, 2))
    return Decimal(rounded if value >= 0 else -rounded).scaleb(-places)


def to_fen(amount: Decimal) -> Decimal:
    """Round half up to the fen, as the law's worked examples do for each component.

    Policy-spec §4.1 ([P01], 国发〔2005〕38号): each pension component is rounded half up to the
    fen, then summed; half-even rounding would turn 0.005 into 0.00.

    >>> to_fen(Decimal("1079.136690647")), to_fen(Decimal("0.005")), to_fen(Decimal("2.675"))
    (Decimal('1079.14'), Decimal('0.01'), Decimal('2.68'))
    """
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def times(amount: Decimal, factor: Fraction | int) -> Decimal:
    """``amount × factor`` rounded once, at the end, half up to the fen.

    Exact fractions keep months such as 109/12 (人社部发〔2021〕18号 抚恤金, counted to the month)
    from being rounded before the multiplication.

    >>> times(Decimal("2818.5"), Fraction(77, 4)), times(Decimal("1000"), Fraction(109, 12))
    (Decimal('54256.13'), Decimal('9083.33'))
    """
    share = Fraction(factor)
    return to_fen(amount * share.numerator / share.denominator)


def require_non_negative(amount: Decimal, field: str) -> Decimal:
    """``amount`` itself, or an error naming ``field`` when it is negative."""
    if amount < 0:
        raise InvalidInputError(f"金额不能为负数（{amount}）", field=field)
    return amount


# --------------------------------------------------------------------------------------------
# Rounding order of a sum of money parts (``pension.rounding_order``, policy-spec §4.1 [U])
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundedSum:
    """Parts as shown (to ``places``) and the total in fen."""

    parts: tuple[Decimal, ...]
    total: Decimal
    places: int


def round_parts_then_sum(parts: Sequence[Fraction]) -> RoundedSum:
    """Each part half up to the fen, then the rounded parts added — as the worked example
    [P01] of 国发〔2005〕38号 rounds (policy-spec §4.1: 3,520.00 + 1,079.14 + 1,132.80).

    >>> round_parts_then_sum([Fraction(1, 250), Fraction(1, 250)]).total
    Decimal('0.00')
    """
    shown = tuple(round_fraction_half_up(part, 2) for part in parts)
    return RoundedSum(shown, sum(shown, ZERO), 2)


def round_sum_only(parts: Sequence[Fraction]) -> RoundedSum:
    """The exact parts added and only the total rounded half up to the fen; the parts are
    shown half up to ``UNROUNDED_PLACES`` (display only: the total is not their sum). The other
    reading of policy-spec §4.1 ("rounding order is a provincial detail [U]").

    >>> result = round_sum_only([Fraction(1, 250), Fraction(1, 250)])
    >>> result.parts, result.total
    ((Decimal('0.0040'), Decimal('0.0040')), Decimal('0.01'))
    """
    shown = tuple(round_fraction_half_up(part, UNROUNDED_PLACES) for part in parts)
    return RoundedSum(shown, round_fraction_half_up(sum(parts, Fraction(0)), 2), UNROUNDED_PLACES)


@dataclass(frozen=True, slots=True)
class RoundingOrder:
    """A rounding order as the explanation names it, and the rounding itself."""

    label: str
    apply: Callable[[Sequence[Fraction]], RoundedSum]


ROUNDING_ORDERS = {
    "components_then_sum": RoundingOrder("各项先舍入到分", round_parts_then_sum),
    "sum_then_round": RoundingOrder("各项不舍入，合计舍入到分", round_sum_only),
}
