"""Anomaly rules: patterns no department reports but audits keep finding (anchors.md §8).

Each is a reason for a person to look, not proof: all go to the review band unless noted.

- ``over_100``: a pensioner over 100 with no shared sign of life in a year (a certification on
  the roll alone does not count: self-service on a relative's phone is what an impostor can
  produce). Very old pensioners are where impostor claims after an unreported death hide
  longest (Anhui: 9,800 suspected cases found only by comparing death data).
- ``account_after_death``: the bank account changed after a death was reported. Someone other
  than the pensioner is drawing the money: 冒领, fined 2–5× under 社会保险法第八十八条 — the
  automatic band, with the fine range computed.
- ``payee_change``: the account holder changed recently to someone of another name: a
  hijacked account (the Chongqing 双改 case) shows first as a new payee.
- ``shared_account``: several unrelated pensioners paid into one account — an agent
  collecting for the dead, or a bank error; either way the money is not reaching the people.
- ``birth_date_altered``: a recent retiree whose personnel archive shows a later birth date
  than the roll — retired early on a forged date (审计署: 28,300 people in 25 provinces,
  篡改档案). The amount is what was paid before the statutory month the archive's date gives.
"""

from decimal import Decimal

from retirelink.fundcheck.checks_death import date_of_death, death_confidence, death_events
from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.evidence import (
    clipped,
    event_evidence,
    make_finding,
    money,
    payment_evidence,
)
from retirelink.fundcheck.model import (
    CheckCode,
    Evidence,
    Finding,
    PayStatus,
    PensionerCase,
)
from retirelink.rules.calendar import YearMonth, age_in_months
from retirelink.rules.death import calculate_death_overpayment, fraud_fine_range
from retirelink.rules.explanation import Explanation
from retirelink.rules.flexible import flexible_in_force, flexible_window
from retirelink.rules.payments import payments_by_month

OVER_100_CONFIDENCE = 0.7
ACCOUNT_AFTER_DEATH_CONFIDENCE = 0.97
PAYEE_CHANGE_CONFIDENCE = 0.6
SHARED_ACCOUNT_CONFIDENCE = 0.6
BIRTH_DATE_CONFIDENCE = 0.8


def _paid_since(case: PensionerCase, since: YearMonth) -> tuple[Decimal, int]:
    by_month = payments_by_month(clipped(case.paid, since))
    return sum(by_month.values(), Decimal("0")), len(by_month)


def check_over_100(case: PensionerCase, context: CheckContext) -> list[Finding]:
    roll, settings = case.roll, context.anomalies
    if roll.status is not PayStatus.PAYING:
        return []
    if age_in_months(roll.birth_date, context.today) < settings.oldest_without_sign * 12:
        return []
    window = YearMonth.of(context.today).plus(-settings.sign_window_months)
    # Only a shared record counts here: for the very old, a certification on the roll (often
    # self-service, on a relative's phone) is exactly what an impostor can produce.
    if any(sign.seen_on >= window.first_day() for sign in case.signs):
        return []
    amount, months = _paid_since(case, window)
    text = f"年满{settings.oldest_without_sign}周岁，{window.label}以来无任何部门共享的生存迹象"
    evidence = (Evidence("roll", f"出生日期{roll.birth_date}；{text}", str(roll.pension_id)),)
    summary = f"{text}，期间已发{months}个月共{money(amount)}，请上门核实"
    return [
        make_finding(
            case,
            context,
            CheckCode.OVER_100,
            confidence=OVER_100_CONFIDENCE,
            summary=summary,
            evidence=evidence,
            amount=amount,
            months=months,
            since=window,
        )
    ]


def check_account_after_death(case: PensionerCase, context: CheckContext) -> list[Finding]:
    roll = case.roll
    changed = roll.account_changed_on
    if changed is None:
        return []
    events, _ = death_events(case, context.today)
    if not events:
        return []
    died_on = date_of_death(events)
    if changed <= died_on:
        return []
    source_confidence, disputed = death_confidence(events)
    confidence = ACCOUNT_AFTER_DEATH_CONFIDENCE
    if disputed:  # the departments disagree on the date: a person weighs the change
        confidence = min(confidence, source_confidence)
    death = calculate_death_overpayment(
        died_on=died_on,
        paid=clipped(case.paid, YearMonth.of(died_on)),
        params=context.params,
        region=roll.region,
    )
    fine = fraud_fine_range(death.overpaid, on=context.today, params=context.params)
    evidence = (
        *(event_evidence(event) for event in events),
        Evidence(
            "roll",
            f"{changed}变更收款账户（死亡后{(changed - died_on).days}天）",
            str(roll.pension_id),
            changed,
        ),
        payment_evidence(roll, case.paid, death.stop_month),
    )
    summary = (
        f"{died_on}死亡后于{changed}变更收款账户，疑似冒领；多发{money(death.overpaid)}，"
        f"依社会保险法第八十八条可处{money(fine.minimum)}至{money(fine.maximum)}罚款"
    )
    return [
        make_finding(
            case,
            context,
            CheckCode.ACCOUNT_AFTER_DEATH,
            confidence=confidence,
            summary=summary,
            evidence=evidence,
            amount=death.overpaid,
            months=death.overpaid_months,
            since=death.stop_month,
            explanation=death.explanation + fine.explanation,
            suspend=roll.status is PayStatus.PAYING,
        )
    ]


