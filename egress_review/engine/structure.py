"""Structure of a table inferred from its data: declarations can add structure, never hide it.

- a column whose values behave like counts (non-negative integers that add up to the table's
  total rows) is a count whatever role it was declared with; a column declared ``group`` that
  holds integers and is not needed to tell the rows apart is a value, not a grouping key;
- a long table whose count columns are the categories of one variable and their total (a
  ``Total`` column, or a column equal to the sum of the others) is a crosstab: the total
  column is a margin;
- margin labels (``Total``, ``All``, ``合計`` …) are recognised whatever ``total_labels`` says.

:func:`infer` runs when a table is read (request and release history alike); the rule module
reports what could not be decided (a statistic column of small integers with nothing to show
whether it is a count) for review.
"""
from __future__ import annotations

import re

import numpy as np

from egress_review.engine import bins
from egress_review.engine.context import Context
from egress_review.engine.header_fold import plain
from egress_review.engine.tables import Table
from egress_review.engine.unit_tables import counts_events, header_role
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "structure"
KINDS = {"table"}

# Statistics whose values could be counts in disguise; percents/rates add up to 100 or 1.
_DISGUISABLE = {"mean", "median", "sum", "std", "min", "max", "percentile", "count", None}


def count_like(table: Table, col: str) -> bool:
    """Every non-blank cell a non-negative integer (blank cells: suppressed or empty)."""
    text = table.text(col).str.strip()
    filled = text.ne("").to_numpy()
    if not filled.any():
        return False
    v = table.numeric(col)[filled]
    return bool(np.all(~np.isnan(v)) and np.all(v >= 0) and np.all(np.abs(v - np.round(v)) < 1e-9))


# Whole numbers with a trace added to each (120.0003, 3.0001, 2.9999: E2, round 13): a median or
# SD of counts so disguised passed, while the same whole numbers went to a reviewer.
_TRACE = 0.002


def whole_with_trace(table: Table, col: str) -> bool:
    """Every non-blank cell (2 or more) within ``_TRACE`` of a non-negative whole number, and not
    all of them exactly whole: counts with noise added."""
    text = table.text(col).str.strip()
    v = table.numeric(col)[text.ne("").to_numpy()]
    if len(v) < 2 or np.isnan(v).any() or (v < 0).any():
        return False
    off = np.abs(v - np.round(v))
    return bool(np.all(off <= _TRACE + 1e-9) and np.any(off > 1e-9))


def _adds_up(table: Table, col: str) -> bool:
    """True when the column's total rows equal the sum of the body rows they cover (at least
    one total row checked, none contradicting)."""
    groups = table.group_cols
    if not groups:
        return False
    tot = table.total_rows()
    if not tot.any() or tot.all():
        return False
    v = table.numeric(col)
    labels = {g: table.text(g).str.strip().to_numpy() for g in groups}
    body = ~tot
    checked = 0
    for t in np.flatnonzero(tot):
        sel = body.copy()
        for g in groups:
            lab = labels[g][t]
            if not table.is_total_label(lab):
                sel &= labels[g] == lab
        if not sel.any() or np.isnan(v[t]) or np.isnan(v[sel]).any():
            continue
        if abs(v[sel].sum() - v[t]) > 1e-6:
            return False
        checked += 1
    return checked > 0


def _keys_rows(table: Table, cols: list[str]) -> bool:
    if not cols:
        return len(table.df) <= 1
    body = ~table.total_rows()
    return not table.df.loc[body, cols].duplicated().any()


def _row_numbers(table: Table, col: str) -> bool:
    """0, 1, 2 … or 1, 2, 3 … down the rows: a printed index (pandas), not a count."""
    v = table.numeric(col)
    return bool(len(v) >= 2 and not np.isnan(v).any()
                and (np.array_equal(v, np.arange(len(v))) or np.array_equal(v, np.arange(1, len(v) + 1))))


def key_is_count(table: Table, col: str) -> bool:
    """A key column of a table of keys alone that its header names a count (n, persons, 人數)."""
    return header_role(plain(col)) == "count" and not _row_numbers(table, col)


