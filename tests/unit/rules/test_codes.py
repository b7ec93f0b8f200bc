"""Code tables: GB/T 2260 行政区划代码 and GB/T 3304-1991 民族代码."""

import re

import pytest

from retirelink.errors import InvalidInputError
from retirelink.rules.ethnicity import ETHNICITIES, ethnicity_name, validate_ethnicity_code
from retirelink.rules.regions import (
    PROVINCES,
    REGIONS,
    Region,
    find_region,
    region_name,
    validate_region_code,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_chinese_error(error: InvalidInputError, field: str) -> None:
    assert error.field == field
    assert CJK.search(error.message), error.message


# --------------------------------------------------------------------------------------------
# GB/T 2260
# --------------------------------------------------------------------------------------------


def test_all_34_provincial_divisions_are_listed() -> None:
    assert len(PROVINCES) == 34
    assert PROVINCES["11"] == "北京市"
    assert PROVINCES["13"] == "河北省"
    assert PROVINCES["71"] == "台湾省"
    assert PROVINCES["81"] == "香港特别行政区"
    assert PROVINCES["82"] == "澳门特别行政区"


def test_every_province_has_its_xx0000_row_in_the_region_table() -> None:
    for prefix, name in PROVINCES.items():
        assert REGIONS[prefix + "0000"] == name


def test_every_region_code_is_six_digits_under_a_known_province() -> None:
    for code in REGIONS:
        assert re.fullmatch(r"\d{6}", code)
        assert code[:2] in PROVINCES


# GB/T 2260 (current edition): 邯郸市 and every district and county under it.
HANDAN_CURRENT = {
    "130400": "邯郸市",
    "130402": "邯山区",
    "130403": "丛台区",
    "130404": "复兴区",
    "130406": "峰峰矿区",
    "130407": "肥乡区",
    "130408": "永年区",
    "130423": "临漳县",
    "130424": "成安县",
    "130425": "大名县",
    "130426": "涉县",
    "130427": "磁县",
    "130430": "邱县",
    "130431": "鸡泽县",
    "130432": "广平县",
    "130433": "馆陶县",
    "130434": "魏县",
    "130435": "曲周县",
    "130481": "武安市",
}
# Retired by the 2016 adjustment of 邯郸市.
HANDAN_HISTORICAL = {"130421": "邯郸县", "130428": "肥乡县", "130429": "永年县"}


@pytest.mark.parametrize(("code", "name"), sorted(HANDAN_CURRENT.items()))
def test_each_current_handan_code_is_known_and_current(code: str, name: str) -> None:
    assert find_region(code) == Region(code, name, historical=False)


@pytest.mark.parametrize(("code", "name"), sorted(HANDAN_HISTORICAL.items()))
def test_each_retired_handan_code_is_known_and_marked_historical(code: str, name: str) -> None:
    assert find_region(code) == Region(code, name, historical=True)
    assert region_name(code) == name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("110000", "北京市"),
        ("110105", "朝阳区"),
        ("130000", "河北省"),
        ("130100", "石家庄市"),
        ("130102", "长安区"),
    ],
)
def test_other_well_known_codes_have_their_names(code: str, name: str) -> None:
    assert region_name(code) == name


def test_an_unknown_code_has_no_name() -> None:
    assert region_name("130499") is None
    assert find_region("130499") is None


@pytest.mark.parametrize(("raw", "code"), [("130421", "130421"), (" 130406 ", "130406")])
def test_a_region_code_with_a_known_province_is_accepted(raw: str, code: str) -> None:
    assert validate_region_code(raw) == code


def test_a_plausible_code_missing_from_the_partial_table_is_accepted() -> None:
    assert validate_region_code("130499") == "130499"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("13040", id="five-digits"),
        pytest.param("1304061", id="seven-digits"),
        pytest.param("13040A", id="letter"),
        pytest.param("\uff11\uff13\uff10\uff14\uff10\uff16", id="full-width-digits"),
        pytest.param("000000", id="prefix-00"),
        pytest.param("990000", id="prefix-99"),
        pytest.param("830000", id="residence-permit-prefix-is-not-gb-t-2260"),
    ],
)
def test_a_malformed_or_unknown_province_region_code_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        validate_region_code(raw)
    assert_chinese_error(excinfo.value, "region_code")


# --------------------------------------------------------------------------------------------
# GB/T 3304-1991
# --------------------------------------------------------------------------------------------


def test_the_table_holds_exactly_codes_01_to_56_with_distinct_names() -> None:
    assert list(ETHNICITIES) == [f"{n:02d}" for n in range(1, 57)]
    assert len(set(ETHNICITIES.values())) == 56


@pytest.mark.parametrize(
    ("code", "name"),
    [("01", "汉族"), ("02", "蒙古族"), ("46", "德昂族"), ("56", "基诺族")],
)
def test_gb_t_3304_codes_map_to_their_names(code: str, name: str) -> None:
    assert ethnicity_name(code) == name


@pytest.mark.parametrize(("raw", "code"), [("1", "01"), ("01", "01"), (" 46 ", "46"), ("56", "56")])
def test_an_ethnicity_code_is_normalised_to_two_digits(raw: str, code: str) -> None:
    assert validate_ethnicity_code(raw) == code


def test_a_single_digit_code_also_resolves_to_its_name() -> None:
    assert ethnicity_name("1") == "汉族"


@pytest.mark.parametrize("raw", ["57", "00", "0", "", "97", "001", "ab", "1a", "\uff10\uff11"])
def test_an_ethnicity_code_outside_01_to_56_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        validate_ethnicity_code(raw)
    assert_chinese_error(excinfo.value, "ethnicity")


def test_looking_up_the_name_of_an_unknown_code_raises() -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        ethnicity_name("57")
    assert_chinese_error(excinfo.value, "ethnicity")
