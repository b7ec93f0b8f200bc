"""重新核定: a pension granted on provisional (预发) figures is computed again once the
province has published them, and the difference since the first payment is settled
(补发 when the new amount is higher, 扣回 when lower).

The practice is provincial (各省计发基数公布前预发、公布后重新核定, [U]; see
rules.provisional). A recalculation is a record of its own: the determination and review of
the retirement stand as they were made."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from retirelink.rules import YearMonth


@dataclass(frozen=True, slots=True)
class PensionRecalculation:
    application_id: int
    recalculated_at: datetime
    recalculated_by: str
    previous_monthly: Decimal
    monthly: Decimal
    # Months already paid at the previous amount (from the first payment month to the one
    # before the recalculation's month).
    months_paid: int
    start_month: YearMonth
    # Figures still unpublished after this recalculation (another one follows them).
    still_provisional: tuple[str, ...]
    pension: dict[str, Any]
    id: int | None = None

    @property
    def difference(self) -> Decimal:
        """补发 (positive) or 扣回 (negative) for the months already paid."""
        return (self.monthly - self.previous_monthly) * self.months_paid

    @property
    def final(self) -> bool:
        return not self.still_provisional

    @property
    def settlement_label(self) -> str:
        if self.difference > 0:
            return f"补发{self.difference}元"
        if self.difference < 0:
            return f"扣回{-self.difference}元"
        return "无差额"
