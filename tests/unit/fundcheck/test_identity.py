"""Identity evidence for duplicate receipt (重复领取): canonical ID numbers, name keys, and
``score_pair`` for each basis and for the pairs it must refuse.

Namesakes are the pairs to refuse above all: the same name, birth date and sex with two valid,
different ID numbers are two people (common in China), so no rule may link them.
"""

import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.fundcheck.identity import (
    FACTOR_BIRTH_DATE_DIFFERENT,
    FACTOR_NAME_DIFFERENT,
    FACTOR_SEX_DIFFERENT,
    IdentityMatch,
    MatchBasis,
    RollIdentity,
    canonical_id,
    char_key,
    id_checksum_ok,
    id_shape_ok,
    is_legacy_id,
    keying_error,
    name_key,
    score_pair,
    written_name,
)
from retirelink.rules.identifiers import id_check_character, upgrade_15_to_18

# GB 11643-1999 worked example and its 15-digit (GB 11643-1989) form.
GB11643_EXAMPLE = "11010519491231002X"
GB11643_EXAMPLE_15 = "110105491231002"
BORN = date(1949, 12, 31)
# 张丽's number (female: the 17th digit is even) and a second, valid number one day later.
ZHANG_LI = "130406195003020026"
OTHER_VALID = "130406195003020042"

digits = st.text(alphabet="0123456789", min_size=17, max_size=17)


def row(pension_id=1, id_number=ZHANG_LI, name="张丽", **overrides):
    """A resident-scheme 张丽 in 峰峰矿区, born 1950-03-02, unless told otherwise."""
    values = {
        "pension_id": pension_id,
        "id_number": id_number,
        "name": name,
        "birth_date": date(1950, 3, 2),
        "sex": "2",
        "scheme": "resident",
        "region": "130406",
    }
    return RollIdentity(**(values | overrides))


def matched(a, b) -> IdentityMatch:
    match = score_pair(a, b)
    assert match is not None
    return match


def valid(first17: str) -> str:
    return first17 + id_check_character(first17)


def test_the_fixture_numbers_are_valid_and_different():
    assert id_checksum_ok(ZHANG_LI) and id_checksum_ok(OTHER_VALID)
    assert ZHANG_LI != OTHER_VALID


# -- canonical ID numbers ---------------------------------------------------------------------


def test_the_standards_15_digit_example_becomes_its_18_character_example():
    assert canonical_id(GB11643_EXAMPLE_15) == GB11643_EXAMPLE
    assert is_legacy_id(GB11643_EXAMPLE_15) and not is_legacy_id(GB11643_EXAMPLE)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("11010519491231002x", id="lower-case-x"),
        pytest.param("  11010519491231002X\t", id="spaces-and-tab"),
        pytest.param("\u300011010519491231002X\u3000", id="ideographic-space"),
        pytest.param("'11010519491231002X", id="excel-apostrophe"),
        pytest.param("１１０１０５１９４９１２３１００２Ｘ", id="full-width"),
        pytest.param("１１０１０５１９４９１２３１００２ｘ", id="full-width-lower-x"),
        pytest.param(" 110105491231002 ", id="15-digit-with-spaces"),
    ],
)
def test_keying_variants_of_one_number_share_its_canonical_form(raw):
    assert canonical_id(raw) == GB11643_EXAMPLE
    assert id_shape_ok(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("11010519491231002", id="17-digits"),
        pytest.param("11010519491231002X1", id="19-characters"),
        pytest.param("1101051949123100", id="16-digits"),
        pytest.param("11010549123100X", id="x-ending-a-15-digit-number"),
        pytest.param("1101051949123100XX", id="x-in-the-body"),
        pytest.param("11010519491231002Y", id="letter-check"),
        pytest.param("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", id="arabic-indic-digits"),
        pytest.param("110105 19491231 002X", id="inner-spaces"),
    ],
)
def test_malformed_numbers_have_no_canonical_form(raw):
    assert canonical_id(raw) is None
    assert not id_shape_ok(raw)
    assert not id_checksum_ok(raw)


def test_a_wrong_check_character_is_kept_not_corrected_and_is_flagged():
    mistyped = GB11643_EXAMPLE[:17] + "1"
    assert canonical_id(mistyped) == mistyped
    assert id_shape_ok(mistyped)
    assert not id_checksum_ok(mistyped)
    assert id_checksum_ok(GB11643_EXAMPLE)


def test_a_legacy_number_counts_as_checked_since_its_upgrade_computes_the_check():
    assert id_checksum_ok(GB11643_EXAMPLE_15)


