"""Personal account (个人账户): credits, yearly interest and the payout months at retirement.

- Credits: since 2006 the account receives 8% of the individual's contribution wage
  (国发〔2005〕38号; policy-spec §4.1, [U]) — ``account.credit_rate``.
- Interest: one national 记账利率 per year since 2016 (policy-spec §4.4, [S]) —
  ``account.interest_rate``; earlier years were provincial, so balances before 2016 enter as
  an opening balance.
- Crediting: 劳办发〔1997〕116号 附件3 月积数法 (policy-spec §4.4 [P04]): year-end balance =
  prior balance × (1 + r) + the year's credits + Σ(credit × months remaining, its own month
  included) × r ÷ 12.
- Payout: 个人账户养老金 = balance ÷ 计发月数 for the age at retirement (国发〔2005〕38号附件).

Money is ``Decimal`` rounded half up to the fen (分) by ``money.to_fen``. The contribution
history type lives here, below ``pension``.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.money import round_half_up, to_fen
from retirelink.rules.parameters import DatedValue, ParameterSet
from retirelink.rules.parameters import series_value as series_value

MONTH_PRODUCT_RULE = "劳办发〔1997〕116号 附件3（月积数法）"
CREDIT_RULE = "国发〔2005〕38号（个人账户规模统一为本人缴费工资的8%）"

# The old names of helpers that moved, kept importable for code written against them:
# ``fen`` is ``money.to_fen``, ``series_value`` is ``parameters.series_value``, and
# ``cite(name, dated)`` is ``dated.citation(name)``.
fen = to_fen


def cite(name: str, dated: DatedValue) -> str:
    """``dated.citation(name)``: a parameter's 文号 with its name, confidence and flags."""
    return dated.citation(name)


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
    """One year of crediting; ``months`` is 12 except in the final (retirement) year."""

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
    months of the year, each credit from its own month to the year's end. In the year of
    ``until`` the year ends with that month (the pro-rata reading of 116号 for a retirement
    year; [U]). Each interest amount and each year-end balance is rounded half up to the fen.
    """
    if opening_balance < 0:
        raise InvalidInputError("期初个人账户储存额不能为负", field="opening_balance")
    if until.year <= balance_year:
        raise InvalidInputError(f"截止年月应晚于{balance_year}年末", field="until")
    by_year = _credits_by_year(credits, balance_year, until)
    rates = params.get("account.interest_rate", on)
    trace = Trace()
    balance, years = opening_balance, []
    for year in range(balance_year + 1, until.year + 1):
        months = 12 if year < until.year else until.month
        row = _credit_year(year, months, balance, by_year[year], rates, trace)
        years.append(row)
        balance = row.closing
    return AccountBalance(balance, tuple(years), trace.explanation())


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
) -> AccountYear:
    field = "balance_year" if year < min(rates.value) else "until"
    rate = series_value(rates.value, year, name="account.interest_rate", field=field)
    total = sum((credit.amount for credit in credits), Decimal(0))
    product = sum(
        (credit.amount * (months - credit.month.month + 1) for credit in credits), Decimal(0)
    )
    opening_interest = to_fen(opening * rate * months / 12)
    credit_interest = to_fen(product * rate / 12)
    closing = opening + opening_interest + total + credit_interest
    trace.record(
        f"account_{year}",
        f"{year}年末个人账户储存额" if months == 12 else f"{year}年{months}月末个人账户储存额",
        "上年末储存额 × (1 + r × 月数 ÷ 12) + 当年记账额 + 记账额月积数 × r ÷ 12",
        {
            "上年末储存额": opening,
            "r": rate,
            "月数": months,
            "当年记账额": total,
            "月积数": product,
        },
        closing,
        references=(MONTH_PRODUCT_RULE, rates.citation("account.interest_rate")),
    )
    return AccountYear(
        year, months, rate, opening, opening_interest, total, product, credit_interest, closing
    )


# --------------------------------------------------------------------------------------------
# 计发月数 — 国发〔2005〕38号附件 (policy-spec §4.2)
# --------------------------------------------------------------------------------------------


class PayoutAgeRule(StrEnum):
    """How an age with months maps onto the whole-year 计发月数 table (policy-spec §4.2 [D05])."""

    COMPLETED_YEARS = "completed_years"
    INTERPOLATE = "interpolate"

    @property
    def label(self) -> str:
        return "按已满周岁" if self is PayoutAgeRule.COMPLETED_YEARS else "按月线性插值"


@dataclass(frozen=True, slots=True)
class PayoutMonths:
    """计发月数 for an age at retirement (国发〔2005〕38号附件) and the rule that mapped it."""

    months: Decimal
    age: YearsMonths
    rule: PayoutAgeRule
    explanation: Explanation


def payout_months_for_age(
    age_months: int, *, on: date, region: str, params: ParameterSet
) -> PayoutMonths:
    """计发月数 for the age at retirement (国发〔2005〕38号附件, policy-spec §4.2).

    The annex lists whole ages 40–70. Ages with months follow ``pension.payout_months_age_rule``
    ([U] [D05]): ``completed_years`` (已满周岁, the default) or ``interpolate`` (linear between
    whole ages, to 0.01 month). An age the table cannot serve is an error.
    """
    if age_months < 0:
        raise InvalidInputError("退休年龄不能为负", field="age_months")
    age = YearsMonths.of(age_months)
    rule_value = params.get("pension.payout_months_age_rule", on, region=region)
    rule = PayoutAgeRule(rule_value.value)
    table_value = params.get("pension.payout_months", on, region=region)
    table = {int(key): int(months) for key, months in table_value.value.items()}
    months = _table_months(table, age.years)
    # The annex of 国发〔2005〕38号 ends at 70: beyond it there is nothing to interpolate to.
    if rule is PayoutAgeRule.INTERPOLATE and age.months and age.years < max(table):
        following = _table_months(table, age.years + 1)
        months = round_half_up(months - (months - following) * Decimal(age.months) / 12, 2)
    trace = Trace()
    trace.record(
        "payout_months",
        "个人账户养老金计发月数",
        f"计发月数表（{rule.label}）",
        {"退休年龄": age.age_label},
        months,
        references=(
            table_value.citation("pension.payout_months"),
            rule_value.citation("pension.payout_months_age_rule"),
        ),
    )
    return PayoutMonths(months, age, rule, trace.explanation())


def _table_months(table: Mapping[int, int], years: int) -> Decimal:
    if years not in table:
        raise InvalidInputError(
            f"{years}岁不在计发月数表（{min(table)}—{max(table)}岁）范围内", field="age_months"
        )
    return Decimal(table[years])
