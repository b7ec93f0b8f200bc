"""Input checks that are not law: names, mobile numbers and the search box."""

import pytest

from retirelink.archives.validation import classify_query, clean_person_name, clean_phone
from retirelink.errors import InvalidInputError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张伟", ("张伟", None)),
        (" 张 ", ("张", None)),
        ("买买提·艾力", ("买买提·艾力", None)),
        ("130406", (None, "130406")),
        ("1304", (None, "1304")),
        ("13040619650312123x", (None, "13040619650312123X")),
        ("130406196503121231", (None, "130406196503121231")),
    ],
)
def test_a_query_is_either_a_name_prefix_or_an_id_prefix(
    raw: str, expected: tuple[str | None, str | None]
) -> None:
    assert classify_query(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "张" * 31,
        "123",
        "1304061965031212345",
        "Zhang",
        "' OR 1=1 --",
        "张三'; DROP TABLE persons;",
        "张%",
    ],
    ids=[
        "empty",
        "blank",
        "31-chars",
        "3-digits",
        "19-digits",
        "latin",
        "sql-or",
        "sql-drop",
        "like-wildcard",
    ],
)
def test_anything_else_in_the_search_box_is_refused_on_field_q(raw: str) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        classify_query(raw)
    assert excinfo.value.field == "q"


def test_a_query_of_exactly_30_characters_is_allowed() -> None:
    assert classify_query("张" * 30) == ("张" * 30, None)


@pytest.mark.parametrize("raw", ["张伟", "  欧阳娜娜 ", "买买提·艾力", "𠀀伟"])
def test_a_name_of_ideographs_and_middle_dots_is_accepted_and_trimmed(raw: str) -> None:
    assert clean_person_name(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["", "  ", "Zhang Wei", "张3", "·张伟", "张伟·", "张" * 31])
def test_any_other_name_is_refused_on_field_name(raw: str) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        clean_person_name(raw)
    assert excinfo.value.field == "name"


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, None), ("  ", None), (" 13812345678", "13812345678")]
)
def test_a_blank_phone_is_none_and_a_mobile_is_trimmed(
    raw: str | None, expected: str | None
) -> None:
    assert clean_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345678901", "1381234567", "138123456789", "0310-1234567"])
def test_anything_but_an_11_digit_mobile_is_refused_on_field_phone(raw: str) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        clean_phone(raw)
    assert excinfo.value.field == "phone"
