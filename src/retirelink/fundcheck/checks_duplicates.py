"""Duplicate receipt (重复领取): one human drawing two pensions.

The identity matching (``identity``) links roll rows it takes for the same human — the same
ID number in two schemes or two regions, a 15- and an 18-digit ID, a change of ID or name (双改),
a name written differently, a mistyped ID — with a score. This check decides which pension is
kept and what the other returns:

- employee (or 机关事业) and resident: keep the employee pension, clear the resident one and
  return its basic pension drawn since (《城乡养老保险制度衔接暂行办法》第八条;
  人社厅发〔2021〕77号), computed by ``rules.duplicates.evaluate_duplicate_receipt``;
- two resident pensions: keep the first place of receipt (77号), the same rule;
- two pensions of one scheme: keep the first, recover the other's months since
  (``rules.duplicates.evaluate_same_scheme_duplicate``).

The finding is raised on the pension to clear, citing the kept one; the score of the match is
its confidence, so a doubtful match (a mistyped ID) goes to a person.
"""

from decimal import Decimal

from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.evidence import clipped, make_finding, money, payment_evidence
from retirelink.fundcheck.model import (
    CheckCode,
    Evidence,
    Finding,
    IdentityLink,
    PayStatus,
    PensionerCase,
    RollEntry,
    Scheme,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.duplicates import (
    ResidentPension,
    evaluate_duplicate_receipt,
    evaluate_same_scheme_duplicate,
)
from retirelink.rules.explanation import Explanation
from retirelink.rules.payments import PaidPeriod


def check_duplicates(case: PensionerCase, context: CheckContext) -> list[Finding]:
    findings = []
    for link in case.links:
        if _kept(case.roll, link.other) is case.roll:
            continue  # the finding belongs to the other pension's case
        findings.append(_finding(case, link, context))
    return findings


def _rank(roll: RollEntry) -> tuple[int, object, int]:
    """Lower is kept: the employee scheme before the resident one, then the first paid."""
    return (1 if roll.scheme is Scheme.RESIDENT else 0, roll.first_month, roll.pension_id)


def _kept(one: RollEntry, other: RollEntry) -> RollEntry:
    return min(one, other, key=_rank)


def _finding(case: PensionerCase, link: IdentityLink, context: CheckContext) -> Finding:
    roll, kept = case.roll, link.other
    amount, months, explanation = _settle(roll, case.paid, kept, context)
    kept_from = YearMonth.of(kept.first_month)
    evidence = [
        Evidence("match", f"{link.basis_label}：{'；'.join(link.reasons)}", str(kept.pension_id)),
        Evidence(
            "roll",
            f"保留：{kept.scheme.label}，{kept.region}，{YearMonth.of(kept.first_month).label}起领取，"
            f"{kept.status.label}（待遇号{kept.pension_id}）",
            str(kept.pension_id),
            kept.first_month,
        ),
        payment_evidence(roll, case.paid, kept_from),
    ]
    summary = (
        f"与待遇号{kept.pension_id}（{kept.scheme.label}，{kept.region}）为同一人，"
        f"{roll.scheme.label}（{roll.region}）应终止，重复{months}个月应退还{money(amount)}"
    )
    return make_finding(
        case,
        context,
        CheckCode.DUPLICATE,
        confidence=link.score,
        summary=summary,
        evidence=tuple(evidence),
        amount=amount,
        months=months,
        since=max(kept_from, YearMonth.of(roll.first_month)),
        explanation=explanation,
        suspend=roll.status is PayStatus.PAYING,
        key_suffix=str(kept.pension_id),
        related_pension_id=kept.pension_id,
    )


def _basic_part(roll: RollEntry, paid: tuple[PaidPeriod, ...]) -> tuple[PaidPeriod, ...]:
    """The resident basic pension (基础养老金) within what was paid: 第八条 returns only it.
    The personal-account part is fixed at the start (balance ÷ 139) while the basic pension is
    raised over the years, so each month's basic part is what was paid less the account part."""
    basic = roll.basic_amount
    if basic is None:
        return paid
    account_part = max(roll.monthly_amount - basic, Decimal("0"))
    return tuple(
        PaidPeriod(p.first, p.last, max(p.monthly_amount - account_part, Decimal("0")))
        for p in paid
    )


def _settle(
    roll: RollEntry, paid: tuple[PaidPeriod, ...], kept: RollEntry, context: CheckContext
) -> tuple[Decimal, int, Explanation]:
    kept_from = YearMonth.of(kept.first_month)
    first = YearMonth.of(roll.first_month)
    overlap = clipped(paid, max(kept_from, first))
    if roll.scheme is Scheme.RESIDENT:
        resident = ResidentPension(
            place=roll.region,
            first_paid=first,
            basic_pension_paid=_basic_part(roll, overlap),
            account_balance=Decimal("0"),  # the snapshot holds no resident account balance
            government_subsidy=Decimal("0"),
        )
        employee_start = None if kept.scheme is Scheme.RESIDENT else kept_from
        residents = [resident]
        if employee_start is None:
            residents.insert(0, _as_resident(kept))
        result = evaluate_duplicate_receipt(
            employee_pension_start=employee_start,
            residents=residents,
            on=context.today,
            params=context.params,
            keep_first_listed=True,  # same first month: the one registered first (lower 待遇号)
        )
        cleared = result.cleared[-1]
        return cleared.basic_pension_to_return, cleared.duplicate_months, result.explanation
    same = evaluate_same_scheme_duplicate(
        kept_from=min(kept_from, first), cleared_first=first, cleared_paid=overlap
    )
    return same.overpaid, same.duplicate_months, same.explanation


def _as_resident(kept: RollEntry) -> ResidentPension:
    return ResidentPension(
        place=kept.region,
        first_paid=YearMonth.of(kept.first_month),
        basic_pension_paid=(),
        account_balance=Decimal("0"),
        government_subsidy=Decimal("0"),
    )
