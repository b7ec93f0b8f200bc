"""Archive-based determinations: birth date for retirement and deemed contribution months."""

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import InvalidInputError
from retirelink.rules.birth_date import (
    BirthDateRecord,
    BirthDateSource,
    ReviewReason,
    StatedBirthDate,
    birth_date_for_retirement,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.deemed import (
    MonthSpan,
    ServiceInterval,
    ServiceKind,
    calculate_deemed_contribution,
)
from retirelink.rules.parameters import DatedValue, Parameter, ParameterSet, load_parameters

from .cases import load_cases

SHIPPED = load_parameters()
REGION = "130000"
ON = date(2025, 6, 1)


def with_account_start(text: str) -> ParameterSet:
    """The shipped parameters with this case's 建账时间 for the test region."""
    parameters = {(item.name, item.scope): item for item in SHIPPED}
    dated = DatedValue(date(1900, 1, 1), text, "测试用例", "U", illustrative=True)
    parameters[("pension.account_start_month", REGION)] = Parameter(
        "pension.account_start_month", REGION, "建账时间（测试）", "text", "", (dated,)
    )
    return ParameterSet(parameters)


def cases_for(rule: str) -> list[object]:
    return [case for case in load_cases("determinations.yaml") if case.values[0]["rule"] == rule]


def span_text(span: MonthSpan) -> str:
    return f"{span.start}/{span.end}"


def optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def expect_error(call, error) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        call()
    assert excinfo.value.field == error["field"]
    assert error["message"] in excinfo.value.message


# --------------------------------------------------------------------------------------------
# 出生时间认定 — YAML scenarios
# --------------------------------------------------------------------------------------------


def birth_record(raw) -> BirthDateRecord:
    return BirthDateRecord(
        material_id=raw["material_id"],
        title=raw["title"],
        formed_on=raw["formed_on"],
        stated_birth=StatedBirthDate.parse(raw["stated_birth"]),
        material_class=str(raw.get("material_class", "")),
        altered=raw.get("altered", False),
        damaged=raw.get("damaged", False),
    )


@pytest.mark.parametrize("case", cases_for("birth_date"))
def test_birth_date_case(case):
    records = [birth_record(raw) for raw in case["records"]]
    id_card = date.fromisoformat(case["id_card_birth"])
    expect = case["expect"]

    def determine():
        return birth_date_for_retirement(records, id_card_birth=id_card)

    if "error" in expect:
        expect_error(determine, expect["error"])
        return
    result = determine()
    actual = {
        "source": result.source.value,
        "birth_month": optional_text(result.birth_month),
        "birth_date": optional_text(result.birth_date),
        "material_id": result.material_id,
        "differs_from_id_card": result.differs_from_id_card,
        "review_reasons": [reason.value for reason in result.review_reasons],
        "flagged_materials": list(result.flagged_materials),
        "confidence": result.confidence,
        "evidence": list(result.explanation.step("birth_date").evidence),
    }
    assert {key: actual[key] for key in expect} == expect


# --------------------------------------------------------------------------------------------
# 出生时间认定 — behaviour beyond the scenarios
# --------------------------------------------------------------------------------------------

CLEAN = BirthDateRecord("A-1", "招工登记表", date(1978, 3, 10), StatedBirthDate(1960, 8, 15))


def test_the_explanation_lists_every_record_and_cites_the_1999_rule():
    later = BirthDateRecord("A-2", "干部履历表", date(1985, 6, 1), StatedBirthDate(1958, 8, 15))

    result = birth_date_for_retirement([later, CLEAN], id_card_birth=date(1962, 8, 15))

    step = result.explanation.step("earliest_record")
    assert step.evidence == ("A-2", "A-1")
    assert step.result == "A-1"
    assert any("劳社部发〔1999〕8号" in reference for reference in step.references)
    assert result.explanation.step("differs_from_id_card").result == "true"


def test_a_later_altered_record_is_named_in_its_own_step_without_changing_the_decision():
    altered = BirthDateRecord(
        "A-2", "干部履历表", date(1985, 6, 1), StatedBirthDate(1958, 8, 15), altered=True
    )

    result = birth_date_for_retirement([altered, CLEAN], id_card_birth=date(1962, 8, 15))
    unflagged = birth_date_for_retirement(
        [replace(altered, altered=False), CLEAN], id_card_birth=date(1962, 8, 15)
    )

    assert result.flagged_materials == ("A-2",)
    assert unflagged.flagged_materials == ()
    assert (result.source, result.birth_date, result.material_id) == (
        unflagged.source,
        unflagged.birth_date,
        unflagged.material_id,
    )
    step = result.explanation.step("flagged_materials")
    assert step.result == "A-2"
    assert step.evidence == ("A-2",)
    assert "涂改" in step.inputs["A-2"]
    assert any("劳社部发〔1999〕8号" in reference for reference in step.references)
    assert unflagged.explanation.step("flagged_materials").result == "无"


def test_manual_review_cites_the_verification_with_the_household_registry():
    altered = BirthDateRecord(
        "A-1", "招工登记表", date(1978, 3, 10), StatedBirthDate(1955, 8, 15), altered=True
    )

    result = birth_date_for_retirement([altered], id_card_birth=date(1962, 8, 15))

    assert result.needs_review
    assert result.source is BirthDateSource.MANUAL_REVIEW
    step = result.explanation.step("birth_date")
    assert "劳办函〔1993〕67号" in " ".join(step.references)
    assert ReviewReason.ALTERED.label in step.inputs["原因"]


def test_the_id_card_fallback_is_flagged_unconfirmed_in_the_explanation():
    result = birth_date_for_retirement([], id_card_birth=date(1966, 2, 28))

    assert not result.needs_review
    assert "可信度U" in result.explanation.step("birth_date").references[0]


def test_records_formed_the_same_day_that_agree_are_decided():
    twin = BirthDateRecord("A-2", "职工登记表", CLEAN.formed_on, CLEAN.stated_birth)

    result = birth_date_for_retirement([CLEAN, twin], id_card_birth=date(1960, 8, 15))

    assert result.source is BirthDateSource.ARCHIVE
    assert result.birth_date == date(1960, 8, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1961", StatedBirthDate(1961)),
        ("1961-8", StatedBirthDate(1961, 8)),
        ("1961.08.05", StatedBirthDate(1961, 8, 5)),
        ("1961年8月", StatedBirthDate(1961, 8)),
        ("1961年8月5日", StatedBirthDate(1961, 8, 5)),
    ],
)
def test_stated_birth_dates_are_read_at_their_own_precision(text, expected):
    assert StatedBirthDate.parse(text) == expected


