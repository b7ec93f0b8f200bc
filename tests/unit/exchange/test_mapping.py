from datetime import date
from types import MappingProxyType

import pytest

from retirelink.exchange.file_schema import RowIssue
from retirelink.exchange.mapping import (
    CodeMap,
    FieldMapping,
    FieldRule,
    MappedKind,
    MappedRecord,
    map_record,
)
from retirelink.rules.identifiers import Sex

ON = date(2025, 6, 30)
GOOD_ID = "130406195309224371"

MAPPING = FieldMapping(
    "health",
    MappingProxyType(
        {
            "id_number": FieldRule("SFZH", "公民身份号码", MappedKind.ID_NUMBER),
            "name": FieldRule("XM", "姓名", MappedKind.NAME),
            "sex": FieldRule("XB", "性别", MappedKind.SEX),
            "ethnicity": FieldRule("MZ", "民族", MappedKind.ETHNICITY),
            "death_region": FieldRule("SWDQ", "死亡地行政区划", MappedKind.REGION),
            "event_date": FieldRule("SWRQ", "死亡日期", MappedKind.DATE),
            "note": FieldRule("BZ", "备注", MappedKind.TEXT, required=False),
        }
    ),
)


def raw(**changes: str) -> dict[str, str]:
    base = {
        "SFZH": GOOD_ID,
        "XM": "张三",
        "XB": "男",
        "MZ": "汉族",
        "SWDQ": "130421",
        "SWRQ": "2025-03-01",
    }
    return base | changes


def mapped(**changes: str) -> MappedRecord:
    result = map_record(raw(**changes), MAPPING, on=ON)
    assert isinstance(result, MappedRecord), result
    return result


def problems(**changes: str) -> list[RowIssue]:
    result = map_record(raw(**changes), MAPPING, on=ON, row_number=7)
    assert isinstance(result, list)
    return result


def test_a_good_record_is_mapped_to_our_field_names() -> None:
    record = mapped()
    assert record.department == "health"
    assert record.values == {
        "id_number": GOOD_ID,
        "name": "张三",
        "sex": Sex.MALE,
        "ethnicity": "01",
        "death_region": "130421",
        "event_date": date(2025, 3, 1),
        "note": None,
    }


@pytest.mark.parametrize(
    ("code", "sex"),
    [
        ("男", Sex.MALE),
        ("女", Sex.FEMALE),
        ("m", Sex.MALE),
        ("F", Sex.FEMALE),
        ("1", Sex.MALE),
        ("2", Sex.FEMALE),
        ("未知", Sex.UNKNOWN),
        ("9", Sex.UNSPECIFIED),
    ],
)
def test_partner_sex_codes_map_to_gb_t_2261_1(code: str, sex: Sex) -> None:
    assert mapped(XB=code).values["sex"] is sex


def test_an_unknown_sex_code_is_refused_naming_the_field() -> None:
    [issue] = problems(XB="X")
    assert issue.row_number == 7
    assert issue.field == "sex"
    assert issue.value == "X"
    assert "性别（字段XB）" in issue.message_zh
    assert "GB/T 2261.1" in issue.message_zh


@pytest.mark.parametrize("code", ["汉", "汉族", "1", "01", "HA", "ha"])
def test_ethnicity_names_and_codes_map_to_gb_t_3304(code: str) -> None:
    assert mapped(MZ=code).values["ethnicity"] == "01"


def test_other_ethnicities_by_name_and_letters() -> None:
    assert mapped(MZ="维吾尔").values["ethnicity"] == "05"
    assert mapped(MZ="JN").values["ethnicity"] == "56"


@pytest.mark.parametrize("code", ["火星族", "57", "ZZ"])
def test_an_unknown_ethnicity_is_refused_naming_the_field(code: str) -> None:
    [issue] = problems(MZ=code)
    assert issue.field == "ethnicity"
    assert "民族（字段MZ）" in issue.message_zh


def test_partner_specific_codes_are_tried_first() -> None:
    rules = dict(MAPPING.fields)
    rules["sex"] = FieldRule("XB", "性别", MappedKind.SEX, codes=CodeMap("卫健性别", {"A": "1"}))
    rules["ethnicity"] = FieldRule(
        "MZ", "民族", MappedKind.ETHNICITY, codes=CodeMap("卫健民族", {"H": "1"})
    )
    result = map_record(raw(XB="a", MZ="H"), FieldMapping("health", rules), on=ON)
    assert isinstance(result, MappedRecord)
    assert result.values["sex"] is Sex.MALE
    assert result.values["ethnicity"] == "01"


def test_a_15_digit_id_is_upgraded_and_a_lower_x_upper_cased() -> None:
    assert mapped(SFZH="110105491231002").values["id_number"] == "11010519491231002X"
    assert mapped(SFZH="11010519491231002x").values["id_number"] == "11010519491231002X"


def test_an_id_with_a_wrong_check_digit_is_refused() -> None:
    [issue] = problems(SFZH="130406195309224372")
    assert issue.field == "id_number"
    assert "校验码错误" in issue.message_zh


def test_historical_region_codes_are_accepted_and_bad_ones_refused() -> None:
    assert mapped(SWDQ="130421").values["death_region"] == "130421"
    [issue] = problems(SWDQ="990000")
    assert issue.field == "death_region"
    assert "死亡地行政区划（字段SWDQ）" in issue.message_zh


def test_missing_required_fields_and_bad_dates_are_all_reported() -> None:
    issues = map_record({"SFZH": GOOD_ID, "XM": "张三", "SWRQ": "2025-02-30"}, MAPPING, on=ON)
    assert isinstance(issues, list)
    assert [issue.field for issue in issues] == ["sex", "ethnicity", "death_region", "event_date"]
    assert issues[0].message_zh == "性别（字段XB）不能为空"
