"""公民身份号码 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015) rules."""

# Expected messages are zh-CN and use full-width comma, colon and parentheses on purpose.

import dataclasses
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules.identifiers import (
    IdNumber,
    Sex,
    credit_code_check_character,
    id_check_character,
    is_valid_id_number,
    parse_credit_code,
    parse_id_number,
    upgrade_15_to_18,
)
from retirelink.rules.regions import PROVINCES

ON = date(2024, 6, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")
DIGITS = "0123456789"
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# GB 11643-1999 worked example (the standard's own sample number).
GB11643_EXAMPLE = "11010519491231002X"
# GB 32100-2015 annex worked example.
GB32100_EXAMPLE = "91350100M000100Y43"


def assert_chinese_error(error: InvalidInputError, field: str) -> None:
    assert error.field == field
    assert CJK.search(error.message), error.message


def id_error(raw: str, *, on: date = ON) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as excinfo:
        parse_id_number(raw, on=on)
    assert_chinese_error(excinfo.value, "id_number")
    return excinfo.value


def credit_error(raw: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as excinfo:
        parse_credit_code(raw)
    assert_chinese_error(excinfo.value, "credit_code")
    return excinfo.value


# --------------------------------------------------------------------------------------------
# 公民身份号码 — examples from GB 11643-1999
# --------------------------------------------------------------------------------------------


def test_the_gb_11643_worked_example_has_check_character_x() -> None:
    assert id_check_character(GB11643_EXAMPLE[:17]) == "X"


def test_the_gb_11643_worked_example_parses_into_its_parts() -> None:
    assert parse_id_number(GB11643_EXAMPLE, on=ON) == IdNumber(
        value=GB11643_EXAMPLE,
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sex=Sex.FEMALE,  # sequence code 002 is even
        upgraded_from_15=False,
    )


def test_the_gb_11643_15_digit_example_upgrades_to_the_18_digit_example() -> None:
    # GB 11643-1999 appendix: 110105491231002 (GB 11643-1989 form) -> 11010519491231002X.
    assert upgrade_15_to_18("110105491231002") == GB11643_EXAMPLE


def test_a_15_digit_number_is_parsed_as_its_upgraded_form_and_flagged() -> None:
    parsed = parse_id_number("110105491231002", on=ON)
    assert parsed.value == GB11643_EXAMPLE
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.upgraded_from_15 is True


def test_the_gb_11643_example_born_in_1880_is_accepted() -> None:
    # GB 11643-1999 example 440524188001010014: a man born 1880-01-01 (sequence 001 is odd).
    parsed = parse_id_number("440524188001010014", on=ON)
    assert parsed.birth_date == date(1880, 1, 1)
    assert parsed.sex is Sex.MALE
    assert parsed.region_code == "440524"


def test_a_lower_case_x_is_accepted_and_normalised_to_upper_case() -> None:
    assert parse_id_number("11010519491231002x", on=ON).value == GB11643_EXAMPLE


def test_surrounding_whitespace_including_the_ideographic_space_is_stripped() -> None:
    assert parse_id_number(f" \t{GB11643_EXAMPLE}\u3000\n", on=ON).value == GB11643_EXAMPLE


def test_a_retired_handan_county_code_is_still_accepted() -> None:
    # 130421 邯郸县 was abolished in 2016; IDs issued before keep the code for life.
    parsed = parse_id_number("130421196503121235", on=ON)
    assert parsed.region_code == "130421"


def test_a_taiwan_residence_permit_number_with_prefix_83_is_accepted() -> None:
    # 《港澳台居民居住证申领发放办法》: Taiwan residents' numbers start with 830000.
    assert parse_id_number("830000198001010026", on=ON).region_code == "830000"


@pytest.mark.parametrize(
    ("number", "sex"),
    [
        ("130406196503121231", Sex.MALE),  # sequence 123: 3 is odd
        ("13040619650312124X", Sex.FEMALE),  # sequence 124: 4 is even
        ("11010519491231002X", Sex.FEMALE),  # GB 11643 example, sequence 002
        ("440524188001010014", Sex.MALE),  # GB 11643 example, sequence 001
    ],
)
def test_sex_comes_from_the_parity_of_the_sequence_code(number: str, sex: Sex) -> None:
    assert parse_id_number(number, on=ON).sex is sex


def test_a_birth_date_equal_to_the_check_day_is_accepted() -> None:
    assert parse_id_number("13040620240601001X", on=date(2024, 6, 1)).birth_date == ON


def test_the_29th_of_february_is_accepted_in_a_leap_year() -> None:
    first17 = "13040620000229001"
    number = first17 + id_check_character(first17)
    assert parse_id_number(number, on=ON).birth_date == date(2000, 2, 29)


def test_is_valid_id_number_reports_true_and_false_without_raising() -> None:
    assert is_valid_id_number(GB11643_EXAMPLE, on=ON) is True
    assert is_valid_id_number("110105194912310023", on=ON) is False
    assert is_valid_id_number("", on=ON) is False


def test_a_parsed_id_number_is_immutable() -> None:
    parsed = parse_id_number(GB11643_EXAMPLE, on=ON)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.value = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# 公民身份号码 — rejections
# --------------------------------------------------------------------------------------------


def test_a_wrong_check_character_names_the_expected_and_the_actual_one() -> None:
    error = id_error("110105194912310023")
    assert error.message == "公民身份号码校验码错误：应为X，实际为3"


@pytest.mark.parametrize(
    ("raw", "length"),
    [
        ("", 0),
        ("1", 1),
        ("11010549123100", 14),
        ("1101051949123100", 16),
        ("11010519491231002", 17),
        ("11010519491231002X1", 19),
    ],
)
def test_a_number_of_the_wrong_length_is_rejected_with_its_length(raw: str, length: int) -> None:
    error = id_error(raw)
    assert error.message == f"公民身份号码应为18位（或15位旧号码），实际为{length}位"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("1101051949A231002X", id="letter-in-birth-date"),
        pytest.param("X10105194912310021", id="x-in-address-code"),
        pytest.param("11010519491231 02X", id="inner-space"),
        pytest.param("11010519491231002Y", id="check-character-not-x"),
        pytest.param("１１０１０５１９４９１２３１００２Ｘ", id="full-width-digits"),
        pytest.param("11010549123100A", id="letter-in-15-digit-number"),
        pytest.param("11010549123100X", id="x-ending-a-15-digit-number"),
    ],
)
def test_letters_or_other_characters_in_the_body_are_rejected(raw: str) -> None:
    id_error(raw)


