"""The contradiction model: what the 三龄两历 check reports.

``ContradictionKind`` names each kind of contradiction with its 中文 label; a ``Contradiction``
carries its 中文 message, the facts involved (``MaterialFact``) and the rule it rests on.

The checks that find them are in ``consistency_ages`` (birth dates and ages) and
``consistency_periods`` (periods and overlaps); ``consistency.check_consistency`` runs them all.

Pure: no I/O.
"""

from dataclasses import dataclass
from enum import StrEnum

from retirelink.archives.material_facts import MaterialFact


class ContradictionKind(StrEnum):
    BIRTH_DATE_CONFLICT = "birth_date_conflict"
    BIRTH_AFTER_FORMATION = "birth_after_formation"
    WORK_BEFORE_BIRTH = "work_before_birth"
    WORK_UNDER_AGE = "work_under_age"
    PARTY_UNDER_AGE = "party_under_age"
    EDUCATION_AGE = "education_age"
    JOB_OVERLAP = "job_overlap"
    SPECIAL_JOB_OUTSIDE_WORK = "special_job_outside_work"
    MILITARY_OVERLAP = "military_overlap"
    INVERTED_PERIOD = "inverted_period"

    @property
    def label(self) -> str:
        return _CONTRADICTION_LABELS[self]


_CONTRADICTION_LABELS = {
    ContradictionKind.BIRTH_DATE_CONFLICT: "出生时间记载不一致",
    ContradictionKind.BIRTH_AFTER_FORMATION: "出生时间晚于材料形成时间",
    ContradictionKind.WORK_BEFORE_BIRTH: "参加工作早于出生",
    ContradictionKind.WORK_UNDER_AGE: "参加工作时未满十六周岁",
    ContradictionKind.PARTY_UNDER_AGE: "入党时未满十八周岁",
    ContradictionKind.EDUCATION_AGE: "学历与年龄不符",
    ContradictionKind.JOB_OVERLAP: "不同单位任职期间重叠",
    ContradictionKind.SPECIAL_JOB_OUTSIDE_WORK: "特殊工种期间不在工作经历内",
    ContradictionKind.MILITARY_OVERLAP: "服役期间与在职期间重叠",
    ContradictionKind.INVERTED_PERIOD: "起止时间颠倒",
}


@dataclass(frozen=True)
class Contradiction:
    """A contradiction between facts: what, a 中文 message, the facts and the rule."""

    kind: ContradictionKind
    message: str
    facts: tuple[MaterialFact, ...]
    reference: str
