"""/api/v1/rules: the rules engine over HTTP (测算).

Pure computations on the facts in the request: nothing is read from or written to the
database, so nothing is ledgered. Any logged-in role with ``rules.compute`` may call them.
Bodies are free-form JSON objects parsed by ``rules.serialization`` (the same requests as
``retirelink rules … --input``); a missing, unknown or mistyped field is a 422 naming its JSON
path. ``on`` defaults to today (the injected clock); parameters were loaded once at start-up.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse

from retirelink.rules.account import payout_months_for_age
from retirelink.rules.calculators import CALCULATORS, DEFAULT_REGION, Calculator, compute
from retirelink.rules.eligibility import minimum_contribution
from retirelink.rules.examples import EXAMPLES
from retirelink.rules.overview import RetirementQuery, retirement_overview
from retirelink.rules.serialization import field_names, from_json, to_json
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require
from retirelink.web.deps import CurrentActor, ServicesDep


def require_rules_compute(actor: CurrentActor) -> Actor:
    require(actor, Permission.RULES_COMPUTE)
    return actor


router = APIRouter(
    prefix="/api/v1/rules",
    tags=["政策规则测算"],
    dependencies=[Depends(require_rules_compute)],
)

OnQuery = Annotated[date | None, Query(description="计算日期 YYYY-MM-DD（默认今天）")]
RegionQuery = Annotated[
    str,
    Query(
        pattern=r"^[0-9]{6}$",
        description="行政区划代码 GB/T 2260；参数按县→市→省→全国回退",
    ),
]
_RESULT = "结果字段见 docs/rules.md；`explanation` 为逐步计算过程（公式、输入、依据、档案材料）。"


def _json(result: object) -> JSONResponse:
    return JSONResponse(to_json(result))


@router.get("/retirement", summary="法定退休年龄与时间、弹性退休区间（可审核申请月份）")
def api_retirement(
    services: ServicesDep,
    category: Annotated[str, Query(description="male / female55 / female50", examples=["male"])],
    birth: Annotated[str, Query(description="出生年月 YYYY-MM", examples=["1965-05"])],
    requested: Annotated[str | None, Query(description="申请退休年月 YYYY-MM")] = None,
    contribution_months: Annotated[int | None, Query(ge=0, description="累计缴费月数")] = None,
    notice_date: Annotated[str | None, Query(description="书面告知单位日期")] = None,
    employer_agreed: Annotated[bool, Query(description="单位同意弹性延迟退休")] = False,
    agreement_date: Annotated[str | None, Query(description="书面约定日期")] = None,
    on: OnQuery = None,
) -> JSONResponse:
    raw = {
        "category": category,
        "birth": birth,
        "requested": requested,
        "contribution_months": contribution_months,
        "notice_date": notice_date,
        "employer_agreed": employer_agreed,
        "agreement_date": agreement_date,
    }
    query = from_json(RetirementQuery, raw)
    when = on or services.clock.today()
    return _json(retirement_overview(query, on=when, params=services.parameters))


@router.get("/min-contribution", summary="按月领取基本养老金的最低缴费年限（办法第二条、附件4）")
def api_min_contribution(
    services: ServicesDep,
    year: Annotated[int, Query(ge=1900, le=2200, description="参照年份", examples=[2032])],
    on: OnQuery = None,
) -> JSONResponse:
    when = on or services.clock.today()
    return _json(minimum_contribution(year, on=when, params=services.parameters))


@router.get("/payout-months", summary="个人账户养老金计发月数（国发〔2005〕38号附件）")
def api_payout_months(
    services: ServicesDep,
    age: Annotated[int, Query(ge=0, le=120, description="退休时年龄（周岁）", examples=[60])],
    months: Annotated[int, Query(ge=0, le=11, description="不满一岁的月数")] = 0,
    region: RegionQuery = DEFAULT_REGION,
    on: OnQuery = None,
) -> JSONResponse:
    when = on or services.clock.today()
    result = payout_months_for_age(
        age * 12 + months, on=when, region=region, params=services.parameters
    )
    return _json(result)


def _add_calculator_route(calculator: Calculator) -> None:
    example = {"example": {"summary": calculator.label, "value": dict(EXAMPLES[calculator.name])}}
    body_doc = "请求字段：" + "、".join(
        f"`{name}`" + ("（必填）" if required else "")
        for name, required in field_names(calculator.request)
    )

    def endpoint(
        services: ServicesDep,
        body: Annotated[dict[str, Any], Body(openapi_examples=example)],
        on: OnQuery = None,
        region: RegionQuery = DEFAULT_REGION,
    ) -> JSONResponse:
        when = on or services.clock.today()
        params = services.parameters
        return _json(compute(calculator.name, body, on=when, region=region, params=params))

    router.add_api_route(
        f"/{calculator.name}",
        endpoint,
        methods=["POST"],
        summary=calculator.label,
        description=f"{body_doc}。{_RESULT}",
        name=f"rules_{calculator.name.replace('-', '_')}",
        response_class=JSONResponse,
    )


for _calculator in CALCULATORS.values():
    _add_calculator_route(_calculator)
