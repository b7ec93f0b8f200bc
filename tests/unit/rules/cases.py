"""Loader for YAML rule scenarios: each case is named as a sentence and cites its source.

A scenario file holds a list under ``cases``; every case needs ``name`` (the test id, a
sentence), ``reference`` (the law or worked example it comes from) and whatever inputs and
``expect`` values its runner reads. A case's ``params`` override parameters (``params_with``).
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from retirelink.rules.parameters import DatedValue, Parameter, ParameterSet, load_parameters

CASES_DIR = Path(__file__).parent / "cases"
SHIPPED = load_parameters()
REGION = "130000"
_DECIMAL_UNITS = {"rate", "ratio", "yuan"}


def load_cases(filename: str) -> list[Any]:
    """pytest params for every case in ``cases/<filename>``, with the case name as the id."""
    document = yaml.safe_load((CASES_DIR / filename).read_text(encoding="utf-8"))
    params = []
    for case in document["cases"]:
        missing = {"name", "reference"} - set(case)
        assert not missing, f"{filename}: case {case!r} lacks {missing}"
        params.append(pytest.param(case, id=case["name"]))
    return params


def params_with(overrides: Mapping[str, object] | None, region: str = REGION) -> ParameterSet:
    """The shipped parameters with a case's own values for ``region`` (marked test-only).

    ``region`` "national" overrides the national value (for rules looked up nationally).
    """
    parameters = {(item.name, item.scope): item for item in SHIPPED}
    for name, raw in (overrides or {}).items():
        unit = SHIPPED.parameter(name, region=region).unit
        dated = DatedValue(date(1900, 1, 1), typed(raw, unit), "测试用例", "U", illustrative=True)
        parameters[(name, region)] = Parameter(name, region, f"{name}（测试）", unit, "", (dated,))
    return ParameterSet(parameters)


def typed(raw: object, unit: str) -> object:
    if unit == "series":
        assert isinstance(raw, dict)
        return {int(year): Decimal(str(amount)) for year, amount in raw.items()}
    return Decimal(str(raw)) if unit in _DECIMAL_UNITS else raw
