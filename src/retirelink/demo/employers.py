"""Employers of the demo district (峰峰矿区, 邯郸): mines, ceramics works, steel, schools, offices.

Names are fixed and realistic; credit codes are drawn from the seed and carry a valid
GB 11714 organisation code and a valid GB 32100 check character.
"""

from random import Random

from retirelink.archives.model import EmployerKind
from retirelink.demo.model import DemoEmployer
from retirelink.rules.identifiers import credit_code_check_character

_FENGFENG = "130406"
_K = EmployerKind

# (name, kind, GB/T 2260 region code of the registering authority)
_CATALOGUE: tuple[tuple[str, EmployerKind, str], ...] = (
    ("冀中能源峰峰集团有限公司羊东矿", _K.COAL_MINE, _FENGFENG),
    ("冀中能源峰峰集团有限公司九龙矿", _K.COAL_MINE, _FENGFENG),
    ("冀中能源峰峰集团有限公司新三矿", _K.COAL_MINE, _FENGFENG),
    ("冀中能源峰峰集团有限公司万年矿", _K.COAL_MINE, _FENGFENG),
    ("冀中能源峰峰集团有限公司梧桐庄矿", _K.COAL_MINE, _FENGFENG),
    ("冀中能源峰峰集团有限公司大淑村矿", _K.COAL_MINE, _FENGFENG),
    ("冀中能源峰峰集团有限公司小屯矿", _K.COAL_MINE, _FENGFENG),
    ("冀中能源峰峰集团有限公司孙庄矿", _K.COAL_MINE, "130427"),
    ("冀中能源峰峰集团有限公司牛儿庄矿", _K.COAL_MINE, _FENGFENG),
    ("冀中能源峰峰集团有限公司薛村矿", _K.COAL_MINE, _FENGFENG),
    ("峰峰矿区彭城陶瓷厂", _K.CERAMICS, _FENGFENG),
    ("峰峰矿区彭城第一瓷厂", _K.CERAMICS, _FENGFENG),
    ("邯郸陶瓷集团有限责任公司", _K.CERAMICS, "130402"),
    ("峰峰矿区富田瓷业有限公司", _K.CERAMICS, _FENGFENG),
    ("峰峰矿区和村建筑陶瓷有限公司", _K.CERAMICS, _FENGFENG),
    ("峰峰矿区彭城耐火材料厂", _K.CERAMICS, _FENGFENG),
    ("邯郸钢铁集团有限责任公司", _K.STEEL, "130404"),
    ("河北新金钢铁有限公司", _K.STEEL, "130481"),
    ("河北文丰钢铁有限公司", _K.STEEL, "130481"),
    ("峰峰矿区第一中学", _K.PUBLIC_INSTITUTION, _FENGFENG),
    ("峰峰矿区第二中学", _K.PUBLIC_INSTITUTION, _FENGFENG),
    ("峰峰矿区实验小学", _K.PUBLIC_INSTITUTION, _FENGFENG),
    ("峰峰矿区人民医院", _K.PUBLIC_INSTITUTION, _FENGFENG),
    ("冀中能源峰峰集团总医院", _K.PUBLIC_INSTITUTION, _FENGFENG),
    ("峰峰矿区疾病预防控制中心", _K.PUBLIC_INSTITUTION, _FENGFENG),
    ("峰峰矿区人民政府办公室", _K.GOVERNMENT, _FENGFENG),
    ("峰峰矿区财政局", _K.GOVERNMENT, _FENGFENG),
    ("峰峰矿区人力资源和社会保障局", _K.GOVERNMENT, _FENGFENG),
    ("峰峰矿区教育局", _K.GOVERNMENT, _FENGFENG),
    ("峰峰矿区临水镇人民政府", _K.GOVERNMENT, _FENGFENG),
    ("峰峰矿区大社镇人民政府", _K.GOVERNMENT, _FENGFENG),
)

# Parts of synthetic private-enterprise names: place + brand + trade.
_PLACES = ("峰峰矿区", "峰峰矿区彭城", "峰峰矿区和村", "峰峰矿区义井", "邯郸市", "磁县")
_BRANDS = ("鑫源", "宏达", "恒泰", "永盛", "金丰", "瑞通", "华益", "众诚", "顺发", "兴旺")
_TRADES = ("商贸有限公司", "运输有限公司", "建材有限公司", "机械制造有限公司", "物流有限公司")
_PRIVATE_COUNT = 24

# GB 32100 registration authority + kind: 91 工商/企业, 11 机构编制/机关, 12 机构编制/事业单位.
_AUTHORITY = {
    _K.PUBLIC_INSTITUTION: "12",
    _K.GOVERNMENT: "11",
}
_ENTERPRISE_AUTHORITY = "91"

# GB 11714 organisation code: weights for the eight body characters, MOD 11.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# Letters allowed inside a GB 32100 code (I, O, S, V, Z excluded).
_CODE_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"


def _char_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def _organisation_code(body: str) -> str:
    """Append the GB 11714 check character to an eight-character organisation code body."""
    check = 11 - sum(_char_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def _organisation_body(rng: Random, kind: EmployerKind) -> str:
    if kind is _K.PRIVATE_ENTERPRISE:  # registered after 2015: code assigned as MA + 6 chars
        tail = "".join(rng.choice("0123456789" + _CODE_LETTERS) for _ in range(6))
        return "MA" + tail
    return "".join(rng.choice("0123456789") for _ in range(8))


def make_credit_code(rng: Random, kind: EmployerKind, region_code: str) -> str:
    """A random, valid 统一社会信用代码 for an employer of ``kind`` registered in a region."""
    authority = _AUTHORITY.get(kind, _ENTERPRISE_AUTHORITY)
    first17 = authority + region_code + _organisation_code(_organisation_body(rng, kind))
    return first17 + credit_code_check_character(first17)


def _private_names(rng: Random) -> list[str]:
    names: list[str] = []
    while len(names) < _PRIVATE_COUNT:
        name = rng.choice(_PLACES) + rng.choice(_BRANDS) + rng.choice(_TRADES)
        if name not in names:
            names.append(name)
    return names


def generate_employers(*, seed: int) -> tuple[DemoEmployer, ...]:
    """The employers of the demo district; same seed, same credit codes and names."""
    rng = Random(f"retirelink-demo-employers:{seed}")
    rows = list(_CATALOGUE)
    rows.extend(
        (name, _K.PRIVATE_ENTERPRISE, "130427" if name.startswith("磁县") else _FENGFENG)
        for name in _private_names(rng)
    )
    employers: list[DemoEmployer] = []
    codes: set[str] = set()
    for name, kind, region in rows:
        code = make_credit_code(rng, kind, region)
        while code in codes:
            code = make_credit_code(rng, kind, region)
        codes.add(code)
        employers.append(DemoEmployer(code, name, kind, region))
    return tuple(employers)
