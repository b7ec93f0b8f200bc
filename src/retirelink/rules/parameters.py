"""Dated, cited legal parameters: one YAML file per parameter, values by effective date.

Layout: ``params/<scope>/<group>/<leaf>.yaml`` gives the parameter ``<group>.<leaf>`` for
``<scope>`` — ``national`` or a GB/T 2260 region code (``130000`` 河北省, ``130400`` 邯郸市).
A regional lookup falls back county → prefecture → province → national, so a province
overrides the national value only where it has its own file.

Every value carries its reference (文号 + article) and the policy spec's confidence mark
(C confirmed, S secondary, U unconfirmed); values marked ``illustrative`` are demo
placeholders a province must replace. Files are validated on load: a missing reference,
an unknown unit, unordered dates or a gap in a yearly series is an error naming the file
and the date — never a silent default.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar

import yaml

from retirelink.errors import InvalidInputError

PARAMS_DIR = Path(__file__).parent / "params"
NATIONAL = "national"
CONFIDENCE_MARKS = frozenset({"C", "S", "U"})
T = TypeVar("T")

_INTEGER_UNITS = frozenset({"months", "years", "count", "days"})
_DECIMAL_UNITS = frozenset({"yuan", "rate", "ratio"})
_MAPPING_UNITS = frozenset({"table", "series", "schedule"})
_TEXT_UNITS = frozenset({"choice", "text"})
UNITS = _INTEGER_UNITS | _DECIMAL_UNITS | _MAPPING_UNITS | _TEXT_UNITS


class ParameterFileError(InvalidInputError):
    """A parameter file breaks the schema; the message names the file (and the date)."""


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One value of a parameter, in force from ``effective``, with its 文号 and confidence."""

    effective: date
    value: Any
    reference: str
    confidence: str
    illustrative: bool = False
    note: str = ""

    def citation(self, name: str | None = None) -> str:
        """How an explanation cites this value: reference, parameter, confidence, note, flags.

        An unconfirmed value is flagged ［待核实U］ and a demo placeholder ［示例值］, so both
        stand out wherever the explanation is shown.

        >>> DatedValue(date(2025, 1, 1), 1, "办法附件1", "U", illustrative=True).citation("a.b")
        '办法附件1（a.b，可信度U）［待核实U］［示例值］'
        >>> DatedValue(date(2016, 1, 1), 1, "人社部函〔2016〕1号", "S", note="较弱").citation()
        '人社部函〔2016〕1号（可信度S，较弱）'
        """
        details = "，".join(part for part in (name, f"可信度{self.confidence}", self.note) if part)
        unconfirmed = "［待核实U］" if self.confidence == "U" else ""
        placeholder = "［示例值］" if self.illustrative else ""
        return f"{self.reference}（{details}）{unconfirmed}{placeholder}"


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    scope: str
    label: str
    unit: str
    description: str
    values: tuple[DatedValue, ...]
    choices: tuple[str, ...] = ()

    def at(self, on: date) -> DatedValue:
        """The value in force on ``on``: the latest whose effective date is not after it."""
        current = None
        for dated in self.values:
            if dated.effective > on:
                break
            current = dated
        if current is None:
            first = self.values[0].effective
            raise InvalidInputError(
                f"参数“{self.label}”（{self.name}）在{on}尚未生效，最早生效日为{first}",
                field=self.name,
            )
        return current


