"""Provisional payment (预发/暂发) while a year's 计发基数 or 社平工资 is not yet published.

国发〔2005〕38号 computes the pension from the province's 计发基数 B of the retirement year, and
平均缴费指数 Ī from the 社平工资 of each contribution year. A province publishes these figures
some months into the year; until then the practice is to pay provisionally on the latest
published figure and to recalculate (重新核定, 补发差额) once the figure is out. No national
document fixes this: provinces do it by notice. It is cited here as
"各省计发基数公布前预发、公布后重新核定的通行做法" with confidence U, and every figure added
this way is marked [U] in the explanation, with a note naming the years paid provisionally.

``provisional_parameters`` builds a parameter set in which the series ``pension.base_wage`` and
``pension.average_wage`` run up to a given year; deciding to pay provisionally, and
recalculating later, is the workflow's part. The original parameter set is never changed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from retirelink.errors import InvalidInputError
from retirelink.rules.explanation import show
from retirelink.rules.parameters import DatedValue, Parameter, ParameterSet

PROVISIONAL_PRACTICE = "各省计发基数公布前预发、公布后重新核定的通行做法"
PROVISIONAL_CONFIDENCE = "U"
# The yearly series paid provisionally, with the 中文 name a notice gives them.
PROVISIONAL_SERIES: Mapping[str, str] = {
    "pension.base_wage": "计发基数",
    "pension.average_wage": "社平工资",
    # The national 记账利率 of a year is published the next year: the retirement year (and
    # any unpublished year before it) is credited provisionally at the latest rate.
    "account.interest_rate": "记账利率",
}


@dataclass(frozen=True, slots=True)
class ProvisionalFigure:
    """A series value not yet published, taken provisionally from the latest published year.

    >>> ProvisionalFigure("pension.base_wage", 2027, 2025, Decimal(7333)).label
    '2027年计发基数尚未公布，暂按2025年公布值7333元预发'
    """

    name: str
    year: int
    used_year: int
    value: Decimal

    @property
    def label(self) -> str:
        what = PROVISIONAL_SERIES.get(self.name, self.name)
        rate = (self.value * 100).normalize()
        shown = f"{rate:f}%" if self.value < 1 else f"{show(self.value)}元"
        return f"{self.year}年{what}尚未公布，暂按{self.used_year}年公布值{shown}预发"


def provisional_parameters(
    params: ParameterSet, *, region: str, on: date, through_year: int
) -> tuple[ParameterSet, tuple[ProvisionalFigure, ...]]:
    """Parameters with 计发基数 and 社平工资 extended to ``through_year`` for provisional payment.

    B of 国发〔2005〕38号 and the 社平工资 behind Ī are published by the province each year.
    For the series in force on ``on`` for ``region`` (county → prefecture → province →
    national), every year after the latest published one, up to ``through_year``, takes that
    latest value — the practice of paying provisionally before publication and recalculating
    after it ([U], no national 文号). The extended value replaces the one in force under the
    scope it was found in; its citation carries the practice, confidence U and a note naming
    the provisional years. Returns the new set and the figures added, or ``params`` itself and
    ``()`` when nothing is missing. A series with no year at all is an error.
    """
    replaced: dict[tuple[str, str], Parameter] = {}
    figures: list[ProvisionalFigure] = []
    for name in PROVISIONAL_SERIES:
        parameter = params.parameter(name, region=region)
        extended, added = _extended(parameter, on, through_year)
        if added:
            replaced[(parameter.name, parameter.scope)] = extended
            figures.extend(added)
    if not figures:
        return params, ()
    parameters = {(item.name, item.scope): item for item in params}
    return ParameterSet(parameters | replaced), tuple(figures)


def _extended(
    parameter: Parameter, on: date, through_year: int
) -> tuple[Parameter, tuple[ProvisionalFigure, ...]]:
    """The parameter with its value in force on ``on`` extended, and the figures added."""
    dated = parameter.at(on)
    figures = _missing_figures(parameter.name, dated.value, through_year)
    if not figures:
        return parameter, ()
    provisional = _provisional_value(dated, figures)
    values = tuple(
        provisional if item.effective == dated.effective else item for item in parameter.values
    )
    return replace(parameter, values=values), figures


def _missing_figures(name: str, series: object, through_year: int) -> tuple[ProvisionalFigure, ...]:
    """Each year after the latest published one up to ``through_year``, at that year's value."""
    if not isinstance(series, Mapping) or not series:
        raise InvalidInputError(
            f"参数{name}没有任何已公布年份的取值，无法按最近公布值预发", field=name
        )
    used_year = max(series)
    value = Decimal(series[used_year])
    return tuple(
        ProvisionalFigure(name, year, used_year, value)
        for year in range(used_year + 1, through_year + 1)
    )


def _provisional_value(dated: DatedValue, figures: tuple[ProvisionalFigure, ...]) -> DatedValue:
    """The dated value with the provisional years added, cited as provisional and [U]."""
    first, last = figures[0], figures[-1]
    years = f"{first.year}年" if first is last else f"{first.year}—{last.year}年"
    note = f"{years}暂按{first.used_year}年公布值预发，公布后重新核定"
    return replace(
        dated,
        value={**dated.value, **{figure.year: figure.value for figure in figures}},
        reference=f"{dated.reference}；{PROVISIONAL_PRACTICE}",
        confidence=PROVISIONAL_CONFIDENCE,
        note="；".join(part for part in (dated.note, note) if part),
    )
