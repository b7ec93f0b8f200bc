"""Change feeds: pages strictly after the cursor, in seq order; appends continue the numbers."""

import pytest

from retirelink.errors import InvalidInputError
from retirelink.partners.feeds import MAX_LIMIT, Feed


def feed(count: int) -> Feed:
    return Feed("x.item", ("a", "b"), ({"a": str(n), "b": "v"} for n in range(1, count + 1)))


def test_a_page_holds_the_records_strictly_after_the_cursor() -> None:
    page = feed(10).page(after=3, limit=4)

    assert [record.seq for record in page.records] == [4, 5, 6, 7]
    assert [record.fields["a"] for record in page.records] == ["4", "5", "6", "7"]
    assert page.next_after == 7
    assert page.has_more


def test_walking_the_pages_visits_every_record_once() -> None:
    source = feed(23)
    seen: list[int] = []
    after, more = 0, True
    while more:
        page = source.page(after, 5)
        seen += [record.seq for record in page.records]
        after, more = page.next_after, page.has_more

    assert seen == list(range(1, 24))


def test_the_last_page_says_there_is_no_more() -> None:
    page = feed(10).page(after=8, limit=5)

    assert [record.seq for record in page.records] == [9, 10]
    assert not page.has_more
    assert page.next_after == 10


def test_an_empty_page_keeps_the_cursor() -> None:
    page = feed(3).page(after=3, limit=5)

    assert page.records == ()
    assert page.next_after == 3
    assert not page.has_more


def test_appended_records_come_after_the_cursor_a_consumer_holds() -> None:
    source = feed(3)
    cursor = source.page(0, 100).next_after

    seqs = source.append([{"a": "new", "b": "v"}])

    assert seqs == [4]
    page = source.page(cursor, 100)
    assert [(r.seq, r.fields["a"]) for r in page.records] == [(4, "new")]


def test_a_record_with_other_fields_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="记录字段"):
        feed(1).append([{"a": "1"}])


@pytest.mark.parametrize(("after", "limit"), [(-1, 10), (0, 0), (0, MAX_LIMIT + 1)])
def test_bad_cursor_or_limit_is_refused(after: int, limit: int) -> None:
    with pytest.raises(InvalidInputError):
        feed(3).page(after, limit)


def test_a_record_serialises_with_its_seq_first() -> None:
    record = feed(1).records()[0]

    assert record.to_dict() == {"seq": 1, "a": "1", "b": "v"}
