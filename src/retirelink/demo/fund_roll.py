"""The demo district's pension roll (待遇发放名册), its payments and shared signs of life.

Built from the district the generator drew, deterministically:

- every retired person is on the employee roll from the retirement month, paid through the
  payroll month (the month before ``as_of``); the January 2026 adjustment opens a second
  payment period (the earlier amount 2 % lower);
- a person who died after retiring was stopped correctly: paid through the death month
  (死亡次月停发) — except the planted ``paid_after_death``, still paid;
- ``paid_while_imprisoned`` retirees are still paid;
- each planted ``duplicate_receipt`` (the same human registered twice) also draws a resident
  pension (城乡居民) under the original's ID number;
- living retirees have the 医保 settlements the 医保 simulator serves (``partners.facts``) as
  signs of life (无感认证); those with none in the last ten months certified in person or by
  the app — except a few planted ``certification_missing`` with neither.

Returned planted pension ids let tests and the demo check what the fund guard finds.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from hashlib import sha256

from retirelink.demo.model import (
    DUPLICATE_RECEIPT,
    PAID_AFTER_DEATH,
    PAID_WHILE_IMPRISONED,
    DemoDistrict,
    DemoPerson,
    PersonStatus,
)
from retirelink.fundcheck.model import (
    LifeSignSource,
    PayStatus,
    RollEntry,
    Scheme,
    SignOfLife,
)
from retirelink.partners.facts import DistrictFacts, district_facts, settlement_days
from retirelink.rules.calendar import YearMonth
from retirelink.rules.payments import PaidPeriod

CERTIFICATION_MISSING = "certification_missing"
ADJUSTMENT_MONTH = YearMonth(2026, 1)
_ADJUSTMENT = Decimal("1.02")
_UNCERTIFIED_SHARE = 1  # percent of living retirees planted without any sign
_RESIDENT_REGION = "130406"


@dataclass(frozen=True, slots=True)
class DemoRoll:
    entries: tuple[RollEntry, ...]
    payments: tuple[tuple[int, PaidPeriod], ...]
    signs: tuple[SignOfLife, ...]
    planted: dict[str, tuple[int, ...]]


def _draw(id_number: str, salt: str) -> int:
    """A number 0–99 fixed by the person and the purpose (deterministic across runs)."""
    return int.from_bytes(sha256(f"{salt}:{id_number}".encode()).digest()[:4], "big") % 100


def _account(id_number: str, scheme: Scheme) -> str:
    digits = int.from_bytes(sha256(f"{scheme}:{id_number}".encode()).digest()[:8], "big")
    return f"6217{digits % 10**15:015d}"


def _periods(first: YearMonth, last: YearMonth, amount: Decimal) -> list[PaidPeriod]:
    if last < first:
        return []
    if first >= ADJUSTMENT_MONTH or last < ADJUSTMENT_MONTH:
        return [PaidPeriod(first, last, amount)]
    before = (amount / _ADJUSTMENT).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return [
        PaidPeriod(first, ADJUSTMENT_MONTH.plus(-1), before),
        PaidPeriod(ADJUSTMENT_MONTH, last, amount),
    ]


def build_roll(district: DemoDistrict) -> DemoRoll:
    payroll = YearMonth.of(district.as_of).plus(-1)
    paid_after_death = set(district.planted.get(PAID_AFTER_DEATH, ()))
    imprisoned = set(district.planted.get(PAID_WHILE_IMPRISONED, ()))
    duplicates = set(district.planted.get(DUPLICATE_RECEIPT, ()))
    facts = district_facts(district)
    deaths = {id_number: death.died_on for id_number, death in facts.deaths.items()}
    builder = _RollBuilder(district.seed, district.as_of, payroll, facts)
    previous: DemoPerson | None = None
    for person in district.persons:
        if person.id_number in duplicates and previous is not None:
            builder.resident_duplicate(previous)
        elif person.retirement_month is not None and person.monthly_pension is not None:
            builder.employee(
                person,
                died_on=deaths.get(person.id_number),
                still_paid=person.id_number in paid_after_death | imprisoned,
            )
        previous = person
    return builder.result()


class _RollBuilder:
    def __init__(self, seed: int, as_of: date, payroll: YearMonth, facts: DistrictFacts) -> None:
        self._seed = seed
        self._facts = facts
        self._as_of = as_of
        self._payroll = payroll
        self._entries: list[RollEntry] = []
        self._payments: list[tuple[int, PaidPeriod]] = []
        self._signs: list[SignOfLife] = []
        self._planted: dict[str, list[int]] = {CERTIFICATION_MISSING: [], DUPLICATE_RECEIPT: []}

    def _add(self, entry: RollEntry, amount: Decimal, last: YearMonth) -> None:
        self._entries.append(entry)
        first = YearMonth.of(entry.first_month)
        for period in _periods(first, last, amount):
            self._payments.append((entry.pension_id, period))

    def employee(self, person: DemoPerson, *, died_on: date | None, still_paid: bool) -> None:
        assert person.retirement_month is not None and person.monthly_pension is not None
        pension_id = len(self._entries) + 1
        dead = person.status is PersonStatus.DECEASED or (died_on is not None and not still_paid)
        last = self._payroll
        status = PayStatus.PAYING
        if dead and died_on is not None:
            last, status = min(self._payroll, YearMonth.of(died_on)), PayStatus.STOPPED
        certified, signs = self._certification(person, alive=not dead, pension_id=pension_id)
        entry = RollEntry(
            pension_id=pension_id,
            id_number=person.id_number,
            name=person.name,
            birth_date=person.birth_date,
            sex=person.sex.value,
            scheme=Scheme.EMPLOYEE,
            region=_RESIDENT_REGION,
            first_month=person.retirement_month,
            monthly_amount=person.monthly_pension,
            status=status,
            paid_through=last.first_day()
            if last >= YearMonth.of(person.retirement_month)
            else None,
            bank_account=_account(person.id_number, Scheme.EMPLOYEE),
            payee_name=person.name,
            last_certified_on=certified,
        )
        self._add(entry, person.monthly_pension, last)
        self._signs.extend(signs)

    def _certification(
        self, person: DemoPerson, *, alive: bool, pension_id: int
    ) -> tuple[date | None, list[SignOfLife]]:
        if not alive:
            return None, []
        draw = _draw(person.id_number, "certification")
        if (
            draw < _UNCERTIFIED_SHARE
            and person.retirement_month is not None
            and (YearMonth.of(person.retirement_month) < YearMonth.of(self._as_of).plus(-30))
        ):
            self._planted[CERTIFICATION_MISSING].append(pension_id)
            return self._as_of - timedelta(days=900), []
        days = settlement_days(
            self._seed,
            person.id_number,
            as_of=self._as_of,
            death=None,
            custodies=self._facts.custodies.get(person.id_number, ()),
        )
        signs = [
            SignOfLife(person.id_number, LifeSignSource.MEDICAL_SETTLEMENT, day, f"YB-{day:%Y%m%d}")
            for day in days
        ]
        # Without a recent settlement the person certified in person or by the app.
        recent = self._as_of - timedelta(days=300)
        if not any(day >= recent for day in days):
            return self._as_of - timedelta(days=20 + draw), signs
        return None, signs

    def resident_duplicate(self, original: DemoPerson) -> None:
        """The original's resident pension (城乡居民), drawn beside the employee one."""
        employee = next(
            (e for e in reversed(self._entries) if e.id_number == original.id_number), None
        )
        if employee is None or employee.status is not PayStatus.PAYING:
            return
        pension_id = len(self._entries) + 1
        first = YearMonth.of(employee.first_month).plus(2)
        if first > self._payroll:
            return
        basic = Decimal("160.00")
        entry = RollEntry(
            pension_id=pension_id,
            id_number=original.id_number,
            name=original.name,
            birth_date=original.birth_date,
            sex=original.sex.value,
            scheme=Scheme.RESIDENT,
            region=_RESIDENT_REGION,
            first_month=first.first_day(),
            monthly_amount=Decimal("198.00"),
            basic_amount=basic,
            status=PayStatus.PAYING,
            paid_through=self._payroll.first_day(),
            bank_account=_account(original.id_number, Scheme.RESIDENT),
            payee_name=original.name,
            last_certified_on=employee.last_certified_on or self._as_of - timedelta(days=40),
        )
        self._entries.append(entry)
        self._payments.append((pension_id, PaidPeriod(first, self._payroll, entry.monthly_amount)))
        self._planted[DUPLICATE_RECEIPT].append(pension_id)

    def result(self) -> DemoRoll:
        return DemoRoll(
            tuple(self._entries),
            tuple(self._payments),
            tuple(self._signs),
            {code: tuple(ids) for code, ids in self._planted.items()},
        )


def planted_ids(roll: DemoRoll, district: DemoDistrict, code: str) -> Sequence[int]:
    """Pension ids of a planted district anomaly (by the persons' ID numbers)."""
    wanted = set(district.planted.get(code, ()))
    return [
        e.pension_id for e in roll.entries if e.id_number in wanted and e.scheme is Scheme.EMPLOYEE
    ]
