"""The timestamp watermark's text form (更新时间水位) and the registry fields that choose it."""

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from retirelink.errors import InvalidInputError
from retirelink.exchange.model import WatermarkKind
from retirelink.exchange.registry import FeedSpec, parse_registry
from retirelink.exchange.sources.watermarks import (
    MAX_CURSOR_LENGTH,
    TimestampCursor,
    format_timestamp_cursor,
    parse_timestamp_cursor,
    partner_instant,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_cursor_is_the_utc_instant_to_the_microsecond_then_the_key():
    local = datetime(2026, 11, 1, 8, 31, tzinfo=SHANGHAI)

    assert format_timestamp_cursor(local, 1234) == "2026-11-01T00:31:00.000000Z#1234"
    assert format_timestamp_cursor(local + timedelta(microseconds=7), "A-9") == (
        "2026-11-01T00:31:00.000007Z#A-9"
    )


def test_a_naive_datetime_cannot_be_a_cursor():
    with pytest.raises(ValueError):
        format_timestamp_cursor(datetime(2026, 11, 1, 8, 31), 1)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("at", "key", "key_type"),
    [
        (datetime(2026, 11, 1, 0, 31, tzinfo=UTC), 1234, int),
        (datetime(2026, 11, 1, 0, 31, 0, 999_999, tzinfo=UTC), -5, int),
        (datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=UTC), "ZF#2026#7", str),
        (datetime(2026, 11, 1, tzinfo=UTC), "", str),
        (datetime(2026, 11, 1, tzinfo=UTC), "王𠮷 ", str),
    ],
)
def test_a_cursor_reads_back_exactly_even_with_hashes_in_a_text_key(at, key, key_type):
    text = format_timestamp_cursor(at, key)

    assert parse_timestamp_cursor(text, key_type=key_type) == TimestampCursor(at, key)
    assert str(TimestampCursor(at, key)) == text


@pytest.mark.parametrize(
    "cursor",
    [
        "1234",  # an integer cursor left from the sequence mode
        "",
        "2026-11-01T00:31:00Z#1",  # no microseconds
        "2026-11-01T00:31:00.000000#1",  # no Z
        "2026-11-01T00:31:00.000000+08:00#1",  # not UTC
        "2026-11-01 00:31:00.000000Z#1",  # a space
        "2026-11-01T00:31:00.000000Z",  # no key
        "2026-13-01T00:31:00.000000Z#1",  # no 13th month
        "2026-11-31T00:31:00.000000Z#1",  # no 31 November
        " 2026-11-01T00:31:00.000000Z#1",
        "２０２６-11-01T00:31:00.000000Z#1",  # full-width digits
    ],
)
def test_a_malformed_cursor_is_refused_in_chinese(cursor):
    with pytest.raises(InvalidInputError, match="不是更新时间水位") as raised:
        parse_timestamp_cursor(cursor, key_type=str)

    assert raised.value.field == "after"
    assert "restart-feed" in raised.value.message


@pytest.mark.parametrize("key", ["abc", "", "1.5", "١٢", "+3", " 7"])
def test_an_integer_key_must_be_decimal(key):
    with pytest.raises(InvalidInputError, match=re.escape(f"比对键“{key}”不是整数")):
        parse_timestamp_cursor(f"2026-11-01T00:31:00.000000Z#{key}", key_type=int)


def test_a_timestamp_without_a_zone_is_in_the_partners_zone_and_one_with_a_zone_as_given():
    naive = datetime(2026, 11, 1, 8, 31)  # noqa: DTZ001 - as a partner's column holds it
    tokyo = datetime(2026, 11, 1, 9, 31, tzinfo=timezone(timedelta(hours=9)))

    assert partner_instant(naive, SHANGHAI) == datetime(2026, 11, 1, 0, 31, tzinfo=UTC)
    assert partner_instant(naive, ZoneInfo("UTC")) == datetime(2026, 11, 1, 8, 31, tzinfo=UTC)
    assert partner_instant(tokyo, SHANGHAI) == datetime(2026, 11, 1, 0, 31, tzinfo=UTC)


