"""E2: a count stated in a table's labels - a group label "A (n=3)", 「甲區(3人)」, a column
header "Cases (n = 4)" - is a published cell like any other.

The table rules read the numbers in the value columns; a count written into a label left
beside them unchecked.  Every header and every label of a grouping column is read the way
sentences are (:func:`egress_review.engine.prose.read_numbers`): a count under the threshold
blocks, wherever it is written.
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.engine.prose import read_numbers
from egress_review.engine.numerals import spelled_number
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "label_counts"
KINDS = {"table"}


def _small_counts(label: str, m: int) -> list[float | str]:
    text = str(label)
    if not any(c.isalnum() for c in text):
        return []
    # a bound at or under the threshold ("A (<6)", 「甲區(少於5人)」) marks a small cell too: its
    # value is reported as the bound, "under k"
    return [n.value if n.kind == "count" else f"under {n.value:g}" for n in read_numbers(text)
            if n.value is not None and (n.kind == "count" and 0 < n.value < m
                                        or n.kind == "bound" and 0 < n.value <= m)]


def _show(k: float | str) -> str:
    return k if isinstance(k, str) else f"{k:g}"


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    m = ctx.policy.min_units_per_cell
    for col in table.columns:
        for k in _small_counts(col, m):
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                    location={"column": col, "header": True},
                    en=f"The header {col!r} states a count of {_show(k)} (fewer than {m}).",
                    zh=f"欄位標題 {col!r} 載明計數 {_show(k)}（少於 {m}）。")
    for col in table.group_cols:
        texts = table.text(col).tolist()
        seen: dict[str, list[float]] = {}
        for i, t in enumerate(texts):
            if t not in seen:
                seen[t] = [] if spelled_number(t) is not None else _small_counts(t, m)
            for k in seen[t]:
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                               en=f"The label {t!r} states a count of {_show(k)} (fewer than {m}).",
                               zh=f"標籤 {t!r} 載明計數 {_show(k)}（少於 {m}）。")
