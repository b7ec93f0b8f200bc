"""JSON in and out of the rules (rules.serialization, rules.calculators, rules.overview)."""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules import (
    BirthDateRecord,
    CustodyFacts,
    CustodyKind,
    Deceased,
    EvidenceKind,
    FlexibleRequest,
    PaidPeriod,
    PensionFacts,
    ResidentPension,
    RetirementCategory,
    ServiceInterval,
    ServiceKind,
    SpecialJobPeriod,
    SpecialJobType,
    StatedBirthDate,
    YearMonth,
    YearsMonths,
    load_parameters,
)
from retirelink.rules.calculators import CALCULATORS, compute
from retirelink.rules.examples import EXAMPLES
from retirelink.rules.explanation import Explanation, Step
from retirelink.rules.overview import RetirementQuery, retirement_overview
from retirelink.rules.serialization import INLINE, field_names, from_json, to_json

PARAMS = load_parameters()
ON = date(2025, 6, 1)


def refused(kind, data, path=""):
    with pytest.raises(InvalidInputError) as excinfo:
        from_json(kind, data, path)
    return excinfo.value


# --------------------------------------------------------------------------------------------
# JSON → rule inputs
# --------------------------------------------------------------------------------------------


def test_pension_facts_are_read_with_exact_decimals_and_months():
    facts = from_json(PensionFacts, EXAMPLES["pension"])

    assert facts == PensionFacts(
        birth_month=YearMonth(1965, 5),
        retirement_month=YearMonth(2025, 5),
        average_index=Decimal("1.2"),
        contribution_months=480,
        deemed_months=118,
        account_balance=Decimal("150000"),
        deemed_evidence=("A-0901",),
    )


def test_a_flexible_request_reads_the_category_code_and_dates_and_keeps_defaults():
    request = from_json(FlexibleRequest, EXAMPLES["flexible"])

    assert request.category is RetirementCategory.MALE
    assert request.notice_date == date(2027, 2, 1)
    assert (request.employer_agreed, request.agreement_date) == (False, None)


def test_custody_facts_accept_null_for_optional_dates():
    facts = from_json(
        CustodyFacts, {"kind": "pending", "started_on": "2023-03-01", "ended_on": None}
    )

    assert facts == CustodyFacts(CustodyKind.PENDING, date(2023, 3, 1))


def test_deceased_reads_an_optional_pension_start():
    deceased = from_json(
        Deceased, {"born_on": "1960-01-01", "died_on": "2025-03-15", "contribution_months": 300}
    )

    assert deceased.pension_start is None


def test_nested_lists_of_dataclasses_are_read():
    resident = from_json(ResidentPension, EXAMPLES["duplicates"]["residents"][0])

    assert resident.basic_pension_paid[1] == PaidPeriod(
        YearMonth(2024, 1), YearMonth(2024, 6), Decimal("160.00")
    )
    assert resident.returned_by_person == Decimal("0.00")


def test_special_job_periods_read_their_codes():
    period = from_json(SpecialJobPeriod, EXAMPLES["special-job"]["periods"][0])

    assert period.job_type is SpecialJobType.UNDERGROUND
    assert period.evidence is EvidenceKind.ORIGINAL_RECORD
    assert period.evidence_ids == ("A-0903",)


def test_a_birth_date_record_reads_the_stated_birth_as_written():
    record = from_json(
        BirthDateRecord,
        {"material_id": "A-1", "title": "招工登记表", "formed_on": "1978-03-10",
         "stated_birth": "1960年8月"},
    )  # fmt: skip

    assert record.stated_birth == StatedBirthDate(1960, 8)


def test_service_intervals_read_their_kind():
    interval = from_json(ServiceInterval, EXAMPLES["deemed"]["intervals"][0])

    assert interval.kind is ServiceKind.MILITARY


def test_money_may_be_a_json_number():
    paid = from_json(PaidPeriod, {"first": "2025-01", "last": "2025-01", "monthly_amount": 3000.5})

    assert paid.monthly_amount == Decimal("3000.5")


# --- errors name the JSON path --------------------------------------------------------------

PAID = {"first": "2025-01", "last": "2025-03", "monthly_amount": "3000.00"}


def test_a_missing_field_is_named_with_its_path():
    error = refused(PaidPeriod, {"first": "2025-01", "monthly_amount": "1"}, "paid[2]")

    assert error.field == "paid[2].last"
    assert error.message == "缺少必填字段“paid[2].last”"


