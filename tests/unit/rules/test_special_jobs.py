"""Special job types and illness retirement: scenarios, unconfirmed ages and bad input."""

from datetime import date
from typing import Any

import pytest

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth
from retirelink.rules.parameters import load_parameters
from retirelink.rules.special_jobs import (
    CombinationRule,
    EvidenceKind,
    Outcome,
    SpecialJobPeriod,
    SpecialJobType,
    WorkCapacity,
    evaluate_illness_retirement,
    evaluate_special_job_retirement,
)
from tests.unit.rules.cases import load_cases

PARAMS = load_parameters()
ON = date(2025, 6, 1)
CASES = load_cases("special_jobs.yaml")
HEIGHT_120 = SpecialJobPeriod(
    "work_at_height",
    YearMonth(1990, 1),
    YearMonth(1999, 12),
    "original_record",
    evidence_ids=("M-0012", "M-0031"),
)


def common(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": case.get("category", "male"),
        "birth": YearMonth.parse(case.get("birth", "1968-05")),
        "retirement": YearMonth.parse(case.get("retirement", "2023-05")),
        "contribution_months": case.get("contribution_months", 300),
        "on": ON,
        "params": PARAMS,
    }


def period_of(raw: dict[str, str]) -> SpecialJobPeriod:
    return SpecialJobPeriod(
        job_type=raw["type"],
        start=YearMonth.parse(raw["start"]),
        end=YearMonth.parse(raw["end"]),
        evidence=raw["evidence"],
    )


def check_common(result: Any, expect: dict[str, Any]) -> None:
    assert result.outcome == expect["outcome"]
    assert (result.outcome is Outcome.ELIGIBLE) is (not result.reasons)
    if "eligible_age" in expect:
        assert result.eligible_age.age_label == expect["eligible_age"]
    if "earliest_month" in expect:
        assert str(result.earliest_month) == expect["earliest_month"]
    if "minimum_months" in expect:
        assert result.minimum.required_months == expect["minimum_months"]
    if "reason_contains" in expect:
        assert any(expect["reason_contains"] in reason for reason in result.reasons)


@pytest.mark.parametrize("case", [c for c in CASES if "periods" in c.values[0]])
def test_special_job_scenario(case: dict[str, Any]) -> None:
    kwargs = common(case)
    result = evaluate_special_job_retirement(
        kwargs.pop("category"),
        kwargs.pop("birth"),
        [period_of(raw) for raw in case["periods"]],
        region=case.get("region"),
        **kwargs,
    )

    expect = case["expect"]
    check_common(result, expect)
    if "combination_rule" in expect:
        assert result.combination_rule == expect["combination_rule"]
    if "original_months" in expect:
        assert dict(result.original_months) == expect["original_months"]
    if "certified_months" in expect:
        assert dict(result.certified_months) == expect["certified_months"]


@pytest.mark.parametrize("case", [c for c in CASES if "work_capacity" in c.values[0]])
def test_illness_retirement_scenario(case: dict[str, Any]) -> None:
    kwargs = common(case)
    result = evaluate_illness_retirement(
        kwargs.pop("category"), kwargs.pop("birth"), work_capacity=case["work_capacity"], **kwargs
    )

    check_common(result, case["expect"])


def test_post_2025_special_job_and_illness_ages_are_marked_unconfirmed() -> None:
    for name in ("special_jobs.retirement_age", "special_jobs.illness_retirement_age"):
        assert PARAMS.get(name, date(2024, 12, 31)).confidence == "C"
        assert PARAMS.get(name, date(2025, 1, 1)).confidence == "U"


def test_the_explanation_flags_the_unconfirmed_age_and_cites_original_records() -> None:
    result = evaluate_special_job_retirement(
        "male",
        YearMonth(1968, 5),
        [HEIGHT_120],
        retirement=YearMonth(2023, 5),
        contribution_months=300,
        on=ON,
        params=PARAMS,
    )

    age = result.explanation.step("early_retirement_age")
    assert age.inputs["age"] == "55岁"
    assert "［待核实U］" in age.references[0]
    months = result.explanation.step("special_job_months")
    assert months.inputs["work_at_height"] == "高空：原始记录120，含事后证明120，要求120"
    assert months.evidence == ("M-0012", "M-0031")
    assert any("原始记录" in reference for reference in months.references)


def test_the_hebei_combination_rule_is_an_illustrative_override_of_the_strict_default() -> None:
    national = PARAMS.get("special_jobs.combination_rule", ON)
    hebei = PARAMS.get("special_jobs.combination_rule", ON, region="130000")

    assert (national.value, national.illustrative) == ("strict", False)
    assert (hebei.value, hebei.illustrative, hebei.confidence) == ("additive", True, "U")


def test_every_type_evidence_rule_outcome_and_capacity_has_a_chinese_label() -> None:
    labels = [
        *(kind.label for kind in SpecialJobType),
        *(kind.label for kind in EvidenceKind),
        *(kind.label for kind in CombinationRule),
        *(kind.label for kind in Outcome),
        *(kind.label for kind in WorkCapacity),
    ]

    assert SpecialJobType.UNDERGROUND.label == "井下"
    assert WorkCapacity.COMPLETE_LOSS.label == "完全丧失劳动能力"
    assert all(label and not label.isascii() for label in labels)


@pytest.mark.parametrize(
    ("period", "field"),
    [
        (
            SpecialJobPeriod("mining", YearMonth(1990, 1), YearMonth(1999, 12), "original_record"),
            "periods[0].job_type",
        ),
        (
            SpecialJobPeriod("underground", YearMonth(1990, 1), YearMonth(1999, 12), "hearsay"),
            "periods[0].evidence",
        ),
        (
            SpecialJobPeriod(
                "underground", YearMonth(1999, 1), YearMonth(1990, 12), "original_record"
            ),
            "periods[0].end",
        ),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(period: SpecialJobPeriod, field: str) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        evaluate_special_job_retirement(
            "male",
            YearMonth(1968, 5),
            [period],
            retirement=YearMonth(2023, 5),
            contribution_months=300,
            on=ON,
            params=PARAMS,
        )

    assert excinfo.value.field == field


def test_negative_contribution_months_and_future_births_are_refused() -> None:
    with pytest.raises(InvalidInputError) as negative:
        evaluate_special_job_retirement(
            "male",
            YearMonth(1968, 5),
            [HEIGHT_120],
            retirement=YearMonth(2023, 5),
            contribution_months=-5,
            on=ON,
            params=PARAMS,
        )
    with pytest.raises(InvalidInputError) as future:
        evaluate_illness_retirement(
            "male",
            YearMonth(2026, 1),
            work_capacity="complete_loss",
            retirement=YearMonth(2076, 1),
            contribution_months=200,
            on=ON,
            params=PARAMS,
        )

    assert negative.value.field == "contribution_months"
    assert future.value.field == "birth"


def test_an_unknown_work_capacity_conclusion_is_refused() -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        evaluate_illness_retirement(
            "male",
            YearMonth(1975, 2),
            work_capacity="sick",
            retirement=YearMonth(2025, 2),
            contribution_months=200,
            on=ON,
            params=PARAMS,
        )

    assert excinfo.value.field == "work_capacity"