def other_bases(table: Table, statistic: str, bases: list[str], counts: set[str]) -> list[str]:
    """Bases of a percent besides its declared denominator: its declared units column, and the
    persons counted beside a denominator of events (visits, claims).  Not for rates: a rate's
    units are persons beside person-time, and rate × persons is no count."""
    if statistic != "percent" or not bases:
        return []
    more = bases[1:]
    if counts_events(plain(bases[0])):
        more += [c for c in table.columns if c in counts and header_role(plain(c)) == "count"
                 and not counts_events(plain(c))]
    return [b for b in dict.fromkeys(more) if b != bases[0]]


def undeclared_bases(table: Table, statistic: str, tried: list[str], counts: set[str]) -> list[str]:
    """Every other count of the table as a percent's or rate's possible base.  A red team
    declared a population of 100,000 as the denominator of a 2.5 % of 120 persons (3 deaths):
    the declared base is the requester's word, the persons beside it are in the same row.  For
    a rate only columns headed as persons (rate × person-time is no count)."""
    out = [c for c in table.columns if c in counts and c not in tried]
    if statistic == "rate":
        out = [c for c in out if header_role(plain(c)) == "count" and not counts_events(plain(c))]
    return out


def _infer_counts(table: Table) -> None:
    found: list[str] = []
    # a histogram's bin edges are its groups, not counts (bins.py); the threshold's default
    # keeps whole-number edges of small unequal widths (cumulative counts?) counted
    edge_cols = set(bins.edge_pair(table, _default_threshold()) or ())
    only_keys = all(table.role(c) is not None and table.role(c).role == "group"
                    for c in table.columns)
    for col in table.columns:
        role = table.role(col)
        if role is None or role.role in ("count", "suppressed") or not count_like(table, col):
            continue
        if col in edge_cols:
            continue
        if role.role == "group":
            others = [g for g in table.group_cols if g != col and g not in found]
            if others and _keys_rows(table, others) and not _row_numbers(table, col):
                found.append(col)
            elif only_keys and key_is_count(table, col):
                # a table of keys alone counts nothing: a column headed n, persons, 人數 is
                # its count, declared a key so that no threshold looked at it
                found.append(col)
        elif role.statistic in _DISGUISABLE:
            if _adds_up(table, col):
                found.append(col)
        elif role.statistic in ("percent", "rate") and _adds_up(table, col):
            tot = table.numeric(col)[table.total_rows()]
            if not np.all(np.isin(np.round(tot[~np.isnan(tot)], 6), (1.0, 100.0))):
                found.append(col)
    # statistic columns of whole numbers where one is the sum of the others: a crosstab of counts
    rest = [c for c in table.columns if c not in found and table.role(c) is not None
            and table.role(c).role == "statistic" and table.role(c).statistic in _DISGUISABLE
            and count_like(table, c)]
    if len(rest) >= 3:
        v = {c: table.numeric(c) for c in rest}
        for total in rest:
            parts = [c for c in rest if c != total]
            if _sums_to(v, total, parts):
                found += rest
                break
    table.inferred_counts = found


def _sums_to(v: dict[str, np.ndarray], total: str, parts: list[str], need_full: bool = True) -> bool:
    """``total`` equals the sum of ``parts`` on every row where all are known (≥ 1 such row
    unless not ``need_full``), and is never below the known parts elsewhere."""
    t = v[total]
    p = np.vstack([v[c] for c in parts])
    full = ~np.isnan(t) & ~np.isnan(p).any(axis=0)
    if not full.any() and need_full:
        return False
    if full.any() and np.abs(p[:, full].sum(axis=0) - t[full]).max() > 1e-6:
        return False
    partial = ~np.isnan(t) & ~full
    return bool(np.all(np.nansum(p[:, partial], axis=0) <= t[partial] + 1e-6))


