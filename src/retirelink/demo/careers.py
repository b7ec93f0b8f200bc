"""Careers of demo persons: employment spans, contribution bases and pensions.

Months are plain integers (``year * 12 + month - 1``) while drafting; they become dates only
when a :class:`~retirelink.demo.model.DemoPerson` is built. Everything here is drawn from a
caller-owned ``random()`` function, so it is deterministic given the caller's seed.
"""

from collections.abc import Callable, Sequence
from math import sqrt
from typing import NamedTuple

from retirelink.archives.model import EmployerKind
from retirelink.demo.model import DemoEmployer

FIRST_CONTRIBUTION_YEAR = 1992  # individual pension accounts (and this ledger) start in 1992
_K = EmployerKind

# Monthly average wage of employed urban staff in 河北 (yuan, rounded). Contribution bases are
# set as a percentage of it (60 % floor, 300 % ceiling). Later years grow 4 % a year.
_AVERAGE_WAGE: tuple[int, ...] = (
    220, 260, 340, 400, 450, 480, 520, 580, 640, 720,  # 1992-2001
    820, 930, 1050, 1220, 1400, 1660, 2000, 2230, 2620, 2990,  # 2002-2011
    3300, 3620, 3880, 4240, 4790, 5460, 5600, 5900, 6100, 6500,  # 2012-2021
    6750, 7000, 7250,  # 2022-2024
)  # fmt: skip
MIN_LEVEL, MAX_LEVEL = 60, 300

# Wage level multipliers (percent) by employer kind; underground work pays a further premium.
_KIND_LEVEL: dict[EmployerKind, int] = {
    _K.COAL_MINE: 115,
    _K.CERAMICS: 85,
    _K.STEEL: 115,
    _K.PUBLIC_INSTITUTION: 105,
    _K.GOVERNMENT: 105,
    _K.PRIVATE_ENTERPRISE: 80,
}
_UNDERGROUND_LEVEL = 120

# Share (percent) of final employers by kind: the district is a coal and ceramics town.
_KIND_WEIGHTS: tuple[tuple[EmployerKind, int], ...] = (
    (_K.COAL_MINE, 30), (_K.CERAMICS, 18), (_K.STEEL, 10),
    (_K.PUBLIC_INSTITUTION, 12), (_K.GOVERNMENT, 6), (_K.PRIVATE_ENTERPRISE, 24),
)  # fmt: skip

_UNDERGROUND_POSTS = (
    "采煤工 采煤工 采煤工 掘进工 掘进工 井下电钳工 井下运输工 通风工 瓦斯检查工 支护工"
)
# Surface posts by kind: (men's posts, women's posts). Women do not work underground.
_POSTS: dict[EmployerKind, tuple[str, str]] = {
    _K.COAL_MINE: (
        "机电维修工 选煤工 地面运输工 安全员 技术员 调度员",
        "选煤工 矿灯房工 化验员 会计 统计员",
    ),
    _K.CERAMICS: (
        "窑炉工 窑炉工 成型工 原料工 施釉工 检验工",
        "成型工 施釉工 彩绘工 检验工 包装工",
    ),
    _K.STEEL: ("炼钢工 轧钢工 高炉工 天车工 电工 质检员", "天车工 化验员 质检员 会计"),
    _K.PUBLIC_INSTITUTION: (
        "教师 教师 教师 医生 技术员 会计",
        "教师 教师 教师 护士 护士 医生 会计",
    ),
    _K.GOVERNMENT: ("科员 科员 科员 办事员 副科长 科长", "科员 科员 科员 办事员 副科长"),
    _K.PRIVATE_ENTERPRISE: ("销售员 司机 保安 电焊工 仓管员 厨师", "销售员 会计 出纳 仓管员 厨师"),
}
_SPAN_COUNTS = (1, 1, 1, 2, 2, 2, 3, 3, 4, 4)  # 1-4 spans, fewer more likely
MAX_SPANS = 4

Random01 = Callable[[], float]


class SpanDraft(NamedTuple):
    """One employment span; ``end`` is an exclusive month index."""

    employer: int  # index into the employer sequence
    start: int
    end: int
    post: str
    underground: bool
    level: int  # contribution base, percent of the average wage


def average_wage(year: int) -> int:
    """Monthly average wage (yuan) used as the contribution reference for ``year``."""
    last = FIRST_CONTRIBUTION_YEAR + len(_AVERAGE_WAGE) - 1
    if year <= last:
        return _AVERAGE_WAGE[max(0, year - FIRST_CONTRIBUTION_YEAR)]
    return round(_AVERAGE_WAGE[-1] * 1.04 ** (year - last))


def base_cents(level: int, year: int) -> int:
    """Monthly contribution base in cents (fen) for a level (percent) in ``year``."""
    return average_wage(year) * level


class CareerTables:
    """Per-employer-set lookup tables, built once and shared by every person drawn."""

    def __init__(self, employers: Sequence[DemoEmployer]) -> None:
        if not employers:
            raise ValueError("at least one employer is needed to draw careers")
        self.by_kind: dict[EmployerKind, tuple[int, ...]] = {}
        for index, employer in enumerate(employers):
            self.by_kind.setdefault(employer.kind, ())
            self.by_kind[employer.kind] += (index,)
        kinds: list[EmployerKind] = []
        for kind, weight in _KIND_WEIGHTS:
            if kind in self.by_kind:
                kinds.extend([kind] * weight)
        self.kinds = tuple(kinds) or tuple(self.by_kind)
        self.underground_posts = tuple(_UNDERGROUND_POSTS.split())
        self.posts = {
            (kind, male): tuple(pair[0 if male else 1].split())
            for kind, pair in _POSTS.items()
            for male in (True, False)
        }


