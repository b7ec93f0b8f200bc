"""How each parallel task of a retirement application is decided.

One function per task kind, each returning a ``TaskOutcome``. The agency's own tasks are
decided by the rules engine from the archive and the insured record; the partner tasks ask
the department through ``PartnerChecks`` (a department that is down raises
UnavailableError and the caller retries the task later). What cannot be decided from
shared data goes to a person (``needs_person``) with the reason; a contradiction between
sources is ``disputed``, never a silent choice.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from retirelink.archives.insured import ContributionYear, InsuranceRecord
from retirelink.archives.model import Person
from retirelink.clock import CHINA_TZ
from retirelink.rules import (
    ContributionPeriod,
    MinimumContribution,
    PensionFacts,
    YearMonth,
    YearsMonths,
    account_credits,
    accumulate_account,
    average_contribution_index,
    calculate_pension,
    evaluate_illness_retirement,
    minimum_contribution,
    provisional_parameters,
)
from retirelink.rules.benefit_place import province_of
from retirelink.rules.early_retirement import Outcome
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.result_json import to_json
from retirelink.security.model import Actor
from retirelink.workflow.applications import (
    PUBLIC_NOTICE_PERIOD,
    Application,
    ApplicationRoute,
    TaskKind,
    TaskStatus,
)
from retirelink.workflow.cross_province import LocalFacts, decide, transferred_months
from retirelink.workflow.model import ChecklistItem, Owner
from retirelink.workflow.person_facts import applicant_facts
from retirelink.workflow.ports import PartnerChecks, TaskOutcome, WorkflowUnitOfWork
from retirelink.workflow.prereview import PersonReview, PrereviewFacts, review_person


@dataclass(frozen=True)
class TaskContext:
    """What a task handler may read: the application, the person and their insured record,
    the legal parameters and the partner departments."""

    uow: WorkflowUnitOfWork
    actor: Actor
    application: Application
    person: Person
    record: InsuranceRecord
    params: ParameterSet
    region: str
    partners: PartnerChecks
    today: date

    @property
    def request_id(self) -> str:
        return self.application.reference

    def facts(self) -> PrereviewFacts:
        return applicant_facts(self.uow, self.actor, self.person, self.record)

    def review(self) -> tuple[PrereviewFacts, PersonReview]:
        facts = self.facts()
        return facts, review_person(facts, on=self.today, params=self.params, region=self.region)


def _done(
    summary: str, evidence: Sequence[str] = (), result: Mapping[str, Any] | None = None
) -> TaskOutcome:
    return TaskOutcome(TaskStatus.DONE, summary, tuple(evidence), dict(result or {}))


def _person(
    summary: str, evidence: Sequence[str] = (), result: Mapping[str, Any] | None = None
) -> TaskOutcome:
    return TaskOutcome(TaskStatus.NEEDS_PERSON, summary, tuple(evidence), dict(result or {}))


# --- the agency's own tasks ----------------------------------------------------------------------


def archive_review(ctx: TaskContext) -> TaskOutcome:
    """Birth date (劳社部发〔1999〕8号), deemed contribution (国发〔1997〕26号) and, for the
    special-job route, the original records (劳社部发〔1999〕8号) — as pre-review decides them."""
    facts, review = ctx.review()
    if facts.archive is None:
        return _person("人事档案尚未数字化入库：已转档案管理部门调取纸质档案扫描")
    items = list(review.archive_items)
    if ctx.application.route is ApplicationRoute.SPECIAL_JOB:
        refused = _special_job_refusal(ctx, review)
        if refused is not None:
            return refused
        items += review.special_job_items
    if ctx.application.route is ApplicationRoute.ILLNESS:
        decided = _illness_decision(ctx, review)
        if decided is not None:
            return decided
    if items:
        return _person(
            "；".join(f"{item.code.label}：{item.text}" for item in items),
            [e for item in items for e in item.evidence],
            {"items": [item.as_json() for item in items], "asked_of_applicant": _asked(items)},
        )
    disputed = _month_dispute(ctx, review)
    if disputed is not None:
        return disputed
    birth = facts.archive.birth
    deemed = review.deemed
    evidence = [f"material:{birth.material_id}"] if birth.material_id else []
    evidence += list(deemed.evidence) if deemed else []
    evidence = list(dict.fromkeys(evidence))
    return _done(
        f"出生年月{review.birth.label}（依据：{birth.source.label}）；视同缴费"
        f"{YearsMonths.of(review.deemed_counted).label}",
        evidence,
        {
            "birth_month": str(review.birth),
            "birth_source": birth.source.label,
            "deemed_months": review.deemed_counted,
        },
    )


def _asked(items: Sequence[ChecklistItem]) -> int:
    """Materials the applicant (or the employer for them) must supply."""
    return sum(1 for item in items if item.owner in (Owner.APPLICANT, Owner.EMPLOYER))


def _special_job_refusal(ctx: TaskContext, review: PersonReview) -> TaskOutcome | None:
    assessment = review.special_job
    if assessment is None:
        return TaskOutcome(TaskStatus.REFUSED, "参保记录和档案中没有特殊工种工作经历")
    if assessment.outcome is Outcome.NOT_ELIGIBLE:
        return TaskOutcome(
            TaskStatus.REFUSED,
            "不符合特殊工种提前退休条件：" + "；".join(assessment.reasons),
            result={"explanation": assessment.explanation.to_list()},
        )
    if ctx.application.retirement_month < assessment.earliest_month:
        return TaskOutcome(
            TaskStatus.REFUSED,
            f"特殊工种提前退休最早为{assessment.earliest_month.label}，"
            f"申请的{ctx.application.retirement_month.label}未到年龄",
        )
    return None


def _illness_decision(ctx: TaskContext, review: PersonReview) -> TaskOutcome | None:
    """因病提前退休: the 劳动能力鉴定 conclusion, the age (男50、女45 per 劳社部发〔1999〕8号) and
    the minimum contribution, as the rules engine weighs them."""
    appraisal = ctx.application.appraisal
    if appraisal is None:
        return _person("因病提前退休缺少劳动能力鉴定结论")
    assessment = evaluate_illness_retirement(
        ctx.record.category,
        review.birth,
        work_capacity=appraisal.capacity,
        retirement=ctx.application.retirement_month,
        contribution_months=review.paid_and_deemed,
        on=ctx.today,
        params=ctx.params,
    )
    explanation = {"explanation": assessment.explanation.to_list()}
    if assessment.outcome is Outcome.NOT_ELIGIBLE:
        return TaskOutcome(
            TaskStatus.REFUSED,
            "不符合因病提前退休条件：" + "；".join(assessment.reasons),
            (f"appraisal:{appraisal.reference}",),
            explanation,
        )
    if assessment.outcome is Outcome.MANUAL_REVIEW:
        return _person("；".join(assessment.reasons), (f"appraisal:{appraisal.reference}",))
    return None


def _month_dispute(ctx: TaskContext, review: PersonReview) -> TaskOutcome | None:
    """A statutory application for a month the archive's birth date does not give: the
    archive and the ID card disagree, and a person must decide (劳社部发〔1999〕8号)."""
    if ctx.application.route is not ApplicationRoute.STATUTORY:
        return None
    month = review.statutory_month
    if month == ctx.application.retirement_month:
        return None
    return TaskOutcome(
        TaskStatus.DISPUTED,
        f"按档案认定的出生年月{review.birth.label}，法定退休年月为{month.label}，"
        f"与申请的{ctx.application.retirement_month.label}（按身份证）不一致",
        result={"archive_month": str(month)},
    )


def contributions(ctx: TaskContext) -> TaskOutcome:
    """Paid months (the insured record) plus deemed months (the archive) against the
    minimum for the retirement year (人社部令第13号; 办法第四条 and 附件4); when they fall
    short, plus the months transferred in from other provinces (缴费年限累计计算, 国办发
    〔2009〕66号), once the cross-province task has them — it waits for that task meanwhile."""
    facts, review = ctx.review()
    month = ctx.application.retirement_month
    minimum = minimum_contribution(month.year, on=ctx.today, params=ctx.params)
    paid = facts.contribution_months
    figures: dict[str, Any] = {
        "paid_months": paid,
        "deemed_months": review.deemed_counted if review.deemed else None,
        "required_months": minimum.required_months,
    }
    if paid == 0:
        return _person("没有缴费记录：请核查参保登记和跨地区转移接续", result=figures)
    if review.paid_and_deemed >= minimum.required_months:
        return _done(
            f"累计缴费{YearsMonths.of(review.paid_and_deemed).label}，"
            f"达到{month.year}年退休最低缴费年限{minimum.required.label}",
            ["insured:contribution_years"],
            figures,
        )
    transferred = transferred_months(ctx.uow.tasks.for_application(ctx.application.id or 0))
    if transferred is None:
        return _person(
            f"本省累计缴费{YearsMonths.of(review.paid_and_deemed).label}，不足"
            f"{minimum.required.label}；外省参保记录待人工核查，核查完成后请重新办理本任务",
            result=figures,
        )
    figures["transferred_months"] = transferred
    return _with_transferred(facts.archive is None, review.paid_and_deemed, minimum, figures)


def _with_transferred(
    no_archive: bool, local: int, minimum: MinimumContribution, figures: dict[str, Any]
) -> TaskOutcome:
    transferred = int(figures["transferred_months"])
    total = local + transferred
    year = minimum.year
    outside = f"（含外省转入{YearsMonths.of(transferred).label}）" if transferred else ""
    evidence = ["insured:contribution_years"] + (["task:cross_province"] if transferred else [])
    if total >= minimum.required_months:
        return _done(
            f"累计缴费{YearsMonths.of(total).label}{outside}，"
            f"达到{year}年退休最低缴费年限{minimum.required.label}",
            evidence,
            figures,
        )
    if no_archive:
        return _person(
            f"累计缴费{YearsMonths.of(total).label}{outside}，不足{minimum.required.label}；"
            "视同缴费待档案数字化后核定",
            result=figures,
        )
    return TaskOutcome(
        TaskStatus.REFUSED,
        f"累计缴费{YearsMonths.of(total).label}（含视同缴费{outside and '及外省转入'}），"
        f"{year}年退休最低须{minimum.required.label}，差{minimum.required_months - total}个月；"
        "可延长缴费至满足条件（人社部令第13号第二条）",
        tuple(evidence),
        figures,
    )


def pension(ctx: TaskContext) -> TaskOutcome:
    """The monthly basic pension (国发〔2005〕38号), provisional (预发) while the province has
    not published the retirement year's figures."""
    facts, review = ctx.review()
    if facts.archive is None or review.deemed is None or review.archive_items:
        return _person("待档案审核完成（出生年月、视同缴费）后测算待遇")
    record, month = ctx.record, ctx.application.retirement_month
    if record.account_balance is None or record.account_balance_year is None:
        return _person("参保记录缺少个人账户储存额，请核对个人账户")
    params, provisional = provisional_parameters(
        ctx.params, region=ctx.region, on=ctx.today, through_year=month.year
    )
    # Months paid before the personal account start have no account and no indexable wage
    # in the engine's series: like deemed months they count at the deemed index and in the
    # transitional pension (provincial practice, [U]; policy-spec §3.2).
    start = review.deemed.account_start
    deemed = review.deemed_counted + review.paid_before_account
    paid_since = [line for line in record.contributions if line.year >= start.year]
    history = contribution_history(paid_since, before=month)
    index = average_contribution_index(
        history, deemed_months=deemed, on=ctx.today, region=ctx.region, params=params
    )
    balance = _account_at(record, history, month, ctx.today, params)
    result = calculate_pension(
        PensionFacts(
            birth_month=review.birth,
            retirement_month=month,
            average_index=index.value,
            contribution_months=facts.contribution_months + review.deemed_counted,
            deemed_months=deemed,
            account_balance=balance,
            deemed_evidence=review.deemed.evidence,
        ),
        on=ctx.today,
        region=ctx.region,
        params=params,
    )
    notes = [figure.label for figure in provisional]
    summary = f"基本养老金每月{result.total}元，自{result.start_month.label}起发"
    return _done(
        summary + ("（暂按已公布基数预发，公布后重新核定）" if notes else ""),
        ["insured:contribution_years", "insured:account_balance", *review.deemed.evidence],
        {
            "pension": to_json(result),
            "average_index": str(index.value),
            "account_balance": str(balance),
            "provisional": notes,
        },
    )


