"""Dates as Chinese paper records write them: every style read back into a FuzzyDate."""

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.archives.chinese_dates import (
    find_dates,
    parse_chinese_date,
    read_chinese_date,
    resolve_two_digit_year,
    scan_dates,
)
from retirelink.archives.holdings import DatePrecision, FuzzyDate

REFERENCE = 2026
DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR


def fuzzy(year: int, month: int = 1, day: int = 1, precision: DatePrecision = DAY) -> FuzzyDate:
    return FuzzyDate(date(year, month, day), precision)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1965.3", fuzzy(1965, 3, precision=MONTH)),
        ("1965.03.15", fuzzy(1965, 3, 15)),
        ("1965-03-15", fuzzy(1965, 3, 15)),
        ("1965/3/15", fuzzy(1965, 3, 15)),
        ("1965·3", fuzzy(1965, 3, precision=MONTH)),
        ("1965年3月", fuzzy(1965, 3, precision=MONTH)),
        ("1965年3月15日", fuzzy(1965, 3, 15)),
        ("1965年3月15号", fuzzy(1965, 3, 15)),
        ("1965年3月份", fuzzy(1965, 3, precision=MONTH)),
        ("1965年", fuzzy(1965, precision=YEAR)),
        ("1965", fuzzy(1965, precision=YEAR)),
        ("65年3月", fuzzy(1965, 3, precision=MONTH)),
        ("一九六五年三月", fuzzy(1965, 3, precision=MONTH)),
        ("一九六五年三月十五日", fuzzy(1965, 3, 15)),
        ("一九六五年", fuzzy(1965, precision=YEAR)),
        ("六五年三月", fuzzy(1965, 3, precision=MONTH)),
        ("1965年元月", fuzzy(1965, 1, precision=MONTH)),
        ("１９６５．３", fuzzy(1965, 3, precision=MONTH)),
        ("１９６５年３月１５日", fuzzy(1965, 3, 15)),
        ("一九六〇年十月", fuzzy(1960, 10, precision=MONTH)),
        ("一九六零年十月", fuzzy(1960, 10, precision=MONTH)),
        ("一九六○年十月", fuzzy(1960, 10, precision=MONTH)),
        ("二〇〇一年十月二十日", fuzzy(2001, 10, 20)),
        ("一九六五年三月廿日", fuzzy(1965, 3, 20)),
        ("一九六五年三月廿五日", fuzzy(1965, 3, 25)),
        ("一九六五年三月卅日", fuzzy(1965, 3, 30)),
        ("一九六五年十二月卅一日", fuzzy(1965, 12, 31)),
        ("一九六五年十二月三十一日", fuzzy(1965, 12, 31)),
        ("一九六五年三月十日", fuzzy(1965, 3, 10)),
        ("1965 年 3 月", fuzzy(1965, 3, precision=MONTH)),
        ("1 9 6 5年3月", None),  # spaces inside an Arabic number are not read
        ("一 九 六 五 年 三 月", fuzzy(1965, 3, precision=MONTH)),
        ("1965 . 3 . 15", fuzzy(1965, 3, 15)),
        ("  1965.3。", fuzzy(1965, 3, precision=MONTH)),
        ("一九六〇年二月廿九日", fuzzy(1960, 2, 29)),  # 1960 was a leap year
    ],
)
def test_every_style_of_paper_record_reads_into_the_first_day_of_its_period(text, expected):
    assert parse_chinese_date(text, reference_year=REFERENCE) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1965年2月30日", "1965年2月没有“30”日"),
        ("1965年2月29日", "1965年2月没有“29”日"),  # 1965 was not a leap year
        ("一九六五年二月卅日", "1965年2月没有“卅”日"),
        ("1965年13月", "月份“13”不存在"),
        ("1965.13", "月份“13”不存在"),
        ("1965.0", "月份“0”不存在"),
        ("1965年4月31日", "1965年4月没有“31”日"),
        ("1234.5", "年份不合理"),
        ("张三", "无法识别为日期"),
    ],
)
def test_an_impossible_date_is_not_a_date_and_says_why(text, reason):
    reading = read_chinese_date(text, reference_year=REFERENCE)
    assert reading.date is None
    assert reading.reason == reason
    assert parse_chinese_date(text, reference_year=REFERENCE) is None