def pick(rnd: Random01, items: Sequence[str]) -> str:
    return items[int(rnd() * len(items))]


def draw_kind(rnd: Random01, tables: CareerTables) -> EmployerKind:
    return tables.kinds[int(rnd() * len(tables.kinds))]


def _span_bounds(rnd: Random01, start: int, end: int) -> list[int]:
    """Cut ``[start, end)`` into 1-4 consecutive pieces of at least one month."""
    total = end - start
    count = min(_SPAN_COUNTS[int(rnd() * len(_SPAN_COUNTS))], 1 + total // 24)
    cuts = {start + 1 + int(rnd() * (total - 1)) for _ in range(count - 1)}
    return [start, *sorted(cuts), end]


def _kind_sequence(
    rnd: Random01, tables: CareerTables, final: EmployerKind, n: int
) -> list[EmployerKind]:
    """Employer kinds from first to last span; people mostly stay in one trade."""
    kinds = [final]
    for _ in range(n - 1):
        kinds.append(kinds[-1] if rnd() < 0.6 else draw_kind(rnd, tables))
    kinds.reverse()
    return kinds


def _pick_employer(rnd: Random01, tables: CareerTables, kind: EmployerKind, avoid: int) -> int:
    choices = tables.by_kind[kind]
    employer = choices[int(rnd() * len(choices))]
    if employer == avoid and len(choices) > 1:  # a job change goes to another employer
        employer = choices[(choices.index(employer) + 1) % len(choices)]
    return employer


def _clamp_level(value: float) -> int:
    return max(MIN_LEVEL, min(MAX_LEVEL, round(value)))


def draw_spans(
    rnd: Random01, tables: CareerTables, *, male: bool, start: int, end: int, final: EmployerKind
) -> list[SpanDraft]:
    """Draw a career from month ``start`` to ``end`` (exclusive) ending at a ``final`` employer."""
    bounds = _span_bounds(rnd, start, end)
    kinds = _kind_sequence(rnd, tables, final, len(bounds) - 1)
    personal = 55 + 45 * rnd() * rnd() + 35 * rnd()  # skewed: mean near 88 %
    spans: list[SpanDraft] = []
    employer = -1
    for index, kind in enumerate(kinds):
        lo, hi = bounds[index], bounds[index + 1]
        employer = _pick_employer(rnd, tables, kind, employer)
        level = _clamp_level(personal * _KIND_LEVEL[kind] / 100)
        if kind is _K.COAL_MINE and male and rnd() < 0.75:
            can_split = len(spans) + len(kinds) - index < MAX_SPANS
            spans.extend(_mine_spans(rnd, tables, employer, (lo, hi), level, can_split))
        else:
            post = pick(rnd, tables.posts[kind, male])
            spans.append(SpanDraft(employer, lo, hi, post, False, level))
    return spans


def _mine_spans(
    rnd: Random01,
    tables: CareerTables,
    employer: int,
    months: tuple[int, int],
    level: int,
    can_split: bool,
) -> list[SpanDraft]:
    """Underground work at a mine; long stints often end with a surface post at the same mine."""
    deep = _clamp_level(level * _UNDERGROUND_LEVEL / 100)
    post = pick(rnd, tables.underground_posts)
    lo, hi = months
    if can_split and hi - lo > 96 and rnd() < 0.5:
        cut = lo + 60 + int(rnd() * (hi - lo - 72))  # 5+ years underground, 1+ on the surface
        surface = pick(rnd, tables.posts[_K.COAL_MINE, True])
        return [
            SpanDraft(employer, lo, cut, post, True, deep),
            SpanDraft(employer, cut, hi, surface, False, level),
        ]
    return [SpanDraft(employer, lo, hi, post, True, deep)]


def contribution_pieces(spans: Sequence[SpanDraft]) -> list[tuple[int, int, SpanDraft]]:
    """(year, months, span) for every calendar year each span contributes in, from 1992."""
    first = FIRST_CONTRIBUTION_YEAR * 12
    pieces: list[tuple[int, int, SpanDraft]] = []
    for span in spans:
        month = max(span.start, first)
        while month < span.end:
            year = month // 12
            stop = min(span.end, (year + 1) * 12)
            pieces.append((year, stop - month, span))
            month = stop
    return pieces


def contributed_months(spans: Sequence[SpanDraft]) -> int:
    first = FIRST_CONTRIBUTION_YEAR * 12
    return sum(max(0, span.end - max(span.start, first)) for span in spans)


def pension_cents(
    spans: Sequence[SpanDraft], *, work_start: int, retired: int, as_of_year: int
) -> int:
    """A plausible monthly pension (cents) at ``as_of_year`` wage levels.

    Roughly the basic pension (1 % of the reference wage per service year, service counted
    from the first job including the deemed years before 1992) plus the personal account part,
    scaled by the average contribution level and eroded a little for long-retired people.
    """
    service_years = (retired - work_start) / 12
    months = sum(span.end - span.start for span in spans) or 1
    mean_level = sum(span.level * (span.end - span.start) for span in spans) / months / 100
    ratio = (0.22 + 0.008 * service_years) * sqrt(mean_level)
    ratio *= 1 - 0.005 * max(0, as_of_year - retired // 12)
    ratio = max(0.28, min(0.9, ratio))
    return round(average_wage(as_of_year) * ratio * 100)
