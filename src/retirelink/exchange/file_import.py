"""File-transfer import (pure part): decode, identify, map headers, validate, find duplicates.

Contract with the service that applies a file: **apply only when ``issues`` is empty** (the
``applicable`` property), all rows in one transaction, and only once per
``file_digest_sha256`` (the SHA-256 of the raw bytes, so a re-sent file is recognised).

* :func:`preview_file` / :func:`preview_bytes` keep every valid row: for uploads shown on a page.
* :func:`validate_file` streams: it counts rows and lists at most ``max_issues`` issues (with
  the total), so a 1,000,000-row or 2 GB file is checked with memory flat in file size; the
  duplicate detector keeps 12 bytes per row (a 64-bit key hash and the row number).
* :func:`iter_valid_rows` streams the parsed rows again for the apply step.
"""

import hashlib
import io
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import BinaryIO

import numpy as np

from retirelink.errors import InvalidInputError
from retirelink.exchange.file_formats import FileFormat, open_table
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA, ParsedValue, RowIssue, RowSchema
from retirelink.exchange.prefetch import in_child_process

MAX_LISTED_ISSUES = 1000
ParsedRow = dict[str, ParsedValue]


@dataclass(frozen=True)
class ImportPreview:
    """Everything about a (small) file: valid rows kept in memory, every issue listed."""

    encoding: str
    format: FileFormat | None
    rows_total: int
    valid_rows: list[ParsedRow]
    issues: list[RowIssue]
    file_digest_sha256: str
    encoding_confident: bool = True

    @property
    def applicable(self) -> bool:
        """True when the file may be applied: no file-level and no row-level issue."""
        return not self.issues


@dataclass(frozen=True)
class ValidationSummary:
    """Counts of a streamed validation; ``issues`` lists at most ``max_issues`` of them."""

    encoding: str
    format: FileFormat | None
    rows_total: int
    rows_valid: int
    issue_total: int
    issues: list[RowIssue]
    file_digest_sha256: str
    encoding_confident: bool = True

    @property
    def applicable(self) -> bool:
        return self.issue_total == 0

    @property
    def issues_truncated(self) -> bool:
        return self.issue_total > len(self.issues)


class DuplicateFinder:
    """Rows repeating an earlier row's key, found after the pass from 64-bit key hashes.

    Python's own string hash (SipHash, 64-bit, keyed per process) is used: the hashes live and
    are compared within one import, and it costs a fraction of a cryptographic digest.
    """

    def __init__(self) -> None:
        self._hashes = array("q")
        self._rows = array("I")

    def add(self, row_number: int, key: str) -> None:
        self._hashes.append(hash(key))
        self._rows.append(row_number)

    def duplicates(self) -> Iterator[tuple[int, int]]:
        """``(row_number, first_row_number)`` for every repeat, in row order."""
        hashes = np.frombuffer(self._hashes, dtype=np.int64)
        rows = np.frombuffer(self._rows, dtype=np.uint32)
        if hashes.size < 2:
            return
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
        repeats = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
        groups = np.searchsorted(starts, repeats, side="right") - 1
        found = np.stack((rows[order[repeats]], rows[order[starts[groups]]]), axis=1)
        found = found[np.argsort(found[:, 0], kind="stable")]
        for row_number, first in found.tolist():
            yield int(row_number), int(first)


@dataclass
class _Collector:
    keep_rows: bool
    max_issues: int | None
    rows_total: int = 0
    rows_valid: int = 0
    issue_total: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    valid_rows: list[ParsedRow] = field(default_factory=list)

    def issue(self, issue: RowIssue) -> None:
        self.issue_total += 1
        if self.max_issues is None or len(self.issues) < self.max_issues:
            self.issues.append(issue)


@dataclass(frozen=True)
class _Outcome:
    encoding: str
    format: FileFormat | None
    confident: bool


def duplicate_key(schema: RowSchema, parsed: ParsedRow) -> str:
    return "\x1f".join(str(parsed.get(name)) for name in schema.duplicate_key)


def _validate(binary: BinaryIO, schema: RowSchema, as_of: date, sink: _Collector) -> _Outcome:
    finder = DuplicateFinder()
    outcome = _Outcome("", None, True)
    try:
        with open_table(binary) as table:
            outcome = _Outcome(table.encoding, table.format, table.encoding_confident)
            columns = schema.headers.resolve(table.header, schema.fields)
            for row_number, cells in table.rows:
                sink.rows_total += 1
                parsed, issues = schema.validate(row_number, cells, columns, as_of)
                for issue in issues:
                    sink.issue(issue)
                if issues:
                    continue
                sink.rows_valid += 1
                if sink.keep_rows:
                    sink.valid_rows.append(parsed)
                if schema.duplicate_key:
                    finder.add(row_number, duplicate_key(schema, parsed))
    except InvalidInputError as error:
        sink.issue(RowIssue(None, error.field, error.message))
        return outcome
    _report_duplicates(schema, finder, sink)
    if sink.rows_total == 0:
        sink.issue(RowIssue(None, None, "文件为空：只有表头，没有数据行"))
    return outcome


