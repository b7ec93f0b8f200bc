"""Paid while imprisoned (服刑期间领取) and not resumed after release (刑满释放后未恢复发放).

劳社厅函〔2001〕44号 (policy-spec §5.1): a custodial sentence stops the pension, which resumes
after release at the pre-sentence amount; 在押未定罪 suspends it (paid back on acquittal);
管制、缓刑、监外执行 keep paying without that period's adjustments. Each 司法 record is weighed
by ``rules.incarceration.evaluate_incarceration`` against the months actually paid, up to the
last payroll month: an excess is an overpayment to recover, a shortfall after release is owed.
"""

from decimal import Decimal

from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.evidence import (
    clipped,
    event_evidence,
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
from retirelink.rules.incarceration import (
    CustodyFacts,
    CustodyKind,
    CustodyResult,
    evaluate_incarceration,
)
from retirelink.rules.payments import PaidPeriod

_KINDS = {
    EventKind.IMPRISONMENT: CustodyKind.IMPRISONED,
    EventKind.PENDING: CustodyKind.PENDING,
    EventKind.NON_CUSTODIAL: CustodyKind.NON_CUSTODIAL,
    EventKind.ACQUITTED: CustodyKind.ACQUITTED,
}
# 司法's own custody register: one record is enough to act on, a person confirms the release.
CUSTODY_CONFIDENCE = 0.95


def check_custody(case: PensionerCase, context: CheckContext) -> list[Finding]:
    records = [event for event in case.events if event.kind in _KINDS]
    kept, refused = split_plausible(records, case.roll, context.today)
    as_of = context.payroll_month
    findings: list[Finding] = []
    for event in _outcomes(kept):
        if YearMonth.of(event.event_date) > as_of:
            continue  # detained after the last payroll: nothing paid or owed yet
        if event.end_date is not None and event.end_date < case.roll.first_month:
            continue  # served before the pension began: nothing to stop or resume
        findings.extend(_weigh(case, context, event, as_of, refused))
    return findings


def _outcomes(records: list[PartnerEvent]) -> list[PartnerEvent]:
    """One record per detention: 司法 reports 在押未定罪 first and the outcome (a sentence,
    an acquittal) later under the same detention date; the outcome supersedes it, and of two
    outcomes the later record counts."""
    by_detention: dict[object, PartnerEvent] = {}
    for event in sorted(records, key=lambda e: (e.kind is not EventKind.PENDING, e.record_id)):
        by_detention[event.event_date] = event
    return sorted(by_detention.values(), key=lambda e: e.event_date)


def _amount_before(paid: tuple[PaidPeriod, ...], month: YearMonth, fallback: Decimal) -> Decimal:
    """The monthly amount paid before detention (按服刑前的标准)."""
    before = [period for period in paid if period.first <= month]
    return max(before, key=lambda period: period.first).monthly_amount if before else fallback


def _weigh(
    case: PensionerCase,
    context: CheckContext,
    event: PartnerEvent,
    as_of: YearMonth,
    refused: list[Evidence],
) -> list[Finding]:
    roll = case.roll
    start = YearMonth.of(event.event_date)
    amount = _amount_before(case.paid, start, roll.monthly_amount)
    facts = CustodyFacts(_KINDS[event.kind], started_on=event.event_date, ended_on=event.end_date)
    result = evaluate_incarceration(
        facts,
        monthly_amount=amount,
        paid=clipped(case.paid, start),
        as_of=as_of,
        params=context.params,
        region=roll.region,
    )
    evidence = (event_evidence(event), payment_evidence(roll, case.paid, start), *refused)
    # Still inside on the next payroll: no release yet, or a release after the payroll month.
    resume = result.resume_month
    running = result.stop_month is not None and (resume is None or resume > as_of)
    suspend = running and roll.status is PayStatus.PAYING and event.kind is not EventKind.ACQUITTED
    findings: list[Finding] = []
    if result.overpaid > 0 or suspend:
        findings.append(_overpaid(case, context, event, result, evidence, suspend))
    if result.back_pay > 0 and resume is not None and resume <= as_of:
        findings.append(_not_resumed(case, context, event, result, evidence))
    return findings


def _overpaid(
    case: PensionerCase,
    context: CheckContext,
    event: PartnerEvent,
    result: CustodyResult,
    evidence: tuple[Evidence, ...],
    suspend: bool,
) -> Finding:
    stop = result.stop_month
    summary = f"{event.kind.label}，{event.event_date}起"
    if stop is not None:
        summary += f"，{stop.label}起应停发"
    if result.overpaid > 0:
        summary += f"，已多发{result.overpaid_months}个月共{money(result.overpaid)}"
    else:
        summary += "，目前仍为正常发放状态，须在下次发放前暂停"
    return make_finding(
        case,
        context,
        CheckCode.CUSTODY,
        confidence=CUSTODY_CONFIDENCE,
        summary=summary,
        evidence=evidence,
        amount=result.overpaid,
        months=result.overpaid_months,
        since=stop or YearMonth.of(event.event_date),
        explanation=result.explanation,
        suspend=suspend,
        key_suffix=str(event.record_id),
    )


def _not_resumed(
    case: PensionerCase,
    context: CheckContext,
    event: PartnerEvent,
    result: CustodyResult,
    evidence: tuple[Evidence, ...],
) -> Finding:
    resume = result.resume_month
    acquitted = event.kind is EventKind.ACQUITTED
    if acquitted:  # 在押未定罪 suspended it; the acquittal pays every suspended month back
        since = result.stop_month
        summary = (
            f"{event.end_date}宣告无罪释放，暂停期间的养老金应补发，"
            f"尚欠发{result.back_pay_months}个月共{money(result.back_pay)}"
        )
    else:
        since = resume
        summary = (
            f"{event.end_date}释放，{resume.label if resume else ''}起应按服刑前标准恢复发放，"
            f"尚欠发{result.back_pay_months}个月共{money(result.back_pay)}"
        )
    return make_finding(
        case,
        context,
        CheckCode.NOT_RESUMED,
        confidence=CUSTODY_CONFIDENCE,
        summary=summary,
        evidence=evidence,
        amount=result.back_pay,
        months=result.back_pay_months,
        since=since,
        explanation=result.explanation,
        key_suffix=str(event.record_id),
        owed_to_person=True,
    )
