"""The class tree of personnel archives and the material types retirement decisions rest on.

Classes: 《干部人事档案工作条例》(中共中央办公厅, 2018-11) ten classes with the usual
sub-classes 4-1…4-4 and 9-1…9-4 (policy-spec.md §6.1). Enterprise-worker archives
(《企业职工档案管理工作规定》, 劳力字〔1992〕33号) keep the same ten-class numbering; their
typical materials (招工登记表, 转正定级表, 工资变动表, 劳动合同, 特殊工种审批表 …) are filed
under class 九 or 一, which is where the rules engine looks for the start of work, wage grades
and special-job periods.

Digitisation requirements come from DA/T 31-2017 纸质档案数字化规范: at least 200 dpi, at
least 300 dpi for small or dense text; pages bearing 红头, 印章, 照片 or colour illustrations
must be scanned in colour. GB/T 33870-2017 practice for cadre archives is 300 dpi throughout.
"""

from dataclasses import dataclass
from enum import StrEnum

MIN_DPI = 200  # DA/T 31-2017: resolution not below 200 dpi
FINE_PRINT_DPI = 300  # DA/T 31-2017: small, dense or unclear text; GB/T 33870 practice


class ArchiveKind(StrEnum):
    CADRE = "cadre"
    ENTERPRISE_WORKER = "enterprise_worker"

    @property
    def label(self) -> str:
        return {"cadre": "干部人事档案", "enterprise_worker": "企业职工档案"}[self.value]

    @property
    def min_dpi(self) -> int:
        # GB/T 33870-2017 practice for cadre archives: 300 dpi for every page.
        return FINE_PRINT_DPI if self is ArchiveKind.CADRE else MIN_DPI


@dataclass(frozen=True)
class MaterialClass:
    code: str
    label: str
    parent: str | None = None


MATERIAL_CLASSES: tuple[MaterialClass, ...] = (
    MaterialClass("1", "履历类材料"),
    MaterialClass("2", "自传和思想类材料"),
    MaterialClass("3", "考核鉴定类材料"),
    MaterialClass("4", "学历学位、专业技术职务（职称）、学术评鉴和教育培训类材料"),
    MaterialClass("4-1", "学历学位材料", "4"),
    MaterialClass("4-2", "专业技术职务（职称）材料", "4"),
    MaterialClass("4-3", "学术评鉴材料", "4"),
    MaterialClass("4-4", "教育培训材料", "4"),
    MaterialClass("5", "政审、审计和审核类材料"),
    MaterialClass("6", "党、团类材料"),
    MaterialClass("7", "表彰奖励类材料"),
    MaterialClass("8", "违规违纪违法处理处分类材料"),
    MaterialClass("9", "工资、任免、出国和会议代表类材料"),
    MaterialClass("9-1", "工资材料", "9"),
    MaterialClass("9-2", "任免（录用、招工）材料", "9"),
    MaterialClass("9-3", "出国（境）材料", "9"),
    MaterialClass("9-4", "会议代表材料", "9"),
    MaterialClass("10", "其他可供组织参考的材料"),
)
_CLASSES = {item.code: item for item in MATERIAL_CLASSES}


def material_class(code: str) -> MaterialClass:
    """The class for a code such as ``"9-2"``; KeyError for an unknown code."""
    return _CLASSES[code]


def is_material_class(code: str) -> bool:
    return code in _CLASSES


def top_level_classes() -> list[MaterialClass]:
    return [item for item in MATERIAL_CLASSES if item.parent is None]


def sub_classes(code: str) -> list[MaterialClass]:
    return [item for item in MATERIAL_CLASSES if item.parent == code]


@dataclass(frozen=True)
class MaterialTypeInfo:
    label: str
    class_code: str
    # Bears a photo, a seal or a red letterhead: DA/T 31-2017 requires colour scanning.
    colour_required: bool
    # Small or dense print (forms with many fields): at least 300 dpi.
    fine_print: bool
    # States a birth date the rules engine may use (劳社部发〔1999〕8号: earliest record wins).
    states_birth_date: bool