def test_an_unknown_field_is_named_and_the_allowed_fields_listed():
    error = refused(PaidPeriod, {**PAID, "amount": "1"})

    assert error.field == "amount"
    assert "可用字段：first、last、monthly_amount" in error.message


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "布尔值 true"), ("三千", "文本“三千”"), (None, "空值 null"), ([1], "数组"),
     ("NaN", "文本“NaN”")],
)  # fmt: skip
def test_a_mistyped_amount_says_what_was_expected_and_what_came(value, shown):
    error = refused(PaidPeriod, {**PAID, "monthly_amount": value}, "paid[1]")

    assert error.field == "paid[1].monthly_amount"
    assert error.message.endswith(f"实际为{shown}")
    assert "应为金额或数值" in error.message


@pytest.mark.parametrize("value", ["480", 480.0, True])
def test_an_integer_field_takes_only_a_json_integer(value):
    facts = {**EXAMPLES["pension"], "contribution_months": value}

    assert refused(PensionFacts, facts).field == "contribution_months"


def test_a_bad_month_is_named():
    error = refused(PaidPeriod, {**PAID, "first": "2025-13"}, "paid[0]")

    assert (error.field, error.message) == ("paid[0].first", "月份应在1到12之间，实际为13")


def test_a_bad_date_is_named():
    error = refused(Deceased, {"born_on": "1960-02-30", "died_on": "2025-03-15",
                               "contribution_months": 1})  # fmt: skip

    assert error.field == "born_on"
    assert "日期" in error.message


def test_an_unknown_code_lists_the_codes_with_their_labels():
    error = refused(CustodyFacts, {"kind": "jailed", "started_on": "2023-03-01"})

    assert error.field == "kind"
    assert "pending（涉嫌犯罪被通缉或在押未定罪）" in error.message


def test_a_list_where_an_object_belongs_and_an_object_where_a_list_belongs():
    assert refused(PaidPeriod, [PAID]).message == "字段“请求”应为JSON 对象，实际为数组"
    residents = {**EXAMPLES["duplicates"]["residents"][0], "basic_pension_paid": PAID}
    assert refused(ResidentPension, residents, "residents[0]").field == (
        "residents[0].basic_pension_paid"
    )


def test_an_error_deep_in_a_list_names_every_level():
    resident = {**EXAMPLES["duplicates"]["residents"][0]}
    resident["basic_pension_paid"] = [PAID, {**PAID, "last": 202503}]

    error = refused(ResidentPension, resident, "residents[0]")

    assert error.field == "residents[0].basic_pension_paid[1].last"


@dataclass(frozen=True)
class Flat:
    deceased: Deceased = field(metadata=INLINE)
    note: str = ""


