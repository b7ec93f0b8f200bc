"""What every 数据共享 page shares: item names, enum filters from the query string."""

from enum import StrEnum
from typing import TypeVar

from retirelink.errors import InvalidInputError
from retirelink.exchange.catalogue import Catalogue

E = TypeVar("E", bound=StrEnum)


def item_names(catalogue: Catalogue) -> dict[str, str]:
    """Item code → "公安·死亡注销", for lists that show no department column."""
    return {item.code: f"{item.department.label}·{item.name}" for item in catalogue}


def short_item_names(catalogue: Catalogue) -> dict[str, str]:
    """Item code → "死亡注销", for lists that show the department beside it."""
    return {item.code: item.name for item in catalogue}


def choice(kind: type[E], raw: str, *, field: str, what: str) -> E | None:
    """A filter's value: "" means all; anything outside the enum is a 中文 input error
    (a select offers only valid values, so this is a hand-edited URL)."""
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInputError(f"未知的{what}：{raw}", field=field) from None


def choices(kind: type[E]) -> list[tuple[str, str]]:
    """(value, label) of every member, for a filter's options."""
    return [(member.value, getattr(member, "label", member.value)) for member in kind]