def _infer_wide(table: Table) -> None:
    """A total column found by label or by value; for a table declared long, the columns it
    totals are then the categories of one variable (a crosstab)."""
    declared_wide = table.spec.column_group is not None
    counts = table.count_cols
    if len(counts) < 2:
        return
    v = {c: table.numeric(c) for c in counts}
    labelled = [c for c in counts if table.is_total_label(c)]
    if declared_wide and labelled:
        return            # its margin column is already known by its label
    candidates = labelled + [c for c in counts if c not in labelled]
    for total in candidates:
        others = [c for c in counts if c != total and not table.is_total_label(c)]
        options = [others] + [[c for c in others if c != drop] for drop in others]
        for parts in options:
            # one category and its total: the two columns equal on every row, none blank
            # ... and only when every column left out is empty or zero: two equal columns beside
            # others with numbers are two categories that happen to match, not a category and
            # its total (taken so, the others fell out of the crosstab and unlinked it)
            single_ok = len(parts) == 1 and not np.isnan(v[total]).any() \
                and not np.isnan(v[parts[0]]).any() \
                and all(np.nan_to_num(v[c]).sum() == 0 for c in others if c not in parts)
            # a labelled total is a margin unless its numbers contradict it (every row may
            # hide a cell); an unlabelled one needs a complete row that proves it
            if (len(parts) >= 2 or single_ok) and _sums_to(v, total, parts,
                                                          need_full=total not in labelled):
                if not declared_wide:
                    table.inferred_column_group = f"columns of {table.path}"
                table.wide_cols = parts + [total]
                table.inferred_total_cols = [total]
                table.notes.append({
                    "severity": None, "location": {"column": total},
                    "en": f"Column {total!r} is the total of {', '.join(parts)}: checked as a margin.",
                    "zh": f"欄位 {total!r} 為 {'、'.join(parts)} 的合計：視為邊際檢查。"})
                return
        if total in labelled:
            table.notes.append({
                "severity": "review", "location": {"column": total},
                "en": f"Column {total!r} is labelled as a total but does not add up to the other "
                      "count columns: the reviewer checks what it counts.",
                "zh": f"欄位 {total!r} 標示為合計，但與其他計數欄位加總不符：請審查人確認其內容。"})
            return
    # nothing proven: a column never below the sum of the others' known cells, while they hide
    # cells, could be their total - then the blanks follow from it
    others_blank = any(np.isnan(v[c]).any() for c in counts)
    for total in counts:
        parts = [c for c in counts if c != total]
        if others_blank and len(parts) >= 2 and _sums_to(v, total, parts, need_full=False):
            table.notes.append({
                "severity": "review", "location": {"column": total},
                "en": f"Column {total!r} is never below the sum of {', '.join(parts)}: if it is their "
                      "total (whatever its name), their blank cells follow from it. The reviewer "
                      "decides; label totals as such.",
                "zh": f"欄位 {total!r} 皆不小於 {'、'.join(parts)} 之和：若其為合計（不論名稱），空白格即可推得。"
                      "由審查人判斷；合計請明確標示。"})
            return


# Labels that SQL ROLLUP/CUBE, SAS or Stata print for "all" (NULL, missing): margins when the
# numbers add up as margins.
_ROLLUP_MARKS = ("", ".", "-", "–", "—", "*", "(all)", "null", "NULL")


def _infer_rollup(table: Table) -> None:
    counts = table.cols_with("count", "suppressed")
    if not counts or not table.group_cols:
        return
    present = set()
    for g in table.group_cols:
        present |= set(table.text(g).str.strip()) & set(_ROLLUP_MARKS)
    for mark in present:
        table.extra_total_labels.add(mark)
        if not all(_adds_up(table, c) for c in counts):
            table.extra_total_labels.discard(mark)
        else:
            table.notes.append({
                "severity": None, "location": {},
                "en": f"Rows labelled {mark!r} add up as totals: checked as margins.",
                "zh": f"標籤為 {mark!r} 的列加總符合合計：視為邊際檢查。"})


def _default_threshold() -> int:
    from policies.sections.egress import EgressPolicy
    return EgressPolicy.model_fields["min_units_per_cell"].default