@given(digits.map(lambda d: d[:15]))
def test_every_15_digit_number_canonicalises_to_its_upgrade(id15):
    assert canonical_id(id15) == upgrade_15_to_18(id15)


@given(digits, st.integers(0, 17), st.integers(1, 10))
def test_mod_11_2_catches_every_single_wrong_character(first17, position, shift):
    """The keying-error rule relies on it: two valid numbers are never one character apart."""
    number = valid(first17)
    chars = "0123456789X" if position == 17 else "0123456789"
    old = chars.index(number[position])
    wrong = chars[(old + shift) % len(chars)]
    if wrong == number[position]:
        return  # shift of 10 among ten digits
    typed = number[:position] + wrong + number[position + 1 :]
    assert not id_checksum_ok(typed)
    assert keying_error(number, typed) == f"仅第{position + 1}位不同"


@given(digits, st.integers(0, 16))
def test_mod_11_2_catches_every_swap_of_two_adjacent_characters(first17, position):
    number = valid(first17)
    a, b = number[position], number[position + 1]
    if a == b:
        return
    typed = number[:position] + b + a + number[position + 2 :]
    assert not id_checksum_ok(typed)
    assert keying_error(number, typed) == f"第{position + 1}、{position + 2}位颠倒"


@pytest.mark.parametrize(
    ("x", "y"),
    [
        pytest.param("110105194912310021", "110105194912310021", id="equal"),
        pytest.param("110105194912310021", "110105194912310131", id="two-apart"),
        pytest.param("110105194912310021", "110105194912310102", id="not-a-swap"),
        pytest.param("110105194912310021", "110105194912301201", id="swap-not-adjacent"),
    ],
)
def test_more_than_one_keystroke_is_not_a_keying_error(x, y):
    assert keying_error(x, y) is None


# -- name keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("张丽", id="simplified"),
        pytest.param("張麗", id="traditional"),
        pytest.param("張丽", id="mixed"),
        pytest.param("张莉", id="homophone-莉"),
        pytest.param("张 丽", id="space"),
        pytest.param(" 张\u3000丽 ", id="ideographic-space"),
    ],
)
def test_spellings_of_zhang_li_share_one_key(name):
    assert name_key(name) == "zhang-li"


def test_homophone_and_traditional_forms_of_wei_share_a_key():
    assert name_key("刘伟") == name_key("劉偉") == name_key("刘玮") == "liu-wei"


@pytest.mark.parametrize(
    "dot",
    ["·", "・", "•", "‧", "∙", "⋅", "･", "ꞏ", "．", ".", "-", ""],
)
def test_middle_dot_variants_between_name_parts_are_dropped(dot):
    assert name_key(f"阿依古丽{dot}买买提") == "a-yi-gu-li-mai-mai-ti"


def test_full_width_latin_letters_are_made_half_width_and_lower_case():
    assert name_key("ＪＯＨＮ Smith") == name_key("john smith") == "j-o-h-n-s-m-i-t-h"


def test_heteronyms_take_one_reading_whatever_the_neighbours():
    """Per character, so 重 reads the same in 张重 and 重庆 (a phrase reading would differ)."""
    assert name_key("张重") == "zhang-" + char_key("重")
    assert name_key("重庆").split("-")[0] == char_key("重")


def test_different_names_have_different_keys():
    assert name_key("张丽") != name_key("张芳")
    assert name_key("张丽") != name_key("李丽")


def test_written_names_tell_spellings_apart_that_the_key_merges():
    assert written_name("張麗") != written_name("张丽")
    assert written_name(" 张 丽 ") == written_name("张丽")
    assert name_key("張麗") == name_key("张丽")


def test_an_empty_or_punctuation_only_name_has_an_empty_key():
    assert name_key("") == "" and name_key(" ·・ ") == ""


# -- basis labels -----------------------------------------------------------------------------


def test_every_basis_has_its_own_chinese_label():
    labels = [basis.label for basis in MatchBasis]
    assert len(set(labels)) == len(labels)
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels)
    assert MatchBasis.ID_UPGRADE.label == "15位与18位身份证号码对应"


# -- each basis -------------------------------------------------------------------------------


def test_the_same_number_in_the_employee_and_resident_schemes_is_certain():
    match = matched(row(1, scheme="employee"), row(2))
    assert (match.first, match.second, match.basis, match.score) == (1, 2, MatchBasis.EXACT_ID, 1.0)
    assert match.reasons == (
        "身份证号码相同",
        "姓名相同（拼音：zhang-li）",
        "出生日期相同：1950-03-02",
        "性别相同：女",
        "险种不同：企业职工 / 城乡居民",
        "同一领取地：130406",
    )


