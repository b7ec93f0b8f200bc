"""Dates as Chinese paper records write them, read into ``FuzzyDate``.

Old personnel archives state dates in many hands: ``1965.3``, ``1965-03-15``, ``1965/3/15``,
``1965年3月``, ``65年3月``, ``一九六五年三月十五日``, ``六五年三月``, ``1965年元月``, with
full-width digits (``１９６５．３``), ``〇``/``零``/``○`` for zero, ``廿``/``卅`` for twenty and
thirty, and the spaces OCR inserts (``1965 年 3 月``). The value of the result is the first day
of the stated period; its precision says how much was stated (DAY, MONTH or YEAR).

Rules, each one a decision a reviewer can look up here:

* **Two-digit years** (``65年3月``, ``六五年三月``) resolve to the latest year not after
  ``reference_year`` that ends in those digits: with ``reference_year=2026``, ``65`` → 1965,
  ``26`` → 2026, ``27`` → 1927. Records state past events, so pass the year the material was
  formed (形成时间) when it is known, otherwise the current year from the injected clock. In
  running text (``find_dates``) a two-digit year counts only with a month, so ``工龄25年`` is
  not a date.
* **元月** is January. **Lunar dates are not converted**: 正月, 冬月, 腊月, 闰…月, days
  written 初一…初十, and dates marked 农历/阴历/旧历 are refused (no ``FuzzyDate``); the
  reading is flagged ``lunar`` with a 中文 reason so a reviewer converts it by hand.
* **Impossible dates** (1965年2月30日, 13月) are not dates: ``parse_chinese_date`` returns
  None and ``read_chinese_date`` / ``scan_dates`` give the 中文 reason.
* **Years** outside 1850–2150 are not dates (a decimal like ``1234.56`` is not 1234年).
* Numbers with separators (``1965.3``, ``1965-03-15``, ``1965/3/15``, ``1965·3``) need a
  four-digit year; a bare year (``1965``) is a date only when it is the whole text given to
  ``parse_chinese_date`` (a form's value cell), never inside a line.

Pure: no I/O, no clock.
"""

import re
from dataclasses import dataclass
from datetime import date

from retirelink.archives.holdings import DatePrecision, FuzzyDate

MIN_YEAR = 1850
MAX_YEAR = 2150

# One character for one character, so spans in the normalised text are spans in the original.
_NORMALISE = str.maketrans(
    {
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
        "．": ".",
        "。": ".",
        "·": ".",
        "・": ".",
        "／": "/",
        "－": "-",
        "—": "-",
        "–": "-",
        "　": " ",
        "\t": " ",
    }
)

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "◯": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CND = "".join(_CN_DIGITS)
_CN_NONZERO = "".join(char for char, value in _CN_DIGITS.items() if value)
_CNN = _CND + "十拾廿卅"
_S = r"[ ]*"  # OCR spaces between tokens (after normalisation every blank is a space)
_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}
_LUNAR_BEFORE = re.compile(r"(?:农历|阴历|旧历)[ ：:]*$")
_LUNAR_AFTER = re.compile(r"[ ]*[（(]?[ ]*(?:农历|阴历|旧历)")

