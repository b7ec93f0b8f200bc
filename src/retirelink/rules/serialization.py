"""JSON in and out of the rules: parse JSON-like dicts into rule inputs, results into JSON.

Pure (no I/O): the CLI and the HTTP API read and write the text, this module only converts.

Input (``from_json``) is driven by the dataclass fields and their type hints, so every rule
input (``PensionFacts``, ``FlexibleRequest``, ``CustodyFacts``, ``PaidPeriod`` …) is parsed the
same way: money as a decimal string or number, dates as "YYYY-MM-DD", months as "YYYY-MM",
codes as their ASCII value. A missing, unknown or mistyped field is an ``InvalidInputError``
whose ``field`` is the JSON path (``paid[1].monthly_amount``). A field marked ``INLINE`` reads
its dataclass's fields from the same JSON object (a flat request, as the rules name fields).

Output (``to_json``, from ``result_json``): result dataclasses as JSON-ready values.
"""

from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, fields, is_dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from types import NoneType, UnionType
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from retirelink.errors import InvalidInputError
from retirelink.rules.birth_date import StatedBirthDate
from retirelink.rules.calendar import YearMonth
from retirelink.rules.result_json import to_json

__all__ = ["INLINE", "field_names", "from_json", "to_json"]

T = TypeVar("T")
INLINE: Mapping[str, bool] = {"inline": True}  # ``field(metadata=INLINE)``: fields read flat


# --------------------------------------------------------------------------------------------
# JSON → rule inputs
# --------------------------------------------------------------------------------------------


def from_json(kind: type[T], data: object, path: str = "") -> T:
    """Parse ``data`` (decoded JSON) as ``kind``; errors name the JSON path of the field.

    >>> from retirelink.rules.payments import PaidPeriod
    >>> paid = {"first": "2025-01", "last": "2025-03", "monthly_amount": "3000.00"}
    >>> from_json(PaidPeriod, paid).monthly_amount
    Decimal('3000.00')
    >>> try:
    ...     from_json(PaidPeriod, {**paid, "monthly_amount": True}, "paid[1]")
    ... except InvalidInputError as error:
    ...     print(error.field)
    ...     print(error.message)
    paid[1].monthly_amount
    字段“paid[1].monthly_amount”应为金额或数值（如 "3000.00"），实际为布尔值 true
    """
    decoded: T = _decode(kind, data, path)
    return decoded


def _decode(kind: Any, data: object, path: str) -> Any:
    origin = get_origin(kind)
    if origin in (Union, UnionType):
        return _decode_union(get_args(kind), data, path)
    if origin is tuple:
        return _decode_tuple(get_args(kind), data, path)
    scalar = _DECODERS.get(kind)
    if scalar is not None:
        return scalar(data, path)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _decode_enum(kind, data, path)
    if isinstance(kind, type) and is_dataclass(kind):
        return _decode_dataclass(kind, data, path)
    raise TypeError(f"no JSON decoder for {kind!r} at {path}")


def _decode_union(options: tuple[Any, ...], data: object, path: str) -> Any:
    if data is None:
        if NoneType in options:
            return None
        raise _mistyped(path, "非空值", data)
    candidates = [option for option in options if option is not NoneType]
    if len(candidates) > 1:  # ``RetirementCategory | str``: the code is checked at the edge
        candidates = [option for option in candidates if option is not str]
    return _decode(candidates[0], data, path)


def _decode_tuple(items: tuple[Any, ...], data: object, path: str) -> tuple[Any, ...]:
    if not isinstance(data, list):
        raise _mistyped(path, "数组", data)
    if len(items) == 2 and items[1] is Ellipsis:
        return tuple(_decode(items[0], item, f"{path}[{n}]") for n, item in enumerate(data))
    if len(data) != len(items):
        raise InvalidInputError(f"字段“{path}”应为{len(items)}个元素的数组", field=path)
    return tuple(
        _decode(kind, item, f"{path}[{n}]")
        for n, (kind, item) in enumerate(zip(items, data, strict=True))
    )


def _decode_enum(kind: type[Enum], data: object, path: str) -> Enum:
    if isinstance(data, str):
        for member in kind:
            if member.value == data:
                return member
    choices = "、".join(_choice(member) for member in kind)
    if isinstance(data, str):
        message = f"字段“{path}”的取值“{data}”无效，应为：{choices}"
        raise InvalidInputError(message, field=path)
    raise _mistyped(path, f"文本代码（{choices}）", data)


def _choice(member: Enum) -> str:
    label = getattr(member, "label", None)
    return f"{member.value}（{label}）" if label else str(member.value)


