"""Personal account (个人账户): credits, yearly interest and the payout months at retirement.

- Credits: since 2006 the account receives 8% of the individual's contribution wage
  (国发〔2005〕38号; policy-spec §4.1, [U]) — ``account.credit_rate``.
- Interest: one national 记账利率 per year since 2016 (policy-spec §4.4, [S]) —
  ``account.interest_rate``; earlier years were provincial, so balances before 2016 enter as
  an opening balance.
- Crediting: 劳办发〔1997〕116号 附件3 月积数法 (policy-spec §4.4 [P04]): year-end balance =
  prior balance × (1 + r) + the year's credits + Σ(credit × months remaining, its own month
  included) × r ÷ 12; the retirement year by ``account.retirement_year_interest`` ([U]).
- Payout: 个人账户养老金 = balance ÷ 计发月数 for the age at retirement (国发〔2005〕38号附件) —
  in ``payout_months``, importable from here as before.

Money is ``Decimal`` rounded half up to the fen (分) by ``money.to_fen``. The contribution
history type lives here, below ``pension``.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.money import ZERO, to_fen
from retirelink.rules.parameters import DatedValue, ParameterSet, choose
from retirelink.rules.parameters import series_value as series_value
from retirelink.rules.payout_months import PayoutAgeRule as PayoutAgeRule
from retirelink.rules.payout_months import PayoutMonths as PayoutMonths
from retirelink.rules.payout_months import payout_months_for_age as payout_months_for_age

MONTH_PRODUCT_RULE = "劳办发〔1997〕116号 附件3（月积数法）"
CREDIT_RULE = "国发〔2005〕38号（个人账户规模统一为本人缴费工资的8%）"
RETIREMENT_YEAR_INTEREST = "account.retirement_year_interest"


@dataclass(frozen=True, slots=True)
class ContributionPeriod:
    """Months from ``start`` to ``end`` (inclusive) paid on one monthly contribution wage."""

    start: YearMonth
    end: YearMonth
    monthly_wage: Decimal


def validate_history(history: Sequence[ContributionPeriod]) -> None:
    """Refuse reversed, overlapping or negative periods, naming the offending field."""
    for position, period in enumerate(history):
        if period.end < period.start:
            raise InvalidInputError(
                f"第{position + 1}段缴费的结束年月早于开始年月", field=f"history[{position}].end"
            )
        if period.monthly_wage < 0:
            raise InvalidInputError(
                f"第{position + 1}段缴费工资不能为负", field=f"history[{position}].monthly_wage"
            )
    ordered = sorted(range(len(history)), key=lambda position: history[position].start)
    for earlier, later in pairwise(ordered):
        if history[later].start <= history[earlier].end:
            raise InvalidInputError(
                f"第{later + 1}段缴费与第{earlier + 1}段重叠", field=f"history[{later}].start"
            )


@dataclass(frozen=True, slots=True)
class AccountCredit:
    """One month's credit to the personal account (国发〔2005〕38号: 8% of the wage)."""

    month: YearMonth
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AccountCredits:
    """The monthly credits of a contribution history, with their explanation."""

    credits: tuple[AccountCredit, ...]
    explanation: Explanation

    @property
    def total(self) -> Decimal:
        return sum((credit.amount for credit in self.credits), Decimal(0))


@dataclass(frozen=True, slots=True)
class AccountYear:
    """One year of crediting; ``months`` is 12 except in the final (retirement) year, whose
    ``rate`` is 0 where ``account.retirement_year_interest`` credits no interest."""

    year: int
    months: int
    rate: Decimal
    opening: Decimal
    opening_interest: Decimal
    credits: Decimal
    month_product: Decimal
    credit_interest: Decimal
    closing: Decimal


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """The personal-account balance after 月积数法 crediting, year by year."""

    balance: Decimal
    years: tuple[AccountYear, ...]
    explanation: Explanation


def account_credits(
    history: Sequence[ContributionPeriod], *, on: date, params: ParameterSet
) -> AccountCredits:
    """Monthly credits of ``account.credit_rate`` (8%) of the contribution wage, to the fen.

    Legal basis: 国发〔2005〕38号 — from 2006-01-01 the account is 8% of the individual's
    contribution wage, all from the individual (policy-spec §4.1, marked [U]).
    """
    validate_history(history)
    trace = Trace()
    rate = params.get("account.credit_rate", on)
    credits: list[AccountCredit] = []
    for position, period in enumerate(history):
        amount = to_fen(period.monthly_wage * rate.value)
        months = period.end - period.start + 1
        credits.extend(AccountCredit(period.start.plus(step), amount) for step in range(months))
        trace.record(
            f"credit_{position}",
            f"{period.start.label}至{period.end.label}每月记账额",
            "月缴费工资 × 记账比例（舍入到分）",
            {"月缴费工资": period.monthly_wage, "记账比例": rate.value, "月数": months},
            amount,
            references=(CREDIT_RULE, rate.citation("account.credit_rate")),
        )
    return AccountCredits(tuple(credits), trace.explanation())