@pytest.mark.parametrize(
    "text",
    [
        "1965年正月",
        "一九六五年正月十五",
        "1965年腊月",
        "1965年冬月初八日",
        "一九六五年三月初五",
        "1965年闰四月",
        "农历1965年3月15日",
        "1965年3月15日（农历）",
        "阴历一九六五年三月十五日",
    ],
)
def test_a_lunar_date_is_flagged_and_never_converted_to_the_gregorian_calendar(text):
    reading = read_chinese_date(text, reference_year=REFERENCE)
    assert (reading.date, reading.lunar) == (None, True)
    assert "农历" in reading.reason
    assert parse_chinese_date(text, reference_year=REFERENCE) is None


@pytest.mark.parametrize(
    ("two_digits", "reference_year", "year"),
    [(65, 2026, 1965), (26, 2026, 2026), (27, 2026, 1927), (0, 2026, 2000), (85, 1983, 1885)],
)
def test_a_two_digit_year_is_the_latest_year_not_after_the_reference_year(
    two_digits, reference_year, year
):
    assert resolve_two_digit_year(two_digits, reference_year=reference_year) == year


def test_a_two_digit_year_follows_the_year_the_material_was_formed():
    # A 1990 form's 08年 is 1908, the latest such year before the form was written.
    assert parse_chinese_date("08年3月", reference_year=1990) == fuzzy(1908, 3, precision=MONTH)
    assert parse_chinese_date("08年3月", reference_year=2026) == fuzzy(2008, 3, precision=MONTH)


def test_find_dates_reads_every_date_of_a_line_with_spans_into_the_original_text():
    line = "张三，１９６５．３出生，1980年3月至1995年6月在峰峰矿务局井下采煤，六五年三月"
    found = find_dates(line, reference_year=REFERENCE)
    assert [match.text for match in found] == [
        "１９６５．３",
        "1980年3月",
        "1995年6月",
        "六五年三月",
    ]
    assert all(line[match.span[0] : match.span[1]] == match.text for match in found)
    assert [str(match.date) for match in found] == [
        "1965年3月",
        "1980年3月",
        "1995年6月",
        "1965年3月",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "连续工龄25年",  # a two-digit year counts in running text only with a month
        "工作了三五年",
        "工龄25年3个月",
        "公民身份号码130406196503121231",  # no date inside an ID number
        "工资54.5元",
        "1 9 6 5",
        "二十年来",
    ],
)
def test_numbers_that_are_not_dates_are_not_found(line):
    assert find_dates(line, reference_year=REFERENCE) == []


def test_a_period_written_with_a_dash_gives_both_dates():
    found = find_dates("1983.07—1985.03 峰峰矿务局羊渠河矿 技术员", reference_year=REFERENCE)
    assert [str(match.date) for match in found] == ["1983年7月", "1985年3月"]


def test_scan_dates_keeps_the_refused_ones_with_their_reason():
    readings = scan_dates("出生1965年2月30日，农历1965年正月", reference_year=REFERENCE)
    assert [(reading.text, reading.date, reading.lunar) for reading in readings] == [
        ("1965年2月30日", None, False),
        ("1965年正月", None, True),
    ]
    assert find_dates("出生1965年2月30日", reference_year=REFERENCE) == []


# ------------------------------------------------------------------------ property tests

_CN = "〇一二三四五六七八九"
_ZEROS = ("〇", "零", "○")


def _cn_digits(number: int, zero: str) -> str:
    return "".join(zero if char == "0" else _CN[int(char)] for char in str(number))


def _cn_number(value: int, *, nian: bool) -> str:
    """1–31 in words: 三, 十, 十五, 二十 (or 廿), 二十一 (廿一), 三十 (卅), 三十一 (卅一)."""
    tens, units = divmod(value, 10)
    unit = _CN[units] if units else ""
    if tens == 0:
        return _CN[units]
    if tens == 1:
        return "十" + unit
    if nian:
        return ("廿" if tens == 2 else "卅") + unit
    return _CN[tens] + "十" + unit


def _full_width(text: str) -> str:
    return "".join(
        chr(ord(char) + 0xFEE0) if char.isdigit() or char == "." else char for char in text
    )


