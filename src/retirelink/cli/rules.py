"""`retirelink rules …`: the rules engine from the command line (测算; no database, no ledger).

Every command prints a 中文 summary with the explanation's steps, or with ``--json`` the result
as JSON (``rules.serialization.to_json``); bad input exits with code 1 and a message naming the
field (with ``--json``: ``{"error": …, "field": …}`` on stdout). ``--on`` is the determination
date (default: today, from the clock); ``--params DIR`` lays parameter files over the shipped
ones (same layout as ``rules/params``).
"""

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import typer

from retirelink.bootstrap import RuleServices, build_rules
from retirelink.cli import rules_view as view
from retirelink.cli.context import reports_errors
from retirelink.errors import InvalidInputError, RetireLinkError
from retirelink.rules.account import payout_months_for_age
from retirelink.rules.calculators import CALCULATORS, DEFAULT_REGION, Calculator, compute
from retirelink.rules.eligibility import minimum_contribution
from retirelink.rules.identifiers import parse_credit_code, parse_id_number
from retirelink.rules.overview import RetirementQuery, retirement_overview
from retirelink.rules.regions import PROVINCES, region_name
from retirelink.rules.serialization import from_json, to_json

app = typer.Typer(
    help="政策规则测算：退休年龄、最低缴费年限、养老金、停发与补发、遗属待遇等（不读写数据库）",
    no_args_is_help=True,
)

AS_JSON = typer.Option(False, "--json", help="以 JSON 输出（供程序读取）")
ON = typer.Option(None, "--on", help="计算日期 YYYY-MM-DD（默认今天）")
PARAMS = typer.Option(
    None, "--params", help="参数目录：其中的参数文件覆盖同名、同范围的内置参数", file_okay=False
)
REGION = typer.Option(DEFAULT_REGION, "--region", help="行政区划代码（参数按县→市→省→全国回退）")
INPUT = typer.Option(..., "--input", "-i", help="JSON 输入文件（- 表示标准输入）")


def _respond(as_json: bool, compute_result: Callable[[], Any], show: Callable[[Any], None]) -> None:
    """Run, then print the result as JSON or as a 中文 summary; with ``--json`` errors are JSON."""
    try:
        result = compute_result()
    except RetireLinkError as error:
        if not as_json:
            raise  # reports_errors prints it in 中文 and exits with 1
        _print_json({"error": error.message, "field": error.field})
        raise typer.Exit(1) from None
    if as_json:
        _print_json(to_json(result))
    else:
        show(result)


def _print_json(payload: object) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def _services(params: Path | None) -> RuleServices:
    return build_rules(overlay=params)


def _on(text: str | None, services: RuleServices) -> date:
    if text is None:
        return services.clock.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(f"计算日期“{text}”无效（应如 2025-06-01）", field="on") from None


