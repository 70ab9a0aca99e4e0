"""E3: what a published count cell tells a reader, as an interval of whole numbers.

Differencing (round 14 and before) read every count as exact, so a rounded release against an
exact total or an earlier exact release was judged on its displayed digits: an honest rounded
table a few off an earlier one "derived" a small cell, and a rounded cell the intervals pin went
unseen (round 15).  A cell is read as:

- exact: its number (lo = hi);
- rounded: a column declared ``rounded_to`` N, a description that says the counts are rounded
  to N (「四捨五入至N」), or a count column whose every non-zero value is a multiple of 5, 10 or
  100 (at least ``_UNDECLARED_MIN`` of them: a reader presumes the rounding) - the displayed
  value ± N/2 (whatever the rounding's convention; randomly rounded: ± (N - 1));
- a mark: "<5", "≤4", "< 10", "1-4", "10–14", "10 to 14", 「5以下」, 「未滿5」 - the range it
  states; a bare mark ("*", "c", "x", "S", "suppressed") - nothing but ≥ 0.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from egress_review.engine.tables import Table

# A column of this many non-zero multiples of one base, and nothing else, reads as rounded.
_UNDECLARED_MIN = 3
_BASES = (100, 10, 5)

_NUM = r"(\d[\d,]*)"
_LESS = re.compile(r"^\s*(?:<|＜|less than|fewer than|under)\s*" + _NUM + r"\s*$", re.I)
_AT_MOST = re.compile(r"^\s*(?:<=|≤|≦|＜＝|at most|up to)\s*" + _NUM + r"\s*$", re.I)
_MORE = re.compile(r"^\s*(?:>|＞|more than|over)\s*" + _NUM + r"\s*$", re.I)
_AT_LEAST = re.compile(r"^\s*(?:>=|≥|≧)\s*" + _NUM + r"\s*$", re.I)
_RANGE = re.compile(r"^\s*" + _NUM + r"\s*(?:-|–|—|~|～|to|至|－)\s*" + _NUM + r"\s*$", re.I)
_ZH_BELOW = re.compile(r"^\s*(?:未滿|少於|低於|小於)\s*" + _NUM + r"\s*(?:人|名|例)?\s*$")
_ZH_AT_MOST = re.compile(r"^\s*" + _NUM + r"\s*(?:人|名|例)?\s*(?:以下|以內)\s*$")
_BARE_MARKS = {"*", "**", "c", "x", "s", "n/a", "na", "suppressed", "supp", "masked", "<", "-",
               "–", "—", "..", "…", "np", "隱藏", "遮蔽", "不公開", "†", "‡", "§"}

_RANDOM = re.compile(r"\brandom(?:ly)?\b|隨機", re.I)


@dataclass(frozen=True)
class Span:
    lo: float
    hi: float              # inf: no upper bound
    how: str               # "exact", "rounded to N", "mark <5", "suppressed"

    @property
    def exact(self) -> bool:
        return self.lo == self.hi


def _n(s: str) -> float:
    return float(s.replace(",", ""))


def mark_span(text: str) -> Span | None:
    """The range a suppression mark or a range cell states, None when the text is no mark."""
    s = str(text).strip()
    if not s:
        return None
    if s.casefold() in _BARE_MARKS:
        return Span(0.0, math.inf, f"mark {s}")
    for rx, f in ((_LESS, lambda a: (0.0, a - 1)), (_ZH_BELOW, lambda a: (0.0, a - 1)),
                  (_AT_MOST, lambda a: (0.0, a)), (_ZH_AT_MOST, lambda a: (0.0, a)),
                  (_MORE, lambda a: (a + 1, math.inf)), (_AT_LEAST, lambda a: (a, math.inf))):
        m = rx.match(s)
        if m:
            lo, hi = f(_n(m.group(1)))
            return Span(max(lo, 0.0), hi, f"mark {s}")
    m = _RANGE.match(s)
    if m:
        a, b = _n(m.group(1)), _n(m.group(2))
        if a <= b:
            return Span(a, b, f"range {s}")
    return None


def declared_base(table: Table, col: str) -> tuple[float, bool] | None:
    """(rounding base, random) the requester declared for a count column: ``rounded_to`` on
    the column, or "rounded to N" in the file's description."""
    role = table.role(col)
    said = table.spec.description or ""
    if role is not None and role.rounded_to:
        return float(role.rounded_to), bool(_RANDOM.search(said))
    from egress_review.engine.declared_claims import _ROUNDED, _first

    base = _first(_ROUNDED.search(said))
    if base and base >= 2:
        return float(base), bool(_RANDOM.search(said))
    return None


def undeclared_base(values: np.ndarray) -> float | None:
    """A base every non-zero value is a multiple of (100, 10 or 5), with at least
    ``_UNDECLARED_MIN`` such values: a reader takes the column as rounded."""
    v = values[np.isfinite(values)]
    nz = v[v != 0]
    if len(nz) < _UNDECLARED_MIN or (nz != np.round(nz)).any() or (nz < 0).any():
        return None
    for b in _BASES:
        if not (nz % b).any():
            return float(b)
    return None


def rounding_of(table: Table, col: str) -> tuple[float, bool, bool] | None:
    """(base, random, declared) for a count column, None when its numbers read as exact."""
    d = declared_base(table, col)
    if d is not None:
        return d[0], d[1], True
    b = undeclared_base(table.numeric(col))
    return (b, False, False) if b else None


def column_spans(table: Table, col: str) -> list[Span | None]:
    """Per row: the cell's :class:`Span`; None for a blank (hidden, nothing stated)."""
    cache = table._num.setdefault("__spans__", {})
    if col in cache:
        return cache[col]
    vals = table.numeric(col)
    texts = table.text(col).tolist()
    totals = table.total_rows()
    d = declared_base(table, col)
    # undeclared: the base of the cells; a total row that is no multiple of it is exact
    # (A 1040, B 5, Total 1043: the cells rounded, the total not)
    b = None if d else undeclared_base(vals[~totals] if totals.any() else vals)
    rnd = (d[0], d[1], True) if d else ((b, False, False) if b else None)
    out: list[Span | None] = []
    for i, (v, t) in enumerate(zip(vals, texts)):
        if np.isfinite(v):
            if rnd is None or (totals[i] and not rnd[2] and v % rnd[0]):
                out.append(Span(float(v), float(v), "exact"))
            else:
                base, random, _ = rnd
                half = base - 1 if random else base / 2
                out.append(Span(max(0.0, math.ceil(v - half)), math.floor(v + half),
                                f"rounded to {base:g}"))
        else:
            out.append(mark_span(t) if str(t).strip() else None)
    cache[col] = out
    return out


def cell_span(table: Table, col: str, row: int) -> Span | None:
    """The interval a reader gives one count cell (E3, round 15; the switch: ``None`` reads
    every cell as the engine did before, exact or hidden)."""
    return column_spans(table, col)[row]


def declared_rounded(table: Table, col: str) -> bool:
    """A column the requester says is rounded: its digits are not the counts (differencing
    leaves it to :mod:`interval_differencing`)."""
    return declared_base(table, col) is not None


def series_declared_rounded(series) -> bool:
    """A linked series (:class:`linking.Series`) with a column declared rounded: the exact
    cross-table checks (differencing, nested_pairs, total_gaps) leave it to
    :mod:`interval_differencing`, which reads its cells as ranges."""
    return any(declared_rounded(series.table, col) for col in {c.column for c in series.cells})
