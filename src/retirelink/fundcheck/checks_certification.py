"""Certification (待遇资格认证): passive from shared signs of life, then the active list.

人社厅发〔2018〕54号 (认证寓于服务, data comparison first) and 社会保险经办条例 第二十六条
(信息比对、自助认证; if that fails, entrust the employer or a third party; stop when entitlement
is lost), policy-spec §5.4: the yearly cycle runs from the birthday month; any sign of life
in it — a medical settlement, a hospital stay, travel, the person's own bank transaction, an
in-person or self-service certification — certifies the year, and that sign is the evidence.
Who has none in the last completed cycle, and none since, is listed for active certification
(a person's queue) before anything is suspended; the suspension month and a later back-pay
follow ``rules.certification.evaluate_certification``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.evidence import clipped, make_finding, money, payment_evidence
from retirelink.fundcheck.model import (
    CheckCode,
    Evidence,
    Finding,
    LifeSignSource,
    PayStatus,
    PensionerCase,
    SignOfLife,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.certification import evaluate_certification
from retirelink.rules.payments import payments_by_month

# Not certified in a whole cycle is a reason to ask, not proof of death: a person confirms.
UNCERTIFIED_CONFIDENCE = 0.7


@dataclass(frozen=True, slots=True)
class Certification:
    """How a pension's last completed cycle stands."""

    cycle_start: YearMonth
    cycle_end: YearMonth
    sign: SignOfLife | None  # the first sign of life in the cycle (or since), None: none

    @property
    def certified(self) -> bool:
        return self.sign is not None


def cycle_start(birth_date: date, payroll: YearMonth) -> YearMonth:
    """Start of the last completed yearly cycle: the birthday month a year before the latest
    birthday month not after the payroll month (policy-spec §5.4 [S])."""
    latest = YearMonth(payroll.year, birth_date.month)
    if latest > payroll:
        latest = latest.plus(-12)
    return latest.plus(-12)


def signs(case: PensionerCase) -> list[SignOfLife]:
    """Shared signs of life, with the roll's last certification as one of them."""
    found = list(case.signs)
    if case.roll.last_certified_on is not None:
        certified = SignOfLife(
            case.roll.id_number,
            LifeSignSource.IN_PERSON,
            case.roll.last_certified_on,
            "名册认证记录",
        )
        found.append(certified)
    return sorted(found, key=lambda sign: (sign.seen_on, sign.source.value, sign.reference))


def certify(case: PensionerCase, context: CheckContext) -> Certification:
    """Passive certification of the last completed cycle from the shared signs of life."""
    start = cycle_start(case.roll.birth_date, context.payroll_month)
    end = start.plus(11)
    since = [sign for sign in signs(case) if start.first_day() <= sign.seen_on <= context.today]
    if YearMonth.of(case.roll.first_month) >= start:  # the retirement decision certified it
        first = SignOfLife(
            case.roll.id_number, LifeSignSource.IN_PERSON, case.roll.first_month, "待遇核定"
        )
        since.append(first)
    since.sort(key=lambda sign: (sign.seen_on, sign.source.value, sign.reference))
    return Certification(start, end, since[0] if since else None)


def check_certification(case: PensionerCase, context: CheckContext) -> list[Finding]:
    roll = case.roll
    if roll.status is not PayStatus.PAYING:
        return []
    standing = certify(case, context)
    if standing.certified:
        return []
    payroll = context.payroll_month
    result = evaluate_certification(
        cycle_start=standing.cycle_start,
        certified_on=None,
        died_on=None,
        monthly_amount=roll.monthly_amount,
        paid=clipped(case.paid, standing.cycle_start),
        as_of=max(payroll, standing.cycle_start),
        params=context.params,
        region=roll.region,
    )
    suspended = result.suspended_from
    if suspended is None or suspended > payroll:
        return []
    by_month = payments_by_month(clipped(case.paid, suspended))
    at_risk = sum(by_month.values(), Decimal("0"))
    evidence = (
        Evidence(
            "sign_of_life",
            f"{standing.cycle_start.label}至{standing.cycle_end.label}认证周期内及其后无任何生存迹象"
            "（医保结算、住院、出行、银行交易、现场或自助认证）",
            str(roll.pension_id),
        ),
        payment_evidence(roll, case.paid, suspended),
    )
    summary = (
        f"{standing.cycle_start.label}起的认证周期未认证，列入主动认证名单；"
        f"{suspended.label}起已发{len(by_month)}个月共{money(at_risk)}"
    )
    return [
        make_finding(
            case,
            context,
            CheckCode.CERTIFICATION,
            confidence=UNCERTIFIED_CONFIDENCE,
            summary=summary,
            evidence=evidence,
            amount=at_risk,
            months=len(by_month),
            since=suspended,
            explanation=result.explanation,
            suspend=False,  # active certification first (社会保险经办条例第二十六条)
            key_suffix=str(standing.cycle_start),
        )
    ]
