"""Materials the person or the employer hands in online (补充材料) when the pre-review or an
application's archive task finds one missing: a scan waits here until the archive receives
it into the personnel archive (归档) or returns it with a reason."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from retirelink.archives.material_classes import MaterialType
from retirelink.security.model import PrincipalKind

# What the pre-review asks the person or the employer to supply (workflow.prereview): the
# early records proving the birth date and the start of work (视同缴费, 国发〔1997〕26号),
# and the original special-job approval (国发〔1978〕104号).
SUPPLIABLE_TYPES = (
    MaterialType.RECRUITMENT_REGISTRATION,
    MaterialType.REGULARISATION_GRADING,
    MaterialType.WORKER_REGISTRATION,
    MaterialType.LABOUR_CONTRACT,
    MaterialType.SPECIAL_JOB_APPROVAL,
    MaterialType.OTHER,
)


class SupplementStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {"submitted": "待档案部门接收", "accepted": "已接收归档", "returned": "已退回"}[
            self.value
        ]


@dataclass(frozen=True, slots=True)
class SuppliedMaterial:
    """One handed-in material: a scanned file (kept in the blob store by its SHA-256) with
    the type and the date the material was formed, as the submitter states them."""

    person_id: int
    archive_id: int
    material_type: MaterialType
    title: str
    formation_date: date
    file_name: str
    sha256: str
    pages: int
    channel: PrincipalKind
    submitted_by: str
    submitted_at: datetime
    status: SupplementStatus = SupplementStatus.SUBMITTED
    id: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""
    material_id: int | None = None  # the catalogued material, once received
