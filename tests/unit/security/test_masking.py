"""Masking of ID numbers, names and phone numbers for roles that see data masked."""

import pytest

from retirelink.security.masking import mask_id_number, mask_name, mask_phone


def test_an_18_character_id_keeps_the_region_and_the_last_four() -> None:
    assert mask_id_number("13040619650312123X") == "130406********123X"


def test_a_15_digit_id_keeps_the_region_and_the_last_four() -> None:
    assert mask_id_number("130406650312123") == "130406*****2123"


def test_a_too_short_id_is_masked_completely() -> None:
    assert mask_id_number("130406") == "******"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张伟", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("李", "李"),
        ("买买提·艾力", "买*****"),
    ],
)
def test_a_name_keeps_only_the_surname(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_a_mobile_number_keeps_the_first_three_and_last_four_digits() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_a_too_short_phone_is_masked_completely() -> None:
    assert mask_phone("12345") == "*****"
