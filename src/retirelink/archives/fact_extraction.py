"""Candidate facts (候选事实) read from the OCR lines of one archive page.

A page of a 招工登记表, 转正定级表, 干部履历表, 特殊工种审批表 or 入伍批准书 states the dates the
retirement rules rest on: birth (出生), start of work (参加工作), posts held, special-job periods
(井下 …), military service, joining the Party, graduation. This module finds them and says how
sure it is; a reviewer confirms or corrects every candidate before a determination uses it.

How a fact is found, from most to least trusted (the ``CONFIDENCE_*`` constants):

1. a **label with its value on the same line** (``出生年月 1965.3``);
2. a label whose value is in a **neighbouring box**: the line right of it on the same row, or
   the line below it (forms OCR'd into label and value cells), or, without boxes, the next line;
   a header row of several labels is paired in order with a value row of as many dates;
3. **free text**: a date followed by a keyword (``1983年7月参加工作``, ``1965年3月出生``,
   ``1978年12月入伍``, ``1983年7月毕业于…``, ``1990年5月调入…任…``) or a period with a
   special-job keyword (``1980年3月至1995年6月在XX矿井下采煤``);
4. a **resume row**: a period followed by a unit and post (``1983.07—1985.03 XX矿 技术员``).

The material type is a prior: facts a material usually states (a 招工登记表 states the birth
date and the start of work) weigh more, others less. Weak labels count only where the material
makes them plain: in a material that states a birth date, a bare ``出生`` label takes the first
date after it (a 招工登记表's ``出 生`` cell with ``1965.3`` beside it); ``起止时间`` is a
special-job period only in a 特殊工种审批表. The OCR score of the line scales the confidence.

Not facts: dates after 填表日期, 批准日期, 签发日期 and the like; anything on a family row
(父亲, 母亲, 配偶, 家庭主要成员 …) — their birth dates are not the person's; 出生地.

The kinds of fact and the value type are in ``fact_kinds``, the labels, priors and keywords in
``fact_patterns``, reading a line and locating a neighbouring box in ``fact_lines``; this module
holds the confidence levels and the passes over a page.

Pure: no I/O. ``reference_year`` resolves two-digit years (see ``chinese_dates``): pass the
year the material was formed when known, otherwise the current year from the clock.
"""

from collections.abc import Sequence

from retirelink.archives.chinese_dates import find_dates, normalise_text
from retirelink.archives.fact_kinds import Box, ExtractedFact, FactKind
from retirelink.archives.fact_lines import (
    CLAUSE_END,
    Item,
    LabelHit,
    Line,
    clause,
    clean,
    compact,
    date_just_before,
    inside,
    line_below,
    line_items,
    line_right_of,
    line_snippet,
    next_start,
    overlaps,
)
from retirelink.archives.fact_patterns import (
    BEFORE_BIRTH,
    DETAIL_LABELS,
    EXPECTED_KINDS,
    FAMILY_ROW,
    FREE_TEXT,
    LABELS,
    MILITARY_WORDS,
    SPECIAL_WORDS,
    STUDY_WORDS,
    TITLE_LINE,
    UNIT_WORDS,
    LabelSpec,
    Slot,
)
from retirelink.archives.holdings import FuzzyDate, OcrLine
from retirelink.archives.material_classes import MaterialType

CONFIDENCE_LABEL_SAME_LINE = 0.9
CONFIDENCE_LABEL_RIGHT = 0.8
CONFIDENCE_LABEL_BELOW = 0.75
CONFIDENCE_LABEL_NEXT_LINE = 0.65
CONFIDENCE_FREE_TEXT = 0.55
CONFIDENCE_RESUME_ROW = 0.45
# A material that usually states the fact weighs it up; one that does not, down.
PRIOR_EXPECTED = 1.05
PRIOR_UNEXPECTED = 0.85


def extract_facts(
    lines: Sequence[OcrLine], material_type: MaterialType, *, reference_year: int
) -> list[ExtractedFact]:
    """The candidate facts on one page, in reading order (line, then position in the line)."""
    page = _Page(lines, material_type, reference_year)
    return page.extract()


