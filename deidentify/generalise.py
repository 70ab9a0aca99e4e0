"""Generalisation of quasi-identifiers (RULES.md D1): birthdays, service dates, ages, areas."""
from __future__ import annotations

from typing import Literal, Sequence

AgeBands = Sequence[tuple[int, int | None]]


def policy_age_bands(bands: AgeBands | None = None) -> tuple[tuple[int, int | None], ...]:
    """``bands`` checked (from 0, ascending, no gap or overlap, last open), or the policy's
    ``data.age_bands`` (RULES.md D1) when None."""
    from policies.sections.data import check_age_bands

    if bands is None:
        from policies import current_policy

        return current_policy().data.age_bands  # validated when the policy was loaded
    try:
        return check_age_bands(bands)
    except (TypeError, ValueError) as e:
        raise ValueError(f"age bands: {e}") from None


def _label(lo: int, hi: int | None) -> str:
    return f"{lo}+" if hi is None else f"{lo}-{hi}"


def birthday_sql(v: str, granularity: Literal["year", "year_month"]) -> str:
    """``YYYYMMDD`` → ``YYYYMM`` or ``YYYY``."""
    return f"substr({v}, 1, {6 if granularity == 'year_month' else 4})"


def date_sql(v: str, granularity: Literal["day", "month"], *, lenient: bool = False) -> str:
    """``YYYYMMDD`` → DATE (day) or ``YYYYMM`` (month); ``lenient``: NULL, not an error, for a
    value that is no date."""
    if granularity == "day":
        return f"CAST({'try_' if lenient else ''}strptime({v}, '%Y%m%d') AS DATE)"
    return f"substr({v}, 1, 6)"


def birthday(value: str, granularity: Literal["year", "year_month"]) -> str:
    return value[: 6 if granularity == "year_month" else 4]


def age_band(age: int, bands: AgeBands | None = None) -> str:
    """The band label (``"25-34"``, ``"85+"``) of ``age``; ``bands`` default to the policy's."""
    for lo, hi in policy_age_bands(bands):
        if lo <= age and (hi is None or age <= hi):
            return _label(lo, hi)
    raise ValueError(f"age {age} out of range")


def age_band_sql(age_expr: str, bands: AgeBands | None = None) -> str:
    """SQL CASE giving the band label of ``age_expr`` (NULL for negative ages)."""
    bands = policy_age_bands(bands)
    parts = " ".join(f"WHEN {age_expr} BETWEEN {lo} AND {hi} THEN '{_label(lo, hi)}'" for lo, hi in bands[:-1])
    last = bands[-1][0]
    return f"CASE {parts} WHEN {age_expr} >= {last} THEN '{_label(last, None)}' END"
