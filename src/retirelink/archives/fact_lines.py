"""A page's OCR lines as the fact extractor reads them, and where a label's value sits.

A ``Line`` is one OCR line, normalised, with its dates grouped by ``line_items`` (each an
``Item``: a date, or a period of two dates or of a date and 至今), the form labels found in it
(``LabelHit``) and whether it is a family row. ``line_right_of`` and ``line_below`` find the box
a label's value was OCR'd into on a form; the rest are the small text helpers the extraction
passes share (clauses, cleaned details, snippets, spans).

Pure: no I/O.
"""

import re
from dataclasses import dataclass

from retirelink.archives.chinese_dates import DateMatch
from retirelink.archives.fact_kinds import Box
from retirelink.archives.fact_patterns import LabelSpec
from retirelink.archives.holdings import OcrLine

_RANGE_JOIN = re.compile(r"[ ]*(?:起至|至|到|-|~|～|一)[ ]*")
_UNTIL_NOW = re.compile(r"[ ]*(?:-|~|～|一)?[ ]*(?:至|到)?[ ]*(?:今|现在)")
CLAUSE_END = re.compile(r"[，,；;。]")


@dataclass(frozen=True)
class Item:
    """A date or a period (two dates, or a date and 至今) in one line."""

    start: DateMatch
    end: DateMatch | None
    span: tuple[int, int]


@dataclass(frozen=True)
class LabelHit:
    spec: LabelSpec
    span: tuple[int, int]
    text: str


@dataclass
class Line:
    index: int
    source: OcrLine
    text: str  # normalised
    items: list[Item]
    labels: list[LabelHit]
    family: bool


def line_items(text: str, dates: list[DateMatch]) -> list[Item]:
    """Dates grouped into periods: 1980年3月至1995年6月, 1983.07—1985.03, 1990.5-至今."""
    items: list[Item] = []
    position = 0
    while position < len(dates):
        first = dates[position]
        following = dates[position + 1] if position + 1 < len(dates) else None
        if following and _RANGE_JOIN.fullmatch(text[first.span[1] : following.span[0]]):
            items.append(Item(first, following, (first.span[0], following.span[1])))
            position += 2
            continue
        until_now = _UNTIL_NOW.match(text, first.span[1])
        end = until_now.end() if until_now else first.span[1]
        items.append(Item(first, None, (first.span[0], end)))
        position += 1
    return items


def line_right_of(box: Box, lines: list[Line], label_boxes: list[Box]) -> Line | None:
    """The nearest line on the same row to the right, with no other label between."""
    height = max(1, box[3] - box[1])
    middle = (box[1] + box[3]) / 2

    def on_row(other: Box) -> bool:
        return abs((other[1] + other[3]) / 2 - middle) <= height * 0.6

    row = [
        line
        for line in lines
        if line.source.box is not None
        and on_row(line.source.box)
        and line.source.box[0] >= box[2] - height // 2
    ]
    row.sort(key=lambda line: _box(line)[0])
    if not row:
        return None
    nearest = row[0]
    blocked = any(
        on_row(other) and box[2] - height // 2 <= other[0] < _box(nearest)[0]
        for other in label_boxes
    )
    return None if blocked else nearest


def line_below(box: Box, lines: list[Line], label_boxes: list[Box]) -> Line | None:
    """The nearest line below that shares the label's columns, with no other label between."""
    height = max(1, box[3] - box[1])

    def under(other: Box) -> bool:
        shares_columns = min(box[2], other[2]) - max(box[0], other[0]) > 0
        return shares_columns and box[1] + height // 2 < other[1] <= box[3] + 3 * height

    column = sorted((line for line in lines if under(_box(line))), key=lambda one: _box(one)[1])
    if not column:
        return None
    nearest = column[0]
    blocked = any(under(other) and other[1] < _box(nearest)[1] for other in label_boxes)
    return None if blocked else nearest


def _box(line: Line) -> Box:
    box = line.source.box
    assert box is not None
    return box


def next_start(line: Line, item: Item) -> int:
    later = [other.span[0] for other in line.items if other.span[0] >= item.span[1]]
    return min(later, default=len(line.text))


def date_just_before(line: Line, position: int) -> bool:
    return any(
        item.span[1] <= position and not line.text[item.span[1] : position].strip(" 于在")
        for item in line.items
    )


def inside(items: list[Item], segment: tuple[int, int]) -> bool:
    return any(segment[0] <= item.span[0] < segment[1] for item in items)


def overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


def clause(text: str) -> str:
    match = CLAUSE_END.search(text)
    return text[: match.start()] if match else text


def clean(text: str) -> str:
    return clause(text).strip(" ：:，,、。.()（）|｜").strip()


def compact(text: str) -> str:
    return text.replace(" ", "")


def line_snippet(line: Line) -> str:
    return line.source.text.strip()
