"""What an archive search returns: the kind of each hit, the hits, and the result with
its totals. :func:`retirelink.storage.archive_search.search_pages` builds them.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from retirelink.storage.search_text import Segment


class HitKind(StrEnum):
    PAGE = "page"
    MATERIAL = "material"

    @property
    def label(self) -> str:
        return {"page": "页面全文", "material": "目录"}[self.value]


@dataclass(frozen=True)
class SearchHit:
    """A page whose text matched, or a material whose catalogue entry matched.

    ``person_name`` is the stored name: masking by role happens at the edge. ``snippet``
    is (text, is_match) segments — a window of page text, or the material title — for a
    template to escape and mark up.
    """

    kind: HitKind
    page_id: int | None
    page_number: int | None
    material_id: int
    material_title: str
    material_type: str
    class_code: str
    formation_date: date | None
    archive_id: int
    archive_number: str
    person_id: int
    person_name: str
    score: float
    snippet: tuple[Segment, ...]


@dataclass(frozen=True)
class SearchResult:
    """``hits`` is the requested slice of the ranked hits. ``total`` counts every hit
    found; when ``total_capped`` a source reached
    :data:`~retirelink.storage.search_candidates.CANDIDATE_CAP`, so there are more than
    ``total`` (show "超过 {total} 条"). ``timed_out``: the page-text search ran past its
    time limit and stopped, so page hits may be missing (catalogue hits are complete)."""

    terms: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    total: int
    total_capped: bool
    timed_out: bool = False
