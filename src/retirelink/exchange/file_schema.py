"""Header mapping and row validation for partner files (deaths, cremations, imprisonments).

A :class:`HeaderMap` maps our field names to the header names partners actually use (中文
labels, 社保 codes such as ``aac002``); a :class:`RowSchema` says how each field is parsed. Every
fault becomes a :class:`RowIssue` with the row number a clerk sees in Excel and a 中文 message.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from retirelink.errors import InvalidInputError
from retirelink.exchange.file_formats import CellValue
from retirelink.rules.identifiers import normalise_id_number

ParsedValue = str | date | None

EXCEL_NUMBER_ID = "身份证号被Excel保存为数字，已丢失末位，请将该列设为文本后重新导出"
# What Excel writes for an 18-digit number shown in a General cell: 1.30406E+17.
_SCIENTIFIC = re.compile(r"\A[+-]?\d+(?:\.\d*)?[eE][+-]?\d+\Z")
_DATE_SEPARATED = re.compile(r"\A(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\Z")
_DATE_COMPACT = re.compile(r"\A(\d{4})(\d{2})(\d{2})\Z")
# 汉字 (basic block, extension A, compatibility, extensions B and later) and the 间隔号 of names
# such as 阿依古丽·买买提; the look-alike dots partners type are normalised to U+00B7.
_NAME = re.compile(r"\A[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·]+\Z")
_NAME_DOTS = str.maketrans({"・": "·", "•": "·", "．": "·", "\u2027": "·"})
_MAX_NAME = 50


@dataclass(frozen=True)
class RowIssue:
    """One fault: ``row_number``/``field`` are ``None`` when it concerns the whole file."""

    row_number: int | None
    field: str | None
    message_zh: str
    value: str = ""


class FieldKind(StrEnum):
    """How a field's text is parsed."""

    ID_NUMBER = "id_number"
    NAME = "name"
    DATE = "date"
    TEXT = "text"


@dataclass(frozen=True)
class FieldSpec:
    """One field of a row: name, 中文 label for messages, kind, and whether it is required."""

    name: str
    label: str
    kind: FieldKind
    required: bool = True
    not_after_as_of: bool = False


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\u3000\ufeff]+", "", name).lower()


@dataclass(frozen=True)
class HeaderMap:
    """Field name -> accepted header names (compared ignoring spaces and ASCII case)."""

    aliases: Mapping[str, tuple[str, ...]]

    def resolve(self, header: Sequence[str], fields: Sequence[FieldSpec]) -> dict[str, int]:
        """Column index of each field found; raises :class:`InvalidInputError` listing faults."""
        lookup = {
            _normalise_header(alias): name
            for name, names in self.aliases.items()
            for alias in names
        }
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = lookup.get(_normalise_header(cell))
            if name is None:
                continue  # extra columns are ignored
            if name in columns:
                first = header[columns[name]]
                raise InvalidInputError(
                    f"列“{first}”和“{cell}”表示同一字段，请只保留一列", field=name
                )
            columns[name] = index
        missing = [spec for spec in fields if spec.required and spec.name not in columns]
        if missing:
            listed = "；".join(
                f"{spec.label}（可用列名：{'/'.join(self.aliases.get(spec.name, ()))}）"
                for spec in missing
            )
            raise InvalidInputError(f"缺少必需的列：{listed}")
        return columns


def _as_text(value: CellValue) -> str:
    if type(value) is str:  # the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_id_cell(value: CellValue, *, as_of: date) -> str:
    """An ID cell as 18 characters (15-digit numbers upgraded); Excel numbers are refused."""
    text = _as_text(value)
    if isinstance(value, int | float) or _SCIENTIFIC.match(text):
        raise InvalidInputError(EXCEL_NUMBER_ID, field="id_number")
    return normalise_id_number(text, on=as_of)


def birth_date_of(id_number: str) -> date:
    """The birth date inside an 18-character ID number already checked by ``parse_id_cell``."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def parse_name_cell(value: CellValue) -> str:
    """A person's name: 汉字 and 间隔号 only, at most 50 characters."""
    text = _as_text(value).translate(_NAME_DOTS)
    if len(text) > _MAX_NAME:
        raise InvalidInputError(f"姓名超过{_MAX_NAME}个字")
    if not _NAME.match(text) or text.startswith("·") or text.endswith("·"):
        raise InvalidInputError("姓名只能包含汉字和间隔号“·”")
    return text


def parse_date_cell(value: CellValue) -> date:
    """A date as YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD (or an Excel date cell)."""
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    text = _as_text(value)
    if _is_plain_iso_day(text):
        try:  # the common case, parsed in C
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidInputError(f"日期{text}不存在") from None
    match = _DATE_SEPARATED.match(text) or _DATE_COMPACT.match(text)
    if match is None:
        raise InvalidInputError("日期格式应为YYYY-MM-DD、YYYY/MM/DD或YYYYMMDD")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInputError(f"日期{text}不存在") from None