def test_an_inline_field_is_read_from_the_same_object_and_named_flat():
    flat = from_json(Flat, {"born_on": "1960-01-01", "died_on": "2025-03-15",
                            "contribution_months": 1, "note": "x"})  # fmt: skip

    assert flat.deceased.died_on == date(2025, 3, 15)
    assert refused(Flat, {"born_on": "1960-01-01", "contribution_months": 1}).field == "died_on"
    assert field_names(Flat) == [
        ("born_on", True), ("died_on", True), ("contribution_months", True),
        ("pension_start", False), ("note", False),
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Rule results → JSON
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    amount: Decimal
    month: YearMonth | None
    age: YearsMonths
    period: YearsMonths
    kind: CustodyKind
    kinds: tuple[CustodyKind, ...]
    by_kind: dict[CustodyKind, int]
    by_year: dict[int, Decimal]
    months: Fraction
    explanation: Explanation

    @property
    def doubled(self) -> Decimal:
        return self.amount * 2


STEP = Step("total", "合计", "a + b", {"a": "1"}, "3520.00", ("国发〔2005〕38号",))


def sample() -> Sample:
    return Sample(
        amount=Decimal("3520.00"),
        month=None,
        age=YearsMonths.of(722),
        period=YearsMonths.of(186),
        kind=CustodyKind.IMPRISONED,
        kinds=(CustodyKind.PENDING, CustodyKind.ACQUITTED),
        by_kind={CustodyKind.PENDING: 3},
        by_year={2024: Decimal("1.5")},
        months=Fraction(109, 12),
        explanation=Explanation((STEP,)),
    )


def test_each_kind_of_value_has_its_json_form():
    assert to_json(sample()) == {
        "amount": "3520.00",
        "month": None,
        "age": {"years": 60, "months": 2, "label": "60岁2个月"},
        "period": {"years": 15, "months": 6, "label": "15年6个月"},
        "kind": "imprisoned",
        "kind_label": "被判处拘役、有期徒刑及以上刑罚",
        "kinds": ["pending", "acquitted"],
        "kinds_labels": ["涉嫌犯罪被通缉或在押未定罪", "在押后宣告无罪"],
        "by_kind": {"pending": 3},
        "by_year": {"2024": "1.5"},
        "months": "109/12",
        "explanation": [STEP.to_dict()],
        "doubled": "7040.00",
    }


@dataclass(frozen=True)
class Outer:
    inner: Sample
    explanation: Explanation


def test_only_the_top_level_result_carries_the_explanation():
    encoded = to_json(Outer(sample(), Explanation((STEP,))))

    assert "explanation" not in encoded["inner"]
    assert encoded["explanation"] == [STEP.to_dict()]


@given(
    first=st.builds(YearMonth, st.integers(1900, 2100), st.integers(1, 12)),
    months=st.integers(0, 600),
    amount=st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
)
def test_a_paid_period_survives_the_round_trip_through_json_text(first, months, amount):
    period = PaidPeriod(first, first.plus(months), amount)

    assert from_json(PaidPeriod, json.loads(json.dumps(to_json(period)))) == period


# --------------------------------------------------------------------------------------------
# Calculators and the retirement overview
# --------------------------------------------------------------------------------------------


def test_every_calculator_has_an_example_and_the_example_computes_to_json_text():
    assert set(EXAMPLES) == set(CALCULATORS)
    for name, payload in EXAMPLES.items():
        result = compute(name, payload, on=ON, region="130000", params=PARAMS)
        text = json.dumps(to_json(result), ensure_ascii=False)
        assert '"explanation"' in text, name


def test_the_birth_date_example_lists_its_later_altered_record_in_the_json():
    result = compute("birth-date", EXAMPLES["birth-date"], on=ON, region="130000", params=PARAMS)
    encoded = to_json(result)

    assert (encoded["source"], encoded["material_id"]) == ("archive", "A-0901")
    assert encoded["review_reasons"] == []
    assert encoded["flagged_materials"] == ["A-0102"]
    flagged = next(step for step in encoded["explanation"] if step["key"] == "flagged_materials")
    assert (flagged["result"], flagged["evidence"]) == ("A-0102", ["A-0102"])


def test_a_rule_refusing_a_flat_request_names_the_same_field_as_the_json():
    payload = {**EXAMPLES["death"], "died_on": "1959-01-01"}

    with pytest.raises(InvalidInputError) as excinfo:
        compute("death", payload, on=ON, region="130000", params=PARAMS)

    assert excinfo.value.field == "died_on"


def test_the_overview_without_a_request_uses_the_minimum_of_the_statutory_year():
    query = from_json(RetirementQuery, {"category": "female55", "birth": "1971-04"})

    overview = retirement_overview(query, on=ON, params=PARAMS)

    assert (str(overview.retirement_month), overview.statutory_age.age_label) == (
        "2026-08",
        "55岁4个月",
    )
    assert (overview.minimum.year, overview.minimum.required_months) == (2026, 180)
    assert overview.requested is None and overview.allowed is None
    assert [step.key for step in overview.explanation.steps][-1] == "minimum_contribution"


def test_the_overview_of_a_request_needs_the_contribution_months():
    query = from_json(RetirementQuery, {"category": "male", "birth": "1965-05",
                                        "requested": "2026-01"})  # fmt: skip

    with pytest.raises(InvalidInputError) as excinfo:
        retirement_overview(query, on=ON, params=PARAMS)

    assert excinfo.value.field == "contribution_months"


def test_a_late_request_without_the_employers_agreement_is_refused():
    query = from_json(
        RetirementQuery,
        {"category": "male", "birth": "1965-05", "requested": "2026-07",
         "contribution_months": 400},
    )  # fmt: skip

    overview = retirement_overview(query, on=ON, params=PARAMS)

    assert overview.direction is not None and overview.direction.value == "late"
    assert [refusal.problem.value for refusal in overview.refusals] == ["late_without_agreement"]
