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

Pure: no I/O. ``reference_year`` resolves two-digit years (see ``chinese_dates``): pass the
year the material was formed when known, otherwise the current year from the clock.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from retirelink.archives.chinese_dates import DateMatch, find_dates, normalise_text
from retirelink.archives.holdings import FuzzyDate, OcrLine
from retirelink.archives.material_classes import MaterialType

Box = tuple[int, int, int, int]

CONFIDENCE_LABEL_SAME_LINE = 0.9
CONFIDENCE_LABEL_RIGHT = 0.8
CONFIDENCE_LABEL_BELOW = 0.75
CONFIDENCE_LABEL_NEXT_LINE = 0.65
CONFIDENCE_FREE_TEXT = 0.55
CONFIDENCE_RESUME_ROW = 0.45
# A material that usually states the fact weighs it up; one that does not, down.
PRIOR_EXPECTED = 1.05
PRIOR_UNEXPECTED = 0.85


class FactKind(StrEnum):
    BIRTH_DATE = "birth_date"
    WORK_START = "work_start"
    JOB_CHANGE = "job_change"
    SPECIAL_JOB_PERIOD = "special_job_period"
    MILITARY_SERVICE = "military_service"
    PARTY_JOIN = "party_join"
    EDUCATION = "education"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    FactKind.BIRTH_DATE: "出生日期",
    FactKind.WORK_START: "参加工作时间",
    FactKind.JOB_CHANGE: "岗位/职务变动",
    FactKind.SPECIAL_JOB_PERIOD: "特殊工种期间",
    FactKind.MILITARY_SERVICE: "服役期间",
    FactKind.PARTY_JOIN: "入党时间",
    FactKind.EDUCATION: "学历",
}


@dataclass(frozen=True)
class ExtractedFact:
    """A candidate fact: what it is, its dates, and where on the page it was read.

    ``start``/``end``: a single date (birth, start of work, joining the Party, 入伍) is
    ``start``; a date that ends something (毕业, 退伍) is ``end``; a period has both.
    ``line_index``, ``span`` and ``box`` locate the date (the value, not the label) in the OCR
    lines; ``snippet`` is the text a reviewer reads (the label and its value when they were on
    different lines). ``detail`` is the post, unit, school or job type stated with the date.
    """

    kind: FactKind
    start: FuzzyDate | None
    end: FuzzyDate | None
    detail: str
    line_index: int
    span: tuple[int, int]
    box: Box | None
    snippet: str
    confidence: float


class _Slot(StrEnum):
    START = "start"
    END = "end"
    RANGE = "range"


@dataclass(frozen=True)
class _LabelSpec:
    kind: FactKind | None  # None: a date that is no fact (填表日期 …), claimed and left out
    slot: _Slot
    pattern: re.Pattern[str]
    form: bool  # may take its value from a neighbouring line
    weak: bool  # only a label in a material that usually states this kind of fact


def _spaced(word: str) -> str:
    return "[ ]*".join(re.escape(char) for char in word)


def _words(words: Iterable[str], guard: str = "") -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("(?:" + "|".join(_spaced(word) for word in ordered) + ")" + guard)


def _label(
    kind: FactKind | None,
    slot: _Slot,
    words: Iterable[str],
    *,
    form: bool = True,
    weak: bool = False,
    guard: str = "",
) -> _LabelSpec:
    return _LabelSpec(kind, slot, _words(words, guard), form, weak)