class MaterialType(StrEnum):
    RESUME = "resume"
    CADRE_REGISTRATION = "cadre_registration"
    WORKER_REGISTRATION = "worker_registration"
    STUDENT_REGISTRATION = "student_registration"
    AUTOBIOGRAPHY = "autobiography"
    APPRAISAL = "appraisal"
    DIPLOMA = "diploma"
    TITLE_APPROVAL = "title_approval"
    POLITICAL_REVIEW = "political_review"
    PARTY_MEMBERSHIP = "party_membership"
    AWARD = "award"
    DISCIPLINE = "discipline"
    RECRUITMENT_REGISTRATION = "recruitment_registration"
    REGULARISATION_GRADING = "regularisation_grading"
    WAGE_CHANGE = "wage_change"
    LABOUR_CONTRACT = "labour_contract"
    SPECIAL_JOB_APPROVAL = "special_job_approval"
    APPOINTMENT = "appointment"
    TRANSFER_LETTER = "transfer_letter"
    ENLISTMENT = "enlistment"
    DISCHARGE = "discharge"
    RUSTICATED_YOUTH = "rusticated_youth"
    OTHER = "other"

    @property
    def info(self) -> MaterialTypeInfo:
        return _TYPE_INFO[self]

    @property
    def label(self) -> str:
        return self.info.label


def _info(
    label: str,
    class_code: str,
    *,
    colour: bool = False,
    fine: bool = False,
    birth: bool = False,
) -> MaterialTypeInfo:
    return MaterialTypeInfo(label, class_code, colour, fine, birth)


_TYPE_INFO: dict[MaterialType, MaterialTypeInfo] = {
    MaterialType.RESUME: _info("履历表", "1", colour=True, fine=True, birth=True),
    MaterialType.CADRE_REGISTRATION: _info("干部登记表", "1", colour=True, fine=True, birth=True),
    MaterialType.WORKER_REGISTRATION: _info("职工登记表", "1", colour=True, fine=True, birth=True),
    MaterialType.STUDENT_REGISTRATION: _info("学籍登记表", "4-1", colour=True, birth=True),
    MaterialType.AUTOBIOGRAPHY: _info("自传", "2"),
    MaterialType.APPRAISAL: _info("考核鉴定表", "3", colour=True),
    MaterialType.DIPLOMA: _info("学历学位证明", "4-1", colour=True),
    MaterialType.TITLE_APPROVAL: _info("专业技术职务评审表", "4-2", colour=True),
    MaterialType.POLITICAL_REVIEW: _info("政审材料", "5", colour=True),
    MaterialType.PARTY_MEMBERSHIP: _info("入党志愿书", "6", colour=True, birth=True),
    MaterialType.AWARD: _info("表彰奖励材料", "7", colour=True),
    MaterialType.DISCIPLINE: _info("处分决定", "8", colour=True),
    MaterialType.RECRUITMENT_REGISTRATION: _info(
        "招工登记表", "9-2", colour=True, fine=True, birth=True
    ),
    MaterialType.REGULARISATION_GRADING: _info(
        "转正定级表", "9-1", colour=True, fine=True, birth=True
    ),
    MaterialType.WAGE_CHANGE: _info("工资变动表", "9-1", colour=True, fine=True),
    MaterialType.LABOUR_CONTRACT: _info("劳动合同", "9-2", colour=True),
    MaterialType.SPECIAL_JOB_APPROVAL: _info("特殊工种审批表", "9-2", colour=True, fine=True),
    MaterialType.APPOINTMENT: _info("任免审批表", "9-2", colour=True, birth=True),
    MaterialType.TRANSFER_LETTER: _info("调动介绍信（工资转移单）", "9-2", colour=True),
    MaterialType.ENLISTMENT: _info("入伍批准书（军人登记表）", "9-2", colour=True, birth=True),
    MaterialType.DISCHARGE: _info("退伍证明", "9-2", colour=True),
    MaterialType.RUSTICATED_YOUTH: _info("知青下乡登记表", "10", colour=True, birth=True),
    MaterialType.OTHER: _info("其他材料", "10"),
}
