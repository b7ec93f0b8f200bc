"""Duplicate receipt (重复领取) over the whole roll: identity pairs in DuckDB.

:func:`identity_matches` reads the ``pensioners`` table or view of a snapshot
(``fundcheck.snapshot.PENSIONERS``) and returns every pair of rows that
:func:`~retirelink.fundcheck.identity.score_pair` takes for one human, scored by it. SQL only
finds the candidate pairs, so the two paths cannot disagree about a pair they both see; the
roll's twelve million rows never reach Python, only the candidates' rows do.

How the candidates are found, each by hash joins on integers:

* every ID number becomes a ``BIGINT`` key, ``body * 11 + check`` (body: the 17 digits of the
  canonical 18-character form; check: 0-9, 10 for X), computed in SQL by the same steps as
  :func:`~retirelink.fundcheck.identity.canonical_id`, with the GB 11643-1999 check character of
  an upgraded 15-digit number computed in SQL too;
* the same key on several rows: the same number, 15/18 correspondence, name variants, two
  places or schemes. A key on more rows than ``max_group`` (a placeholder number such as
  000000… keyed for everyone without one) pairs its lowest row with each other row instead of
  every row with every other, so one bad number cannot blow up into millions of pairs;
* a recorded previous number equal to another row's key, or to another row's previous number
  (双改);
* keying errors: only rows whose check character is wrong can be one keystroke away from
  another number (MOD 11-2 catches every single wrong digit and every swap of two adjacent
  ones), so those few rows are joined to the roll on the birth date, the sex and one of two
  parts of the number, positions 1-7 or 9-18: a keystroke changes at most two adjacent
  positions, so it leaves one of the two parts whole. The exact one-keystroke test then runs in
  SQL and the name key is compared by ``score_pair`` on the few survivors. Blocking on the
  number rather than on (birth date, sex, name key) finds the same pairs, since ``score_pair``
  requires the numbers one keystroke apart anyway, and needs no name key for the roll's rows:
  names are keyed, per distinct character and cached, only for candidate rows.
"""

from collections.abc import Sequence
from typing import Any

import duckdb

from retirelink.fundcheck.identity import (
    ID_FULL_WIDTH,
    ID_HALF_WIDTH,
    ID_TRIM,
    IdentityMatch,
    RollIdentity,
    score_pair,
)

# A key shared by more rows than this is paired as a star, not all pairs (see the module doc).
MAX_GROUP = 20

# GB 11643-1999 weights of positions 1-17: W_i = 2^(i-1) mod 11 with i counted from the right
# and the check character at i = 1.
_WEIGHTS = tuple(pow(2, 17 - position, 11) for position in range(17))
# The key's check part: the index of the check character in this string (X is 10).
_CHECK_CHARS = "0123456789X"
_ID_18 = "[0-9]{17}[0-9X]"
_ID_15 = "[0-9]{15}"
# Keying-error blocks: key // _HEAD is positions 1-7 of the number, key % _TAIL positions 9-18.
_HEAD = 11 * 10**10
_TAIL = 11 * 10**9

# The identity columns fetched for candidate rows, in RollIdentity's field order.
_ROLL_COLUMNS = (
    "pension_id",
    "id_number",
    "name",
    "birth_date",
    "sex",
    "scheme",
    "region",
    "previous_id_number",
    "previous_name",
)


def _sql_text(value: str) -> str:
    """A SQL string literal; control characters spelled with chr() so the SQL stays readable."""
    parts = [f"chr({ord(c)})" if ord(c) < 32 else "'" + c.replace("'", "''") + "'" for c in value]
    return "(" + " || ".join(parts) + ")"


