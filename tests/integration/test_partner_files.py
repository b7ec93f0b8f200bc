"""What the simulators leave on disk: 司法's shared table, the GB18030 inbox, the registry."""

import json
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from retirelink.demo.loader import load_demo
from retirelink.demo.manifest import DistrictManifest, read_manifest, write_manifest
from retirelink.errors import InvalidInputError
from retirelink.exchange.file_import import preview_bytes
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA
from retirelink.partners.data import PartnerDatasets, build_datasets
from retirelink.partners.inbox import write_inbox
from retirelink.partners.model import CREMATION, DEATH_CERTIFICATE, OUR_CLIENT_ID, PRISONERS
from retirelink.partners.registry import (
    PartnerEntry,
    PartnerRegistry,
    read_registry,
    registry_path,
    shared_keys,
    write_registry,
)
from retirelink.partners.shared_table import (
    SIFA_FIELDS,
    SIFA_TABLE,
    append_sifa_rows,
    default_sifa_url,
    publish_sifa_table,
    sifa_engine,
    sifa_prisoner_changes,
)
from tests.support.databases import configured_url, is_postgres, scratch_postgres

pytestmark = pytest.mark.integration

AS_OF = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def datasets() -> PartnerDatasets:
    return build_datasets(DistrictManifest(seed=3, persons=3000, as_of=AS_OF))


@pytest.fixture
def partner_db_url(tmp_path) -> Iterator[str]:
    """A scratch PostgreSQL database when the suite runs on PostgreSQL, else a SQLite file."""
    url = configured_url()
    if url and is_postgres(url):
        with scratch_postgres(url, prefix="rl_partner") as scratch:
            yield scratch
    else:
        yield default_sifa_url(tmp_path)


# --- 司法 shared table ---------------------------------------------------------------------


