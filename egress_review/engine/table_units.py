"""Tables found inside files, checked by the same rule modules as a declared table.

The roles come from :mod:`.unit_tables`; each view is checked in a context of its own (so a
view never mixes with the request's declared tables), and every finding is traced back to the
unit's place (sheet and cell, notebook cell and output, JSON path, table and row).
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from egress_review.engine.context import Context
from egress_review.engine.readers import TableUnit
from egress_review.engine.structure import infer
from egress_review.engine.tables import Table, col_letter
from egress_review.engine import scaled_counts, table_one
from egress_review.engine.unit_tables import _header_row, read_table_unit
from egress_review.manifest import ManifestFile

CHECK = "content"
# Rule modules that judge a declared table's cells; the others read files or manifests.
_NOT_FOR_UNITS = {"provenance_check", "declaration", "blank_declarations", "smuggling", "imaging",
                  "identifiers", "unit_checks", "declared_claims", "per_person_values"}
MAX_UNKNOWN_REPORTED = 20
# letters, or a run of eight digits or more (an ID, a phone number) with separators
_MAY_HOLD_ID = re.compile(r"[^\W\d_]|\d(?:[\s\-()+./]*\d){7}")


def cell_place(unit: TableUnit, r: int, k: int, header: str | None = None) -> dict:
    """Where cell ``rows[r][k]`` of ``unit`` is in the file."""
    loc = dict(unit.place)
    if unit.a1_origin is not None:
        r0, c0 = unit.a1_origin
        loc["cell"] = f"{col_letter(k + c0)}{r + r0 + 1}"
        if "sheet" not in loc:
            loc["line"] = r + r0 + 1
    else:
        loc["row"] = r
        loc["column"] = header if header else k + 1
    return loc


def _table_modules():
    from egress_review.engine import _file_modules

    return [m for m in _file_modules() if "table" in m.KINDS
            and m.__name__.rsplit(".", 1)[-1] not in _NOT_FOR_UNITS]


def _child(ctx: Context) -> Context:
    """A context of the view's own: nothing a table check records (links, history) reaches the
    request's declared tables, which the request-wide checks link among themselves."""
    from egress_review.engine.history import ReleaseHistory

    return Context(manifest=ctx.manifest, root=ctx.root, policy=ctx.policy, history=ReleaseHistory(),
                   pseudonyms=ctx.pseudonyms, original_images_dir=ctx.original_images_dir,
                   provenance_key=ctx.provenance_key)


_NUMBER = re.compile(r"\d")


def _too_large(ctx: Context, spec: ManifestFile, unit: TableUnit) -> bool:
    """A table with more figures than any table may publish (E6 ``max_table_cells``) is blocked
    as it is, without reading each of its cells (a 10 MB sheet would take minutes): nothing
    else found in it could let it leave."""
    limit = ctx.policy.max_table_cells
    n_rows = unit.oversize_rows or len(unit.rows)
    if not unit.oversize_rows:
        figures = 0
        for row in unit.rows[1:]:
            figures += sum(1 for c in row if c is not None and _NUMBER.search(str(c)))
            if figures > limit:
                break
        if figures <= limit:
            return False
    ctx.add(rule="E6", check="microdata", severity="block", file=spec.path,
            location=dict(unit.place),
            en=f"This table holds more than {limit} figures ({n_rows - 1} rows): too many "
               "records to leave; it was not checked cell by cell. Aggregate it further.",
            zh=f"此表超過 {limit} 個數值（{n_rows - 1} 列）：筆數過多，不得輸出，"
               "未逐格檢查。請進一步彙總。")
    return True


