import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from retirelink.demo.generator import generate_district
from retirelink.demo.loader import write_feeds
from retirelink.exchange.file_formats import FileFormat, detect_format
from retirelink.exchange.file_import import (
    iter_valid_rows,
    preview_bytes,
    preview_file,
    validate_file,
)
from retirelink.exchange.file_schema import EXCEL_NUMBER_ID, PARTNER_EVENT_SCHEMA

AS_OF = date(2025, 6, 30)
GOOD_ID = "130406195309224371"
BAD_CHECK_ID = "130406195309224372"
HEADER = "公民身份号码,姓名,事件日期,结束日期,记录类型\n"


def preview(text: str, encoding: str = "utf-8-sig"):
    return preview_bytes(text.encode(encoding), PARTNER_EVENT_SCHEMA, as_of=AS_OF)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_gbk_file_with_two_bad_rows_reported_by_row_and_field() -> None:
    text = (
        HEADER
        + f"{GOOD_ID},丁立林,2025-04-29,,死亡注销\n"
        + f"{BAD_CHECK_ID},王芳,2025-04-30,,死亡注销\n"
        + "110105194912310021,李强,2025-02-30,,死亡注销\n"
    )
    result = preview(text, "gbk")
    assert result.encoding == "gb18030"
    assert result.format is FileFormat.CSV
    assert result.rows_total == 3
    assert [(i.row_number, i.field) for i in result.issues] == [
        (3, "id_number"),
        (4, "id_number"),
        (4, "event_date"),
    ]
    assert "校验码" in result.issues[0].message_zh
    assert result.issues[0].value == BAD_CHECK_ID
    assert "不存在" in result.issues[2].message_zh
    assert not result.applicable
    assert [row["id_number"] for row in result.valid_rows] == [GOOD_ID]


def test_gb18030_name_with_four_byte_character() -> None:
    result = preview(HEADER + f"{GOOD_ID},王𠮷,2025-04-29,,\n", "gb18030")
    assert result.applicable
    assert result.valid_rows[0]["name"] == "王𠮷"


def test_valid_file_parses_dates_and_upgrades_15_digit_ids() -> None:
    text = "身份证号,姓名,死亡日期,释放日期\n110105491231002,阿依古丽·买买提,2025/4/5,\n"
    result = preview(text, "utf-8")
    assert result.applicable
    assert result.valid_rows == [
        {
            "id_number": "11010519491231002X",
            "name": "阿依古丽·买买提",
            "event_date": date(2025, 4, 5),
            "end_date": None,
            "record_type": None,
        }
    ]


@pytest.mark.parametrize("raw", ["20250405", "2025-04-05", "2025/04/05"])
def test_date_formats(raw: str) -> None:
    result = preview(HEADER + f"{GOOD_ID},丁立林,{raw},,\n")
    assert result.valid_rows[0]["event_date"] == date(2025, 4, 5)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (f"{GOOD_ID},,2025-04-05,,", "name"),
        (f"{GOOD_ID},Tom,2025-04-05,,", "name"),
        (f"{GOOD_ID},丁立林,05/04/2025,,", "event_date"),
        (f"{GOOD_ID},丁立林,2026-01-01,,", "event_date"),
        (f"{GOOD_ID},丁立林,2025-04-05,2025-01-01,", "end_date"),
        ("1.30406E+17,丁立林,2025-04-05,,", "id_number"),
    ],
)
def test_bad_values(row: str, field: str) -> None:
    result = preview(HEADER + row + "\n")
    assert [(i.row_number, i.field) for i in result.issues] == [(2, field)]


def test_scientific_notation_id_names_excel() -> None:
    result = preview(HEADER + "1.30406E+17,丁立林,2025-04-05,,\n")
    assert result.issues[0].message_zh == EXCEL_NUMBER_ID


def test_missing_headers_give_one_file_level_error() -> None:
    result = preview("身份证,名字,日期\n" + f"{GOOD_ID},丁立林,2025-04-05\n")
    assert len(result.issues) == 1
    issue = result.issues[0]
    assert issue.row_number is None
    for label in ("公民身份号码", "姓名", "事件日期"):
        assert label in issue.message_zh
    assert "aac002" in issue.message_zh  # the accepted names are listed


def test_two_columns_for_one_field_are_refused() -> None:
    result = preview("公民身份号码,身份证号,姓名,事件日期\n")
    assert result.issues[0].row_number is None
    assert "同一字段" in result.issues[0].message_zh


def test_aliases_and_extra_columns() -> None:
    text = "AAC002, aac003 ,火化日期,备注\n" + f"{GOOD_ID},丁立林,2025-04-05,无\n"
    assert preview(text).applicable


