"""Fund-guard bulk data: the snapshot's exact columns, valid ID numbers, determinism, and an
answer key whose every entry shows its anomaly while nothing else does."""

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from retirelink.cli import app
from retirelink.demo.fund_bulk import PLANTED_COLUMNS, FundBulkSummary, write_fund_bulk
from retirelink.demo.fund_bulk_draws import Draw, Shuffle, keys
from retirelink.demo.fund_bulk_people import CHECK_CHARACTERS, HOMOPHONES, check_index
from retirelink.demo.fund_bulk_roles import PER_10M
from retirelink.errors import InvalidInputError
from retirelink.fundcheck.snapshot import TABLES
from retirelink.rules.identifiers import id_check_character, is_valid_id_number

pytestmark = pytest.mark.integration

AS_OF = date(2026, 11, 30)
SIZES: dict[str, Any] = {
    "pensioners": 20_000,
    "residents": 4_000,
    "deaths": 2_000,
    "imprisonments": 200,
}
SEED = 7
REFERENCE_SQL = Path(__file__).parents[3] / "benchmarks" / "fund_reference_death.sql"
DEATH_KINDS = "('death_cancellation', 'death_certificate', 'cremation')"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[FundBulkSummary, list[int]]:
    seen: list[int] = []
    out = tmp_path_factory.mktemp("fund_bulk")
    summary = write_fund_bulk(
        out, seed=SEED, as_of=AS_OF, chunk_size=7_000, progress=seen.append, **SIZES
    )
    return summary, seen


@pytest.fixture(scope="module")
def out(generated: tuple[FundBulkSummary, list[int]]) -> Path:
    return generated[0].paths["pensioners"].parent


