"""What a death finding's recovery can offset: the survivor benefits the family is owed.

人社部发〔2021〕18号: 丧葬补助金 and 抚恤金 are paid to the survivors of a pensioner who died of
illness; overpaid pension is, in practice, deducted from them first (policy-spec §5.2 [X05]).
``rules.death.settle_death`` computes both and the offset; this reads its inputs — the
death date from the partner records, the months paid, the contribution months on record.
"""

from dataclasses import dataclass

from retirelink.errors import InvalidInputError
from retirelink.fundcheck.batch import assemble_cases
from retirelink.fundcheck.checks_death import date_of_death, death_events
from retirelink.fundcheck.evidence import clipped
from retirelink.fundcheck.findings import StoredFinding
from retirelink.fundcheck.model import CheckCode
from retirelink.fundcheck.ports import FundUnitOfWork
from retirelink.fundcheck.services import GuardSettings
from retirelink.rules.calendar import YearMonth
from retirelink.rules.death import DeathSettlement, Deceased, settle_death

DEATH_CHECKS = frozenset({CheckCode.DEATH, CheckCode.ACCOUNT_AFTER_DEATH})


@dataclass(frozen=True, slots=True)
class SurvivorOffset:
    settlement: DeathSettlement | None
    reason: str  # 中文: why there is none, or what it rests on


def survivor_offset(
    uow: FundUnitOfWork, settings: GuardSettings, finding: StoredFinding
) -> SurvivorOffset | None:
    """The survivor benefits and their offset for a death finding; None for other checks."""
    if finding.check not in DEATH_CHECKS:
        return None
    months = uow.fund.contribution_months(finding.pension_id)
    if months is None:
        return SurvivorOffset(None, "名册未关联参保缴费记录，无法测算遗属待遇，请人工核定")
    connection = uow.fund.snapshot(id_numbers=[finding.id_number])
    try:
        cases = list(assemble_cases(connection, [finding.pension_id], {}))
    finally:
        connection.close()
    if not cases:
        return SurvivorOffset(None, "名册中已无该待遇")
    case = cases[0]
    events, _ = death_events(case, uow.clock.today())
    if not events:
        return SurvivorOffset(None, "死亡记录已不可用，请人工核定")
    died_on = date_of_death(events)
    deceased = Deceased(
        born_on=case.roll.birth_date,
        died_on=died_on,
        contribution_months=months,
        pension_start=YearMonth.of(case.roll.first_month),
    )
    try:
        settlement = settle_death(
            deceased,
            paid=clipped(case.paid, YearMonth.of(died_on)),
            params=settings.params,
            region=case.roll.region,
        )
    except InvalidInputError as error:  # e.g. the province's income of that year not held
        return SurvivorOffset(None, f"无法测算遗属待遇：{error.message}")
    return SurvivorOffset(settlement, f"缴费{months}个月（名册缴费记录，不含视同缴费）")
