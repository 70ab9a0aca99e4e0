"""SQL building blocks for validation and de-identification in DuckDB."""
from __future__ import annotations

from datasets.schemas.model import Column
from deidentify import generalise as G

# Letter values of Taiwan IDs, 10..35, in the order of this string (A10 B11 ... I34 O35).
_LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def twid_ok(v: str) -> str:
    """SQL boolean: ``v`` is a checksum-valid national ID / resident certificate (all forms)."""
    n = f"(strpos('{_LETTERS}', substr({v}, 1, 1)) + 9)"
    s2 = (f"(CASE WHEN substr({v}, 2, 1) BETWEEN 'A' AND 'D' THEN ascii(substr({v}, 2, 1)) - 65 "
          f"ELSE ascii(substr({v}, 2, 1)) - 48 END)")
    digits = " + ".join(f"{w} * (ascii(substr({v}, {i}, 1)) - 48)"
                        for w, i in zip((7, 6, 5, 4, 3, 2, 1, 1), range(3, 11)))
    total = f"({n} // 10 + 9 * ({n} % 10) + 8 * {s2} + {digits})"
    return f"(regexp_full_match({v}, '[A-Z][A-D0-9][0-9]{{8}}') AND {total} % 10 = 0)"


def id_ok(c: Column, v: str) -> str:
    if c.type == "twid":
        return twid_ok(v)
    return f"regexp_full_match({v}, {lit(c.pattern or '.*')})"


_INT_DIGITS = 18                           # at most, with an optional minus sign
_INT_PATTERN = f"'-?[0-9]{{1,{_INT_DIGITS}}}'"   # as a SQL literal
_INT_MAX = 10 ** _INT_DIGITS - 1


def problems(c: Column, v: str) -> list[tuple[str, str]]:
    """(SQL condition, message) pairs for the non-identifier checks of one column."""
    out = []
    if c.required:
        out.append((f"{v} IS NULL", "required value missing"))
    nn = f"{v} IS NOT NULL AND "
    if c.type == "int":
        # not TRY_CAST alone: DuckDB casts '1.5' to 2, '1e3' to 1000 and '0x10' to 16.  A value
        # that casts and reads back the same is an integer; only the others (leading zeros, or
        # not an integer) pay for the pattern, which costs twice the cast
        x = f"TRY_CAST({v} AS BIGINT)"
        out.append((nn + f"({x} IS NULL OR CAST({x} AS VARCHAR) <> {v} OR {x} NOT BETWEEN "
                    f"-{_INT_MAX} AND {_INT_MAX}) AND NOT regexp_full_match({v}, {_INT_PATTERN})",
                    "not an integer"))
    elif c.type == "dec":
        out.append((nn + f"TRY_CAST({v} AS DOUBLE) IS NULL", "not a number"))
    elif c.type == "date":
        out.append((nn + f"(length({v}) <> 8 OR try_strptime({v}, '%Y%m%d') IS NULL "
                    f"OR {v} < '19000101' OR {v} > '21001231')", "not a date YYYYMMDD"))
    elif c.type == "ym":
        out.append((nn + f"(length({v}) <> 6 OR try_strptime({v} || '01', '%Y%m%d') IS NULL)",
                    "not a year-month YYYYMM"))
    elif c.type == "year":
        out.append((nn + f"NOT regexp_full_match({v}, '(19|20)[0-9][0-9]')", "not a year YYYY"))
    elif c.type == "code":
        dom = ", ".join(lit(x) for x in c.domain or ())
        out.append((nn + f"{v} NOT IN ({dom})", "not in the code domain"))
    elif c.type == "pattern" and c.action != "recode":
        out.append((nn + f"NOT regexp_full_match({v}, {lit(c.pattern or '.*')})",
                    "does not match the code format"))
    return out


def output_expr(c: Column, action: str, v: str, policy, *, lenient: bool = False) -> str:
    """SQL for a kept or generalised column's warehouse value.

    ``lenient``: NULL instead of an error where ``v`` fails its check - the loader computes
    outputs in the same scan as the checks, for every row, and never writes a failed row."""
    cast = "TRY_CAST" if lenient else "CAST"
    if action == "generalise":
        if c.generalise == "birthday":
            return G.birthday_sql(v, policy.data.birthday_granularity)
        if c.generalise == "hour":
            return f"substr({v}, 1, 2)"   # HHMMSS -> HH: the time of day singles out a visit
        return G.date_sql(v, policy.data.date_granularity, lenient=lenient)
    if c.type == "int":
        return f"{cast}({v} AS BIGINT)"
    if c.type == "dec":
        return f"{cast}({v} AS DOUBLE)"
    if c.type == "date":
        return f"CAST({'try_' if lenient else ''}strptime({v}, '%Y%m%d') AS DATE)"
    if c.type == "year":
        return f"{cast}({v} AS INTEGER)"
    return v
