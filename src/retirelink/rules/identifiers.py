"""Identifier rules: 公民身份号码 (GB 11643-1999) and 统一社会信用代码 (GB 32100-2015).

Pure functions only: no I/O and no clock. Anything that depends on "today" takes ``on: date``
from the caller, so results are reproducible and testable.
"""

# zh-CN user messages use full-width comma, colon and parentheses on purpose.

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from operator import mul
from types import MappingProxyType

from retirelink.errors import InvalidInputError
from retirelink.rules.regions import PROVINCES

_ASCII_DIGITS = frozenset("0123456789")

# --------------------------------------------------------------------------------------------
# 公民身份号码 — GB 11643-1999
# --------------------------------------------------------------------------------------------

_ID_FIELD = "id_number"

# GB 11643-1999 校验码 (ISO 7064 MOD 11-2): W_i = 2^(i-1) mod 11, i counted from the right
# with the check character at i = 1; listed here left to right for positions 1-17.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Check character indexed by (weighted sum mod 11); 10 is written as the Roman numeral X.
_ID_CHECK_CHARS = "10X98765432"

# The standard's own example (440524188001010014) is born in 1880, so the floor must lie well
# before 1900; 1850 still rejects keying errors such as year 0965 or 1065.
_EARLIEST_BIRTH = date(1850, 1, 1)

# 《港澳台居民居住证申领发放办法》(国务院办公厅, 2018): residence-permit holders get a
# 公民身份号码 whose address code is 810000 (香港), 820000 (澳门) or 830000 (台湾).
# 81 and 82 are GB/T 2260 provinces already; 83 exists only in these numbers.
_RESIDENCE_PERMIT_PREFIXES: Mapping[str, str] = MappingProxyType({"83": "台湾居民居住证"})


class Sex(StrEnum):
    """GB/T 2261.1-2003 人的性别代码."""

    UNKNOWN = "0"
    MALE = "1"
    FEMALE = "2"
    UNSPECIFIED = "9"

    @property
    def label(self) -> str:
        """Chinese label of the GB/T 2261.1-2003 code, as shown to users.

        >>> Sex.FEMALE.label
        '女'
        """
        return _SEX_LABELS[self]


_SEX_LABELS: Mapping[Sex, str] = MappingProxyType(
    {
        Sex.UNKNOWN: "未知的性别",
        Sex.MALE: "男",
        Sex.FEMALE: "女",
        Sex.UNSPECIFIED: "未说明的性别",
    }
)


@dataclass(frozen=True)
class IdNumber:
    """A parsed, validated 18-character 公民身份号码 (GB 11643-1999)."""

    value: str
    region_code: str
    birth_date: date
    sex: Sex
    upgraded_from_15: bool


def _require_digits(text: str, length: int, message: str, field: str) -> None:
    if len(text) != length or not (text.isascii() and text.isdigit()):
        raise InvalidInputError(message, field=field)


