"""GB/T 2260 中华人民共和国行政区划代码 (administrative division codes).

Only a small, hand-checked part of the table is carried here: every provincial-level division
and the codes the project actually meets (邯郸 and a few others). The lookup is deliberately
*not* used to reject 公民身份号码: GB 11643-1999 (地址码) fixes the address code at the time the
number was issued, and a retired code (e.g. 130421 邯郸县, abolished 2016) stays in the ID for life.
"""

# zh-CN user messages use full-width comma, colon and parentheses on purpose.

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from retirelink.errors import InvalidInputError

_FIELD = "region_code"
_ASCII_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class Region:
    """One GB/T 2260 entry; ``historical`` marks a code no longer in the current edition."""

    code: str
    name: str
    historical: bool = False


# GB/T 2260 first two digits: 1x 华北, 2x 东北, 3x 华东, 4x 中南, 5x 西南, 6x 西北,
# 7x 台湾, 8x 港澳. No provincial-level division has been abolished since GB 2260-1980, so
# there is no historical prefix to keep: 46 海南省 (1988) and 50 重庆市 (1997) were additions,
# and before them their residents' IDs carried the 44 (广东) and 51 (四川) prefixes.
PROVINCES: Mapping[str, str] = MappingProxyType(
    {
        "11": "北京市",
        "12": "天津市",
        "13": "河北省",
        "14": "山西省",
        "15": "内蒙古自治区",
        "21": "辽宁省",
        "22": "吉林省",
        "23": "黑龙江省",
        "31": "上海市",
        "32": "江苏省",
        "33": "浙江省",
        "34": "安徽省",
        "35": "福建省",
        "36": "江西省",
        "37": "山东省",
        "41": "河南省",
        "42": "湖北省",
        "43": "湖南省",
        "44": "广东省",
        "45": "广西壮族自治区",
        "46": "海南省",
        "50": "重庆市",
        "51": "四川省",
        "52": "贵州省",
        "53": "云南省",
        "54": "西藏自治区",
        "61": "陕西省",
        "62": "甘肃省",
        "63": "青海省",
        "64": "宁夏回族自治区",
        "65": "新疆维吾尔自治区",
        "71": "台湾省",
        "81": "香港特别行政区",
        "82": "澳门特别行政区",
    }
)

# Below province level. Historical entries are kept because IDs and archives issued under an
# earlier edition still carry them.
_SUB_PROVINCIAL: tuple[Region, ...] = (
    # 北京市
    Region("110101", "东城区"),
    Region("110102", "西城区"),
    Region("110103", "崇文区", historical=True),  # merged into 东城区 in 2010
    Region("110104", "宣武区", historical=True),  # merged into 西城区 in 2010
    Region("110105", "朝阳区"),
    Region("110106", "丰台区"),
    Region("110108", "海淀区"),
    # 河北省
    Region("130100", "石家庄市"),
    Region("130102", "长安区"),
    Region("130200", "唐山市"),
    Region("130300", "秦皇岛市"),
    # 邯郸市: current edition, after the 2016 adjustment (邯郸县 split up, 肥乡/永年 became 区)
    Region("130400", "邯郸市"),
    Region("130402", "邯山区"),
    Region("130403", "丛台区"),
    Region("130404", "复兴区"),
    Region("130406", "峰峰矿区"),
    Region("130407", "肥乡区"),
    Region("130408", "永年区"),
    Region("130423", "临漳县"),
    Region("130424", "成安县"),
    Region("130425", "大名县"),
    Region("130426", "涉县"),
    Region("130427", "磁县"),
    Region("130430", "邱县"),
    Region("130431", "鸡泽县"),
    Region("130432", "广平县"),
    Region("130433", "馆陶县"),
    Region("130434", "魏县"),
    Region("130435", "曲周县"),
    Region("130481", "武安市"),
    # 邯郸市: retired by the 2016 adjustment
    Region("130421", "邯郸县", historical=True),
    Region("130428", "肥乡县", historical=True),
    Region("130429", "永年县", historical=True),
    Region("130500", "邢台市"),
    Region("130600", "保定市"),
    # 福建省 (350100 is the region in the GB 32100-2015 worked example)
    Region("350100", "福州市"),
    # 广东省
    Region("440100", "广州市"),
    Region("440300", "深圳市"),
    Region("440500", "汕头市"),
    # Region of the GB 11643-1999 example 440524188001010014. Recalled as 潮阳县 (became
    # 潮阳市 440582 in 1993); not checked against a printed edition, hence flagged here.
    Region("440524", "潮阳县", historical=True),
)


def _build_table() -> Mapping[str, Region]:
    # Province-level rows (XX0000) come straight from PROVINCES so the two cannot drift apart.
    rows = [Region(prefix + "0000", name) for prefix, name in PROVINCES.items()]
    rows.extend(_SUB_PROVINCIAL)
    return MappingProxyType({row.code: row for row in rows})


_TABLE: Mapping[str, Region] = _build_table()

REGIONS: Mapping[str, str] = MappingProxyType({code: row.name for code, row in _TABLE.items()})


def find_region(code: str) -> Region | None:
    """Return the GB/T 2260 entry for a 6-digit code (current or historical), or ``None``.

    >>> find_region("130421")
    Region(code='130421', name='邯郸县', historical=True)
    """
    return _TABLE.get(code)


def region_name(code: str) -> str | None:
    """Return the GB/T 2260 name of a 6-digit code, or ``None`` when this table does not know it.

    ``None`` does not mean the code is wrong: the table is partial, see the module docstring.

    >>> region_name("130400"), region_name("130499")
    ('邯郸市', None)
    """
    return REGIONS.get(code)


def validate_region_code(raw: str) -> str:
    """Check a GB/T 2260 code: six ASCII digits whose first two name a provincial division.

    Returns the stripped code. Codes absent from :data:`REGIONS` are accepted, because the
    table is partial and retired codes remain valid in old records.

    >>> validate_region_code(" 130421 ")
    '130421'
    """
    code = raw.strip()
    if len(code) != 6 or not set(code) <= _ASCII_DIGITS:
        raise InvalidInputError(f"行政区划代码应为6位数字，实际为“{code}”", field=_FIELD)
    if code[:2] not in PROVINCES:
        raise InvalidInputError(
            f"行政区划代码{code}的前两位{code[:2]}不是有效的省级行政区划代码", field=_FIELD
        )
    return code
