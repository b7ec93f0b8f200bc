"""Input checks for core records that are not law (names, phones, search queries)."""

import re

from retirelink.errors import InvalidInputError

MAX_NAME_LENGTH = 30
MAX_QUERY_LENGTH = 30

# Chinese names: CJK ideographs (incl. extension A and B for rare surnames) and the
# middle dot used in transliterated minority names (e.g. 买买提·艾力).
_NAME = re.compile(r"^[\u3400-\u9fff\U00020000-\U0002ebef·]+$")
_ID_QUERY = re.compile(r"^[0-9]{4,17}[0-9Xx]?$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def clean_person_name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise InvalidInputError("姓名不能为空", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(f"姓名过长：不超过{MAX_NAME_LENGTH}个字", field="name")
    if not _NAME.match(name) or name.startswith("·") or name.endswith("·"):
        raise InvalidInputError("姓名只能包含汉字和间隔号“·”", field="name")
    return name


def clean_phone(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    phone = raw.strip()
    if not _MOBILE.match(phone):
        raise InvalidInputError("手机号码应为以1开头的11位数字", field="phone")
    return phone


def classify_query(raw: str) -> tuple[str | None, str | None]:
    """Split a search box entry into (name prefix, ID-number prefix); exactly one is set."""
    query = raw.strip()
    if not query:
        raise InvalidInputError("请输入姓名或公民身份号码", field="q")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInputError(f"查询条件过长：不超过{MAX_QUERY_LENGTH}个字符", field="q")
    if _ID_QUERY.match(query):
        return None, query.upper()
    if _NAME.match(query):
        return query, None
    raise InvalidInputError("查询条件只能是姓名（汉字）或公民身份号码（至少前4位）", field="q")
