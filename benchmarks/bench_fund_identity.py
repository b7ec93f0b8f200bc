"""Benchmark the duplicate-receipt identity pairs (fundcheck.batch_identity) over a synthetic roll.

Usage: .venv/bin/python benchmarks/bench_fund_identity.py [--rows 12000000] [--planted 12000]
       [--bad-every 2000]

A child process builds the ``pensioners`` table in a DuckDB file, in SQL (not timed): about
10/12 of the rows in the employee scheme and 2/12 in the resident scheme, every person with a
distinct valid 公民身份号码 and a name drawn from common surnames and given-name characters (so
namesakes born on the same day abound, as they do in China), one in ``--bad-every`` (2,000:
0.05 %) with a wrong check character and no partner. ``--planted`` copies of existing rows
are added, one in six of each kind: the same number in the other scheme, the same number in
another place, the 15-digit form, a new number and name with the old ones recorded (双改), the
name in traditional characters or a homophone, and one digit of the sequence code mistyped.
The parent opens the file and times ``identity_matches``, so its peak RSS is the matcher's
(plus DuckDB's buffers).

Prints one JSON line: rows, seconds, pairs, recall on the planted pairs (overall and per kind),
how many found pairs carry the planted kind as basis, pairs found that were not planted, peak
RSS. Budget: 12,000,000 rows in at most 25 s on 2 cores.
"""

import argparse
import multiprocessing
import resource
import sys
import tempfile
from collections import Counter
from pathlib import Path

import duckdb
import opencc
from _common import Stopwatch, emit

from retirelink.fundcheck.batch_identity import identity_matches
from retirelink.fundcheck.snapshot import create_statement
from retirelink.rules.regions import PROVINCES

BUDGET_SECONDS = 25.0
KINDS = ("exact_id", "two_regions", "id_upgrade", "identity_change", "name_variant", "id_typo")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华红玉萍建国文志海云飞鹏辉玲凤梅林斌宇浩"
    "婷雪琳晶欣颖慧莉燕宏波峰亮东俊凯鑫雷淑珍荣德成福贵春生龙金清宝兴昌振永胜利忠新民庆中发"
)
# Homophone swaps first (the brief's 丽/莉 and 伟/玮), then traditional forms from OpenCC.
_HOMOPHONES = {"丽": "莉", "伟": "玮", "玲": "铃", "燕": "艳"}
# 32 provinces x 2 districts: 64 paying places, each also the ID numbers' address code.
_REGIONS = [
    f"{province}01{district:02d}" for province in sorted(PROVINCES)[:32] for district in (2, 3)
]
_DAYS = 21_915  # 1935-01-01 .. 1994-12-31
_SPACE = len(_REGIONS) * _DAYS * 500  # (place, birth date, sequence < 500) triples
_WEIGHTS = tuple(pow(2, 17 - position, 11) for position in range(17))


def _variant_map() -> tuple[str, str]:
    """``translate`` arguments turning a simplified name into a variant spelling of it."""
    converter = opencc.OpenCC("s2t")
    source, target = [], []
    for char in dict.fromkeys(_SURNAMES + _GIVEN):
        variant = _HOMOPHONES.get(char) or str(converter.convert(char))
        if variant != char:
            source.append(char)
            target.append(variant)
    return "".join(source), "".join(target)


def _check_sql(first17: str) -> str:
    """The GB 11643-1999 check character of a 17-digit string, written independently of the
    module under test (per character, from the string)."""
    terms = " + ".join(
        f"(ascii(substr({first17}, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(_WEIGHTS)
    )
    return f"substr('10X98765432', (({terms}) % 11) + 1, 1)"


