"""过渡性养老金 (transitional pension of 中人): the provincial formula, chosen by parameter.

国发〔2005〕38号 leaves the transition to the provinces ("各省…制订具体的过渡办法", policy-spec
§4.1 [C]). The spec gives one shape, "the common form" B × Ī × N视同 × 过渡系数 ([S], src S16-bis),
and names no other; so this table holds that one form, and ``pension.transitional_formula``
(a dated ``choice``) selects from it — never an ``if`` inside the pension formula.

How a province adds its own form:

1. write a function ``(TransitionalFacts) -> Fraction`` (the exact amount in yuan, unrounded:
   ``pension.rounding_order`` rounds it) whose docstring cites the province's 过渡办法
   (文号 + 条) and its worked example;
2. add it to ``TRANSITIONAL_FORMULAS`` under a new name, with its 中文 label and formula text;
3. add that name to ``choices`` in ``params/national/pension/transitional_formula.yaml``; the
   province's own ``params/<code>/pension/transitional_formula.yaml`` lists the same choices
   and sets it, dated (the loader refuses a value not among its file's ``choices``);
4. add a YAML case to ``tests/unit/rules/cases/pension.yaml`` from the province's example;
5. optionally, a vectorised kernel in ``batch_money.TRANSITIONAL_KERNELS``: without one the batch
   path calls the function here person by person (exact, not vectorised).
A value without a function here is refused naming the parameter, never replaced by another form.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from retirelink.rules.parameters import DatedValue, choose

TRANSITIONAL_FORMULA = "pension.transitional_formula"
TRANSITION_COEFFICIENT = "pension.transition_coefficient"


@dataclass(frozen=True, slots=True)
class TransitionalFacts:
    """What a form may use: B (计发基数), Ī, N视同 in months and the province's 过渡系数."""

    base_wage: Decimal
    average_index: Decimal
    deemed_months: int
    coefficient: Decimal


@dataclass(frozen=True, slots=True)
class TransitionalFormula:
    """One form: its 中文 label and formula text (both shown in the explanation), the amount."""

    label: str
    formula: str
    amount: Callable[[TransitionalFacts], Fraction]


def indexed_wage_deemed_years(facts: TransitionalFacts) -> Fraction:
    """B × Ī × N视同 ÷ 12 × 过渡系数 — 指数化月平均缴费工资 × 视同缴费年限 × 过渡系数.

    Legal basis: 国发〔2005〕38号 (provinces set the transition) and the common provincial form,
    with 过渡系数 typically 1.0%–1.4% (policy-spec §4.1, [S], src S16-bis). Worked example
    [P01]: 8000 × 1.2 × 118 ÷ 12 × 1.2% = 1,132.80. Exact: multiplied out, divided once.

    >>> facts = TransitionalFacts(Decimal(8000), Decimal("1.2"), 118, Decimal("0.012"))
    >>> indexed_wage_deemed_years(facts)  # 1132.8
    Fraction(5664, 5)
    """
    product = Fraction(facts.base_wage) * Fraction(facts.average_index) * facts.deemed_months
    return product * Fraction(facts.coefficient) / 12


TRANSITIONAL_FORMULAS: dict[str, TransitionalFormula] = {
    "indexed_wage_deemed_years": TransitionalFormula(
        "按指数化月平均缴费工资",
        "B × Ī × N视同 × 过渡系数 ÷ 12",
        indexed_wage_deemed_years,
    ),
}


def transitional_formula(dated: DatedValue) -> TransitionalFormula:
    """The form ``pension.transitional_formula`` names; an error naming it if there is none."""
    return choose(TRANSITIONAL_FORMULAS, dated, TRANSITIONAL_FORMULA)