def public_notice(ctx: TaskContext) -> TaskOutcome:
    """The 公示 is decided when its period has ended (the task is not due before): no
    objection recorded by then, it is done. An objection is recorded by a person while the
    notice is up (the task is then refused with the reason)."""
    start = ctx.application.submitted_at.astimezone(CHINA_TZ).date()
    end = (ctx.application.submitted_at + PUBLIC_NOTICE_PERIOD).astimezone(CHINA_TZ).date()
    return _done(
        f"公示期{start.isoformat()}至{end.isoformat()}届满，未收到异议",
        (f"notice:{ctx.application.reference}",),
    )


def contribution_history(
    years: Sequence[ContributionYear], *, before: YearMonth
) -> list[ContributionPeriod]:
    """Contribution years as consecutive periods: the lines of one year follow each other
    from January (a year may hold several lines: a new employer or base mid-year)."""
    history: list[ContributionPeriod] = []
    next_month: dict[int, int] = {}
    for line in sorted(years, key=lambda item: item.year):
        first = next_month.get(line.year, 1)
        start = YearMonth(line.year, first)
        end = YearMonth(line.year, first + line.months - 1)
        next_month[line.year] = first + line.months
        if start >= before:
            continue
        history.append(ContributionPeriod(start, min(end, before.plus(-1)), line.base_wage))
    return history