def test_the_position_of_a_bad_character_is_named() -> None:
    assert id_error("1101051949A231002X").message == "公民身份号码第11位应为数字，实际为“A”"


def test_an_impossible_birth_date_is_rejected() -> None:
    # 1965-02-30 does not exist; the check character 0 is correct, so the date is the fault.
    error = id_error("130406196502301230")
    assert error.message == "公民身份号码中的出生日期19650230不是有效日期"


@pytest.mark.parametrize("birth", ["19000229", "19651301", "19650001", "19650100", "00000101"])
def test_other_non_calendar_dates_are_rejected(birth: str) -> None:
    first17 = f"130406{birth}123"
    error = id_error(first17 + id_check_character(first17))
    assert birth in error.message


def test_a_birth_date_after_the_check_day_is_rejected() -> None:
    error = id_error("130406203001010016", on=date(2024, 6, 1))
    assert "20300101" in error.message
    assert "晚于" in error.message


def test_a_birth_date_one_day_after_the_check_day_is_rejected() -> None:
    id_error("13040620240601001X", on=date(2024, 5, 31))


def test_a_birth_date_before_1850_is_rejected() -> None:
    error = id_error("130406184912310019")
    assert "18491231" in error.message


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("000000196503121232", id="prefix-00"),
        pytest.param("990000196503121231", id="prefix-99"),
        pytest.param("000000650312123", id="prefix-00-15-digit"),
    ],
)
def test_a_province_prefix_that_never_existed_is_rejected(raw: str) -> None:
    assert "地址码" in id_error(raw).message


def test_the_length_is_checked_before_the_characters() -> None:
    assert "实际为17位" in id_error("1101051949A231002").message


def test_the_birth_date_is_checked_before_the_check_character() -> None:
    # Both the date (1965-02-30) and the check character (9 instead of 0) are wrong.
    assert "19650230" in id_error("130406196502301239").message


def test_id_check_character_refuses_anything_but_17_digits() -> None:
    for bad in ("1101051949123100", "1101051949123100A", "110105194912310021"):
        with pytest.raises(InvalidInputError) as excinfo:
            id_check_character(bad)
        assert_chinese_error(excinfo.value, "id_number")


