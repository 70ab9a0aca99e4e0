"""The loader's per-value checks in SQL agree exactly with their definition.

An integer is ``-?[0-9]{1,18}``.  The check first tries a cast that reads back unchanged (cheap)
and only falls back to the pattern for the rest; the attack values are the forms DuckDB's cast
accepts but the definition does not (rounded decimals, hex, binary, separators, signs, spaces,
non-ASCII digits, 19 digits, the extremes of BIGINT), next to the valid forms a fast path could
wrongly refuse (leading zeros, -0)."""
from __future__ import annotations

import re

import duckdb
import pytest

from datasets.load import sql as S
from datasets.schemas import FAMILIES

INT = re.compile(r"-?[0-9]{1,18}")
VALUES = [
    "0", "7", "-7", "42", "007", "-007", "-0", "00", "999999999999999999", "-999999999999999999",
    "1000000000000000000", "-1000000000000000000", "9223372036854775807", "-9223372036854775808",
    "9223372036854775808", "1.5", "1.0", "1e3", "1E3", "0x10", "0X10", "0b1", "1_000", "+5", " 7",
    "7 ", "\t7", "7\n", "-", "--1", "", " ", "１２", "٣", "1-", "0.", ".5", "NaN", "inf", "1,000",
]


def _int_column():
    return next(c for fam in FAMILIES.values() for c in fam.columns if c.type == "int")


@pytest.mark.parametrize("value", VALUES + [None])
def test_integer_check_is_exactly_the_pattern(value):
    col = _int_column()
    conds = [cond for cond, msg in S.problems(col, "v") if msg == "not an integer"]
    assert len(conds) == 1
    con = duckdb.connect()
    failed = con.execute(f"SELECT coalesce({conds[0]}, false) FROM (SELECT ?::VARCHAR AS v)",
                         [value]).fetchone()[0]
    expected = value is not None and INT.fullmatch(value) is None
    assert failed == expected, f"{value!r}: check says {'bad' if failed else 'good'}"
