"""Mapping partner field names and codes to our standards.

Partners name fields their own way (``XB``, ``性别``, ``aac004``) and code values their own way
(``M``/``男``/``1``). A :class:`FieldMapping` says which partner field feeds each of our fields
and how its value is normalised: GB/T 2261.1 性别, GB/T 3304 民族, GB/T 2260 行政区划 and
GB 11643 公民身份号码 (15 digits upgraded to 18, a lower-case x upper-cased). An unknown code is
a problem naming the field, never silently defaulted.
"""

# zh-CN user messages use full-width comma, colon and parentheses on purpose.

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from retirelink.errors import InvalidInputError
from retirelink.exchange.file_schema import RowIssue, parse_date_cell, parse_name_cell
from retirelink.rules.ethnicity import ETHNICITIES, validate_ethnicity_code
from retirelink.rules.identifiers import Sex, parse_id_number
from retirelink.rules.regions import validate_region_code

MappedValue = str | date | None


class MappedKind(StrEnum):
    """Which standard a field's value is normalised to."""

    ID_NUMBER = "id_number"
    SEX = "sex"
    ETHNICITY = "ethnicity"
    REGION = "region"
    NAME = "name"
    DATE = "date"
    # A date and time (死亡时间 "2026-11-30 14:20"); only the day is kept.
    DAY_OF_DATETIME = "day_of_datetime"
    TEXT = "text"


def _key(raw: str) -> str:
    return raw.strip().upper()


@dataclass(frozen=True)
class CodeMap:
    """One partner code table: partner code -> our code (compared ignoring case and spaces)."""

    name: str
    entries: Mapping[str, str]
    _index: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Normalised once, so a lookup per row of a million-row file is a dict access.
        normalised = {_key(theirs): ours for theirs, ours in self.entries.items()}
        object.__setattr__(self, "_index", normalised)

    def lookup(self, raw: str) -> str | None:
        return self._index.get(_key(raw))


# GB/T 2261.1-2003 codes and the spellings partners commonly use for them.
SEX_CODES = CodeMap(
    "GB/T 2261.1-2003",
    MappingProxyType(
        {
            "0": Sex.UNKNOWN,
            "1": Sex.MALE,
            "2": Sex.FEMALE,
            "9": Sex.UNSPECIFIED,
            "男": Sex.MALE,
            "男性": Sex.MALE,
            "M": Sex.MALE,
            "MALE": Sex.MALE,
            "女": Sex.FEMALE,
            "女性": Sex.FEMALE,
            "F": Sex.FEMALE,
            "FEMALE": Sex.FEMALE,
            "未知": Sex.UNKNOWN,
            "未知的性别": Sex.UNKNOWN,
            "未说明": Sex.UNSPECIFIED,
            "未说明的性别": Sex.UNSPECIFIED,
        }
    ),
)

# GB/T 3304-1991 字母代码 (romanised two-letter codes) in the order of the numeric codes 01-56.
_ETHNICITY_LETTERS = [
    "HA",
    "MG",
    "HU",
    "ZA",
    "UG",
    "MH",
    "YI",
    "ZH",
    "BY",
    "CS",
    "MA",
    "DO",
    "YA",
    "BA",
    "TJ",
    "HN",
    "KZ",
    "DA",
    "LI",
    "LS",
    "VA",
    "SH",
    "GS",
    "LH",
    "SU",
    "DX",
    "NX",
    "JP",
    "KG",
    "TU",
    "DU",
    "ML",
    "QI",
    "BL",
    "SL",
    "MN",
    "GL",
    "XB",
    "AC",
    "PM",
    "TA",
    "NU",
    "UZ",
    "RS",
    "EW",
    "DE",
    "BN",
    "YG",
    "GI",
    "TT",
    "DR",
    "OR",
    "HZ",
    "MB",
    "LB",
    "JN",
]