def test_upgrade_refuses_anything_but_15_digits() -> None:
    for bad in ("11010549123100", "11010549123100X", GB11643_EXAMPLE):
        with pytest.raises(InvalidInputError) as excinfo:
            upgrade_15_to_18(bad)
        assert_chinese_error(excinfo.value, "id_number")


@pytest.mark.parametrize(
    ("sex", "label"),
    [
        (Sex.UNKNOWN, "未知的性别"),
        (Sex.MALE, "男"),
        (Sex.FEMALE, "女"),
        (Sex.UNSPECIFIED, "未说明的性别"),
    ],
)
def test_each_gb_t_2261_sex_code_has_its_chinese_label(sex: Sex, label: str) -> None:
    assert sex.label == label


def test_sex_codes_are_the_gb_t_2261_digits() -> None:
    assert [s.value for s in Sex] == ["0", "1", "2", "9"]


# --------------------------------------------------------------------------------------------
# 公民身份号码 — properties
# --------------------------------------------------------------------------------------------

birth_dates = st.dates(min_value=date(1850, 1, 1), max_value=ON)


@st.composite
def valid_id_numbers(draw: st.DrawFn) -> tuple[str, date]:
    prefix = draw(st.sampled_from(sorted(PROVINCES)))
    rest_of_address = draw(st.text(DIGITS, min_size=4, max_size=4))
    born = draw(birth_dates)
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    first17 = f"{prefix}{rest_of_address}{born:%Y%m%d}{sequence}"
    return first17 + id_check_character(first17), born


@settings(database=None)
@given(valid_id_numbers())
def test_any_17_digits_with_a_valid_date_and_computed_check_character_parse_back(
    case: tuple[str, date],
) -> None:
    number, born = case
    parsed = parse_id_number(number, on=ON)
    assert parsed.value == number
    assert parsed.region_code == number[:6]
    assert parsed.birth_date == born
    assert parsed.sex is (Sex.MALE if int(number[16]) % 2 else Sex.FEMALE)
    assert parsed.upgraded_from_15 is False


@settings(database=None)
@given(valid_id_numbers(), st.data())
def test_changing_any_single_character_of_a_valid_number_makes_it_invalid(
    case: tuple[str, date], data: st.DataObject
) -> None:
    number, _ = case
    position = data.draw(st.integers(min_value=0, max_value=17))
    alphabet = DIGITS + "X" if position == 17 else DIGITS
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != number[position]))
    mutated = number[:position] + replacement + number[position + 1 :]
    assert not is_valid_id_number(mutated, on=ON)


@settings(database=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), st.data())
def test_any_valid_15_digit_number_upgrades_and_keeps_its_birth_date(
    born: date, data: st.DataObject
) -> None:
    prefix = data.draw(st.sampled_from(sorted(PROVINCES)))
    tail = data.draw(st.text(DIGITS, min_size=7, max_size=7))
    id15 = f"{prefix}{tail[:4]}{born:%y%m%d}{tail[4:]}"
    parsed = parse_id_number(id15, on=ON)
    assert parsed.birth_date == born
    assert parsed.value[:6] + parsed.value[8:17] == id15
    assert parsed.upgraded_from_15 is True


# --------------------------------------------------------------------------------------------
# 统一社会信用代码 — GB 32100-2015
# --------------------------------------------------------------------------------------------


def reference_credit_check(first17: str) -> str:
    """The GB 32100-2015 formula written out independently of the module under test."""
    total = sum(CREDIT_CHARSET.index(c) * (3**i % 31) for i, c in enumerate(first17))
    c18 = 31 - total % 31
    return CREDIT_CHARSET[0 if c18 == 31 else c18]


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(GB32100_EXAMPLE, id="gb-32100-annex-example"),
        pytest.param("91110108551385082Q", id="published-enterprise-code"),
        pytest.param("11100000000013127D", id="central-organ-region-100000"),
        pytest.param("91130400MA00000250", id="check-value-31-maps-to-0"),
    ],
)
def test_known_valid_credit_codes_pass(code: str) -> None:
    assert reference_credit_check(code[:17]) == code[17]
    assert credit_code_check_character(code[:17]) == code[17]
    assert parse_credit_code(code) == code


