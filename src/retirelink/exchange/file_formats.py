"""Partner file formats: identification by content and streaming readers for CSV, XLSX and JSON.

The format is decided by the bytes, never by the file name (partners rename ``.csv`` files to
``.xls`` and back): a ZIP archive with an ``xl/`` part is XLSX, text starting with ``[`` or ``{``
is JSON, anything else is CSV. Each reader returns a :class:`Table`: the header (the first
non-blank row) and an iterator of ``(row_number, cells)`` where the row number is the one a clerk
sees in Excel (the header is row 1). Readers raise :class:`InvalidInputError` for file-level faults.
"""

import csv
import io
import json
import re
import warnings
import zipfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import BinaryIO

from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs installed

from retirelink.errors import InvalidInputError
from retirelink.exchange.decoding import UTF8_BOM, decode_text, wrap_text

# A cell as read: text from CSV/JSON, typed values from XLSX (numbers, dates) or JSON numbers.
CellValue = str | int | float | date | None
Rows = Generator[tuple[int, list[CellValue]], None, None]

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (BIFF in an OLE container)
# JSON is parsed whole, so its size is capped; bulk transfers use CSV, which is streamed.
MAX_JSON_BYTES = 100 * 1024 * 1024
_JSON_START = re.compile(rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*[\[{]")


class FileFormat(StrEnum):
    """Formats accepted from partner departments."""

    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


@dataclass(frozen=True)
class Table:
    """A file opened for reading: header cells and the data rows after it."""

    format: FileFormat
    encoding: str
    encoding_confident: bool
    header: list[str]
    rows: Rows


def detect_format(binary: BinaryIO) -> FileFormat:
    """Identify the format of a seekable binary stream by its content; rewinds afterwards."""
    head = binary.read(4096)
    binary.seek(0)
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(binary) as archive:
                is_xlsx = any(name.startswith("xl/") for name in archive.namelist())
        except zipfile.BadZipFile:
            raise InvalidInputError("文件是损坏的压缩包，无法读取") from None
        finally:
            binary.seek(0)
        if not is_xlsx:
            raise InvalidInputError("压缩文件不是Excel工作簿（.xlsx），请上传CSV、XLSX或JSON文件")
        return FileFormat.XLSX
    if head.startswith(OLE_MAGIC):
        raise InvalidInputError("不支持旧版Excel（.xls）文件，请另存为.xlsx或CSV后重新上传")
    if _JSON_START.match(head):
        return FileFormat.JSON
    return FileFormat.CSV


def _is_blank(cells: list[CellValue]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _split_header(records: Rows) -> tuple[list[str], Rows]:
    for _, cells in records:
        if not _is_blank(cells):
            return [("" if cell is None else str(cell)) for cell in cells], records
    raise InvalidInputError("文件为空：没有表头，也没有数据行")


def _non_blank(records: Iterator[tuple[int, list[CellValue]]]) -> Rows:
    try:
        for number, cells in records:
            if not _is_blank(cells):
                yield number, cells
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


def _csv_records(text: io.TextIOWrapper, encoding: str) -> Rows:
    reader = csv.reader(text)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, list(row)
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"第{number + 1}行附近含有无法按{encoding}解码的字节，文件编码前后不一致，"
            "请统一另存为UTF-8或GB18030"
        ) from None
    except csv.Error as error:
        raise InvalidInputError(f"第{number + 1}行不是有效的CSV格式：{error}") from None
    finally:
        text.detach()  # the caller owns the binary stream; do not close it with the wrapper


def _read_csv(binary: BinaryIO) -> Table:
    text, encoding, confident = wrap_text(binary)
    header, rows = _split_header(_csv_records(text, encoding))
    return Table(FileFormat.CSV, encoding, confident, header, _non_blank(rows))


def _xlsx_cell(value: object) -> CellValue:
    if value is None or isinstance(value, str | int | float | date):
        return value
    return str(value)  # times, durations, errors such as #N/A


def _xlsx_records(binary: BinaryIO) -> Rows:
    with warnings.catch_warnings():
        # Partner workbooks often lack a default style; openpyxl warns but reads them fine.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        workbook = load_workbook(binary, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_xlsx_cell(value) for value in values]
    finally:
        workbook.close()


def _read_xlsx(binary: BinaryIO) -> Table:
    header, rows = _split_header(_xlsx_records(binary))
    return Table(FileFormat.XLSX, "xlsx", True, header, _non_blank(rows))


def _json_cell(value: object) -> CellValue:
    if value is None or isinstance(value, str | float):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)  # JSON integers are exact; only Excel turns IDs into floats
    return json.dumps(value, ensure_ascii=False)


def _json_objects(document: object) -> list[dict[str, object]]:
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise InvalidInputError("JSON文件应为对象数组，或只含一个对象数组的对象")
        document = lists[0]
    if not isinstance(document, list):
        raise InvalidInputError("JSON文件应为对象数组")
    for index, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise InvalidInputError(f"JSON数组第{index}项不是对象")
    return document


def _read_json(binary: BinaryIO) -> Table:
    data = binary.read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        raise InvalidInputError("JSON文件超过100 MB，请改用CSV格式传送大批量数据")
    decoded = decode_text(data.removeprefix(UTF8_BOM))
    try:
        objects = _json_objects(json.loads(decoded.text))
    except json.JSONDecodeError as error:
        raise InvalidInputError(f"JSON格式错误：第{error.lineno}行第{error.colno}列") from None
    keys = list(dict.fromkeys(key for item in objects for key in item))
    # Row numbers count the header as row 1 in every format, so object n is row n + 1.
    rows = (
        (index, [_json_cell(item.get(key)) for key in keys])
        for index, item in enumerate(objects, start=2)
    )
    return Table(FileFormat.JSON, decoded.encoding, decoded.confident, keys, _non_blank(rows))


@contextmanager
def open_table(binary: BinaryIO) -> Iterator[Table]:
    """Identify the format of ``binary`` and open it as a :class:`Table`.

    The stream must be seekable; the caller keeps ownership of it. File-level faults (empty
    file, broken archive, undecodable bytes) raise :class:`InvalidInputError`.
    """
    readers = {FileFormat.CSV: _read_csv, FileFormat.XLSX: _read_xlsx, FileFormat.JSON: _read_json}
    table = readers[detect_format(binary)](binary)
    try:
        yield table
    finally:
        table.rows.close()
