"""Small builders for the fund guard's check tests: a roll row, paid months, partner records.

Every builder gives a plain, clean default (a paying employee pension of 3,000.00 a month,
paid through September 2025, checked on 2025-10-15) so a test names only what it is about.
Months are written "YYYY-MM"; money as text ("3000.00") so amounts stay exact.
"""

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from itertools import count
from typing import Any

from retirelink.fundcheck.context import AnomalySettings, CheckContext
from retirelink.fundcheck.model import (
    EventKind,
    Finding,
    IdentityLink,
    LifeSignSource,
    PartnerEvent,
    PayStatus,
    PensionerCase,
    RollEntry,
    Scheme,
    SignOfLife,
    Thresholds,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.parameters import ParameterSet, load_parameters
from retirelink.rules.payments import PaidPeriod

TODAY = date(2025, 10, 15)  # the payroll month defaults to the month before: 2025-09
ID_NUMBER = "130406195505200018"
NAME = "张三"
AMOUNT = Decimal("3000.00")

# Which department reports which kind of record (snapshot ``partner_events.department``).
DEPARTMENT_OF = {
    EventKind.DEATH_CANCELLATION: "public_security",
    EventKind.DEATH_CERTIFICATE: "health",
    EventKind.CREMATION: "civil_affairs",
    EventKind.DECLARED_DEAD: "court",
    EventKind.IMPRISONMENT: "justice",
    EventKind.PENDING: "justice",
    EventKind.NON_CUSTODIAL: "justice",
    EventKind.ACQUITTED: "court",
}
_record_ids = count(9001)


@cache
def shipped() -> ParameterSet:
    """The shipped parameters (what ``bootstrap.shipped_parameters()`` returns), read once."""
    return load_parameters()


def ym(text: str) -> YearMonth:
    return YearMonth.parse(text)


def month_day(text: str) -> date:
    """The first day of a "YYYY-MM" month, as the roll stores months."""
    return ym(text).first_day()


def paid(first: str, last: str, amount: str | Decimal = AMOUNT) -> PaidPeriod:
    return PaidPeriod(ym(first), ym(last), Decimal(amount))


def roll(**overrides: Any) -> RollEntry:
    """A paying 企业职工 pension of 3,000.00 since 2015-06, paid through 2025-09."""
    values: dict[str, Any] = {
        "pension_id": 101,
        "id_number": ID_NUMBER,
        "name": NAME,
        "birth_date": date(1955, 5, 20),
        "sex": "1",
        "scheme": Scheme.EMPLOYEE,
        "region": "130406",
        "first_month": month_day("2015-06"),
        "monthly_amount": AMOUNT,
        "status": PayStatus.PAYING,
        "paid_through": month_day("2025-09"),
        "bank_account": "6217000010001234",
        "payee_name": NAME,
    }
    values.update(overrides)
    return RollEntry(**values)


def event(
    kind: EventKind,
    on: date,
    *,
    end: date | None = None,
    department: str | None = None,
    record_id: int | None = None,
    id_number: str = ID_NUMBER,
) -> PartnerEvent:
    return PartnerEvent(
        record_id=next(_record_ids) if record_id is None else record_id,
        department=department or DEPARTMENT_OF[kind],
        kind=kind,
        id_number=id_number,
        name=NAME,
        event_date=on,
        end_date=end,
        received_on=TODAY,
    )


def sign(on: date, source: LifeSignSource = LifeSignSource.MEDICAL_SETTLEMENT) -> SignOfLife:
    return SignOfLife(ID_NUMBER, source, on, f"YB-{on:%Y%m%d}")


def link(
    other: RollEntry,
    other_paid: Iterable[PaidPeriod] = (),
    *,
    score: float = 1.0,
    basis: str = "同一公民身份号码",
) -> IdentityLink:
    return IdentityLink(other, tuple(other_paid), basis, score, ("身份证号相同", "姓名相同"))


def case(
    entry: RollEntry | None = None,
    periods: Iterable[PaidPeriod] | None = None,
    *,
    events: Iterable[PartnerEvent] = (),
    signs: Iterable[SignOfLife] = (),
    links: Iterable[IdentityLink] = (),
    sharers: Iterable[RollEntry] = (),
) -> PensionerCase:
    """A case; paid by default from the first month through 2025-09 at the roll's amount."""
    entry = entry or roll()
    if periods is None:
        first = YearMonth.of(entry.first_month)
        periods = (PaidPeriod(first, ym("2025-09"), entry.monthly_amount),)
    return PensionerCase(
        roll=entry,
        paid=tuple(periods),
        events=tuple(events),
        signs=tuple(signs),
        links=tuple(links),
        account_sharers=tuple(sharers),
    )


def context(
    today: date = TODAY,
    *,
    payroll: str | None = None,
    thresholds: Thresholds | None = None,
    anomalies: AnomalySettings | None = None,
) -> CheckContext:
    return CheckContext(
        today=today,
        params=shipped(),
        thresholds=thresholds or Thresholds(),
        anomalies=anomalies or AnomalySettings(),
        payroll=ym(payroll) if payroll else None,
    )


def only(findings: list[Finding]) -> Finding:
    """The single finding of a check, failing with what was found otherwise."""
    assert len(findings) == 1, [(f.check, f.key, f.amount) for f in findings]
    return findings[0]


def evidence_of(finding: Finding, kind: str) -> list[str]:
    return [item.text for item in finding.evidence if item.kind == kind]


def with_status(entry: RollEntry, status: PayStatus) -> RollEntry:
    return replace(entry, status=status)
