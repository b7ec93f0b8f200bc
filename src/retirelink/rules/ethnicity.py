"""GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码 (two-digit numeric codes).

Only the 56 recognised nationalities (01-56) are carried. The standard's catch-all codes
97 (其他) and 98 (外国血统中国籍人士) are deliberately left out: archives in this project must
name one of the 56, and a caller that needs the catch-alls should add them explicitly.
"""

# zh-CN user messages use full-width comma, colon and parentheses on purpose.

from collections.abc import Mapping
from types import MappingProxyType

from retirelink.errors import InvalidInputError

_FIELD = "ethnicity"
_ASCII_DIGITS = frozenset("0123456789")

# Order and numbering exactly as GB/T 3304-1991 Table 1.
ETHNICITIES: Mapping[str, str] = MappingProxyType(
    {
        "01": "汉族",
        "02": "蒙古族",
        "03": "回族",
        "04": "藏族",
        "05": "维吾尔族",
        "06": "苗族",
        "07": "彝族",
        "08": "壮族",
        "09": "布依族",
        "10": "朝鲜族",
        "11": "满族",
        "12": "侗族",
        "13": "瑶族",
        "14": "白族",
        "15": "土家族",
        "16": "哈尼族",
        "17": "哈萨克族",
        "18": "傣族",
        "19": "黎族",
        "20": "傈僳族",
        "21": "佤族",
        "22": "畲族",
        "23": "高山族",
        "24": "拉祜族",
        "25": "水族",
        "26": "东乡族",
        "27": "纳西族",
        "28": "景颇族",
        "29": "柯尔克孜族",
        "30": "土族",
        "31": "达斡尔族",
        "32": "仫佬族",
        "33": "羌族",
        "34": "布朗族",
        "35": "撒拉族",
        "36": "毛南族",
        "37": "仡佬族",
        "38": "锡伯族",
        "39": "阿昌族",
        "40": "普米族",
        "41": "塔吉克族",
        "42": "怒族",
        "43": "乌孜别克族",
        "44": "俄罗斯族",
        "45": "鄂温克族",
        "46": "德昂族",
        "47": "保安族",
        "48": "裕固族",
        "49": "京族",
        "50": "塔塔尔族",
        "51": "独龙族",
        "52": "鄂伦春族",
        "53": "赫哲族",
        "54": "门巴族",
        "55": "珞巴族",
        "56": "基诺族",
    }
)


def validate_ethnicity_code(raw: str) -> str:
    """Normalise a GB/T 3304-1991 code to its two-digit form; reject codes outside 01-56.

    A single digit is zero-padded because spreadsheets routinely drop the leading zero.

    >>> validate_ethnicity_code("1"), validate_ethnicity_code(" 46 ")
    ('01', '46')
    """
    text = raw.strip()
    if not 1 <= len(text) <= 2 or not set(text) <= _ASCII_DIGITS:
        raise InvalidInputError(f"民族代码应为1至2位数字，实际为“{text}”", field=_FIELD)
    code = text.zfill(2)
    if code not in ETHNICITIES:
        raise InvalidInputError(f"民族代码{code}不在GB/T 3304规定的01至56之内", field=_FIELD)
    return code


def ethnicity_name(code: str) -> str:
    """Return the GB/T 3304-1991 name for a code (normalised as in :func:`validate_ethnicity_code`).

    Raises :class:`~retirelink.errors.InvalidInputError` for an unknown code.

    >>> ethnicity_name("56")
    '基诺族'
    """
    return ETHNICITIES[validate_ethnicity_code(code)]
