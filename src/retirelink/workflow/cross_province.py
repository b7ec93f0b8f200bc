"""跨省参保记录核查: deciding the cross-province task from the other nodes' answers, and the
months it hands to the contributions task.

国办发〔2009〕66号《城镇企业职工基本养老保险关系转移接续暂行办法》: contribution years in
several provinces are added up (缴费年限累计计算) once the relationship has been transferred
(转移接续); 第六条 decides which province pays (``rules.benefit_place``). An answer that cannot
be true (another ID number, 13 months in a year, a year before the person could work) is a
dispute for a person, never silently dropped or trusted.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from retirelink.rules import InsuredPlace, YearMonth, YearsMonths, benefit_place
from retirelink.rules.benefit_place import BenefitPlace, province_name
from retirelink.rules.parameters import ParameterSet
from retirelink.workflow.applications import Task, TaskKind, TaskStatus, WaitingForTaskError
from retirelink.workflow.ports import TaskOutcome
from retirelink.workflow.province_records import CrossProvinceRecords, ProvinceHistory, Relationship

# 《中华人民共和国劳动法》第十五条: no one is employed before 16, so no year paid before it.
MIN_WORKING_AGE = 16
INDEX = "全国参保登记信息库"


@dataclass(frozen=True, slots=True)
class LocalFacts:
    """What this node knows: the person, our province and what was paid (and deemed) here,
    and the 户籍 province with where it came from (for the reason shown)."""

    id_number: str
    birth_date: date
    own_province: str
    hukou_province: str
    hukou_source: str
    local_months: int  # paid here + deemed counted here (人社部规〔2016〕5号 [S])
    paid_by_year: tuple[tuple[int, int], ...]
    today: date
    params: ParameterSet


def decide(records: CrossProvinceRecords, local: LocalFacts) -> TaskOutcome:
    """Disputes first, then what needs a person (no node to ask, a transfer to make, another
    province to pay), else done with the months transferred in."""
    evidence = _evidence(records)
    problems = _problems(records, local)
    if problems:
        return TaskOutcome(TaskStatus.DISPUTED, "；".join(problems), evidence, _figures(records))
    unregistered = [province_name(code) for code in records.unregistered]
    if unregistered:
        return _person(
            f"{INDEX}显示在{'、'.join(unregistered)}参保，但未登记该省社保经办机构节点，"
            "须人工向其调取参保缴费记录",
            evidence,
            records,
        )
    found = [h for h in records.histories if h.found]
    elsewhere = [h for h in found if _transferred_elsewhere(h, local)]
    if elsewhere:
        names = "、".join(
            f"{h.province_name}转往{province_name(h.transferred_to)}" for h in elsewhere
        )
        summary = f"养老保险关系已转往其他省份（{names}），请核实转移接续去向"
        return _person(summary, evidence, records)
    place = benefit_place(
        _places(found, local),
        current=local.own_province,
        hukou=local.hukou_province,
        on=local.today,
        params=local.params,
    )
    return _decided(found, place, local, evidence, records)


def _decided(
    found: Sequence[ProvinceHistory],
    place: BenefitPlace,
    local: LocalFacts,
    evidence: tuple[str, ...],
    records: CrossProvinceRecords,
) -> TaskOutcome:
    figures = _figures(records) | {"benefit_province": place.province, "clause": place.clause}
    if place.province != local.own_province:
        return _elsewhere(place, local, evidence, figures)
    still_open = [h for h in found if h.relationship is Relationship.OPEN]
    if still_open:
        names = "、".join(h.province_name for h in still_open)
        detail = "；".join(f"{h.province_name}缴费{_years(h.months)}尚未转入" for h in still_open)
        summary = f"须办理养老保险关系转移接续（{names}）：{detail}"
        return TaskOutcome(TaskStatus.NEEDS_PERSON, summary, evidence, figures)
    if not found:
        return TaskOutcome(TaskStatus.DONE, "外省无参保记录", evidence, figures)
    months = sum(h.months for h in found)
    parts = "、".join(f"{h.province_name}{_years(h.months)}" for h in found)
    summary = (
        f"外省缴费已转移接续至本省：{parts}，合计{_years(months)}，"
        "缴费年限累计计算（国办发〔2009〕66号）"
    )
    return TaskOutcome(TaskStatus.DONE, summary, evidence, figures | {"transferred_months": months})


def _elsewhere(
    place: BenefitPlace, local: LocalFacts, evidence: tuple[str, ...], figures: dict[str, Any]
) -> TaskOutcome:
    """Another province must handle the retirement: a person tells the applicant and starts
    the transfer there; the 户籍地 this rests on is named with its source."""
    summary = (
        f"按国办发〔2009〕66号第六条第（{_CLAUSE[place.clause]}）项，待遇领取地为{place.name}，"
        f"应由{place.name}社保经办机构办理退休：{place.reason}"
        f"（户籍地{province_name(local.hukou_province)}，依据{local.hukou_source}）"
    )
    return TaskOutcome(TaskStatus.NEEDS_PERSON, summary, evidence, figures)


_CLAUSE = {1: "一", 2: "二", 3: "三", 4: "四"}


def _person(summary: str, evidence: tuple[str, ...], records: CrossProvinceRecords) -> TaskOutcome:
    return TaskOutcome(TaskStatus.NEEDS_PERSON, summary, evidence, _figures(records))


def _transferred_elsewhere(history: ProvinceHistory, local: LocalFacts) -> bool:
    return (
        history.relationship is Relationship.TRANSFERRED
        and bool(history.transferred_to)
        and history.transferred_to != local.own_province
    )


def _places(found: Sequence[ProvinceHistory], local: LocalFacts) -> list[InsuredPlace]:
    """One place per province: ours now (the relationship is here), the others until the
    last year they report (the nodes answer by year, so December of it)."""
    here = InsuredPlace(local.own_province, local.local_months, YearMonth.of(local.today))
    return [here] + [
        InsuredPlace(h.province, h.months, YearMonth(h.last_year or local.today.year, 12))
        for h in found
    ]


# --- what cannot be true --------------------------------------------------------------------


def _problems(records: CrossProvinceRecords, local: LocalFacts) -> list[str]:
    problems: list[str] = []
    if records.index_answered_for != local.id_number:
        problems.append(f"{INDEX}答复的公民身份号码与所查询的不一致")
    for history in records.histories:
        problems += _history_problems(history, local)
    problems += _double_paid(records.histories, local)
    return problems


def _history_problems(history: ProvinceHistory, local: LocalFacts) -> list[str]:
    name = history.province_name
    if history.answered_for != local.id_number:
        return [f"{name}社保经办机构答复的公民身份号码与所查询的不一致"]
    if history.answered_province != history.province:
        return [f"{name}社保经办机构答复的参保地为{province_name(history.answered_province)}"]
    if not history.found:
        return [f"{INDEX}显示在{name}参保，但{name}社保经办机构查无此人参保记录"]
    first_year = local.birth_date.year + MIN_WORKING_AGE
    problems: list[str] = []
    for line in history.years:
        if not 1 <= line.months <= 12:
            problems.append(f"{name}{line.year}年缴费月数为{line.months}，应在1到12之间")
        if not first_year <= line.year <= local.today.year:
            problems.append(
                f"{name}缴费年度{line.year}年不可能（本人{first_year}年满16周岁，"
                f"今年为{local.today.year}年）"
            )
        if line.base < 0:
            problems.append(f"{name}{line.year}年缴费基数为负数（{line.base}）")
    per_year = Counter[int]()
    for line in history.years:
        per_year[line.year] += line.months
    over = [(year, n) for year, n in per_year.items() if n > 12]
    problems += [f"{name}{year}年合计缴费{n}个月，超过12个月" for year, n in over]
    return problems


def _double_paid(histories: Sequence[ProvinceHistory], local: LocalFacts) -> list[str]:
    """The same year paid here and elsewhere beyond 12 months: 重复缴费, which 转移接续 must
    clear (only one place counts) — a person decides, the months are not added twice."""
    per_year = Counter[int]()
    for year, months in local.paid_by_year:
        per_year[year] += months
    for history in histories:
        for line in history.years:
            per_year[line.year] += line.months
    return [
        f"{year}年本省与外省合计缴费{months}个月，超过12个月（重复缴费）"
        for year, months in sorted(per_year.items())
        if months > 12 and any(line.year == year for h in histories for line in h.years)
    ]


def _evidence(records: CrossProvinceRecords) -> tuple[str, ...]:
    return (
        f"partner:{INDEX}:{records.index_request_id}",
        *(f"partner:{h.province_name}社保经办机构:{h.reference}" for h in records.histories),
    )


def _figures(records: CrossProvinceRecords) -> dict[str, Any]:
    """Per province: months, the relationship's state and whether it holds an archive."""
    return {
        "provinces": {
            h.province: {
                "name": h.province_name,
                "months": h.months,
                "relationship": h.relationship.value if h.relationship else None,
                "archive_held": h.archive_held,
                "reference": h.reference,
            }
            for h in records.histories
        }
    }


def _years(months: int) -> str:
    return YearsMonths.of(max(months, 0)).label


# --- what the contributions task reads --------------------------------------------------------


def transferred_months(tasks: Sequence[Task]) -> int | None:
    """Months transferred in from other provinces, as the cross-province task decided them.

    0 without such a task (applications submitted before it existed) or when a person
    refused it; None while it is handed to a person (the contributions task cannot count
    yet). While it is still to be decided, ``WaitingForTaskError``: the contributions task
    waits and is retried, so both keep running in parallel until the months are needed.
    """
    task = next((t for t in tasks if t.kind is TaskKind.CROSS_PROVINCE), None)
    if task is None or task.status is TaskStatus.REFUSED:
        return 0
    if task.status is TaskStatus.DONE:
        return int(task.result.get("transferred_months", 0))
    if task.status in (TaskStatus.NEEDS_PERSON, TaskStatus.DISPUTED):
        return None
    raise WaitingForTaskError("本省缴费年限不足，待跨省参保记录核查完成后合并外省转入年限")
