"""`retirelink rules …` as an operator uses it: --json output checked against known values."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retirelink.cli import app
from retirelink.rules.calculators import CALCULATORS
from retirelink.rules.examples import EXAMPLES
from tests.support.rule_params import P01_FACTS, write_p01_params

pytestmark = pytest.mark.e2e

ON = "2025-06-01"
DOCS_EXAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "rules"


@pytest.fixture
def rules():
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, ["rules", *args], input=input)

    return invoke


@pytest.fixture
def as_json(rules):
    def invoke(*args: str):
        result = rules(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


@pytest.fixture
def write_json(tmp_path):
    def write(payload, name="input.json"):
        path = tmp_path / name
        path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write


def step_keys(body):
    return [step["key"] for step in body["explanation"]]


def test_a_man_born_in_may_1965_retires_in_july_2025_at_60_years_2_months(as_json):
    body = as_json("retirement", "--category", "male", "--birth", "1965-05", "--on", ON)

    assert body["retirement_month"] == "2025-07"
    assert body["statutory_age"] == {"years": 60, "months": 2, "label": "60岁2个月"}
    assert body["delay_months"] == 2
    assert body["category_label"] == "男职工"
    assert (body["earliest_month"], body["latest_month"]) == ("2025-05", "2028-07")
    assert body["minimum"]["required_months"] == 180
    assert body["requested"] is None
    assert step_keys(body)[:3] == ["delay_months", "statutory_age", "retirement_month"]


def test_a_flexible_request_lists_every_reason_and_the_minimum_of_that_year(as_json):
    body = as_json(
        "retirement", "--category", "male", "--birth", "1969-09", "--requested", "2030-01",
        "--contribution-months", "170", "--on", ON,
    )  # fmt: skip

    assert body["direction"] == "early"
    assert body["direction_label"] == "弹性提前退休"
    assert body["allowed"] is False
    problems = [refusal["problem"] for refusal in body["refusals"]]
    assert problems == ["early_below_minimum", "early_notice"]
    assert body["minimum"] == {
        "year": 2030,
        "required_months": 186,
        "required": {"years": 15, "months": 6, "label": "15年6个月"},
    }


def test_an_early_request_on_time_and_with_enough_contributions_is_allowed(as_json):
    body = as_json(
        "retirement", "--category", "male", "--birth", "1967-05", "--requested", "2027-05",
        "--contribution-months", "200", "--notice-date", "2027-02-01", "--on", ON,
    )  # fmt: skip

    assert body["allowed"] is True
    assert body["refusals"] == []


def test_the_minimum_contribution_in_2032_is_198_months(as_json):
    body = as_json("min-contribution", "--year", "2032", "--on", ON)

    assert body["required_months"] == 198
    assert body["required"]["label"] == "16年6个月"


def test_a_60_year_old_has_139_payout_months_and_61_years_3_months_132(as_json):
    assert as_json("payout-months", "--age", "60", "--on", ON)["months"] == "139"
    body = as_json("payout-months", "--age", "61", "--months", "3", "--on", ON)
    assert body["months"] == "132"
    assert body["age"]["label"] == "61岁3个月"
    assert body["rule"] == "completed_years"


def test_the_p01_facts_give_5731_94_with_the_worked_examples_base_wage(
    as_json, write_json, tmp_path
):
    params = write_p01_params(tmp_path / "params")

    body = as_json("pension", "--input", write_json(P01_FACTS), "--params", str(params), "--on", ON)

    assert {key: body[key] for key in ("basic_pension", "personal_account_pension")} == {
        "basic_pension": "3520.00",
        "personal_account_pension": "1079.14",
    }
    assert body["transitional_pension"] == "1132.80"
    assert body["total"] == "5731.94"
    assert body["payout_months"] == "139"
    assert body["start_month"] == "2025-06"
    assert step_keys(body)[-2:] == ["total", "start_month"]


def test_pension_reads_the_facts_from_standard_input(rules):
    result = rules("pension", "--input", "-", "--on", ON, "--json", input=json.dumps(P01_FACTS))

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["base_wage"] == "7333"  # the shipped 河北 placeholder


def test_id_upgrades_a_15_digit_number_and_names_the_region(as_json):
    body = as_json("id", "130406650312123", "--on", ON)

    assert body["value"] == "130406196503121231"
    assert body["upgraded_from_15"] is True
    assert body["birth_date"] == "1965-03-12"
    assert (body["sex"], body["sex_label"]) == ("1", "男")
    assert (body["province_name"], body["region_name"]) == ("河北省", "峰峰矿区")


def test_credit_code_accepts_the_standards_example(as_json):
    body = as_json("credit-code", "91350100m000100y43")

    assert body["credit_code"] == "91350100M000100Y43"
    assert body["valid"] is True


def test_incarceration_stops_from_the_month_after_detention(as_json, write_json):
    body = as_json("incarceration", "--input", write_json(EXAMPLES["incarceration"]), "--on", ON)

    assert (body["stop_month"], body["resume_month"]) == ("2022-06", "2024-06")
    assert body["stopped_months"] == 24
    assert body["resume_amount"] == "3000.00"
    assert body["adjustments_excluded"] == ["2022-06", "2024-05"]
    assert body["kind_label"] == "被判处拘役、有期徒刑及以上刑罚"


def test_certification_pays_back_the_suspended_months(as_json, write_json):
    body = as_json("certification", "--input", write_json(EXAMPLES["certification"]))

    assert body["suspended_from"] == "2025-05"
    assert (body["back_pay_months"], body["back_pay"]) == (4, "12000.00")


def test_death_offsets_the_overpayment_against_survivor_benefits(as_json, write_json):
    body = as_json("death", "--input", write_json(EXAMPLES["death"]))

    assert body["overpayment"] == {
        "stop_month": "2025-04",
        "overpaid_months": 6,
        "overpaid": "24000.00",
    }
    assert body["benefits"]["funeral_grant"] == "7500.00"  # 2 × the 河北 2024 placeholder 3750
    assert body["benefits"]["pension_months"] == "14"
    assert (body["offset"], body["net_benefits"]) == ("24000.00", "36000.00")
    assert "explanation" not in body["overpayment"]  # steps are only at the top level


def test_duplicates_keeps_the_employee_pension(as_json, write_json):
    body = as_json("duplicates", "--input", write_json(EXAMPLES["duplicates"]), "--on", ON)

    assert body["kept"] == "employee"
    assert body["cleared"][0]["duplicate_months"] == 18
    assert body["total_to_return"] == "2760.00"
    assert body["total_account_refund"] == "6240.00"


def test_special_job_with_108_months_underground_is_eligible_at_55(as_json, write_json):
    body = as_json("special-job", "--input", write_json(EXAMPLES["special-job"]), "--on", ON)

    assert (body["outcome"], body["outcome_label"]) == ("eligible", "符合条件")
    assert body["original_months"] == {"underground": 108}
    assert body["eligible_age"]["label"] == "55岁"


def test_birth_date_takes_the_record_formed_first(as_json, write_json):
    body = as_json("birth-date", "--input", write_json(EXAMPLES["birth-date"]))

    assert (body["source"], body["birth_date"], body["material_id"]) == (
        "archive",
        "1960-08-15",
        "A-0901",
    )
    assert body["differs_from_id_card"] is True


def test_deemed_counts_overlapping_service_once(as_json, write_json):
    body = as_json("deemed", "--input", write_json(EXAMPLES["deemed"]), "--on", ON)

    assert body["months"] == 238
    assert body["periods"][0]["label"] == "1976年3月至1995年12月"
    assert body["period"]["label"] == "19年10个月"


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_every_calculator_prints_a_chinese_summary_with_its_steps(rules, write_json, name):
    result = rules(name, "--input", write_json(EXAMPLES[name]), "--on", ON)

    assert result.exit_code == 0, result.output
    assert CALCULATORS[name].label in result.stdout
    assert "计算过程" in result.stdout


def test_retirement_summary_is_in_chinese(rules):
    result = rules("retirement", "--category", "male", "--birth", "1965-05", "--on", ON)

    assert result.exit_code == 0, result.output
    assert "法定退休年龄60岁2个月" in result.stdout
    assert "2025年7月" in result.stdout


# --- bad input ------------------------------------------------------------------------------


def test_an_unknown_category_exits_1_naming_the_field(rules):
    result = rules("retirement", "--category", "man", "--birth", "1965-05", "--on", ON)

    assert result.exit_code == 1
    assert "category" in result.stderr
    assert "male（男职工）" in result.stderr


def test_with_json_the_error_is_a_json_object_on_stdout(rules):
    result = rules("retirement", "--category", "male", "--birth", "1965-13", "--json")

    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["field"] == "birth"
    assert "月份应在1到12之间" in body["error"]


def test_a_mistyped_field_deep_in_the_input_is_named_by_its_path(rules, write_json):
    payload = json.loads(json.dumps(EXAMPLES["death"]))
    payload["paid"].append({"first": "2025-10", "last": "2025-12", "monthly_amount": "三千"})

    result = rules("death", "--input", write_json(payload), "--json")

    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["field"] == "paid[1].monthly_amount"
    assert "应为金额" in body["error"]


def test_missing_and_unknown_fields_are_named(rules, write_json):
    missing = {key: value for key, value in P01_FACTS.items() if key != "deemed_months"}
    unknown = {**P01_FACTS, "salary": 1}

    first = rules("pension", "--input", write_json(missing), "--json")
    second = rules("pension", "--input", write_json(unknown, "unknown.json"), "--json")

    assert (first.exit_code, json.loads(first.stdout)["field"]) == (1, "deemed_months")
    assert (second.exit_code, json.loads(second.stdout)["field"]) == (1, "salary")


def test_a_rule_error_names_the_rules_field(rules, write_json):
    payload = {**EXAMPLES["death"], "died_on": "1959-12-31"}

    result = rules("death", "--input", write_json(payload))

    assert result.exit_code == 1
    assert "died_on" in result.stderr
    assert "死亡日期早于出生日期" in result.stderr


def test_an_unreadable_or_invalid_input_file_is_a_chinese_error(rules, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")

    absent = rules("pension", "--input", str(tmp_path / "absent.json"))
    invalid = rules("pension", "--input", str(broken), "--json")

    assert absent.exit_code == 1
    assert "无法读取输入文件" in absent.stderr
    assert json.loads(invalid.stdout)["field"] == "input"


def test_a_bad_id_number_exits_1_naming_the_field(rules):
    result = rules("id", "130406196503121238", "--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": "公民身份号码校验码错误：应为1，实际为8",
        "field": "id_number",
    }


def test_a_non_numeric_year_is_a_chinese_error(rules):
    result = rules("min-contribution", "--year", "二〇三二")

    assert result.exit_code == 1
    assert "year" in result.stderr


def test_the_documented_example_files_are_the_engines_examples():
    for name, payload in EXAMPLES.items():
        documented = json.loads((DOCS_EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
        assert documented == payload, name


def test_the_documented_p01_overlay_reproduces_5731_94(as_json):
    body = as_json(
        "pension", "--input", str(DOCS_EXAMPLES / "pension.json"),
        "--params", str(DOCS_EXAMPLES / "params-p01"), "--on", ON,
    )  # fmt: skip

    assert body["total"] == "5731.94"
