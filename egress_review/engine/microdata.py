"""E1/E6: aggregate data only: no person-level rows, no ID/pseudonym columns, not over-fine.

- a column named like a person identifier or pseudonym, or whose values are pseudonyms
  (long hex strings) or national IDs, blocks (E1);
- a table where most rows rest on a single unit is microdata (E1);
- a "summary" whose rows read like persons - grouped by a person's attribute at full
  resolution (exact age, birth year, date, postcode) and others, most rows a group of their own
  and most combinations of the groups absent (a crosstab fills them) - or
  whose units column says the same number on every row (the shape of a claim, not a count)
  goes to review with the reason; such a units column beside groups of a person's exact
  attribute that are mostly one row each blocks: the declaration is not believed (E1);
  rows that repeat a combination of the groups are not groups (most rows: block, else review);
- more published cells than ``max_table_cells`` (long or wide alike), or more cells than ``max_cells_per_unit`` × the units
  behind the table, is "too many records after classification" (E6).
"""
from __future__ import annotations

import re

import numpy as np

from deidentify.identifiers.taiwan_id import is_valid
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E1"
CHECK = "microdata"
KINDS = {"table"}

_HEX = re.compile(r"^[0-9a-fA-F]{16,}$")


def _id_like_share(values) -> float:
    vals = [str(v).strip() for v in values if str(v).strip()]
    if not vals:
        return 0.0
    n = sum(1 for v in vals if _HEX.match(v) or is_valid(v))
    return n / len(vals)


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    rx = [re.compile(p, re.IGNORECASE) for p in pol.id_column_patterns]
    for col in table.columns:
        if any(r.search(col) for r in rx):
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                    location={"column": col},
                    en=f"Column {col!r} is a person identifier or pseudonym: only aggregates may leave.",
                    zh=f"欄位 {col!r} 為個人識別碼或假名：僅能輸出彙總資料。")
            continue
        role = table.role(col)
        if role is not None and role.role == "group" and _id_like_share(table.text(col)) >= 0.5:
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                    location={"column": col},
                    en=f"Column {col!r} holds pseudonyms or national IDs: this is person-level data.",
                    zh=f"欄位 {col!r} 含假名或身分證號：屬個人層級資料。")
    n_rows = len(table.df)
    # cells, not rows: the same numbers published long or wide get the same verdict
    n_cells = n_rows * max(1, len(table.cols_with("count", "statistic", "suppressed")))
    if n_cells > pol.max_table_cells:
        ctx.add(rule="E6", check=CHECK, severity="block", file=spec.path, location={},
                en=f"The table publishes {n_cells} cells (more than {pol.max_table_cells}): too "
                   "many records after classification.",
                zh=f"此表共 {n_cells} 個儲存格（超過 {pol.max_table_cells} 個）：分類後筆數過多。")
    counts = table.cols_with("count", "suppressed")
    body = ~table.total_rows()
    value_cols = [c for c in counts if not table.is_total_col(c)]
    if not table.cols_with("count", "statistic", "suppressed"):
        if n_rows >= pol.min_units_per_cell:
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                    en="A table with no count or statistic column is a list of records, not an aggregate.",
                    zh="此表沒有計數或統計欄位，是資料列清單而非彙總資料。")
        return
    if not value_cols or not body.any():
        return
    units = []
    for c in value_cols:
        u = ctx.units(table, c)
        if u is not None:
            units.append(u[body])
    if not units:
        return
    u = np.concatenate(units)
    known = u[~np.isnan(u)]
    if len(known) >= pol.min_units_per_cell and np.mean(known == 1) >= pol.microdata_unit_fraction:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                en=f"{np.mean(known == 1):.0%} of the cells rest on a single unit: this is one row per "
                   "person (microdata), not an aggregate.",
                zh=f"{np.mean(known == 1):.0%} 的儲存格僅基於一個單位：屬每人一列的個體資料，而非彙總。")
    _claimed_aggregate(ctx, spec, table, value_cols)
    total = float(np.nansum(known))
    cells = len(u)
    if total > 0 and cells > pol.max_cells_per_unit * total:
        ctx.add(rule="E6", check=CHECK, severity="block", file=spec.path, location={},
                en=f"{cells} cells for {int(total)} units is over-fine (at most "
                   f"{pol.max_cells_per_unit:g} cells per unit).",
                zh=f"以 {int(total)} 個單位製作 {cells} 個儲存格過於細分（每單位至多 {pol.max_cells_per_unit:g} 格）。")