def _numeric(sep: str, pad: bool) -> Callable[[date, DatePrecision], str]:
    def form(day: date, precision: DatePrecision) -> str:
        month = f"{day.month:02d}" if pad else str(day.month)
        text = f"{day.year}{sep}{month}"
        if precision is DAY:
            text += f"{sep}{day.day:02d}" if pad else f"{sep}{day.day}"
        return text

    return form


def _marked(*, two_digit: bool = False, space: str = "") -> Callable[[date, DatePrecision], str]:
    def form(day: date, precision: DatePrecision) -> str:
        year = f"{day.year % 100:02d}" if two_digit else str(day.year)
        text = f"{year}{space}年"
        if precision is not YEAR:
            text += f"{space}{day.month}{space}月"
        if precision is DAY:
            text += f"{space}{day.day}{space}日"
        return text

    return form


def _chinese(
    *, zero: str, nian: bool, two_digit: bool = False, space: str = ""
) -> Callable[[date, DatePrecision], str]:
    def form(day: date, precision: DatePrecision) -> str:
        year = _cn_digits(day.year, zero)
        if two_digit:
            year = year[-2:]
        text = space.join(year) + f"{space}年"
        if precision is not YEAR:
            text += f"{space}{_cn_number(day.month, nian=False)}{space}月"
        if precision is DAY:
            text += f"{space}{_cn_number(day.day, nian=nian)}{space}日"
        return text

    return form


# (name, formatter, least precision it writes, two-digit year)
STYLES: list[tuple[str, Callable[[date, DatePrecision], str], DatePrecision, bool]] = [
    ("dotted", _numeric(".", False), MONTH, False),
    ("dotted, padded", _numeric(".", True), MONTH, False),
    ("dashed", _numeric("-", True), MONTH, False),
    ("slashed", _numeric("/", False), MONTH, False),
    ("年月日", _marked(), YEAR, False),
    ("年月日 with OCR spaces", _marked(space=" "), YEAR, False),
    ("two-digit 年月日", _marked(two_digit=True), MONTH, True),
    ("full-width dotted", lambda d, p: _full_width(_numeric(".", False)(d, p)), MONTH, False),
    ("full-width 年月日", lambda d, p: _full_width(_marked()(d, p)), YEAR, False),
    *[
        (f"汉字 {zero} nian={nian}", _chinese(zero=zero, nian=nian), YEAR, False)
        for zero in _ZEROS
        for nian in (False, True)
    ],
    ("汉字 with OCR spaces", _chinese(zero="〇", nian=False, space=" "), YEAR, False),
    ("two-digit 汉字", _chinese(zero="〇", nian=True, two_digit=True), MONTH, True),
]
_ORDER = {YEAR: 0, MONTH: 1, DAY: 2}


@st.composite
def written_dates(draw):
    name, form, least, two_digit = draw(st.sampled_from(STYLES))
    lowest = date(REFERENCE - 99, 1, 1) if two_digit else date(1880, 1, 1)
    day = draw(st.dates(min_value=lowest, max_value=date(REFERENCE, 12, 31)))
    precision = draw(st.sampled_from([p for p in (YEAR, MONTH, DAY) if _ORDER[p] >= _ORDER[least]]))
    first = {
        YEAR: date(day.year, 1, 1),
        MONTH: date(day.year, day.month, 1),
        DAY: day,
    }[precision]
    return name, form(day, precision), FuzzyDate(first, precision)


@given(written_dates())
def test_a_valid_date_written_in_any_style_parses_back(written):
    name, text, expected = written
    assert parse_chinese_date(text, reference_year=REFERENCE) == expected, name


@given(
    written_dates(),
    st.sampled_from(["于", "出生年月：", "张三 ", ""]),
    st.sampled_from(["参加工作", " 男", "，", ""]),
)
def test_a_valid_date_in_a_line_is_found_once_with_its_span(written, before, after):
    name, text, expected = written
    line = before + text + after
    found = find_dates(line, reference_year=REFERENCE)
    assert [(match.date, match.span, match.text) for match in found] == [
        (expected, (len(before), len(before) + len(text)), text)
    ], name