def _ethnicity_entries() -> Mapping[str, str]:
    entries: dict[str, str] = {}
    for (code, name), letters in zip(ETHNICITIES.items(), _ETHNICITY_LETTERS, strict=True):
        entries[name] = code
        entries[name.removesuffix("族")] = code  # "汉" as well as "汉族"
        entries[letters] = code
    return MappingProxyType(entries)


ETHNICITY_CODES = CodeMap("GB/T 3304-1991", _ethnicity_entries())


@dataclass(frozen=True)
class FieldRule:
    """Where one of our fields comes from; ``codes`` holds partner-specific codes, tried first."""

    source: str
    label: str
    kind: MappedKind
    required: bool = True
    codes: CodeMap | None = None


@dataclass(frozen=True)
class FieldMapping:
    """A partner's record layout: our field name -> :class:`FieldRule`."""

    department: str
    fields: Mapping[str, FieldRule]


@dataclass(frozen=True)
class MappedRecord:
    """A partner record in our field names and codes (``sex`` values are :class:`Sex`)."""

    department: str
    values: Mapping[str, MappedValue] = field(default_factory=dict)


def _standard_code(rule: FieldRule, text: str) -> str:
    if rule.kind is MappedKind.SEX:
        code = SEX_CODES.lookup(text)
        if code is None:
            raise InvalidInputError(f"{rule.label}代码“{text}”不在GB/T 2261.1性别代码之内")
        return Sex(code)
    code = ETHNICITY_CODES.lookup(text)
    if code is not None:
        return code
    if text.isascii() and text.isdigit():
        return validate_ethnicity_code(text)
    raise InvalidInputError(f"{rule.label}“{text}”不是GB/T 3304规定的民族名称或代码")


def _coded(rule: FieldRule, text: str) -> str:
    partner = rule.codes.lookup(text) if rule.codes is not None else None
    if partner is None:
        return _standard_code(rule, text)
    if rule.kind is MappedKind.SEX:
        return Sex(partner)
    return validate_ethnicity_code(partner)


def _convert(rule: FieldRule, text: str, on: date) -> MappedValue:
    kind = rule.kind
    if kind is MappedKind.ID_NUMBER:
        return parse_id_number(text, on=on).value
    if kind in (MappedKind.SEX, MappedKind.ETHNICITY):
        return _coded(rule, text)
    if kind is MappedKind.REGION:
        return validate_region_code(text)
    if kind is MappedKind.NAME:
        return parse_name_cell(text)
    if kind is MappedKind.DATE:
        return parse_date_cell(text)
    if kind is MappedKind.DAY_OF_DATETIME:
        return parse_date_cell(day_of(text))
    return text


def day_of(text: str) -> str:
    """``2026-11-30 14:20``, ``2026-11-30T14:20:05`` or ``20261130142005`` -> the day part.

    >>> day_of("2026-11-30 14:20"), day_of("20261130142005"), day_of("2026-11-30")
    ('2026-11-30', '20261130', '2026-11-30')
    """
    day = text.replace("T", " ").split(" ", 1)[0]
    return day[:8] if day.isdigit() and len(day) > 8 else day


def map_record(
    raw: Mapping[str, str],
    mapping: FieldMapping,
    *,
    on: date,
    row_number: int | None = None,
) -> MappedRecord | list[RowIssue]:
    """Map one partner record to our fields and codes, or return every problem found.

    Each problem names our field and, in its message, the partner field it came from.
    ``on`` is the checking date for birth dates inside 公民身份号码.
    """
    values: dict[str, MappedValue] = {}
    problems: list[RowIssue] = []
    for name, rule in mapping.fields.items():
        text = raw.get(rule.source, "").strip()
        if not text:
            values[name] = None
            if rule.required:
                message = f"{rule.label}（字段{rule.source}）不能为空"
                problems.append(RowIssue(row_number, name, message))
            continue
        try:
            values[name] = _convert(rule, text, on)
        except InvalidInputError as error:
            message = f"{rule.label}（字段{rule.source}）：{error.message}"
            problems.append(RowIssue(row_number, name, message, text))
    if problems:
        return problems
    return MappedRecord(mapping.department, MappingProxyType(values))
