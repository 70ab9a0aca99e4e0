"""A paper's "Table 1" as the count tables it is made of, so that it is linked (E3).

A Table 1 stacks variables down its rows - "Sex, n (%)" then "  Female 103 (51.5)",
"  Male 97 (48.5)" - with the groups of the study across its columns, each headed with its
size ("Treated (N = 120)").  Read cell by cell (:mod:`unit_tables`) its counts are checked one
by one, but nothing linked them to the request's other tables or to earlier releases: the same
counts by sex published again with one cell a few larger, or a category plus the rest short
of the column's N, passed.  Each variable is therefore also a small crosstab - its categories
down the rows, the groups across (an "Overall"/"Total" column is their margin), and a Total
row holding each column's N - that the request-wide rules (linking, differencing, total gaps,
prose_tables) read like any table.  What a column's N leaves beside the categories shown
(missing values, or the "No" of a yes/no variable) is stated by difference: 1 … threshold−1
of it blocks (the caller, :mod:`table_units`, checks it); the Total row is kept only where
the categories add up to it (a yes/no variable gets its "No" row):

- a variable row with no counts of its own ("Sex, n (%)", 「性別」) heads the rows below it;
- a variable row with counts of its own and indented rows below is their subtotal;
- a variable row with counts and nothing below ("Diabetes, n (%)  90 (30.0)") is a yes/no
  variable: its "Yes" and the column's N;
- categories that add up to more than a column's N overlap (comorbidities): each is then a
  yes/no variable of its own.
Only cells printed as counts (``n (%)``, ``n/N (%)``, or plain whole numbers under a variable
that says ``n``) are taken; means, medians and p-values are not counts.
"""
from __future__ import annotations

import html
import re

import pandas as pd

from egress_review.engine.paper_cells import header_n, parse_cell
from egress_review.manifest import ColumnRole, ManifestFile

_MARK = re.compile(r"[,，:：]?\s*(?:n|no\.?|number)\s*[(（]\s*[%％]\s*[)）]|[,，]\s*n\s*$|"
                   r"[(（]\s*[%％]\s*[)）]|人數\s*[(（]?\s*[%％]?\s*[)）]?", re.I)
_N_PART = re.compile(r"[(（\[［]?\s*(?:\b[nN]\s*[=:＝]\s*|共\s*)[\d,]+\s*(?:人|例|名|位)?\s*[)）\]］]?")
_N_ROW = re.compile(r"^(?:n|no\.?|number|number of (?:patients|persons|subjects|participants)|"
                    r"no\. of (?:patients|persons|subjects|participants)|patients|人數|總人數|病人數)$", re.I)
_INDENT = re.compile(r"^[\s\u3000\u00a0·•\-–—]+")


def _clean(label: str) -> str:
    return " ".join(_MARK.sub("", label).split()).strip(" ,，:：") or label.strip()


def _is_n_pct(text: str) -> bool:
    cell = parse_cell(text.strip(), "") if text.strip() else None
    return cell is not None and cell.form in ("n (%)", "n/N (%)")


def _counts(row: list[str], cols: list[int], label: str, header: list[str], plain_ok: bool) -> dict:
    out = {}
    for k in cols:
        text = row[k].strip() if k < len(row) else ""
        if not text:
            continue
        cell = parse_cell(text, f"{label} {header[k]}")
        if cell is None:
            continue
        if cell.form in ("n (%)", "n/N (%)"):
            out[k] = cell.parts[0][1]
        elif cell.form == "number" and cell.parts[0][0] == "number" and plain_ok \
                and float(cell.parts[0][1]).is_integer():
            out[k] = cell.parts[0][1]
    return out


class _Block:
    def __init__(self, var: str, head: tuple[dict, int] | None, marked: bool):
        self.var, self.head, self.marked = var, head, marked
        self.cats: list[tuple[str, dict, int]] = []


