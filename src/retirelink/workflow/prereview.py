"""Pre-review (预审) of one person nearing retirement: which month is in view and what is
missing or inconsistent, decided by the rules engine from the archive and the insured record.

Pure: the caller loads the facts (``PrereviewFacts``); nothing here reads a clock or a
database. The items say who must act (``Owner``): the person or the employer is notified,
the archive office and the agency work their own queues.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from retirelink.archives.insured import EmploymentSpan
from retirelink.archives.material_classes import MaterialType
from retirelink.rules import (
    BirthDateDetermination,
    BirthDateSource,
    DeemedContribution,
    FlexibleWindow,
    RetirementCategory,
    ServiceInterval,
    SpecialJobAssessment,
    SpecialJobPeriod,
    StatutoryRetirement,
    YearMonth,
    YearsMonths,
    calculate_deemed_contribution,
    evaluate_special_job_retirement,
    flexible_window,
    minimum_contribution,
    statutory_retirement,
)
from retirelink.rules.early_retirement import Outcome
from retirelink.rules.parameters import ParameterSet, table_row
from retirelink.rules.special_jobs import REQUIRED_MONTHS, SPECIAL_JOB_AGE
from retirelink.workflow.model import Checklist, ChecklistItem, ItemCode, Owner, Route

# 劳办函〔1993〕67号: a doubtful birth date is verified with the 户口登记机关.
_HUKOU_PROOF = "请本人向户口登记机关申请出具出生日期证明（劳办函〔1993〕67号）"
# A special-job shortfall this small is worth telling the person: a missing record may close it.
SPECIAL_JOB_NEAR_MISS_MONTHS = 12


@dataclass(frozen=True, slots=True)
class ArchiveFindings:
    """What the person's digitised archive shows (``archives.facts.archive_evidence``)."""

    material_types: frozenset[MaterialType]
    birth: BirthDateDetermination
    service: tuple[ServiceInterval, ...]
    contradictions: tuple[tuple[str, tuple[str, ...]], ...]  # (message, evidence)
    pending_facts: int
    # Evidence ids (material:N) of original records of special-job work
    special_job_evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PrereviewFacts:
    """Everything pre-review reads about one insured person."""

    person_id: int
    id_card_birth: date
    category: RetirementCategory
    contribution_months: int
    employments: tuple[EmploymentSpan, ...]
    archive: ArchiveFindings | None  # None: the archive is not digitised yet
    # (year, months paid) of each contribution year
    paid_by_year: tuple[tuple[int, int], ...] = ()

    def paid_before(self, month: YearMonth) -> int:
        """Months paid in the years before ``month``'s year (the account start is a January
        in every region's parameters)."""
        return sum(paid for year, paid in self.paid_by_year if year < month.year)


def statutory_month(
    category: RetirementCategory, birth: date, *, on: date, params: ParameterSet
) -> YearMonth:
    """The statutory retirement month for a birth date (the selection pass)."""
    birth_month = YearMonth(birth.year, birth.month)
    return statutory_retirement(category, birth_month, on=on, params=params).retirement_month


def earliest_special_job_month(
    category: RetirementCategory, birth: date, *, on: date, params: ParameterSet
) -> YearMonth:
    """The earliest month a special-job early retirement could start (age condition only)."""
    years = int(table_row(params.value(SPECIAL_JOB_AGE, on), category.value, SPECIAL_JOB_AGE))
    return YearMonth(birth.year, birth.month).plus(years * 12)


@dataclass(frozen=True, slots=True)
class PersonReview:
    """What the rules engine determines for one person, whatever month is in view: the
    birth month (archive or ID card), the flexible window around the statutory month,
    deemed contribution, the special-job assessment, and the archive's items to fix."""

    birth: YearMonth
    flexible: FlexibleWindow
    deemed: DeemedContribution | None
    # Deemed months that do not coincide with months actually paid before the personal
    # account start (some places collected contributions from 1992): counted once.
    deemed_counted: int
    # Months actually paid before the personal account start
    paid_before_account: int
    paid_and_deemed: int
    special_job: SpecialJobAssessment | None
    archive_items: tuple[ChecklistItem, ...]
    special_job_items: tuple[ChecklistItem, ...]

    @property
    def statutory_month(self) -> YearMonth:
        return self.flexible.statutory.retirement_month


