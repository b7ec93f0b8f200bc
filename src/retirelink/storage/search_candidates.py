"""The hits an archive search collects before ranking them: the candidate record, the
filters every candidate query applies, and the SQL pieces those queries share. The
page-text queries are in :mod:`retirelink.storage.page_text_candidates`, the catalogue
query in :mod:`retirelink.storage.catalogue_candidates`.

**Caps.** At most :data:`CANDIDATE_CAP` page hits and as many catalogue hits are
collected: the first in page / material id order (on PostgreSQL a term too rare for the
id-order probe comes in the order of its GIN bitmap, physical order: about the same), so a
term on nine pages in ten costs the same as a rare one. ``SearchResult.total_capped`` then
says "more than ``total``"; ranking covers the collected hits. Narrow with more terms or
filters.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, bindparam
from sqlalchemy import text as sql

from retirelink.storage.search_results import HitKind

# Hits collected per source (page text, catalogue) before ranking; beyond it the total is
# reported as a lower bound. The modules that use it read it as
# ``search_candidates.CANDIDATE_CAP``, so that one value (or a test's monkeypatch of it
# here) governs every source and the ranking.
CANDIDATE_CAP = 1000


@dataclass(frozen=True)
class Candidate:
    """A page or a material found before ranking: its catalogue fields, and for a page its
    indexed text (``body``; empty for a material)."""

    kind: HitKind
    page_id: int | None
    page_number: int | None
    material_id: int
    title: str
    material_type: str
    class_code: str
    formation_date: date | None
    archive_id: int
    archive_number: str
    person_id: int
    person_name: str
    body: str


@dataclass(frozen=True)
class Filters:
    """The search's filters, as SQL conditions and their parameters."""

    person_id: int | None
    material_type: str | None
    class_code: str | None
    date_from: date | None
    date_to: date | None

    def sql(self) -> str:
        """AND-conditions on ``m`` (materials) and ``a`` (archives)."""
        parts = []
        if self.person_id is not None:
            parts.append("a.person_id = :person_id")
        if self.material_type is not None:
            parts.append("m.material_type = :material_type")
        if self.class_code is not None:
            parts.append("m.class_code = :class_code")
        if self.date_from is not None:
            parts.append("m.formation_date >= :date_from")
        if self.date_to is not None:
            parts.append("m.formation_date < :date_to")
        return "".join(f" AND {part}" for part in parts)

    def params(self) -> dict[str, Any]:
        values = {
            "person_id": self.person_id,
            "material_type": self.material_type,
            "class_code": self.class_code,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }
        return {key: value for key, value in values.items() if value is not None}


# Columns every candidate query returns (p: pages, m: materials, a: archives, pe: persons).
CATALOGUE_COLUMNS = (
    "m.id AS material_id, m.title, m.material_type, m.class_code, m.formation_date, "
    "m.archive_id, a.archive_number, a.person_id, pe.name AS person_name"
)
PAGE_COLUMNS = f"p.id AS page_id, p.page_number, d.body, {CATALOGUE_COLUMNS}"


def typed(statement_sql: str) -> Any:
    """A text statement whose dates bind and read back as ``date``."""
    dates = [bindparam(name, type_=Date) for name in ("date_from", "date_to")]
    statement = sql(statement_sql).bindparams(
        *(param for param in dates if f":{param.key}" in statement_sql)
    )
    return statement.columns(formation_date=Date)


def catalogue_fields(row: Any) -> dict[str, Any]:
    return {
        "material_id": row["material_id"],
        "title": row["title"],
        "material_type": row["material_type"],
        "class_code": row["class_code"],
        "formation_date": row["formation_date"],
        "archive_id": row["archive_id"],
        "archive_number": row["archive_number"],
        "person_id": row["person_id"],
        "person_name": row["person_name"],
    }


def used_params(params: dict[str, Any], sql_text: str) -> dict[str, Any]:
    """The parameters the statement names (the others belong to the other dialect)."""
    return {name: value for name, value in params.items() if re.search(rf":{name}\b", sql_text)}
