"""The rules engine: China's retirement and pension law as pure, cited, explained functions.

Each rule takes facts, a determination date ``on`` and the dated legal parameters
(``load_parameters``) and returns a result that carries an ``Explanation``: every figure with
its formula, inputs, legal reference (文号 + article, with the policy spec's confidence) and the
archive evidence behind it. The engine is pure: no clock, database, network or settings, and
the same inputs always give the same result. Money is ``Decimal`` rounded half up to the fen.

The names below are the public API; submodules hold the rest.
"""

from retirelink.rules.account import (
    AccountBalance,
    AccountCredit,
    AccountCredits,
    AccountYear,
    ContributionPeriod,
    PayoutAgeRule,
    PayoutMonths,
    account_credits,
    accumulate_account,
    payout_months_for_age,
)
from retirelink.rules.benefit_place import BenefitPlace, InsuredPlace, benefit_place
from retirelink.rules.birth_date import (
    BirthDateDetermination,
    BirthDateRecord,
    BirthDateSource,
    ReviewReason,
    StatedBirthDate,
    birth_date_for_retirement,
)
from retirelink.rules.calendar import YearMonth, YearsMonths, age_in_months
from retirelink.rules.certification import CertificationResult, evaluate_certification
from retirelink.rules.death import (
    DeathOverpayment,
    DeathSettlement,
    Deceased,
    FineRange,
    SurvivorBenefits,
    calculate_death_overpayment,
    calculate_survivor_benefits,
    fraud_fine_range,
    settle_death,
)
from retirelink.rules.deemed import (
    CountedInterval,
    DeemedContribution,
    MonthSpan,
    ServiceInterval,
    ServiceKind,
    calculate_deemed_contribution,
)
from retirelink.rules.duplicates import (
    ClearedPension,
    DuplicateReceiptResult,
    OverlapRefund,
    ResidentContribution,
    ResidentPension,
    calculate_overlap_refund,
    evaluate_duplicate_receipt,
)
from retirelink.rules.early_retirement import Outcome
from retirelink.rules.eligibility import (
    ContributionShortfall,
    MinimumContribution,
    ShortfallOption,
    ShortfallRoute,
    contribution_shortfall,
    minimum_contribution,
)
from retirelink.rules.explanation import Explanation, Step
from retirelink.rules.flexible import (
    FlexibleDirection,
    FlexibleRequest,
    FlexibleRequestDecision,
    FlexibleWindow,
    Refusal,
    RequestProblem,
    flexible_window,
    minimum_for_retirement,
    validate_flexible_request,
)
from retirelink.rules.identifiers import (
    IdNumber,
    Sex,
    parse_credit_code,
    parse_id_number,
    upgrade_15_to_18,
)
from retirelink.rules.illness import IllnessAssessment, WorkCapacity, evaluate_illness_retirement
from retirelink.rules.incarceration import (
    CustodyFacts,
    CustodyKind,
    CustodyResult,
    evaluate_incarceration,
)
from retirelink.rules.parameters import (
    DatedValue,
    ParameterFileError,
    ParameterSet,
    load_parameters,
)
from retirelink.rules.payments import PaidPeriod
from retirelink.rules.pension import (
    ContributionIndex,
    PensionFacts,
    PensionResult,
    StartMonthRule,
    average_contribution_index,
    calculate_pension,
)
from retirelink.rules.provisional import ProvisionalFigure, provisional_parameters
from retirelink.rules.retirement_age import (
    ReformSchedule,
    RetirementCategory,
    StatutoryRetirement,
    parse_category,
    reform_schedule,
    statutory_retirement,
)
from retirelink.rules.special_jobs import (
    CombinationRule,
    EvidenceKind,
    SpecialJobAssessment,
    SpecialJobPeriod,
    SpecialJobType,
    evaluate_special_job_retirement,
)

__all__ = [
    "AccountBalance",
    "AccountCredit",
    "AccountCredits",
    "AccountYear",
    "BenefitPlace",
    "BirthDateDetermination",
    "BirthDateRecord",
    "BirthDateSource",
    "CertificationResult",
    "ClearedPension",
    "CombinationRule",
    "ContributionIndex",
    "ContributionPeriod",
    "ContributionShortfall",
    "CountedInterval",
    "CustodyFacts",
    "CustodyKind",
    "CustodyResult",
    "DatedValue",
    "DeathOverpayment",
    "DeathSettlement",
    "Deceased",
    "DeemedContribution",
    "DuplicateReceiptResult",
    "EvidenceKind",
    "Explanation",
    "FineRange",
    "FlexibleDirection",
    "FlexibleRequest",
    "FlexibleRequestDecision",
    "FlexibleWindow",
    "IdNumber",
    "IllnessAssessment",
    "InsuredPlace",
    "MinimumContribution",
    "MonthSpan",
    "Outcome",
    "OverlapRefund",
    "PaidPeriod",
    "ParameterFileError",
    "ParameterSet",
    "PayoutAgeRule",
    "PayoutMonths",
    "PensionFacts",
    "PensionResult",
    "ProvisionalFigure",
    "ReformSchedule",
    "Refusal",
    "RequestProblem",
    "ResidentContribution",
    "ResidentPension",
    "RetirementCategory",
    "ReviewReason",
    "ServiceInterval",
    "ServiceKind",
    "Sex",
    "ShortfallOption",
    "ShortfallRoute",
    "SpecialJobAssessment",
    "SpecialJobPeriod",
    "SpecialJobType",
    "StartMonthRule",
    "StatedBirthDate",
    "StatutoryRetirement",
    "Step",
    "SurvivorBenefits",
    "WorkCapacity",
    "YearMonth",
    "YearsMonths",
    "account_credits",
    "accumulate_account",
    "age_in_months",
    "average_contribution_index",
    "benefit_place",
    "birth_date_for_retirement",
    "calculate_death_overpayment",
    "calculate_deemed_contribution",
    "calculate_overlap_refund",
    "calculate_pension",
    "calculate_survivor_benefits",
    "contribution_shortfall",
    "evaluate_certification",
    "evaluate_duplicate_receipt",
    "evaluate_illness_retirement",
    "evaluate_incarceration",
    "evaluate_special_job_retirement",
    "flexible_window",
    "fraud_fine_range",
    "load_parameters",
    "minimum_contribution",
    "minimum_for_retirement",
    "parse_category",
    "parse_credit_code",
    "parse_id_number",
    "payout_months_for_age",
    "provisional_parameters",
    "reform_schedule",
    "settle_death",
    "statutory_retirement",
    "upgrade_15_to_18",
    "validate_flexible_request",
]
