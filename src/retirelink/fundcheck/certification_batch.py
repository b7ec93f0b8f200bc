"""Passive certification (无感认证) of the whole roll in one query, its evidence kept per run.

The same rule as ``checks_certification.certify``, written in SQL for ten million pensions:
the last completed yearly cycle starts at the birthday month (policy-spec §5.4 [S]); the
first sign of life from then until today certifies the year — a shared sign (医保结算, 住院,
出行, 银行交易), an in-person or self-service certification on the roll, or the retirement
decision itself for a pension begun inside the cycle (ties: by source, then reference,
as ``certify`` orders them). Every paying pension gets one row —
its cycle, and the sign (source, day, the source's reference) or none — written to Parquet
beside the run's snapshot: the evidence of the year's certification, kept with the run.
"""

from pathlib import Path

import duckdb

from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.sql_ids import id18


def cycle_start_sql(context: CheckContext) -> str:
    """``checks_certification.cycle_start`` as a SQL expression over ``birth_date``."""
    payroll = context.payroll_month
    return (
        f"make_date({payroll.year}, month(birth_date), 1) - CASE WHEN month(birth_date) > "
        f"{payroll.month} THEN INTERVAL 24 MONTH ELSE INTERVAL 12 MONTH END"
    )


def certification_query(context: CheckContext) -> str:
    today = context.today.isoformat()
    return f"""
        WITH cycles AS (
            SELECT pension_id, {id18("id_number")} AS id18, first_month, last_certified_on,
                   CAST({cycle_start_sql(context)} AS DATE) AS cycle_start
            FROM pensioners WHERE status = 'paying'),
        signs AS (
            SELECT c.pension_id, s.source, s.seen_on, s.reference
            FROM cycles c JOIN signs_of_life s
              ON s.id_number = c.id18 AND s.seen_on >= c.cycle_start
             AND s.seen_on <= DATE '{today}'
            UNION ALL
            SELECT pension_id, 'in_person', last_certified_on, '名册认证记录' FROM cycles
            WHERE last_certified_on >= cycle_start AND last_certified_on <= DATE '{today}'
            UNION ALL
            SELECT pension_id, 'in_person', first_month, '待遇核定' FROM cycles
            WHERE first_month >= cycle_start),
        firsts AS (
            SELECT pension_id, seen_on, source, reference FROM signs
            QUALIFY row_number() OVER (
                PARTITION BY pension_id ORDER BY seen_on, source, reference) = 1)
        SELECT c.pension_id, c.cycle_start, f.source, f.seen_on, f.reference
        FROM cycles c LEFT JOIN firsts f USING (pension_id)"""


def write_certifications(
    connection: duckdb.DuckDBPyConnection, context: CheckContext, target: Path
) -> dict[str, int]:
    """Write every paying pension's certification to ``target`` (Parquet); counts by source,
    with ``uncertified`` for those listed for active certification."""
    escaped = str(target).replace("'", "''")
    connection.execute(f"COPY ({certification_query(context)}) TO '{escaped}' (FORMAT parquet)")
    rows = connection.execute(
        f"SELECT coalesce(source, 'uncertified'), count(*) FROM read_parquet('{escaped}') "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return {str(source): int(count) for source, count in rows}
