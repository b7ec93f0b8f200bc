"""The period and overlap checks of the 三龄两历 check.

* periods that end before they start;
* posts at different employers in overlapping periods (``employer_of`` reads the unit from a
  fact's detail);
* special-job periods outside the work history (before work started, or during military
  service) — 国发〔1978〕104号 counts special-job years of work only;
* military service overlapping civilian employment (``military_periods`` pairs 入伍 dates with
  the next 退伍 date where no period is stated).

Pure: no I/O.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from retirelink.archives.contradictions import Contradiction, ContradictionKind
from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.holdings import FuzzyDate
from retirelink.archives.material_facts import MaterialFact, last_day

SPECIAL_JOB_RULE = "国发〔1978〕104号 第一条第（二）项"
SERVICE_RULE = "policy-spec §3.2（连续工龄、军龄按档案证据计算，同一期间不重复）"
PERIOD_RULE = "起止时间：一段期间不能止于其起始之前"


_EMPLOYER_LEAD = re.compile(r"^[ ]*(?:在|于|调入|调至|调到|调往|调任|到|去)+")
_POST_START = re.compile(r"任|担任|从事|工作|[ ，,]")
_EMPLOYER = re.compile("^(.*(?:公司|车间|委员会|政府|机关|[矿厂局社所站场院校队处]))")


def employer_of(detail: str) -> str:
    """The unit a post or period names (调入峰峰矿务局机修厂任副厂长 → 峰峰矿务局机修厂)."""
    text = _EMPLOYER_LEAD.sub("", detail.strip())
    cut = _POST_START.search(text)
    head = text[: cut.start()] if cut else text
    match = _EMPLOYER.match(head)
    return match.group(1) if match else ""


def inverted_periods(facts: Sequence[MaterialFact]) -> list[Contradiction]:
    return [
        Contradiction(
            ContradictionKind.INVERTED_PERIOD,
            f"{fact.source_label}记载的{fact.kind.label}"
            f"止于{fact.fact.end}、早于起始{fact.fact.start}",
            (fact,),
            PERIOD_RULE,
        )
        for fact in facts
        if fact.fact.start and fact.fact.end and last_day(fact.fact.end) < fact.fact.start.value
    ]


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    facts: tuple[MaterialFact, ...]

    @property
    def label(self) -> str:
        first = self.facts[0].fact
        end = self.facts[-1].fact.end
        return f"{first.start}至{end}"

    def overlaps(self, other: "Period") -> bool:
        # Periods run from the first day of the start to the first day of the end, so a
        # transfer in the month one post ends and the next begins is no overlap.
        return self.start < other.end and other.start < self.end


def _period(fact: MaterialFact) -> Period | None:
    start, end = fact.fact.start, fact.fact.end
    if start is None or end is None or end.value <= start.value:
        return None
    return Period(start.value, end.value, (fact,))


def job_overlaps(facts: Sequence[MaterialFact]) -> list[Contradiction]:
    jobs = [
        (period, employer_of(fact.fact.detail))
        for fact in facts
        if fact.kind is FactKind.JOB_CHANGE and (period := _period(fact)) is not None
    ]
    found = []
    for (first, first_unit), (second, second_unit) in combinations(jobs, 2):
        if not first_unit or not second_unit or not first.overlaps(second):
            continue
        if first_unit in second_unit or second_unit in first_unit:
            continue
        found.append(
            Contradiction(
                ContradictionKind.JOB_OVERLAP,
                f"{first.facts[0].source_label}记载{first.label}在{first_unit}，"
                f"{second.facts[0].source_label}记载{second.label}在{second_unit}，期间重叠",
                first.facts + second.facts,
                SERVICE_RULE,
            )
        )
    return found


def military_periods(facts: Sequence[MaterialFact]) -> list[Period]:
    """Military service: stated periods, and 入伍 dates paired with the next 退伍 date."""
    military = [fact for fact in facts if fact.kind is FactKind.MILITARY_SERVICE]
    periods = [period for fact in military if (period := _period(fact)) is not None]
    starts = _distinct(
        fact for fact in military if fact.fact.start is not None and fact.fact.end is None
    )
    ends = _distinct(
        fact for fact in military if fact.fact.end is not None and fact.fact.start is None
    )
    for start in starts:
        begun = _date_of(start)
        later = [end for end in ends if _date_of(end).value > begun.value]
        if later:
            end = min(later, key=lambda fact: _date_of(fact).value)
            ends.remove(end)
            periods.append(Period(begun.value, _date_of(end).value, (start, end)))
    return periods


def special_jobs_outside_work(
    facts: Sequence[MaterialFact], military: Sequence[Period]
) -> list[Contradiction]:
    work_starts = [
        fact
        for fact in facts
        if fact.kind in (FactKind.WORK_START, FactKind.JOB_CHANGE) and fact.fact.start
    ]
    first_work = min(work_starts, key=lambda fact: _date_of(fact).value, default=None)
    found = []
    for fact in facts:
        start = fact.fact.start
        if fact.kind is not FactKind.SPECIAL_JOB_PERIOD or start is None:
            continue
        if first_work is not None and last_day(start) < _date_of(first_work).value:
            found.append(
                Contradiction(
                    ContradictionKind.SPECIAL_JOB_OUTSIDE_WORK,
                    f"{fact.source_label}记载特殊工种期间自{start}起，"
                    f"早于参加工作时间{_date_of(first_work)}（{first_work.source_label}）",
                    (fact, first_work),
                    SPECIAL_JOB_RULE,
                )
            )
        period = _period(fact)
        for service in military:
            if period is not None and period.overlaps(service):
                found.append(
                    Contradiction(
                        ContradictionKind.SPECIAL_JOB_OUTSIDE_WORK,
                        f"{fact.source_label}记载特殊工种期间{period.label}，"
                        f"与服役期间{service.label}（{_sources(service.facts)}）重叠",
                        (fact, *service.facts),
                        SPECIAL_JOB_RULE,
                    )
                )
    return found


def military_overlaps(
    facts: Sequence[MaterialFact], military: Sequence[Period]
) -> list[Contradiction]:
    jobs = [
        period
        for fact in facts
        if fact.kind is FactKind.JOB_CHANGE and (period := _period(fact)) is not None
    ]
    return [
        Contradiction(
            ContradictionKind.MILITARY_OVERLAP,
            f"服役期间{service.label}（{_sources(service.facts)}）与"
            f"{job.facts[0].source_label}记载的任职期间{job.label}"
            f"（{job.facts[0].fact.detail}）重叠",
            service.facts + job.facts,
            SERVICE_RULE,
        )
        for service in military
        for job in jobs
        if service.overlaps(job)
    ]


def _date_of(fact: MaterialFact) -> FuzzyDate:
    stated = fact.fact.start or fact.fact.end
    assert stated is not None
    return stated


def _distinct(facts: Iterable[MaterialFact]) -> list[MaterialFact]:
    """One fact per stated date (a date read twice from one page is one event)."""
    seen: dict[FuzzyDate, MaterialFact] = {}
    for fact in facts:
        seen.setdefault(_date_of(fact), fact)
    return sorted(seen.values(), key=lambda fact: _date_of(fact).value)


def _sources(facts: Iterable[MaterialFact]) -> str:
    labels: list[str] = []
    for fact in facts:
        if fact.source_label not in labels:
            labels.append(fact.source_label)
    return "、".join(labels)
