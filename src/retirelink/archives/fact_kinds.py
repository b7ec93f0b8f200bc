"""The kinds of candidate fact (候选事实) and the value the fact extractor returns.

``FactKind`` names what a fact is about (出生日期, 参加工作时间, 特殊工种期间 …) with its 中文
label; ``ExtractedFact`` is one candidate: its kind, its dates, the detail stated with them, where
on the page it was read and how sure the extractor (``fact_extraction``) is. Reviewers confirm or
correct candidates (``fact_records``); the 三龄两历 check (``consistency``) compares them across
materials.

Pure: no I/O.
"""

from dataclasses import dataclass
from enum import StrEnum

from retirelink.archives.holdings import FuzzyDate

Box = tuple[int, int, int, int]


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