class _Page:
    def __init__(
        self, lines: Sequence[OcrLine], material_type: MaterialType, reference_year: int
    ) -> None:
        self.expected = EXPECTED_KINDS.get(material_type)
        self.lines = [
            self._read_line(index, line, reference_year) for index, line in enumerate(lines)
        ]
        self.claimed: set[tuple[int, int]] = set()  # (line index, item start)
        self.facts: list[ExtractedFact] = []

    # ---------------------------------------------------------------------------- reading

    def _read_line(self, index: int, line: OcrLine, reference_year: int) -> Line:
        text = normalise_text(line.text)
        family = FAMILY_ROW.search(text) is not None
        labels = [] if family else self._labels(text)
        items = line_items(text, find_dates(line.text, reference_year=reference_year))
        return Line(index, line, text, items, labels, family)

    def _labels(self, text: str) -> list[LabelHit]:
        hits = [
            LabelHit(spec, match.span(), match.group())
            for spec in LABELS
            if self._applies(spec)
            for match in spec.pattern.finditer(text)
        ]
        hits.sort(key=lambda hit: (hit.span[0], hit.span[0] - hit.span[1]))
        chosen: list[LabelHit] = []
        for hit in hits:
            if not chosen or hit.span[0] >= chosen[-1].span[1]:
                chosen.append(hit)
        return chosen

    def _applies(self, spec: LabelSpec) -> bool:
        if not spec.weak:
            return True
        return self.expected is not None and spec.kind in self.expected

    # ---------------------------------------------------------------------------- passes

    def extract(self) -> list[ExtractedFact]:
        pending = [
            (line, hit, self._segment(line, position))
            for line in self.lines
            for position, hit in enumerate(line.labels)
        ]
        for line, hit, segment in pending:
            self._same_line(line, hit, segment)
        for line in self.lines:
            self._neighbours(line)
        for line in self.lines:
            self._free_text(line)
        return sorted(self.facts, key=lambda fact: (fact.line_index, fact.span))

    def _segment(self, line: Line, position: int) -> tuple[int, int]:
        start = line.labels[position].span[1]
        following = line.labels[position + 1 :]
        return (start, following[0].span[0] if following else len(line.text))

    def _same_line(self, line: Line, hit: LabelHit, segment: tuple[int, int]) -> None:
        if hit.spec.weak and date_just_before(line, hit.span[0]):
            return  # 1965年3月出生: prose with the date before the word, not a form label
        for item in line.items:
            if CLAUSE_END.search(line.text, segment[0], max(segment[0], item.span[0])):
                return  # the value of a label is in its own clause
            if segment[0] <= item.span[0] < segment[1] and not self._is_claimed(line, item):
                self._claim(line, item)
                if hit.spec.kind is not None:
                    detail = clean(line.text[item.span[1] : segment[1]])
                    self._add_label_fact(
                        hit, line, item, CONFIDENCE_LABEL_SAME_LINE, line_snippet(line), detail
                    )
                return

    def _neighbours(self, line: Line) -> None:
        """Labels without a value on their line take it from the line right of or below them."""
        if any(not self._is_claimed(line, item) for item in line.items):
            return  # a date on the label's own line that no label took: prose, not a form
        waiting = [
            hit
            for position, hit in enumerate(line.labels)
            if hit.spec.form and not inside(line.items, self._segment(line, position))
        ]
        if not waiting:
            return
        found = self._value_line(line)
        if found is None:
            return
        value, confidence = found
        free = [item for item in value.items if not self._is_claimed(value, item)]
        if len(free) != len(waiting):
            return
        for hit, item in zip(waiting, free, strict=True):
            self._claim(value, item)
            if hit.spec.kind is not None:
                snippet = f"{compact(hit.text)}：{value.source.text.strip()}"
                detail = clean(value.text[item.span[1] : next_start(value, item)])
                self._add_label_fact(hit, value, item, confidence, snippet, detail)

    def _value_line(self, label: Line) -> tuple[Line, float] | None:
        box = label.source.box
        candidates = [
            line
            for line in self.lines
            if line.index != label.index and line.items and not line.labels and not line.family
        ]
        if box is None:
            following = [line for line in candidates if line.index == label.index + 1]
            return (following[0], CONFIDENCE_LABEL_NEXT_LINE) if following else None
        boxed = [line for line in candidates if line.source.box is not None]
        right = line_right_of(box, boxed, self._label_boxes(label))
        if right is not None:
            return right, CONFIDENCE_LABEL_RIGHT
        below = line_below(box, boxed, self._label_boxes(label))
        return (below, CONFIDENCE_LABEL_BELOW) if below is not None else None

    def _label_boxes(self, exclude: Line) -> list[Box]:
        return [
            line.source.box
            for line in self.lines
            if line.labels and line.index != exclude.index and line.source.box is not None
        ]

    def _free_text(self, line: Line) -> None:
        if line.family:
            return
        for position, item in enumerate(line.items):
            if self._is_claimed(line, item):
                continue
            after = clause(line.text[item.span[1] : next_start(line, item)])
            before = line.text[line.items[position - 1].span[1] if position else 0 : item.span[0]]
            found = self._classify(item, after, before)
            if found is None:
                continue
            kind, slot, confidence = found
            self._claim(line, item)
            detail = "" if kind is FactKind.BIRTH_DATE else clean(after)
            self._add(kind, slot, line, item, confidence, line_snippet(line), detail)

    def _classify(self, item: Item, after: str, before: str) -> tuple[FactKind, Slot, float] | None:
        if item.end is not None or item.span[1] > item.start.span[1]:
            return self._classify_period(after)
        if BEFORE_BIRTH.search(before):
            return FactKind.BIRTH_DATE, Slot.START, CONFIDENCE_FREE_TEXT
        for pattern, kind, slot in FREE_TEXT:
            if pattern.search(after):
                return kind, slot, CONFIDENCE_FREE_TEXT
        return None

    def _classify_period(self, after: str) -> tuple[FactKind, Slot, float] | None:
        if SPECIAL_WORDS.search(after):
            return FactKind.SPECIAL_JOB_PERIOD, Slot.RANGE, CONFIDENCE_FREE_TEXT
        if MILITARY_WORDS.search(after):
            return FactKind.MILITARY_SERVICE, Slot.RANGE, CONFIDENCE_FREE_TEXT
        if STUDY_WORDS.search(after):
            return FactKind.EDUCATION, Slot.RANGE, CONFIDENCE_FREE_TEXT
        if UNIT_WORDS.search(after):
            return FactKind.JOB_CHANGE, Slot.RANGE, CONFIDENCE_RESUME_ROW
        return None

    # ---------------------------------------------------------------------------- facts

    def _is_claimed(self, line: Line, item: Item) -> bool:
        return (line.index, item.span[0]) in self.claimed

    def _claim(self, line: Line, item: Item) -> None:
        self.claimed.add((line.index, item.span[0]))

    def _add_label_fact(
        self,
        hit: LabelHit,
        line: Line,
        item: Item,
        confidence: float,
        snippet: str,
        detail: str,
    ) -> None:
        kind = hit.spec.kind
        assert kind is not None
        page_detail = self._page_detail(kind)
        if page_detail and page_detail not in detail:
            detail = "，".join(part for part in (detail, page_detail) if part)
        self._add(kind, hit.spec.slot, line, item, confidence, snippet, detail)

    def _add(
        self,
        kind: FactKind,
        slot: Slot,
        line: Line,
        item: Item,
        base: float,
        snippet: str,
        detail: str,
    ) -> None:
        start: FuzzyDate | None
        end: FuzzyDate | None
        if slot is Slot.END and item.end is None and item.span[1] == item.start.span[1]:
            start, end = None, item.start.date
        else:
            start, end = item.start.date, item.end.date if item.end else None
        self.facts.append(
            ExtractedFact(
                kind=kind,
                start=start,
                end=end,
                detail=detail,
                line_index=line.index,
                span=item.span,
                box=line.source.box,
                snippet=snippet,
                confidence=self._confidence(kind, base, line.source.score),
            )
        )

    def _confidence(self, kind: FactKind, base: float, score: float) -> float:
        prior = 1.0
        if self.expected is not None:
            prior = PRIOR_EXPECTED if kind in self.expected else PRIOR_UNEXPECTED
        ocr = 0.7 + 0.3 * min(1.0, max(0.0, score))
        return round(min(0.99, base * prior) * ocr, 3)

    def _page_detail(self, kind: FactKind) -> str:
        """The school, job type, unit or post stated elsewhere on the page (工种名称 井下采煤)."""
        pattern = DETAIL_LABELS.get(kind)
        if pattern is None:
            return ""
        values: list[str] = []
        for line in self.lines:
            if line.family or TITLE_LINE.match(compact(line.text).strip()):
                continue
            matches = [
                match.span()
                for match in pattern.finditer(line.text)
                if not any(overlaps(match.span(), hit.span) for hit in line.labels)
            ]
            for span in matches:
                others = [other[0] for other in matches if other[0] >= span[1]]
                value = self._detail_value(line, span[1], others)
                if value and value not in values:
                    values.append(value)
        return "，".join(values)

    def _detail_value(self, line: Line, start: int, stops: list[int]) -> str:
        stops = stops + [hit.span[0] for hit in line.labels if hit.span[0] >= start]
        stops += [item.span[0] for item in line.items if item.span[0] >= start]
        value = clean(line.text[start : min(stops, default=len(line.text))])
        if value:
            return value
        following = [
            other
            for other in self.lines
            if other.index == line.index + 1 and not other.labels and not other.items
        ]
        return clean(following[0].text) if following else ""
