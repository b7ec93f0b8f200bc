"""The public API of ``retirelink.rules``: a pinned ``__all__``, every name documented.

Pinning the list (as httpx's ``tests/test_exported_members.py`` does) makes adding or dropping
a public name a visible change of this file, not a side effect of a refactoring.
"""

import inspect
import re
from types import ModuleType

import pytest

import retirelink.rules

EXPORTED = [
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

# Every exported function cites its law except these, which have none of their own; exported
# classes (YearMonth, the input and result types) need a docstring of their own, nothing more.
PURE_HELPERS = frozenset({"load_parameters"})
LEGAL_BASIS = re.compile(r"[〔号第]|GB")


def own_docstring(obj: object) -> str:
    """The object's own docstring; not one inherited, nor the signature @dataclass writes."""
    if not inspect.isclass(obj):
        return inspect.getdoc(obj) or ""
    doc = vars(obj).get("__doc__") or ""
    return "" if doc.startswith(f"{obj.__name__}(") else doc


def test_the_exported_names_are_pinned():
    assert retirelink.rules.__all__ == EXPORTED


def test_the_exported_names_are_sorted():
    assert sorted(EXPORTED) == EXPORTED


def test_every_public_name_of_the_package_is_exported():
    namespace = vars(retirelink.rules)
    public = {
        name
        for name, value in namespace.items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }

    assert public == set(EXPORTED)


@pytest.mark.parametrize("name", EXPORTED)
def test_every_exported_name_resolves_and_has_a_docstring(name):
    exported = getattr(retirelink.rules, name)

    assert exported.__module__.startswith("retirelink.rules.")
    assert own_docstring(exported).strip(), f"{name} has no docstring"


@pytest.mark.parametrize(
    "name", [name for name in EXPORTED if inspect.isfunction(getattr(retirelink.rules, name))]
)
def test_every_exported_function_names_its_legal_basis(name):
    docstring = own_docstring(getattr(retirelink.rules, name))

    assert name in PURE_HELPERS or LEGAL_BASIS.search(docstring), (
        f"{name}: the docstring should cite the law (文号〔〕, 第…条 or GB) it implements"
    )