def _account_at(
    record: InsuranceRecord,
    history: Sequence[ContributionPeriod],
    month: YearMonth,
    on: date,
    params: ParameterSet,
) -> Decimal:
    """The personal account at retirement: the stored year-end balance, then the later
    credits and interest (劳办发〔1997〕116号 月积数法)."""
    assert record.account_balance is not None and record.account_balance_year is not None
    year = record.account_balance_year
    if month.year <= year:
        return record.account_balance
    later = [period for period in history if period.start.year > year]
    credits = account_credits(later, on=on, params=params).credits
    return accumulate_account(
        record.account_balance,
        balance_year=year,
        credits=credits,
        until=month,
        on=on,
        params=params,
    ).balance


# --- the partner departments' tasks --------------------------------------------------------------


def identity(ctx: TaskContext) -> TaskOutcome:
    return ctx.partners.identity(
        ctx.uow, actor=ctx.actor, id_number=ctx.person.id_number, name=ctx.person.name
    )


def alive_and_free(ctx: TaskContext) -> TaskOutcome:
    return ctx.partners.alive_and_free(
        ctx.uow, actor=ctx.actor, id_number=ctx.person.id_number, on=ctx.today
    )


def housing_fund(ctx: TaskContext) -> TaskOutcome:
    return ctx.partners.housing_fund(
        ctx.uow,
        actor=ctx.actor,
        request_id=f"{ctx.request_id}-GJJ",
        id_number=ctx.person.id_number,
        name=ctx.person.name,
        retirement_date=ctx.application.retirement_month.first_day(),
    )