def _decode_dataclass(kind: type[Any], data: object, path: str) -> Any:
    if not isinstance(data, dict):
        raise _mistyped(path, "JSON 对象", data)
    hints = _hints(kind)
    own = [item for item in fields(kind) if not item.metadata.get("inline")]
    inline = [item for item in fields(kind) if item.metadata.get("inline")]
    allowed = {item.name for item in own}
    allowed.update(sub.name for item in inline for sub in fields(hints[item.name]))
    unknown = sorted(set(data) - allowed)
    if unknown:
        where = _join(path, unknown[0])
        message = f"不允许的字段“{where}”（可用字段：{'、'.join(sorted(allowed))}）"
        raise InvalidInputError(message, field=where)
    values = {item.name: _decode_field(hints[item.name], item, data, path) for item in own}
    for item in inline:
        names = {sub.name for sub in fields(hints[item.name])}
        flat = {name: value for name, value in data.items() if name in names}
        values[item.name] = _decode_dataclass(hints[item.name], flat, path)
    return kind(**{name: value for name, value in values.items() if value is not MISSING})


def _decode_field(kind: Any, item: Field[Any], data: Mapping[str, object], path: str) -> Any:
    where = _join(path, item.name)
    if item.name in data:
        return _decode(kind, data[item.name], where)
    if item.default is MISSING and item.default_factory is MISSING:
        raise InvalidInputError(f"缺少必填字段“{where}”", field=where)
    return MISSING


def field_names(kind: type[Any]) -> list[tuple[str, bool]]:
    """(name, required) of each JSON field ``from_json`` reads for ``kind``, INLINE expanded.

    >>> from retirelink.rules.payments import PaidPeriod
    >>> field_names(PaidPeriod)
    [('first', True), ('last', True), ('monthly_amount', True)]
    """
    names: list[tuple[str, bool]] = []
    for item in fields(kind):
        if item.metadata.get("inline"):
            names.extend(field_names(_hints(kind)[item.name]))
        else:
            required = item.default is MISSING and item.default_factory is MISSING
            names.append((item.name, required))
    return names


def _hints(kind: type[Any]) -> dict[str, Any]:
    known = _HINTS.get(kind)
    if known is None:
        known = _HINTS[kind] = get_type_hints(kind)
    return known


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _bool(data: object, path: str) -> bool:
    if not isinstance(data, bool):
        raise _mistyped(path, "true 或 false", data)
    return data


def _int(data: object, path: str) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        raise _mistyped(path, "整数", data)
    return data


def _str(data: object, path: str) -> str:
    if not isinstance(data, str):
        raise _mistyped(path, "文本", data)
    return data.strip()


def _decimal(data: object, path: str) -> Decimal:
    expected = '金额或数值（如 "3000.00"）'
    if isinstance(data, bool) or not isinstance(data, int | float | str):
        raise _mistyped(path, expected, data)
    try:
        value = Decimal(str(data).strip())
    except InvalidOperation:
        raise _mistyped(path, expected, data) from None
    if not value.is_finite():
        raise _mistyped(path, expected, data)
    return value


def _date(data: object, path: str) -> date:
    expected = '日期（如 "2025-03-15"）'
    if not isinstance(data, str):
        raise _mistyped(path, expected, data)
    try:
        return date.fromisoformat(data.strip())
    except ValueError:
        raise _mistyped(path, expected, data) from None


def _year_month(data: object, path: str) -> YearMonth:
    if not isinstance(data, str):
        raise _mistyped(path, '年月（如 "1965-05"）', data)
    return YearMonth.parse(data, field=path)


def _stated_birth(data: object, path: str) -> StatedBirthDate:
    if not isinstance(data, str):
        raise _mistyped(path, '出生时间文本（如 "1961-08" 或 "1961年8月15日"）', data)
    try:
        return StatedBirthDate.parse(data)
    except InvalidInputError as error:
        raise InvalidInputError(error.message, field=path) from None


_DECODERS: Mapping[Any, Callable[[object, str], Any]] = {
    bool: _bool,
    int: _int,
    str: _str,
    Decimal: _decimal,
    date: _date,
    YearMonth: _year_month,
    StatedBirthDate: _stated_birth,
}


def _mistyped(path: str, expected: str, data: object) -> InvalidInputError:
    where = path or "请求"
    return InvalidInputError(f"字段“{where}”应为{expected}，实际为{_shown(data)}", field=where)


def _shown(data: object) -> str:
    if data is None:
        return "空值 null"
    if isinstance(data, bool):
        return f"布尔值 {str(data).lower()}"
    if isinstance(data, str):
        return f"文本“{data[:40]}”"
    if isinstance(data, list | dict):
        return "数组" if isinstance(data, list) else "JSON 对象"
    return f"数值 {data}"
