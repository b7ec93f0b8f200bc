"""Masking of personal data at the edge (pages, exports, logs), by role.

Formats follow common 人社 practice (and GB/T 35273-2020 个人信息安全规范 §8 去标识化):
ID 130406********123X keeps region and the last four; names keep the surname; phones 138****5678.
"""

from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import has_permission

_DOUBLE_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐", "夏侯"}
)


def mask_id_number(value: str) -> str:
    """
    >>> mask_id_number("130406196503121231")
    '130406********1231'
    """
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(value: str) -> str:
    """
    >>> mask_name("张伟"), mask_name("欧阳娜娜"), mask_name("李")
    ('张*', '欧阳**', '李')
    """
    keep = 2 if value[:2] in _DOUBLE_SURNAMES and len(value) > 2 else 1
    return value[:keep] + "*" * (len(value) - keep)


def mask_phone(value: str) -> str:
    """
    >>> mask_phone("13812345678")
    '138****5678'
    """
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def may_see_unmasked(actor: Actor) -> bool:
    return has_permission(actor, Permission.PERSON_READ_UNMASKED)
