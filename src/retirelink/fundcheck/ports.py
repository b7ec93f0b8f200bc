"""What the fund guard's use cases need from storage."""

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import duckdb

from retirelink.clock import Clock
from retirelink.fundcheck.findings import (
    FindingEvent,
    FindingFilter,
    FindingStatus,
    FundRun,
    StoredFinding,
)
from retirelink.fundcheck.model import Finding, PayStatus, SignOfLife
from retirelink.ledger.services import Ledger


class FundRepository(Protocol):
    def save_findings(
        self, findings: Sequence[Finding], *, run_id: int, now: datetime, auto_suspend: bool
    ) -> tuple[list[StoredFinding], int]:
        """Store new findings (by key) and refresh open warnings; returns the new ones and
        how many were already known. A new finding the rule suspends (``initial_status``)
        suspends its pension on the roll in the same transaction."""
        ...

    def findings(
        self, where: FindingFilter, *, limit: int, offset: int = 0
    ) -> list[StoredFinding]: ...
    def count_findings(self, where: FindingFilter) -> int: ...
    def finding(self, finding_id: int) -> StoredFinding | None: ...
    def history(self, finding_id: int) -> list[FindingEvent]: ...
    def move(
        self,
        finding_id: int,
        *,
        expected: FindingStatus,
        to: FindingStatus,
        actor: str,
        reason: str,
        now: datetime,
        recovery: dict[str, Any] | None = None,
        roll_status: PayStatus | None = None,
    ) -> bool:
        """Move a finding if it is still in ``expected`` (one of two racing people wins);
        ``roll_status`` sets its pension's payment status in the same transaction."""
        ...

    def add_repayment(
        self, finding_id: int, *, recovery: dict[str, Any], recovered: Decimal, now: datetime
    ) -> None:
        """Store the updated recovery plan and the total repaid so far."""
        ...

    def recovered_total(self) -> Decimal: ...
    def run_totals(self, run_id: int) -> dict[str, tuple[int, Decimal]]:
        """Check → (findings, amount) of what the run found (first found or seen again)."""
        ...

    def totals(self) -> list[tuple[str, str, int, Any]]:
        """(check, status, count, amount) over all findings."""
        ...

    def start_run(self, *, kind: str, actor: str, as_of: date, now: datetime) -> FundRun: ...
    def unfinished_run(self, kind: str) -> FundRun | None: ...
    def update_run(self, run_id: int, **values: Any) -> None: ...
    def runs(self, *, limit: int) -> list[FundRun]: ...
    def run(self, run_id: int) -> FundRun | None: ...
    def on_roll(self, id_number: str) -> bool: ...
    def contribution_months(self, pension_id: int) -> int | None:
        """Months contributed on record for the pension's person; None: not linked."""
        ...

    def add_life_sign(self, sign: SignOfLife) -> None: ...
    def payroll_month(self) -> date | None:
        """The last month the roll has paid (max paid_through)."""
        ...

    def new_partner_records(self, after: int, *, limit: int) -> list[tuple[int, str]]:
        """(record id, ID number) of partner records received after ``after``."""
        ...

    def snapshot(
        self, *, id_numbers: Sequence[str] | None = None, target: Path | None = None
    ) -> duckdb.DuckDBPyConnection:
        """The snapshot tables (``fundcheck.snapshot``) in DuckDB, read in one transaction:
        the whole roll into ``target`` (a file), or the rows about ``id_numbers`` in memory."""
        ...


class FundUnitOfWork(Protocol):
    @property
    def fund(self) -> FundRepository: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def clock(self) -> Clock: ...

    def commit(self) -> None: ...


class FundUnitsOfWork(Protocol):
    def __call__(self, *, read_only: bool = False) -> AbstractContextManager[FundUnitOfWork]: ...