def test_the_same_number_twice_in_one_scheme_and_place_is_a_double_registration():
    match = matched(row(1), row(2))
    assert match.basis is MatchBasis.EXACT_ID and match.score == 1.0
    assert "同一险种同一领取地重复登记（重复参保或数据错误）" in match.reasons


def test_the_same_number_in_two_places_is_two_regions():
    match = matched(row(1), row(2, region="410102"))
    assert match.basis is MatchBasis.TWO_REGIONS and match.score == 1.0
    assert "领取地不同：130406 / 410102" in match.reasons


def test_a_15_digit_number_and_its_upgrade_correspond():
    match = matched(
        row(1, GB11643_EXAMPLE, birth_date=BORN, scheme="employee"),
        row(2, GB11643_EXAMPLE_15, birth_date=BORN),
    )
    assert match.basis is MatchBasis.ID_UPGRADE and match.score == 0.99
    assert match.reasons[0] == "15位旧身份证号码升位后与另一条的18位号码相同"


def test_two_rows_both_with_the_15_digit_number_are_the_same_number():
    match = matched(row(1, GB11643_EXAMPLE_15), row(2, GB11643_EXAMPLE_15, scheme="employee"))
    assert match.basis is MatchBasis.EXACT_ID


def test_a_recorded_change_of_number_and_name_links_the_old_row():
    """双改: the new row keeps the previous number and name; the old row still has them."""
    new = row(
        2, OTHER_VALID, "王芳", scheme="employee", previous_id_number=ZHANG_LI, previous_name="张丽"
    )
    match = matched(row(1), new)
    assert match.basis is MatchBasis.IDENTITY_CHANGE and match.score == 0.97
    assert match.reasons[:2] == (
        "一条记录的原身份证号码与另一条的现身份证号码相同（身份证号码变更）",
        "姓名不同，一条记录的原姓名与另一条的现姓名相同（拼音：zhang-li / wang-fang）",
    )


def test_a_change_of_number_alone_keeps_the_name():
    new = row(2, OTHER_VALID, previous_id_number=ZHANG_LI[:6] + ZHANG_LI[8:17])  # as 15 digits
    match = matched(new, row(1))
    assert match.basis is MatchBasis.IDENTITY_CHANGE and match.score == 0.97
    assert "姓名相同（拼音：zhang-li）" in match.reasons


def test_a_change_of_name_alone_on_one_number_is_an_identity_change_not_a_doubt():
    match = matched(row(1), row(2, name="张晓丽", previous_name="张丽"))
    assert match.basis is MatchBasis.IDENTITY_CHANGE and match.score == 1.0


def test_two_new_numbers_from_one_previous_number_are_flagged_for_a_person():
    a = row(1, OTHER_VALID, previous_id_number=ZHANG_LI)
    b = row(2, valid("13040619500302010"), previous_id_number=ZHANG_LI, scheme="employee")
    match = matched(a, b)
    assert match.basis is MatchBasis.IDENTITY_CHANGE and match.score == 0.9
    assert match.reasons[0] == "两条记录的原身份证号码相同，现身份证号码不同"


@pytest.mark.parametrize("variant", ["張麗", "张莉", "張莉"])
def test_a_name_written_differently_on_the_same_number_is_a_variant(variant):
    match = matched(row(1, scheme="employee"), row(2, name=variant))
    assert match.basis is MatchBasis.NAME_VARIANT and match.score == 0.95
    assert "姓名写法不同，拼音相同：zhang-li" in match.reasons


def test_spaces_and_dots_alone_are_not_a_different_spelling():
    match = matched(row(1, name="阿依古丽·买买提"), row(2, name="阿依古丽 买买提", region="650102"))
    assert match.basis is MatchBasis.TWO_REGIONS and match.score == 1.0


def test_one_wrong_sequence_digit_with_the_same_name_birth_date_and_sex_is_a_typo():
    typed = ZHANG_LI[:15] + "3" + ZHANG_LI[16:]  # 16th digit 2 -> 3, check character kept
    match = matched(row(1, scheme="employee"), row(2, typed))
    assert match.basis is MatchBasis.ID_TYPO and match.score == 0.85
    assert match.reasons[0] == "身份证号码仅第16位不同，一方校验码无效（疑似录入错误）"


def test_two_swapped_sequence_digits_are_a_typo():
    typed = ZHANG_LI[:15] + ZHANG_LI[16] + ZHANG_LI[15] + ZHANG_LI[17]
    match = matched(row(1, scheme="employee"), row(2, typed))
    assert match.basis is MatchBasis.ID_TYPO
    assert match.reasons[0].startswith("身份证号码第16、17位颠倒")


