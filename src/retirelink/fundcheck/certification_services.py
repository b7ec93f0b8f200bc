"""Certification use cases: where a pensioner's year stands, and an active certification.

社会保险经办条例 第二十六条: eligibility is verified by 信息比对、自助认证 first; who cannot be
certified that way is asked to certify actively (in person, at home by a caseworker, or by
the app). A later certification pays the suspended months back (人社厅发〔2018〕54号; policy-spec
§5.4 [X10], ``rules.certification.evaluate_certification``): the open 未认证 findings of the
person are closed with the back-pay recorded, and a suspended pension resumes.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.fundcheck.batch import assemble_cases
from retirelink.fundcheck.checks_certification import Certification, certify
from retirelink.fundcheck.evidence import clipped
from retirelink.fundcheck.findings import FindingFilter, FindingStatus
from retirelink.fundcheck.model import (
    CheckCode,
    LifeSignSource,
    PayStatus,
    RollEntry,
    SignOfLife,
)
from retirelink.fundcheck.ports import FundUnitOfWork
from retirelink.fundcheck.services import PURPOSE, GuardSettings
from retirelink.ledger.model import LedgerAction
from retirelink.rules.calendar import YearMonth
from retirelink.rules.certification import evaluate_certification
from retirelink.rules.payments import PaidPeriod
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

ACTIVE_SOURCES = (LifeSignSource.IN_PERSON, LifeSignSource.SELF_SERVICE)


@dataclass(frozen=True, slots=True)
class PensionCertification:
    pension_id: int
    scheme_label: str
    standing: Certification


def certification_of(
    uow: FundUnitOfWork, settings: GuardSettings, *, actor: Actor, id_number: str
) -> list[PensionCertification]:
    """Each of the person's paying pensions: the cycle and the sign that certified it."""
    require(actor, Permission.FUND_CHECK)
    context = settings.context(uow, uow.clock.today())
    connection = uow.fund.snapshot(id_numbers=[id_number])
    try:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT pension_id FROM pensioners WHERE id_number = ? AND status = 'paying' "
                "ORDER BY pension_id",
                [id_number],
            ).fetchall()
        ]
        cases = list(assemble_cases(connection, ids, {}))
    finally:
        connection.close()
    if not cases:
        raise NotFoundError("待遇发放名册中没有该人员正在发放的待遇")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.FUND_FINDING_READ,
        subject=uow.ledger.subject("person", id_number),
        purpose=f"{PURPOSE}：资格认证查询",
    )
    uow.commit()
    return [
        PensionCertification(case.roll.pension_id, case.roll.scheme.label, certify(case, context))
        for case in cases
    ]


def record_certification(
    uow: FundUnitOfWork,
    settings: GuardSettings,
    *,
    actor: Actor,
    id_number: str,
    source: LifeSignSource,
    on: date,
    reference: str,
) -> list[tuple[int, Decimal]]:
    """Record an active certification; close the person's open 未认证 findings with the
    back-pay of the months suspended. Returns (finding id, back-pay) per closed finding."""
    require(actor, Permission.FUND_DECIDE)
    if source not in ACTIVE_SOURCES:
        raise InvalidInputError("主动认证方式应为现场认证或自助认证", field="source")
    today = uow.clock.today()
    if on > today:
        raise InvalidInputError("认证日期不能晚于今天", field="on")
    reference = reference.strip()
    if not reference:
        raise InvalidInputError("请填写认证凭证编号（如现场认证单号）", field="reference")
    if not uow.fund.on_roll(id_number):
        raise NotFoundError("待遇发放名册中没有该人员")
    uow.fund.add_life_sign(SignOfLife(id_number, source, on, reference))
    closed = _close_uncertified(uow, settings, actor=actor, id_number=id_number, on=on)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.FUND_FINDING_DECIDED,
        subject=uow.ledger.subject("person", id_number),
        purpose=f"{PURPOSE}：主动认证",
        after={
            "source": source.value,
            "on": on.isoformat(),
            "reference": reference,
            "closed": [{"finding": fid, "back_pay": str(pay)} for fid, pay in closed],
        },
    )
    uow.commit()
    return closed


def _close_uncertified(
    uow: FundUnitOfWork, settings: GuardSettings, *, actor: Actor, id_number: str, on: date
) -> list[tuple[int, Decimal]]:
    open_findings = [
        finding
        for finding in uow.fund.findings(
            FindingFilter(check=CheckCode.CERTIFICATION, id_number=id_number), limit=50
        )
        if finding.status.is_open
    ]
    if not open_findings:
        return []
    connection = uow.fund.snapshot(id_numbers=[id_number])
    try:
        ids = [finding.pension_id for finding in open_findings]
        cases = {case.roll.pension_id: case for case in assemble_cases(connection, ids, {})}
    finally:
        connection.close()
    payroll = settings.context(uow, uow.clock.today()).payroll_month
    closed = []
    for finding in open_findings:
        case = cases[finding.pension_id]
        cycle = YearMonth.parse(finding.key.rsplit(":", 1)[1])
        result = evaluate_certification(
            cycle_start=cycle,
            certified_on=on,
            died_on=None,
            monthly_amount=case.roll.monthly_amount,
            paid=_with_coming_payroll(clipped(case.paid, cycle), payroll, on, case.roll),
            as_of=max(payroll, YearMonth.of(on)),
            params=settings.params,
            region=case.roll.region,
        )
        reason = (
            f"{on}完成主动认证；暂停期间应补发{result.back_pay_months}个月共{result.back_pay}元"
        )
        moved = uow.fund.move(
            finding.id,
            expected=finding.status,
            to=FindingStatus.CLOSED,
            actor=actor.username,
            reason=reason,
            now=uow.clock.now(),
            recovery={"back_pay": str(result.back_pay), "back_pay_months": result.back_pay_months},
            roll_status=PayStatus.PAYING,
        )
        if moved:
            closed.append((finding.id, result.back_pay))
    return closed


def _with_coming_payroll(
    paid: tuple[PaidPeriod, ...], payroll: YearMonth, on: date, roll: RollEntry
) -> tuple[PaidPeriod, ...]:
    """Months after the last payroll up to the certification are not withheld: the resumed
    pension's next payroll pays them, so they are taken as paid and never as back-pay."""
    month = YearMonth.of(on)
    if month <= payroll:
        return paid
    return (*paid, PaidPeriod(payroll.plus(1), month, roll.monthly_amount))