def infer(table: Table) -> Table:
    """Fill the table's inferred structure (counts, crosstab columns, margin columns)."""
    if not len(table.df):
        return table
    bins.drop_closing_edge(table)       # numpy's n + 1 edges: the last row is no bin
    _infer_rollup(table)
    _infer_counts(table)
    _infer_wide(table)
    return table


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    m = ctx.policy.min_units_per_cell
    for note in table.notes:
        if note["severity"]:
            ctx.add(rule=RULE, check=CHECK, severity=note["severity"], file=spec.path,
                    location=note["location"], en=note["en"], zh=note["zh"])
    for col in table.inferred_counts:
        role = table.role(col)
        if role.role in ("count", "suppressed"):
            continue
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                location={"column": col},
                en=f"Column {col!r} is declared {role.statistic or role.role} but its values are "
                   "counts (whole numbers that add up to the totals, or not needed to tell the rows "
                   "apart): it is checked as a count.",
                zh=f"欄位 {col!r} 宣告為 {role.statistic or role.role}，但其數值為計數（加總等於合計，"
                   "或非分組所需）：以計數檢查。")
    # a statistic of small whole numbers that nothing shows to be (or not to be) a count
    for col in table.cols_with("statistic", "estimate"):
        role = table.role(col)
        if col in table.inferred_counts or role.statistic not in _DISGUISABLE - {"count"}:
            continue
        trace = not count_like(table, col) and whole_with_trace(table, col)
        if not trace and not count_like(table, col):
            continue
        v = np.round(table.numeric(col)) if trace else table.numeric(col)
        small = np.flatnonzero((v >= 1) & (v < m))
        if len(small):
            i = int(small[0])
            how = ("whole numbers with a trace added to each (" + str(table.text(col).iat[i]).strip()
                   + ")") if trace else "whole numbers"
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location=table.location(i, col),
                    en=f"Column {col!r} is declared {role.statistic or role.role} but holds only {how}, "
                       f"{len(small)} of them under {m}: they may be counts; the reviewer decides.",
                    zh=f"欄位 {col!r} 宣告為 {role.statistic or role.role}，但全為整數"
                       f"{'（各加上微小尾數）' if trace else ''}，其中 {len(small)} 個小於 {m}："
                       "可能是計數，由審查人判斷。")
    _small_event_counts(ctx, spec, table, m)
    for i, col, k, base, sure in _implied_counts(table, m):
        if sure == "base":
            role = table.role(col)
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location=table.location(i, col),
                    en=f"This {role.statistic} is declared over {role.denominator_column!r}, but over "
                       f"{base!r} (declared as its units, the persons beside a count of events, or "
                       "another count of the same row) "
                       f"it gives away a count of {k:g} (fewer than {m}): the declared base may "
                       "not be the real one; the reviewer checks which it is.",
                    zh=f"此比例宣告以 {role.denominator_column!r} 為分母，但以 {base!r}（宣告的單位數、"
                       f"事件數旁的人數，或同列的其他計數）計算即得計數 {k:g}（少於 {m}）：宣告的基數未必屬實，由審查人確認。")
            continue
        if sure is not True:
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location=table.location(i, col),
                    en=f"This rate of {base!r} states no scale (per 1, 100, 1,000 …): at one of "
                       f"them it gives away a count of {k:g} (fewer than {m}). Name the scale in "
                       "the column (e.g. per_1000); the reviewer decides.",
                    zh=f"此比率未標明基數（每 1、100、1,000 …）：以其中一種基數乘以 {base!r} 即得計數 "
                       f"{k:g}（少於 {m}）。請在欄名標明基數（如 per_1000），由審查人判斷。")
            continue
        ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                       en=f"This {table.role(col).statistic} of {base!r} gives away a count of {k:g} "
                          f"(fewer than {m}), whatever its declared units.",
                       zh=f"此比例乘以 {base!r} 即得計數 {k:g}（少於 {m}），無論宣告的單位為何。")
    for i, col in _possible_total_rows(table):
        ctx.add(rule="E3", check=CHECK, severity="review", file=spec.path,
                location=table.location(i, col),
                en=f"This row is at least the sum of the other rows of its group: if it is a total "
                   "(whatever its label), the one blank cell of the group is recovered from it. "
                   "The reviewer decides; label totals as such.",
                zh="此列不小於同組其他列的總和：若其為合計（不論標籤為何），同組唯一的空白格即可由其推得。"
                   "由審查人判斷；合計列請明確標示。")


