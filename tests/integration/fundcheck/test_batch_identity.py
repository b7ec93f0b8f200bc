"""The batch identity matcher over a DuckDB ``pensioners`` table (``fundcheck.snapshot``).

A small roll with one planted pair of every basis and the pairs that must not match
(namesakes, numbers two keystrokes apart, a typo with another name); then rolls built to
collide (few places, days, names; typos, legacy numbers, changes) where the batch must return
exactly what ``score_pair`` says about every pair of rows; and the SQL canonical form of ID
numbers against the Python one.
"""

import random
from dataclasses import astuple
from datetime import date
from itertools import combinations

import duckdb
import pytest

from retirelink.fundcheck.batch_identity import (
    canonical_text_sql,
    identity_matches,
    keyed_ids_sql,
)
from retirelink.fundcheck.identity import (
    MatchBasis,
    RollIdentity,
    canonical_id,
    id_checksum_ok,
    is_legacy_id,
    score_pair,
)
from retirelink.fundcheck.snapshot import create_statement
from retirelink.rules.identifiers import id_check_character

pytestmark = pytest.mark.integration

_COLUMNS = (
    "pension_id, id_number, name, birth_date, sex, scheme, region, previous_id_number, "
    "previous_name, status, monthly_amount"
)


def valid(first17: str) -> str:
    return first17 + id_check_character(first17)


def person(pension_id, id_number, name, born, sex="2", scheme="resident", region="130406", **kw):
    """A roll row; 城乡居民 in 峰峰矿区 and female unless told otherwise."""
    return RollIdentity(pension_id, id_number, name, born, sex, scheme, region, **kw)


def roll(rows) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(create_statement("pensioners"))
    if not rows:
        return connection
    connection.executemany(
        f"INSERT INTO pensioners ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'paying', 1000)",
        [astuple(r) for r in rows],
    )
    return connection


def brute_force(rows):
    """What score_pair says about every pair of rows: the answer the batch must give."""
    pairs = (score_pair(a, b) for a, b in combinations(rows, 2))
    return sorted((m for m in pairs if m is not None), key=lambda m: (m.first, m.second))


# -- a planted roll ---------------------------------------------------------------------------

LI = valid("13040619500302002")  # 张丽, female
WEI = valid("41010219480817001")  # 刘伟, male
FANG = valid("14010519520101004")  # 王芳, female
MING = valid("13040219451111003")  # 陈明, male
MING_NEW = valid("13040219451111503")
HUA = valid("13040619550505006")  # 赵华, female
HUA_TYPO = HUA[:15] + str((int(HUA[15]) + 1) % 10) + HUA[16:]
GANG = valid("13040619600606007")  # 李刚, male
GANG_SWAP = GANG[:15] + GANG[16] + GANG[15] + GANG[17]
# Namesakes: 张丽 born the same day in the same place, a different valid number.
LI_NAMESAKE = valid("13040619500302004")

PLANTED = [
    person(1, LI, "张丽", date(1950, 3, 2), scheme="employee"),
    person(2, LI, "张丽", date(1950, 3, 2)),  # exact_id with 1
    person(3, WEI, "刘伟", date(1948, 8, 17), "1", region="410102"),
    person(4, WEI, "劉偉", date(1948, 8, 17), "1", region="410102", scheme="employee"),  # variant
    person(5, FANG, "王芳", date(1952, 1, 1), region="140105"),
    person(6, FANG, "王芳", date(1952, 1, 1), region="130406"),  # two_regions with 5
    person(7, MING[:6] + MING[8:17], "陈明", date(1945, 11, 11), "1", region="130402"),
    person(8, MING, "陈明", date(1945, 11, 11), "1", region="130402", scheme="employee"),  # 15/18
    person(  # 双改 of 7/8: new number and name, the previous ones kept
        9,
        MING_NEW,
        "陈晓明",
        date(1945, 11, 11),
        "1",
        region="130402",
        previous_id_number=MING,
        previous_name="陈明",
    ),
    person(10, HUA, "赵华", date(1955, 5, 5), scheme="employee"),
    person(11, HUA_TYPO, "赵华", date(1955, 5, 5)),  # typo of 10
    person(12, GANG, "李刚", date(1960, 6, 6), "1", scheme="employee"),
    person(13, GANG_SWAP, "李刚", date(1960, 6, 6), "1"),  # swapped digits of 12
    # -- must not match ------------------------------------------------------------------------
    person(20, LI_NAMESAKE, "张丽", date(1950, 3, 2)),  # namesake of 1 and 2
    person(21, HUA[:14] + "99" + HUA[16:], "赵华", date(1955, 5, 5)),  # two keystrokes from 10
    # A homophone (赵花 / 赵华) one keystroke away would be a typo; 赵芳 is another name.
    person(22, HUA[:15] + "9" + HUA[16:], "赵芳", date(1955, 5, 5)),  # one keystroke, other name
    person(23, None, "张丽", date(1950, 3, 2)),  # no number
    person(24, "13040619500302", "张丽", date(1950, 3, 2)),  # truncated number
]

EXPECTED = {
    (1, 2): MatchBasis.EXACT_ID,
    (3, 4): MatchBasis.NAME_VARIANT,
    (5, 6): MatchBasis.TWO_REGIONS,
    (7, 8): MatchBasis.ID_UPGRADE,
    (7, 9): MatchBasis.IDENTITY_CHANGE,
    (8, 9): MatchBasis.IDENTITY_CHANGE,
    (10, 11): MatchBasis.ID_TYPO,
    (12, 13): MatchBasis.ID_TYPO,
}