@pytest.mark.parametrize("data", [b"", "\ufeff".encode(), b"\n\n", HEADER.encode("gbk")])
def test_empty_file_is_a_file_level_error(data: bytes) -> None:
    result = preview_bytes(data, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    assert [(i.row_number, i.field) for i in result.issues] == [(None, None)]
    assert "文件为空" in result.issues[0].message_zh
    assert not result.applicable


def test_duplicated_rows_reported() -> None:
    row = f"{GOOD_ID},丁立林,2025-04-29,,\n"
    other = "11010519491231002X,王芳,2025-04-29,,\n"
    result = preview(HEADER + row + other + row + f"{GOOD_ID},丁立林,20250429,,\n")
    assert [i.row_number for i in result.issues] == [4, 5]
    assert "与第2行重复" in result.issues[0].message_zh


def test_blank_lines_are_skipped_and_row_numbers_kept() -> None:
    result = preview(
        HEADER + f"{GOOD_ID},丁立林,2025-04-29,,\n,,,,\n{BAD_CHECK_ID},丁立林,2025-04-29,,\n"
    )
    assert result.rows_total == 2
    assert [i.row_number for i in result.issues] == [4]


def test_xlsx_with_id_stored_as_number() -> None:
    data = xlsx_bytes(
        [
            ["公民身份号码", "姓名", "事件日期"],
            [GOOD_ID, "丁立林", "2025-04-29"],
            [float(GOOD_ID), "王芳", date(2025, 4, 30)],
            [int(GOOD_ID), "李强", "2025-04-30"],
        ]
    )
    result = preview_bytes(data, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    assert result.format is FileFormat.XLSX
    assert [(i.row_number, i.field, i.message_zh) for i in result.issues] == [
        (3, "id_number", EXCEL_NUMBER_ID),
        (4, "id_number", EXCEL_NUMBER_ID),
    ]
    assert result.issues[0].value.startswith("1.30406")  # what the clerk sees in Excel


def test_xlsx_with_text_ids_and_date_cells() -> None:
    data = xlsx_bytes([["身份证号码", "姓名", "死亡日期"], [GOOD_ID, "丁立林", date(2025, 4, 29)]])
    result = preview_bytes(data, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    assert result.applicable
    assert result.valid_rows[0]["event_date"] == date(2025, 4, 29)


def test_json_list_of_objects() -> None:
    records = [
        {"公民身份号码": GOOD_ID, "姓名": "丁立林", "事件日期": "2025-04-29"},
        {"公民身份号码": BAD_CHECK_ID, "姓名": "王芳", "事件日期": "2025-04-29"},
    ]
    data = json.dumps(records, ensure_ascii=False).encode()
    result = preview_bytes(data, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    assert result.format is FileFormat.JSON
    assert [(i.row_number, i.field) for i in result.issues] == [(3, "id_number")]


def test_json_object_wrapping_a_list_and_malformed_json() -> None:
    wrapped = json.dumps(
        {"records": [{"aac002": GOOD_ID, "aac003": "丁立林", "死亡日期": "20250429"}]}
    )
    assert preview_bytes(wrapped.encode(), PARTNER_EVENT_SCHEMA, as_of=AS_OF).applicable
    broken = preview_bytes(b'[{"aac002": ', PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    assert broken.issues[0].row_number is None
    assert "JSON" in broken.issues[0].message_zh


def test_format_detected_by_content_when_the_extension_lies(tmp_path: Path) -> None:
    xlsx = tmp_path / "deaths.csv"
    xlsx.write_bytes(
        xlsx_bytes([["公民身份号码", "姓名", "事件日期"], [GOOD_ID, "丁立林", "2025-04-29"]])
    )
    as_json = tmp_path / "deaths.xlsx"
    as_json.write_text(
        json.dumps([{"身份证号": GOOD_ID, "姓名": "丁立林", "事件日期": "2025-04-29"}])
    )
    as_csv = tmp_path / "deaths.json"
    as_csv.write_bytes((HEADER + f"{GOOD_ID},丁立林,2025-04-29,,\n").encode("gbk"))
    for path, expected in (
        (xlsx, FileFormat.XLSX),
        (as_json, FileFormat.JSON),
        (as_csv, FileFormat.CSV),
    ):
        result = preview_file(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
        assert (result.format, result.applicable) == (expected, True)


def test_other_zip_and_legacy_xls_are_refused() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    for data in (buffer.getvalue(), b"\xd0\xcf\x11\xe0" + b"\0" * 100):
        result = preview_bytes(data, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
        assert result.issues[0].row_number is None
    assert detect_format(io.BytesIO(b"  [")) is FileFormat.JSON


def test_digest_recognises_the_same_file_twice(tmp_path: Path) -> None:
    data = (HEADER + f"{GOOD_ID},丁立林,2025-04-29,,\n").encode("gbk")
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    first = preview_bytes(data, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    again = validate_file(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    assert first.file_digest_sha256 == again.file_digest_sha256
    assert len(first.file_digest_sha256) == 64


def test_demo_feeds_parse_without_issues(tmp_path: Path) -> None:
    district = generate_district(seed=1, persons=300, as_of=AS_OF)
    feeds = [path for path in write_feeds(district, tmp_path) if path.parent.parent.name == "feeds"]
    assert feeds
    for path in feeds:
        result = preview_file(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
        assert result.issues == [], path
        assert result.encoding == "utf-8-sig"
        assert result.rows_total == len(result.valid_rows) > 0


def test_validate_file_caps_listed_issues_and_counts_all(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + f"{BAD_CHECK_ID},丁立林,2025-04-29,,\n" * 30, encoding="gb18030")
    summary = validate_file(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF, max_issues=10)
    assert (summary.rows_total, summary.rows_valid, summary.issue_total) == (30, 0, 30)
    assert len(summary.issues) == 10
    assert summary.issues_truncated
    assert not summary.applicable


def test_encoding_change_mid_file_is_a_file_level_error(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    good = f"{GOOD_ID},丁立林,2025-04-29,,\n"
    path.write_bytes((HEADER + good * 5000).encode("utf-8") + good.encode("gbk"))
    summary = validate_file(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    file_issues = [i for i in summary.issues if i.row_number is None]
    assert len(file_issues) == 1
    assert "编码" in file_issues[0].message_zh


def test_iter_valid_rows_streams_parsed_rows(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + f"{GOOD_ID},丁立林,2025-04-29,,\n", encoding="gb18030")
    assert validate_file(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF).applicable
    rows = list(iter_valid_rows(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF))
    assert rows[0]["id_number"] == GOOD_ID
