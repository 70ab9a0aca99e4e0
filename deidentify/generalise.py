"""Generalisation of quasi-identifiers (RULES.md D1): birthdays, service dates, ages, areas."""
from __future__ import annotations

from typing import Literal

AGE_BANDS = ((0, 14), (15, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 84), (85, 200))


def birthday_sql(v: str, granularity: Literal["year", "year_month"]) -> str:
    """``YYYYMMDD`` → ``YYYYMM`` or ``YYYY``."""
    return f"substr({v}, 1, {6 if granularity == 'year_month' else 4})"


def date_sql(v: str, granularity: Literal["day", "month"]) -> str:
    """``YYYYMMDD`` → DATE (day) or ``YYYYMM`` (month)."""
    if granularity == "day":
        return f"CAST(strptime({v}, '%Y%m%d') AS DATE)"
    return f"substr({v}, 1, 6)"


def birthday(value: str, granularity: Literal["year", "year_month"]) -> str:
    return value[: 6 if granularity == "year_month" else 4]


def age_band(age: int) -> str:
    for lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return f"{lo}+" if hi >= 200 else f"{lo}-{hi}"
    raise ValueError(f"age {age} out of range")


def age_band_sql(age_expr: str) -> str:
    parts = " ".join(f"WHEN {age_expr} BETWEEN {lo} AND {hi} THEN '{lo}-{hi}'"
                     for lo, hi in AGE_BANDS[:-1])
    return f"CASE {parts} WHEN {age_expr} >= {AGE_BANDS[-1][0]} THEN '{AGE_BANDS[-1][0]}+' END"