def _base_sql(base: int) -> str:
    """Rows 0..base-1: distinct valid numbers from a bijection of the row number onto
    (place, birth date, sequence); the sequence's parity is the sex, as GB 11643 says."""
    regions = "[" + ", ".join(f"'{r}'" for r in _REGIONS) + "]"
    surnames, given = len(_SURNAMES), len(_GIVEN)
    employees = base * 10 // 12
    return f"""
    SELECT p, region, birth_date, seq % 2 = 1 AS male,
        region || strftime(birth_date, '%Y%m%d') || lpad(CAST(seq AS VARCHAR), 3, '0') AS first17,
        substr('{_SURNAMES}', 1 + CAST(h % {surnames} AS INTEGER), 1)
            || substr('{_GIVEN}', 1 + CAST((h // 1000) % {given} AS INTEGER), 1)
            || CASE WHEN (h // 1000000) % 3 = 0 THEN ''
                ELSE substr('{_GIVEN}', 1 + CAST((h // 10000000) % {given} AS INTEGER), 1) END
            AS name,
        CASE WHEN p < {employees} THEN 'employee' ELSE 'resident' END AS scheme
    FROM (
        SELECT p, q, hash(p) AS h,
            {regions}[1 + CAST(q % {len(_REGIONS)} AS INTEGER)] AS region,
            DATE '1935-01-01' + CAST((q // {len(_REGIONS)}) % {_DAYS} AS INTEGER) AS birth_date,
            q // {len(_REGIONS) * _DAYS} AS seq
        FROM (SELECT range AS p, (range * 1000000007 + 12345) % {_SPACE} AS q FROM range({base}))
    )
    """