def _blocks(rows: list[list[str]], body: list[int], cols: list[int], header: list[str]):
    """Variables with their categories, and the columns' N from an "N" row."""
    blocks: list[_Block] = []
    col_n: dict[int, tuple[float, int]] = {}
    current: _Block | None = None
    for i in body:
        raw = html.unescape(rows[i][0]) if rows[i] else ""      # Markdown's "&nbsp;&nbsp;Female"
        label = raw.strip()
        indented = bool(_INDENT.match(raw)) and bool(label)
        if _N_ROW.match(_clean(label)) and not _MARK.search(label):
            for k in cols:
                v = parse_cell(rows[i][k].strip() if k < len(rows[i]) else "")
                if v is not None and v.form == "number" and v.parts[0][0] == "number":
                    col_n[k] = (v.parts[0][1], i)
            current = None
            continue
        marked = bool(_MARK.search(label))
        plain_ok = marked or (current is not None and current.marked)
        counts = _counts(rows[i], cols, label, header, plain_ok)
        filled = any(k < len(rows[i]) and rows[i][k].strip() for k in cols)
        if not filled:                                   # a variable heading the rows below
            current = _Block(_clean(label), None, marked)
            blocks.append(current)
            continue
        if not counts:                                   # a mean, a median, a p-value row
            current = None
            continue
        if current is not None and not marked and (indented or current.head is None):
            current.cats.append((_INDENT.sub("", label), counts, i))
            continue
        current = _Block(_clean(label), (counts, i), marked)
        blocks.append(current)
    return [b for b in blocks if b.cats or b.head], col_n


def _df(var: str, names: dict[int, str], cats: list[tuple[str, dict, int]],
        total: dict[int, tuple[float, int]], h: int, rests: list, rest_label: str = ""):
    """The piece as a wide table: its categories, what the columns' N leaves of them (so that
    the categories add up, as the linear model of differencing needs), and the Total row."""
    cols = list(names)
    known = bool(total) and all(k in total for k in cols)
    rest = {k: total[k][0] - sum(c[1].get(k, 0) for c in cats) for k in cols} if known else {}
    rests += [(v, total[k][1], k) for k, v in rest.items() if v > 0.5]
    rows = list(cats)
    if rest_label == "No" and rest and min(rest.values()) > -0.5:
        rows.append((rest_label, rest, None))         # a yes/no variable: its "no" is known
    elif rest and any(abs(v) > 0.5 for v in rest.values()):
        # categories that do not add up to N (missing values) are a part of the persons: the
        # Total row would make them seem all of them
        known = False
    data = {var: [c[0] for c in rows]} | {names[k]: [_fmt(c[1].get(k)) for c in rows] for k in cols}
    origin = [{var: (c[2] if c[2] is not None else h, 0)} |
              {names[k]: ((c[2], k) if c[2] is not None else (total[k][1], k)) for k in cols}
              for c in rows]
    if known:
        data[var].append("Total")
        for k in cols:
            data[names[k]].append(_fmt(total[k][0]))
        origin.append({var: (h, 0)} | {names[k]: (total[k][1], k) for k in cols})
    return pd.DataFrame(data, dtype=object), origin


def _fmt(v) -> str:
    return "" if v is None else f"{v:g}"