def _small_event_counts(ctx: Context, spec: ManifestFile, table: Table, m: int) -> None:
    """A column declared ``statistic: count`` counts events resting on its units column: a red
    team declared a column of 3 persons so, over a units column of 120, and the threshold read
    only the 120.  Fewer than ``m`` events happened to fewer than ``m`` persons, whatever the
    column counts: each such cell blocks like a count.  (Headed as a count, header_meaning
    blocks it already.)"""
    for col in table.cols_with("statistic"):
        role = table.role(col)
        if role.statistic != "count" or col in table.inferred_counts \
                or header_role(plain(col)) == "count":
            continue
        v = table.numeric(col)
        body = ~table.total_rows()
        for i in np.flatnonzero(body & (v > 0) & (v < m)):
            ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=int(i), col=col,
                           en=f"Column {col!r} is declared a count of events: {v[i]:g} events "
                              f"happened to fewer than {m} persons, a small cell whatever units "
                              "it is declared over.",
                           zh=f"欄位 {col!r} 宣告為事件計數：{v[i]:g} 次事件只可能發生在少於 {m} 人身上，"
                              "無論宣告的單位為何，皆屬小細格。")


def _possible_total_rows(table: Table) -> list[tuple[int, str]]:
    """(row, column) of an unlabelled row that could be its group's total while the group
    hides exactly one cell: recovered exactly if it is.  One per column."""
    body = ~table.total_rows()
    groups = table.group_cols
    out = []
    for col in table.count_cols:
        if table.is_wide and col in table.wide_count_cols():
            continue          # crosstab columns: margins are columns and labelled rows
        v = table.numeric(col)
        blank = np.isnan(v) & table.text(col).str.strip().eq("").to_numpy()
        if not blank[body].any():
            continue
        hit = None
        for g in groups:
            others = [h for h in groups if h != g]
            keys = (table.df[others].astype(str).agg("\x1f".join, axis=1).to_numpy()
                    if others else np.zeros(len(v), dtype=object))
            for key in dict.fromkeys(keys[body]):
                idx = np.flatnonzero(body & (keys == key))
                if len(idx) < 3 or blank[idx].sum() != 1:
                    continue
                known = idx[~blank[idx]]
                total = np.nansum(v[known])
                for r in known:
                    if v[r] >= total - v[r] - 1e-9:
                        hit = (int(r), col)
                        break
                if hit:
                    break
            if hit:
                break
        if hit:
            out.append(hit)
    return out


def _decimals(text: str) -> int:
    t = text.strip().rstrip("%").strip()
    return len(t.split(".", 1)[1]) if "." in t else 0


_PER = re.compile(r"(?:per|/)[\s_]*([0-9.]+\s*[kK]|1,?000,?000|100,?000|10,?000|1,?000|100|10\^[2-6]|1e[2-6]"
                  r"|thousand|hundred thousand|million)\b|‰|‱|%|pct|percent|千分|每千|萬分|每萬|十萬", re.I)
_RATE_SCALES = (1.0, 100.0, 1_000.0, 10_000.0, 100_000.0)


