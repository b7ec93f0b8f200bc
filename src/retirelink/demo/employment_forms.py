"""The demo archive's employment forms, worded as paper records of their era: 招工登记表
(with the family page), 转正定级表, 工资变动表, 劳动合同书, 特殊工种审批表 and the
调动介绍信 (工资转移单).
"""

from datetime import date

from retirelink.demo.form_filling import Form, labour_bureau, months_between, more_pages, remarks
from retirelink.demo.page_content import Cell, PageContent, Seal


def recruitment(form: Form, pages: int) -> list[PageContent]:
    m, p = form.m, form.p
    kind = form.pick(("全民所有制固定工", "全民所有制固定工", "集体所有制工人", "劳动合同制工人"))
    if m.formed.year >= 1986:
        kind = form.pick(("劳动合同制工人", "劳动合同制工人", "全民所有制固定工"))
    first = PageContent(
        "职工招工登记表",
        heading=f"招工单位：{m.employer}",
        rows=(
            *form.identity_rows(),
            (
                Cell("家庭出身", p.family_origin),
                Cell("本人成分", form.pick(("学生", "学生", "社会青年", "农民"))),
                Cell("健康状况", "良好"),
            ),
            (Cell("参加工作时间", form.month(m.formed), 2), Cell("用工形式", kind, 2)),
            (Cell("工作单位", m.employer, 5),),
            (Cell("岗位/工种", m.post, 2), Cell("家庭住址", p.address, 2)),
        ),
        paragraphs=(
            f"招工单位意见：经政审、体检合格，同意招收为{kind}。",
            "劳动部门审批意见：同意录用，按规定办理招工手续。",
        ),
        footer=form.filled(),
        seal=Seal(labour_bureau(m.formed.year), "劳动工资专用章"),
        photo=True,
        alteration=form.s.alteration,
    )
    return [first, *_family_pages(form, pages - 1)]


_RELATIVES = (("父亲", "农民"), ("母亲", "家务"), ("兄", "工人"), ("姐", "农民"))
_GIVEN = tuple("文德明秀兰国华玉振海桂英志荣宝春")


def _family_pages(form: Form, count: int) -> list[PageContent]:
    surname = form.p.name[0]
    rows = tuple(
        (
            Cell("称谓", relation),
            Cell("姓名", surname + form.pick(_GIVEN) + form.pick(_GIVEN)),
            Cell("政治面貌", form.pick(("群众", "群众", "中共党员"))),
            Cell("职业", job),
        )
        for relation, job in _RELATIVES[: 2 + int(form.rnd() * 3)]
    )
    return [
        PageContent(
            "家庭成员及主要社会关系" if index == 0 else "附页",
            rows=rows if index == 0 else (),
            paragraphs=("以上情况属实。",) if index == 0 else remarks(form, 3),
            footer=form.filled(),
        )
        for index in range(count)
    ]


def _grade(year: int, step: int) -> tuple[str, str]:
    """A wage grade and a monthly amount (yuan) plausible for ``year``."""
    grade = ("一级工", "二级工", "三级工", "四级工", "五级工", "六级工")[min(step, 5)]
    if year < 1985:
        amount = 30 + 6 * step + (year - 1960) // 4
    elif year < 1992:
        amount = 60 + 12 * step + 3 * (year - 1985)
    else:
        amount = round((220 * 1.11 ** (year - 1992)) * (0.7 + 0.12 * step))
    return grade, f"{amount}元"


