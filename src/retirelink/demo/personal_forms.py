"""The demo archive's forms about the person beyond one job, worded as paper records of
their era: military service (入伍批准书, 退伍军人登记表), the party application
(入党志愿书), the cadre résumé (干部履历表) and the autobiography (自传).
"""

from retirelink.demo.form_filling import Form, last_month, more_pages
from retirelink.demo.page_content import Cell, PageContent, Seal


def enlistment(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    first = PageContent(
        "应征公民入伍批准书",
        heading="峰峰矿区人民武装部",
        rows=(
            *form.identity_rows(),
            (
                Cell("家庭出身", form.p.family_origin),
                Cell("政治面貌", "共青团员"),
                Cell("入伍时间", form.month(m.formed)),
            ),
            (Cell("批准机关", "峰峰矿区人民武装部", 5),),
        ),
        paragraphs=("经体格检查和政治审查合格，批准该同志应征入伍。",),
        footer=form.filled(),
        seal=Seal("峰峰矿区人民武装部"),
        photo=True,
        alteration=form.s.alteration,
    )
    return more_pages(form, [first], pages)


def discharge(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    assert m.period is not None
    end = last_month(m.period) or m.formed
    first = PageContent(
        "退伍军人登记表",
        rows=(
            (Cell("姓名", form.p.name), Cell("性别", form.p.sex), Cell("民族", form.p.ethnicity)),
            (Cell("入伍时间", form.month(m.period.start), 2), Cell("退伍时间", form.month(end), 2)),
            (Cell("服役部队", f"中国人民解放军{m.detail}部队", 5),),
            (Cell("安置去向", "回原籍安置，由劳动部门安排工作", 5),),
        ),
        paragraphs=("该同志服役期满，准予退出现役。",),
        footer=form.filled(),
        seal=Seal("峰峰矿区人民政府退伍军人安置办公室"),
    )
    return more_pages(form, [first], pages)


def party_membership(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    first = PageContent(
        "中国共产党入党志愿书",
        rows=(
            *form.identity_rows(),
            (Cell("工作单位及职务", f"{m.employer} {m.post}", 5),),
        ),
        paragraphs=(
            "入党志愿：我志愿加入中国共产党，拥护党的纲领，遵守党的章程，履行党员义务，"
            "执行党的决定，严守党的纪律，保守党的秘密，对党忠诚，积极工作。",
        ),
        footer=form.filled(),
        alteration=form.s.alteration,
    )
    decision = PageContent(
        "支部大会决议及上级党组织审批意见",
        paragraphs=(
            "入党介绍人意见：该同志入党动机端正，工作积极，同意介绍其入党。",
            f"支部大会决议：经支部大会讨论通过，同意接收{form.p.name}同志为中共预备党员。",
            "上级党组织审批意见：同意。",
        ),
        footer=form.filled(),
        seal=Seal(f"中国共产党{m.employer}委员会"),
    )
    return more_pages(form, [first, decision], pages)


def resume(form: Form, pages: int) -> list[PageContent]:
    m = form.m
    start = m.career[0][0].start if m.career else m.formed
    first = PageContent(
        "干部履历表",
        heading=f"单位：{m.employer}",
        rows=(
            *form.identity_rows(),
            (Cell("参加工作时间", form.month(start), 2), Cell("现任职务", m.post, 2)),
            (Cell("工作单位", m.employer, 5),),
        ),
        footer=form.filled(),
        photo=True,
        alteration=form.s.alteration,
    )
    history = PageContent(
        "简历",
        rows=tuple(
            (Cell("起止时间", form.period(period), 2), Cell("在何单位任何职", f"{where} {post}", 3))
            for period, where, post in m.career
        ),
        paragraphs=("以上经历经组织审核属实。",),
        footer=form.filled(),
        seal=Seal("中共峰峰矿区委组织部", "干部档案审核专用章"),
    )
    return more_pages(form, [first, history], pages)


_AUTOBIOGRAPHY_LINES = (
    "参加工作以后，我在师傅的带领下学习技术，虚心向老同志请教，很快掌握了本岗位的操作要领。",
    "我积极参加单位组织的政治学习和业务培训，认真完成领导交给的各项任务。",
    "在工作中我也有不足，如有时急躁，学习不够深入，今后一定努力改正。",
    "我的家庭成员都是劳动人民，社会关系清楚，没有政治历史问题。",
)


def autobiography(form: Form, pages: int) -> list[PageContent]:
    p, m = form.p, form.m
    text = [
        f"我叫{p.name}，{p.sex}，{p.ethnicity}，籍贯{p.native_place}，{p.education}文化程度。",
        f"我出身于{p.family_origin}家庭，家住{p.address}。小时候家里生活困难，父母供我上学。",
        *(
            f"{form.month(period.start)}，我到{where}工作，从事{post}。"
            for period, where, post in m.career
        ),
        *_AUTOBIOGRAPHY_LINES[: 2 + int(form.rnd() * 3)],
        "今后我要继续努力学习，做好本职工作，争取更大进步。以上是我的简要经历，请组织审查。",
    ]
    per_page = max(1, -(-len(text) // pages))
    return [
        PageContent(
            "自传" if index == 0 else "自传（续）",
            paragraphs=tuple(text[index * per_page : (index + 1) * per_page]),
            footer=f"本人签名：{p.name}　{form.month(m.formed)}" if index == pages - 1 else "",
        )
        for index in range(pages)
    ]
