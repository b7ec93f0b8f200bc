"""The insured person's record with the agency (参保记录): insurance status, retirement category,
employment spans and contribution years — what pre-review and the retirement decision read
beside the personnel archive."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth
from retirelink.rules.retirement_age import RetirementCategory
from retirelink.rules.special_jobs import SpecialJobType


class InsuranceStatus(StrEnum):
    """参保状态 as the agency's ledger records it."""

    INSURED = "insured"
    RETIRED = "retired"
    DECEASED = "deceased"

    @property
    def label(self) -> str:
        return {"insured": "在职参保", "retired": "已退休", "deceased": "已死亡"}[self.value]


@dataclass(frozen=True, slots=True)
class EmploymentSpan:
    """One job: employer, post (岗位) and months, ``end`` exclusive (None: still there).

    ``special_job`` names the 特殊工种 type the post belongs to, as the employer declared it;
    it counts for early retirement only with original archive records (劳社部发〔1999〕8号).
    """

    employer_id: int | None
    start: YearMonth
    end: YearMonth | None
    post: str
    special_job: SpecialJobType | None = None

    def months_until(self, month: YearMonth) -> int:
        """Months of this span before ``month``."""
        last = self.end if self.end is not None and self.end < month else month
        return max(0, last.index - self.start.index)


@dataclass(frozen=True, slots=True)
class ContributionYear:
    """Months paid in one calendar year for one employer, and the monthly base (yuan)."""

    year: int
    months: int
    base_wage: Decimal
    employer_id: int | None


@dataclass(frozen=True, slots=True)
class InsuranceRecord:
    """A person's insured record. ``category`` decides the statutory retirement age: for
    women it follows the pre-2025 工人岗 / 干部·管理技术岗 rule, set from the post record,
    never inferred (policy-spec §1.2)."""

    person_id: int
    category: RetirementCategory
    status: InsuranceStatus
    employer_id: int | None
    retirement_month: YearMonth | None
    employments: tuple[EmploymentSpan, ...] = ()
    contributions: tuple[ContributionYear, ...] = ()
    # 个人账户储存额 at the end of ``account_balance_year``, interest included, as the agency's
    # core system keeps it (balances before 2016 grew at provincial rates the engine lacks).
    account_balance: Decimal | None = None
    account_balance_year: int | None = None

    @property
    def contribution_months(self) -> int:
        """Months actually paid (视同缴费 excluded; the archive proves those)."""
        return sum(year.months for year in self.contributions)


def check_insurance_record(record: InsuranceRecord, *, today: date) -> None:
    """Refuse (中文) what cannot be true: months outside 1–12 or more than 12 in one year
    (a year may hold several lines: a new employer or a new base mid-year), years in the
    future, negative bases, spans ending before they start or starting in the future."""
    per_year: dict[int, int] = {}
    for year in record.contributions:
        if not 1 <= year.months <= 12:
            raise InvalidInputError(f"{year.year}年的缴费月数应在1到12之间", field="months")
        if not 1950 <= year.year <= today.year:
            raise InvalidInputError(f"缴费年度{year.year}不合理", field="year")
        if year.base_wage < 0:
            raise InvalidInputError(f"{year.year}年的缴费基数不能为负", field="base_wage")
        per_year[year.year] = per_year.get(year.year, 0) + year.months
        if per_year[year.year] > 12:
            raise InvalidInputError(f"{year.year}年的缴费月数合计超过12个月", field="months")
    this_month = YearMonth(today.year, today.month)
    for span in record.employments:
        if span.start > this_month:
            raise InvalidInputError("工作经历的开始年月晚于当前月份", field="start")
        if span.end is not None and span.end <= span.start:
            raise InvalidInputError("工作经历的结束年月应晚于开始年月", field="end")