_YEAR_AR = r"(?<![0-9])(?P<y>[0-9]{4}|[0-9]{2})"
_YEAR_CN = rf"(?<![{_CND}])(?P<yc>[{_CND}](?:{_S}[{_CND}]){{3}}|[{_CND}]{_S}[{_CND}])"
_MONTH = rf"(?P<m>[0-9]{{1,2}}|[{_CNN}]{{1,3}}|元|正|冬|腊|闰{_S}[{_CNN}]{{1,3}})"
_DAY = rf"(?P<d>[0-9]{{1,2}}|[{_CNN}]{{1,3}}){_S}[日号]"
_LUNAR_DAY = rf"(?P<dl>初{_S}[{_CNN}]{{1,2}})(?:{_S}[日号])?"  # 初五: lunar, 日 often omitted
_MARKED = (
    rf"(?:{_YEAR_AR}|{_YEAR_CN}){_S}年"
    rf"(?:{_S}{_MONTH}{_S}月(?:{_S}份)?(?:{_S}(?:{_DAY}|{_LUNAR_DAY}))?)?"
)
_SEP = rf"{_S}[./-]{_S}"
_NUMERIC = (
    rf"(?<![0-9.])(?P<ny>[0-9]{{4}}){_SEP}(?P<nm>[0-9]{{1,2}})"
    rf"(?:{_SEP}(?P<nd>[0-9]{{1,2}}))?(?![0-9])"
)
_DATE = re.compile(rf"{_MARKED}|{_NUMERIC}")
_BARE_YEAR = re.compile(rf"(?P<y>[0-9]{{4}})|(?P<yc>[{_CND}](?:{_S}[{_CND}]){{3}})")
_TRAILING = " .,，。;；:：、"


@dataclass(frozen=True)
class DateMatch:
    """A date found in a line: where (``span`` in the original text), what it said, its value."""

    span: tuple[int, int]
    text: str
    date: FuzzyDate


@dataclass(frozen=True)
class DateReading:
    """Something written like a date, read or refused.

    ``date`` is None when the text is not a usable date; ``reason`` then says why in 中文
    (an impossible day, a lunar date …). ``lunar`` marks a lunar-calendar date, which is never
    converted to the Gregorian calendar here.
    """

    span: tuple[int, int]
    text: str
    date: FuzzyDate | None
    reason: str = ""
    lunar: bool = False

    def as_match(self) -> DateMatch | None:
        return DateMatch(self.span, self.text, self.date) if self.date else None