def id_check_character(first17: str) -> str:
    """Compute the GB 11643-1999 check character (ISO 7064 MOD 11-2) of 17 digits.

    >>> id_check_character("11010519491231002")
    'X'
    """
    _require_digits(first17, 17, "计算校验码需要17位数字的本体码", _ID_FIELD)
    # map/mul in C: this runs once per row of million-row partner files.
    total = sum(map(mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def upgrade_15_to_18(id15: str) -> str:
    """Upgrade a 15-digit number (GB 11643-1989) to 18 characters per GB 11643-1999.

    The 15-digit form has a two-digit year that always meant 19xx, so "19" is inserted
    before it and the MOD 11-2 check character is appended.

    >>> upgrade_15_to_18("110105491231002")
    '11010519491231002X'
    """
    _require_digits(id15, 15, "15位旧公民身份号码应全部为数字", _ID_FIELD)
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + id_check_character(first17)


def _check_charset_18(text: str) -> None:
    # GB 11643-1999 号码的结构: 17 digits of 本体码, then a check character 0-9 or X.
    body, check = text[:17], text[17]
    if body.isascii() and body.isdigit() and (check == "X" or "0" <= check <= "9"):
        return  # the usual case, decided without a Python-level loop
    for position, char in enumerate(body, start=1):
        if char not in _ASCII_DIGITS:
            raise InvalidInputError(
                f"公民身份号码第{position}位应为数字，实际为“{char}”", field=_ID_FIELD
            )
    if text[17] not in _ASCII_DIGITS and text[17] != "X":
        raise InvalidInputError(
            f"公民身份号码第18位（校验码）应为数字或X，实际为“{text[17]}”", field=_ID_FIELD
        )


def _normalise_to_18(text: str) -> str:
    if len(text) == 15:
        return upgrade_15_to_18(text)
    if len(text) != 18:
        raise InvalidInputError(
            f"公民身份号码应为18位（或15位旧号码），实际为{len(text)}位", field=_ID_FIELD
        )
    value = text[:17] + text[17].upper()  # a lower-case x is a common keying variant of X
    _check_charset_18(value)
    return value


def _check_province(value: str) -> None:
    # A retired county code stays in the ID for life (GB 11643-1999 地址码), so only the
    # province prefix is checked, and it must be one GB/T 2260 has ever listed.
    prefix = value[:2]
    if prefix not in PROVINCES and prefix not in _RESIDENCE_PERMIT_PREFIXES:
        raise InvalidInputError(
            f"公民身份号码的地址码前两位{prefix}不是有效的省级行政区划代码", field=_ID_FIELD
        )


def _check_birth_date(digits: str, on: date) -> date:
    # GB 11643-1999 出生日期码: YYYYMMDD per GB/T 7408, so it must be a real calendar date.
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidInputError(
            f"公民身份号码中的出生日期{digits}不是有效日期", field=_ID_FIELD
        ) from None
    if born > on:
        raise InvalidInputError(
            f"公民身份号码中的出生日期{digits}晚于核验日期{on:%Y%m%d}", field=_ID_FIELD
        )
    if born < _EARLIEST_BIRTH:
        raise InvalidInputError(
            f"公民身份号码中的出生日期{digits}早于1850年1月1日", field=_ID_FIELD
        )
    return born


def _check_id_check_character(value: str) -> None:
    expected = id_check_character(value[:17])
    if value[17] != expected:
        raise InvalidInputError(
            f"公民身份号码校验码错误：应为{expected}，实际为{value[17]}", field=_ID_FIELD
        )


def parse_id_number(raw: str, *, on: date) -> IdNumber:
    """Validate and parse a 公民身份号码 per GB 11643-1999; 15-digit numbers are upgraded.

    Checks run in GB 11643 practice order: length and characters, province prefix, birth
    date (a real date, not after ``on``, not before 1850-01-01), then the check character.
    Raises :class:`~retirelink.errors.InvalidInputError` (``field="id_number"``) on failure.

    >>> parse_id_number(" 11010519491231002x", on=date(2024, 1, 1)).value
    '11010519491231002X'
    """
    text = raw.strip()
    value = _checked_18(text, on)
    born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    # GB 11643-1999 顺序码: its last digit is odd for men and even for women.
    sex = Sex.MALE if int(value[16]) % 2 == 1 else Sex.FEMALE
    return IdNumber(
        value=value,
        region_code=value[:6],
        birth_date=born,
        sex=sex,
        upgraded_from_15=len(text) == 15,
    )


def normalise_id_number(raw: str, *, on: date) -> str:
    """The checked 18-character form of a 公民身份号码, by the same checks as
    :func:`parse_id_number` but without building the parsed value (for bulk imports).

    >>> normalise_id_number("110105491231002", on=date(2024, 1, 1))
    '11010519491231002X'
    """
    return _checked_18(raw.strip(), on)


def _checked_18(text: str, on: date) -> str:
    value = _normalise_to_18(text)
    _check_province(value)
    _check_birth_date(value[6:14], on)
    _check_id_check_character(value)
    return value


def is_valid_id_number(raw: str, *, on: date) -> bool:
    """Return whether :func:`parse_id_number` accepts ``raw`` (GB 11643-1999).

    >>> is_valid_id_number("110105194912310021", on=date(2024, 1, 1))
    False
    """
    try:
        parse_id_number(raw, on=on)
    except InvalidInputError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# 统一社会信用代码 — GB 32100-2015
# --------------------------------------------------------------------------------------------

_CREDIT_FIELD = "credit_code"

# GB 32100-2015 代码字符集: digits and upper-case letters except I, O, Z, S, V
# (too easily confused with 1, 0, 2, 5, U); a character's value is its index here.
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES: Mapping[str, int] = MappingProxyType(
    {char: value for value, char in enumerate(_CREDIT_CHARSET)}
)
_CREDIT_FORBIDDEN = frozenset("IOZSV")
# GB 32100-2015 校验码 (method after GB/T 17710): W_i = 3^(i-1) mod 31 for positions 1-17.
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# 登记管理部门代码 -> (部门, {机构类别代码: 类别}). GB 32100-2015 Table 1 lists 1 机构编制,
# 5 民政, 9 工商 and Y 其他; the other departments' codes were assigned afterwards by the
# code administration (全国组织机构统一社会信用代码数据服务中心) and appear on issued codes.
_CREDIT_AUTHORITIES: Mapping[str, tuple[str, Mapping[str, str]]] = MappingProxyType(
    {
        "1": (
            "机构编制",
            {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
        ),
        "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
        "3": (
            "司法行政",
            {
                "1": "律师执业机构",
                "2": "公证处",
                "3": "基层法律服务所",
                "4": "司法鉴定机构",
                "5": "仲裁委员会",
                "9": "其他",
            },
        ),
        "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
        "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
        "6": (
            "旅游",
            {
                "1": "外国旅游部门常驻代表机构",
                "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
                "9": "其他",
            },
        ),
        "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
        "8": ("工会", {"1": "基层工会", "9": "其他"}),
        "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
        "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
        "N": (
            "农业",
            {
                "1": "组级集体经济组织",
                "2": "村级集体经济组织",
                "3": "乡镇级集体经济组织",
                "9": "其他",
            },
        ),
        "Y": ("其他", {"1": "其他"}),
    }
)


def _check_credit_charset(text: str) -> None:
    for position, char in enumerate(text, start=1):
        if char in _CREDIT_VALUES:
            continue
        if char in _CREDIT_FORBIDDEN:
            message = f"统一社会信用代码第{position}位“{char}”无效：编码规则不使用字母I、O、Z、S、V"
        else:
            message = f"统一社会信用代码第{position}位“{char}”无效：只能是数字或大写字母"
        raise InvalidInputError(message, field=_CREDIT_FIELD)


def credit_code_check_character(first17: str) -> str:
    """Compute the GB 32100-2015 check character (MOD 31) of the first 17 characters.

    C18 = 31 - (sum of value x weight mod 31), where 31 maps to 0.

    >>> credit_code_check_character("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17:
        raise InvalidInputError("计算校验码需要统一社会信用代码的前17位", field=_CREDIT_FIELD)
    _check_credit_charset(first17)
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARSET[-total % 31]


def _check_credit_authority(code: str) -> None:
    authority = _CREDIT_AUTHORITIES.get(code[0])
    if authority is None:
        raise InvalidInputError(
            f"统一社会信用代码的登记管理部门代码“{code[0]}”无效", field=_CREDIT_FIELD
        )
    department, kinds = authority
    if code[1] not in kinds:
        raise InvalidInputError(
            f"统一社会信用代码的机构类别代码“{code[1]}”不属于登记管理部门“{department}”",
            field=_CREDIT_FIELD,
        )


def parse_credit_code(raw: str) -> str:
    """Validate a 统一社会信用代码 per GB 32100-2015 and return it upper-cased.

    Checks: 18 characters from the code charset; registration-authority and kind codes from
    the assignment table; positions 3-8 six digits; the MOD 31 check character. Positions
    3-8 are not checked against the province list because central registrations use 100000.
    Raises :class:`~retirelink.errors.InvalidInputError` (``field="credit_code"``).

    >>> parse_credit_code("91350100m000100y43")
    '91350100M000100Y43'
    """
    code = raw.strip().upper()
    if len(code) != 18:
        raise InvalidInputError(
            f"统一社会信用代码应为18位，实际为{len(code)}位", field=_CREDIT_FIELD
        )
    _check_credit_charset(code)
    _check_credit_authority(code)
    if not set(code[2:8]) <= _ASCII_DIGITS:
        raise InvalidInputError(
            f"统一社会信用代码第3至8位应为6位数字的行政区划码，实际为“{code[2:8]}”",
            field=_CREDIT_FIELD,
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise InvalidInputError(
            f"统一社会信用代码校验码错误：应为{expected}，实际为{code[17]}", field=_CREDIT_FIELD
        )
    return code