class ParameterSet:
    """All parameters, looked up by name, date and region."""

    def __init__(self, parameters: Mapping[tuple[str, str], Parameter]) -> None:
        self._parameters = dict(parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def parameter(self, name: str, *, region: str | None = None) -> Parameter:
        for scope in scopes_for(region):
            found = self._parameters.get((name, scope))
            if found is not None:
                return found
        where = f"（地区{region}）" if region else ""
        raise InvalidInputError(f"未找到参数{name}{where}", field=name)

    def get(self, name: str, on: date, *, region: str | None = None) -> DatedValue:
        return self.parameter(name, region=region).at(on)

    def value(self, name: str, on: date, *, region: str | None = None) -> Any:
        return self.get(name, on, region=region).value


def series_value(
    series: Mapping[int, Decimal], year: int, *, name: str, field: str | None = None
) -> Decimal:
    """A yearly series value; a year outside the series is an error naming the parameter.

    ``field`` is the input that asked for the year (defaults to the parameter's name).
    """
    if year not in series:
        raise InvalidInputError(
            f"参数{name}没有{year}年的取值（现有{min(series)}—{max(series)}年）",
            field=field or name,
        )
    return series[year]


def table_row(table: Any, key: object, name: str) -> Any:
    """One row of a table parameter; a missing row is an error naming the parameter."""
    if not isinstance(table, dict) or key not in table:
        raise InvalidInputError(f"参数{name}缺少“{key}”一行", field=name)
    return table[key]


def choose(variants: Mapping[str, T], dated: DatedValue, name: str) -> T:
    """The variant a ``choice`` parameter selects from a rule's table ``{choice: function}``.

    The loader only admits values listed in the file's ``choices``; a value the rule has no
    variant for (a province listed a choice before the code for it existed, or a test set one)
    is an error naming the parameter — never a fall back to another variant.

    >>> choose({"a": 1}, DatedValue(date(2025, 1, 1), "a", "文号", "U"), "x.y")
    1
    """
    try:
        return variants[str(dated.value)]
    except KeyError:
        raise InvalidInputError(
            f"参数{name}的取值“{dated.value}”没有对应的计算规则（可选：{'、'.join(variants)}）",
            field=name,
        ) from None


def scopes_for(region: str | None) -> list[str]:
    """Lookup order for a region code: itself, its prefecture, its province, then national.

    >>> scopes_for("130406")
    ['130406', '130400', '130000', 'national']
    >>> scopes_for(None)
    ['national']
    """
    if not region:
        return [NATIONAL]
    chain = [region, region[:4] + "00", region[:2] + "0000", NATIONAL]
    return list(dict.fromkeys(chain))


def load_parameters(root: Path = PARAMS_DIR) -> ParameterSet:
    """Read and validate every ``*.yaml`` under ``root``."""
    parameters: dict[tuple[str, str], Parameter] = {}
    for path in sorted(root.rglob("*.yaml")):
        parameter = load_parameter_file(path, root)
        parameters[(parameter.name, parameter.scope)] = parameter
    if not parameters:
        raise ParameterFileError(f"参数目录{root}中没有参数文件", field="params")
    return ParameterSet(parameters)


def load_parameter_file(path: Path, root: Path) -> Parameter:
    relative = path.relative_to(root)
    where = relative.as_posix()
    if len(relative.parts) < 3:
        raise ParameterFileError(f"参数文件{where}应放在 <范围>/<分组>/ 目录下", field=where)
    scope = relative.parts[0]
    name = ".".join((*relative.parts[1:-1], path.stem))
    document = _read_yaml(path, where)
    unit = _required(document, "unit", where)
    if unit not in UNITS:
        raise ParameterFileError(f"参数文件{where}的单位“{unit}”无效", field=where)
    choices = tuple(str(item) for item in document.get("choices", ()))
    values = _dated_values(document, where, unit, choices)
    return Parameter(
        name=name,
        scope=scope,
        label=_required(document, "label", where),
        unit=unit,
        description=str(document.get("description", "")).strip(),
        values=values,
        choices=choices,
    )


def _read_yaml(path: Path, where: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ParameterFileError(f"参数文件{where}不是有效的 YAML：{error}", field=where) from None
    if not isinstance(document, dict):
        raise ParameterFileError(f"参数文件{where}应为键值结构", field=where)
    return document


def _required(document: Mapping[str, Any], key: str, where: str) -> str:
    value = document.get(key)
    if value is None or not str(value).strip():
        raise ParameterFileError(f"参数文件{where}缺少“{key}”", field=where)
    return str(value).strip()


def _dated_values(
    document: Mapping[str, Any], where: str, unit: str, choices: tuple[str, ...]
) -> tuple[DatedValue, ...]:
    raw = document.get("values")
    if not isinstance(raw, dict) or not raw:
        raise ParameterFileError(f"参数文件{where}缺少取值（values）", field=where)
    dated = [_dated_value(key, entry, where, unit, choices) for key, entry in raw.items()]
    for earlier, later in pairwise(dated):
        if later.effective <= earlier.effective:
            raise ParameterFileError(
                f"参数文件{where}中生效日期{later.effective}未按时间顺序排列", field=where
            )
    return tuple(dated)


def _dated_value(
    key: object, entry: object, where: str, unit: str, choices: tuple[str, ...]
) -> DatedValue:
    effective = _effective_date(key, where)
    at = f"{where}中{effective}的取值"
    if not isinstance(entry, dict) or "value" not in entry:
        raise ParameterFileError(f"参数文件{at}应包含 value", field=where)
    reference = str(entry.get("reference") or "").strip()
    if not reference:
        raise ParameterFileError(f"参数文件{at}缺少依据（reference）", field=where)
    confidence = str(entry.get("confidence", "")).strip()
    if confidence not in CONFIDENCE_MARKS:
        raise ParameterFileError(f"参数文件{at}缺少可信度标记（C/S/U）", field=where)
    return DatedValue(
        effective=effective,
        value=_typed_value(entry["value"], unit, choices, at),
        reference=reference,
        confidence=confidence,
        illustrative=bool(entry.get("illustrative", False)),
        note=str(entry.get("note", "")).strip(),
    )


def _effective_date(key: object, where: str) -> date:
    if isinstance(key, date):
        return key
    try:
        return date.fromisoformat(str(key))
    except ValueError:
        raise ParameterFileError(f"参数文件{where}中的生效日期“{key}”无效", field=where) from None


def _typed_value(raw: object, unit: str, choices: tuple[str, ...], at: str) -> Any:
    if unit in _INTEGER_UNITS:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ParameterFileError(f"参数文件{at}应为整数", field=at)
        return raw
    if unit in _DECIMAL_UNITS:
        return to_decimal(raw, at)
    if unit == "series":
        return _series(raw, at)
    if unit in _MAPPING_UNITS:
        if not isinstance(raw, dict) or not raw:
            raise ParameterFileError(f"参数文件{at}应为非空映射", field=at)
        return raw
    if unit == "choice" and str(raw) not in choices:
        raise ParameterFileError(f"参数文件{at}“{raw}”不在可选值{list(choices)}中", field=at)
    return str(raw)


def _series(raw: object, at: str) -> dict[int, Decimal]:
    """A yearly series (e.g. 计发基数 by year): integer years, no gaps."""
    if not isinstance(raw, dict) or not raw:
        raise ParameterFileError(f"参数文件{at}应为按年份的序列", field=at)
    series = {int(year): to_decimal(amount, f"{at}（{year}年）") for year, amount in raw.items()}
    years = sorted(series)
    missing = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if missing:
        raise ParameterFileError(f"参数文件{at}缺少年份：{missing}", field=at)
    return series


def to_decimal(raw: object, at: str) -> Decimal:
    """Numbers from YAML as exact decimals (floats go through their shortest repr)."""
    if isinstance(raw, bool):
        raise ParameterFileError(f"参数文件{at}应为数值", field=at)
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise ParameterFileError(f"参数文件{at}应为数值，实际为“{raw}”", field=at) from None