def medical_transfer(ctx: TaskContext) -> TaskOutcome:
    return ctx.partners.medical_transfer(
        ctx.uow,
        actor=ctx.actor,
        request_id=f"{ctx.request_id}-YB",
        id_number=ctx.person.id_number,
        retirement_date=ctx.application.retirement_month.first_day(),
    )


def cross_province(ctx: TaskContext) -> TaskOutcome:
    """跨省参保记录核查: the other nodes are asked first (the runner has ended the reading
    transaction), then their answers are weighed against what this node holds."""
    own = province_of(ctx.region)
    records = ctx.partners.cross_province(
        ctx.uow,
        actor=ctx.actor,
        request_id=f"{ctx.request_id}-KS",
        id_number=ctx.person.id_number,
        own_province=own,
    )
    facts, review = ctx.review()
    hukou, source = _hukou(ctx.person)
    local = LocalFacts(
        id_number=ctx.person.id_number,
        birth_date=ctx.person.birth_date,
        own_province=own,
        hukou_province=hukou,
        hukou_source=source,
        local_months=review.paid_and_deemed,
        paid_by_year=facts.paid_by_year,
        today=ctx.today,
        params=ctx.params,
    )
    return decide(records, local)


def _hukou(person: Person) -> tuple[str, str]:
    """The 户籍 province for 第六条 and where it came from. [U] The person record's 户籍地区划
    is what we hold (from 公安's 户籍 data, hjdqh, where registered from it; a person
    registered without one has the ID number's 地址码 instead). 公安's live identity answer
    carries no 户籍地, and an ID number's 地址码 is where the number was issued (GB 11643),
    not necessarily today's 户籍 — it is the fallback only."""
    region = person.hukou_region
    if len(region) == 6 and region.isascii() and region.isdigit():
        return province_of(region), "参保人登记的户籍地区划"
    return province_of(person.id_number[:6]), "公民身份号码地址码"


HANDLERS: Mapping[TaskKind, Callable[[TaskContext], TaskOutcome]] = MappingProxyType(
    {
        TaskKind.ARCHIVE_REVIEW: archive_review,
        TaskKind.CONTRIBUTIONS: contributions,
        TaskKind.PENSION: pension,
        TaskKind.IDENTITY: identity,
        TaskKind.ALIVE_AND_FREE: alive_and_free,
        TaskKind.HOUSING_FUND: housing_fund,
        TaskKind.MEDICAL_INSURANCE: medical_transfer,
        TaskKind.CROSS_PROVINCE: cross_province,
        TaskKind.PUBLIC_NOTICE: public_notice,
    }
)
