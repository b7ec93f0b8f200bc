"""Loader for YAML rule scenarios: each case is named as a sentence and cites its source.

A scenario file holds a list under ``cases``; every case needs ``name`` (the test id, a
sentence), ``reference`` (the law or worked example it comes from) and whatever inputs and
``expect`` values its runner reads.
"""

from pathlib import Path
from typing import Any

import pytest
import yaml

CASES_DIR = Path(__file__).parent / "cases"


def load_cases(filename: str) -> list[Any]:
    """pytest params for every case in ``cases/<filename>``, with the case name as the id."""
    document = yaml.safe_load((CASES_DIR / filename).read_text(encoding="utf-8"))
    params = []
    for case in document["cases"]:
        missing = {"name", "reference"} - set(case)
        assert not missing, f"{filename}: case {case!r} lacks {missing}"
        params.append(pytest.param(case, id=case["name"]))
    return params