def _integer(text: str | None, field: str) -> int | None:
    """A whole number from an option, or an error naming the field (not click's English)."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInputError(f"{field}应为整数，实际为“{text}”", field=field) from None


def _read_input(path: Path) -> object:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(
            f"无法读取输入文件{path}：{error.strerror}", field="input"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        message = f"输入文件{path}不是有效的 JSON（第{error.lineno}行第{error.colno}列）"
        raise InvalidInputError(message, field="input") from None


@app.command(help="法定退休年龄与时间、弹性退休区间；给出 --requested 时审核弹性退休申请")
@reports_errors
def retirement(
    category: str = typer.Option(..., help="人员类别：male / female55 / female50"),
    birth: str = typer.Option(..., help="出生年月 YYYY-MM"),
    requested: str | None = typer.Option(None, help="申请退休年月 YYYY-MM（弹性退休）"),
    contribution_months: str | None = typer.Option(None, help="累计缴费月数（含视同缴费）"),
    employer_agreed: bool = typer.Option(False, "--employer-agreed", help="单位同意延迟退休"),
    notice_date: str | None = typer.Option(None, help="书面告知单位日期（提前退休）"),
    agreement_date: str | None = typer.Option(None, help="书面约定日期（延迟退休）"),
    on: str | None = ON,
    params: Path | None = PARAMS,
    as_json: bool = AS_JSON,
) -> None:
    def run() -> Any:
        services = _services(params)
        raw = {
            "category": category,
            "birth": birth,
            "requested": requested,
            "contribution_months": _integer(contribution_months, "contribution_months"),
            "notice_date": notice_date,
            "employer_agreed": employer_agreed,
            "agreement_date": agreement_date,
        }
        query = from_json(RetirementQuery, raw)
        return retirement_overview(query, on=_on(on, services), params=services.parameters)

    _respond(as_json, run, view.show_retirement)


@app.command("min-contribution", help="按月领取基本养老金的最低缴费年限（办法第二条、附件4）")
@reports_errors
def min_contribution(
    year: str = typer.Option(..., help="参照年份（退休年份）"),
    on: str | None = ON,
    params: Path | None = PARAMS,
    as_json: bool = AS_JSON,
) -> None:
    def run() -> Any:
        services = _services(params)
        the_year = _integer(year, "year") or 0
        return minimum_contribution(the_year, on=_on(on, services), params=services.parameters)

    _respond(as_json, run, view.show_minimum)


@app.command("payout-months", help="个人账户养老金计发月数（国发〔2005〕38号附件）")
@reports_errors
def payout_months(
    age: str = typer.Option(..., help="退休时年龄（周岁）"),
    months: str = typer.Option("0", help="年龄中不满一岁的月数（0—11）"),
    region: str = REGION,
    on: str | None = ON,
    params: Path | None = PARAMS,
    as_json: bool = AS_JSON,
) -> None:
    def run() -> Any:
        services = _services(params)
        years, extra = _integer(age, "age") or 0, _integer(months, "months") or 0
        if not 0 <= extra <= 11:
            raise InvalidInputError(f"月数应在0到11之间，实际为{extra}", field="months")
        return payout_months_for_age(
            years * 12 + extra, on=_on(on, services), region=region, params=services.parameters
        )

    _respond(as_json, run, view.show_payout_months)


@app.command("id", help="校验并解析公民身份号码（GB 11643-1999；15位号码升级为18位）")
@reports_errors
def id_number(
    number: str = typer.Argument(..., help="公民身份号码"),
    on: str | None = ON,
    as_json: bool = AS_JSON,
) -> None:
    def run() -> Any:
        parsed = parse_id_number(number, on=_on(on, _services(None)))
        return {
            **to_json(parsed),
            "region_name": region_name(parsed.region_code),
            "province_name": PROVINCES.get(parsed.region_code[:2]),
        }

    _respond(as_json, run, view.show_id_number)


@app.command("credit-code", help="校验统一社会信用代码（GB 32100-2015）")
@reports_errors
def credit_code(
    code: str = typer.Argument(..., help="统一社会信用代码"), as_json: bool = AS_JSON
) -> None:
    def run() -> Any:
        value = parse_credit_code(code)
        return {
            "credit_code": value,
            "valid": True,
            "region_code": value[2:8],
            "region_name": region_name(value[2:8]),
        }

    _respond(as_json, run, view.show_credit_code)


def _calculator_command(calculator: Calculator) -> None:
    """``retirelink rules <name> --input FILE``: one calculator of ``rules.calculators``."""

    @reports_errors
    def command(
        input_file: Path = INPUT,
        region: str = REGION,
        on: str | None = ON,
        params: Path | None = PARAMS,
        as_json: bool = AS_JSON,
    ) -> None:
        def run() -> Any:
            services = _services(params)
            payload = _read_input(input_file)
            when = _on(on, services)
            return compute(
                calculator.name, payload, on=when, region=region, params=services.parameters
            )

        _respond(as_json, run, lambda result: view.show_calculated(calculator, result))

    app.command(calculator.name, help=f"{calculator.label}（JSON 输入，字段见 docs/rules.md）")(
        command
    )


for _calculator in CALCULATORS.values():
    _calculator_command(_calculator)
