"""Benchmark the rules engine: one explained pension, loading parameters, a population batch.

Usage: .venv/bin/python benchmarks/bench_rules.py [--runs 2000] [--persons 1000000]
       [--months 420] [--sample 200] [--seed 1]

Budgets: (a) one full scalar determination WITH its explanation in-process — statutory
retirement, 平均缴费指数 over 35 yearly periods, minimum contribution, pension — p95 at most
2 ms; (b) ``load_parameters()`` at most 0.5 s; (c) ``calculate_population`` for 1,000,000
persons with month-by-month histories of 420 months (420M wage values, int32 fen with an int16
month each) in at most 60 s and at most 6 GB peak RSS (``ru_maxrss``, the whole process,
input included; ``batch_own_peak_alloc_mb`` is what the batch itself allocates at its peak,
from ``tracemalloc`` in a second, untimed run). The synthetic population is generated
deterministically and not timed; after the timed run ``--sample`` persons are re-decided by
the scalar path and compared to the fen. Series past the shipped illustrative Hebei figures
(1996–2025) are extended for the benchmark only. Prints one JSON line.
"""

import argparse
import resource
import sys
import tracemalloc
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from _common import Stopwatch, emit, latency_ms

from retirelink.rules.account import ContributionPeriod
from retirelink.rules.batch import (
    CATEGORIES,
    ContributionRows,
    PersonPension,
    Population,
    PopulationPensions,
    calculate_population,
)
from retirelink.rules.calendar import YearMonth
from retirelink.rules.parameters import DatedValue, Parameter, ParameterSet, load_parameters
from retirelink.rules.pension import PensionFacts, average_contribution_index, calculate_pension
from retirelink.rules.retirement_age import minimum_contribution, statutory_retirement

ON = date(2025, 6, 1)
REGION = "130000"
YEARS = range(1960, 2071)
BUDGETS = {"scalar_p95_ms": 2.0, "load_parameters_s": 0.5, "batch_s": 60.0, "peak_rss_mb": 6144}
GENERATE_PERSONS = 20_000


def bench_parameters(shipped: ParameterSet) -> ParameterSet:
    """Shipped parameters with 社平工资 and 计发基数 series extended over 1960–2070."""
    parameters = {(item.name, item.scope): item for item in shipped}
    for name, first in (("pension.average_wage", 31_337), ("pension.base_wage", 33_301)):
        series = {year: Decimal(first + 13_071 * (year - YEARS[0])).scaleb(-2) for year in YEARS}
        dated = DatedValue(date(1900, 1, 1), series, "基准测试用示例值", "U", illustrative=True)
        parameters[(name, REGION)] = Parameter(name, REGION, name, "series", "", (dated,))
    return ParameterSet(parameters)


# --- (a) one explained scalar determination -------------------------------------------------


def scalar_decision(
    category: str, birth: YearMonth, history: list[ContributionPeriod], deemed: int,
    balance: Decimal, params: ParameterSet,
) -> PersonPension:  # fmt: skip
    """The full scalar path for one person, each step with its explanation."""
    statutory = statutory_retirement(category, birth, on=ON, params=params)
    retirement = statutory.retirement_month
    index = average_contribution_index(
        history, deemed_months=deemed, on=ON, region=REGION, params=params
    )
    minimum = minimum_contribution(retirement.year, on=ON, params=params)
    facts = PensionFacts(birth, retirement, index.value, index.total_months, deemed, balance)
    pension = calculate_pension(facts, on=ON, region=REGION, params=params)
    return PersonPension(
        statutory_retirement_month=retirement,
        retirement_month=retirement,
        start_month=pension.start_month,
        contribution_months=index.total_months,
        minimum_months=minimum.required_months,
        within_window=True,  # the statutory month
        eligible=index.total_months >= minimum.required_months,
        average_index=index.value,
        payout_months=pension.payout_months,
        indexed_wage=pension.indexed_wage,
        basic_pension=pension.basic_pension,
        personal_account_pension=pension.personal_account_pension,
        transitional_pension=pension.transitional_pension,
        total=pension.total,
    )


def bench_scalar(runs: int, params: ParameterSet) -> dict[str, float | int]:
    birth = YearMonth(1966, 5)
    history = [
        ContributionPeriod(YearMonth(year, 1), YearMonth(year, 12), Decimal(4000 + 211 * step))
        for step, year in enumerate(range(1991, 2026))
    ]
    seconds = []
    for run in range(runs + 50):
        with Stopwatch() as watch:
            scalar_decision("male", birth, history, 60, Decimal("123456.78"), params)
        if run >= 50:
            seconds.append(watch.seconds)
    return latency_ms(seconds)


