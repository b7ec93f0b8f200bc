"""Early retirement for special job types (特殊工种).

Legal basis: 国发〔1978〕104号《国务院关于工人退休、退职的暂行办法》第一条第（二）项 (井下、高空、
高温、特别繁重体力劳动或者其他有害身体健康的工作: 男55、女45); 劳社部发〔1999〕8号 (restated ages;
original archive records); 《国务院关于渐进式延迟法定退休年龄的办法》第八条 (special-job early
retirement continues, to be "规范完善"). The age and minimum-contribution conditions are shared
with illness retirement (``early_retirement``; 2025 ages are parameters marked U, policy-spec §2,
§9.1). Required months per job type and the rule for combining types are parameters; provinces
differ. Illness retirement (病退) is in ``illness`` and re-exported here.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths, check_months
from retirelink.rules.early_retirement import Outcome, early_retirement_conditions, parse_choice
from retirelink.rules.eligibility import MinimumContribution
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.illness import IllnessAssessment, WorkCapacity, evaluate_illness_retirement
from retirelink.rules.parameters import ParameterSet, table_row
from retirelink.rules.retirement_age import RetirementCategory, check_birth, parse_category

__all__ = [
    "CombinationRule",
    "EvidenceKind",
    "IllnessAssessment",
    "Outcome",
    "SpecialJobAssessment",
    "SpecialJobPeriod",
    "SpecialJobType",
    "WorkCapacity",
    "evaluate_illness_retirement",
    "evaluate_special_job_retirement",
]

SPECIAL_JOB_AGE = "special_jobs.retirement_age"
REQUIRED_MONTHS = "special_jobs.required_months"
COMBINATION_RULE = "special_jobs.combination_rule"
# [S]: stated by local rules (policy-spec §2.1, S12), not by a national text that was read.
_ORIGINAL_RECORDS = "地方审批口径：职工档案内有从事特殊工种的原始记录（policy-spec §2.1 [S]）"
_REACHED = {True: "达到", False: "未达到"}


class SpecialJobType(StrEnum):
    """The special job types of 国发〔1978〕104号第一条第（二）项."""

    UNDERGROUND = "underground"
    WORK_AT_HEIGHT = "work_at_height"
    HIGH_TEMPERATURE = "high_temperature"
    HEAVY_LABOUR = "heavy_labour"
    OTHER_HARMFUL = "other_harmful"

    @property
    def label(self) -> str:
        return {
            "underground": "井下",
            "work_at_height": "高空",
            "high_temperature": "高温",
            "heavy_labour": "特别繁重体力劳动",
            "other_harmful": "其他有害身体健康",
        }[self.value]


class EvidenceKind(StrEnum):
    """How a period is proven: only original archive records count on their own."""

    ORIGINAL_RECORD = "original_record"
    LATER_CERTIFICATE = "later_certificate"

    @property
    def label(self) -> str:
        return {"original_record": "档案原始记录", "later_certificate": "事后出具的证明"}[
            self.value
        ]


class CombinationRule(StrEnum):
    """How months in several special job types are combined (a regional parameter)."""

    STRICT = "strict"
    ADDITIVE = "additive"

    @property
    def label(self) -> str:
        return {"strict": "各工种分别计算", "additive": "累加计算，按其中最高年限要求"}[self.value]


@dataclass(frozen=True, slots=True)
class SpecialJobPeriod:
    """Months worked in one special job type, both ends included, and how they are proven."""

    job_type: SpecialJobType | str
    start: YearMonth
    end: YearMonth
    evidence: EvidenceKind | str
    evidence_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SpecialJobAssessment:
    """The outcome of a special-job early-retirement review, with the reasons."""

    outcome: Outcome
    combination_rule: CombinationRule
    original_months: Mapping[SpecialJobType, int]
    certified_months: Mapping[SpecialJobType, int]
    eligible_age: YearsMonths
    earliest_month: YearMonth
    minimum: MinimumContribution
    reasons: tuple[str, ...]
    explanation: Explanation


def evaluate_special_job_retirement(
    category: RetirementCategory | str,
    birth: YearMonth,
    periods: Sequence[SpecialJobPeriod],
    *,
    retirement: YearMonth,
    contribution_months: int,
    on: date,
    params: ParameterSet,
    region: str | None = None,
) -> SpecialJobAssessment:
    """Whether a person may retire early in ``retirement`` for special-job work.

    Legal basis: 国发〔1978〕104号第一条第（二）项 and 办法第八条 (age, parameter
    ``special_jobs.retirement_age``, post-2025 values unconfirmed); cumulative months per type
    (``special_jobs.required_months``) combined by the regional ``special_jobs.combination_rule``;
    劳社部发〔1999〕8号: periods count only with original archive records — when the decision
    depends on periods proven only by a later certificate, the case goes to manual review.
    """
    code, trace = parse_category(category), Trace()
    check_birth(birth, on)
    check_months(contribution_months, "contribution_months")
    by_type = _months_by_type(periods)
    evidence = tuple(dict.fromkeys(item for period in periods for item in period.evidence_ids))
    rule, original, certified = _judge_months(trace, by_type, on, params, region, evidence)
    age, minimum, reasons = early_retirement_conditions(
        trace, code, birth, retirement, contribution_months, SPECIAL_JOB_AGE, on, params
    )
    outcome = _special_job_outcome(reasons, original=original, certified=certified)
    if outcome is Outcome.MANUAL_REVIEW:
        reasons += ("特殊工种年限部分仅有事后证明，须人工核查档案原始记录",)
    elif outcome is Outcome.NOT_ELIGIBLE and not certified:
        reasons += ("特殊工种累计年限未达到规定要求",)
    trace.record(
        "outcome",
        "特殊工种提前退休审核结论",
        "年龄、缴费均符合且工种年限达到：仅原始记录 → 符合；须事后证明 → 转人工审核",
        {"reasons": len(reasons), "original": original, "certified": certified},
        outcome.label,
        references=(_ORIGINAL_RECORDS,),
    )
    return SpecialJobAssessment(
        outcome=outcome,
        combination_rule=rule,
        original_months=MappingProxyType({k: len(v[0]) for k, v in by_type.items()}),
        certified_months=MappingProxyType({k: len(v[0] | v[1]) for k, v in by_type.items()}),
        eligible_age=age,
        earliest_month=birth.plus(age.total_months),
        minimum=minimum,
        reasons=reasons,
        explanation=trace.explanation(),
    )


def _months_by_type(
    periods: Sequence[SpecialJobPeriod],
) -> dict[SpecialJobType, tuple[frozenset[int], frozenset[int]]]:
    """Month indexes per type: (proven by original records, proven only by certificates)."""
    found: dict[SpecialJobType, tuple[set[int], set[int]]] = {}
    for position, period in enumerate(periods):
        field = f"periods[{position}]"
        kind = parse_choice(SpecialJobType, period.job_type, f"{field}.job_type")
        evidence = parse_choice(EvidenceKind, period.evidence, f"{field}.evidence")
        if period.end < period.start:
            raise InvalidInputError("特殊工种期间的结束年月早于开始年月", field=f"{field}.end")
        original, certified = found.setdefault(kind, (set(), set()))
        target = original if evidence is EvidenceKind.ORIGINAL_RECORD else certified
        target.update(range(period.start.index, period.end.index + 1))
    return {kind: (frozenset(o), frozenset(c - o)) for kind, (o, c) in found.items()}


def _judge_months(
    trace: Trace,
    by_type: Mapping[SpecialJobType, tuple[frozenset[int], frozenset[int]]],
    on: date,
    params: ParameterSet,
    region: str | None,
    evidence: tuple[str, ...],
) -> tuple[CombinationRule, bool, bool]:
    """Whether the months reach the requirement on original records alone / with certificates."""
    required = params.get(REQUIRED_MONTHS, on, region=region)
    rule_value = params.get(COMBINATION_RULE, on, region=region)
    rule = CombinationRule(rule_value.value)
    needs = {kind: int(table_row(required.value, kind.value, REQUIRED_MONTHS)) for kind in by_type}
    original = _qualifies(by_type, needs, rule, include_certificates=False)
    certified = _qualifies(by_type, needs, rule, include_certificates=True)
    inputs = {
        kind.value: f"{kind.label}：原始记录{len(o)}，含事后证明{len(o | c)}，要求{needs[kind]}"
        for kind, (o, c) in by_type.items()
    }
    trace.record(
        "special_job_months",
        "特殊工种累计月数",
        f"{rule.label}：累计月数 ≥ 要求月数",
        {"rule": rule.label, **inputs},
        f"仅原始记录{_REACHED[original]}；含事后证明{_REACHED[certified]}",
        references=(
            required.citation(REQUIRED_MONTHS),
            rule_value.citation(COMBINATION_RULE),
            _ORIGINAL_RECORDS,
        ),
        evidence=evidence,
    )
    return rule, original, certified


def _qualifies(
    by_type: Mapping[SpecialJobType, tuple[frozenset[int], frozenset[int]]],
    thresholds: Mapping[SpecialJobType, int],
    rule: CombinationRule,
    *,
    include_certificates: bool,
) -> bool:
    """Strict: one type reaches its own requirement. Additive (the lenient provincial reading,
    policy-spec §2.1): strict passes, or all months (each once) reach the highest requirement
    among the types worked — adding types may widen eligibility, never narrow it."""
    counted = {
        kind: original | certified if include_certificates else original
        for kind, (original, certified) in by_type.items()
    }
    strict = any(len(months) >= thresholds[kind] for kind, months in counted.items())
    if rule is CombinationRule.STRICT or strict:
        return strict
    worked = [kind for kind, months in counted.items() if months]
    union = frozenset().union(*counted.values())
    return bool(worked) and len(union) >= max(thresholds[kind] for kind in worked)


def _special_job_outcome(reasons: tuple[str, ...], *, original: bool, certified: bool) -> Outcome:
    if reasons or not certified:
        return Outcome.NOT_ELIGIBLE
    return Outcome.ELIGIBLE if original else Outcome.MANUAL_REVIEW
