"""A pension registered under a legacy 15-digit ID number meets the 18-character records of
the departments (GB 11643-1999: '19' inserted, MOD 11-2 check character appended)."""

from datetime import date

import duckdb
import pytest

from retirelink.bootstrap import shipped_parameters
from retirelink.fundcheck.batch import run_batch
from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.model import CheckCode, Finding
from retirelink.fundcheck.snapshot import TABLES, create_statement
from retirelink.fundcheck.sql_ids import id18
from retirelink.rules.calendar import YearMonth
from retirelink.rules.identifiers import upgrade_15_to_18

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "raw",
    ["110105491231002", "130406500101011", "130406520202007", "13040619520202007x", "A1"],
)
def test_the_sql_upgrade_agrees_with_the_standard(raw):
    """GB 11643-1999's own example: 110105491231002 → 11010519491231002X."""
    with duckdb.connect() as connection:
        (value,) = connection.execute(f"SELECT {id18('$1')}", [raw]).fetchone() or ("",)
    expected = upgrade_15_to_18(raw) if len(raw) == 15 else raw.upper()
    assert value == expected


def test_a_death_reported_under_the_18_digit_number_stops_the_15_digit_pension():
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(create_statement(table))
    legacy = "130406500101011"
    connection.execute(
        "INSERT INTO pensioners (pension_id, id_number, name, birth_date, sex, scheme, region, "
        "first_month, monthly_amount, status, paid_through, last_certified_on) VALUES "
        "(1, ?, '王建国', '1950-01-01', '1', 'resident', '130406', '2015-01-01', 300, "
        "'paying', '2026-10-01', '2026-06-01')",
        [legacy],
    )
    connection.execute("INSERT INTO payments VALUES (1, '2015-01-01', '2026-10-01', 300)")
    connection.execute(
        "INSERT INTO partner_events VALUES (9, 'public_security', 'death_cancellation', ?, "
        "'王建国', '2026-07-20', NULL, '2026-07-25')",
        [upgrade_15_to_18(legacy)],
    )
    context = CheckContext(
        today=date(2026, 11, 23), params=shipped_parameters(), payroll=YearMonth(2026, 10)
    )
    found: list[Finding] = []

    run_batch(connection, context, sink=lambda findings, _: found.extend(findings))

    (death,) = [f for f in found if f.check is CheckCode.DEATH]
    assert death.pension_id == 1 and death.months == 3  # August–October (死亡次月停发)


def test_partner_records_with_bad_ids_or_impossible_dates_raise_nothing():
    """Bad input from a department: a wrong check character, 15 characters of garbage, a
    death before birth, a death after today. None is a death of the pensioner; the run goes
    on and finds nothing."""
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(create_statement(table))
    good = upgrade_15_to_18("130406500101011")
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    connection.execute(
        "INSERT INTO pensioners (pension_id, id_number, name, birth_date, sex, scheme, region, "
        "first_month, monthly_amount, status, paid_through, last_certified_on) VALUES "
        "(1, ?, '王建国', '1950-01-01', '1', 'employee', '130406', '2010-02-01', 3000, "
        "'paying', '2026-10-01', '2026-06-01')",
        [good],
    )
    connection.execute("INSERT INTO payments VALUES (1, '2010-02-01', '2026-10-01', 3000)")
    rows = [
        (1, wrong_check, "2026-07-20"),
        (2, "13X4O6ZZZ1Q0011", "2026-07-20"),
        (3, good, "1949-12-31"),  # before birth
        (4, good, "2027-01-05"),  # after today
    ]
    for record_id, id_number, day in rows:
        connection.execute(
            "INSERT INTO partner_events VALUES (?, 'public_security', 'death_cancellation', ?, "
            "'王建国', ?, NULL, '2026-11-01')",
            [record_id, id_number, day],
        )
    context = CheckContext(
        today=date(2026, 11, 23), params=shipped_parameters(), payroll=YearMonth(2026, 10)
    )
    found: list[Finding] = []

    summary = run_batch(connection, context, sink=lambda findings, _: found.extend(findings))

    assert [f for f in found if f.check is CheckCode.DEATH] == []
    assert summary.refused == []
