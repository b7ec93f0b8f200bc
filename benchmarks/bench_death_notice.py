"""Benchmark: a death notice pushed by 公安 until it shows on the person's record.

Usage: .venv/bin/python benchmarks/bench_death_notice.py [--backend sqlite|postgresql|both]
       [--persons 2000] [--notices 100]

Budget (issue 5, until the fund guard exists): a death notice pushed by 公安 reaches the person
record <= 1 s. Setup (not timed): a migrated scratch database with the demo district
(``--persons``), a partner registry with 公安's key, a real ``retirelink serve``, the demo clerk
logged in. Timed per notice: the simulator's signed push (``partners.pusher.push_notices``:
sign, POST, receipt verified) and then the clerk's ``GET /persons/{id}``, until the page's
部门共享信息 shows the death date. Prints p50/p95/max in ms per backend.
"""

import json
import sys
import time
from contextlib import closing
from datetime import UTC, date, datetime, timedelta

import httpx
from _common import Scratch, emit, latency_ms, parser, running_server, scratch, selected_backends
from sqlalchemy import create_engine, text

from retirelink.bootstrap import build
from retirelink.clock import FixedClock
from retirelink.demo.loader import DEMO_PASSWORD, load_demo
from retirelink.partners.pusher import death_message_id, death_notice, push_notices
from retirelink.storage import migrate

CLIENT = "GONGAN-130406"
KEY = bytes.fromhex("6b" * 32)
ITEM = "public_security.death_cancellation"
AS_OF = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def prepare(db: Scratch, persons: int) -> list[tuple[int, str, str]]:
    migrate.upgrade(db.url)
    services = build(db.settings(), clock=FixedClock(AS_OF))
    try:
        load_demo(services, seed=130406, persons=persons)
    finally:
        services.close()
    registry = db.data_dir / "partners" / "partners.json"
    registry.parent.mkdir(parents=True, exist_ok=True)
    registry.write_text(
        json.dumps(
            {
                "our_client_id": "SHEBAO-130406",
                "partners": [
                    {
                        "department": "GONGAN",
                        "kind": "public_security",
                        "client_id": CLIENT,
                        "base_url": "http://127.0.0.1:9",
                        "key": KEY.hex(),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, id_number, name FROM persons ORDER BY id"))
            return [(row.id, row.id_number, row.name) for row in rows]
    finally:
        engine.dispose()


def clerk(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post(
        "/api/v1/auth/login", json={"username": "clerk", "password": DEMO_PASSWORD}
    )
    response.raise_for_status()
    return client


def one_notice(base_url: str, page: httpx.Client, person: tuple[int, str, str], day: date) -> float:
    person_id, id_number, name = person
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
    while day.isoformat() not in _shared_section(page.get(f"/persons/{person_id}").text):
        time.sleep(0.005)
    return time.perf_counter() - started


def _shared_section(html: str) -> str:
    """The page's 部门共享信息 section (what partner departments reported)."""
    return html.split('id="shared-heading"', 1)[1]


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--persons", type=int, default=2000)
    args_parser.add_argument("--notices", type=int, default=100)
    args = args_parser.parse_args(argv)
    for backend in selected_backends(args.backend):
        with scratch(backend) as db:
            persons = prepare(db, args.persons)
            with running_server(db.server_env()) as base_url, closing(clerk(base_url)) as page:
                chosen = persons[:: max(1, len(persons) // args.notices)][: args.notices]
                day = date(2026, 11, 1)
                seconds = [
                    one_notice(base_url, page, person, day + timedelta(days=n % 20))
                    for n, person in enumerate(chosen)
                ]
            emit({"backend": backend, "persons": len(persons), **latency_ms(seconds)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
