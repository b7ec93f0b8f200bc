"""Catalogue candidates of an archive search: the materials whose catalogue entry (title,
archive number and person name together) holds every term, compared as typed, not as
OCR'd text is (see :mod:`retirelink.storage.archive_search`, "What matches").
"""

import json
from typing import Any

from sqlalchemy import Integer, bindparam
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from retirelink.storage import search_candidates
from retirelink.storage.search_candidates import (
    CATALOGUE_COLUMNS,
    Candidate,
    Filters,
    catalogue_fields,
    typed,
    used_params,
)
from retirelink.storage.search_results import HitKind
from retirelink.storage.search_text import ParsedQuery, catalogue_contains, like_pattern


def catalogue_candidates(
    session: Session, parsed: ParsedQuery, filters: Filters
) -> list[Candidate]:
    """Up to CANDIDATE_CAP + 1 materials whose title, archive number or person name holds
    each term (one of its catalogue forms), lowest material id first.

    First the archives whose number or person name holds some term (archives are few: one
    per person); then materials in id order, each term held by the title or by the
    material's archive — a scan that stops at the cap, and on PostgreSQL may use the
    pg_trgm index on titles instead when a term of 3+ characters is rare."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    params: dict[str, Any] = {"cap": search_candidates.CANDIDATE_CAP + 1, **filters.params()}
    names = [
        [f"c{index}_{number}" for number in range(len(forms))]
        for index, forms in enumerate(parsed.catalogue_forms)
    ]
    for term_names, forms in zip(names, parsed.catalogue_forms, strict=True):
        for name, form in zip(term_names, forms, strict=True):
            params[name] = form
            params[f"{name}_like"] = like_pattern(form)

    def holds(column: str, term_names: list[str]) -> str:
        if sqlite:  # instr: case-sensitive like PostgreSQL's LIKE (SQLite's LIKE is not)
            return " OR ".join(f"instr({column}, :{name}) > 0" for name in term_names)
        return " OR ".join(f"{column} LIKE :{name}_like" for name in term_names)

    every = [name for term_names in names for name in term_names]
    owners_sql = (
        "SELECT a.id, a.archive_number, pe.name FROM archives AS a "
        "JOIN persons AS pe ON pe.id = a.person_id "
        f"WHERE ({holds('a.archive_number', every)} OR EXISTS (SELECT 1 FROM persons AS p2 "
        f"WHERE p2.id = a.person_id AND ({holds('p2.name', every)})))"
        + (" AND a.person_id = :person_id" if filters.person_id is not None else "")
    )
    owners = session.execute(sql(owners_sql), used_params(params, owners_sql)).all()
    conditions = []
    for index, (term_names, forms) in enumerate(zip(names, parsed.catalogue_forms, strict=True)):
        ids = [
            row.id
            for row in owners
            if catalogue_contains(row.archive_number, forms) or catalogue_contains(row.name, forms)
        ]
        condition = holds("m.title", term_names)
        if ids and sqlite:
            condition += f" OR m.archive_id IN (SELECT value FROM json_each(:ids{index}))"
            params[f"ids{index}"] = json.dumps(ids)
        elif ids:
            condition += f" OR m.archive_id = ANY(:ids{index})"
            params[f"ids{index}"] = ids
        conditions.append(f"({condition})")
    sql_text = (
        f"SELECT {CATALOGUE_COLUMNS} FROM materials AS m "
        "JOIN archives AS a ON a.id = m.archive_id "
        "JOIN persons AS pe ON pe.id = a.person_id "
        f"WHERE {' AND '.join(conditions)}{filters.sql()} ORDER BY m.id LIMIT :cap"
    )
    statement = typed(sql_text)
    if not sqlite:
        arrays = [
            bindparam(name, type_=ARRAY(Integer)) for name in params if name.startswith("ids")
        ]
        statement = statement.bindparams(*arrays)
    rows = session.execute(statement, used_params(params, sql_text)).mappings()
    return [
        Candidate(
            kind=HitKind.MATERIAL, page_id=None, page_number=None, body="", **catalogue_fields(row)
        )
        for row in rows
    ]
