"""Paid after death (死亡后继续领取).

Any one of 公安 (户籍死亡注销), 卫健 (死亡医学证明), 民政 (火化) is a signal; records of several
departments that agree raise the confidence (policy-spec §5.2; anchors.md §8). A court's
declaration of death gives the date of death (人社部发〔2021〕18号). When departments give
different dates, the earliest plausible one is used for the warning and every date is cited:
the difference is a dispute (数据异议) for the departments, and the finding goes to a person.
Payment stops from the month after death (死亡次月停发, a parameter); what was paid from then on
is computed by ``rules.death.calculate_death_overpayment``.
"""

from datetime import date

from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.evidence import (
    clipped,
    event_evidence,
    last_paid_month,
    make_finding,
    money,
    payment_evidence,
    split_plausible,
)
from retirelink.fundcheck.model import (
    CheckCode,
    EventKind,
    Evidence,
    Finding,
    PartnerEvent,
    PayStatus,
    PensionerCase,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.death import calculate_death_overpayment

# How sure one department's record alone makes us (the 户籍 register is the record of death;
# a certificate or a cremation is strong but can carry a mistyped ID). Several departments
# agreeing (dates within ``AGREEING_DAYS``) raise it; disagreement sends it to a person.
SINGLE_SOURCE_CONFIDENCE = {
    "public_security": 0.92,
    "court": 0.95,
    "health": 0.85,
    "civil_affairs": 0.8,
}
SEVERAL_SOURCES_CONFIDENCE = 0.99
DISPUTED_CONFIDENCE = 0.75
# A cremation follows the death by days; a certificate may be dated a day apart.
AGREEING_DAYS = 31


def death_events(case: PensionerCase, today: date) -> tuple[list[PartnerEvent], list[Evidence]]:
    deaths = [event for event in case.events if event.kind.is_death]
    return split_plausible(deaths, case.roll, today)


def _declared(events: list[PartnerEvent]) -> bool:
    return any(event.kind is EventKind.DECLARED_DEAD for event in events)


def date_of_death(events: list[PartnerEvent]) -> date:
    """The court's date when there is one; otherwise the earliest plausible date reported."""
    declared = [event.event_date for event in events if event.kind is EventKind.DECLARED_DEAD]
    return min(declared) if declared else min(event.event_date for event in events)


def death_confidence(events: list[PartnerEvent]) -> tuple[float, bool]:
    """Confidence from the sources and whether their dates disagree (a dispute)."""
    dates = [event.event_date for event in events]
    disputed = (max(dates) - min(dates)).days > AGREEING_DAYS
    if disputed:
        return DISPUTED_CONFIDENCE, True
    departments = {event.department for event in events}
    if len(departments) > 1:
        return SEVERAL_SOURCES_CONFIDENCE, False
    return SINGLE_SOURCE_CONFIDENCE.get(departments.pop(), 0.8), False


def check_death(case: PensionerCase, context: CheckContext) -> list[Finding]:
    events, refused = death_events(case, context.today)
    if not events:
        return []
    roll = case.roll
    died_on = date_of_death(events)
    death_month = YearMonth.of(died_on)
    result = calculate_death_overpayment(
        died_on=died_on,
        paid=clipped(case.paid, death_month),
        params=context.params,
        region=roll.region,
    )
    still_paying = roll.status is PayStatus.PAYING
    if result.overpaid <= 0 and not still_paying:
        return []
    confidence, disputed = death_confidence(events)
    evidence = [event_evidence(event) for event in sorted(events, key=lambda e: e.event_date)]
    if disputed:
        dates = "、".join(sorted({str(event.event_date) for event in events}))
        basis = "法院宣告死亡日期" if _declared(events) else "最早的合理日期"
        text = f"各部门死亡日期不一致（{dates}），按{basis}{died_on}预警，已提请核实"
        evidence.append(Evidence("dispute", text, "", died_on))
    evidence.append(payment_evidence(roll, case.paid, result.stop_month))
    evidence.extend(refused)
    last = last_paid_month(roll, case.paid)
    summary = f"{died_on}死亡，{result.stop_month.label}起应停发"
    if result.overpaid > 0 and last is not None:
        summary += f"，已多发{result.overpaid_months}个月至{last.label}，共{money(result.overpaid)}"
    else:
        summary += "，目前仍为正常发放状态，须在下次发放前暂停"
    return [
        make_finding(
            case,
            context,
            CheckCode.DEATH,
            confidence=confidence,
            summary=summary,
            evidence=tuple(evidence),
            amount=result.overpaid,
            months=result.overpaid_months,
            since=result.stop_month,
            explanation=result.explanation,
            suspend=still_paying,
        )
    ]