@pytest.fixture
def db(out: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Views over the generated files, as the batch check and the reference query see them."""
    with duckdb.connect() as connection:
        for table in (*TABLES, "planted"):
            path = out / f"{table}.parquet"
            connection.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")
        yield connection


def rows(db: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return db.execute(sql).fetchall()


def ids(db: duckdb.DuckDBPyConnection, sql: str) -> set[Any]:
    return {row[0] for row in rows(db, sql)}


def planted_ids(db: duckdb.DuckDBPyConnection, anomaly: str) -> set[Any]:
    return ids(db, f"SELECT pension_id FROM planted WHERE anomaly = '{anomaly}'")


def table_digest(path: Path) -> str:
    with duckdb.connect() as connection:
        digest = hashlib.sha256()
        for row in connection.execute(f"SELECT * FROM read_parquet('{path}')").fetchall():
            digest.update(repr(row).encode())
        return digest.hexdigest()


# ------------------------------------------------------------------------------------------
# Files, columns, counts
# ------------------------------------------------------------------------------------------


def test_files_have_exactly_the_snapshot_columns_and_types(out: Path) -> None:
    with duckdb.connect() as connection:
        for table, columns in (*TABLES.items(), ("planted", PLANTED_COLUMNS)):
            described = connection.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{out / f'{table}.parquet'}')"
            ).fetchall()
            assert [(name, kind) for name, kind, *_ in described] == list(columns), table


def test_row_counts_are_the_asked_ones(
    generated: tuple[FundBulkSummary, list[int]], db: duckdb.DuckDBPyConnection
) -> None:
    summary, seen = generated
    roll = SIZES["pensioners"] + SIZES["residents"]
    assert rows(db, "SELECT count(*), count(DISTINCT pension_id), min(pension_id), max(pension_id) "
                "FROM pensioners") == [(roll, roll, 1, roll)]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM pensioners WHERE pension_id > 20000 "
                "AND scheme <> 'resident'") == [(0,)]  # fmt: skip
    deaths = rows(db, f"SELECT count(*) FROM partner_events WHERE kind IN {DEATH_KINDS}")
    assert deaths == [(SIZES["deaths"],)]
    justice = rows(db, "SELECT count(*) FROM partner_events WHERE department = 'justice'")
    assert justice == [(SIZES["imprisonments"],)]
    for table in (*TABLES, "planted"):
        assert rows(db, f"SELECT count(*) FROM {table}") == [(summary.rows[table],)], table
    assert sum(seen) == roll and len(seen) == 4
    assert sum(summary.planted.values()) == summary.rows["planted"]


def test_every_anomaly_is_planted_in_proportion(db: duckdb.DuckDBPyConnection) -> None:
    counts = dict(rows(db, "SELECT anomaly, count(*) FROM planted GROUP BY anomaly"))
    scale = SIZES["pensioners"] / 10_000_000
    expected = {code: max(1, round(per * scale)) for code, per in PER_10M.items()}
    expected["paid_after_death"] += expected["account_changed_after_death"]
    expected["bad_partner_record"] *= 4
    expected["shared_account"] = sum(3 + group % 3 for group in range(expected["shared_account"]))
    assert counts == expected


def test_identifiers_are_unique(db: duckdb.DuckDBPyConnection) -> None:
    assert rows(db, "SELECT count(*) = count(DISTINCT record_id) FROM partner_events") == [(True,)]
    assert rows(db, "SELECT count(*) = count(DISTINCT reference) FROM signs_of_life") == [(True,)]


# ------------------------------------------------------------------------------------------
# ID numbers
# ------------------------------------------------------------------------------------------


def test_vectorised_check_character_agrees_with_the_rules() -> None:
    draw = Draw(3)
    bodies = 13_040_619_270_101_000 + draw.below(keys(5, np.arange(2_000)), 1, 4 * 10**14)
    computed = [CHECK_CHARACTERS[i] for i in check_index(bodies)]
    assert computed == [id_check_character(str(body)) for body in bodies]


def test_roll_id_numbers_are_valid_and_agree_with_birth_date_and_sex(
    db: duckdb.DuckDBPyConnection,
) -> None:
    typos = planted_ids(db, "duplicate_id_typo")
    roll = rows(db, "SELECT pension_id, id_number, birth_date, sex FROM pensioners")
    for pension_id, id_number, born, sex in roll:
        assert isinstance(id_number, str) and isinstance(born, date)
        if pension_id in typos:
            assert not is_valid_id_number(id_number, on=AS_OF), id_number
            continue
        assert is_valid_id_number(id_number, on=AS_OF), id_number
        digits = id_number if len(id_number) == 18 else id_number[:6] + "19" + id_number[6:]
        assert digits[6:14] == f"{born:%Y%m%d}", id_number
        assert sex == ("1" if int(digits[16]) % 2 else "2"), id_number
    assert len(typos) > 0


def test_partner_and_sign_id_numbers_are_valid_except_the_bad_records(
    db: duckdb.DuckDBPyConnection,
) -> None:
    bad = ids(db, "SELECT id_number FROM planted WHERE anomaly = 'bad_partner_record'")
    for (id_number,) in rows(db, "SELECT id_number FROM partner_events UNION ALL "
                             "SELECT id_number FROM signs_of_life"):  # fmt: skip
        assert isinstance(id_number, str)
        assert is_valid_id_number(id_number, on=AS_OF) or id_number in bad, id_number
    assert len(bad) == 4


def test_one_id_number_per_human_except_the_planted_duplicates(
    db: duckdb.DuckDBPyConnection,
) -> None:
    shared = rows(db, "SELECT list(pension_id ORDER BY pension_id) FROM pensioners "
                  "GROUP BY id_number HAVING count(*) > 1")  # fmt: skip
    pairs = rows(db, "SELECT [k.other_pension_id, k.pension_id], k.anomaly FROM planted k "
                 "JOIN pensioners a ON a.pension_id = k.pension_id "
                 "JOIN pensioners b ON b.pension_id = k.other_pension_id "
                 "WHERE a.id_number = b.id_number")  # fmt: skip
    assert {tuple(group) for (group,) in shared} == {tuple(sorted(pair)) for pair, _ in pairs}
    assert {anomaly for _, anomaly in pairs} >= {
        "duplicate_exact", "duplicate_name_variant", "duplicate_two_regions",
    }  # fmt: skip


def test_name_variants_exist_for_every_given_name_character() -> None:
    from retirelink.demo import fund_bulk_people as plants

    pools = (plants._OLD_MALE, plants._OLD_FEMALE, plants._OLD_SINGLE)
    characters = {c for pool in pools for chars in pool for c in chars}
    assert characters <= set(HOMOPHONES)
    assert all(HOMOPHONES[c] != c for c in characters)


def test_the_shuffle_is_a_bijection_with_an_inverse() -> None:
    draw = Draw(11)
    for size in (1, 2, 5, 1_000, 65_537):
        shuffle = Shuffle(size, draw, 3)
        image = shuffle.forward(np.arange(size))
        assert sorted(image.tolist()) == list(range(size))
        assert (shuffle.backward(image) == np.arange(size)).all()


# ------------------------------------------------------------------------------------------
# Determinism
# ------------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_rows_whatever_the_chunk_size(out: Path, tmp_path: Path) -> None:
    again = write_fund_bulk(tmp_path, seed=SEED, as_of=AS_OF, chunk_size=10_000, **SIZES)
    for table, path in again.paths.items():
        assert table_digest(path) == table_digest(out / path.name), table


def test_another_seed_gives_other_rows(out: Path, tmp_path: Path) -> None:
    other = write_fund_bulk(tmp_path, seed=SEED + 1, as_of=AS_OF, **SIZES)
    for table in ("pensioners", "partner_events", "signs_of_life"):
        assert table_digest(other.paths[table]) != table_digest(out / f"{table}.parquet")


# ------------------------------------------------------------------------------------------
# Every planted anomaly shows itself
# ------------------------------------------------------------------------------------------

# A death record a checker must accept: valid number, death between birth and as_of.
VALID_DEATHS = f"""
    SELECT e.id_number, min(e.event_date) AS died_on
    FROM partner_events e
    WHERE e.kind IN {DEATH_KINDS} AND e.event_date <= DATE '{AS_OF}'
      AND e.event_date >= try_strptime(substr(e.id_number, 7, 8), '%Y%m%d')::DATE
      AND e.id_number NOT IN (SELECT id_number FROM planted WHERE anomaly = 'bad_partner_record')
    GROUP BY e.id_number
"""
STOP_MONTH = "CAST(date_trunc('month', d.died_on) + INTERVAL 1 MONTH AS DATE)"


def test_paid_after_death_has_a_death_record_and_payments_past_the_stop_month(
    db: duckdb.DuckDBPyConnection,
) -> None:
    planted = planted_ids(db, "paid_after_death")
    shown = ids(db, f"""
        SELECT p.pension_id FROM pensioners p JOIN ({VALID_DEATHS}) d USING (id_number)
        WHERE p.status = 'paying' AND p.paid_through >= {STOP_MONTH}
          AND EXISTS (SELECT 1 FROM payments m WHERE m.pension_id = p.pension_id
                      AND m.last_month >= {STOP_MONTH})""")  # fmt: skip
    assert planted and planted == shown


def test_death_plants_include_disagreeing_departments_and_two_deaths(
    db: duckdb.DuckDBPyConnection,
) -> None:
    dates = rows(db, f"""
        SELECT count(DISTINCT e.event_date) FILTER (WHERE e.department = 'public_security'),
               count(DISTINCT e.event_date) FILTER (WHERE e.department <> 'civil_affairs')
        FROM planted k JOIN pensioners p USING (pension_id)
        JOIN partner_events e ON e.id_number = p.id_number AND e.kind IN {DEATH_KINDS}
        WHERE k.anomaly = 'paid_after_death' GROUP BY k.pension_id""")  # fmt: skip
    assert any(public > 1 for public, _ in dates)  # dies twice
    assert any(public == 1 and both > 1 for public, both in dates)  # 公安 and 卫健 disagree
    departments = rows(db, f"""
        SELECT count(DISTINCT e.department) FROM planted k JOIN pensioners p USING (pension_id)
        JOIN partner_events e ON e.id_number = p.id_number AND e.kind IN {DEATH_KINDS}
        WHERE k.anomaly = 'paid_after_death' GROUP BY k.pension_id""")  # fmt: skip
    assert {count for (count,) in departments} == {1, 2, 3}


def test_account_changed_after_death_is_also_paid_after_death(
    db: duckdb.DuckDBPyConnection,
) -> None:
    planted = planted_ids(db, "account_changed_after_death")
    shown = ids(
        db,
        f"""
        SELECT p.pension_id FROM pensioners p JOIN ({VALID_DEATHS}) d USING (id_number)
        WHERE p.account_changed_on > d.died_on AND p.paid_through >= {STOP_MONTH}""",
    )
    assert planted and planted == shown
    assert planted <= planted_ids(db, "paid_after_death")


def test_paid_while_imprisoned_is_paid_after_the_detention_month(
    db: duckdb.DuckDBPyConnection,
) -> None:
    planted = planted_ids(db, "paid_while_imprisoned")
    shown = ids(
        db,
        f"""
        SELECT p.pension_id FROM pensioners p JOIN partner_events e USING (id_number)
        WHERE e.kind = 'imprisonment' AND e.event_date < DATE '{AS_OF}' AND p.status = 'paying'
          AND p.paid_through >= CAST(date_trunc('month', e.event_date) + INTERVAL 1 MONTH AS DATE)
          AND (SELECT count(*) FROM payments m WHERE m.pension_id = p.pension_id) <= 2""",
    )
    assert planted and planted == shown


def test_not_resumed_after_release_stays_suspended(db: duckdb.DuckDBPyConnection) -> None:
    planted = planted_ids(db, "not_resumed_after_release")
    shown = ids(
        db,
        f"""
        SELECT p.pension_id FROM pensioners p JOIN partner_events e USING (id_number)
        WHERE e.kind = 'imprisonment' AND e.end_date < DATE '{AS_OF}' - INTERVAL 2 MONTH
          AND p.status = 'suspended' AND p.paid_through < e.end_date""",
    )
    assert planted and planted == shown


DUPLICATE_PAIRS = """
    SELECT k.pension_id, a.id_number AS second_id, b.id_number AS first_id,
           a.name AS second_name, b.name AS first_name, a.scheme AS second_scheme,
           b.scheme AS first_scheme, a.region AS second_region, b.region AS first_region,
           a.birth_date = b.birth_date AND a.sex = b.sex AS same_person, a.previous_id_number,
           a.previous_name, a.status = 'paying' AND b.status = 'paying' AS both_paying
    FROM planted k JOIN pensioners a ON a.pension_id = k.pension_id
    JOIN pensioners b ON b.pension_id = k.other_pension_id WHERE k.anomaly = '{}'
"""


def test_duplicates_are_two_paying_rows_of_one_person(db: duckdb.DuckDBPyConnection) -> None:
    def pairs(anomaly: str) -> list[tuple[Any, ...]]:
        found = rows(db, DUPLICATE_PAIRS.format(anomaly))
        assert found and all(pair[-1] for pair in found), anomaly
        return found

    for pair in pairs("duplicate_exact"):
        assert pair[1] == pair[2] and pair[3] == pair[4] and pair[9]
        assert (pair[5], pair[6]) in {("resident", "employee"), ("resident", "institution")}
    for pair in pairs("duplicate_id15"):
        first = str(pair[2])
        assert pair[1] == first[:6] + first[8:17] and pair[5] == "resident" and pair[9]
    for pair in pairs("duplicate_name_variant"):
        assert pair[1] == pair[2] and pair[3] != pair[4] and pair[5] == "resident"
        assert len(str(pair[3])) == len(str(pair[4]))
    for pair in pairs("duplicate_id_typo"):
        second, first = str(pair[1]), str(pair[2])
        different = [i for i in range(18) if second[i] != first[i]]
        assert len(different) == 1 and different[0] in (14, 15) and pair[3] == pair[4]
        assert pair[9] and not is_valid_id_number(second, on=AS_OF)
    for pair in pairs("duplicate_two_regions"):
        assert pair[1] == pair[2] and pair[7] != pair[8]
        assert (pair[5], pair[6]) == ("employee", "employee")
    for pair in pairs("duplicate_identity_change"):
        assert (pair[10], pair[11]) != (None, None)
        assert pair[10] in (None, pair[2]) and pair[11] in (None, pair[4])
        assert (pair[1] != pair[2]) == (pair[10] is not None)
        assert (pair[3] != pair[4]) == (pair[11] is not None)


def test_certification_missing_has_no_sign_and_an_old_or_no_certification(
    db: duckdb.DuckDBPyConnection,
) -> None:
    planted = planted_ids(db, "certification_missing")
    shown = ids(
        db,
        f"""
        SELECT pension_id FROM pensioners p WHERE status = 'paying'
          AND (last_certified_on IS NULL
               OR last_certified_on < DATE '{AS_OF}' - INTERVAL 13 MONTH)
          AND NOT EXISTS (SELECT 1 FROM signs_of_life s WHERE s.id_number = p.id_number
                          AND s.seen_on > DATE '{AS_OF}' - INTERVAL 12 MONTH)""",
    )
    assert planted and planted == shown


def test_over_100_without_sign_is_the_only_silent_centenarian(
    db: duckdb.DuckDBPyConnection,
) -> None:
    planted = planted_ids(db, "over_100_no_sign")
    centenarians = f"pensioners p WHERE p.birth_date < DATE '{AS_OF}' - INTERVAL 101 YEAR"
    silent = ids(
        db,
        f"""
        SELECT pension_id FROM {centenarians} AND p.status = 'paying' AND NOT EXISTS (
            SELECT 1 FROM signs_of_life s WHERE s.id_number = p.id_number
            AND s.seen_on > DATE '{AS_OF}' - INTERVAL 12 MONTH)""",
    )
    assert planted and planted == silent
    assert rows(db, f"SELECT count(*) > {len(planted)} FROM {centenarians}") == [(True,)]


def test_shared_accounts_are_groups_of_three_to_five(db: duckdb.DuckDBPyConnection) -> None:
    groups = rows(
        db,
        """
        SELECT bank_account, count(*), count(DISTINCT id_number), count(DISTINCT name),
               list(pension_id ORDER BY pension_id)
        FROM pensioners GROUP BY bank_account HAVING count(*) > 1""",
    )
    planted = planted_ids(db, "shared_account")
    assert groups and {pid for group in groups for pid in group[4]} == planted
    assert all(3 <= size <= 5 and size == humans == names for _, size, humans, names, _ in groups)


def test_altered_birth_dates_retired_in_the_last_three_years(
    db: duckdb.DuckDBPyConnection,
) -> None:
    planted = planted_ids(db, "altered_birth_date")
    shown = ids(
        db,
        f"""
        SELECT pension_id FROM pensioners WHERE archive_birth_date > birth_date
          AND first_month > DATE '{AS_OF}' - INTERVAL 36 MONTH""",
    )
    assert planted and planted == shown
    others = rows(db, "SELECT count(*) FROM pensioners WHERE archive_birth_date <> birth_date")
    assert others == [(len(planted),)]


def test_bad_partner_records_fail_a_check(db: duckdb.DuckDBPyConnection) -> None:
    bad = rows(db, f"""
        SELECT e.id_number, e.event_date, e.received_on, k.note FROM planted k
        JOIN partner_events e USING (id_number) WHERE k.anomaly = 'bad_partner_record'
          AND e.kind IN {DEATH_KINDS}""")  # fmt: skip
    assert len(bad) == 4
    for id_number, died, received, note in bad:
        assert isinstance(id_number, str) and isinstance(died, date)
        if not is_valid_id_number(id_number, on=AS_OF):
            assert note in ("身份证号校验码错误", "15位乱码身份证号")
            continue
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        if died > AS_OF:
            assert isinstance(received, date) and received <= AS_OF and note == "死亡日期晚于核查日"
        else:
            assert died < born and note == "死亡日期早于出生日期"
    assert len({note for *_, note in bad}) == 4
    assert rows(db, "SELECT count(*) FROM planted WHERE anomaly = 'bad_partner_record' "
                "AND pension_id IS NOT NULL") == [(0,)]  # fmt: skip


# ------------------------------------------------------------------------------------------
# Nothing else looks anomalous
# ------------------------------------------------------------------------------------------


def test_other_deceased_pensioners_were_stopped_in_time(db: duckdb.DuckDBPyConnection) -> None:
    stopped = rows(
        db,
        f"""
        SELECT count(*), count(*) FILTER (WHERE p.status = 'stopped'
                                          AND p.paid_through < {STOP_MONTH})
        FROM pensioners p JOIN ({VALID_DEATHS}) d USING (id_number)
        WHERE p.pension_id NOT IN (SELECT pension_id FROM planted
                                   WHERE anomaly = 'paid_after_death')""",
    )
    total, correct = stopped[0]
    assert isinstance(total, int) and total > 300 and correct == total


def test_other_detained_pensioners_are_handled_as_the_rules_say(
    db: duckdb.DuckDBPyConnection,
) -> None:
    detained = rows(db, f"""
        SELECT e.kind, e.end_date IS NULL AS running, p.status,
               p.paid_through <= date_trunc('month', e.event_date) AS stopped_in_time,
               (SELECT count(*) FROM payments m WHERE m.pension_id = p.pension_id) AS periods,
               e.end_date < DATE '{AS_OF}' - INTERVAL 2 MONTH AS released_long_ago
        FROM pensioners p JOIN partner_events e USING (id_number)
        WHERE e.department = 'justice' AND p.pension_id NOT IN (
            SELECT pension_id FROM planted WHERE anomaly IN
            ('paid_while_imprisoned', 'not_resumed_after_release'))""")  # fmt: skip
    assert len(detained) > 10
    for kind, running, status, stopped_in_time, periods, released in detained:
        if kind in ("imprisonment", "pending") and running:
            assert status == "suspended" and stopped_in_time
        elif kind == "imprisonment":
            assert status == "paying" and released and periods >= 3  # a gap, then resumed
        else:
            assert status == "paying"


def test_every_other_paying_pensioner_shows_life(db: duckdb.DuckDBPyConnection) -> None:
    silent = rows(
        db,
        f"""
        SELECT count(*) FROM pensioners p WHERE status = 'paying'
          AND coalesce(last_certified_on, DATE '1900-01-01') < DATE '{AS_OF}' - INTERVAL 12 MONTH
          AND NOT EXISTS (SELECT 1 FROM signs_of_life s WHERE s.id_number = p.id_number
                          AND s.seen_on > DATE '{AS_OF}' - INTERVAL 12 MONTH)
          AND pension_id NOT IN (SELECT pension_id FROM planted
                                 WHERE anomaly = 'certification_missing')""",
    )
    assert silent == [(0,)]


def test_signs_of_life_are_recent_and_never_after_a_death(db: duckdb.DuckDBPyConnection) -> None:
    assert rows(db, f"SELECT min(seen_on) > DATE '{AS_OF}' - INTERVAL 12 MONTH, "
                f"max(seen_on) <= DATE '{AS_OF}' FROM signs_of_life") == [(True, True)]  # fmt: skip
    after = rows(
        db,
        f"""
        SELECT count(*) FROM signs_of_life s JOIN ({VALID_DEATHS}) d USING (id_number)
        WHERE s.seen_on >= d.died_on""",
    )
    assert after == [(0,)]


def test_partner_records_are_received_after_the_event(db: duckdb.DuckDBPyConnection) -> None:
    early = rows(
        db,
        f"""
        SELECT count(*) FROM partner_events WHERE received_on < event_date
          OR received_on > DATE '{AS_OF}' OR end_date < event_date""",
    )
    assert early == [(1,)]  # the bad record dated after as_of
    cremation = rows(
        db,
        """
        SELECT count(*) FROM partner_events c JOIN partner_events s USING (id_number)
        WHERE c.kind = 'cremation' AND s.kind = 'death_cancellation'
          AND c.event_date < s.event_date""",
    )
    assert cremation == [(0,)]


def test_payments_cover_the_paid_months_at_exact_amounts(db: duckdb.DuckDBPyConnection) -> None:
    coverage = rows(
        db,
        """
        SELECT count(*) FROM pensioners p JOIN (
            SELECT pension_id, min(first_month) AS first, max(last_month) AS last,
                   sum(datediff('month', first_month, last_month) + 1) AS months,
                   bool_and(first_month <= last_month) AS ordered
            FROM payments GROUP BY pension_id) m USING (pension_id)
        WHERE m.first <> p.first_month OR m.last <> p.paid_through OR NOT m.ordered
           OR m.months > datediff('month', p.first_month, p.paid_through) + 1""",
    )
    assert coverage == [(0,)]
    adjustment = rows(
        db,
        """
        SELECT min(b.monthly_amount / a.monthly_amount), max(b.monthly_amount / a.monthly_amount)
        FROM payments a JOIN payments b USING (pension_id)
        WHERE a.last_month = DATE '2025-12-01' AND b.first_month = DATE '2026-01-01'""",
    )
    low, high = adjustment[0]
    assert 1.015 < float(low) <= float(high) < 1.025
    amounts = rows(
        db,
        """
        SELECT min(monthly_amount), max(monthly_amount), scheme = 'resident' FROM pensioners
        WHERE status = 'paying' GROUP BY ALL ORDER BY 3""",
    )
    (employee_low, employee_high, _), (resident_low, resident_high, _) = amounts
    assert employee_low >= 2000 and employee_high <= 8000
    assert resident_low >= 150 and resident_high <= 400


# ------------------------------------------------------------------------------------------
# The reference death query
# ------------------------------------------------------------------------------------------


def test_reference_sql_finds_exactly_the_planted_paid_after_death(
    db: duckdb.DuckDBPyConnection,
) -> None:
    found = rows(db, REFERENCE_SQL.read_text(encoding="utf-8"))
    assert {row[0] for row in found} == planted_ids(db, "paid_after_death")
    end = date(2026, 11, 1)
    for _, _, died, stop, months, overpaid in found:
        assert isinstance(died, date) and isinstance(stop, date)
        assert stop == (died.replace(day=1) + timedelta(days=32)).replace(day=1)
        assert months == (end.year - stop.year) * 12 + end.month - stop.month + 1
        assert overpaid > 0


def test_reference_sql_honours_the_as_of_variable(db: duckdb.DuckDBPyConnection) -> None:
    db.execute("SET VARIABLE as_of = DATE '2024-01-31'")
    found = rows(db, REFERENCE_SQL.read_text(encoding="utf-8"))
    assert all(died <= date(2024, 1, 31) for _, _, died, *_ in found)
    assert len(found) < len(planted_ids(db, "paid_after_death"))


# ------------------------------------------------------------------------------------------
# Entry points
# ------------------------------------------------------------------------------------------


def test_too_small_a_roll_for_the_plants_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="太少"):
        write_fund_bulk(tmp_path, pensioners=20, residents=10, deaths=100, imprisonments=10)
    assert not list(tmp_path.glob("*.parquet"))


def test_cli_writes_the_files_and_a_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [
        "demo", "fund-bulk", "--out", str(tmp_path), "--pensioners", "20000", "--residents",
        "3000", "--deaths", "1500", "--imprisonments", "100", "--seed", "1",
        "--as-of", "2026-11-30",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    printed = "".join(result.output.split())  # the console wraps long lines
    assert "pensioners.parquet23000行" in printed
    assert "paid_after_death21" in printed and "用时" in printed
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{table}.parquet" for table in (*TABLES, "planted")
    )