def test_every_planted_pair_is_found_with_its_basis_and_nothing_else():
    matches = identity_matches(roll(PLANTED))
    assert {(m.first, m.second): m.basis for m in matches} == EXPECTED


def test_each_batch_match_is_what_score_pair_says_about_the_two_rows():
    rows = {r.pension_id: r for r in PLANTED}
    for match in identity_matches(roll(PLANTED)):
        assert match == score_pair(rows[match.first], rows[match.second])


def test_the_batch_gives_exactly_the_pairwise_answer_on_the_planted_roll():
    assert identity_matches(roll(PLANTED)) == brute_force(PLANTED)


def test_the_matcher_writes_nothing_and_reads_a_view_as_well():
    connection = roll(PLANTED)
    connection.execute("ALTER TABLE pensioners RENAME TO roll_2025")
    connection.execute("CREATE VIEW pensioners AS SELECT * FROM roll_2025")
    before = connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    assert len(identity_matches(connection)) == len(EXPECTED)
    assert connection.execute("SELECT table_name FROM duckdb_tables()").fetchall() == before


def test_an_empty_roll_has_no_pairs():
    assert identity_matches(roll([])) == []


def test_a_number_on_many_rows_is_paired_as_a_star_beyond_the_group_limit():
    """A placeholder number keyed for 30 people: 29 pairs with the first row, not 435."""
    placeholder = valid("11010119000101001")
    rows = [person(i, placeholder, f"人{i}", None) for i in range(1, 31)]
    connection = roll(rows)
    star = identity_matches(connection, max_group=20)
    assert [(m.first, m.second) for m in star] == [(1, i) for i in range(2, 31)]
    assert len(identity_matches(connection, max_group=30)) == 435


# -- rolls built to collide -------------------------------------------------------------------

_NAMES = ("张丽", "張麗", "张莉", "刘伟", "劉偉", "王芳", "李强", "阿依古丽·买买提")
_PLACES = ("130406", "410102")


def _random_number(rng: random.Random) -> str:
    # Few places, days and sequence codes, so numbers collide and come one keystroke apart.
    first17 = (
        rng.choice(_PLACES)
        + rng.choice(("19500302", "19500303"))
        + rng.choice("01")
        + (rng.choice("012") + rng.choice("12"))
    )
    number = valid(first17)
    roll_of_the_dice = rng.random()
    if roll_of_the_dice < 0.15:  # legacy 15-digit form
        return number[:6] + number[8:17]
    if roll_of_the_dice < 0.35:  # one wrong character
        position = rng.randrange(18)
        return number[:position] + rng.choice("0123456789") + number[position + 1 :]
    if roll_of_the_dice < 0.45:  # two adjacent characters swapped
        position = rng.randrange(17)
        return number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    if roll_of_the_dice < 0.5:  # keying variants and junk
        return rng.choice((number.lower(), f" {number} ", number[:16], "", "不详"))
    return number


def _random_roll(seed: int, size: int) -> list[RollIdentity]:
    rng = random.Random(seed)
    rows = []
    for pension_id in range(1, size + 1):
        changed = rng.random() < 0.1
        rows.append(
            RollIdentity(
                pension_id=pension_id,
                id_number=_random_number(rng) if rng.random() > 0.03 else None,
                name=rng.choice(_NAMES) if rng.random() > 0.03 else None,
                birth_date=rng.choice((date(1950, 3, 2), date(1950, 3, 3), None)),
                sex=rng.choice("122"),
                scheme=rng.choice(("employee", "resident", "institution")),
                region=rng.choice((*_PLACES, None)),
                previous_id_number=_random_number(rng) if changed else None,
                previous_name=rng.choice(_NAMES) if changed else None,
            )
        )
    return rows


@pytest.mark.parametrize("seed", range(4))
def test_the_batch_gives_exactly_the_pairwise_answer_on_colliding_rolls(seed):
    rows = _random_roll(seed, 160)
    expected = brute_force(rows)
    assert len(expected) > 100  # the roll really collides
    assert {m.basis for m in expected} == set(MatchBasis)
    assert identity_matches(roll(rows), max_group=len(rows)) == expected


# -- the SQL canonical form -------------------------------------------------------------------

_EDGE_NUMBERS = (
    "11010519491231002X",
    "11010519491231002x",
    "110105491231002",
    " 110105491231002\t",
    "\u300011010519491231002X\u3000",
    "'11010519491231002X",
    "１１０１０５１９４９１２３１００２ｘ",
    "110105194912310021",
    "000000000000000000",
    "999999999999999999",
    "00000000000000000X",
    "11010549123100X",
    "11010519491231002",
    "1101051949123100XX",
    "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
    "",
    "不详",
)


def _python_view(raw: str | None) -> tuple[str | None, bool | None, bool | None]:
    value = None if raw is None else canonical_id(raw)
    if raw is None or value is None:
        return None, None, None
    return value, is_legacy_id(raw), id_checksum_ok(raw)


def test_the_sql_canonical_form_legacy_flag_and_check_agree_with_python():
    rng = random.Random(7)
    numbers = [*_EDGE_NUMBERS, None]
    for _ in range(3000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        number = first17 + rng.choice("0123456789Xx")  # right about one time in eleven
        numbers += [number, number[:6] + number[8:17], number.upper()]
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE raw AS SELECT unnest(range(len($1))) AS n, unnest($1) AS id_number",
        [numbers],
    )
    keyed = keyed_ids_sql("raw", "id_number", ("n",))
    query = f"SELECT n, {canonical_text_sql('key')}, legacy, ok FROM ({keyed}) ORDER BY n"
    for n, value, legacy, ok in connection.execute(query).fetchall():
        assert (value, legacy, ok) == _python_view(numbers[n]), repr(numbers[n])