_K = FactKind
_LABELS: tuple[_LabelSpec, ...] = (
    _label(
        _K.BIRTH_DATE, _Slot.START, ("出生年月日", "出生年月", "出生日期", "出生时间", "出生年份")
    ),
    _label(_K.BIRTH_DATE, _Slot.START, ("出生于", "生于"), form=False),
    _label(_K.BIRTH_DATE, _Slot.START, ("出生",), weak=True, guard="(?![ ]*(?:地|证))"),
    _label(
        _K.WORK_START,
        _Slot.START,
        (
            "参加工作时间",
            "参加工作日期",
            "参加工作年月",
            "参加革命工作时间",
            "入厂时间",
            "入厂日期",
            "进厂时间",
            "进厂日期",
            "招工时间",
            "招工日期",
            "工作起始时间",
            "工作起始日期",
            "工作起始",
            "录用时间",
            "录用日期",
        ),
    ),
    _label(_K.PARTY_JOIN, _Slot.START, ("入党时间", "入党日期", "入党年月", "加入中国共产党时间")),
    _label(_K.EDUCATION, _Slot.END, ("毕业时间", "毕业日期", "毕业年月")),
    _label(_K.EDUCATION, _Slot.START, ("入学时间", "入学日期", "入学年月")),
    _label(_K.EDUCATION, _Slot.RANGE, ("学习起止时间", "在校时间", "学习时间")),
    _label(
        _K.MILITARY_SERVICE,
        _Slot.START,
        ("批准入伍时间", "入伍时间", "入伍日期", "入伍年月", "参军时间"),
    ),
    _label(
        _K.MILITARY_SERVICE,
        _Slot.END,
        ("退伍时间", "退伍日期", "复员时间", "退役时间", "转业时间"),
    ),
    _label(_K.MILITARY_SERVICE, _Slot.RANGE, ("服役起止时间", "服役时间", "服役期间")),
    _label(
        _K.SPECIAL_JOB_PERIOD,
        _Slot.RANGE,
        (
            "从事特殊工种起止时间",
            "从事特殊工种期间",
            "从事特殊工种时间",
            "特殊工种起止时间",
            "特殊工种工作时间",
            "从事井下工作时间",
            "井下工作时间",
        ),
    ),
    _label(_K.SPECIAL_JOB_PERIOD, _Slot.RANGE, ("起止时间", "起止日期"), weak=True),
    _label(
        _K.JOB_CHANGE,
        _Slot.START,
        ("调入时间", "调动时间", "任职时间", "转正定级时间", "转正时间", "定级时间"),
    ),
    _label(
        None,
        _Slot.START,
        (
            "填表日期",
            "填表时间",
            "填报日期",
            "批准日期",
            "批准时间",
            "审批日期",
            "审批时间",
            "签发日期",
            "发证日期",
            "报到日期",
            "报到时间",
            "制表日期",
        ),
    ),
)

# What a material usually states: the prior for each kind of fact.
_EXPECTED: dict[MaterialType, frozenset[FactKind]] = {
    MaterialType.RECRUITMENT_REGISTRATION: frozenset({_K.BIRTH_DATE, _K.WORK_START, _K.EDUCATION}),
    MaterialType.REGULARISATION_GRADING: frozenset({_K.BIRTH_DATE, _K.WORK_START, _K.JOB_CHANGE}),
    MaterialType.SPECIAL_JOB_APPROVAL: frozenset(
        {_K.SPECIAL_JOB_PERIOD, _K.BIRTH_DATE, _K.WORK_START}
    ),
    MaterialType.ENLISTMENT: frozenset({_K.MILITARY_SERVICE, _K.BIRTH_DATE}),
    MaterialType.DISCHARGE: frozenset({_K.MILITARY_SERVICE, _K.BIRTH_DATE}),
    MaterialType.PARTY_MEMBERSHIP: frozenset({_K.PARTY_JOIN, _K.BIRTH_DATE, _K.WORK_START}),
    MaterialType.STUDENT_REGISTRATION: frozenset({_K.BIRTH_DATE, _K.EDUCATION}),
    MaterialType.DIPLOMA: frozenset({_K.EDUCATION}),
    MaterialType.WAGE_CHANGE: frozenset({_K.WORK_START, _K.JOB_CHANGE}),
    MaterialType.LABOUR_CONTRACT: frozenset({_K.WORK_START, _K.JOB_CHANGE}),
    MaterialType.TRANSFER_LETTER: frozenset({_K.WORK_START, _K.JOB_CHANGE}),
    MaterialType.RUSTICATED_YOUTH: frozenset({_K.BIRTH_DATE, _K.WORK_START}),
}
# 履历 and registration forms state a whole career (a special-job period needs its approval).
_EXPECTED.update(
    dict.fromkeys(
        (
            MaterialType.RESUME,
            MaterialType.CADRE_REGISTRATION,
            MaterialType.WORKER_REGISTRATION,
            MaterialType.APPOINTMENT,
            MaterialType.POLITICAL_REVIEW,
        ),
        frozenset(FactKind) - {_K.SPECIAL_JOB_PERIOD},
    )
)
# Types not listed (自传, 其他材料, 考核鉴定表 …) may state anything: no prior either way, and
# no weak label is trusted in them.