def _report_duplicates(schema: RowSchema, finder: DuplicateFinder, sink: _Collector) -> None:
    labels = "和".join(schema.label(name) for name in schema.duplicate_key)
    for row_number, first in finder.duplicates():
        sink.issue(RowIssue(row_number, None, f"与第{first}行重复（{labels}相同）"))
    sink.issues.sort(key=lambda issue: -1 if issue.row_number is None else issue.row_number)


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _preview(
    opener: Callable[[], BinaryIO], digest: str, schema: RowSchema, as_of: date
) -> ImportPreview:
    sink = _Collector(keep_rows=True, max_issues=None)
    with opener() as binary:
        outcome = _validate(binary, schema, as_of, sink)
    return ImportPreview(
        encoding=outcome.encoding,
        format=outcome.format,
        rows_total=sink.rows_total,
        valid_rows=sink.valid_rows,
        issues=sink.issues,
        file_digest_sha256=digest,
        encoding_confident=outcome.confident,
    )


def preview_bytes(data: bytes, schema: RowSchema, *, as_of: date) -> ImportPreview:
    """Validate an uploaded file held in memory; ``as_of`` is the date IDs are checked on."""
    digest = hashlib.sha256(data).hexdigest()
    return _preview(lambda: io.BytesIO(data), digest, schema, as_of)


def preview_file(path: Path, schema: RowSchema, *, as_of: date) -> ImportPreview:
    """Validate a file and keep its valid rows (for files small enough to show on a page)."""
    return _preview(lambda: path.open("rb"), _file_digest(path), schema, as_of)


def validate_file(
    path: Path, schema: RowSchema, *, as_of: date, max_issues: int = MAX_LISTED_ISSUES
) -> ValidationSummary:
    """Stream-validate a file of any size; lists at most ``max_issues`` issues plus the total."""
    sink = _Collector(keep_rows=False, max_issues=max_issues)
    with path.open("rb") as binary:
        outcome = _validate(binary, schema, as_of, sink)
    return ValidationSummary(
        encoding=outcome.encoding,
        format=outcome.format,
        rows_total=sink.rows_total,
        rows_valid=sink.rows_valid,
        issue_total=sink.issue_total,
        issues=sink.issues,
        file_digest_sha256=_file_digest(path),
        encoding_confident=outcome.confident,
    )


def iter_valid_rows(path: Path, schema: RowSchema, *, as_of: date) -> Iterator[ParsedRow]:
    """Stream the parsed rows of a file that :func:`validate_file` found applicable.

    Raises :class:`InvalidInputError` at the first issue, so a file changed since validation
    cannot be half-applied by a caller that rolls back on error.
    """
    with path.open("rb") as binary, open_table(binary) as table:
        columns = schema.headers.resolve(table.header, schema.fields)
        for row_number, cells in table.rows:
            parsed, issues = schema.validate(row_number, cells, columns, as_of)
            if issues:
                raise InvalidInputError(f"第{row_number}行：{issues[0].message_zh}")
            yield parsed


class RowStream:
    """The rows of a partner file, parsed one at a time as they are read.

    Iterating opens the file, yields ``(row_number, parsed, issues)`` for every data row and
    raises :class:`InvalidInputError` for a fault of the whole file (encoding, format,
    headers). ``format`` and ``encoding`` are known once iteration has started.
    """

    def __init__(self, opener: Callable[[], BinaryIO], schema: RowSchema, *, as_of: date):
        self._opener = opener
        self._schema = schema
        self._as_of = as_of
        self.format = ""
        self.encoding = ""

    def __iter__(self) -> Iterator[tuple[int, ParsedRow, list[RowIssue]]]:
        with self._opener() as binary, open_table(binary) as table:
            self.format, self.encoding = table.format.value, table.encoding
            columns = self._schema.headers.resolve(table.header, self._schema.fields)
            for row_number, cells in table.rows:
                parsed, issues = self._schema.validate(row_number, cells, columns, self._as_of)
                yield row_number, parsed, issues


def _open_binary(path: Path) -> BinaryIO:
    return path.open("rb")


def partner_event_chunks(
    path: str, as_of: date, chunk_rows: int
) -> Iterator[tuple[str, str, list[tuple[int, ParsedRow, list[RowIssue]]]]]:
    """The rows of a partner-event file in chunks, with the format and encoding: what a
    child process sends back (module-level and plain arguments, so it can be spawned)."""
    stream = RowStream(partial(_open_binary, Path(path)), PARTNER_EVENT_SCHEMA, as_of=as_of)
    chunk: list[tuple[int, ParsedRow, list[RowIssue]]] = []
    for row in stream:
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            yield stream.format, stream.encoding, chunk
            chunk = []
    yield stream.format, stream.encoding, chunk


class ChildRowStream:
    """Like :class:`RowStream` for a partner-event file on disk, but read and validated in a
    child process (``prefetch.in_child_process``) while this process applies the rows."""

    def __init__(self, path: Path, *, as_of: date, chunk_rows: int = 2000) -> None:
        self._path = path
        self._as_of = as_of
        self._chunk_rows = chunk_rows
        self.format = ""
        self.encoding = ""

    def __iter__(self) -> Iterator[tuple[int, ParsedRow, list[RowIssue]]]:
        chunks = in_child_process(
            partner_event_chunks, str(self._path), self._as_of, self._chunk_rows
        )
        for file_format, encoding, rows in chunks:
            self.format, self.encoding = file_format, encoding
            yield from rows
