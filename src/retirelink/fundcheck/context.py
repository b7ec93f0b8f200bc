"""What every check is given besides the case: the day, the law's parameters, the settings."""

from dataclasses import dataclass, field
from datetime import date

from retirelink.fundcheck.model import Thresholds
from retirelink.rules.calendar import YearMonth
from retirelink.rules.parameters import ParameterSet


@dataclass(frozen=True, slots=True)
class AnomalySettings:
    """Limits of the anomaly rules (configuration; why each matters is in ``checks_anomalies``)."""

    oldest_without_sign: int = 100  # years
    sign_window_months: int = 12
    payee_change_months: int = 3
    shared_account_pensioners: int = 3
    recent_retirement_months: int = 36


@dataclass(frozen=True, slots=True)
class CheckContext:
    today: date
    params: ParameterSet
    thresholds: Thresholds = field(default_factory=Thresholds)
    anomalies: AnomalySettings = field(default_factory=AnomalySettings)
    # The last month the payroll has paid (发放月): what was due is compared with what was paid
    # up to it, never with a month not yet paid. None: the month before ``today``.
    payroll: YearMonth | None = None

    @property
    def payroll_month(self) -> YearMonth:
        return self.payroll or YearMonth.of(self.today).plus(-1)