# Words for the value that goes with a fact (school, job type, unit, post).
# Not in a form's title (特殊工种审批表) or a longer word (职务变动).
_NOT_TITLE = "(?![ ]*(?:审批|登记|鉴定|变动|表))"
_DETAIL_LABELS: dict[FactKind, re.Pattern[str]] = {
    _K.EDUCATION: _words(
        ("毕业学校", "毕业院校", "学校名称", "所学专业", "文化程度", "学历", "专业"), _NOT_TITLE
    ),
    _K.SPECIAL_JOB_PERIOD: _words(
        ("特殊工种名称", "工种名称", "从事工种", "工种", "岗位"), _NOT_TITLE
    ),
    _K.MILITARY_SERVICE: _words(("服役部队", "部队番号", "兵种"), _NOT_TITLE),
    _K.JOB_CHANGE: _words(("调入单位", "现任职务", "职务", "岗位", "工种"), _NOT_TITLE),
}

_FAMILY = re.compile(
    "|".join(
        _spaced(word)
        for word in (
            "家庭主要成员",
            "家庭成员",
            "社会关系",
            "称谓",
            "父亲",
            "母亲",
            "配偶",
            "妻子",
            "丈夫",
            "爱人",
            "儿子",
            "女儿",
            "子女",
            "哥哥",
            "弟弟",
            "姐姐",
            "妹妹",
            "岳父",
            "岳母",
            "公公",
            "婆婆",
            "祖父",
            "祖母",
        )
    )
)
# A form's title line (特殊工种提前退休审批表, 入伍批准书): no value of any label is in it.
_TITLE = re.compile(r"^[^ ：:]{2,20}(?:表|书|证明|证|登记)$")
_RANGE_JOIN = re.compile(r"[ ]*(?:起至|至|到|-|~|～|一)[ ]*")
_UNTIL_NOW = re.compile(r"[ ]*(?:-|~|～|一)?[ ]*(?:至|到)?[ ]*(?:今|现在)")
_CLAUSE_END = re.compile(r"[，,；;。]")
_SPECIAL_WORDS = re.compile("井下|高温|高空|繁重体力|有毒有害|有毒|有害|粉尘|接尘|放射")
_MILITARY_WORDS = re.compile("服役|部队|入伍|参军|解放军|武警|战士|军人")
_STUDY_WORDS = re.compile("学习|就读|读书|上学|学生|毕业|肄业|专业|入学")
_UNIT_WORDS = re.compile("[矿厂局司社所站场院校队处部]|公司|车间|机关|政府|委员会")

# Free text: a single date followed (in the same clause) by one of these.
_FREE_TEXT: tuple[tuple[re.Pattern[str], FactKind, _Slot], ...] = (
    (re.compile(r"^[ ]*(?:出[ ]*生|生(?![产活效意病]))"), _K.BIRTH_DATE, _Slot.START),
    (re.compile("参加(?:革命)?工作|进厂|入厂|招工|被招|招收"), _K.WORK_START, _Slot.START),
    (
        re.compile("加入中国共产党|加入共产党|入党(?!积极|申请|介绍)|预备党员"),
        _K.PARTY_JOIN,
        _Slot.START,
    ),
    (re.compile("应征入伍|入伍|参军"), _K.MILITARY_SERVICE, _Slot.START),
    (re.compile("退伍|复员|退役|转业"), _K.MILITARY_SERVICE, _Slot.END),
    (re.compile("毕业|肄业"), _K.EDUCATION, _Slot.END),
    (re.compile("入学"), _K.EDUCATION, _Slot.START),
    (
        re.compile(
            r"调入|调至|调到|调往|调任|调动|转岗|担任|任命|聘任|聘为|提任|改任|任职|^[ ]*任"
        ),
        _K.JOB_CHANGE,
        _Slot.START,
    ),
)
# Free text: a date just after one of these (生于一九六五年三月 is a label; this is prose).
_BEFORE_BIRTH = re.compile(r"(?:出[ ]*生[ ]*(?:于|在)?|生于)[ ]*[：:]?[ ]*$")


@dataclass(frozen=True)
class _Item:
    """A date or a period (two dates, or a date and 至今) in one line."""

    start: DateMatch
    end: DateMatch | None
    span: tuple[int, int]


@dataclass(frozen=True)
class _LabelHit:
    spec: _LabelSpec
    span: tuple[int, int]
    text: str