def _planted_sql(base: int, planted: int) -> str:
    """One copy per planted pair, of every ``stride``-th base row, kinds in turn."""
    source, target = _variant_map()
    stride = max(base // (planted * 2), 1)
    return f"""
    SELECT *, {base} + row_number() OVER (ORDER BY p) - 1 AS copy_id FROM (
        SELECT b.*, (p // {stride}) % 6 AS kind, translate(name, '{source}', '{target}') AS variant
        FROM base b WHERE p % {stride} = 0
    )
    WHERE kind <> 4 OR variant <> name
    ORDER BY p LIMIT {planted}
    """


def _insert_sql(bad_every: int) -> str:
    """The roll: base rows, a few with a wrong check character, then the planted copies."""
    columns = (
        "pension_id, id_number, name, birth_date, sex, scheme, region, first_month, "
        "monthly_amount, basic_amount, status, paid_through, bank_account, payee_name, "
        "previous_id_number, previous_name"
    )
    other = "CASE scheme WHEN 'employee' THEN 'resident' ELSE 'employee' END"
    regions = "[" + ", ".join(f"'{r}'" for r in _REGIONS) + "]"
    # Copy number per kind: 0 same, 1 same (other place), 2 15-digit, 3 new number
    # (sequence + 500, same parity), 4 same, 5 one digit of the sequence code changed.
    new17 = (
        "substr(first17, 1, 14) "
        "|| lpad(CAST(CAST(substr(first17, 15, 3) AS INTEGER) + 500 AS VARCHAR), 3, '0')"
    )
    wrong_check = "first17 || CASE id_check WHEN '0' THEN '1' ELSE '0' END"
    next_region = (
        f"{regions}[1 + CAST(list_position({regions}, region) % {len(_REGIONS)} AS INTEGER)]"
    )
    new_surname = f"substr('{_SURNAMES}', 1 + CAST(p % 7 AS INTEGER), 1)"
    typo = (
        "substr(first17, 1, 15) || CAST((CAST(substr(first17, 16, 1) AS INTEGER) + 1 + p % 9) % 10 "
        "AS VARCHAR) || substr(first17, 17, 1) || id_check"
    )
    return f"""
    INSERT INTO pensioners ({columns})
    SELECT p, CASE WHEN p % {bad_every} = 7 AND p NOT IN (SELECT p FROM planted) THEN {wrong_check}
            ELSE first17 || id_check END,
        name, birth_date, CASE WHEN male THEN '1' ELSE '2' END, scheme, region,
        DATE '2015-01-01', 3200.00, NULL, 'paying', DATE '2025-06-01', 'A' || p, name, NULL, NULL
    FROM (SELECT *, {_check_sql("first17")} AS id_check FROM base)
    UNION ALL
    SELECT copy_id,
        CASE kind WHEN 2 THEN substr(first17, 1, 6) || substr(first17, 9, 9)
            WHEN 3 THEN {new17} || {_check_sql(new17)}
            WHEN 5 THEN {typo}
            ELSE first17 || id_check END,
        CASE kind WHEN 3 THEN {new_surname} || substr(name, 2)
            WHEN 4 THEN variant ELSE name END,
        birth_date, CASE WHEN male THEN '1' ELSE '2' END,
        CASE kind WHEN 1 THEN scheme ELSE {other} END,
        CASE kind WHEN 1 THEN {next_region} ELSE region END,
        DATE '2016-01-01', 180.00, 150.00, 'paying', DATE '2025-06-01', 'B' || copy_id, name,
        CASE kind WHEN 3 THEN first17 || id_check END, CASE kind WHEN 3 THEN name END
    FROM (SELECT *, {_check_sql("first17")} AS id_check FROM planted)
    """


def build_roll(path: str, rows: int, planted: int, bad_every: int) -> None:
    """Write ``pensioners`` (``rows`` rows, ``planted`` of them copies) and ``answer_key``."""
    base = rows - planted
    with duckdb.connect(path) as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE TEMP TABLE base AS {_base_sql(base)}")
        con.execute(f"CREATE TEMP TABLE planted AS {_planted_sql(base, planted)}")
        con.execute(create_statement("pensioners"))
        con.execute(_insert_sql(bad_every))
        con.execute(
            "CREATE TABLE answer_key AS SELECT p AS first, copy_id AS second, kind FROM planted"
        )


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    arguments.add_argument("--rows", type=int, default=12_000_000)
    arguments.add_argument("--planted", type=int, default=12_000)
    # One row in this many gets a wrong check character and no partner (noise for the typo join).
    arguments.add_argument("--bad-every", type=int, default=2_000)
    args = arguments.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retirelink-bench-") as scratch:
        path = str(Path(scratch) / "snapshot.duckdb")
        with Stopwatch() as built:
            child = multiprocessing.get_context("spawn").Process(
                target=build_roll, args=(path, args.rows, args.planted, args.bad_every)
            )
            child.start()
            child.join()
        if child.exitcode != 0:
            raise SystemExit(f"building the roll failed ({child.exitcode})")
        rss_before = _peak_rss_mb()
        with duckdb.connect(path, read_only=True) as con:
            con.execute("SET enable_progress_bar = false")
            answers = {(f, s): KINDS[k] for f, s, k in con.execute("FROM answer_key").fetchall()}
            with Stopwatch() as run:
                matches = identity_matches(con)
    found = {(m.first, m.second): m.basis.value for m in matches}
    hits = Counter(kind for pair, kind in answers.items() if pair in found)
    planted = Counter(answers.values())
    emit(
        {
            "benchmark": "fund_identity",
            "rows": args.rows,
            "bad_check_rows": args.rows // args.bad_every,
            "build_seconds": round(built.seconds, 1),
            "seconds": round(run.seconds, 2),
            "budget_seconds": BUDGET_SECONDS,
            "pairs": len(matches),
            "planted": len(answers),
            "recall": round(sum(hits.values()) / max(len(answers), 1), 4),
            "recall_by_kind": {k: f"{hits[k]}/{planted[k]}" for k in KINDS},
            "basis_as_planted": sum(found.get(pair) == kind for pair, kind in answers.items()),
            "unplanted_pairs": len(found.keys() - answers.keys()),
            "basis_counts": dict(Counter(found.values())),
            "peak_rss_mb_before": rss_before,
            "peak_rss_mb": _peak_rss_mb(),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