# A person's attribute at full resolution: exact ages, birth years, dates, postcodes, villages.
_FINE_ATTRIBUTE = re.compile(r"\b(age|birth\w*|dob|date\w*|zip\w*|post\w*|village|li|height|"
                             r"weight|bmi)\b|年齡|出生|生日|日期|郵遞區號|村|里", re.I)
_MIN_ROWS = 10


def _claimed_aggregate(ctx: Context, spec: ManifestFile, table, value_cols: list[str]) -> None:
    if ctx.provenance.get(table.path) is not None:
        return                    # verified units from the broker: the single-unit rule above reads them
    body = ~table.total_rows()
    rows = int(body.sum())
    if rows < _MIN_ROWS:
        return
    groups = [c for c in table.group_cols if not table.is_total_col(c)]
    fine = [c for c in groups if _FINE_ATTRIBUTE.search(c.replace("_", " "))
            and table.text(c)[body].nunique() >= 2 * _MIN_ROWS]
    if len(groups) < 2:
        return                    # one grouping (an age pyramid, deciles): every row is a group
    keys = table.df.loc[body, groups].astype(str).agg("|".join, axis=1)
    unique_rows = float((keys.map(keys.value_counts()) == 1).mean())
    # a crosstab fills most combinations of its groups; persons' rows leave most of them empty
    combos = float(np.prod([table.text(c)[body].nunique() for c in groups]))
    sparse = rows < 0.5 * combos
    constant = []
    for c in value_cols:
        u = ctx.units(table, c)
        if u is None:
            continue
        known = u[body][~np.isnan(u[body])]
        if len(known) >= _MIN_ROWS and np.all(known == known[0]) and known[0] > 1:
            constant.append((c, known[0]))
    person_rows = bool(fine) and unique_rows >= 0.5 and sparse
    # rows that repeat one combination of the groups are not groups: persons (or hidden ones)
    filled = table.df.loc[body, groups].astype(str).apply(lambda c: c.str.strip() != "").all(axis=1)
    repeated = float(((keys.map(keys.value_counts()) > 1) & filled).mean())
    if repeated > 0:
        ctx.add(rule=RULE, check=CHECK, severity="block" if repeated >= 0.5 else "review",
                file=spec.path, location={"column": groups[0]},
                en=f"{repeated:.0%} of the rows repeat a combination of the groups "
                   f"({', '.join(repr(c) for c in groups)}) another row has: the rows are not one "
                   "per group, so they are persons or groups the table does not show.",
                zh=f"{repeated:.0%} 的資料列與其他列的分組組合相同：各列並非一組一列，而是個人或未呈現的分組。")
    if not person_rows and not constant:
        return
    # a claimed count beside groups of a person's exact attribute that are mostly one row each
    both = bool(constant) and bool(fine) and unique_rows >= 0.5
    why = []
    if person_rows or both:
        why.append(f"it is grouped by {', '.join(repr(c) for c in fine)} at full resolution and "
                   f"{unique_rows:.0%} of its rows are a group of their own"
                   + (f" ({rows} rows fill few of the {combos:.0f} combinations of its groups)"
                      if sparse else ""))
    if constant:
        c, v = constant[0]
        why.append(f"its units column {c!r} says {v:g} on every one of its {rows} rows, which "
                   "a count of persons would not")
    ctx.add(rule=RULE, check=CHECK, severity="block" if both else "review", file=spec.path,
            location={"column": constant[0][0]} if constant else {"column": fine[0]},
            en="This table reads like one row per person declared as a summary: " + "; and ".join(why)
               + ". Publish counts and statistics over coarser groups (age bands, regions).",
            zh="此表看似每人一列卻宣告為彙總：" + "；".join(
                (["分組欄位為完整精度的個人屬性且多數列自成一組"] if person_rows or both else [])
                + ([f"單位欄 {constant[0][0]!r} 每列皆為 {constant[0][1]:g}，不似人數"] if constant else []))
               + "。請改以較粗分組（年齡組、地區）發布計數與統計量。")