@pytest.mark.parametrize("text", ["61年", "1961-13", "1961-02-30", "八月", "1961--05"])
def test_an_unreadable_stated_birth_date_is_refused(text):
    with pytest.raises(InvalidInputError) as excinfo:
        StatedBirthDate.parse(text)
    assert excinfo.value.field == "stated_birth"


def test_a_day_without_a_month_is_refused():
    with pytest.raises(InvalidInputError, match="未记载月"):
        StatedBirthDate(1961, None, 5)


@given(
    formed=st.lists(st.dates(date(1960, 1, 1), date(2000, 12, 31)), min_size=1, max_size=6),
    births=st.lists(st.dates(date(1940, 1, 1), date(1959, 12, 31)), min_size=6, max_size=6),
)
def test_the_chosen_record_is_always_one_formed_earliest(formed, births):
    records = [
        BirthDateRecord(f"M-{i}", "材料", day, StatedBirthDate(b.year, b.month, b.day))
        for i, (day, b) in enumerate(zip(formed, births, strict=False))
    ]

    result = birth_date_for_retirement(records, id_card_birth=date(1950, 1, 1))

    chosen = next(record for record in records if record.material_id == result.material_id)
    assert chosen.formed_on == min(formed)


# --------------------------------------------------------------------------------------------
# 视同缴费 — YAML scenarios
# --------------------------------------------------------------------------------------------


def service(raw) -> ServiceInterval:
    return ServiceInterval(
        start=YearMonth.parse(raw["start"]),
        end=YearMonth.parse(raw["end"]),
        kind=ServiceKind(raw["kind"]),
        evidence=tuple(raw["evidence"]),
    )