def test_a_credit_code_is_stripped_and_upper_cased() -> None:
    assert parse_credit_code("  91350100m000100y43\n") == GB32100_EXAMPLE


@settings(database=None)
@given(st.text(CREDIT_CHARSET, min_size=17, max_size=17))
def test_the_check_character_matches_an_independent_reading_of_the_formula(
    first17: str,
) -> None:
    assert credit_code_check_character(first17) == reference_credit_check(first17)


def test_every_one_character_change_to_the_annex_example_is_caught() -> None:
    for position, original in enumerate(GB32100_EXAMPLE):
        for replacement in CREDIT_CHARSET.replace(original, ""):
            mutated = GB32100_EXAMPLE[:position] + replacement + GB32100_EXAMPLE[position + 1 :]
            with pytest.raises(InvalidInputError) as excinfo:
                parse_credit_code(mutated)
            assert_chinese_error(excinfo.value, "credit_code")


def test_a_wrong_credit_check_character_names_expected_and_actual() -> None:
    error = credit_error("91350100M000100Y44")
    assert error.message == "统一社会信用代码校验码错误：应为3，实际为4"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_the_forbidden_letters_are_rejected(letter: str) -> None:
    mutated = GB32100_EXAMPLE[:9] + letter + GB32100_EXAMPLE[10:]
    error = credit_error(mutated)
    assert f"“{letter}”" in error.message
    assert "第10位" in error.message


@pytest.mark.parametrize("letter", ["i", "o", "z", "s", "v"])
def test_the_forbidden_letters_are_rejected_in_lower_case_too(letter: str) -> None:
    credit_error(GB32100_EXAMPLE[:12] + letter + GB32100_EXAMPLE[13:])


@pytest.mark.parametrize(
    "raw",
    ["", "91350100M000100Y4", "91350100M000100Y431", "91350100-000100Y43", "9135０100M000100Y43"],
)
def test_a_credit_code_of_the_wrong_length_or_characters_is_rejected(raw: str) -> None:
    credit_error(raw)


@pytest.mark.parametrize("authority", ["0", "B", "C", "M", "X"])
def test_an_unassigned_registration_authority_code_is_rejected(authority: str) -> None:
    first17 = authority + GB32100_EXAMPLE[1:17]
    error = credit_error(first17 + reference_credit_check(first17))
    assert "登记管理部门" in error.message


@pytest.mark.parametrize("prefix", ["94", "99", "1A", "Y2", "A2", "N4", "10"])
def test_a_kind_code_outside_the_authority_s_table_is_rejected(prefix: str) -> None:
    first17 = prefix + GB32100_EXAMPLE[2:17]
    error = credit_error(first17 + reference_credit_check(first17))
    assert "机构类别" in error.message


# Every (登记管理部门, 机构类别) pair of the GB 32100 assignment table.
ASSIGNED_PAIRS = [
    *("11", "12", "13", "19"),  # 机构编制
    *("21", "29"),  # 外交
    *("31", "32", "33", "34", "35", "39"),  # 司法行政
    *("41", "49"),  # 文化
    *("51", "52", "53", "59"),  # 民政
    *("61", "62", "69"),  # 旅游
    *("71", "72", "79"),  # 宗教
    *("81", "89"),  # 工会
    *("91", "92", "93"),  # 工商
    *("A1", "A9"),  # 中央军委改革和编制办公室
    *("N1", "N2", "N3", "N9"),  # 农业
    "Y1",  # 其他
]


@pytest.mark.parametrize("prefix", ASSIGNED_PAIRS)
def test_every_assigned_authority_and_kind_pair_is_accepted(prefix: str) -> None:
    first17 = prefix + GB32100_EXAMPLE[2:17]
    code = first17 + reference_credit_check(first17)
    assert parse_credit_code(code) == code


def test_the_region_part_of_a_credit_code_must_be_digits() -> None:
    first17 = "91A50100M000100Y4"
    error = credit_error(first17 + reference_credit_check(first17))
    assert "行政区划码" in error.message


def test_credit_code_check_character_refuses_bad_input() -> None:
    for bad in ("91350100M000100Y", "91350100M000100YI", "91350100M000100Y43"):
        with pytest.raises(InvalidInputError) as excinfo:
            credit_code_check_character(bad)
        assert_chinese_error(excinfo.value, "credit_code")
