"""Parameter overlays for rule tests: the worked example [P01] assumes 计发基数 B = 8000."""

from pathlib import Path

P01_FACTS = {
    "birth_month": "1965-05",
    "retirement_month": "2025-05",
    "average_index": "1.2",
    "contribution_months": 480,
    "deemed_months": 118,
    "account_balance": "150000",
}

_P01_BASE_WAGE = """\
label: 河北省基本养老金计发基数（月）（[P01] 算例用）
unit: series
values:
  2006-01-01:
    value: {2025: 8000}
    reference: policy-spec §4.1 [P01] 算例（B = 8000）
    confidence: U
    illustrative: true
"""


def write_p01_params(root: Path) -> Path:
    """A parameter overlay directory giving 河北 (130000) the [P01] base wage of 8000 for 2025."""
    target = root / "130000" / "pension" / "base_wage.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_P01_BASE_WAGE, encoding="utf-8")
    return root


def published(params, *, region: str, on, through_year: int, raise_by: str = "1.05"):
    """``params`` as after the province publishes 计发基数, 社平工资 and 记账利率 up to
    ``through_year``: the missing years filled in, the 计发基数 of those years ``raise_by``
    above the latest published one (as a real publication usually is)."""
    from dataclasses import replace
    from decimal import Decimal

    from retirelink.rules.parameters import ParameterSet
    from retirelink.rules.provisional import provisional_parameters

    extended, figures = provisional_parameters(
        params, region=region, on=on, through_year=through_year
    )
    years = {figure.year for figure in figures if figure.name == "pension.base_wage"}
    base = extended.parameter("pension.base_wage", region=region)
    dated = base.at(on)
    values = {
        year: (Decimal(value) * Decimal(raise_by)).quantize(Decimal(1)) if year in years else value
        for year, value in dated.value.items()
    }
    published_value = replace(
        dated, value=values, reference="（测试）某省人社厅公布", confidence="C"
    )
    series = tuple(published_value if v is dated else v for v in base.values)
    parameters = {(item.name, item.scope): item for item in extended}
    parameters[(base.name, base.scope)] = replace(base, values=series)
    return ParameterSet(parameters)
