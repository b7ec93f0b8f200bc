"""Facts from archives as stored: a candidate read by OCR, or entered by a reviewer, linked to
the material, the page and the box on the page that proves it; confirmed, corrected or
rejected by a reviewer. Only confirmed and corrected facts feed the rules engine."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from retirelink.archives.fact_kinds import ExtractedFact, FactKind
from retirelink.archives.holdings import FuzzyDate


class FactStatus(StrEnum):
    CANDIDATE = "candidate"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            "candidate": "待审核",
            "confirmed": "已确认",
            "corrected": "已更正",
            "rejected": "已否定",
        }[self.value]

    @property
    def trusted(self) -> bool:
        """Confirmed or corrected by a reviewer: usable by the rules engine."""
        return self in (FactStatus.CONFIRMED, FactStatus.CORRECTED)


class FactOrigin(StrEnum):
    OCR = "ocr"
    REVIEWER = "reviewer"

    @property
    def label(self) -> str:
        return {"ocr": "文字识别提取", "reviewer": "审核人录入"}[self.value]


@dataclass(frozen=True)
class ArchiveFact:
    id: int | None
    person_id: int
    material_id: int
    page_id: int | None
    kind: FactKind
    start: FuzzyDate | None
    end: FuzzyDate | None
    detail: str
    source_text: str
    line_index: int | None
    box: tuple[int, int, int, int] | None
    confidence: float
    status: FactStatus
    origin: FactOrigin
    created_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_note: str = ""

    def as_extracted(self) -> ExtractedFact:
        """The fact in the shape the consistency checks read."""
        return ExtractedFact(
            kind=self.kind,
            start=self.start,
            end=self.end,
            detail=self.detail,
            line_index=self.line_index if self.line_index is not None else -1,
            span=(0, 0),
            box=self.box,
            snippet=self.source_text,
            confidence=self.confidence,
        )

    @property
    def value_label(self) -> str:
        if self.start and self.end:
            return f"{self.start}至{self.end}"
        return str(self.start or self.end or "—")