def table_rows(engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        query = select(sifa_prisoner_changes).order_by(sifa_prisoner_changes.c.seq)
        return [dict(row._mapping) for row in connection.execute(query)]


def test_the_shared_table_holds_the_feed_with_its_seq_and_partner_columns(
    datasets, partner_db_url
) -> None:
    feed = datasets.feed(PRISONERS).records()
    with sifa_engine(partner_db_url) as engine:
        written = publish_sifa_table(engine, feed, updated_at=T0)
        rows = table_rows(engine)
        columns = {column["name"] for column in inspect(engine).get_columns(SIFA_TABLE)}

    assert written == len(feed) > 0
    assert columns == {"seq", "updated_at", *SIFA_FIELDS}
    assert [row["seq"] for row in rows] == [record.seq for record in feed]
    for row, record in zip(rows, feed, strict=True):
        assert row["zjhm"] == record.fields["zjhm"]
        assert row["jyrq"] == record.fields["jyrq"]
        assert row["sfrq"] == (record.fields["sfrq"] or None)  # absent: NULL, not ""


def test_publishing_twice_gives_the_same_table(datasets, partner_db_url) -> None:
    feed = datasets.feed(PRISONERS).records()
    with sifa_engine(partner_db_url) as engine:
        publish_sifa_table(engine, feed, updated_at=T0)
        append_sifa_rows(engine, [{"zjhm": "X", "xm": "张三"}], updated_at=T0)
        publish_sifa_table(engine, feed, updated_at=T0)
        rows = table_rows(engine)

    assert len(rows) == len(feed)


def test_rows_a_partner_adds_after_the_first_sync_get_the_next_seq(
    datasets, partner_db_url
) -> None:
    feed = datasets.feed(PRISONERS).records()
    release = {**feed[0].fields, "sfrq": "20261120"}
    later = datetime(2026, 11, 24, tzinfo=UTC)
    with sifa_engine(partner_db_url) as engine:
        publish_sifa_table(engine, feed, updated_at=T0)
        watermark = max(row["seq"] for row in table_rows(engine))

        seqs = append_sifa_rows(engine, [release, release], updated_at=later)
        with engine.connect() as connection:
            query = select(sifa_prisoner_changes).where(sifa_prisoner_changes.c.seq > watermark)
            new = [dict(row._mapping) for row in connection.execute(query)]

    assert seqs == [watermark + 1, watermark + 2]
    assert [row["seq"] for row in new] == seqs
    assert all(row["sfrq"] == "20261120" for row in new)


def test_the_change_time_is_kept_in_beijing_time_meaning_the_same_instant_on_both_databases(
    partner_db_url,
) -> None:
    with sifa_engine(partner_db_url) as engine:
        publish_sifa_table(engine, [], updated_at=T0)
        append_sifa_rows(engine, [{"zjhm": "X"}], updated_at=T0)
        with engine.connect() as connection:
            stored = connection.execute(text(f"SELECT updated_at FROM {SIFA_TABLE}")).scalar_one()
        postgres = engine.dialect.name == "postgresql"

    if postgres:  # timestamp with time zone: the instant itself
        assert stored == T0
    else:  # SQLite: the Beijing wall time as text, which the platform reads as Asia/Shanghai
        assert stored == "2026-11-23 10:30:00.000000"


def test_a_row_with_an_unknown_column_is_refused(partner_db_url) -> None:
    with sifa_engine(partner_db_url) as engine:
        publish_sifa_table(engine, [], updated_at=T0)
        with pytest.raises(InvalidInputError, match="没有字段"):
            append_sifa_rows(engine, [{"zjhm": "X", "shoe_size": "42"}], updated_at=T0)
        assert table_rows(engine) == []


def test_the_default_shared_table_is_a_sqlite_file_under_partners(tmp_path) -> None:
    url = default_sifa_url(tmp_path)
    with sifa_engine(url) as engine:
        publish_sifa_table(engine, [], updated_at=T0)

    assert (tmp_path / "partners" / "sifa.db").is_file()


# --- 卫健 / 民政 inbox ---------------------------------------------------------------------


def test_inbox_files_are_gb18030_csv_with_chinese_headers(datasets, tmp_path) -> None:
    paths = write_inbox(tmp_path, datasets)

    assert [path.relative_to(tmp_path).as_posix() for path in paths] == [
        "partners/inbox/WEIJIAN/WEIJIAN_death_medical_certificate_20261123.csv",
        "partners/inbox/MINZHENG/MINZHENG_cremation_20261123.csv",
    ]
    for path in paths:
        data = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        text = data.decode("gb18030")
        assert text.startswith("公民身份号码,姓名,事件日期,结束日期,记录类型,")
        assert "\r\n" in text


@pytest.mark.parametrize(("item", "index"), [(DEATH_CERTIFICATE, 0), (CREMATION, 1)])
def test_inbox_files_pass_the_platforms_import_checks(datasets, tmp_path, item, index) -> None:
    path = write_inbox(tmp_path, datasets)[index]

    preview = preview_bytes(path.read_bytes(), PARTNER_EVENT_SCHEMA, as_of=AS_OF)

    assert preview.issues == []
    assert preview.encoding == "gb18030"
    assert preview.encoding_confident
    feed = datasets.feed(item).records()
    assert preview.rows_total == len(preview.valid_rows) == len(feed) > 0
    first = preview.valid_rows[0]
    id_field = "sfzh" if item == DEATH_CERTIFICATE else "SFZH"
    assert first["id_number"] == feed[0].fields[id_field]


def test_inbox_files_are_the_same_bytes_each_time(datasets, tmp_path) -> None:
    first = [path.read_bytes() for path in write_inbox(tmp_path / "a", datasets)]
    second = [path.read_bytes() for path in write_inbox(tmp_path / "b", datasets)]

    assert first == second


# --- registry ------------------------------------------------------------------------------


def registry(keys: dict[str, bytes], port: int = 8101) -> PartnerRegistry:
    entries = tuple(
        PartnerEntry(code, "public_security", f"{code}-130406", f"http://127.0.0.1:{port}", key)
        for code, key in keys.items()
    )
    return PartnerRegistry(OUR_CLIENT_ID, entries)


def test_the_registry_file_has_the_documented_format_and_mode_0600(tmp_path) -> None:
    path = registry_path(tmp_path)
    keys = shared_keys(None)

    write_registry(path, registry(keys))

    assert path == tmp_path / "partners" / "partners.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text("utf-8"))
    assert data["our_client_id"] == "SHEBAO-130406"
    assert [entry["department"] for entry in data["partners"]] == list(keys)
    first = data["partners"][0]
    assert set(first) == {"department", "kind", "client_id", "base_url", "key"}
    assert len(first["key"]) == 64 and bytes.fromhex(first["key"]) == keys["GONGAN"]


def test_keys_are_random_per_department_and_kept_on_restart(tmp_path) -> None:
    path = registry_path(tmp_path)
    keys = shared_keys(None)
    write_registry(path, registry(keys))

    kept = shared_keys(read_registry(path))
    write_registry(path, registry(kept, port=9101))

    assert kept == keys
    assert len(set(keys.values())) == len(keys) == 9  # six departments, three nodes
    assert all(len(key) == 32 for key in keys.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reread = read_registry(path)
    assert reread is not None
    assert reread.partners[0].base_url == "http://127.0.0.1:9101"


def test_an_existing_world_readable_registry_is_tightened_to_0600(tmp_path) -> None:
    path = registry_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    path.chmod(0o644)

    write_registry(path, registry(shared_keys(None)))

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_never_shows_in_a_printed_entry() -> None:
    entry = registry({"GONGAN": b"s" * 32}).partners[0]

    assert (b"s" * 32).hex() not in repr(entry)
    assert "sss" not in repr(entry)


def test_a_missing_registry_reads_as_none_and_a_broken_one_is_refused(tmp_path) -> None:
    path = registry_path(tmp_path)
    assert read_registry(path) is None

    path.parent.mkdir(parents=True)
    path.write_text('{"our_client_id": "S", "partners": [{"department": "GONGAN"}]}')

    with pytest.raises(InvalidInputError, match="格式错误"):
        read_registry(path)


# --- district manifest ---------------------------------------------------------------------


def test_the_manifest_round_trips(tmp_path) -> None:
    manifest = DistrictManifest(seed=9, persons=1234, as_of=AS_OF)

    path = write_manifest(tmp_path / "demo", manifest)

    assert path == tmp_path / "demo" / "district.json"
    assert json.loads(path.read_text("utf-8")) == {
        "seed": 9,
        "persons": 1234,
        "as_of": "2026-11-23",
    }
    assert read_manifest(tmp_path / "demo") == manifest
    assert read_manifest(tmp_path / "nothing") is None


def test_a_broken_manifest_is_refused_in_chinese(tmp_path) -> None:
    (tmp_path / "district.json").write_text('{"seed": "7"}')

    with pytest.raises(InvalidInputError, match="demo load"):
        read_manifest(tmp_path)


def test_demo_load_writes_the_manifest_of_the_district_it_loaded(services, settings, clock):
    summary = load_demo(services, seed=17, persons=40)

    assert summary.manifest == settings.data_dir / "demo" / "district.json"
    assert read_manifest(settings.data_dir / "demo") == DistrictManifest(
        seed=17, persons=40, as_of=clock.today()
    )
