"""The batch's identity matcher: pairs of roll rows taken for one human (``batch_identity``),
as the plain tuples ``batch.run_batch`` links into cases."""

import duckdb

from retirelink.fundcheck.batch import Pair
from retirelink.fundcheck.batch_identity import identity_matches


def identity_pairs(connection: duckdb.DuckDBPyConnection) -> list[Pair]:
    return [
        (match.first, match.second, match.basis.label, match.score, tuple(match.reasons))
        for match in identity_matches(connection)
    ]