def _stated_scale(name: str) -> float | None:
    """The scale a rate's column name states (per 1,000, ‰, per 100k, %), None if none."""
    m = _PER.search(name)
    if not m:
        return None
    t = m.group(0).lower().replace(",", "").replace(" ", "")
    for word, scale in (("‱", 10_000.0), ("‰", 1_000.0), ("千分", 1_000.0), ("每千", 1_000.0),
                        ("十萬", 100_000.0), ("萬分", 10_000.0), ("每萬", 10_000.0), ("%", 100.0), ("pct", 100.0), ("percent", 100.0),
                        ("hundredthousand", 100_000.0), ("thousand", 1_000.0), ("million", 1e6)):
        if word in t:
            return scale
    g = (m.group(1) or "").lower().replace(",", "").replace(" ", "")
    if g.endswith("k"):
        return float(g[:-1]) * 1_000.0
    if g.startswith(("10^", "1e")):
        return 10.0 ** int(g[-1])
    return float(g) if g else None


def _rest_of_group(statistic: str, n: float, k: float) -> float | None:
    """What a percent leaves of its group is a count too (97.5 % of 120 leaves 3); a rate's
    complement means nothing (events per person-time)."""
    return n - k if statistic == "percent" else None


def _implied_counts(table: Table, m: int, as_statistic: dict[str, str] | None = None
                    ) -> list[tuple[int, str, float, str, bool]]:
    """Counts a percent, share or rate gives away with its base count: k = p × N / scale,
    known to within N × half a unit of the last shown decimal.  (row, column, k, base, sure)
    where k is 1 … m−1 for certain.  The base is the declared denominator, else the declared
    units column.  A rate's scale is the one its name states, else 1 when every value is a
    share (≤ 1); else every scale it could be (k ≤ N): a small k under one of them is not sure.
    ``as_statistic``: only these columns, read as the statistic given (what a header says).
    ``sure`` is True, or why not: "scale" (no stated scale) or "base" (the declared units column,
    not the declared denominator)."""
    out = []
    counts = set(table.count_cols)
    for col in table.cols_with("statistic"):
        role = table.role(col)
        statistic = (as_statistic or {}).get(col, role.statistic)
        if statistic not in ("percent", "rate") or as_statistic is not None and col not in as_statistic:
            continue
        # a declared base is the requester's word that it is the N, whatever role its own
        # column was given (a red team declared the persons a grouping key: no count, no check)
        bases = [b for b in (role.denominator_column, role.units_column) if b in counts
                 or b in table.columns and b != col and count_like(table, b)]
        if not bases:
            continue
        v = table.numeric(col)
        if np.isnan(v).all():
            continue
        if statistic == "percent":
            scales = [100.0 if np.nanmax(v) > 1.0 or "%" in col or "pct" in col.lower() else 1.0]
        elif (stated := _stated_scale(col)) is not None:
            scales = [stated]
        elif np.nanmax(np.abs(v)) <= 1.0:
            scales = [1.0]
        else:
            scales = [s for s in _RATE_SCALES if np.nanmax(v) <= s]
        texts = table.text(col).tolist()
        hit_rows: set[int] = set()
        # the declared denominator first; a percent's units column declared beside it is the
        # requester's word too: a denominator that overstates the base (visits for persons) must
        # not hide the count the other gives away, so that one is tried as well (review)
        tried = bases[:1] + other_bases(table, statistic, bases, counts)
        guessed = undeclared_bases(table, statistic, tried + bases, counts) \
            if as_statistic is None else []
        for b, base in enumerate(tried + guessed):
            sure = True if len(scales) == 1 and b == 0 else "base" if b else "scale"
            n = table.numeric(base)
            for i in np.flatnonzero(~np.isnan(v) & ~np.isnan(n)):
                if int(i) in hit_rows:
                    continue
                for scale in scales:
                    k = v[i] * n[i] / scale
                    err = n[i] * 0.5 * 10.0 ** (-_decimals(texts[i])) / scale
                    rest = _rest_of_group(statistic, n[i], k)
                    for part in (k,) if rest is None else (k, rest):
                        if base in guessed and not (err < 0.5 and abs(part - round(part)) <= err + 1e-9):
                            continue  # a base never declared: only a whole count betrays it
                        if part - err > 0.5 - 1e-9 and part + err < m - 0.5 + 1e-9:
                            out.append((int(i), col, round(part, 3), base, sure))
                            hit_rows.add(int(i))
                            break
                    else:
                        continue
                    break
    return out
