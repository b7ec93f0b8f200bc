"""The words and text patterns the fact extractor (``fact_extraction``) looks for.

* ``LABELS``: the form labels of each kind of fact and which date slot their value fills
  (``Slot``: start, end or a range), including labels of dates that are no fact (填表日期,
  批准日期 …) and weak labels (``出生``, ``起止时间``) trusted only in a material that usually
  states that kind of fact;
* ``EXPECTED_KINDS``: what each material type usually states, the prior of the confidence;
* ``DETAIL_LABELS``: labels of the detail that goes with a fact (学校, 工种, 部队, 单位, 职务);
* ``FAMILY_ROW`` and ``TITLE_LINE``: family rows (their dates are not the person's) and form
  titles (no label's value is in them);
* ``FREE_TEXT``, ``BEFORE_BIRTH`` and the ``*_WORDS`` patterns: the keywords around a date or a
  period in prose and resume rows.

Data only, with the helpers that compile it. Pure: no I/O.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.material_classes import MaterialType


class Slot(StrEnum):
    START = "start"
    END = "end"
    RANGE = "range"


@dataclass(frozen=True)
class LabelSpec:
    kind: FactKind | None  # None: a date that is no fact (填表日期 …), claimed and left out
    slot: Slot
    pattern: re.Pattern[str]
    form: bool  # may take its value from a neighbouring line
    weak: bool  # only a label in a material that usually states this kind of fact


def _spaced(word: str) -> str:
    return "[ ]*".join(re.escape(char) for char in word)


def _words(words: Iterable[str], guard: str = "") -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("(?:" + "|".join(_spaced(word) for word in ordered) + ")" + guard)


def _label(
    kind: FactKind | None,
    slot: Slot,
    words: Iterable[str],
    *,
    form: bool = True,
    weak: bool = False,
    guard: str = "",
) -> LabelSpec:
    return LabelSpec(kind, slot, _words(words, guard), form, weak)


_K = FactKind
LABELS: tuple[LabelSpec, ...] = (
    _label(
        _K.BIRTH_DATE, Slot.START, ("出生年月日", "出生年月", "出生日期", "出生时间", "出生年份")
    ),
    _label(_K.BIRTH_DATE, Slot.START, ("出生于", "生于"), form=False),
    _label(_K.BIRTH_DATE, Slot.START, ("出生",), weak=True, guard="(?![ ]*(?:地|证))"),
    _label(
        _K.WORK_START,
        Slot.START,
        (
            "参加工作时间",
            "参加工作日期",
            "参加工作年月",
            "参加革命工作时间",
            "入厂时间",
            "入厂日期",
            "进厂时间",
            "进厂日期",
            "招工时间",
            "招工日期",
            "工作起始时间",
            "工作起始日期",
            "工作起始",
            "录用时间",
            "录用日期",
        ),
    ),
    _label(_K.PARTY_JOIN, Slot.START, ("入党时间", "入党日期", "入党年月", "加入中国共产党时间")),
    _label(_K.EDUCATION, Slot.END, ("毕业时间", "毕业日期", "毕业年月")),
    _label(_K.EDUCATION, Slot.START, ("入学时间", "入学日期", "入学年月")),
    _label(_K.EDUCATION, Slot.RANGE, ("学习起止时间", "在校时间", "学习时间")),
    _label(
        _K.MILITARY_SERVICE,
        Slot.START,
        ("批准入伍时间", "入伍时间", "入伍日期", "入伍年月", "参军时间"),
    ),
    _label(
        _K.MILITARY_SERVICE,
        Slot.END,
        ("退伍时间", "退伍日期", "复员时间", "退役时间", "转业时间"),
    ),
    _label(_K.MILITARY_SERVICE, Slot.RANGE, ("服役起止时间", "服役时间", "服役期间")),
    _label(
        _K.SPECIAL_JOB_PERIOD,
        Slot.RANGE,
        (
            "从事特殊工种起止时间",
            "从事特殊工种期间",
            "从事特殊工种时间",
            "特殊工种起止时间",
            "特殊工种工作时间",
            "从事井下工作时间",
            "井下工作时间",
        ),
    ),
    _label(_K.SPECIAL_JOB_PERIOD, Slot.RANGE, ("起止时间", "起止日期"), weak=True),
    _label(
        _K.JOB_CHANGE,
        Slot.START,
        ("调入时间", "调动时间", "任职时间", "转正定级时间", "转正时间", "定级时间"),
    ),
    _label(
        None,
        Slot.START,
        (
            "填表日期",
            "填表时间",
            "填报日期",
            "批准日期",
            "批准时间",
            "审批日期",
            "审批时间",
            "签发日期",
            "发证日期",
            "报到日期",
            "报到时间",
            "制表日期",
        ),
    ),
)

# What a material usually states: the prior for each kind of fact.
EXPECTED_KINDS: dict[MaterialType, frozenset[FactKind]] = {
    MaterialType.RECRUITMENT_REGISTRATION: frozenset({_K.BIRTH_DATE, _K.WORK_START, _K.EDUCATION}),
    MaterialType.REGULARISATION_GRADING: frozenset({_K.BIRTH_DATE, _K.WORK_START, _K.JOB_CHANGE}),
    MaterialType.SPECIAL_JOB_APPROVAL: frozenset(
        {_K.SPECIAL_JOB_PERIOD, _K.BIRTH_DATE, _K.WORK_START}
    ),
    MaterialType.ENLISTMENT: frozenset({_K.MILITARY_SERVICE, _K.BIRTH_DATE}),
    MaterialType.DISCHARGE: frozenset({_K.MILITARY_SERVICE, _K.BIRTH_DATE}),
    MaterialType.PARTY_MEMBERSHIP: frozenset({_K.PARTY_JOIN, _K.BIRTH_DATE, _K.WORK_START}),
    MaterialType.STUDENT_REGISTRATION: frozenset({_K.BIRTH_DATE, _K.EDUCATION}),
    MaterialType.DIPLOMA: frozenset({_K.EDUCATION}),
    MaterialType.WAGE_CHANGE: frozenset({_K.WORK_START, _K.JOB_CHANGE}),
    MaterialType.LABOUR_CONTRACT: frozenset({_K.WORK_START, _K.JOB_CHANGE}),
    MaterialType.TRANSFER_LETTER: frozenset({_K.WORK_START, _K.JOB_CHANGE}),
    MaterialType.RUSTICATED_YOUTH: frozenset({_K.BIRTH_DATE, _K.WORK_START}),
}
# 履历 and registration forms state a whole career (a special-job period needs its approval).
EXPECTED_KINDS.update(
    dict.fromkeys(
        (
            MaterialType.RESUME,
            MaterialType.CADRE_REGISTRATION,
            MaterialType.WORKER_REGISTRATION,
            MaterialType.APPOINTMENT,
            MaterialType.POLITICAL_REVIEW,
        ),
        frozenset(FactKind) - {_K.SPECIAL_JOB_PERIOD},
    )
)
# Types not listed (自传, 其他材料, 考核鉴定表 …) may state anything: no prior either way, and
# no weak label is trusted in them.

# Words for the value that goes with a fact (school, job type, unit, post).
# Not in a form's title (特殊工种审批表) or a longer word (职务变动).
_NOT_TITLE = "(?![ ]*(?:审批|登记|鉴定|变动|表))"
DETAIL_LABELS: dict[FactKind, re.Pattern[str]] = {
    _K.EDUCATION: _words(
        ("毕业学校", "毕业院校", "学校名称", "所学专业", "文化程度", "学历", "专业"), _NOT_TITLE
    ),
    _K.SPECIAL_JOB_PERIOD: _words(
        ("特殊工种名称", "工种名称", "从事工种", "工种", "岗位"), _NOT_TITLE
    ),
    _K.MILITARY_SERVICE: _words(("服役部队", "部队番号", "兵种"), _NOT_TITLE),
    _K.JOB_CHANGE: _words(("调入单位", "现任职务", "职务", "岗位", "工种"), _NOT_TITLE),
}

FAMILY_ROW = re.compile(
    "|".join(
        _spaced(word)
        for word in (
            "家庭主要成员",
            "家庭成员",
            "社会关系",
            "称谓",
            "父亲",
            "母亲",
            "配偶",
            "妻子",
            "丈夫",
            "爱人",
            "儿子",
            "女儿",
            "子女",
            "哥哥",
            "弟弟",
            "姐姐",
            "妹妹",
            "岳父",
            "岳母",
            "公公",
            "婆婆",
            "祖父",
            "祖母",
        )
    )
)
# A form's title line (特殊工种提前退休审批表, 入伍批准书): no value of any label is in it.
TITLE_LINE = re.compile(r"^[^ ：:]{2,20}(?:表|书|证明|证|登记)$")
SPECIAL_WORDS = re.compile("井下|高温|高空|繁重体力|有毒有害|有毒|有害|粉尘|接尘|放射")
MILITARY_WORDS = re.compile("服役|部队|入伍|参军|解放军|武警|战士|军人")
STUDY_WORDS = re.compile("学习|就读|读书|上学|学生|毕业|肄业|专业|入学")
UNIT_WORDS = re.compile("[矿厂局司社所站场院校队处部]|公司|车间|机关|政府|委员会")

# Free text: a single date followed (in the same clause) by one of these.
FREE_TEXT: tuple[tuple[re.Pattern[str], FactKind, Slot], ...] = (
    (re.compile(r"^[ ]*(?:出[ ]*生|生(?![产活效意病]))"), _K.BIRTH_DATE, Slot.START),
    (re.compile("参加(?:革命)?工作|进厂|入厂|招工|被招|招收"), _K.WORK_START, Slot.START),
    (
        re.compile("加入中国共产党|加入共产党|入党(?!积极|申请|介绍)|预备党员"),
        _K.PARTY_JOIN,
        Slot.START,
    ),
    (re.compile("应征入伍|入伍|参军"), _K.MILITARY_SERVICE, Slot.START),
    (re.compile("退伍|复员|退役|转业"), _K.MILITARY_SERVICE, Slot.END),
    (re.compile("毕业|肄业"), _K.EDUCATION, Slot.END),
    (re.compile("入学"), _K.EDUCATION, Slot.START),
    (
        re.compile(
            r"调入|调至|调到|调往|调任|调动|转岗|担任|任命|聘任|聘为|提任|改任|任职|^[ ]*任"
        ),
        _K.JOB_CHANGE,
        Slot.START,
    ),
)
# Free text: a date just after one of these (生于一九六五年三月 is a label; this is prose).
BEFORE_BIRTH = re.compile(r"(?:出[ ]*生[ ]*(?:于|在)?|生于)[ ]*[：:]?[ ]*$")