def test_a_wrong_check_character_alone_is_a_typo():
    match = matched(row(1, scheme="employee"), row(2, ZHANG_LI[:17] + "9"))
    assert match.basis is MatchBasis.ID_TYPO
    assert match.reasons[0].startswith("身份证号码仅第18位不同")


def test_a_typo_with_a_name_variant_is_a_little_less_sure():
    typed = ZHANG_LI[:15] + "3" + ZHANG_LI[16:]
    match = matched(row(1, scheme="employee"), row(2, typed, name="張莉"))
    assert match.basis is MatchBasis.ID_TYPO and match.score == round(0.85 * 0.95, 4)


# -- pairs that must not match ----------------------------------------------------------------


def test_namesakes_born_on_the_same_day_with_different_valid_numbers_are_two_people():
    """Same name, birth date, sex and place: two valid numbers, so two people. Never matched."""
    assert score_pair(row(1, scheme="employee"), row(2, OTHER_VALID)) is None


def test_namesakes_with_numbers_two_keystrokes_apart_are_not_matched():
    typed = ZHANG_LI[:14] + "99" + ZHANG_LI[16:]
    assert score_pair(row(1), row(2, typed)) is None


@pytest.mark.parametrize(
    "override",
    [
        pytest.param({"name": "张芳"}, id="other-name"),
        pytest.param({"name": None}, id="no-name"),
        pytest.param({"birth_date": date(1950, 3, 3)}, id="other-birth-date"),
        pytest.param({"birth_date": None}, id="no-birth-date"),
        pytest.param({"sex": "1"}, id="other-sex"),
    ],
)
def test_a_number_one_keystroke_away_needs_the_same_name_birth_date_and_sex(override):
    typed = ZHANG_LI[:15] + "3" + ZHANG_LI[16:]
    assert score_pair(row(1), row(2, typed, **override)) is None


def test_rows_without_a_well_formed_number_are_not_linked_by_name_and_birth_date():
    assert score_pair(row(1, None), row(2, None)) is None
    assert score_pair(row(1, "unknown"), row(2, "unknown")) is None


def test_a_row_is_not_a_duplicate_of_itself():
    assert score_pair(row(1), row(1)) is None


# -- scores -----------------------------------------------------------------------------------


def test_unrelated_names_on_one_number_are_still_reported_but_doubtful():
    match = matched(row(1), row(2, name="王芳", scheme="employee"))
    assert match.basis is MatchBasis.EXACT_ID and match.score == FACTOR_NAME_DIFFERENT
    assert "姓名不同（拼音：zhang-li / wang-fang），须核实是否本人" in match.reasons


def test_a_different_birth_date_or_sex_on_the_roll_weakens_the_link():
    match = matched(row(1), row(2, birth_date=date(1950, 3, 12), sex="1", scheme="employee"))
    assert match.score == round(FACTOR_BIRTH_DATE_DIFFERENT * FACTOR_SEX_DIFFERENT, 4)
    assert "出生日期不同：1950-03-02 / 1950-03-12" in match.reasons
    assert "性别不同：女 / 男" in match.reasons


def test_missing_birth_date_and_sex_neither_confirm_nor_weaken():
    match = matched(row(1, birth_date=None, sex=None), row(2, scheme="employee"))
    assert match.score == 1.0
    assert not any(r.startswith(("出生日期", "性别")) for r in match.reasons)


def test_the_order_of_the_arguments_does_not_matter():
    a = row(7, scheme="employee")
    b = row(3, name="張麗", region="410102", birth_date=date(1950, 3, 12))
    assert score_pair(a, b) == score_pair(b, a)
    assert (matched(a, b).first, matched(a, b).second) == (3, 7)


def test_reasons_carry_no_id_number_and_no_written_name():
    """Reasons are stored and shown unmasked: pinyin keys, dates and codes only."""
    new = row(2, OTHER_VALID, "王芳", previous_id_number=ZHANG_LI, previous_name="张丽")
    for match in (matched(row(1), new), matched(row(1), row(2, name="張麗"))):
        text = "".join(match.reasons)
        assert ZHANG_LI[:17] not in text and OTHER_VALID[:17] not in text
        assert not any(name in text for name in ("张丽", "張麗", "王芳"))


def test_scores_stay_within_zero_and_one():
    worst = matched(row(1), row(2, name="王芳", birth_date=date(1960, 1, 1), sex="1"))
    assert 0 < worst.score < 1
    assert replace(worst, score=1.0).score == 1.0  # frozen dataclass, replace works
