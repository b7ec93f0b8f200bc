"""中文 summaries of rule results for `retirelink rules …` (rich): a headline, then the steps."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.markup import escape

from retirelink.cli.context import console
from retirelink.rules.calculators import Calculator
from retirelink.rules.explanation import Explanation
from retirelink.rules.flexible import Refusal
from retirelink.rules.overview import RetirementOverview


def show_steps(explanation: Explanation) -> None:
    """The explanation, step by step: what was computed, the result, how, on what basis."""
    console.print("[bold]计算过程[/bold]")
    for number, step in enumerate(explanation.steps, start=1):
        inputs = "，".join(f"{name}={value}" for name, value in step.inputs.items())
        console.print(f"{number:>2}. {escape(step.label)}：[bold]{escape(step.result)}[/bold]")
        console.print(f"    {escape(step.formula)}" + (f"（{escape(inputs)}）" if inputs else ""))
        for reference in step.references:
            console.print(f"    依据：{escape(reference)}", style="dim")
        if step.evidence:
            console.print(f"    档案材料：{escape('、'.join(step.evidence))}", style="dim")


def show_refusals(refusals: Iterable[Refusal]) -> None:
    for refusal in refusals:
        console.print(f"  · {escape(refusal.message)}")
        console.print(f"    依据：{escape(refusal.reference)}", style="dim")


def show_retirement(result: RetirementOverview) -> None:
    console.print(
        f"{result.category.label}，{result.birth.label}出生：法定退休年龄"
        f"[bold]{result.statutory_age.age_label}[/bold]，退休时间"
        f"[bold]{result.retirement_month.label}[/bold]（原法定退休年龄"
        f"{result.original_age.age_label}，延迟{result.delay_months}个月）"
    )
    console.print(
        f"弹性退休：最早{result.earliest_month.label}（{result.earliest_age.age_label}），"
        f"最晚{result.latest_month.label}（{result.latest_age.age_label}）"
    )
    minimum = result.minimum
    console.print(f"最低缴费年限（{minimum.year}年）：{minimum.required.label}")
    if result.requested is not None and result.direction is not None:
        verdict = "符合" if result.allowed else "不符合"
        console.print(
            f"申请{result.requested.label}退休（{result.direction.label}）：[bold]{verdict}[/bold]"
        )
        show_refusals(result.refusals)
    show_steps(result.explanation)


def show_minimum(result: Any) -> None:
    console.print(
        f"{result.year}年按月领取基本养老金的最低缴费年限：[bold]{result.required.label}[/bold]"
        f"（{result.required_months}个月，含视同缴费）"
    )
    show_steps(result.explanation)


def show_payout_months(result: Any) -> None:
    console.print(
        f"退休年龄{result.age.age_label}：个人账户养老金计发月数[bold]{result.months}[/bold]"
        f"（{result.rule.label}）"
    )
    show_steps(result.explanation)


def show_id_number(result: Mapping[str, Any]) -> None:
    place = "".join(part for part in (result["province_name"], result["region_name"]) if part)
    upgraded = "（由15位号码升级）" if result["upgraded_from_15"] else ""
    console.print(f"公民身份号码：[bold]{result['value']}[/bold]{upgraded}，校验通过")
    console.print(f"地址码：{result['region_code']} {place or '（本表未收录）'}")
    console.print(f"出生日期：{result['birth_date']}；性别：{result['sex_label']}")


def show_credit_code(result: Mapping[str, Any]) -> None:
    place = result["region_name"] or "（本表未收录）"
    console.print(f"统一社会信用代码：[bold]{result['credit_code']}[/bold]，校验通过")
    console.print(f"登记管理机关行政区划码：{result['region_code']} {place}")


def show_calculated(calculator: Calculator, result: Any) -> None:
    headline = _HEADLINES.get(calculator.name)
    console.print(f"[bold]{calculator.label}[/bold]")
    if headline is not None:
        console.print(headline(result))
    for reason in getattr(result, "reasons", ()):
        console.print(f"  · {escape(reason)}")
    show_refusals(getattr(result, "refusals", ()))
    show_steps(result.explanation)


def _month(value: Any) -> str:
    return value.label if value is not None else "无"


def _pension(r: Any) -> str:
    return (
        f"基本养老金（月）[bold]{r.total}[/bold]元 = 基础养老金{r.basic_pension} + "
        f"个人账户养老金{r.personal_account_pension} + 过渡性养老金{r.transitional_pension}；"
        f"计发月数{r.payout_months}，{r.start_month.label}起发"
    )


def _incarceration(r: Any) -> str:
    return (
        f"{r.kind.label}：停发自{_month(r.stop_month)}，恢复自{_month(r.resume_month)}；"
        f"应补发[bold]{r.back_pay}[/bold]元（{r.back_pay_months}个月），"
        f"多发应追回[bold]{r.overpaid}[/bold]元（{r.overpaid_months}个月）"
    )


def _certification(r: Any) -> str:
    state = "周期内已认证" if r.certified_in_cycle else f"自{_month(r.suspended_from)}暂停发放"
    return (
        f"认证周期{r.cycle_start.label}至{r.cycle_end.label}：{state}；"
        f"应补发[bold]{r.back_pay}[/bold]元，多发应追回[bold]{r.overpaid}[/bold]元"
    )


def _death(r: Any) -> str:
    return (
        f"{r.overpayment.stop_month.label}起停发，多发{r.overpayment.overpaid}元；"
        f"丧葬补助金{r.benefits.funeral_grant}元，抚恤金{r.benefits.survivor_pension}元；"
        f"抵扣后应付遗属[bold]{r.net_benefits}[/bold]元，仍须追回[bold]{r.still_to_recover}[/bold]元"
    )


def _duplicates(r: Any) -> str:
    kept = "职工基本养老金" if r.kept == "employee" else f"{r.kept}的城乡居民养老金"
    return (
        f"保留{kept}（{r.kept_from.label}起）；应退还基础养老金[bold]{r.total_to_return}[/bold]元，"
        f"退还本人个人账户余额{r.total_account_refund}元，"
        f"从保留的养老金中抵扣{r.total_deducted_from_kept_pension}元"
    )


def _early_retirement(r: Any) -> str:
    return (
        f"审核结论：[bold]{r.outcome.label}[/bold]（规定年龄{r.eligible_age.age_label}，"
        f"最早{r.earliest_month.label}；最低缴费年限{r.minimum.required.label}）"
    )


def _birth_date(r: Any) -> str:
    found = r.birth_date or _month(r.birth_month)
    source = f"（材料{r.material_id}）" if r.material_id else ""
    return f"{r.source.label}：[bold]{found}[/bold]{source}"


def _deemed(r: Any) -> str:
    gaps = "、".join(gap.label for gap in r.gaps) or "无"
    return f"视同缴费[bold]{r.period.label}[/bold]（{r.months}个月）；间断：{gaps}"


def _flexible(r: Any) -> str:
    verdict = "符合" if r.allowed else "不符合"
    return f"申请{r.requested.label}退休（{r.direction.label}）：[bold]{verdict}[/bold]"


_HEADLINES: Mapping[str, Callable[[Any], str]] = {
    "pension": _pension,
    "flexible": _flexible,
    "incarceration": _incarceration,
    "certification": _certification,
    "death": _death,
    "duplicates": _duplicates,
    "special-job": _early_retirement,
    "illness": _early_retirement,
    "birth-date": _birth_date,
    "deemed": _deemed,
}
