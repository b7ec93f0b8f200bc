"""Deemed contribution months (视同缴费) from evidenced service before the account start.

国发〔1997〕26号 counts "缴费年限(含视同缴费年限)"; deemed months are evidenced service before
the region's personal-account start (policy-spec §3.2). Material ids go in ``Step.evidence``.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths, months_inclusive
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.parameters import ParameterSet

DEEMED_RULE = "国发〔1997〕26号（缴费年限含视同缴费年限）"


# --------------------------------------------------------------------------------------------
# 视同缴费年限 — policy-spec §3.2
# --------------------------------------------------------------------------------------------


class ServiceKind(StrEnum):
    """The kinds of service before the account start that count as deemed months."""

    EMPLOYMENT = "employment"
    PUBLIC_SERVICE = "public_service"
    MILITARY = "military"
    SENT_DOWN_YOUTH = "sent_down_youth"

    @property
    def label(self) -> str:
        return _SERVICE_LABELS[self]


_SERVICE_LABELS = {
    ServiceKind.EMPLOYMENT: "企业连续工龄",
    ServiceKind.PUBLIC_SERVICE: "机关事业单位工作年限",
    ServiceKind.MILITARY: "军龄",
    ServiceKind.SENT_DOWN_YOUTH: "上山下乡知青",
}


@dataclass(frozen=True, order=True, slots=True)
class MonthSpan:
    """Months from ``start`` to ``end``, both included."""

    start: YearMonth
    end: YearMonth

    @property
    def months(self) -> int:
        return months_inclusive(self.start, self.end)

    @property
    def label(self) -> str:
        return f"{self.start.label}至{self.end.label}"


@dataclass(frozen=True, slots=True)
class ServiceInterval:
    """A period of service stated in the archive, with the material ids that prove it."""

    start: YearMonth
    end: YearMonth
    kind: ServiceKind
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CountedInterval:
    """The part of one evidenced service interval that counts, with its evidence."""

    kind: ServiceKind
    span: MonthSpan
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeemedContribution:
    """Deemed contribution months, the periods counted, gaps and unevidenced service."""

    months: int
    account_start: YearMonth
    periods: tuple[MonthSpan, ...]
    counted: tuple[CountedInterval, ...]
    gaps: tuple[MonthSpan, ...]
    unevidenced: tuple[ServiceInterval, ...]
    explanation: Explanation

    @property
    def period(self) -> YearsMonths:
        return YearsMonths.of(self.months)

    @property
    def evidence(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item for part in self.counted for item in part.evidence))


def calculate_deemed_contribution(
    intervals: Sequence[ServiceInterval], *, on: date, region: str, params: ParameterSet
) -> DeemedContribution:
    """Deemed contribution months (视同缴费, 国发〔1997〕26号; policy-spec §3.2).

    The union, by month, of evidenced service before the region's personal-account start
    (``pension.account_start_month``): overlapping evidence counts once; intervals without
    archive evidence are reported, not counted; gaps between intervals before the start are
    reported for the 连续工龄 review.
    """
    _check_intervals(intervals)
    trace = Trace()
    start_value = params.get("pension.account_start_month", on, region=region)
    account_start = YearMonth.parse(str(start_value.value), field="pension.account_start_month")
    trace.record(
        "account_start",
        "个人账户建账时间",
        "参数 pension.account_start_month",
        {"地区": region},
        account_start.label,
        references=(start_value.citation("pension.account_start_month"),),
    )
    evidenced = [item for item in intervals if item.evidence]
    unevidenced = tuple(item for item in intervals if not item.evidence)
    _record_unevidenced(unevidenced, trace)
    counted = _counted(evidenced, account_start, trace)
    periods = _merge(part.span for part in counted)
    gaps = _gaps(evidenced, account_start)
    months = _record_union(counted, periods, gaps, trace)
    return DeemedContribution(
        months=months,
        account_start=account_start,
        periods=tuple(periods),
        counted=counted,
        gaps=gaps,
        unevidenced=unevidenced,
        explanation=trace.explanation(),
    )


def _check_intervals(intervals: Sequence[ServiceInterval]) -> None:
    for position, interval in enumerate(intervals):
        if interval.end < interval.start:
            raise InvalidInputError(
                f"第{position + 1}段经历的结束年月{interval.end.label}早于开始年月"
                f"{interval.start.label}",
                field=f"intervals[{position}].end",
            )


def _record_unevidenced(unevidenced: Iterable[ServiceInterval], trace: Trace) -> None:
    for position, interval in enumerate(unevidenced):
        trace.record(
            f"unevidenced_{position}",
            f"无档案依据的经历（{interval.kind.label}）",
            "无原始档案材料佐证 → 不计入视同缴费",
            {"期间": MonthSpan(interval.start, interval.end).label},
            0,
            references=(DEEMED_RULE, "policy-spec §3.2（每段须有档案依据）"),
        )


def _counted(
    evidenced: Iterable[ServiceInterval], account_start: YearMonth, trace: Trace
) -> tuple[CountedInterval, ...]:
    counted = []
    last_deemed = account_start.plus(-1)
    for position, interval in enumerate(sorted(evidenced, key=lambda item: (item.start, item.end))):
        if interval.start > last_deemed:
            trace.record(
                f"after_account_start_{position}",
                f"建账后的经历（{interval.kind.label}）",
                "建账时间及以后为实际缴费期间 → 不计入视同缴费",
                {
                    "期间": MonthSpan(interval.start, interval.end).label,
                    "建账": account_start.label,
                },
                0,
                references=(DEEMED_RULE,),
                evidence=interval.evidence,
            )
            continue
        span = MonthSpan(interval.start, min(interval.end, last_deemed))
        counted.append(CountedInterval(interval.kind, span, interval.evidence))
        trace.record(
            f"interval_{len(counted)}",
            f"视同缴费经历（{interval.kind.label}）",
            "建账时间之前的部分",
            {"期间": MonthSpan(interval.start, interval.end).label, "建账": account_start.label},
            f"{span.label}，{span.months}个月",
            references=(DEEMED_RULE,),
            evidence=interval.evidence,
        )
    return tuple(counted)


def _merge(spans: Iterable[MonthSpan]) -> list[MonthSpan]:
    """Union by month: overlapping or adjacent spans become one."""
    merged: list[MonthSpan] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end.plus(1):
            merged[-1] = MonthSpan(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def _gaps(evidenced: Iterable[ServiceInterval], account_start: YearMonth) -> tuple[MonthSpan, ...]:
    blocks = _merge(MonthSpan(item.start, item.end) for item in evidenced)
    last_deemed = account_start.plus(-1)
    gaps = (
        MonthSpan(earlier.end.plus(1), min(later.start.plus(-1), last_deemed))
        for earlier, later in pairwise(blocks)
    )
    return tuple(gap for gap in gaps if gap.months > 0)


def _record_union(
    counted: Sequence[CountedInterval],
    periods: Sequence[MonthSpan],
    gaps: Sequence[MonthSpan],
    trace: Trace,
) -> int:
    listed = sum(part.span.months for part in counted)
    months = sum(span.months for span in periods)
    trace.record(
        "deemed_months",
        "视同缴费月数",
        "各段按月合并（重叠月份只计一次）",
        {
            "各段月数合计": listed,
            "重叠月数": listed - months,
            "间断": "、".join(gap.label for gap in gaps) or "无",
        },
        months,
        references=(DEEMED_RULE, "policy-spec §3.2"),
        evidence=tuple(dict.fromkeys(item for part in counted for item in part.evidence)),
    )
    return months
