"""Reading a partner's ``GET /api/changes`` answer: every shape problem is caught, in 中文."""

from typing import Any

import pytest

from retirelink.errors import InvalidInputError, PartnerResponseError
from retirelink.exchange.digests import batch_digest
from retirelink.exchange.sources.http_api import parse_changes
from retirelink.exchange.sources.watermarks import parse_watermark

ITEM = "justice.prisoners_in_custody"
SOURCE = f"{ITEM}@http"


def answer(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "item": ITEM,
        "records": [
            {"seq": 11, "zjhm": "13040619600101011X", "xm": "王五", "sfrq": None},
            {"seq": 14, "zjhm": "13040619600101022X", "xm": "赵六", "sfrq": "20261201"},
        ],
        "next_after": 14,
        "has_more": False,
    }
    return {**base, **overrides}


def parse(data: dict[str, Any], *, after: str | None = "10", limit: int = 5):
    return parse_changes(data, source=SOURCE, item=ITEM, after=after, limit=limit)


def test_a_good_answer_becomes_a_batch_with_nulls_dropped_and_seq_as_position():
    batch = parse(answer())

    assert [record.position for record in batch.records] == ["11", "14"]
    assert batch.records[0].fields == {"zjhm": "13040619600101011X", "xm": "王五"}
    assert batch.records[1].fields["sfrq"] == "20261201"
    assert (batch.source, batch.after, batch.next_after, batch.has_more) == (
        SOURCE,
        "10",
        "14",
        False,
    )
    assert batch.digest == batch_digest(batch.records)


def test_an_empty_answer_keeps_the_cursor():
    batch = parse(answer(records=[], next_after=None))

    assert (batch.records, batch.next_after) == ((), "10")


def test_next_after_may_be_a_string_of_digits_and_ahead_of_the_last_record():
    assert parse(answer(next_after="20")).next_after == "20"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"item": "public_security.death_cancellation"}, "与请求的"),
        ({"records": {"seq": 11}}, "records 应为数组"),
        ({"records": [["seq", 11]]}, "第 1 条记录不是 JSON 对象"),
        ({"records": [{"xm": "王五"}]}, "第 1 条记录的 seq 缺失或不是整数"),
        ({"records": [{"seq": True}]}, "第 1 条记录的 seq 缺失或不是整数"),
        ({"records": [{"seq": 11.0}]}, "第 1 条记录的 seq 缺失或不是整数"),
        ({"records": [{"seq": 10}]}, "不在游标 10 之后"),
        (
            {"records": [{"seq": 12}, {"seq": 12}], "next_after": 12},
            "第 2 条记录的 seq 12 未按顺序",
        ),
        ({"records": [{"seq": 13}, {"seq": 12}]}, "第 2 条记录的 seq 12 未按顺序"),
        ({"records": [{"seq": 11, "xb": 1}]}, "第 1 条记录的字段 xb 应为字符串或 null"),
        ({"records": [{"seq": 11, "zm": ["x"]}]}, "字段 zm 应为字符串或 null"),
        ({"next_after": 13}, "next_after 13 落后于已返回的序号 14"),
        ({"records": [], "next_after": 9}, "next_after 9 落后"),
        ({"next_after": None}, "返回了记录但 next_after 为空"),
        ({"next_after": "14a"}, "next_after 应为整数序号"),
        ({"next_after": False}, "next_after 应为整数序号"),
        ({"has_more": "false"}, "has_more 应为布尔值"),
        ({"records": [], "next_after": 10, "has_more": True}, "游标也未前进"),
    ],
)
def test_a_malformed_answer_is_refused_with_the_reason(overrides, message):
    with pytest.raises(PartnerResponseError, match=message):
        parse(answer(**overrides))


def test_more_records_than_asked_for_is_refused():
    with pytest.raises(PartnerResponseError, match="超过请求的上限 1 条"):
        parse(answer(), limit=1)


def test_from_the_start_any_first_sequence_number_is_accepted():
    batch = parse(answer(records=[{"seq": 0}], next_after=0), after=None)

    assert (batch.records[0].position, batch.next_after) == ("0", "0")


@pytest.mark.parametrize("cursor", ["", "abc", "1.5", "١٢", "--3"])
def test_a_cursor_that_is_not_an_integer_is_invalid_input(cursor):
    with pytest.raises(InvalidInputError, match="不是整数序号"):
        parse_watermark(cursor)


def test_cursors_are_read_as_integers():
    assert [parse_watermark(value) for value in (None, "0", " 42 ", "-7")] == [None, 0, 42, -7]