def check(ctx: Context, spec: ManifestFile, unit: TableUnit, index: int, *,
          scan_words: bool) -> None:
    header = unit.rows[0] if unit.rows else []
    if _too_large(ctx, spec, unit):
        return
    if scan_words:
        _scan_cells(ctx, spec, unit)
    if unit.hidden and spec.path not in ctx.tables:
        ctx.add(rule="E7", check=CHECK, severity="block", file=spec.path, location=dict(unit.place),
                en="Hidden sheet, rows or columns in the workbook: hidden content escapes review.",
                zh="活頁簿中有隱藏的工作表、列或欄：隱藏內容會規避審查。")
    from egress_review.engine import identifier_groups, implied_n, per_person_values

    identifier_groups.check_unit(ctx, spec, unit, _header_row(unit.rows))
    per_person_values.check_unit(ctx, spec, unit, _header_row(unit.rows))
    implied_n.check_unit(ctx, spec, unit, _header_row(unit.rows))
    around = _around(ctx, spec, unit)
    if not around:          # a notebook's shares over a total another cell printed (round 7)
        from egress_review.engine.notebook_totals import shares_over_total

        unit, around = shares_over_total(ctx.full(spec), unit)
    reading = read_table_unit(unit.rows, f"{spec.path}#{index + 1}", unit.caption,
                              around=around)
    # a paper's Table 1 is also the count tables it stacks: linked and gap-checked (E3)
    pieces, rests = table_one.views(unit.rows, f"{spec.path}#{index + 1}", _header_row(unit.rows))
    reading.views += pieces
    _small_rests(ctx, spec, unit, rests, header)
    for view in reading.views:
        child = _child(ctx)
        vspec: ManifestFile = view.spec
        child.tables[vspec.path] = Table(path=vspec.path, spec=vspec, df=view.df.reset_index(drop=True))
        # a count "in thousands" (header, caption, the note below) is read as persons (round 8)
        scaled_counts.rescale(child, vspec, child.tables[vspec.path], f"{unit.caption}\n{around}")
        # the request-wide suppression audit sees it too (issue 13)
        ctx.unit_views[vspec.path] = (infer(child.tables[vspec.path]), spec.path)
        for mod in _table_modules():
            if view.checks is not None and mod.CHECK not in view.checks:
                continue
            try:
                mod.check_file(child, vspec)
            except Exception as e:  # noqa: BLE001 - an odd unit is for a reviewer, never a pass
                ctx.add(rule=mod.RULE, check=mod.CHECK, severity="review", file=spec.path,
                        location=dict(unit.place),
                        en=f"The {mod.CHECK} check could not run on this table ({type(e).__name__}: "
                           f"{e}); a reviewer must check it.",
                        zh=f"{mod.CHECK} 檢查無法於此表格執行（{type(e).__name__}），須由審查人檢查。")
        for f in child.findings:
            loc = f.location or {}
            where = dict(unit.place)
            row, col = loc.get("row"), loc.get("column")
            if col in view.quiet and f.check == "threshold":
                continue
            if isinstance(row, int) and row >= 1 and row - 1 < len(view.origin) and col in view.origin[row - 1]:
                r, k = view.origin[row - 1][col]
                where = cell_place(unit, r, k, header[k] if k < len(header) else None)
                where["value"] = str(view.df.iat[row - 1, list(view.df.columns).index(col)])
            elif col is not None:
                where["read_as"] = col
            ctx.findings.append(replace(f, file=spec.path, location=where, suggested_suppression=None))
    if reading.person_rows:
        ctx.add(rule="E1", check=CHECK, severity="block", file=spec.path, location=dict(unit.place),
                en=f"Rows of person attributes ({', '.join(reading.person_rows[:5])}) with no count "
                   "or statistic: this is person-level data, and only aggregates may leave.",
                zh=f"此表為個人屬性（{'、'.join(reading.person_rows[:5])}）的資料列，沒有計數或統計量："
                   "屬個人層級資料，僅能輸出彙總資料。")
    elif reading.records:
        ctx.add(rule="E1", check=CHECK, severity="review", file=spec.path, location=dict(unit.place),
                en="Rows of values with no count or statistic: this may be person-level data.",
                zh="此表為數值列而無計數或統計量，可能為個人層級資料。")
    if reading.counting_labels:
        from egress_review.engine import prose_check
        from egress_review.engine.readers import TextUnit

        for r, k, text in reading.counting_labels[:200]:
            prose_check.check(ctx, spec, TextUnit(text, cell_place(
                unit, r, k, header[k] if k < len(header) else None)), counts_only=True)
    by_column: dict[int, list[tuple[int, str]]] = {}
    for r, k, why in reading.unknown:
        by_column.setdefault(k, []).append((r, why))
    for k, items in list(by_column.items())[:MAX_UNKNOWN_REPORTED]:
        r, why = items[0]
        where = cell_place(unit, r, k, header[k] if k < len(header) else None)
        if len(items) > 1:
            where["more_rows"] = [x for x, _ in items[1:11]]
        ctx.add(rule="E2", check=CHECK, severity="review", file=spec.path, location=where,
                en=f"{len(items)} number(s) in this column whose meaning the checks cannot tell "
                   f"({why}): label the column (n, count, mean …) or a reviewer must judge them.",
                zh=f"此欄有 {len(items)} 個數值無法判斷意義（{why}）：請標明欄位（n、人數、平均 …），"
                   "否則須由審查人判斷。")
    if len(by_column) > MAX_UNKNOWN_REPORTED:
        ctx.add(rule="E2", check=CHECK, severity="review", file=spec.path, location=dict(unit.place),
                en=f"{len(by_column) - MAX_UNKNOWN_REPORTED} more columns hold numbers with no known role.",
                zh=f"另有 {len(by_column) - MAX_UNKNOWN_REPORTED} 欄數值無法判斷意義。")