def check_payee_change(case: PensionerCase, context: CheckContext) -> list[Finding]:
    roll, settings = case.roll, context.anomalies
    changed = roll.payee_changed_on
    if changed is None or roll.status is not PayStatus.PAYING or not roll.payee_name:
        return []
    recent = YearMonth.of(context.today).plus(-settings.payee_change_months).first_day()
    if changed < recent or roll.payee_name == roll.name:
        return []
    amount, months = _paid_since(case, YearMonth.of(changed))
    text = f"{changed}收款人由本人变更为“{roll.payee_name}”"
    evidence = (Evidence("roll", text, str(roll.pension_id), changed),)
    summary = f"{text}，此后已发{months}个月共{money(amount)}，请核实委托关系"
    return [
        make_finding(
            case,
            context,
            CheckCode.PAYEE_CHANGE,
            confidence=PAYEE_CHANGE_CONFIDENCE,
            summary=summary,
            evidence=evidence,
            amount=amount,
            months=months,
            since=YearMonth.of(changed),
        )
    ]


def check_shared_account(case: PensionerCase, context: CheckContext) -> list[Finding]:
    roll = case.roll
    others = [o for o in case.account_sharers if o.pension_id != roll.pension_id]
    if (
        roll.status is not PayStatus.PAYING
        or len(others) + 1 < context.anomalies.shared_account_pensioners
    ):
        return []
    names = "、".join(f"{o.name}（待遇号{o.pension_id}）" for o in others[:5])
    text = f"收款账户尾号{roll.bank_account[-4:]}同时收取{len(others) + 1}人的养老金：{names}"
    evidence = (Evidence("roll", text, roll.bank_account[-4:]),)
    summary = f"{text}，请核实代领关系"
    return [
        make_finding(
            case,
            context,
            CheckCode.SHARED_ACCOUNT,
            confidence=SHARED_ACCOUNT_CONFIDENCE,
            summary=summary,
            evidence=evidence,
            amount=roll.monthly_amount,
            months=1,
            since=None,
        )
    ]


def _category(sex: str) -> str:
    """The earliest statutory age for the sex (女职工 50): never flags a lawful retirement."""
    return "male" if sex == "1" else "female50"


def _earliest_lawful(
    sex: str, birth: YearMonth, first: YearMonth, context: CheckContext
) -> tuple[YearMonth, Explanation]:
    """The earliest lawful first month for that birth: the statutory month, or — when that
    statutory month falls after flexible retirement began (人社部发〔2024〕94号, 办法第三条) —
    the earliest month of the flexible window, so a lawful 弹性提前退休 is never flagged."""
    del first  # the window depends on the birth alone
    window = flexible_window(_category(sex), birth, on=context.today, params=context.params)
    if flexible_in_force(window, on=context.today, params=context.params):
        return window.earliest_month, window.explanation
    statutory = window.statutory
    return statutory.retirement_month, statutory.explanation


def check_birth_date_altered(case: PensionerCase, context: CheckContext) -> list[Finding]:
    roll, settings = case.roll, context.anomalies
    archive = roll.archive_birth_date
    if archive is None or archive <= roll.birth_date or archive > context.today:
        return []  # nothing later in the archive, or a date no one can be born on
    recent = YearMonth.of(context.today).plus(-settings.recent_retirement_months)
    first = YearMonth.of(roll.first_month)
    if first < recent:
        return []
    earliest, explanation = _earliest_lawful(roll.sex, YearMonth.of(archive), first, context)
    if first >= earliest:
        return []
    early = payments_by_month(case.paid)
    months = sorted(m for m in early if m < earliest)
    amount = sum((early[m] for m in months), Decimal("0"))
    text = (
        f"名册出生日期{roll.birth_date}，档案最早记载{archive}；按档案日期"
        f"最早{earliest.label}方可退休，实际{first.label}起领取"
    )
    evidence = (
        Evidence("roll", text, str(roll.pension_id), archive),
        payment_evidence(roll, case.paid, first),
    )
    summary = f"{text}，提前领取{len(months)}个月共{money(amount)}，请调阅档案核实"
    return [
        make_finding(
            case,
            context,
            CheckCode.BIRTH_DATE_ALTERED,
            confidence=BIRTH_DATE_CONFIDENCE,
            summary=summary,
            evidence=evidence,
            amount=amount,
            months=len(months),
            since=first,
            explanation=explanation,
        )
    ]
