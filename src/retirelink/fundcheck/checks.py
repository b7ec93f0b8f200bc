"""The fund guard's checks, registered by code: each is a pure function of one case.

``run_checks`` runs every registered check (or those named) on a case; the batch and the
continuous mode call it the same way, so a pension gets the same findings either way.
"""

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from retirelink.fundcheck.checks_anomalies import (
    check_account_after_death,
    check_birth_date_altered,
    check_over_100,
    check_payee_change,
    check_shared_account,
)
from retirelink.fundcheck.checks_certification import check_certification
from retirelink.fundcheck.checks_custody import check_custody
from retirelink.fundcheck.checks_death import check_death
from retirelink.fundcheck.checks_duplicates import check_duplicates
from retirelink.fundcheck.context import CheckContext
from retirelink.fundcheck.model import CheckCode, Finding, PensionerCase

Check = Callable[[PensionerCase, CheckContext], list[Finding]]

# ``custody`` also raises ``not_resumed`` (the same 司法 record, weighed once).
CHECKS: Mapping[CheckCode, Check] = MappingProxyType(
    {
        CheckCode.DEATH: check_death,
        CheckCode.CUSTODY: check_custody,
        CheckCode.DUPLICATE: check_duplicates,
        CheckCode.CERTIFICATION: check_certification,
        CheckCode.OVER_100: check_over_100,
        CheckCode.ACCOUNT_AFTER_DEATH: check_account_after_death,
        CheckCode.PAYEE_CHANGE: check_payee_change,
        CheckCode.SHARED_ACCOUNT: check_shared_account,
        CheckCode.BIRTH_DATE_ALTERED: check_birth_date_altered,
    }
)


def run_checks(
    case: PensionerCase, context: CheckContext, codes: Iterable[CheckCode] | None = None
) -> list[Finding]:
    """Findings of the named checks (all by default) on one case, dismissed ones included."""
    selected = CHECKS.keys() if codes is None else codes
    findings: list[Finding] = []
    for code in selected:
        findings.extend(CHECKS[code](case, context))
    return findings
