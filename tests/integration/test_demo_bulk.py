"""Bulk demo files: CSV and Parquet agree with each other and with the in-memory stream."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from retirelink.demo import bulk as bulk_module
from retirelink.demo.bulk import BulkSummary, write_bulk
from retirelink.demo.generator import generate_employers, iter_persons

pytestmark = pytest.mark.integration

AS_OF = date(2025, 6, 30)
SEED = 42
PERSONS = 5000
TABLES = ("persons", "employers", "partner_records", "planted")


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> tuple[BulkSummary, list[int]]:
    seen: list[int] = []
    out = tmp_path_factory.mktemp("bulk")
    summary = write_bulk(out, seed=SEED, persons=PERSONS, as_of=AS_OF, progress=seen.append)
    return summary, seen


def _query(sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect() as connection:
        return connection.execute(sql).fetchall()


def _count(relation: str, path: Path) -> int:
    ((count,),) = _query(f"SELECT count(*) FROM {relation}('{path}')")
    assert isinstance(count, int)
    return count


def test_every_table_is_written_in_both_formats(bulk: tuple[BulkSummary, list[int]]) -> None:
    summary, _ = bulk
    assert {(f.table, f.format) for f in summary.files} == {
        (table, fmt) for table in TABLES for fmt in ("csv", "parquet")
    }
    assert all(f.path.exists() and f.bytes > 0 for f in summary.files)
    assert summary.rows("persons") == PERSONS
    assert summary.rows("employers") == len(generate_employers(seed=SEED))
    assert summary.rows("partner_records") > PERSONS // 50
    assert summary.rows("planted") > 0


def test_row_counts_read_back_match(bulk: tuple[BulkSummary, list[int]]) -> None:
    summary, _ = bulk
    for file in summary.files:
        reader = "read_csv" if file.format == "csv" else "read_parquet"
        assert _count(reader, file.path) == file.rows, file.path.name


def test_identifiers_stay_text_in_parquet(bulk: tuple[BulkSummary, list[int]]) -> None:
    summary, _ = bulk
    path = next(f.path for f in summary.files if f.table == "persons" and f.format == "parquet")
    described = _query(f"DESCRIBE SELECT * FROM read_parquet('{path}')")
    types = {name: kind for name, kind, *_ in described}
    for column in ("id_number", "ethnicity", "hukou_region", "phone", "employer_credit_code"):
        assert types[column] == "VARCHAR", column
    assert types["birth_date"] == "DATE"
    assert types["monthly_pension"] == "DECIMAL(10,2)"
    assert _query(f"SELECT min(ethnicity) FROM read_parquet('{path}')") == [
        ("01",)
    ]  # leading zero kept


def test_persons_match_the_in_memory_stream(bulk: tuple[BulkSummary, list[int]]) -> None:
    summary, _ = bulk
    employers = generate_employers(seed=SEED)
    expected = [
        (p.id_number, p.name, p.birth_date, p.status.value, p.monthly_pension)
        for p in iter_persons(seed=SEED, count=PERSONS, as_of=AS_OF, employers=employers)
    ]
    path = next(f.path for f in summary.files if f.table == "persons" and f.format == "parquet")
    actual = _query(
        f"SELECT id_number, name, birth_date, status, monthly_pension FROM read_parquet('{path}')"
    )
    assert actual == expected


def test_csv_is_utf8_with_header_and_text_ids(bulk: tuple[BulkSummary, list[int]]) -> None:
    summary, _ = bulk
    path = next(f.path for f in summary.files if f.table == "persons" and f.format == "csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id_number,name,sex,birth_date")
    assert len(lines) == PERSONS + 1
    assert all(len(line.split(",")[0]) == 18 for line in lines[1:])


def test_planted_answer_key_matches_partner_records(bulk: tuple[BulkSummary, list[int]]) -> None:
    summary, _ = bulk
    planted = next(f.path for f in summary.files if f.table == "planted" and f.format == "parquet")
    records = next(
        f.path for f in summary.files if f.table == "partner_records" and f.format == "parquet"
    )
    missing = _query(
        f"SELECT count(*) FROM read_parquet('{planted}') p WHERE p.anomaly <> 'duplicate_receipt'"
        f" AND NOT EXISTS (SELECT 1 FROM read_parquet('{records}') r"
        f" WHERE r.id_number = p.id_number AND r.planted_anomaly = p.anomaly)"
    )
    assert missing == [(0,)]


def test_progress_increments_add_up_to_the_persons(bulk: tuple[BulkSummary, list[int]]) -> None:
    _, seen = bulk
    assert seen
    assert all(step > 0 for step in seen)
    assert sum(seen) == PERSONS


def test_chunked_writing_keeps_every_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_module, "CHUNK_SIZE", 128)
    seen: list[int] = []
    summary = write_bulk(tmp_path, seed=2, persons=1000, as_of=AS_OF, progress=seen.append)
    assert seen == [128] * 7 + [104]
    assert _count("read_csv", tmp_path / "persons.csv") == summary.rows("persons") == 1000
    employers = generate_employers(seed=2)
    streamed = iter_persons(seed=2, count=1000, as_of=AS_OF, employers=employers)
    ids = _query(f"SELECT id_number FROM read_parquet('{tmp_path / 'persons.parquet'}')")
    assert [row[0] for row in ids] == [person.id_number for person in streamed]


def test_parquet_only_leaves_no_csv(tmp_path: Path) -> None:
    summary = write_bulk(tmp_path, seed=1, persons=300, as_of=AS_OF, formats=("parquet",))
    assert {f.format for f in summary.files} == {"parquet"}
    assert not list(tmp_path.glob("*.csv"))
    assert _count("read_parquet", tmp_path / "persons.parquet") == 300


def test_unknown_format_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="formats"):
        write_bulk(tmp_path, seed=1, persons=10, as_of=AS_OF, formats=("xlsx",))