def test_no_position_the_source_can_produce_is_too_long_for_the_cursor_column_by_format():
    longest_key = "x" * (MAX_CURSOR_LENGTH - len("2026-11-01T00:31:00.000000Z#"))
    at = datetime(2026, 11, 1, tzinfo=UTC)

    assert len(format_timestamp_cursor(at, longest_key)) == MAX_CURSOR_LENGTH


# --- the registry fields ----------------------------------------------------------------------

KEY = "ab" * 16


def registry_with(feed: dict[str, object]) -> FeedSpec:
    document = {
        "partners": [
            {
                "department": "SIFA",
                "kind": "justice",
                "client_id": "SIFA-1",
                "base_url": "http://127.0.0.1:9",
                "key": KEY,
                "feeds": [feed],
            }
        ]
    }
    (spec,) = parse_registry(document).feeds
    return spec


TABLE = {
    "item": "justice.prisoners_in_custody",
    "via": "table",
    "database_url": "sqlite:///x.db",
    "table": "zf_changes",
}


def test_an_existing_table_feed_keeps_the_integer_watermark():
    spec = registry_with({**TABLE, "watermark": "seq"})

    assert (spec.watermark, spec.watermark_kind) == ("seq", WatermarkKind.INTEGER)
    assert spec.name == "justice.prisoners_in_custody@table"


def test_a_timestamp_feed_reads_its_columns_lag_and_zone_with_defaults():
    spec = registry_with(
        {**TABLE, "watermark": "gxsj", "watermark_kind": "timestamp", "tiebreak": "id"}
    )
    tuned = registry_with(
        {
            **TABLE,
            "watermark": "gxsj",
            "watermark_kind": "timestamp",
            "tiebreak": "id",
            "settle_seconds": 30,
            "timezone": "Asia/Urumqi",
        }
    )

    assert (spec.watermark_kind, spec.watermark, spec.tiebreak) == (
        WatermarkKind.TIMESTAMP,
        "gxsj",
        "id",
    )
    assert (spec.settle_seconds, spec.timezone) == (5.0, "Asia/Shanghai")
    assert (tuned.settle_seconds, tuned.timezone) == (30.0, "Asia/Urumqi")
    assert spec.name == "justice.prisoners_in_custody@table"  # the cursor's key is unchanged


TIMESTAMP = {**TABLE, "watermark": "gxsj", "watermark_kind": "timestamp", "tiebreak": "id"}


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        ({**TABLE, "watermark_kind": "time"}, "watermark_kind 只能是 integer"),
        ({**TABLE, "watermark": "seq", "tiebreak": "id"}, "tiebreak 只用于更新时间水位"),
        ({**TABLE, "settle_seconds": 5}, "settle_seconds 只用于更新时间水位"),
        ({**TABLE, "watermark_kind": "timestamp", "tiebreak": "id"}, "须填写 watermark"),
        ({**TIMESTAMP, "tiebreak": ""}, "须填写 watermark（更新时间列）和 tiebreak"),
        ({**TIMESTAMP, "tiebreak": "gxsj"}, "tiebreak 应为更新时间列以外"),
        ({**TIMESTAMP, "settle_seconds": -1}, "settle_seconds 应为 0 到 86400"),
        ({**TIMESTAMP, "settle_seconds": "5"}, "settle_seconds 应为"),
        ({**TIMESTAMP, "settle_seconds": True}, "settle_seconds 应为"),
        ({**TIMESTAMP, "settle_seconds": 90_000}, "settle_seconds 应为"),
        ({**TIMESTAMP, "timezone": "Beijing"}, "timezone 不是已知时区"),
        ({**TIMESTAMP, "timezone": ""}, "timezone 不是已知时区"),
        (
            {"item": "justice.prisoners_in_custody", "via": "api", "watermark_kind": "timestamp"},
            "只用于库表同步",
        ),
    ],
)
def test_a_bad_watermark_setting_is_refused_in_chinese(feed, message):
    with pytest.raises(InvalidInputError, match=message):
        registry_with(feed)
