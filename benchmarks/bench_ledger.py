"""Benchmark the ledger: verifying a long chain, and appending through the unit of work.

Usage: .venv/bin/python benchmarks/bench_ledger.py [--backend sqlite|postgresql|both]
       [--entries 1000000] [--appends 5000] [--algorithms sm3,sha256]

Budgets: verify_ledger of 1,000,000 entries in at most 30 s; appends at least 2,000
entries/s. Setup (not timed as the figure): the chain is sealed in Python with
``retirelink.ledger.chain.seal`` and bulk-inserted in batches of 10,000, then the head is
set. After the timed ``verify_ledger`` the same run times ``verify_chain`` over the first
100,000 entries held in memory (the pure hashing cost, no database), then appends
``--appends`` entries with ``Ledger.record`` on top of the chain: one entry per
transaction, and 1,000 per transaction. Appends use the default algorithm (SM3).

Prints one JSON line per backend.
"""

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import Scratch, Stopwatch, emit, parser, scratch, selected_backends
from sqlalchemy import Engine, insert, update

from retirelink.bootstrap import Services, build
from retirelink.ledger.chain import seal, state_digest, verify_chain
from retirelink.ledger.model import GENESIS_HASH, LedgerAction, LedgerEntry
from retirelink.ledger.services import verify_ledger
from retirelink.security.crypto import HashAlgorithm
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.storage import migrate
from retirelink.storage.rows import LedgerEntryRow, LedgerHeadRow

VERIFY_BUDGET_SECONDS = 30.0
APPEND_BUDGET_PER_SECOND = 2000.0
INSERT_BATCH = 10_000
IN_MEMORY_SAMPLE = 100_000
ENTRIES_PER_TRANSACTION = 1000
START = datetime(2026, 1, 1, tzinfo=UTC)
# A realistic mix of what gets ledgered: (action, subject type, purpose, has an after-state).
KINDS = (
    (LedgerAction.PERSON_SEARCH, "query", "参保人查询（命中37人）", False),
    (LedgerAction.PERSON_READ, "person", "业务查询", False),
    (LedgerAction.PERSON_CREATE, "person", "参保登记", True),
    (LedgerAction.LOGIN_SUCCEEDED, "user", "登录", False),
)


def synthetic_entry(seq: int, prev_hash: str, algorithm: HashAlgorithm) -> LedgerEntry:
    action, subject_type, purpose, has_after = KINDS[seq % len(KINDS)]
    after = {"seq": seq, "name": "张伟"} if has_after else None
    return seal(
        LedgerEntry(
            seq=seq,
            recorded_at=START + timedelta(milliseconds=seq),
            actor_id=seq % 9 + 1,
            actor_name="clerk",
            actor_roles="clerk",
            department="SHEBAO",
            action=str(action),
            subject_type=subject_type,
            subject_key=f"{seq * 2654435761 % 2**128:032x}",
            purpose=purpose,
            before_digest="",
            after_digest=state_digest(after, algorithm),
            hash_alg=algorithm,
            prev_hash=prev_hash,
            entry_hash="",
        )
    )


def sealed_batches(count: int, algorithm: HashAlgorithm) -> Iterator[list[LedgerEntry]]:
    prev_hash, batch = GENESIS_HASH, []
    for seq in range(1, count + 1):
        entry = synthetic_entry(seq, prev_hash, algorithm)
        prev_hash = entry.entry_hash
        batch.append(entry)
        if len(batch) == INSERT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def build_chain(engine: Engine, count: int, algorithm: HashAlgorithm) -> list[LedgerEntry]:
    """Insert a valid chain of ``count`` entries; return the first IN_MEMORY_SAMPLE of them."""
    sample: list[LedgerEntry] = []
    last: LedgerEntry | None = None
    with engine.begin() as conn:
        for batch in sealed_batches(count, algorithm):
            conn.execute(insert(LedgerEntryRow), [vars(entry) for entry in batch])
            if len(sample) < IN_MEMORY_SAMPLE:
                sample.extend(batch[: IN_MEMORY_SAMPLE - len(sample)])
            last = batch[-1]
        if last is not None:
            conn.execute(
                update(LedgerHeadRow)
                .where(LedgerHeadRow.id == 1)
                .values(seq=last.seq, entry_hash=last.entry_hash)
            )
    return sample