@dataclass
class _Line:
    index: int
    source: OcrLine
    text: str  # normalised
    items: list[_Item]
    labels: list[_LabelHit]
    family: bool


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
        self.expected = _EXPECTED.get(material_type)
        self.lines = [
            self._read_line(index, line, reference_year) for index, line in enumerate(lines)
        ]
        self.claimed: set[tuple[int, int]] = set()  # (line index, item start)
        self.facts: list[ExtractedFact] = []

    # ---------------------------------------------------------------------------- reading

    def _read_line(self, index: int, line: OcrLine, reference_year: int) -> _Line:
        text = normalise_text(line.text)
        family = _FAMILY.search(text) is not None
        labels = [] if family else self._labels(text)
        items = _items(text, find_dates(line.text, reference_year=reference_year))
        return _Line(index, line, text, items, labels, family)

    def _labels(self, text: str) -> list[_LabelHit]:
        hits = [
            _LabelHit(spec, match.span(), match.group())
            for spec in _LABELS
            if self._applies(spec)
            for match in spec.pattern.finditer(text)
        ]
        hits.sort(key=lambda hit: (hit.span[0], hit.span[0] - hit.span[1]))
        chosen: list[_LabelHit] = []
        for hit in hits:
            if not chosen or hit.span[0] >= chosen[-1].span[1]:
                chosen.append(hit)
        return chosen

    def _applies(self, spec: _LabelSpec) -> bool:
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

    def _segment(self, line: _Line, position: int) -> tuple[int, int]:
        start = line.labels[position].span[1]
        following = line.labels[position + 1 :]
        return (start, following[0].span[0] if following else len(line.text))

    def _same_line(self, line: _Line, hit: _LabelHit, segment: tuple[int, int]) -> None:
        if hit.spec.weak and _date_just_before(line, hit.span[0]):
            return  # 1965年3月出生: prose with the date before the word, not a form label
        for item in line.items:
            if _CLAUSE_END.search(line.text, segment[0], max(segment[0], item.span[0])):
                return  # the value of a label is in its own clause
            if segment[0] <= item.span[0] < segment[1] and not self._is_claimed(line, item):
                self._claim(line, item)
                if hit.spec.kind is not None:
                    detail = _clean(line.text[item.span[1] : segment[1]])
                    self._add_label_fact(
                        hit, line, item, CONFIDENCE_LABEL_SAME_LINE, _snippet(line), detail
                    )
                return

    def _neighbours(self, line: _Line) -> None:
        """Labels without a value on their line take it from the line right of or below them."""
        if any(not self._is_claimed(line, item) for item in line.items):
            return  # a date on the label's own line that no label took: prose, not a form
        waiting = [
            hit
            for position, hit in enumerate(line.labels)
            if hit.spec.form and not _inside(line.items, self._segment(line, position))
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
                snippet = f"{_compact(hit.text)}：{value.source.text.strip()}"
                detail = _clean(value.text[item.span[1] : _next_start(value, item)])
                self._add_label_fact(hit, value, item, confidence, snippet, detail)

    def _value_line(self, label: _Line) -> tuple[_Line, float] | None:
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
        right = _right_of(box, boxed, self._label_boxes(label))
        if right is not None:
            return right, CONFIDENCE_LABEL_RIGHT
        below = _below(box, boxed, self._label_boxes(label))
        return (below, CONFIDENCE_LABEL_BELOW) if below is not None else None

    def _label_boxes(self, exclude: _Line) -> list[Box]:
        return [
            line.source.box
            for line in self.lines
            if line.labels and line.index != exclude.index and line.source.box is not None
        ]

    def _free_text(self, line: _Line) -> None:
        if line.family:
            return
        for position, item in enumerate(line.items):
            if self._is_claimed(line, item):
                continue
            after = _clause(line.text[item.span[1] : _next_start(line, item)])
            before = line.text[line.items[position - 1].span[1] if position else 0 : item.span[0]]
            found = self._classify(item, after, before)
            if found is None:
                continue
            kind, slot, confidence = found
            self._claim(line, item)
            detail = "" if kind is _K.BIRTH_DATE else _clean(after)
            self._add(kind, slot, line, item, confidence, _snippet(line), detail)

    def _classify(
        self, item: _Item, after: str, before: str
    ) -> tuple[FactKind, _Slot, float] | None:
        if item.end is not None or item.span[1] > item.start.span[1]:
            return self._classify_period(after)
        if _BEFORE_BIRTH.search(before):
            return _K.BIRTH_DATE, _Slot.START, CONFIDENCE_FREE_TEXT
        for pattern, kind, slot in _FREE_TEXT:
            if pattern.search(after):
                return kind, slot, CONFIDENCE_FREE_TEXT
        return None

    def _classify_period(self, after: str) -> tuple[FactKind, _Slot, float] | None:
        if _SPECIAL_WORDS.search(after):
            return _K.SPECIAL_JOB_PERIOD, _Slot.RANGE, CONFIDENCE_FREE_TEXT
        if _MILITARY_WORDS.search(after):
            return _K.MILITARY_SERVICE, _Slot.RANGE, CONFIDENCE_FREE_TEXT
        if _STUDY_WORDS.search(after):
            return _K.EDUCATION, _Slot.RANGE, CONFIDENCE_FREE_TEXT
        if _UNIT_WORDS.search(after):
            return _K.JOB_CHANGE, _Slot.RANGE, CONFIDENCE_RESUME_ROW
        return None

    # ---------------------------------------------------------------------------- facts

    def _is_claimed(self, line: _Line, item: _Item) -> bool:
        return (line.index, item.span[0]) in self.claimed

    def _claim(self, line: _Line, item: _Item) -> None:
        self.claimed.add((line.index, item.span[0]))

    def _add_label_fact(
        self,
        hit: _LabelHit,
        line: _Line,
        item: _Item,
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
        slot: _Slot,
        line: _Line,
        item: _Item,
        base: float,
        snippet: str,
        detail: str,
    ) -> None:
        start: FuzzyDate | None
        end: FuzzyDate | None
        if slot is _Slot.END and item.end is None and item.span[1] == item.start.span[1]:
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
        pattern = _DETAIL_LABELS.get(kind)
        if pattern is None:
            return ""
        values: list[str] = []
        for line in self.lines:
            if line.family or _TITLE.match(_compact(line.text).strip()):
                continue
            matches = [
                match.span()
                for match in pattern.finditer(line.text)
                if not any(_overlaps(match.span(), hit.span) for hit in line.labels)
            ]
            for span in matches:
                others = [other[0] for other in matches if other[0] >= span[1]]
                value = self._detail_value(line, span[1], others)
                if value and value not in values:
                    values.append(value)
        return "，".join(values)

    def _detail_value(self, line: _Line, start: int, stops: list[int]) -> str:
        stops = stops + [hit.span[0] for hit in line.labels if hit.span[0] >= start]
        stops += [item.span[0] for item in line.items if item.span[0] >= start]
        value = _clean(line.text[start : min(stops, default=len(line.text))])
        if value:
            return value
        following = [
            other
            for other in self.lines
            if other.index == line.index + 1 and not other.labels and not other.items
        ]
        return _clean(following[0].text) if following else ""


# -------------------------------------------------------------------------------- helpers


def _items(text: str, dates: list[DateMatch]) -> list[_Item]:
    """Dates grouped into periods: 1980年3月至1995年6月, 1983.07—1985.03, 1990.5-至今."""
    items: list[_Item] = []
    position = 0
    while position < len(dates):
        first = dates[position]
        following = dates[position + 1] if position + 1 < len(dates) else None
        if following and _RANGE_JOIN.fullmatch(text[first.span[1] : following.span[0]]):
            items.append(_Item(first, following, (first.span[0], following.span[1])))
            position += 2
            continue
        until_now = _UNTIL_NOW.match(text, first.span[1])
        end = until_now.end() if until_now else first.span[1]
        items.append(_Item(first, None, (first.span[0], end)))
        position += 1
    return items


def _right_of(box: Box, lines: list[_Line], label_boxes: list[Box]) -> _Line | None:
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


def _below(box: Box, lines: list[_Line], label_boxes: list[Box]) -> _Line | None:
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


def _box(line: _Line) -> Box:
    box = line.source.box
    assert box is not None
    return box


def _next_start(line: _Line, item: _Item) -> int:
    later = [other.span[0] for other in line.items if other.span[0] >= item.span[1]]
    return min(later, default=len(line.text))


def _date_just_before(line: _Line, position: int) -> bool:
    return any(
        item.span[1] <= position and not line.text[item.span[1] : position].strip(" 于在")
        for item in line.items
    )


def _inside(items: list[_Item], segment: tuple[int, int]) -> bool:
    return any(segment[0] <= item.span[0] < segment[1] for item in items)


def _overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


def _clause(text: str) -> str:
    match = _CLAUSE_END.search(text)
    return text[: match.start()] if match else text


def _clean(text: str) -> str:
    return _clause(text).strip(" ：:，,、。.()（）|｜").strip()


def _compact(text: str) -> str:
    return text.replace(" ", "")


def _snippet(line: _Line) -> str:
    return line.source.text.strip()