def _weighted_sum(body: str) -> str:
    """SQL: the MOD 11-2 weighted digit sum of a 17-digit ``BIGINT`` body."""
    terms = (f"(({body} // {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(_WEIGHTS))
    return " + ".join(terms)


def keyed_ids_sql(source: str, column: str, keep: Sequence[str]) -> str:
    """SQL selecting ``keep``, ``key``, ``legacy`` and ``ok`` for the ID numbers in ``column``.

    ``key`` is ``body * 11 + check`` of the canonical form (NULL when the number is not well
    formed), ``legacy`` whether it was a 15-digit number, ``ok`` whether its check character is
    right (always for a legacy number). Layered so that a well-formed 18-character number, the
    usual case, is tested by one regular expression and never cleaned; only the others are
    trimmed, made half-width and upper-cased as ``canonical_id`` does.
    """
    kept = ", ".join(keep)
    cleaned = (
        f"upper(translate(trim(raw, {_sql_text(ID_TRIM)}), "
        f"{_sql_text(ID_FULL_WIDTH)}, {_sql_text(ID_HALF_WIDTH)}))"
    )
    steps = (
        f"{column} AS raw, regexp_full_match({column}, '{_ID_18}') AS fast",
        f"fast, CASE WHEN fast THEN raw ELSE {cleaned} END AS text",
        # CASE tests the regular expressions only on the rows the fast test left over.
        f"text, CASE WHEN fast THEN 18 WHEN regexp_full_match(text, '{_ID_18}') THEN 18 "
        f"WHEN regexp_full_match(text, '{_ID_15}') THEN 15 END AS shape",
        "shape, CASE shape WHEN 18 THEN CAST(substr(text, 1, 17) AS BIGINT) "
        "WHEN 15 THEN CAST(substr(text, 1, 6) || '19' || substr(text, 7, 9) AS BIGINT) END "
        f"AS body, CASE WHEN shape = 18 THEN strpos('{_CHECK_CHARS}', substr(text, 18, 1)) - 1 "
        "END AS given",
        # The index in _CHECK_CHARS of '10X98765432'[sum % 11] is (12 - sum % 11) % 11.
        f"shape, body, given, (12 - ({_weighted_sum('body')}) % 11) % 11 AS expected",
        "body * 11 + coalesce(given, expected) AS key, shape = 15 AS legacy, "
        "coalesce(given = expected, shape = 15) AS ok",
    )
    query = source
    for step in steps:
        query = f"(SELECT {kept}, {step} FROM {query})"
    return query[1:-1]


def canonical_text_sql(key: str) -> str:
    """SQL: the canonical 18-character number of a key (the inverse of the key's encoding)."""
    return (
        f"lpad(CAST({key} // 11 AS VARCHAR), 17, '0') || "
        f"substr('{_CHECK_CHARS}', CAST({key} % 11 AS INTEGER) + 1, 1)"
    )


def _one_keystroke_sql(x: str, y: str, diffs: str) -> str:
    """SQL: whether two canonical numbers ``x`` and ``y``, differing at the 1-based positions in
    the list ``diffs``, are one wrong character or one adjacent swap apart (the test of
    ``identity.keying_error``)."""
    return (
        f"(len({diffs}) = 1 OR (len({diffs}) = 2 AND {diffs}[2] = {diffs}[1] + 1 "
        f"AND substr({x}, {diffs}[1], 1) = substr({y}, {diffs}[2], 1) "
        f"AND substr({x}, {diffs}[2], 1) = substr({y}, {diffs}[1], 1)))"
    )


def _candidates_sql(max_group: int) -> str:
    roll = keyed_ids_sql("pensioners", "id_number", ("pension_id", "birth_date", "sex"))
    moved = keyed_ids_sql(
        "(SELECT pension_id, previous_id_number FROM pensioners "
        "WHERE previous_id_number IS NOT NULL)",
        "previous_id_number",
        ("pension_id",),
    )
    near = "SELECT s.pension_id AS a, r.pension_id AS b, s.key AS ka, r.key AS kb " + (
        "FROM suspect s JOIN roll r ON {block} AND r.birth_date = s.birth_date "
        "AND r.sex = s.sex AND r.key <> s.key"
    )
    return f"""
    WITH roll AS MATERIALIZED ({roll}),
    shared AS (SELECT key FROM roll WHERE key IS NOT NULL GROUP BY key HAVING count(*) > 1),
    members AS MATERIALIZED (
        SELECT pension_id, key,
            row_number() OVER (PARTITION BY key ORDER BY pension_id) AS rank,
            count(*) OVER (PARTITION BY key) AS size
        FROM roll SEMI JOIN shared USING (key)
    ),
    same_number AS (
        SELECT a.pension_id AS a, b.pension_id AS b
        FROM members a JOIN members b ON a.key = b.key AND a.pension_id < b.pension_id
        WHERE a.size <= {max_group} OR a.rank = 1
    ),
    moved AS MATERIALIZED (
        SELECT pension_id, key AS previous_key FROM ({moved}) WHERE key IS NOT NULL
    ),
    changed AS (
        SELECT m.pension_id AS a, r.pension_id AS b
        FROM moved m JOIN roll r ON r.key = m.previous_key AND r.pension_id <> m.pension_id
        UNION ALL
        SELECT m.pension_id, n.pension_id
        FROM moved m JOIN moved n ON m.previous_key = n.previous_key AND m.pension_id < n.pension_id
    ),
    suspect AS MATERIALIZED (
        SELECT pension_id, key, birth_date, sex FROM roll WHERE NOT ok
    ),
    near AS (
        {near.format(block=f"r.key // {_HEAD} = s.key // {_HEAD}")}
        UNION
        {near.format(block=f"r.key % {_TAIL} = s.key % {_TAIL}")}
    ),
    near_text AS (
        SELECT a, b, {canonical_text_sql("ka")} AS x, {canonical_text_sql("kb")} AS y FROM near
    ),
    near_diffs AS (
        SELECT a, b, x, y,
            list_filter(range(1, 19), lambda i: substr(x, i, 1) <> substr(y, i, 1)) AS diffs
        FROM near_text
    ),
    typo AS (SELECT a, b FROM near_diffs WHERE {_one_keystroke_sql("x", "y", "diffs")}),
    candidates AS MATERIALIZED (
        SELECT DISTINCT least(a, b) AS first, greatest(a, b) AS second FROM (
            SELECT a, b FROM same_number UNION ALL SELECT a, b FROM changed
            UNION ALL SELECT a, b FROM typo
        )
    ),
    wanted AS (SELECT first AS pension_id FROM candidates UNION SELECT second FROM candidates),
    picked AS MATERIALIZED (
        SELECT {", ".join(_ROLL_COLUMNS)} FROM pensioners SEMI JOIN wanted USING (pension_id)
    )
    SELECT c.first, c.second, {", ".join(f"f.{c}" for c in _ROLL_COLUMNS)},
        {", ".join(f"s.{c}" for c in _ROLL_COLUMNS)}
    FROM candidates c
    JOIN picked f ON f.pension_id = c.first
    JOIN picked s ON s.pension_id = c.second
    """


def _identity(values: Sequence[Any]) -> RollIdentity:
    return RollIdentity(*values)


def identity_matches(
    con: duckdb.DuckDBPyConnection, *, max_group: int = MAX_GROUP
) -> list[IdentityMatch]:
    """Every pair of ``pensioners`` rows taken for one human, ordered by the pair's ids.

    Each match is exactly what :func:`~retirelink.fundcheck.identity.score_pair` returns for
    the two rows. Nothing is written to ``con``: the work is one query.
    """
    width = len(_ROLL_COLUMNS)
    rows = con.execute(_candidates_sql(max_group)).fetchall()
    matches = []
    for row in rows:
        first, second = _identity(row[2 : 2 + width]), _identity(row[2 + width :])
        match = score_pair(first, second)
        if match is not None:
            matches.append(match)
    matches.sort(key=lambda m: (m.first, m.second))
    return matches
