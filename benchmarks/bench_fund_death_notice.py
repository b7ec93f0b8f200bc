"""Benchmark: a death pushed by 公安 until the fund guard's suspension warning exists.

Usage: .venv/bin/python benchmarks/bench_fund_death_notice.py [--backend sqlite|postgresql|both]
       [--persons 3000] [--notices 20] [--interval 10]

Budget (issue 7): partner death notice → suspension warning ≤ 60 s end to end. Setup (not
timed): a migrated scratch database with the demo district and its pension roll, a partner
registry with 公安's key, a real ``retirelink serve`` with the fund guard's continuous worker
on (``RETIRELINK_FUND_WORKER``, every ``--interval`` seconds). Timed per notice: the signed
push (sign, POST, receipt verified) until the ``fund_findings`` row of that pensioner's
death, with ``suspend`` set, is committed. Prints p50/p95/max in ms per backend.
"""

import sys
import time
from datetime import date, timedelta

from _common import emit, latency_ms, parser, running_server, scratch, selected_backends
from bench_death_notice import CLIENT, ITEM, KEY, prepare
from sqlalchemy import create_engine, text

from retirelink.partners.pusher import death_message_id, death_notice, push_notices


def paying_pensioners(url: str, count: int) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id_number, name FROM pension_roll WHERE status = 'paying' "
                    "AND scheme = 'employee' ORDER BY id LIMIT :n"
                ),
                {"n": count},
            )
            return [(row.id_number, row.name) for row in rows]
    finally:
        engine.dispose()


def one_notice(base_url: str, url: str, person: tuple[str, str], day: date) -> float:
    id_number, name = person
    engine = create_engine(url)
    started = time.perf_counter()
    result = push_notices(
        base_url,
        client_id=CLIENT,
        key=KEY,
        item=ITEM,
        message_id=death_message_id(id_number, day),
        records=[death_notice(id_number, name, day)],
    )
    if result.status != "applied":
        raise RuntimeError(f"push not applied: {result.status} {result.issues}")
    query = text(
        "SELECT count(*) FROM fund_findings WHERE id_number = :id AND check_code = 'death' "
        "AND suspend"
    )
    try:
        with engine.connect() as conn:
            while not conn.execute(query, {"id": id_number}).scalar():
                conn.commit()
                time.sleep(0.05)
    finally:
        engine.dispose()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--persons", type=int, default=3000)
    args_parser.add_argument("--notices", type=int, default=20)
    args_parser.add_argument("--interval", type=float, default=10.0)
    args = args_parser.parse_args(argv)
    for backend in selected_backends(args.backend):
        with scratch(backend) as db:
            prepare(db, args.persons)
            chosen = paying_pensioners(db.url, args.notices)
            env = {
                **db.server_env(),
                "RETIRELINK_FUND_WORKER": "true",
                "RETIRELINK_FUND_INTERVAL_SECONDS": str(args.interval),
            }
            with running_server(env) as base_url:
                day = date(2026, 9, 15)
                seconds = [
                    one_notice(base_url, db.url, person, day + timedelta(days=n % 10))
                    for n, person in enumerate(chosen)
                ]
            emit(
                {
                    "backend": backend,
                    "persons": args.persons,
                    "interval_s": args.interval,
                    **latency_ms(seconds),
                }
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
