"""E2: counts published at a scale ("in thousands", "(000s)", 千人, 萬人, "in millions") are
read as the persons they stand for.

Round 7 read such a table as written: 12.4 thousand was a count of 12 and 3.2 thousand one of
3, so a safe table blocked (strict, not precise), while the lie "in thousands" over real small
counts was named only by ``declared_claims``.  Here, before any count is judged, a count column
(or the units column of a statistic) whose header, the table's description, its caption or the
lines around it state a scale is decided from its content:

- a column holding a value with a fractional part (12.4) cannot be a count of persons as
  written, so the scale is real: every cell is multiplied by it (the later checks, differencing
  and suppression see persons) and a cell that *can* be small at its printed precision blocks,
  saying so: 0.003 thousand is 3 persons, "0.0" thousand is 0 … 49, "0.01" thousand 5 … 15;
- a cell written as a whole number under the threshold among such values ("3.0" or "3" beside
  12.4) goes to a person: it is 3 000 persons only if the declaration is true;
- a column of whole numbers only keeps its values as written (3 "thousand" may be 3 persons:
  the claim cannot be checked) and a small one blocks, naming the scale it was declared at.

Rates per 1 000/100 000 are not counts at a scale: with their denominator the ``structure``
check works out the count they give away.
"""
from __future__ import annotations

import math
import re

import numpy as np

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "scaled_counts"
KINDS = {"table"}

# (factor, pattern): the larger scales first, so 「萬人」 is not read as a thousand.
_SCALES = [
    (1_000_000, re.compile(r"\bin millions\b|\(\s*millions?\s*\)|\b(?:millions|mn) of (?:persons|people|patients)\b|"
                           r"(?<!每)百萬人|單位[:：]?\s*百萬", re.I)),
    (10_000, re.compile(r"\bin ten thousands\b|\(\s*10,?000s\s*\)|(?<![每十百])萬人|(?<![每十百])万人|單位[:：]?\s*[萬万]|[（(]\s*[萬万]\s*[)）]", re.I)),
    (1_000, re.compile(r"\bin thousands\b|\(\s*thousands?\s*\)|\(\s*'?0{3}s?\s*\)|(?<![\d,.])'0{3}s?\b|\b0{3}s\b|"
                       r"\(\s*k\s*\)|\bthousands of (?:persons|people|patients|cases|visits)\b|"
                       r"[×x]\s*1,?000\b|[×x]\s*10\^?3\b|(?<![每])千人|單位[:：]?\s*千|[（(]\s*千\s*[)）]", re.I)),
]
_NUMBER = re.compile(r"^\s*-?\d[\d,]*(?:\.(\d+))?\s*$")


def scale_of(text: str) -> tuple[int, str] | None:
    """The scale ``text`` states for counts, and the words that state it."""
    for factor, rx in _SCALES:
        hit = rx.search(text or "")
        if hit:
            return factor, hit.group(0).strip()
    return None


def _cell(text: str) -> tuple[float, int] | None:
    """(value, decimals printed) of a plain number cell, else None."""
    m = _NUMBER.match(str(text))
    if not m:
        return None
    return float(str(text).replace(",", "").strip()), len(m.group(1) or "")


def _columns(table) -> list[str]:
    cols = list(table.cols_with("count", "suppressed"))
    for c in table.cols_with("statistic"):
        u = table.role(c).units_column
        if u and u in table.columns and u not in cols:
            cols.append(u)
    return cols


def rescale(ctx: Context, spec: ManifestFile, table, words: str) -> None:
    """Read the count columns of ``table`` at the scale their header or ``words`` state (see
    the module doc); findings go to ``spec.path``."""
    m = ctx.policy.min_units_per_cell
    for col in _columns(table):
        found = scale_of(str(col)) or scale_of(words)
        if found is None:
            continue
        factor, phrase = found
        cells = [_cell(t) for t in table.text(col).tolist()]
        fractional = any(c is not None and c[0] != math.floor(c[0]) for c in cells)
        if not fractional:
            low = [c[0] for c in cells if c is not None and 1 <= c[0] < m]
            if low:
                i = next(j for j, c in enumerate(cells) if c is not None and c[0] == low[0])
                ctx.block_cell(
                    rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                    en=f"Column {col!r} is declared at a scale ({phrase!r}, × {factor:,}) but holds "
                       f"only whole numbers, and {low[0]:g} is under {m}: nothing in the content "
                       "shows the scale is real, so it is read as written ({low[0]:g} persons). "
                       "Publish the counts themselves, or at the scale with their decimals.",
                    zh=f"欄位 {col!r} 宣告以 {phrase}（× {factor:,}）為單位，但只含整數，且 {low[0]:g} 小於 {m}："
                       f"內容無法證實此單位，故依所寫讀為 {low[0]:g} 人。請公開原始計數，或以該單位連同小數公開。")
            continue
        new = []
        for i, c in enumerate(cells):
            if c is None:
                new.append(table.text(col).iloc[i])
                continue
            v, places = c
            half = 0.5 * 10.0 ** -places
            lo = math.ceil(round(max(v - half, 0.0) * factor, 6))
            hi = (v + half) * factor
            new.append(f"{round(v * factor):d}")
            shown = table.text(col).iloc[i]
            if v == 0 and places == 0:
                continue               # a zero: the zero-cell review applies
            if lo < m and hi > 1:
                top = math.floor(hi - 1e-9)
                at = f"{max(lo, 1)}" if max(lo, 1) >= top else f"{max(lo, 1)} … {top}"
                ctx.block_cell(
                    rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                    where={"persons": at, "shown": shown.strip(), "scale": factor, "declared": phrase},
                    en=f"Column {col!r} is in units of {factor:,} ({phrase!r}): {shown.strip()} at its "
                       f"printed precision can be {at} persons, under {m}. Merge or suppress it.",
                    zh=f"欄位 {col!r} 以 {factor:,} 為單位（{phrase}）：{shown.strip()} 依其顯示精度可能為 "
                       f"{at} 人，少於 {m}。請合併或隱藏。")
            elif v == math.floor(v) and 1 <= v < m:
                ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                        location=table.location(i, col),
                        en=f"Column {col!r} is in units of {factor:,} ({phrase!r}), but {shown.strip()} "
                           f"is written as a whole number under {m}: it is {v * factor:,.0f} persons only "
                           "if the declared scale holds for it. A reviewer checks it.",
                        zh=f"欄位 {col!r} 以 {factor:,} 為單位（{phrase}），但 {shown.strip()} 寫成小於 {m} 的整數："
                           f"唯有宣告的單位屬實，才是 {v * factor:,.0f} 人。由審查人確認。")
        table.df[col] = new
        table._num.pop(col, None)


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if spec.path in ctx.provenance:
        return          # a table the broker sealed holds counts as counted
    rescale(ctx, spec, ctx.tables[spec.path], spec.description)