def accumulate_account(
    opening_balance: Decimal,
    *,
    balance_year: int,
    credits: Sequence[AccountCredit],
    until: YearMonth,
    on: date,
    params: ParameterSet,
) -> AccountBalance:
    """Personal-account balance at the end of ``until`` (劳办发〔1997〕116号 月积数法).

    ``opening_balance`` is the balance at the end of ``balance_year``. Each later year earns
    the national 记账利率 of that year (``account.interest_rate``): the prior balance for the
    months of the year, each credit from its own month to the year's end. ``until`` is the
    retirement month, and its year is credited as ``account.retirement_year_interest`` says
    ([U]): ``pro_rata_to_retirement_month`` ends the year with that month, ``none`` credits no
    interest that year. Each interest amount and year-end balance is rounded half up to the fen.
    """
    if opening_balance < 0:
        raise InvalidInputError("期初个人账户储存额不能为负", field="opening_balance")
    if until.year <= balance_year:
        raise InvalidInputError(f"截止年月应晚于{balance_year}年末", field="until")
    by_year = _credits_by_year(credits, balance_year, until)
    rates = params.get("account.interest_rate", on)
    rule = params.get(RETIREMENT_YEAR_INTEREST, on)
    retirement_year = choose(RETIREMENT_YEAR_RULES, rule, RETIREMENT_YEAR_INTEREST)
    trace = Trace()
    balance, years = opening_balance, []
    for year in range(balance_year + 1, until.year):
        years.append(_credit_year(year, 12, balance, by_year[year], rates, trace))
        balance = years[-1].closing
    last = RetirementYear(until, balance, by_year[until.year], rates, rule)
    years.append(retirement_year(last, trace))
    return AccountBalance(years[-1].closing, tuple(years), trace.explanation())


def _credits_by_year(
    credits: Sequence[AccountCredit], balance_year: int, until: YearMonth
) -> dict[int, list[AccountCredit]]:
    by_year: dict[int, list[AccountCredit]] = defaultdict(list)
    for position, credit in enumerate(credits):
        if credit.amount < 0:
            raise InvalidInputError("记账额不能为负", field=f"credits[{position}].amount")
        if not balance_year < credit.month.year or credit.month > until:
            raise InvalidInputError(
                f"记账月份{credit.month.label}不在{balance_year + 1}年1月至{until.label}之间",
                field=f"credits[{position}].month",
            )
        by_year[credit.month.year].append(credit)
    return by_year


def _credit_year(
    year: int,
    months: int,
    opening: Decimal,
    credits: Sequence[AccountCredit],
    rates: DatedValue,
    trace: Trace,
    retirement: str = "",
) -> AccountYear:
    """One year by 月积数法; ``retirement`` is the rule's citation in the retirement year."""
    field = "balance_year" if year < min(rates.value) else "until"
    rate = series_value(rates.value, year, name="account.interest_rate", field=field)
    total = _total(credits)
    product = sum(
        (credit.amount * (months - credit.month.month + 1) for credit in credits), Decimal(0)
    )
    opening_interest = to_fen(opening * rate * months / 12)
    credit_interest = to_fen(product * rate / 12)
    closing = opening + opening_interest + total + credit_interest
    trace.record(
        f"account_{year}",
        _balance_label(year, months),
        "上年末储存额 × (1 + r × 月数 ÷ 12) + 当年记账额 + 记账额月积数 × r ÷ 12"
        + ("（退休当年计息至退休当月）" if retirement else ""),
        {
            "上年末储存额": opening,
            "r": rate,
            "月数": months,
            "当年记账额": total,
            "月积数": product,
        },
        closing,
        references=(MONTH_PRODUCT_RULE, rates.citation("account.interest_rate"))
        + ((retirement,) if retirement else ()),
    )
    return AccountYear(
        year, months, rate, opening, opening_interest, total, product, credit_interest, closing
    )


def _total(credits: Sequence[AccountCredit]) -> Decimal:
    return sum((credit.amount for credit in credits), Decimal(0))


def _balance_label(year: int, months: int) -> str:
    return f"{year}年末个人账户储存额" if months == 12 else f"{year}年{months}月末个人账户储存额"


@dataclass(frozen=True, slots=True)
class RetirementYear:
    """What crediting the retirement year (the year of ``until``) needs."""

    until: YearMonth
    opening: Decimal
    credits: Sequence[AccountCredit]
    rates: DatedValue
    rule: DatedValue

    @property
    def citation(self) -> str:
        return self.rule.citation(RETIREMENT_YEAR_INTEREST)


def pro_rata_to_retirement_month(year: RetirementYear, trace: Trace) -> AccountYear:
    """月积数法 with the year ending at the retirement month: the prior balance earns
    r × months ÷ 12, each credit r ÷ 12 per month to the retirement month. Legal basis: 劳办发
    〔1997〕116号 附件3, read pro rata for a retirement year ([U]; policy-spec §4.4 states only
    full years)."""
    until = year.until
    return _credit_year(
        until.year, until.month, year.opening, year.credits, year.rates, trace, year.citation
    )


def no_retirement_year_interest(year: RetirementYear, trace: Trace) -> AccountYear:
    """No interest in the year of retirement: the prior year-end balance plus the year's
    credits. Legal basis: none read — the reading of provinces that credit interest only at a
    year end (劳办发〔1997〕116号 结息 at 12-31) the retiree does not reach ([U]). The year's rate
    is not needed, so a retirement before its publication can be computed."""
    until, total = year.until, _total(year.credits)
    closing = trace.record(
        f"account_{until.year}",
        _balance_label(until.year, until.month),
        "上年末储存额 + 当年记账额（退休当年不计息）",
        {"上年末储存额": year.opening, "当年记账额": total},
        to_fen(year.opening + total),
        references=(MONTH_PRODUCT_RULE, year.citation),
    )
    return AccountYear(
        until.year, until.month, Decimal(0), year.opening, ZERO, total, Decimal(0), ZERO, closing
    )


RETIREMENT_YEAR_RULES: dict[str, Callable[[RetirementYear, Trace], AccountYear]] = {
    "pro_rata_to_retirement_month": pro_rata_to_retirement_month,
    "none": no_retirement_year_interest,
}