_TEXT_FILES = {".md", ".markdown", ".txt", ".log", ".rst", ".out", ".lst", ".text", ""}


@lru_cache(maxsize=64)
def _lines(path: str, size: int, mtime: float) -> list[str]:
    from egress_review.engine.content import decode

    with open(path, "rb") as fh:
        return (decode(fh.read()) or "").split("\n")


def _around(ctx: Context, spec: ManifestFile, unit: TableUnit) -> str:
    return around_text(ctx.full(spec), unit)


def around_text(full, unit: TableUnit) -> str:
    """The lines just above a table in a text file and just below it (a title "Region, N = 540",
    a note "n=540"): where a percent-only table states the total its shares are of."""
    line = unit.place.get("line")
    if not isinstance(line, int) or "sheet" in unit.place or full.suffix.lower() not in _TEXT_FILES:
        return ""
    try:
        st = full.stat()
        lines = _lines(str(full), st.st_size, st.st_mtime)
    except OSError:
        return ""
    top = line - 1                               # the header's index
    end = top + len(unit.rows) + 1               # a Markdown table's rule line is not a row
    return "\n".join(lines[max(0, top - 3):top] + lines[end:end + 3])


def _small_rests(ctx: Context, spec: ManifestFile, unit: TableUnit, rests: list, header) -> None:
    """A Table 1 column's N less the categories it shows: a count stated by difference (E3)."""
    m = ctx.policy.min_units_per_cell
    for value, r, k in rests:
        if 0.5 <= value < m - 0.5:
            where = cell_place(unit, r, k, header[k] if k < len(header) else None)
            ctx.add(rule="E3", check="margin_gaps", severity="block", file=spec.path,
                    location={**where, "value": value},
                    en=f"This column's N is {value:g} more than the categories shown under a "
                       f"variable of this Table 1: {value:g} unit(s) (fewer than {m}) are in a "
                       "category not shown (missing, or the 'no' of a yes/no row), a small cell "
                       "stated by difference. Merge or show it (checked like any cell).",
                    zh=f"此欄的 N 比某變項所列各類別之和多 {value:g}：有 {value:g} 個單位（少於 {m}）"
                       "屬於未列出的類別（缺漏值，或是否變項的「否」），等同以差分揭露小細格。請合併或列出該類別。")


def _scan_cells(ctx: Context, spec: ManifestFile, unit: TableUnit) -> None:
    """Identifiers in the cells of a table read from a binary file (one scan per table)."""
    cells = []
    seen: set[str] = set()
    for r, row in enumerate(unit.rows):
        for k, c in enumerate(row):
            # each distinct text once (labels repeat down a column); only text that could hold
            # an identifier: letters, or eight digits or more
            if c and c not in seen and _MAY_HOLD_ID.search(c):
                seen.add(c)
                cells.append((r, k, c))
    if not cells:
        return
    from egress_review.engine.identifiers import report

    text = "\n".join(c.replace("\n", " ") for _, _, c in cells)
    report(ctx, spec.path, text, dict(unit.place),
           place_of_line=lambda line: cell_place(unit, cells[line - 1][0], cells[line - 1][1],
                                                  unit.rows[0][cells[line - 1][1]]
                                                  if cells[line - 1][1] < len(unit.rows[0]) else None))


def scan_identifiers(ctx: Context, spec: ManifestFile, text: str, place: dict) -> None:
    from egress_review.engine.identifiers import report

    report(ctx, spec.path, text, dict(place))
