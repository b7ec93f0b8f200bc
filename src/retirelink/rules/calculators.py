"""The rules as calculators: one JSON request type per rule and the call that answers it.

The CLI (``retirelink rules …``) and the HTTP API (``/api/v1/rules/…``) both parse a request
with ``serialization.from_json`` and run it here, so they accept the same JSON and give the same
answer. Requests are flat where the rule validates its own facts (``Deceased``, ``CustodyFacts``
are ``INLINE``), so an error from the rule names the same field as the JSON does. Pure: ``on``
(the determination date), ``region`` (GB/T 2260 code, parameters fall back to the province and
the nation) and the parameters come from the caller.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from retirelink.rules.birth_date import BirthDateRecord, birth_date_for_retirement
from retirelink.rules.calendar import YearMonth
from retirelink.rules.certification import evaluate_certification
from retirelink.rules.death import Deceased, settle_death
from retirelink.rules.deemed import ServiceInterval, calculate_deemed_contribution
from retirelink.rules.duplicates import ResidentPension, evaluate_duplicate_receipt
from retirelink.rules.flexible import (
    FlexibleRequest,
    validate_flexible_request,
)
from retirelink.rules.illness import WorkCapacity, evaluate_illness_retirement
from retirelink.rules.incarceration import CustodyFacts, evaluate_incarceration
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.payments import PaidPeriod
from retirelink.rules.pension import PensionFacts, calculate_pension
from retirelink.rules.retirement_age import RetirementCategory
from retirelink.rules.serialization import INLINE, from_json
from retirelink.rules.special_jobs import SpecialJobPeriod, evaluate_special_job_retirement

DEFAULT_REGION = "130000"  # 河北省: the province whose (illustrative) parameters ship


# --------------------------------------------------------------------------------------------
# Requests of the calculators that take a JSON document
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncarcerationRequest:
    """Court and prison facts (flat), the monthly pension, months paid, last month settled."""

    custody: CustodyFacts = field(metadata=INLINE)
    monthly_amount: Decimal
    as_of: YearMonth
    paid: tuple[PaidPeriod, ...] = ()


@dataclass(frozen=True, slots=True)
class CertificationRequest:
    """Certification cycle, first certification (if any), death (if found) and payments."""

    cycle_start: YearMonth
    monthly_amount: Decimal
    as_of: YearMonth
    certified_on: date | None = None
    died_on: date | None = None
    paid: tuple[PaidPeriod, ...] = ()


@dataclass(frozen=True, slots=True)
class DeathRequest:
    """The deceased (flat: born_on, died_on, contribution_months, pension_start) and payments."""

    deceased: Deceased = field(metadata=INLINE)
    paid: tuple[PaidPeriod, ...] = ()


@dataclass(frozen=True, slots=True)
class DuplicatesRequest:
    """Resident pensions drawn and the employee pension's first month (if any)."""

    residents: tuple[ResidentPension, ...]
    employee_pension_start: YearMonth | None = None


@dataclass(frozen=True, slots=True)
class SpecialJobRequest:
    """Special-job early retirement: person, requested month, contributions, job periods."""

    category: RetirementCategory
    birth: YearMonth
    retirement: YearMonth
    contribution_months: int
    periods: tuple[SpecialJobPeriod, ...] = ()


@dataclass(frozen=True, slots=True)
class IllnessRequest:
    """Illness retirement (病退): person, 劳动能力鉴定 conclusion, month, contributions."""

    category: RetirementCategory
    birth: YearMonth
    work_capacity: WorkCapacity
    retirement: YearMonth
    contribution_months: int