def review_person(
    facts: PrereviewFacts, *, on: date, params: ParameterSet, region: str
) -> PersonReview:
    archive = facts.archive
    birth = _birth_month(facts)
    deemed = _deemed(archive, on, region, params)
    paid_before = facts.paid_before(deemed.account_start) if deemed else 0
    deemed_counted = max(0, deemed.months - paid_before) if deemed else 0
    paid_and_deemed = facts.contribution_months + deemed_counted
    assessment = _special_job_assessment(facts, birth, paid_and_deemed, on, params, region)
    return PersonReview(
        birth=birth,
        flexible=flexible_window(facts.category, birth, on=on, params=params),
        deemed=deemed,
        deemed_counted=deemed_counted,
        paid_before_account=paid_before,
        paid_and_deemed=paid_and_deemed,
        special_job=assessment,
        archive_items=(
            *_archive_items(facts),
            *_birth_items(archive.birth if archive else None, facts.id_card_birth),
            *_deemed_items(facts, archive, deemed),
        ),
        special_job_items=tuple(_special_job_items(facts, assessment, on, params, region)),
    )


def build_checklist(
    facts: PrereviewFacts,
    *,
    on: date,
    window: tuple[YearMonth, YearMonth],
    params: ParameterSet,
    region: str,
) -> Checklist | None:
    """The checklist of a person whose retirement month falls in ``window`` (both ends
    included), or None when it does not."""
    review = review_person(facts, on=on, params=params, region=region)
    statutory = review.flexible.statutory
    special = _special_job_month(review.special_job, statutory)
    if special is not None and special < window[0]:
        special = None  # eligible earlier and still working: the statutory month is in view
    route = Route.SPECIAL_JOB if special else Route.STATUTORY
    month = special or statutory.retirement_month
    if not window[0] <= month <= window[1]:
        return None
    items = [
        *review.archive_items,
        *_contribution_items(facts, review.paid_and_deemed, month, on, params),
        *review.special_job_items,
    ]
    return Checklist(
        person_id=facts.person_id,
        retirement_month=str(month),
        route=route,
        summary=_determination_summary(facts, review, month, route, on, params),
        items=tuple(items),
    )


def _determination_summary(
    facts: PrereviewFacts,
    review: PersonReview,
    month: YearMonth,
    route: Route,
    on: date,
    params: ParameterSet,
) -> dict[str, str]:
    """The determination in 中文 label -> value form, as the checklist shows it."""
    archive, flexible, deemed = facts.archive, review.flexible, review.deemed
    return {
        "出生年月（退休认定）": review.birth.label,
        "出生日期依据": archive.birth.source.label if archive else BirthDateSource.ID_CARD.label,
        "人员类别": facts.category.label,
        "法定退休年龄": flexible.statutory.statutory_age.age_label,
        "退休年月": f"{month.label}（{route.label}）",
        # 办法第三条: early (never below the original age) or late (with the employer's
        # agreement), by up to three years, on the person's own application.
        "弹性退休可选": f"{flexible.earliest_month.label}至{flexible.latest_month.label}",
        "实际缴费": YearsMonths.of(facts.contribution_months).label,
        "视同缴费": YearsMonths.of(review.deemed_counted).label
        if deemed
        else "未核定（档案未数字化）",
        "最低缴费年限": minimum_contribution(month.year, on=on, params=params).required.label,
    }


def _birth_month(facts: PrereviewFacts) -> YearMonth:
    """The archive's determination when it decided one (劳社部发〔1999〕8号), else the ID card."""
    decided = facts.archive.birth.birth_month if facts.archive else None
    return decided or YearMonth(facts.id_card_birth.year, facts.id_card_birth.month)


def _deemed(
    archive: ArchiveFindings | None, on: date, region: str, params: ParameterSet
) -> DeemedContribution | None:
    if archive is None:
        return None
    return calculate_deemed_contribution(archive.service, on=on, region=region, params=params)


