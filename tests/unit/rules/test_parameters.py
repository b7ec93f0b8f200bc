"""Parameter files: lookup by date and region, and validation that names the file and date."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from retirelink.errors import InvalidInputError
from retirelink.rules.parameters import ParameterFileError, load_parameters


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


RATE = """
label: 过渡系数
unit: rate
values:
  2006-01-01: {value: 0.012, reference: 某省文件第三条, confidence: S}
  2020-01-01:
    {value: 0.013, reference: 某省文件（2019修订）第三条, confidence: U, illustrative: true}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path, "national/pension/transition_coefficient.yaml", RATE)
    write(tmp_path, "130000/pension/transition_coefficient.yaml", RATE.replace("0.013", "0.014"))
    return tmp_path


def test_the_value_in_force_is_the_latest_not_after_the_date(root):
    params = load_parameters(root)

    assert params.value("pension.transition_coefficient", date(2019, 12, 31)) == Decimal("0.012")
    assert params.value("pension.transition_coefficient", date(2020, 1, 1)) == Decimal("0.013")


def test_a_county_falls_back_to_its_province_before_the_national_value(root):
    params = load_parameters(root)

    found = params.get("pension.transition_coefficient", date(2025, 1, 1), region="130406")

    assert found.value == Decimal("0.014")
    assert found.illustrative is True
    assert found.reference == "某省文件（2019修订）第三条"


def test_a_date_before_the_first_value_is_an_error_not_a_default(root):
    params = load_parameters(root)

    with pytest.raises(InvalidInputError, match="尚未生效"):
        params.value("pension.transition_coefficient", date(2005, 12, 31))


def test_an_unknown_parameter_is_named(root):
    with pytest.raises(InvalidInputError, match=r"pension\.nothing"):
        load_parameters(root).value("pension.nothing", date(2025, 1, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (RATE.replace("reference: 某省文件第三条, ", ""), "2006-01-01的取值缺少依据"),
        (RATE.replace("confidence: S", "confidence: maybe"), "可信度"),
        (RATE.replace("unit: rate", "unit: furlongs"), "单位"),
        (RATE.replace("2020-01-01", "2001-01-01"), "未按时间顺序"),
        (RATE.replace("label: 过渡系数\n", ""), "缺少“label”"),
        (RATE.replace("value: 0.012", "value: abc"), "应为数值"),
        ("label: x\nunit: rate\n", "缺少取值"),
        ("[1, 2", "不是有效的 YAML"),
    ],
)
def test_a_broken_file_is_refused_naming_the_file(tmp_path, text, message):
    write(tmp_path, "national/pension/broken.yaml", text)

    with pytest.raises(ParameterFileError) as excinfo:
        load_parameters(tmp_path)

    assert message in excinfo.value.message
    assert "national/pension/broken.yaml" in excinfo.value.message


def test_a_yearly_series_with_a_missing_year_is_refused(tmp_path):
    write(
        tmp_path,
        "130000/pension/base_wage.yaml",
        """
label: 计发基数
unit: series
values:
  2020-01-01:
    value: {2018: 5000, 2019: 5300, 2021: 6000}
    reference: 冀人社（示例）
    confidence: U
""",
    )

    with pytest.raises(ParameterFileError, match=r"缺少年份：\[2020\]"):
        load_parameters(tmp_path)


def test_the_shipped_parameters_load_and_every_value_cites_a_reference():
    params = load_parameters()

    assert len(params) >= 1
    for parameter in params:
        for dated in parameter.values:
            assert dated.reference and dated.confidence in {"C", "S", "U"}


def test_the_shipped_payout_months_match_the_annex_of_guofa_2005_38():
    table = load_parameters().value("pension.payout_months", date(2025, 1, 1))

    # 国发〔2005〕38号附件 (policy-spec §4.2): the values calculators most often get wrong.
    assert (table[47], table[60], table[66], table[70]) == (208, 139, 93, 56)


TRANSITIONAL_FORMULA = """
label: 过渡性养老金计发公式
unit: choice
choices: [indexed_wage_deemed_years]
values:
  2006-01-01: {value: base_deemed_years, reference: 某省过渡办法, confidence: U}
"""


def test_a_transitional_form_not_among_the_choices_is_refused_by_the_loader(tmp_path):
    write(tmp_path, "130000/pension/transitional_formula.yaml", TRANSITIONAL_FORMULA)

    with pytest.raises(ParameterFileError) as excinfo:
        load_parameters(tmp_path)

    assert "“base_deemed_years”不在可选值['indexed_wage_deemed_years']中" in excinfo.value.message
    assert "130000/pension/transitional_formula.yaml中2006-01-01的取值" in excinfo.value.message


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("pension.rounding_order", "components_then_sum"),
        ("pension.transitional_formula", "indexed_wage_deemed_years"),
        ("account.retirement_year_interest", "pro_rata_to_retirement_month"),
        ("retirement_age.notice_reference_day", "first_day_of_month"),
    ],
)
def test_each_unconfirmed_convention_is_a_dated_national_choice_with_todays_default(name, default):
    parameter = load_parameters().parameter(name)

    assert (parameter.scope, parameter.unit) == ("national", "choice")
    assert parameter.values[-1].value == default
    assert parameter.values[-1].confidence == "U"
    assert "policy-spec §" in parameter.values[-1].reference


def test_every_shipped_note_is_written_for_users_in_chinese():
    # Notes appear in every explanation that cites the value (DatedValue.citation).
    for parameter in load_parameters():
        for dated in parameter.values:
            if dated.note:
                assert any("\u4e00" <= char <= "\u9fff" for char in dated.note), parameter.name
