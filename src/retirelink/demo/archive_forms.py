"""What the demo district's archive pages say: the text model of each form, page by page.

Pure and deterministic. :mod:`retirelink.demo.archives` decides which materials a person's
archive holds; this module words them the way paper records of their era do (labels, values,
approval sentences, seals, photo boxes, dates written 一九六五年三月, 65年3月, 1965.3 …);
:mod:`retirelink.demo.archive_pages` draws a :class:`PageContent` as a scan.

A page's text model is what the page *reads*: tests and benchmarks compare it with what
OCR or fact extraction find, without OCR of their own.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from random import Random

from retirelink.archives.material_classes import MaterialType

CN_DIGITS = "〇一二三四五六七八九"
BIRTH_LABEL = "出生年月"


class DateStyle(StrEnum):
    """How a record writes a month; the style follows the era of the form."""

    CHINESE = "chinese"  # 一九六五年三月
    FULL = "full"  # 1965年3月
    SHORT_YEAR = "short_year"  # 65年3月
    DOTTED = "dotted"  # 1965.3
    PADDED = "padded"  # 1965.03
    DASHED = "dashed"  # 1965-03


# (first year of the next era, styles drawn with equal chance): hand-filled forms of the
# 1960s-70s write numbers in 汉字; the 1980s abbreviate; later forms are typed.
_ERA_STYLES: tuple[tuple[int, tuple[DateStyle, ...]], ...] = (
    (1980, (DateStyle.CHINESE, DateStyle.CHINESE, DateStyle.FULL)),
    (1993, (DateStyle.SHORT_YEAR, DateStyle.DOTTED, DateStyle.FULL, DateStyle.FULL)),
    (2006, (DateStyle.FULL, DateStyle.FULL, DateStyle.DOTTED, DateStyle.PADDED)),
    (10_000, (DateStyle.PADDED, DateStyle.DASHED, DateStyle.FULL)),
)
# Forms formed before this year were filled in by hand; later ones were typed.
TYPED_FROM_YEAR = 1998


def era_style(year: int, draw: float) -> DateStyle:
    """The date style of a form formed in ``year`` (``draw`` in [0, 1) picks among the era's)."""
    for until, styles in _ERA_STYLES:
        if year < until:
            return styles[int(draw * len(styles))]
    raise AssertionError("unreachable: the last era is open-ended")


def chinese_number(value: int) -> str:
    """1-99 in 汉字 as dates write them: 三, 十, 十二, 二十一."""
    if value < 10:
        return CN_DIGITS[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def write_month(day: date, style: DateStyle) -> str:
    """A month the way a record of ``style`` writes it."""
    year, month = day.year, day.month
    if style is DateStyle.CHINESE:
        return "".join(CN_DIGITS[int(d)] for d in str(year)) + f"年{chinese_number(month)}月"
    if style is DateStyle.FULL:
        return f"{year}年{month}月"
    if style is DateStyle.SHORT_YEAR:
        return f"{year % 100:02d}年{month}月"
    if style is DateStyle.DOTTED:
        return f"{year}.{month}"
    if style is DateStyle.PADDED:
        return f"{year}.{month:02d}"
    return f"{year}-{month:02d}"


_CN_VALUES = {char: index for index, char in enumerate(CN_DIGITS)} | {"零": 0, "○": 0}
_CHINESE_MONTH = re.compile(r"([〇零○一二三四五六七八九]{2,4})年([一二三四五六七八九十]{1,3})月")
_ARABIC_MONTH = re.compile(r"(\d{4}|\d{2})\s*(?:年|\.|-)\s*(\d{1,2})(?:月|$)")


def _chinese_value(text: str) -> int:
    if "十" not in text:
        return int("".join(str(_CN_VALUES[char]) for char in text))
    tens, _, ones = text.partition("十")
    return (_CN_VALUES[tens] if tens else 1) * 10 + (_CN_VALUES[ones] if ones else 0)


def read_month(text: str) -> date | None:
    """The month a written date names (any :class:`DateStyle`); two-digit years are 19xx.

    >>> read_month("一九六五年三月"), read_month("65年3月"), read_month("1965.03")
    (datetime.date(1965, 3, 1), datetime.date(1965, 3, 1), datetime.date(1965, 3, 1))
    """
    cleaned = text.strip()
    match = _CHINESE_MONTH.search(cleaned)
    if match is not None:
        year, month = _chinese_value(match[1]), _chinese_value(match[2])
    else:
        arabic = _ARABIC_MONTH.search(cleaned)
        if arabic is None:
            return None
        year, month = int(arabic[1]), int(arabic[2])
    if year < 100:
        year += 1900
    if not 1 <= month <= 12:
        return None
    return date(year, month, 1)


@dataclass(frozen=True)
class Cell:
    """One labelled field of a form; ``span`` is the value's width in grid units."""

    label: str
    value: str
    span: int = 1


@dataclass(frozen=True)
class Alteration:
    """A visible overwrite (涂改): ``struck`` crossed out, ``written`` by hand beside it.

    The cell labelled ``label`` reads ``written``; the crossed-out text is still legible.
    """

    label: str
    struck: str
    written: str


@dataclass(frozen=True)
class Seal:
    """A red official seal: the organisation around the rim, a caption under the star."""

    organisation: str
    caption: str = ""


@dataclass(frozen=True)
class PageContent:
    """Everything one page says and bears, in reading order."""

    title: str
    heading: str = ""
    rows: tuple[tuple[Cell, ...], ...] = ()
    paragraphs: tuple[str, ...] = ()
    footer: str = ""
    seal: Seal | None = None
    photo: bool = False
    handwritten: bool = False
    alteration: Alteration | None = None
    blank: bool = False

    def value(self, label: str) -> str | None:
        """What the page reads for ``label`` (after any overwrite); None if it has no such field."""
        for row in self.rows:
            for cell in row:
                if cell.label == label:
                    return cell.value
        return None

    def text(self) -> str:
        """The page's words, line by line (what a perfect OCR would read, overwrites included)."""
        if self.blank:
            return ""
        lines = [self.title, self.heading]
        lines.extend(" ".join(f"{c.label} {c.value}" for c in row) for row in self.rows)
        lines.extend(self.paragraphs)
        lines.append(self.footer)
        if self.alteration is not None:
            lines.append(self.alteration.struck)
        return "\n".join(line for line in lines if line)


BLANK_PAGE = PageContent(title="", blank=True)


@dataclass(frozen=True)
class PersonFacts:
    """What the archive knows of the person (the ID card's birth date among it)."""

    name: str
    sex: str
    birth: date
    ethnicity: str
    native_place: str
    education: str
    family_origin: str
    address: str


@dataclass(frozen=True)
class Period:
    """A period a material speaks of: months, ``end`` exclusive (None: still going)."""

    start: date
    end: date | None


@dataclass(frozen=True)
class MaterialFacts:
    """What one material is about: when it was formed, where, which post and period."""

    material_type: MaterialType
    formed: date
    employer: str = ""
    post: str = ""
    period: Period | None = None
    previous_employer: str = ""
    career: tuple[tuple[Period, str, str], ...] = ()  # (period, employer, post) up to formed
    seal: str = ""
    detail: str = ""


@dataclass(frozen=True)
class FormStyle:
    """How a form is filled: date style, by hand or typed, the birth date it states."""

    dates: DateStyle
    handwritten: bool
    birth_shown: date
    alteration: Alteration | None = None


def last_month(period: Period) -> date | None:
    """The last month of a period (its exclusive end minus one), None if still going."""
    if period.end is None:
        return None
    month = period.end.year * 12 + period.end.month - 2
    return date(month // 12, month % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def labour_bureau(year: int) -> str:
    """The district's labour authority of the day (it was renamed twice)."""
    if year < 2000:
        return "峰峰矿区劳动局"
    if year < 2010:
        return "峰峰矿区劳动和社会保障局"
    return "峰峰矿区人力资源和社会保障局"


class _Form:
    """Builds one material's pages from the person, the material and the filling style."""

    def __init__(
        self, person: PersonFacts, material: MaterialFacts, style: FormStyle, rnd: Random
    ) -> None:
        self.p = person
        self.m = material
        self.s = style
        self.rnd = rnd.random

    def month(self, day: date) -> str:
        return write_month(day, self.s.dates)

    def period(self, period: Period) -> str:
        end = last_month(period)
        return f"自{self.month(period.start)}至{self.month(end) if end else '今'}"

    def identity_rows(self) -> tuple[tuple[Cell, ...], ...]:
        """姓名/性别/出生年月, 民族/籍贯/文化程度: the top of most registration forms."""
        return (
            (Cell("姓名", self.p.name), Cell("性别", self.p.sex), self.birth_cell()),
            (
                Cell("民族", self.p.ethnicity),
                Cell("籍贯", self.p.native_place),
                Cell("文化程度", self.p.education),
            ),
        )

    def birth_cell(self) -> Cell:
        return Cell(BIRTH_LABEL, self.month(self.s.birth_shown), 2)

    def filled(self) -> str:
        return f"填表日期：{self.month(self.m.formed)}"

    def pick(self, items: Sequence[str]) -> str:
        return items[int(self.rnd() * len(items))]


def _recruitment(form: _Form, pages: int) -> list[PageContent]:
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


def _family_pages(form: _Form, count: int) -> list[PageContent]:
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
            paragraphs=("以上情况属实。",) if index == 0 else _remarks(form, 3),
            footer=form.filled(),
        )
        for index in range(count)
    ]


_REMARKS = (
    "该同志工作积极，服从分配，遵守劳动纪律。",
    "经审查，本人填写情况与调查相符。",
    "政治历史清楚，社会关系无问题。",
    "能够完成生产任务，团结同志，群众反映较好。",
    "注意安全生产，未发生责任事故。",
    "学习努力，业务熟练，能够胜任本职工作。",
)


def _remarks(form: _Form, count: int) -> tuple[str, ...]:
    start = int(form.rnd() * len(_REMARKS))
    return tuple(_REMARKS[(start + i) % len(_REMARKS)] for i in range(count))


def _more_pages(form: _Form, pages: list[PageContent], count: int) -> list[PageContent]:
    """Pad a material to ``count`` pages with appended remark sheets (附页)."""
    while len(pages) < count:
        pages.append(PageContent("附页", paragraphs=_remarks(form, 4), footer=form.filled()))
    return pages[:count]


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


def _regularisation(form: _Form, pages: int) -> list[PageContent]:
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
    return _more_pages(form, [first], pages)


def _wage_change(form: _Form, pages: int) -> list[PageContent]:
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
    return _more_pages(form, [first], pages)


def _labour_contract(form: _Form, pages: int) -> list[PageContent]:
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


def _special_job(form: _Form, pages: int) -> list[PageContent]:
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
    return _more_pages(form, [first], pages)


def _enlistment(form: _Form, pages: int) -> list[PageContent]:
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
    return _more_pages(form, [first], pages)


def _discharge(form: _Form, pages: int) -> list[PageContent]:
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
    return _more_pages(form, [first], pages)


def _party_membership(form: _Form, pages: int) -> list[PageContent]:
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
    return _more_pages(form, [first, decision], pages)


def _resume(form: _Form, pages: int) -> list[PageContent]:
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
    return _more_pages(form, [first, history], pages)


def _transfer(form: _Form, pages: int) -> list[PageContent]:
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
    return _more_pages(form, [first], pages)


_AUTOBIOGRAPHY_LINES = (
    "参加工作以后，我在师傅的带领下学习技术，虚心向老同志请教，很快掌握了本岗位的操作要领。",
    "我积极参加单位组织的政治学习和业务培训，认真完成领导交给的各项任务。",
    "在工作中我也有不足，如有时急躁，学习不够深入，今后一定努力改正。",
    "我的家庭成员都是劳动人民，社会关系清楚，没有政治历史问题。",
)


def _autobiography(form: _Form, pages: int) -> list[PageContent]:
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


_Builder = Callable[[_Form, int], list[PageContent]]
_BUILDERS: dict[MaterialType, _Builder] = {
    MaterialType.RECRUITMENT_REGISTRATION: _recruitment,
    MaterialType.REGULARISATION_GRADING: _regularisation,
    MaterialType.WAGE_CHANGE: _wage_change,
    MaterialType.LABOUR_CONTRACT: _labour_contract,
    MaterialType.SPECIAL_JOB_APPROVAL: _special_job,
    MaterialType.ENLISTMENT: _enlistment,
    MaterialType.DISCHARGE: _discharge,
    MaterialType.PARTY_MEMBERSHIP: _party_membership,
    MaterialType.RESUME: _resume,
    MaterialType.TRANSFER_LETTER: _transfer,
    MaterialType.AUTOBIOGRAPHY: _autobiography,
}
FORM_TYPES = frozenset(_BUILDERS)


def form_pages(
    person: PersonFacts, material: MaterialFacts, style: FormStyle, *, pages: int, rnd: Random
) -> tuple[PageContent, ...]:
    """The ``pages`` pages of one material, worded for its type and era."""
    builder = _BUILDERS[material.material_type]
    drawn = builder(_Form(person, material, style, rnd), pages)
    return tuple(replace(page, handwritten=style.handwritten) for page in drawn)