def timed_verify(services: Services, expected: int) -> float:
    with services.uow() as uow, Stopwatch() as watch:
        report = verify_ledger(uow.ledger.store)
    if not report.ok or report.entries_checked != expected:
        raise RuntimeError(f"verification failed: {report}")
    return watch.seconds


def in_memory_rate(sample: list[LedgerEntry]) -> float:
    with Stopwatch() as watch:
        count, broken = verify_chain(sample)
    if broken is not None or count != len(sample):
        raise RuntimeError(f"in-memory verification failed at {broken}")
    return count / watch.seconds


def append_rate(services: Services, count: int, per_transaction: int) -> dict[str, Any]:
    done = 0
    with Stopwatch() as watch:
        while done < count:
            with services.uow() as uow:
                for _ in range(min(per_transaction, count - done)):
                    uow.ledger.record(
                        actor=SYSTEM_ACTOR,
                        action=LedgerAction.PERSON_READ,
                        subject=uow.ledger.subject("person", f"bench-{done}"),
                        purpose="基准测试",
                    )
                    done += 1
                uow.commit()
    rate = count / watch.seconds
    return {
        "entries": count,
        "seconds": round(watch.seconds, 2),
        "entries_per_second": round(rate),
        "met": rate >= APPEND_BUDGET_PER_SECOND,
    }


def verify_figures(db: Scratch, entries: int, algorithm: HashAlgorithm) -> dict[str, Any]:
    services = build(db.settings(ledger_hash=algorithm))
    try:
        with Stopwatch() as setup:
            sample = build_chain(services.engine, entries, algorithm)
        seconds = timed_verify(services, entries)
    finally:
        services.close()
    return {
        "entries": entries,
        "seconds": round(seconds, 2),
        "entries_per_second": round(entries / seconds),
        "in_memory_entries_per_second": round(in_memory_rate(sample)),
        "setup_seconds": round(setup.seconds, 2),
        "met": seconds <= VERIFY_BUDGET_SECONDS,
    }


def append_figures(db: Scratch, appends: int) -> dict[str, Any]:
    services = build(db.settings())
    try:
        return {
            "one_per_transaction": append_rate(services, appends, 1),
            f"{ENTRIES_PER_TRANSACTION}_per_transaction": append_rate(
                services, appends, ENTRIES_PER_TRANSACTION
            ),
        }
    finally:
        services.close()


def run(backend: str, *, entries: int, appends: int, algorithms: list[str]) -> dict[str, Any]:
    verify: dict[str, Any] = {}
    append: dict[str, Any] = {}
    for algorithm in algorithms:
        alg: HashAlgorithm = "sha256" if algorithm == "sha256" else "sm3"
        with scratch(backend) as db:
            migrate.upgrade(db.url)
            verify[alg] = verify_figures(db, entries, alg)
            if alg == "sm3":  # appends go on top of the default-algorithm chain
                append = append_figures(db, appends)
    return {
        "benchmark": "ledger",
        "backend": backend,
        "verify": verify,
        "append": append,
        "verify_budget_seconds": VERIFY_BUDGET_SECONDS,
        "append_budget_per_second": APPEND_BUDGET_PER_SECOND,
    }


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--entries", type=int, default=1_000_000)
    args_parser.add_argument("--appends", type=int, default=5000)
    args_parser.add_argument("--algorithms", default="sm3,sha256")
    args = args_parser.parse_args(argv)
    algorithms = [name.strip() for name in args.algorithms.split(",") if name.strip()]
    if not set(algorithms) <= {"sm3", "sha256"}:
        args_parser.error("--algorithms takes sm3 and/or sha256")
    for backend in selected_backends(args.backend):
        emit(run(backend, entries=args.entries, appends=args.appends, algorithms=algorithms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
