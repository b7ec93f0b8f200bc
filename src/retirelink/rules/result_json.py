"""Rule results → JSON-ready values (re-exported by ``serialization`` as ``to_json``).

A result dataclass becomes a dict of its fields and public properties by name; ``Decimal`` as
text exactly as computed (money keeps its fen, "3520.00"); ``YearMonth`` as "YYYY-MM";
``YearsMonths`` as years, months and a label (in 岁 for a field named ``…age``: "60岁2个月",
else "15年6个月"); a code (``StrEnum``) as its value with a ``<field>_label`` (中文) beside it;
a ``Fraction`` of months as "19.25" or "109/12"; dates as "YYYY-MM-DD"; the ``Explanation`` as
its list of steps, last. Only the top-level result carries ``explanation``: it already holds
the steps of the parts inside it. Pure: no I/O.
"""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from types import NoneType
from typing import Any

from retirelink.rules.birth_date import StatedBirthDate
from retirelink.rules.calendar import YearMonth, YearsMonths
from retirelink.rules.death import months_text
from retirelink.rules.explanation import Explanation


def to_json(value: object) -> Any:
    """JSON-ready form of a rule result (see the module docstring for each type).

    >>> from retirelink.rules.calendar import YearsMonths
    >>> to_json(YearsMonths.of(724))
    {'years': 60, 'months': 4, 'label': '60年4个月'}
    >>> to_json({"total": Decimal("5731.94"), "start": YearMonth(2025, 6)})
    {'total': '5731.94', 'start': '2025-06'}
    """
    return _encode(value, top=True)


def _encode(value: object, *, top: bool = False) -> Any:
    for kind, encoder in _ENCODERS:
        if isinstance(value, kind):
            return encoder(value)
    if is_dataclass(value) and not isinstance(value, type):
        return _encode_dataclass(value, top=top)
    if isinstance(value, Mapping):
        return {_key(key): _encode(item) for key, item in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        return [_encode(item) for item in value]
    raise TypeError(f"no JSON encoder for {type(value).__name__}")


def _years_months(value: YearsMonths, *, age: bool = False) -> dict[str, Any]:
    label = value.age_label if age else value.label
    return {"years": value.years, "months": value.months, "label": label}


_ENCODERS: tuple[tuple[type | tuple[type, ...], Callable[[Any], Any]], ...] = (
    (Enum, lambda value: value.value),
    ((NoneType, bool, int, float, str), lambda value: value),
    (Decimal, lambda value: format(value, "f")),
    (Fraction, months_text),
    (YearMonth, str),
    (YearsMonths, _years_months),
    (StatedBirthDate, lambda value: value.label),
    (date, lambda value: value.isoformat()),
    (Explanation, lambda value: value.to_list()),
)


def _encode_dataclass(value: Any, *, top: bool) -> dict[str, Any]:
    """Fields, then properties, then (top level only) the explanation, last as it is longest."""
    encoded: dict[str, Any] = {}
    steps: list[Any] | None = None
    for name in [item.name for item in fields(value)] + _properties(type(value)):
        item = getattr(value, name)
        if isinstance(item, Explanation):
            steps = item.to_list() if top else steps
            continue
        is_age = isinstance(item, YearsMonths) and name.endswith("age")
        encoded[name] = _years_months(item, age=True) if is_age else _encode(item)
        _add_labels(encoded, name, item)
    if steps is not None:
        encoded["explanation"] = steps
    return encoded


def _properties(kind: type[Any]) -> list[str]:
    """Public read-only properties (``allowed``, ``required``, ``label`` …), in name order."""
    known = _PROPERTIES.get(kind)
    if known is None:
        members = inspect.getmembers(kind, lambda member: isinstance(member, property))
        known = _PROPERTIES[kind] = [name for name, _ in members if not name.startswith("_")]
    return known


_PROPERTIES: dict[type[Any], list[str]] = {}


def _add_labels(encoded: dict[str, Any], name: str, item: object) -> None:
    label = _label(item)
    if label is not None:
        encoded[f"{name}_label"] = label
    elif isinstance(item, tuple | list) and item and all(_label(part) for part in item):
        encoded[f"{name}_labels"] = [_label(part) for part in item]


def _label(item: object) -> str | None:
    label = getattr(item, "label", None) if isinstance(item, Enum) else None
    return label if isinstance(label, str) else None


def _key(key: object) -> str:
    if isinstance(key, Enum):
        return str(key.value)
    return key if isinstance(key, str) else str(_encode(key))