@pytest.mark.parametrize("case", cases_for("deemed"))
def test_deemed_contribution_case(case):
    intervals = [service(raw) for raw in case["intervals"]]
    params = with_account_start(case["account_start"])
    expect = case["expect"]

    def calculate():
        return calculate_deemed_contribution(intervals, on=ON, region=REGION, params=params)

    if "error" in expect:
        expect_error(calculate, expect["error"])
        return
    result = calculate()
    counted_months = sum(part.span.months for part in result.counted)
    actual = {
        "months": result.months,
        "periods": [span_text(span) for span in result.periods],
        "counted": [span_text(part.span) for part in result.counted],
        "gaps": [span_text(span) for span in result.gaps],
        "unevidenced": [f"{item.start}/{item.end}" for item in result.unevidenced],
        "evidence": list(result.evidence),
        "overlap": counted_months - result.months,
    }
    assert {key: actual[key] for key in expect} == expect


# --------------------------------------------------------------------------------------------
# 视同缴费 — behaviour beyond the scenarios
# --------------------------------------------------------------------------------------------

ARMY = ServiceInterval(YearMonth(1976, 3), YearMonth(1981, 2), ServiceKind.MILITARY, ("A-5",))
FACTORY = ServiceInterval(YearMonth(1981, 3), YearMonth(1999, 12), ServiceKind.EMPLOYMENT, ("A-9",))


def test_each_counted_interval_carries_its_own_evidence_in_the_explanation():
    params = with_account_start("1996-01")

    result = calculate_deemed_contribution([FACTORY, ARMY], on=ON, region=REGION, params=params)

    assert [(part.kind, part.evidence) for part in result.counted] == [
        (ServiceKind.MILITARY, ("A-5",)),
        (ServiceKind.EMPLOYMENT, ("A-9",)),
    ]
    assert result.explanation.step("interval_1").evidence == ("A-5",)
    assert result.explanation.step("interval_2").result == "1981年3月至1995年12月，178个月"
    assert result.explanation.step("deemed_months").evidence == ("A-5", "A-9")
    assert result.period.label == "19年10个月"


def test_the_account_start_is_cited_with_its_confidence():
    params = with_account_start("1996-01")

    result = calculate_deemed_contribution([ARMY], on=ON, region=REGION, params=params)

    assert result.account_start == YearMonth(1996, 1)
    reference = result.explanation.step("account_start").references[0]
    assert "可信度U" in reference and "［示例值］" in reference


def test_a_county_uses_the_handan_account_start():
    result = calculate_deemed_contribution([ARMY], on=ON, region="130406", params=SHIPPED)

    step = result.explanation.step("account_start")
    assert "邯郸市" in step.references[0]


def test_an_unevidenced_interval_is_explained_as_not_counted():
    bare = ServiceInterval(YearMonth(1970, 1), YearMonth(1975, 12), ServiceKind.SENT_DOWN_YOUTH)
    params = with_account_start("1996-01")

    result = calculate_deemed_contribution([bare], on=ON, region=REGION, params=params)

    assert result.months == 0
    assert result.unevidenced == (bare,)
    assert result.explanation.step("unevidenced_0").result == "0"


def test_service_after_the_account_start_is_explained_as_not_deemed():
    params = with_account_start("1980-01")

    result = calculate_deemed_contribution([FACTORY], on=ON, region=REGION, params=params)

    assert result.months == 0
    step = result.explanation.step("after_account_start_0")
    assert step.evidence == ("A-9",)
    assert step.result == "0"


months = st.integers(min_value=1950 * 12, max_value=1999 * 12)


@st.composite
def intervals(draw) -> list[ServiceInterval]:
    spans = draw(st.lists(st.tuples(months, st.integers(0, 120)), max_size=6))
    return [
        ServiceInterval(
            YearMonth.from_index(start),
            YearMonth.from_index(start + length),
            ServiceKind.EMPLOYMENT,
            ("M",),
        )
        for start, length in spans
    ]


@given(intervals())
def test_deemed_months_are_the_distinct_months_before_the_account_start(service_intervals):
    start = YearMonth(1996, 1)
    params = with_account_start(str(start))

    result = calculate_deemed_contribution(service_intervals, on=ON, region=REGION, params=params)

    distinct = {
        index
        for item in service_intervals
        for index in range(item.start.index, item.end.index + 1)
        if index < start.index
    }
    assert result.months == len(distinct)
    assert all(gap.end < start for gap in result.gaps)
