"""The batch's passive certification (SQL over the snapshot) says what the pure rule
``checks_certification.certify`` says, pension by pension, with the same sign as evidence
(人社厅发〔2018〕54号; policy-spec §5.4: the cycle runs from the birthday month)."""

from datetime import date, timedelta
from random import Random

import duckdb
import pytest

from retirelink.bootstrap import shipped_parameters
from retirelink.fundcheck.batch import assemble_cases
from retirelink.fundcheck.certification_batch import certification_query
from retirelink.fundcheck.checks_certification import certify
from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.snapshot import TABLES, create_statement
from retirelink.rules.calendar import YearMonth

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 23)
SOURCES = ("medical_settlement", "hospital_stay", "travel", "bank_activity", "self_service")


def _snapshot(count: int) -> duckdb.DuckDBPyConnection:
    """Pensioners born in every month, with signs and certifications on both sides of their
    cycle boundaries, some retired inside the cycle."""
    rnd = Random(54)
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(create_statement(table))
    for pid in range(1, count + 1):
        born = date(1940 + rnd.randint(0, 25), rnd.randint(1, 12), rnd.randint(1, 28))
        first = date(rnd.choice((2005, 2015, 2025, 2026)), rnd.randint(1, 12), 1)
        first = min(first, date(2026, 10, 1))
        certified = TODAY - timedelta(days=rnd.randint(0, 900)) if rnd.random() < 0.5 else None
        id_number = f"1304061950{pid:08d}"
        connection.execute(
            "INSERT INTO pensioners (pension_id, id_number, name, birth_date, sex, scheme, region,"
            " first_month, monthly_amount, status, paid_through, last_certified_on) VALUES "
            "(?, ?, '某', ?, '1', 'employee', '130406', ?, 3000, 'paying', '2026-10-01', ?)",
            [pid, id_number, born, first, certified],
        )
        for n in range(rnd.randint(0, 3)):
            seen = TODAY - timedelta(days=rnd.randint(-5, 800))
            connection.execute(
                "INSERT INTO signs_of_life VALUES (?, ?, ?, ?)",
                [id_number, rnd.choice(SOURCES), seen, f"R{pid}-{n}"],
            )
    return connection


def test_the_sql_certification_matches_the_rule_for_every_pension():
    context = CheckContext(today=TODAY, params=shipped_parameters(), payroll=YearMonth(2026, 10))
    connection = _snapshot(400)
    rows = connection.execute(certification_query(context)).fetchall()
    by_sql = {pid: (start, source, seen) for pid, start, source, seen, _ in rows}

    cases = list(assemble_cases(connection, sorted(by_sql), {}))

    assert len(cases) == 400
    certified = 0
    for case in cases:
        standing = certify(case, context)
        start, source, seen = by_sql[case.roll.pension_id]
        assert start == standing.cycle_start.first_day()
        if standing.sign is None:
            assert source is None, case.roll
        else:
            certified += 1
            assert (source, seen) == (standing.sign.source.value, standing.sign.seen_on)
    assert 0 < certified < 400  # both outcomes are exercised