@dataclass(frozen=True, slots=True)
class BirthDateRequest:
    """The ID card's birth date and the archive materials that state one."""

    id_card_birth: date
    records: tuple[BirthDateRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class DeemedRequest:
    """Service intervals before the personal account, with the material ids behind them."""

    intervals: tuple[ServiceInterval, ...]


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What every calculator may read besides its request."""

    on: date
    region: str
    params: ParameterSet


@dataclass(frozen=True, slots=True)
class Calculator:
    """A rule behind ``retirelink rules <name>`` and ``POST /api/v1/rules/<name>``."""

    name: str
    label: str
    request: type[Any]
    run: Callable[[Any, Context], Any]


def _pension(r: PensionFacts, c: Context) -> Any:
    return calculate_pension(r, on=c.on, region=c.region, params=c.params)


def _flexible_request(r: FlexibleRequest, c: Context) -> Any:
    return validate_flexible_request(r, on=c.on, params=c.params)


def _incarceration(r: IncarcerationRequest, c: Context) -> Any:
    amount, paid, as_of = r.monthly_amount, r.paid, r.as_of
    return evaluate_incarceration(
        r.custody, monthly_amount=amount, paid=paid, as_of=as_of, params=c.params, region=c.region
    )


def _certification(r: CertificationRequest, c: Context) -> Any:
    return evaluate_certification(
        cycle_start=r.cycle_start,
        certified_on=r.certified_on,
        died_on=r.died_on,
        monthly_amount=r.monthly_amount,
        paid=r.paid,
        as_of=r.as_of,
        params=c.params,
        region=c.region,
    )


def _death(r: DeathRequest, c: Context) -> Any:
    return settle_death(r.deceased, paid=r.paid, params=c.params, region=c.region)


def _duplicates(r: DuplicatesRequest, c: Context) -> Any:
    start, residents = r.employee_pension_start, r.residents
    return evaluate_duplicate_receipt(
        employee_pension_start=start, residents=residents, on=c.on, params=c.params
    )


def _special_job(r: SpecialJobRequest, c: Context) -> Any:
    months, retirement = r.contribution_months, r.retirement
    return evaluate_special_job_retirement(
        r.category, r.birth, r.periods, retirement=retirement, contribution_months=months,
        on=c.on, params=c.params, region=c.region,
    )  # fmt: skip


def _illness(r: IllnessRequest, c: Context) -> Any:
    capacity, months, retirement = r.work_capacity, r.contribution_months, r.retirement
    return evaluate_illness_retirement(
        r.category, r.birth, work_capacity=capacity, retirement=retirement,
        contribution_months=months, on=c.on, params=c.params,
    )  # fmt: skip


def _birth_date(r: BirthDateRequest, _: Context) -> Any:
    return birth_date_for_retirement(r.records, id_card_birth=r.id_card_birth)


def _deemed(r: DeemedRequest, c: Context) -> Any:
    return calculate_deemed_contribution(r.intervals, on=c.on, region=c.region, params=c.params)


_ALL = (
    Calculator("pension", "基本养老金测算", PensionFacts, _pension),
    Calculator("flexible", "弹性退休申请审核", FlexibleRequest, _flexible_request),
    Calculator("incarceration", "服刑期间养老金停发与补发", IncarcerationRequest, _incarceration),
    Calculator("certification", "待遇资格认证暂停与补发", CertificationRequest, _certification),
    Calculator("death", "死亡停发、多发追回与遗属待遇", DeathRequest, _death),
    Calculator("duplicates", "重复领取养老保险待遇处理", DuplicatesRequest, _duplicates),
    Calculator("special-job", "特殊工种提前退休审核", SpecialJobRequest, _special_job),
    Calculator("illness", "病退（因病或非因工致残）审核", IllnessRequest, _illness),
    Calculator("birth-date", "退休出生时间认定", BirthDateRequest, _birth_date),
    Calculator("deemed", "视同缴费年限认定", DeemedRequest, _deemed),
)
CALCULATORS: Mapping[str, Calculator] = MappingProxyType({item.name: item for item in _ALL})


def compute(name: str, payload: object, *, on: date, region: str, params: ParameterSet) -> Any:
    """Parse ``payload`` as calculator ``name``'s request and run it; errors name the field."""
    calculator = CALCULATORS[name]
    request = from_json(calculator.request, payload)
    return calculator.run(request, Context(on=on, region=region, params=params))