def _special_periods(facts: PrereviewFacts, on: date) -> list[SpecialJobPeriod]:
    evidence = facts.archive.special_job_evidence if facts.archive else ()
    this_month = YearMonth(on.year, on.month)
    return [
        SpecialJobPeriod(
            job_type=span.special_job,
            start=span.start,
            end=(span.end or this_month.plus(1)).plus(-1),
            evidence="original_record" if evidence else "later_certificate",
            evidence_ids=evidence,
        )
        for span in facts.employments
        if span.special_job is not None and (span.end or this_month.plus(1)) > span.start
    ]


def _special_job_assessment(
    facts: PrereviewFacts,
    birth: YearMonth,
    contribution_months: int,
    on: date,
    params: ParameterSet,
    region: str,
) -> SpecialJobAssessment | None:
    """The rules engine's special-job review at the earliest month the age allows, or None
    without special-job spans."""
    periods = _special_periods(facts, on)
    if not periods:
        return None
    earliest = earliest_special_job_month(
        facts.category, date(birth.year, birth.month, 1), on=on, params=params
    )
    return evaluate_special_job_retirement(
        facts.category,
        birth,
        periods,
        retirement=earliest,
        contribution_months=contribution_months,
        on=on,
        params=params,
        region=region,
    )


def _special_job_month(
    assessment: SpecialJobAssessment | None, statutory: StatutoryRetirement
) -> YearMonth | None:
    """The special-job month when it is earlier than the statutory one and the engine does
    not refuse it (eligible, or eligible once later certificates are checked by hand)."""
    if assessment is None or assessment.outcome is Outcome.NOT_ELIGIBLE:
        return None
    earliest = assessment.earliest_month
    return earliest if earliest < statutory.retirement_month else None


def _archive_items(facts: PrereviewFacts) -> list[ChecklistItem]:
    archive = facts.archive
    if archive is None:
        return [
            ChecklistItem(
                ItemCode.NO_ARCHIVE,
                Owner.ARCHIVES,
                "人事档案尚未数字化入库：请调取纸质档案扫描，以核定出生日期和视同缴费年限",
            )
        ]
    items = []
    if archive.pending_facts:
        items.append(
            ChecklistItem(
                ItemCode.FACTS_PENDING,
                Owner.AGENCY,
                f"档案中有{archive.pending_facts}条识别出的信息待审核确认",
            )
        )
    items += [
        ChecklistItem(ItemCode.INCONSISTENT, Owner.AGENCY, message, evidence)
        for message, evidence in archive.contradictions
    ]
    return items


def _birth_items(birth: BirthDateDetermination | None, id_card: date) -> list[ChecklistItem]:
    if birth is None:
        return []
    evidence = (f"material:{birth.material_id}",) if birth.material_id else ()
    if birth.needs_review:
        reasons = "、".join(reason.label for reason in birth.review_reasons)
        return [
            ChecklistItem(
                ItemCode.BIRTH_DATE_REVIEW,
                Owner.APPLICANT,
                f"档案记载的出生日期不能直接采用（{reasons}）；{_HUKOU_PROOF}",
                evidence,
            )
        ]
    if birth.source is BirthDateSource.ID_CARD:
        return [
            ChecklistItem(
                ItemCode.MISSING_MATERIAL,
                Owner.EMPLOYER,
                "档案中没有记载出生日期的早期材料（招工登记表、职工登记表或履历表），"
                "请单位补充移交",
            )
        ]
    if birth.differs_from_id_card and birth.birth_month is not None:
        return [
            ChecklistItem(
                ItemCode.BIRTH_DATE_DIFFERS,
                Owner.AGENCY,
                f"档案最先记载的出生年月为{birth.birth_month.label}，身份证为"
                f"{id_card.year}年{id_card.month}月；按劳社部发〔1999〕8号以档案为准",
                evidence,
            )
        ]
    return []