def bench_load(runs: int = 5) -> dict[str, float]:
    seconds = []
    for _ in range(runs):
        with Stopwatch() as watch:
            load_parameters()
        seconds.append(watch.seconds)
    return {"first": round(seconds[0], 4), "median": round(sorted(seconds)[runs // 2], 4)}


# --- (c) the population batch -----------------------------------------------------------------


def synthetic_population(persons: int, months: int, seed: int, params: ParameterSet) -> Population:
    """Deterministic population: births 1960–1985, a career of ``months`` consecutive months
    from age 15–17, each month's wage = 社平工资 × a personal factor × ±5% (int32 fen)."""
    rng = np.random.default_rng(seed)
    birth = rng.integers(YearMonth(1960, 1).index, YearMonth(1985, 12).index + 1, persons)
    first = birth + 180 + rng.integers(0, 25, persons)
    factor = np.exp(rng.normal(0.0, 0.35, persons))
    wages = params.value("pension.average_wage", ON, region=REGION)
    average_fen = np.array([int(wages[year] * 100) for year in YEARS], dtype=np.float64)
    start = np.empty(persons * months, dtype=np.int16)
    wage = np.empty(persons * months, dtype=np.int32)
    for low in range(0, persons, GENERATE_PERSONS):
        high = min(low + GENERATE_PERSONS, persons)
        grid = first[low:high, None] + np.arange(months)
        noise = rng.integers(9_500, 10_501, grid.shape) / 10_000
        monthly = average_fen[grid // 12 - YEARS[0]] * factor[low:high, None] * noise
        start[low * months : high * months] = grid.ravel()
        wage[low * months : high * months] = np.rint(monthly).ravel()
    deemed = np.where(rng.random(persons) < 0.3, rng.integers(1, 180, persons), 0)
    return Population(
        category=rng.integers(0, len(CATEGORIES), persons, dtype=np.int8),
        birth_month=birth.astype(np.int32),
        deemed_months=deemed.astype(np.int32),
        account_balance_fen=rng.integers(0, 40_000_000, persons),
        history=ContributionRows(np.arange(persons + 1, dtype=np.int64) * months, start, wage),
    )


def sample_mismatches(
    result: PopulationPensions, population: Population, sample: int, params: ParameterSet
) -> int:
    """Re-decide ``sample`` random persons through the scalar path; count any difference."""
    rng = np.random.default_rng(7)
    mismatches = 0
    for person in rng.choice(len(result), size=min(sample, len(result)), replace=False).tolist():
        expected = scalar_decision(
            CATEGORIES[int(population.category[person])].value,
            YearMonth.from_index(int(population.birth_month[person])),
            population.history.periods(person),
            int(population.deemed_months[person]),
            Decimal(int(population.account_balance_fen[person])).scaleb(-2),
            params,
        )
        mismatches += result.person(person) != expected
    return mismatches


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_batch(args: argparse.Namespace, params: ParameterSet) -> dict[str, Any]:
    with Stopwatch() as generating:
        population = synthetic_population(args.persons, args.months, args.seed, params)
    history = population.history
    input_bytes = history.start.nbytes + history.monthly_wage_fen.nbytes + history.offsets.nbytes
    rss_before = peak_rss_mb()
    with Stopwatch() as watch:
        result = calculate_population(population, on=ON, region=REGION, params=params)
    rss_after = peak_rss_mb()
    tracemalloc.start()
    calculate_population(population, on=ON, region=REGION, params=params)
    own_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "persons": len(result),
        "months_per_person": args.months,
        "wage_values": int(history.offsets[-1]),
        "input_mb": round(input_bytes / 2**20, 1),
        "generate_s": round(generating.seconds, 2),
        "seconds": round(watch.seconds, 2),
        "persons_per_s": round(len(result) / watch.seconds),
        "peak_rss_mb": rss_after,
        "peak_rss_before_batch_mb": rss_before,
        "batch_own_peak_alloc_mb": round(own_peak / 2**20, 1),
        "scalar_recomputed": result.scalar_recomputed,
        "eligible": int(result.eligible.sum()),
        "total_yuan_per_month": round(int(result.total_fen.sum()) / 100, 2),
        "sample_checked": min(args.sample, len(result)),
        "sample_mismatches": sample_mismatches(result, population, args.sample, params),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=420)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    load = bench_load()
    params = bench_parameters(load_parameters())
    scalar = bench_scalar(args.runs, params)
    batch = bench_batch(args, params)
    emit(
        {
            "benchmark": "rules",
            "scalar_pension_with_explanation_ms": scalar,
            "load_parameters_s": load,
            "batch": batch,
            "budgets": BUDGETS,
            "within_budget": {
                "scalar_p95_ms": scalar["p95"] <= BUDGETS["scalar_p95_ms"],
                "load_parameters_s": load["first"] <= BUDGETS["load_parameters_s"],
                "batch_s": batch["seconds"] <= BUDGETS["batch_s"],
                "peak_rss_mb": batch["peak_rss_mb"] <= BUDGETS["peak_rss_mb"],
                "sample_exact": batch["sample_mismatches"] == 0,
            },
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
