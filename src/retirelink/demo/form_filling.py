"""What a demo archive form is filled from, and what the form builders share.

The person (:class:`PersonFacts`), the material (:class:`MaterialFacts`, with the
:class:`Period` it speaks of) and the filling style (:class:`FormStyle`) go into a
:class:`Form`, which writes dates in the form's style and draws the small choices. Shared
by the builders besides: the district's labour authority of the year, the months of a
period, and remark sheets (附页) that pad a material to its page count.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from random import Random

from retirelink.archives.material_classes import MaterialType
from retirelink.demo.form_dates import DateStyle, write_month
from retirelink.demo.page_content import Alteration, Cell, PageContent

BIRTH_LABEL = "出生年月"


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


class Form:
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


_REMARKS = (
    "该同志工作积极，服从分配，遵守劳动纪律。",
    "经审查，本人填写情况与调查相符。",
    "政治历史清楚，社会关系无问题。",
    "能够完成生产任务，团结同志，群众反映较好。",
    "注意安全生产，未发生责任事故。",
    "学习努力，业务熟练，能够胜任本职工作。",
)


def remarks(form: Form, count: int) -> tuple[str, ...]:
    start = int(form.rnd() * len(_REMARKS))
    return tuple(_REMARKS[(start + i) % len(_REMARKS)] for i in range(count))


def more_pages(form: Form, pages: list[PageContent], count: int) -> list[PageContent]:
    """Pad a material to ``count`` pages with appended remark sheets (附页)."""
    while len(pages) < count:
        pages.append(PageContent("附页", paragraphs=remarks(form, 4), footer=form.filled()))
    return pages[:count]