def views(rows: list[list[str]], path: str, h: int) -> tuple[list, list]:
    """The component tables of a Table 1 (``rows`` as read, ``h`` its header row), as
    :class:`unit_tables.View` objects for the request-wide rules, and the remainders
    (value, row, column) a column's N leaves beside its categories (the caller checks them
    against the threshold); ([], []) when the rows are not a Table 1 (no cell ``n (%)``)."""
    from egress_review.engine.unit_tables import View

    rows = [[str(c) if c is not None else "" for c in r] for r in rows]
    if len(rows) <= h + 1:
        return [], []
    header = [str(c) for c in rows[h]]
    width = max(len(r) for r in rows)
    header += [""] * (width - len(header))
    body = [i for i in range(h + 1, len(rows)) if any(str(c).strip() for c in rows[i])]
    # the group columns: those printing counts as papers do (not a p-value or SMD column)
    cols = [k for k in range(1, width) if any(_is_n_pct(rows[i][k]) for i in body if k < len(rows[i]))]
    if not cols:
        return [], []
    orig = None
    if _two_label_columns(rows, body, cols):
        rows, orig = _one_label_column(rows, h)
        body = [i for i in range(h + 1, len(rows)) if any(c.strip() for c in rows[i])]
    blocks, n_row = _blocks(rows, body, cols, header)
    col_n = {k: (v, h) for k in cols if (v := header_n(header[k])) is not None} | n_row
    used = sorted({k for b in blocks for _, c, _ in b.cats for k in c} |
                  {k for b in blocks if b.head for k in b.head[0]})
    if not used:
        return [], []
    taken: set[str] = set()
    names = {}
    for k in used:
        name = " ".join(_N_PART.sub("", header[k]).split()).strip(" ,，:：") or f"column {k + 1}"
        if len(used) == 1:
            name = "n"
        while name in taken:
            name += " "
        taken.add(name)
        names[k] = name
    group = f"groups of {path}" if len(used) > 1 else None
    out, rests = [], []
    for b in blocks:
        var = b.var.replace(":", " ") or "variable"
        pieces: list[tuple[list, dict | None]] = []
        if b.cats and b.head:                        # indented rows under their subtotal
            pieces.append((b.cats, {k: (v, b.head[1]) for k, v in b.head[0].items()}))
        elif b.head:                                 # yes/no: its "Yes" of the column's N
            pieces.append(([("Yes", b.head[0], b.head[1])], col_n))
        elif all(sum(c.get(k, 0) for _, c, _ in b.cats) <= col_n[k][0] + 0.5 for k in col_n):
            pieces.append((b.cats, col_n))
        else:                                        # overlapping categories: each its own
            pieces += [([(lab, c, i)], col_n) for lab, c, i in b.cats]
        for cats, total in pieces:
            v = var if len(pieces) == 1 else f"{var} {cats[0][0]}"
            yes_no = len(pieces) > 1 or cats[0][0] == "Yes"
            if len(pieces) > 1:
                cats = [("Yes", cats[0][1], cats[0][2])]
            df, origin = _df(v, names, cats, total or {}, h, rests, "No" if yes_no else "")
            roles = {v: ColumnRole(role="group")} | {names[k]: ColumnRole(role="count") for k in used}
            spec = ManifestFile(path=f"{path}#{len(out) + 1} {v}"[:300], kind="table",
                                description="a variable of a Table 1", columns=roles,
                                column_group=group)
            out.append(View(spec, df, origin, checks=frozenset()))
    if orig is not None:                     # back to the rows as the file has them
        for v in out:
            v.origin = [{c: (orig[r], k) for c, (r, k) in o.items()} for o in v.origin]
        rests = [(v, orig[r], k) for v, r, k in rests]
    return out, rests


def _two_label_columns(rows: list[list[str]], body: list[int], cols: list[int]) -> bool:
    """The variable in the first column (once, at its first category), the categories in the
    second: "Sex | Female | 103 (51.5)" then " | Male | 97 (48.5)"."""
    second = [i for i in body if len(rows[i]) > 1 and rows[i][1].strip()]
    return 1 not in cols and len(second) >= 2 and any(not rows[i][0].strip() for i in second)


def _one_label_column(rows: list[list[str]], h: int) -> tuple[list[list[str]], list[int]]:
    """The same rows with the variable as a heading row and its categories indented below,
    and for each new row the row of the file it comes from."""
    out, orig = rows[:h + 1], list(range(h + 1))
    for i in range(h + 1, len(rows)):
        r = rows[i] + [""] * (2 - len(rows[i]))
        var, cat = r[0].strip(), r[1].strip()
        if var and cat:
            out.append([var] + [""] * (len(r) - 1))
            orig.append(i)
        out.append([f"  {cat}" if cat else var, ""] + r[2:])
        orig.append(i)
    return out, orig