def _deemed_items(
    facts: PrereviewFacts,
    archive: ArchiveFindings | None,
    deemed: DeemedContribution | None,
) -> list[ChecklistItem]:
    """Work before the personal-account start counts as 视同缴费 only with archive evidence
    (国发〔1997〕26号): the forms that prove it, gaps and unproven months."""
    if archive is None or deemed is None:
        return []
    before = _months_before(facts.employments, deemed.account_start)
    if not before:
        return []
    items = [
        ChecklistItem(
            ItemCode.MISSING_MATERIAL,
            Owner.EMPLOYER,
            f"缺少{kind.label}（{why}），请单位补充移交档案材料",
        )
        for kind, why in (
            (MaterialType.RECRUITMENT_REGISTRATION, "证明参加工作时间，视同缴费年限的依据"),
            (MaterialType.REGULARISATION_GRADING, "证明转正定级时间和岗位"),
        )
        if kind not in archive.material_types
    ]
    items += [
        ChecklistItem(
            ItemCode.SERVICE_GAP,
            Owner.EMPLOYER,
            f"连续工龄在{gap.label}中断（{gap.months}个月），请提供调动、下放等证明材料",
        )
        for gap in deemed.gaps
    ]
    if deemed.months < before:
        items.append(
            ChecklistItem(
                ItemCode.UNEVIDENCED_SERVICE,
                Owner.EMPLOYER,
                f"参保记录显示{deemed.account_start.label}前工作{YearsMonths.of(before).label}，"
                f"档案只能证明视同缴费{YearsMonths.of(deemed.months).label}",
                deemed.evidence,
            )
        )
    return items


def _months_before(spans: Sequence[EmploymentSpan], start: YearMonth) -> int:
    return sum(span.months_until(start) for span in spans)


def _contribution_items(
    facts: PrereviewFacts, total: int, month: YearMonth, on: date, params: ParameterSet
) -> list[ChecklistItem]:
    if facts.contribution_months == 0:
        return [
            ChecklistItem(
                ItemCode.NO_CONTRIBUTIONS,
                Owner.AGENCY,
                "没有缴费记录：请核查参保登记和跨地区转移接续",
            )
        ]
    minimum = minimum_contribution(month.year, on=on, params=params)
    if total >= minimum.required_months:
        return []
    short = minimum.required_months - total
    counted = "含视同缴费" if facts.archive else "视同缴费待档案核定"
    return [
        ChecklistItem(
            ItemCode.CONTRIBUTION_SHORT,
            Owner.APPLICANT,
            f"累计缴费{YearsMonths.of(total).label}（{counted}），{month.year}年退休最低须"
            f"{minimum.required.label}，差{short}个月；可延长缴费至满足条件"
            "（人社部令第13号第二条）",
        )
    ]


def _special_job_items(
    facts: PrereviewFacts,
    assessment: SpecialJobAssessment | None,
    on: date,
    params: ParameterSet,
    region: str,
) -> list[ChecklistItem]:
    """Months a little short of the requirement (a missing record may close the gap), and
    special-job work the archive has no original record of (劳社部发〔1999〕8号)."""
    if assessment is None:
        return []
    required = params.value(REQUIRED_MONTHS, on, region=region)
    items = []
    for job_type, months in assessment.certified_months.items():
        needed = int(table_row(required, job_type.value, REQUIRED_MONTHS))
        if 0 < needed - months <= SPECIAL_JOB_NEAR_MISS_MONTHS:
            items.append(
                ChecklistItem(
                    ItemCode.SPECIAL_JOB_SHORT,
                    Owner.APPLICANT,
                    f"{job_type.label}工作累计{months}个月，特殊工种提前退休须满{needed}个月，"
                    f"差{needed - months}个月；如有未登记的{job_type.label}工作经历请提供原始记录",
                )
            )
        if facts.archive is not None and not facts.archive.special_job_evidence:
            items.append(
                ChecklistItem(
                    ItemCode.SPECIAL_JOB_EVIDENCE,
                    Owner.EMPLOYER,
                    f"参保记录有{job_type.label}工作{months}个月，档案中没有特殊工种原始记录"
                    "（特殊工种审批表或当年记载岗位的材料）",
                )
            )
    return items