def _is_plain_iso_day(text: str) -> bool:
    """``YYYY-MM-DD`` with ASCII digits (what most partner systems send)."""
    return (
        len(text) == 10
        and text[4] == "-"
        and text[7] == "-"
        and text.isascii()
        and (text[:4] + text[5:7] + text[8:]).isdigit()
    )


def _parse(spec: FieldSpec, value: CellValue, as_of: date) -> ParsedValue:
    if spec.kind is FieldKind.ID_NUMBER:
        return parse_id_cell(value, as_of=as_of)
    if spec.kind is FieldKind.NAME:
        return parse_name_cell(value)
    if spec.kind is FieldKind.DATE:
        parsed = parse_date_cell(value)
        if spec.not_after_as_of and parsed > as_of:
            raise InvalidInputError(f"{spec.label}{parsed.isoformat()}晚于核验日期{as_of}")
        return parsed
    return _as_text(value)


@dataclass(frozen=True)
class RowSchema:
    """Fields of a row, their header aliases, the duplicate key and ordered date pairs."""

    fields: tuple[FieldSpec, ...]
    headers: HeaderMap
    duplicate_key: tuple[str, ...] = ()
    ordered_dates: tuple[tuple[str, str], ...] = field(default=())
    # Dates that cannot precede the birth date inside the row's 公民身份号码 (GB 11643 positions
    # 7-14): nobody dies, is cremated or imprisoned before being born.
    not_before_birth: tuple[str, ...] = field(default=())

    def label(self, name: str) -> str:
        return next((spec.label for spec in self.fields if spec.name == name), name)

    def validate(
        self, row_number: int, cells: Sequence[CellValue], columns: Mapping[str, int], as_of: date
    ) -> tuple[dict[str, ParsedValue], list[RowIssue]]:
        """Parse one row; returns the parsed values and the issues (empty when valid)."""
        parsed: dict[str, ParsedValue] = {}
        issues: list[RowIssue] = []
        for spec in self.fields:
            index = columns.get(spec.name)
            value = cells[index] if index is not None and index < len(cells) else None
            text = _as_text(value)
            if not text:
                parsed[spec.name] = None
                if spec.required:
                    issues.append(RowIssue(row_number, spec.name, f"{spec.label}不能为空"))
                continue
            try:
                # Text cells are parsed from their stripped text; Excel numbers and dates as is.
                parsed[spec.name] = _parse(spec, text if isinstance(value, str) else value, as_of)
            except InvalidInputError as error:
                issues.append(RowIssue(row_number, spec.name, error.message, text))
        issues.extend(self._check_order(row_number, parsed))
        issues.extend(self._check_birth(row_number, parsed))
        return parsed, issues

    def _check_birth(self, row_number: int, parsed: Mapping[str, ParsedValue]) -> list[RowIssue]:
        id_number = parsed.get("id_number")
        if not self.not_before_birth or not isinstance(id_number, str):
            return []
        born = birth_date_of(id_number)
        issues = []
        for name in self.not_before_birth:
            value = parsed.get(name)
            if isinstance(value, date) and value < born:
                message = f"{self.label(name)}{value.isoformat()}早于出生日期{born.isoformat()}"
                issues.append(RowIssue(row_number, name, message, value.isoformat()))
        return issues

    def _check_order(self, row_number: int, parsed: Mapping[str, ParsedValue]) -> list[RowIssue]:
        issues = []
        for start, end in self.ordered_dates:
            first, last = parsed.get(start), parsed.get(end)
            if isinstance(first, date) and isinstance(last, date) and last < first:
                message = f"{self.label(end)}早于{self.label(start)}{first.isoformat()}"
                issues.append(RowIssue(row_number, end, message, last.isoformat()))
        return issues


PARTNER_EVENT_HEADERS = HeaderMap(
    MappingProxyType(
        {
            "id_number": ("公民身份号码", "身份证号", "身份证号码", "aac002"),
            "name": ("姓名", "aac003"),
            "event_date": (
                "事件日期",
                "死亡日期",
                "火化日期",
                "入监日期",
                "羁押日期",
                "结算日期",
            ),
            "end_date": ("结束日期", "释放日期"),
            "record_type": ("记录类型",),
        }
    )
)

# Death notices, cremations and imprisonments as 公安, 卫健, 民政 and 司法 deliver them.
PARTNER_EVENT_SCHEMA = RowSchema(
    fields=(
        FieldSpec("id_number", "公民身份号码", FieldKind.ID_NUMBER),
        FieldSpec("name", "姓名", FieldKind.NAME),
        FieldSpec("event_date", "事件日期", FieldKind.DATE, not_after_as_of=True),
        FieldSpec("end_date", "结束日期", FieldKind.DATE, required=False),
        FieldSpec("record_type", "记录类型", FieldKind.TEXT, required=False),
    ),
    headers=PARTNER_EVENT_HEADERS,
    duplicate_key=("id_number", "event_date"),
    ordered_dates=(("event_date", "end_date"),),
    not_before_birth=("event_date",),
)
