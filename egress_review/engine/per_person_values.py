"""E1: a model's per-person values (residuals, fitted values, leverage, influence) are row-level
data wherever they appear.

The regression check blocks such columns in a table declared ``output: regression``; a red team's
round 7 sent the same table as a "model" file, as text, inside a notebook's printout or as a
plain table, where it only went to a person for its unlabelled numbers.  A table of three or more
rows (declared or found in a file) with a column headed as a per-person model value blocks:
each row is one person's residual or leverage, and with the fitted values and the model it gives
the person's outcome back.  A coefficient table ("residual standard error", "residual df" as row
labels, not columns) has no such column.
"""
from __future__ import annotations

import re

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E1"
CHECK = "per_person_values"
KINDS = {"table"}

PER_PERSON = re.compile(r"^(?:\.?(?:resid(?:ual)?s?|fitted(?:[\s_.]values?)?|predicted|pred|yhat|y[\s_]?hat|"
                        r"leverage|hat(?:[\s_]values?)?|\.hat|cooks?(?:[\s_]?d(?:istance)?)?|\.cooksd|"
                        r"dfbetas?|dffits|influence|std[\s_.]resid|stud(?:ent(?:ized)?)?[\s_.]?resid\w*|"
                        r"rstandard|rstudent|deviance[\s_]resid\w*|pearson[\s_]resid\w*|martingale|"
                        r"schoenfeld\w*|殘差|預測值|槓桿值?|影響值))$", re.I)
MIN_ROWS = 3


def _columns(table) -> list[str]:
    return [c for c in table.columns if PER_PERSON.match(str(c).strip())]


def _report(ctx, spec, cols, rows, where) -> None:
    ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
            location={**where, "columns": [str(c) for c in cols[:5]], "rows": rows},
            en=f"Column(s) {', '.join(map(repr, cols[:3]))} hold a model's per-person values "
               f"({rows} rows: residuals, fitted values, leverage): row-level data, whatever the "
               "file is declared. Only coefficients and their statistics may leave.",
            zh=f"欄位 {'、'.join(map(str, cols[:3]))} 為模型的逐人數值（{rows} 列：殘差、預測值、"
               "槓桿值）：屬個人層級資料，不論檔案如何宣告。僅能輸出係數及其統計量。")


def check_unit(ctx: Context, spec: ManifestFile, unit, header_row: int) -> None:
    """A table found inside a file (a printout, a CSV under a model's name, a sheet)."""
    rows = unit.rows
    if len(rows) - header_row - 1 < MIN_ROWS or spec.output == "regression":
        return
    cols = [str(c).strip() for c in rows[header_row] if PER_PERSON.match(str(c).strip())]
    if cols:
        _report(ctx, spec, cols, len(rows) - header_row - 1, dict(unit.place))


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if "#" in spec.path or spec.path not in ctx.tables or spec.output == "regression":
        return              # found tables: check_unit; a regression output: its own check
    t = ctx.tables[spec.path]
    cols = _columns(t)
    if cols and len(t.df) >= MIN_ROWS:
        _report(ctx, spec, cols, len(t.df), {})
