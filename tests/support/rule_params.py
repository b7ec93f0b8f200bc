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
