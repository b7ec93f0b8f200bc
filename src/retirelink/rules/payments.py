"""Months actually paid, and when an event takes effect: shared by the payment-correction rules.

Death (人社部发〔2021〕18号, 死亡次月停发), incarceration (劳社厅函〔2001〕44号), certification
(人社厅发〔2018〕54号) and duplicate receipt (《城乡养老保险制度衔接暂行办法》第八条) all
compare what was paid month by month with what was due (policy-spec §5). The payment record is
a list of ``PaidPeriod``; ``payments_by_month`` turns it into one amount per month and refuses
records that cannot be right (reversed or overlapping periods, negative amounts).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, months_inclusive
from retirelink.rules.money import ZERO, require_non_negative


@dataclass(frozen=True, slots=True)
class PaidPeriod:
    """Months ``first``..``last`` (both included) actually paid at ``monthly_amount``."""

    first: YearMonth
    last: YearMonth
    monthly_amount: Decimal


def payments_by_month(
    paid: Sequence[PaidPeriod], *, field: str = "paid"
) -> dict[YearMonth, Decimal]:
    """Amount paid per month; reversed or overlapping periods and negative amounts are refused.

    >>> paid = [PaidPeriod(YearMonth(2025, 1), YearMonth(2025, 2), Decimal("3000"))]
    >>> {str(month): str(amount) for month, amount in payments_by_month(paid).items()}
    {'2025-01': '3000', '2025-02': '3000'}
    """
    months: dict[YearMonth, Decimal] = {}
    for number, period in enumerate(paid):
        where = f"{field}[{number}]"
        if period.last < period.first:
            message = f"第{number + 1}段支付期间的止月{period.last}早于起月{period.first}"
            raise InvalidInputError(message, field=f"{where}.last")
        require_non_negative(period.monthly_amount, f"{where}.monthly_amount")
        for offset in range(months_inclusive(period.first, period.last)):
            month = period.first.plus(offset)
            if month in months:
                message = f"第{number + 1}段支付期间与其他期间在{month.label}重叠"
                raise InvalidInputError(message, field=where)
            months[month] = period.monthly_amount
    return months


def month_after(month: YearMonth, convention: str) -> YearMonth:
    """The month an event in ``month`` takes effect: ``next_month`` (次月) or ``same_month``.

    The convention is local practice (policy-spec §5.1, §5.2, §5.4 [S]), hence a parameter.

    >>> month_after(YearMonth(2025, 3), "next_month"), month_after(YearMonth(2025, 3), "same_month")
    (YearMonth(year=2025, month=4), YearMonth(year=2025, month=3))
    """
    return month.plus(1 if convention == "next_month" else 0)


@dataclass(frozen=True, slots=True)
class Settled:
    """What a month-by-month comparison of due and paid amounts leaves to pay back or recover."""

    back_pay_months: int
    back_pay: Decimal
    overpaid_months: int = 0
    overpaid: Decimal = ZERO
