"""Bulk demo files for benchmarks: CSV (UTF-8, header row) and Parquet (via DuckDB).

Persons are streamed in chunks and never held in memory all at once, so ten million persons
need no more memory than ten thousand. Files written to ``out_dir``:

* ``persons`` — one row per person, contributions summarised;
* ``employers`` — the district's employers;
* ``partner_records`` — 公安/卫健/民政 death records, 司法 imprisonments, ... (about one death
  record per ten persons and one imprisonment per hundred);
* ``planted`` — anomaly code and ID number of every planted anomaly (the answer key).

The persons are the same, in the same order, as :func:`~retirelink.demo.generator.iter_persons`
yields for the same seed, count and ``as_of``.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import TextIO

import duckdb

from retirelink.demo.bulk_rows import (
    EMPLOYER_COLUMNS,
    PARTNER_RECORD_COLUMNS,
    PERSON_COLUMNS,
    PLANTED_COLUMNS,
    PersonLines,
    employer_line,
    header,
)
from retirelink.demo.employers import generate_employers
from retirelink.demo.persons import iter_drafts

FORMATS = ("csv", "parquet")
CHUNK_SIZE = 50_000
_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "persons": PERSON_COLUMNS,
    "employers": EMPLOYER_COLUMNS,
    "partner_records": PARTNER_RECORD_COLUMNS,
    "planted": PLANTED_COLUMNS,
}


@dataclass(frozen=True, slots=True)
class BulkFile:
    table: str
    format: str
    path: Path
    rows: int
    bytes: int


@dataclass(frozen=True, slots=True)
class BulkSummary:
    persons: int
    files: tuple[BulkFile, ...]
    seconds: float

    def rows(self, table: str) -> int:
        """Row count of a table (the same in every format)."""
        return next(file.rows for file in self.files if file.table == table)

    def paths(self) -> tuple[Path, ...]:
        return tuple(file.path for file in self.files)


class _Sink:
    """Buffered CSV writer that counts its data rows."""

    def __init__(self, stream: TextIO, columns: Sequence[tuple[str, str]]) -> None:
        self._stream = stream
        self._buffer: list[str] = []
        self.rows = 0
        stream.write(header(columns))

    def add(self, line: str) -> None:
        self._buffer.append(line)

    def extend(self, lines: list[str]) -> None:
        self._buffer.extend(lines)

    def flush(self) -> None:
        self.rows += len(self._buffer)
        self._stream.write("".join(self._buffer))
        self._buffer.clear()


def _csv_path(out_dir: Path, table: str) -> Path:
    return out_dir / f"{table}.csv"


def _write_employers(out_dir: Path, seed: int) -> int:
    employers = generate_employers(seed=seed)
    with _csv_path(out_dir, "employers").open("w", encoding="utf-8", newline="") as stream:
        sink = _Sink(stream, EMPLOYER_COLUMNS)
        for employer in employers:
            sink.add(employer_line(employer))
        sink.flush()
    return sink.rows


def _write_persons(
    out_dir: Path, *, seed: int, persons: int, as_of: date, progress: Callable[[int], None] | None
) -> dict[str, int]:
    employers = generate_employers(seed=seed)
    lines = PersonLines(employers)
    paths = [_csv_path(out_dir, table) for table in ("persons", "partner_records", "planted")]
    with (
        paths[0].open("w", encoding="utf-8", newline="") as person_stream,
        paths[1].open("w", encoding="utf-8", newline="") as record_stream,
        paths[2].open("w", encoding="utf-8", newline="") as planted_stream,
    ):
        people = _Sink(person_stream, PERSON_COLUMNS)
        records = _Sink(record_stream, PARTNER_RECORD_COLUMNS)
        planted = _Sink(planted_stream, PLANTED_COLUMNS)
        sinks = (people, records, planted)
        drafts = iter_drafts(seed=seed, count=persons, as_of=as_of, employers=employers)
        for index, (id_number, draft) in enumerate(drafts, start=1):
            people.add(lines.person(id_number, draft))
            if draft.events:
                records.extend(lines.records(id_number, draft))
            if draft.anomaly is not None:
                planted.add(f"{draft.anomaly},{id_number}\n")
            if index % CHUNK_SIZE == 0 or index == persons:
                written = people.rows
                for sink in sinks:
                    sink.flush()
                if progress is not None:
                    progress(people.rows - written)
    return {"persons": people.rows, "partner_records": records.rows, "planted": planted.rows}


def _to_parquet(
    connection: duckdb.DuckDBPyConnection, source: Path, target: Path, table: str
) -> None:
    """Convert with explicit column types, so ID numbers and codes stay VARCHAR."""
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in _TABLES[table])
    connection.execute(
        f"COPY (SELECT * FROM read_csv(?, header = true, delim = ',', quote = '\"', "
        f"columns = {{{columns}}})) TO '{_quote(target)}' (FORMAT parquet)",
        [str(source)],
    ).fetchall()  # drain the result: DuckDB 2 refuses new work on an unfinished one


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _convert_all(out_dir: Path) -> None:
    with duckdb.connect() as connection:
        for table in _TABLES:
            _to_parquet(connection, _csv_path(out_dir, table), out_dir / f"{table}.parquet", table)


def write_bulk(
    out_dir: Path,
    *,
    seed: int,
    persons: int,
    as_of: date,
    formats: Sequence[str] = FORMATS,
    progress: Callable[[int], None] | None = None,
) -> BulkSummary:
    """Write the demo district's bulk files into ``out_dir`` (created if missing).

    ``progress`` is called after every chunk with the number of persons in that chunk (an
    increment, as ``rich.progress.Progress.advance`` expects; the calls sum to ``persons``).
    CSV is always written first; when only Parquet is asked for, the CSV files are removed
    after the conversion.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {formats!r}")
    if persons < 0:
        raise ValueError("persons must not be negative")
    started = perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = {"employers": _write_employers(out_dir, seed)}
    rows |= _write_persons(out_dir, seed=seed, persons=persons, as_of=as_of, progress=progress)
    if "parquet" in formats:
        _convert_all(out_dir)
    files = [
        _file(out_dir, table, fmt, rows[table])
        for fmt in FORMATS
        if fmt in formats
        for table in _TABLES
    ]
    if "csv" not in formats:
        for table in _TABLES:
            _csv_path(out_dir, table).unlink()
    return BulkSummary(persons=persons, files=tuple(files), seconds=perf_counter() - started)


def _file(out_dir: Path, table: str, fmt: str, rows: int) -> BulkFile:
    path = out_dir / f"{table}.{fmt}"
    return BulkFile(table=table, format=fmt, path=path, rows=rows, bytes=path.stat().st_size)
