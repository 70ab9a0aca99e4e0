"""E4/E1: every column of a table is declared (group, count, statistic) as the manifest says.

The reviewer and the other checks rely on the declared roles; an undeclared column could carry
anything (E1: aggregate data only), and a declared column missing from the file means the
manifest does not describe what is exported (E4).
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E4"
CHECK = "declaration"
KINDS = {"table"}


def keys_only(spec: ManifestFile, columns: list[str]) -> bool:
    """Every column of the table declared a grouping key (nothing counted or measured)."""
    return bool(columns) and all((r := spec.role_of(c)) is not None and r.role == "group"
                                 for c in columns)


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    cols = set(table.columns)
    for name in spec.columns:
        if name not in cols:
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                    location={"column": name},
                    en=f"Column {name!r} is declared in the manifest but not in the file.",
                    zh=f"申請清單宣告的欄位 {name!r} 不在檔案中。")
    for name in table.columns:
        if spec.role_of(name) is None:
            ctx.add(rule="E1", check=CHECK, severity="block", file=spec.path,
                    location={"column": name, "row": 0, "line": table.header_line},
                    en=f"Column {name!r} is not declared (group, count or statistic).",
                    zh=f"欄位 {name!r} 未宣告用途（分組、計數或統計量）。")
    if keys_only(spec, list(table.columns)):
        # keys alone aggregate nothing: each row may be one person's record (E1), and a
        # count among them escapes every rule for counts; declaring keys adds no protection
        ctx.add(rule="E1", check=CHECK, severity="review", file=spec.path, location={},
                en="Every column is declared a grouping key: the table states no count or "
                   "statistic, so each row may be one person's record or a count declared as a "
                   "key; the reviewer checks what the rows are.",
                zh="所有欄位皆宣告為分組鍵：此表未列任何計數或統計量，每列可能即為個人紀錄，"
                   "或為被宣告成分組的計數；由審查人確認各列內容。")
    for name in table.columns:
        role = spec.role_of(name)
        if role is not None and role.role == "estimate" and spec.output == "table":
            # an estimate is judged by its output's rules; in a plain table it would escape all
            ctx.add(rule="E4", check=CHECK, severity="block", file=spec.path,
                    location={"column": name},
                    en=f"Column {name!r} is declared an estimate, which only goes with a "
                       "regression or survival output ('output' in the manifest).",
                    zh=f"欄位 {name!r} 宣告為估計值，僅適用於迴歸或存活分析輸出（申請清單的 output）。")
    for name in table.columns:
        role = spec.role_of(name)
        if role is None or role.role != "statistic" or role.statistic == "count":
            continue
        if ctx.units(table, name) is None:
            ctx.add(rule="E2", check=CHECK, severity="block", file=spec.path,
                    location={"column": name},
                    en=f"Statistic column {name!r} names no units column and has no provenance: "
                       "the number of persons behind each value cannot be verified.",
                    zh=f"統計量欄位 {name!r} 未指明人數欄位，也沒有來源紀錄，無法驗證每個數值背後的人數。")
