"""Where a person who contributed in several provinces draws the pension (待遇领取地).

国办发〔2009〕66号《城镇企业职工基本养老保险关系转移接续暂行办法》第六条 [S]:

（一）the insurance relationship (基本养老保险关系) is in the 户籍 province: the 户籍 province;
（二）it is not, but the months contributed where it is reach 10 years: that province;
（三）it is not, and they do not: the last earlier province where they reached 10 years
    (转回上一个缴费年限满10年的原参保地);
（四）it is not, and no province reaches 10 years: the 户籍 province (归集到户籍所在地).

A place is a province (以省为单位); its months are those paid there plus the deemed months
counted there (人社部规〔2016〕5号, as published summaries give it [S]). The 10 years are a
parameter (``transfer.benefit_place_months``). Temporary accounts (临时基本养老保险缴费账户,
never a benefit place) are not modelled [U].
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths
from retirelink.rules.explanation import Explanation, StepText, Trace, note, read_parameter
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.regions import PROVINCES

BENEFIT_PLACE_MONTHS = "transfer.benefit_place_months"
_66 = "国办发〔2009〕66号第六条"
_STEPS: Mapping[str, StepText] = MappingProxyType(
    {
        "in_hukou": ("关系是否在户籍地", "关系所在省 = 户籍所在省", f"{_66}第（一）项"),
        "current_months": ("关系所在地累计缴费", "本地实际缴费 + 计算在本地的视同缴费", _66),
        "earlier_place": (
            "上一个缴费年限满10年的原参保地",
            "关系所在地以外、累计满10年的省份中最后参保的一个",
            f"{_66}第（三）项",
        ),
        "benefit_place": ("待遇领取地", "第六条第（一）至（四）项依次判断", _66),
    }
)


@dataclass(frozen=True, slots=True)
class InsuredPlace:
    """One province where the person contributed: its GB/T 2260 code (``140000``), the months
    counted there and the last month contributed there (which orders earlier places)."""

    province: str
    months: int
    last_month: YearMonth

    @property
    def name(self) -> str:
        return province_name(self.province)


@dataclass(frozen=True, slots=True)
class BenefitPlace:
    """The province that handles the retirement, the item of 第六条 that decided it
    (1–4), and why in 中文."""

    province: str
    clause: int
    reason: str
    explanation: Explanation

    @property
    def name(self) -> str:
        return province_name(self.province)


def province_of(region: str) -> str:
    """The province-level code of a GB/T 2260 code: ``130406`` → ``130000``.

    >>> province_of("130406"), province_of("410000")
    ('130000', '410000')
    """
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        raise InvalidInputError(f"行政区划代码应为6位数字：{region!r}", field="region")
    return f"{region[:2]}0000"


def province_name(province: str) -> str:
    """``140000`` → ``山西省``; an unknown prefix is named by its code."""
    return PROVINCES.get(province[:2], f"行政区划{province}")


def benefit_place(
    places: Sequence[InsuredPlace],
    *,
    current: str,
    hukou: str,
    on: date,
    params: ParameterSet,
) -> BenefitPlace:
    """The 待遇领取地 under 国办发〔2009〕66号第六条. ``current`` is the province where the
    insurance relationship now is, ``hukou`` the 户籍 province; both province-level codes.
    ``places`` holds one entry per province contributed in, ``current`` among them."""
    by_province = _checked(places, current=current, hukou=hukou)
    trace = Trace()
    needed = read_parameter(trace, params, BENEFIT_PLACE_MONTHS, on)
    here = by_province[current]
    if note(trace, _STEPS, "in_hukou", {"关系所在地": current, "户籍地": hukou}, current == hukou):
        return _decided(trace, hukou, 1, f"基本养老保险关系在户籍所在地（{here.name}）")
    months = note(trace, _STEPS, "current_months", {"省份": current}, here.months)
    if months >= needed:
        reason = f"关系所在地{here.name}累计缴费{_years(months)}，满10年"
        return _decided(trace, current, 2, reason)
    earlier = _last_earlier_place(trace, places, current=current, needed=needed)
    if earlier is not None:
        reason = (
            f"关系所在地{here.name}累计缴费{_years(months)}，不满10年；"
            f"上一个缴费满10年的参保地为{earlier.name}（{_years(earlier.months)}）"
        )
        return _decided(trace, earlier.province, 3, reason)
    reason = (
        f"户籍不在关系所在地，且各参保地累计缴费均不满10年，归集到户籍所在地{province_name(hukou)}"
    )
    return _decided(trace, hukou, 4, reason)


def _checked(
    places: Sequence[InsuredPlace], *, current: str, hukou: str
) -> dict[str, InsuredPlace]:
    for code in (current, hukou, *(place.province for place in places)):
        if province_of(code) != code:
            raise InvalidInputError(f"应为省级行政区划代码（如140000）：{code}", field="province")
    by_province = {place.province: place for place in places}
    if len(by_province) != len(places):
        raise InvalidInputError("同一省份应合并为一个参保地（以省为单位累计）", field="places")
    if any(place.months < 0 for place in places):
        raise InvalidInputError("累计缴费月数不能为负", field="months")
    if current not in by_province:
        raise InvalidInputError("关系所在地应在参保地之中", field="current")
    return by_province


def _last_earlier_place(
    trace: Trace, places: Sequence[InsuredPlace], *, current: str, needed: int
) -> InsuredPlace | None:
    """上一个缴费年限满10年的原参保地: of the other places with 10 years, the one left last."""
    reached = [p for p in places if p.province != current and p.months >= needed]
    found = max(reached, key=lambda place: place.last_month, default=None)
    inputs = {p.province: f"{p.months}（至{p.last_month}）" for p in places}
    note(trace, _STEPS, "earlier_place", inputs, found.province if found else "无")
    return found


def _decided(trace: Trace, province: str, clause: int, reason: str) -> BenefitPlace:
    note(trace, _STEPS, "benefit_place", {"项": clause}, province)
    return BenefitPlace(province, clause, reason, trace.explanation())


def _years(months: int) -> str:
    return YearsMonths.of(months).label
