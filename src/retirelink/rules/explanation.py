"""Explanations: the trace every rule result carries.

Each step names what was computed (中文 label), the formula, the inputs and parameter values
used, the result, the legal references behind it, and the archive evidence behind its facts.
The UI renders the steps; the ledger stores their digest with the decision.

A parameter's value is cited either in the references of the step that uses it
(``DatedValue.citation``) or, where a rule reads it on its own, as a step of its own
(``read_parameter``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from retirelink.rules.parameters import ParameterSet

T = TypeVar("T")
StepText = tuple[str, str, str]  # 中文 label, formula, legal reference of an explanation step


def show(value: object) -> str:
    """Uniform text for trace values (Decimal without exponent, mappings as "k: v" pairs).

    >>> show(Decimal("3520.00")), show(139), show(True)
    ('3520.00', '139', 'true')
    >>> show({2020: Decimal("3107.17"), 2021: Decimal("3300.50")})
    '2020: 3107.17, 2021: 3300.50'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return ", ".join(f"{show(key)}: {show(item)}" for key, item in value.items())
    return str(value)


@dataclass(frozen=True, slots=True)
class Step:
    """One computed figure: label, formula, inputs, result, legal references, evidence."""

    key: str
    label: str
    formula: str
    inputs: Mapping[str, str]
    result: str
    references: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "formula": self.formula,
            "inputs": dict(self.inputs),
            "result": self.result,
            "references": list(self.references),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """The steps behind a rule result, in the order they were computed."""

    steps: tuple[Step, ...] = ()

    def step(self, key: str) -> Step:
        for item in self.steps:
            if item.key == key:
                return item
        raise KeyError(key)

    def __add__(self, other: "Explanation") -> "Explanation":
        return Explanation(self.steps + other.steps)

    def to_list(self) -> list[dict[str, Any]]:
        return [item.to_dict() for item in self.steps]


@dataclass
class Trace:
    """Collects steps while a rule computes; ``explanation()`` freezes them.

    >>> trace = Trace()
    >>> trace.record("delay", "延迟月数", "floor(k/4)+1", {"k": 3}, 1, references=("办法第一条",))
    1
    >>> trace.explanation().step("delay").result
    '1'
    """

    steps: list[Step] = field(default_factory=list)

    def record(
        self,
        key: str,
        label: str,
        formula: str,
        inputs: Mapping[str, object],
        result: T,
        *,
        references: tuple[str, ...] = (),
        evidence: tuple[str, ...] = (),
    ) -> T:
        """Add a step and hand back ``result`` so computations read as one expression."""
        self.steps.append(
            Step(
                key=key,
                label=label,
                formula=formula,
                inputs={name: show(value) for name, value in inputs.items()},
                result=show(result),
                references=references,
                evidence=evidence,
            )
        )
        return result

    def extend(self, explanation: Explanation) -> None:
        self.steps.extend(explanation.steps)

    def explanation(self) -> Explanation:
        return Explanation(tuple(self.steps))


def note(
    trace: Trace, texts: Mapping[str, StepText], key: str, inputs: Mapping[str, object], result: T
) -> T:
    """Record step ``key`` with its label, formula and reference from the module's table."""
    label, formula, reference = texts[key]
    return trace.record(key, label, formula, inputs, result, references=(reference,))


def read_parameter(
    trace: Trace, params: ParameterSet, name: str, on: date, region: str | None = None
) -> Any:
    """Look a parameter up and record its value, scope, date and confidence as a step."""
    parameter = params.parameter(name, region=region)
    dated = parameter.at(on)
    inputs: dict[str, object] = {
        "参数": name,
        "适用范围": parameter.scope,
        "生效日期": dated.effective,
        "可信度": dated.confidence,
    }
    if dated.illustrative:
        inputs["示例值（待替换）"] = True
    return trace.record(
        f"参数:{name}",
        parameter.label,
        "按日期与地区取参数值",
        inputs,
        dated.value,
        references=(dated.citation(name),),
    )
