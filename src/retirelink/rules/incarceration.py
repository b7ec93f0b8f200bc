"""Pension during a criminal case (服刑): stop, resumption, back-pay and recovery.

劳社厅函〔2001〕44号 (policy-spec §5.1 [C]): a custodial sentence (拘役、有期徒刑及以上, formerly
劳动教养) stops the pension; after release it resumes at the pre-sentence amount and takes part
only in later adjustments. 管制、缓刑、监外执行 keep the pension but without adjustments for that
period. 在押未定罪 or 被通缉 suspends it; an acquittal pays it back. Death while serving: only the
personal-contribution part of the personal account is inherited. The stop and resume months are
local practice [S], hence parameters.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, months_inclusive
from retirelink.rules.death import death_stop_month
from retirelink.rules.explanation import Explanation, StepText, Trace, note, read_parameter
from retirelink.rules.money import ZERO, require_non_negative, to_fen
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.payments import PaidPeriod, Settled, month_after, payments_by_month

_44 = "劳社厅函〔2001〕44号"
_STEPS: Mapping[str, StepText] = {
    "custody_kind": ("情形", "按判决与羁押记录", _44),
    "stop_month": ("停发（暂停）起始月", "羁押（起算）月份 + 停发口径", f"{_44}；policy-spec §5.1"),
    "resume_month": ("恢复发放起始月", "释放月份 + 恢复口径", f"{_44}；policy-spec §5.1"),
    "back_pay": ("应补发", "Σ max(应发 − 已发, 0)", f"{_44}（宣告无罪的，补发暂停期间待遇）"),
    "overpaid": ("多发应追回", "Σ max(已发 − 应发, 0)", _44),
    "died_serving": (
        "是否死于服刑期间",
        "判处刑罚且死亡时尚未释放",
        f"{_44}（服刑期间死亡：个人缴费部分本息可继承，不享受遗属待遇）",
    ),
    "resume_amount": (
        "恢复发放标准",
        "按服刑前的标准（服刑期间的调整不计入）",
        f"{_44}（按服刑前的标准继续发放，参加以后的调整）",
    ),
    "adjustments_excluded": ("不参加基本养老金调整的期间", "该期间生效的调整不计入", _44),
}


class CustodyKind(StrEnum):
    """The criminal-law situations 劳社厅函〔2001〕44号 distinguishes."""

    PENDING = "pending"  # 涉嫌犯罪被通缉或在押未定罪
    ACQUITTED = "acquitted"  # 在押后宣告无罪
    IMPRISONED = "imprisoned"  # 被判处拘役、有期徒刑及以上刑罚（含原劳动教养）
    NON_CUSTODIAL = "non_custodial"  # 管制、有期徒刑宣告缓刑、监外执行

    @property
    def label(self) -> str:
        return _CUSTODY_LABELS[self]


_CUSTODY_LABELS: Mapping[CustodyKind, str] = MappingProxyType(
    {
        CustodyKind.PENDING: "涉嫌犯罪被通缉或在押未定罪",
        CustodyKind.ACQUITTED: "在押后宣告无罪",
        CustodyKind.IMPRISONED: "被判处拘役、有期徒刑及以上刑罚",
        CustodyKind.NON_CUSTODIAL: "管制、有期徒刑宣告缓刑或监外执行",
    }
)


@dataclass(frozen=True, slots=True)
class CustodyFacts:
    """What the court and prison records say; ``started_on`` is the detention (刑拘、逮捕) or,
    without detention, the start of the sentence (管制、缓刑、监外执行: its first day)."""

    kind: CustodyKind
    started_on: date
    ended_on: date | None = None  # 释放 (刑满、无罪) or end of 管制/缓刑/监外执行; None: running
    died_on: date | None = None
    personal_contribution_balance: Decimal | None = None  # 个人账户中个人缴费部分本息

    def validate(self, as_of: YearMonth) -> None:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise InvalidInputError("释放（期满）日期早于羁押（起算）日期", field="ended_on")
        if self.died_on is not None and self.died_on < self.started_on:
            raise InvalidInputError("死亡日期早于羁押（起算）日期", field="died_on")
        if self.died_on is not None and self.ended_on is not None and self.ended_on > self.died_on:
            raise InvalidInputError("释放（期满）日期晚于死亡日期", field="ended_on")
        if self.kind is CustodyKind.ACQUITTED and self.ended_on is None:
            raise InvalidInputError("宣告无罪须填写释放日期", field="ended_on")
        if as_of < YearMonth.of(self.started_on):
            raise InvalidInputError("核算截止月早于羁押（起算）月份", field="as_of")
        if self.personal_contribution_balance is not None:
            require_non_negative(
                self.personal_contribution_balance, "personal_contribution_balance"
            )


@dataclass(frozen=True, slots=True)
class CustodyResult:
    """Months stopped, back-pay, overpayment and resumption around a criminal case."""

    kind: CustodyKind
    stop_month: YearMonth | None  # first month stopped (停发/暂停); None: payment continues
    resume_month: YearMonth | None  # first month paid again; None: not (yet) resumed
    stopped_months: int  # months stopped up to ``as_of`` (not counting months after death)
    back_pay_months: int
    back_pay: Decimal  # 补发
    overpaid_months: int
    overpaid: Decimal  # 多发，应追回
    resume_amount: Decimal | None  # 按服刑前的标准
    adjustments_excluded: tuple[YearMonth, YearMonth] | None  # adjustments in it not added
    survivor_benefits_payable: bool
    inheritable_amount: Decimal | None  # 死于服刑期间: 个人缴费部分本息
    explanation: Explanation


def evaluate_incarceration(
    facts: CustodyFacts,
    *,
    monthly_amount: Decimal,
    paid: Sequence[PaidPeriod],
    as_of: YearMonth,
    params: ParameterSet,
    region: str | None = None,
) -> CustodyResult:
    """Months stopped, paid back and overpaid around a criminal case, up to ``as_of``.

    Legal basis: 劳社厅函〔2001〕44号 — stop during a custodial sentence and resume at the
    pre-sentence amount with later adjustments only; keep paying without adjustments under
    管制/缓刑/监外执行; suspend while 在押未定罪 and pay back on acquittal; death while serving
    leaves only the personal-contribution part of the account to the heirs, no 遗属待遇. Stop
    and resume months are parameters (local practice, policy-spec §5.1 [S]).
    """
    require_non_negative(monthly_amount, "monthly_amount")
    facts.validate(as_of)
    trace = Trace()
    by_month = payments_by_month(paid)
    note(trace, _STEPS, "custody_kind", {"类别代码": facts.kind.value}, facts.kind.label)
    stop, resume = _stop_and_resume(trace, facts, params, region)
    died = None
    if facts.died_on is not None:
        died = death_stop_month(facts.died_on, params=params, region=region, trace=trace)
    first = stop or YearMonth.of(facts.started_on)
    due = _due_by_month(facts.kind, first, as_of, (stop, resume, died), monthly_amount)
    settled = _reconcile(trace, due, by_month, _adjusted_from(facts, resume))
    serving = _died_serving(trace, facts)
    return CustodyResult(
        kind=facts.kind,
        stop_month=stop,
        resume_month=resume,
        stopped_months=sum(1 for month in due if _is_stopped(month, (stop, resume, died))),
        back_pay_months=settled.back_pay_months,
        back_pay=settled.back_pay,
        overpaid_months=settled.overpaid_months,
        overpaid=settled.overpaid,
        resume_amount=_resume_amount(trace, facts, resume, died, monthly_amount),
        adjustments_excluded=_adjustments_excluded(
            trace, facts, (stop, resume, died), as_of if died is None else min(as_of, died.plus(-1))
        ),
        survivor_benefits_payable=not serving,
        inheritable_amount=facts.personal_contribution_balance if serving else None,
        explanation=trace.explanation(),
    )


def _stop_and_resume(
    trace: Trace, facts: CustodyFacts, params: ParameterSet, region: str | None
) -> tuple[YearMonth | None, YearMonth | None]:
    if facts.kind is CustodyKind.NON_CUSTODIAL:
        return None, None
    rule = read_parameter(trace, params, _STOP_RULE, facts.started_on, region)
    stop = month_after(YearMonth.of(facts.started_on), rule)
    note(trace, _STEPS, "stop_month", {"羁押（起算）日期": facts.started_on, "口径": rule}, stop)
    if facts.ended_on is None:
        return stop, None
    rule = read_parameter(trace, params, _RESUME_RULE, facts.ended_on, region)
    resume = month_after(YearMonth.of(facts.ended_on), rule)
    note(trace, _STEPS, "resume_month", {"释放日期": facts.ended_on, "口径": rule}, resume)
    return stop, resume


_STOP_RULE = "suspension.stop_month_after_detention"
_RESUME_RULE = "suspension.resume_month_after_release"
# (stop month, resume month, first month after death), each None when it does not apply
Marks = tuple[YearMonth | None, YearMonth | None, YearMonth | None]


def _is_stopped(month: YearMonth, marks: Marks) -> bool:
    stop, resume, died = marks
    if stop is None or month < stop or (died is not None and month >= died):
        return False
    return resume is None or month < resume


def _due_by_month(
    kind: CustodyKind, first: YearMonth, as_of: YearMonth, marks: Marks, amount: Decimal
) -> dict[YearMonth, Decimal]:
    """What each month from ``first`` to ``as_of`` should have paid, knowing the outcome."""
    died = marks[2]
    due: dict[YearMonth, Decimal] = {}
    for offset in range(months_inclusive(first, as_of)):
        month = first.plus(offset)
        alive = died is None or month < died
        withheld = kind is not CustodyKind.ACQUITTED and _is_stopped(month, marks)
        due[month] = amount if alive and not withheld else ZERO
    return due


def _adjusted_from(facts: CustodyFacts, resume: YearMonth | None) -> YearMonth | None:
    """From which month the pension again takes part in adjustments: the resumption after
    release, or the month after 管制/缓刑/监外执行 ends (44号: later adjustments apply); an
    acquitted person never stopped taking part (the suspension is undone in full)."""
    if facts.kind is CustodyKind.ACQUITTED:
        return YearMonth.of(facts.started_on)
    if facts.kind is CustodyKind.NON_CUSTODIAL:
        return YearMonth.of(facts.ended_on).plus(1) if facts.ended_on else None
    return resume


def _reconcile(
    trace: Trace,
    due: Mapping[YearMonth, Decimal],
    paid: Mapping[YearMonth, Decimal],
    adjusted_from: YearMonth | None = None,
) -> Settled:
    """Compare month by month: short payments are owed back, excess payments recovered —
    except from ``adjusted_from`` on, where paying more than the pre-sentence amount to a
    living person is a later adjustment they take part in, not an overpayment."""
    gaps = {month: amount - paid.get(month, ZERO) for month, amount in due.items()}
    owed = [gap for gap in gaps.values() if gap > 0]
    excess = [
        -gap
        for month, gap in gaps.items()
        if gap < 0 and (adjusted_from is None or month < adjusted_from or due[month] == ZERO)
    ]
    window = f"{min(due)}至{max(due)}" if due else "无（停发月晚于核算截止月）"
    inputs = {"核算期间": window, "应发合计": to_fen(sum(due.values(), ZERO))}
    back_pay = to_fen(sum(owed, ZERO))
    note(trace, _STEPS, "back_pay", {**inputs, "补发月数": len(owed)}, back_pay)
    overpaid = to_fen(sum(excess, ZERO))
    note(trace, _STEPS, "overpaid", {**inputs, "多发月数": len(excess)}, overpaid)
    return Settled(len(owed), back_pay, len(excess), overpaid)


def _died_serving(trace: Trace, facts: CustodyFacts) -> bool:
    if facts.died_on is None:
        return False
    serving = facts.kind is CustodyKind.IMPRISONED and facts.ended_on is None
    balance = facts.personal_contribution_balance
    inputs = {
        "死亡日期": facts.died_on,
        "个人缴费部分本息": "未提供" if balance is None else balance,
    }
    return note(trace, _STEPS, "died_serving", inputs, serving)


def _resume_amount(
    trace: Trace,
    facts: CustodyFacts,
    resume: YearMonth | None,
    died: YearMonth | None,
    amount: Decimal,
) -> Decimal | None:
    if facts.kind is not CustodyKind.IMPRISONED or resume is None or died is not None:
        return None
    return note(trace, _STEPS, "resume_amount", {"服刑前月养老金": amount}, to_fen(amount))


def _adjustments_excluded(
    trace: Trace, facts: CustodyFacts, marks: Marks, last: YearMonth
) -> tuple[YearMonth, YearMonth] | None:
    """Months whose pension adjustments are not added, up to ``last`` (as_of, or death)."""
    # 44号 withholds adjustments only from those serving a sentence (in custody or not); a
    # pending case is merely suspended and paid back in full on acquittal (policy-spec §5.1).
    if facts.kind in (CustodyKind.ACQUITTED, CustodyKind.PENDING):
        return None
    stop, resume, _ = marks
    start = stop or YearMonth.of(facts.started_on)
    if facts.kind is CustodyKind.NON_CUSTODIAL:
        end = YearMonth.of(facts.ended_on) if facts.ended_on else last
    else:
        end = resume.plus(-1) if resume else last
    span = (start, min(end, last))
    if span[1] < span[0]:
        return None
    note(trace, _STEPS, "adjustments_excluded", {"情形": facts.kind.label}, f"{span[0]}至{span[1]}")
    return span