def normalise_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII, tabs and ideographic spaces to spaces.

    Every character maps to exactly one character, so offsets stay valid.
    """
    return text.translate(_NORMALISE)


def resolve_two_digit_year(two_digits: int, *, reference_year: int) -> int:
    """The latest year not after ``reference_year`` that ends in ``two_digits``.

    >>> [resolve_two_digit_year(yy, reference_year=2026) for yy in (65, 26, 27)]
    [1965, 2026, 1927]
    """
    return reference_year - (reference_year - two_digits) % 100


def parse_chinese_date(text: str, *, reference_year: int) -> FuzzyDate | None:
    """The date the whole ``text`` states, or None (not a date, impossible, or lunar).

    >>> str(parse_chinese_date("一九六五年三月", reference_year=2026))
    '1965年3月'
    """
    return read_chinese_date(text, reference_year=reference_year).date


def read_chinese_date(text: str, *, reference_year: int) -> DateReading:
    """Read the whole ``text`` (a form's value cell) as one date, with the reason if refused."""
    normalised = normalise_text(text)
    stripped = normalised.strip(_TRAILING)
    start = normalised.find(stripped) if stripped else 0
    span = (start, start + len(stripped))
    bare = _BARE_YEAR.fullmatch(stripped)
    if bare:
        year = _year_of(bare, reference_year)
        if year is None:
            return DateReading(span, text[span[0] : span[1]], None, "年份不合理")
        return DateReading(span, text[span[0] : span[1]], FuzzyDate(date(year, 1, 1), _YEAR))
    match = _DATE.fullmatch(stripped)
    if match is None:
        found = scan_dates(text, reference_year=reference_year)
        if len(found) == 1 and found[0].lunar:
            return found[0]  # 农历1965年3月15日, 一九六五年正月十五: flagged, not converted
        return DateReading(span, text[span[0] : span[1]], None, "无法识别为日期")
    reading = _reading(text, normalised, match, reference_year, offset=start)
    return reading or DateReading(span, text[span[0] : span[1]], None, "年份不合理")


def scan_dates(text: str, *, reference_year: int) -> list[DateReading]:
    """Everything in a line written like a date, read or refused (with the 中文 reason)."""
    normalised = normalise_text(text)
    readings = []
    for match in _DATE.finditer(normalised):
        if match.group("y") and len(match.group("y")) == 2 and not match.group("m"):
            continue  # 工龄25年: a two-digit year counts in running text only with a month
        if match.group("yc") and len(_compact(match.group("yc"))) == 2 and not match.group("m"):
            continue
        reading = _reading(text, normalised, match, reference_year, offset=0)
        if reading is not None:
            readings.append(reading)
    return readings


def find_dates(text: str, *, reference_year: int) -> list[DateMatch]:
    """The usable dates in a line (an OCR line, a sentence), in order, with their spans."""
    found = []
    for reading in scan_dates(text, reference_year=reference_year):
        match = reading.as_match()
        if match is not None:
            found.append(match)
    return found


_YEAR = DatePrecision.YEAR
_MONTH_P = DatePrecision.MONTH


def _reading(
    original: str, normalised: str, match: re.Match[str], reference_year: int, *, offset: int
) -> DateReading | None:
    """A reading of one regex match; None when the year is not plausible (not a date at all)."""
    span = (match.start() + offset, match.end() + offset)
    text = original[span[0] : span[1]]
    year = _year_of(match, reference_year)
    if year is None:
        return None
    month_text = match.group("m") or match.group("nm")
    day_text = match.group("d") or match.group("nd") or match.group("dl")
    if _is_lunar(normalised, span, month_text, day_text):
        return DateReading(span, text, None, "农历日期，不自动换算为公历，请人工核对", lunar=True)
    if month_text is None:
        return DateReading(span, text, FuzzyDate(date(year, 1, 1), _YEAR))
    month = 1 if month_text == "元" else _number(month_text)
    if month is None or not 1 <= month <= 12:
        return DateReading(span, text, None, f"月份“{_compact(month_text)}”不存在")
    if day_text is None:
        return DateReading(span, text, FuzzyDate(date(year, month, 1), _MONTH_P))
    day = _number(day_text)
    try:
        value = date(year, month, day or 0)
    except ValueError:
        return DateReading(span, text, None, f"{year}年{month}月没有“{_compact(day_text)}”日")
    return DateReading(span, text, FuzzyDate(value, DatePrecision.DAY))


def _year_of(match: re.Match[str], reference_year: int) -> int | None:
    groups = match.groupdict()
    arabic = groups.get("y") or groups.get("ny")
    digits = arabic if arabic else "".join(str(_CN_DIGITS[c]) for c in _compact(match["yc"]))
    year = int(digits)
    if len(digits) == 2:
        year = resolve_two_digit_year(year, reference_year=reference_year)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _is_lunar(
    normalised: str, span: tuple[int, int], month_text: str | None, day_text: str | None
) -> bool:
    if month_text and (month_text in _LUNAR_MONTHS or month_text.startswith("闰")):
        return True
    if day_text and day_text.startswith("初"):
        return True
    before = _LUNAR_BEFORE.search(normalised, max(0, span[0] - 4), span[0])
    return before is not None or _LUNAR_AFTER.match(normalised, span[1]) is not None


def _compact(text: str) -> str:
    return text.replace(" ", "")


def _number(text: str) -> int | None:
    """1–2 Arabic digits, or a Chinese number: 三, 一二, 十五, 二十, 廿一, 卅, 三十一."""
    text = _compact(text)
    if text.isdigit():
        return int(text)
    if all(char in _CN_DIGITS for char in text):
        return int("".join(str(_CN_DIGITS[char]) for char in text))
    match = re.fullmatch(rf"([{_CN_NONZERO}]?)([十拾廿卅])([{_CN_NONZERO}]?)", text)
    if match is None:
        return None
    lead, mark, unit = match.groups()
    if mark in "廿卅":
        if lead:
            return None
        tens = 20 if mark == "廿" else 30
    else:
        tens = 10 * (_CN_DIGITS[lead] if lead else 1)
    return tens + (_CN_DIGITS[unit] if unit else 0)