def regularisation(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    grade, amount = _grade(m.formed.year, 1)
    start = m.period.start if m.period else m.formed
    first = PageContent(
        "转正定级审批表",
        heading=f"单位：{m.employer}",
        rows=(
            form.identity_rows()[0],
            (
                Cell("民族", form.p.ethnicity),
                Cell("文化程度", form.p.education),
                Cell("参加工作时间", form.month(start)),
            ),
            (Cell("学徒（见习）期", f"自{form.month(start)}至{form.month(m.formed)}", 5),),
            (Cell("岗位/工种", m.post, 2), Cell("定级", f"{grade} {amount}", 2)),
        ),
        paragraphs=(
            "本人小结：一年来在师傅指导下学习操作技术，遵守规章制度，能独立完成本岗位工作。",
            f"单位意见：该同志学徒（见习）期满，经考核合格，同意按期转正，定为{grade}。",
        ),
        footer=form.filled(),
        seal=Seal(m.employer, "劳资科"),
        alteration=form.s.alteration,
    )
    return more_pages(form, [first], pages)


def wage_change(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    step = 1 + int(form.rnd() * 4)
    old = " ".join(_grade(m.formed.year, step - 1))
    new = " ".join(_grade(m.formed.year, step))
    first = PageContent(
        "职工工资变动审批表",
        heading=f"单位：{m.employer}",
        rows=(
            (Cell("姓名", form.p.name), Cell("性别", form.p.sex), Cell("岗位/工种", m.post)),
            (Cell("工作单位", m.employer, 5),),
            (Cell("变动原因", m.detail, 5),),
            (Cell("原工资", old, 2), Cell("变动后工资", new, 2)),
            (Cell("执行时间", form.month(m.formed), 5),),
        ),
        paragraphs=("单位意见：经研究，同意调整。", "劳动工资部门意见：同意。"),
        footer=form.filled(),
        seal=Seal(m.employer, "劳资科"),
    )
    return more_pages(form, [first], pages)


def labour_contract(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    start = m.period.start if m.period else m.formed
    years = 3 + int(form.rnd() * 3)
    end = date(start.year + years, start.month, 1)
    clauses = (
        f"第一条 合同期限：自{form.month(start)}起至{form.month(end)}止，共{years}年。",
        f"第二条 工作内容：乙方同意在{m.post}岗位工作，完成甲方规定的生产（工作）任务。",
        "第三条 劳动保护和劳动条件：甲方按国家规定提供劳动保护用品和安全生产条件。",
        "第四条 劳动报酬：甲方按月以货币形式支付乙方工资，不低于当地最低工资标准。",
        "第五条 社会保险：甲乙双方依法参加社会保险，按时足额缴纳社会保险费。",
        "第六条 劳动纪律：乙方遵守甲方依法制定的规章制度。",
        "第七条 合同的变更、解除和终止按《中华人民共和国劳动法》的规定执行。",
    )
    per_page = max(1, -(-len(clauses) // pages))
    signatures = (f"甲方（盖章）　乙方（签字）：{form.p.name}",)
    result = []
    for index in range(pages):
        last = index == pages - 1
        chunk = clauses[index * per_page : (index + 1) * per_page]
        result.append(
            PageContent(
                "劳动合同书" if index == 0 else "劳动合同书（续）",
                heading=f"甲方（用人单位）：{m.employer}　乙方（劳动者）：{form.p.name}"
                if index == 0
                else "",
                paragraphs=chunk + (signatures if last else ()),
                footer=f"签订日期：{form.month(m.formed)}" if last else "",
                seal=Seal(m.employer, "劳动合同专用章") if last else None,
            )
        )
    return result


def special_job(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    assert m.period is not None and m.period.end is not None
    months = months_between(m.period.start, m.period.end)
    first = PageContent(
        "特殊工种工作时间审批表",
        heading=f"单位：{m.employer}",
        rows=(
            (Cell("姓名", form.p.name), Cell("性别", form.p.sex), Cell("民族", form.p.ethnicity)),
            (Cell("工作单位", m.employer, 5),),
            (Cell("特殊工种名称", m.post, 2), Cell("工种类别", "井下作业", 2)),
            (Cell("从事时间", form.period(m.period), 5),),
            (Cell("累计年限", f"{months // 12}年{months % 12}个月", 5),),
        ),
        paragraphs=(
            "单位意见：经核查本人原始档案及工资发放记录，从事井下作业情况属实。",
            "劳动保障部门审核意见：同意认定为井下特殊工种工作时间。",
        ),
        footer=form.filled(),
        seal=Seal(labour_bureau(m.formed.year), "审批专用章"),
    )
    return more_pages(form, [first], pages)


def transfer(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    first = PageContent(
        "调动介绍信（工资转移单）",
        heading=f"{m.employer}：",
        rows=(
            (Cell("姓名", form.p.name), Cell("性别", form.p.sex), Cell("原岗位", m.detail)),
            (Cell("原工作单位", m.previous_employer, 5),),
            (Cell("调往单位", m.employer, 5),),
            (Cell("工资关系转移时间", form.month(m.formed), 5),),
        ),
        paragraphs=(f"兹介绍{form.p.name}同志前往你处工作，其工资关系随转，请接洽。",),
        footer=form.filled(),
        seal=Seal(m.previous_employer, "劳资科"),
    )
    return more_pages(form, [first], pages)
