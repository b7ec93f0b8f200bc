"""Shared pieces of the checks: plausibility of partner records, payment evidence, months.

A partner record is used only if it can be true of this pension's holder: a death before the
person was born or after today is refused and cited as refused (数据异议 back to the source),
never silently used nor silently dropped.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.model import (
    CheckCode,
    EventKind,
    Evidence,
    Finding,
    PartnerEvent,
    PensionerCase,
    RollEntry,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.explanation import Explanation
from retirelink.rules.payments import PaidPeriod


def implausible_reason(event: PartnerEvent, roll: RollEntry, today: date) -> str | None:
    """Why a partner record cannot be true of this person, or None when it can."""
    if event.event_date < roll.birth_date:
        return f"事件日期{event.event_date}早于出生日期{roll.birth_date}"
    if event.event_date > today:
        return f"事件日期{event.event_date}晚于核查日{today}"
    if event.end_date is not None and event.end_date < event.event_date:
        return f"结束日期{event.end_date}早于开始日期{event.event_date}"
    if event.kind is EventKind.ACQUITTED and event.end_date is None:
        return "宣告无罪记录缺少释放日期"
    return None


def split_plausible(
    events: Iterable[PartnerEvent], roll: RollEntry, today: date
) -> tuple[list[PartnerEvent], list[Evidence]]:
    """The records that can be true, and the refused ones as evidence with the reason."""
    kept: list[PartnerEvent] = []
    refused: list[Evidence] = []
    for event in events:
        reason = implausible_reason(event, roll, today)
        if reason is None:
            kept.append(event)
        else:
            text = f"{event.source_label}不予采用：{reason}，已提请来源部门核实"
            refused.append(Evidence("rejected", text, str(event.record_id), event.event_date))
    return kept, refused


def event_evidence(event: PartnerEvent) -> Evidence:
    ended = f"，至{event.end_date}" if event.end_date else ""
    text = f"{event.source_label}：{event.event_date}{ended}"
    return Evidence("partner_record", text, str(event.record_id), event.event_date)


def clipped(paid: Sequence[PaidPeriod], first: YearMonth) -> tuple[PaidPeriod, ...]:
    """The paid periods from ``first`` on: months before it cannot be overpaid by the event,
    and the rules read month by month (a pension paid since 1995 is 370 months)."""
    kept = []
    for period in paid:
        if period.last < first:
            continue
        start = max(period.first, first)
        kept.append(PaidPeriod(start, period.last, period.monthly_amount))
    return tuple(kept)


def payment_evidence(roll: RollEntry, paid: Sequence[PaidPeriod], since: YearMonth) -> Evidence:
    """The payments from ``since`` on, as one line of evidence."""
    periods = [p for p in paid if p.last >= since]
    if not periods:
        text = f"{since.label}起未再发放"
    else:
        parts = "；".join(
            f"{max(p.first, since).label}至{p.last.label}每月{p.monthly_amount}元" for p in periods
        )
        text = f"{since.label}起仍发放：{parts}（{roll.scheme.label}，{roll.region}）"
    return Evidence("payment", text, str(roll.pension_id), since.first_day())


def last_paid_month(roll: RollEntry, paid: Sequence[PaidPeriod]) -> YearMonth | None:
    if paid:
        return max(period.last for period in paid)
    return YearMonth.of(roll.paid_through) if roll.paid_through else None


def money(value: Decimal) -> str:
    return f"{value:,.2f}元"


def make_finding(
    case: PensionerCase,
    context: CheckContext,
    check: CheckCode,
    *,
    confidence: float,
    summary: str,
    evidence: tuple[Evidence, ...],
    amount: Decimal,
    months: int,
    since: YearMonth | None,
    explanation: Explanation | None = None,
    suspend: bool = False,
    key_suffix: str = "",
    owed_to_person: bool = False,
    related_pension_id: int | None = None,
) -> Finding:
    """A finding about the case's pension, in the band its confidence falls in. The key —
    check, pension and ``key_suffix`` (the record, cycle or kept pension it concerns) —
    makes the same finding found again the same finding."""
    roll = case.roll
    key = f"{check}:{roll.pension_id}" + (f":{key_suffix}" if key_suffix else "")
    return Finding(
        check=check,
        pension_id=roll.pension_id,
        id_number=roll.id_number,
        name=roll.name,
        key=key,
        confidence=confidence,
        band=context.thresholds.band(confidence),
        summary=summary,
        amount=amount,
        months=months,
        from_month=str(since) if since else None,
        suspend=suspend,
        evidence=evidence,
        explanation=explanation or Explanation(),
        owed_to_person=owed_to_person,
        related_pension_id=related_pension_id,
    )
