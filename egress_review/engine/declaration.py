"""E4/E1: every column of a table is declared (group, count, statistic) as the manifest says.

The reviewer and the other checks rely on the declared roles; an undeclared column could carry
anything (E1: aggregate data only), and a declared column missing from the file means the
manifest does not describe what is exported (E4).
"""
from __future__ import annotations

import numpy as np

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
            if role.statistic in ("percent", "rate"):
                from egress_review.engine.symbols import SHARE_EN, SHARE_ZH

                ctx.add(rule="E2", check=CHECK, severity="block", file=spec.path,
                        location={"column": name, "reason": "share without base"},
                        en=f"Column {name!r}: " + SHARE_EN, zh=f"欄位 {name!r}：" + SHARE_ZH)
                continue
            ctx.add(rule="E2", check=CHECK, severity="block", file=spec.path,
                    location={"column": name},
                    en=f"Statistic column {name!r} names no units column and has no provenance: "
                       "the number of persons behind each value cannot be verified.",
                    zh=f"統計量欄位 {name!r} 未指明人數欄位，也沒有來源紀錄，無法驗證每個數值背後的人數。")
    _treatment(ctx, spec, table)


def _treatment(ctx: Context, spec: ManifestFile, table) -> None:
    """A declared rounding or top/bottom coding must be in the numbers: a red team declared
    ``rounded_to: 10`` on raw values, ``top_coded_at: 90`` above a 101, and a rounding to 1 on
    whole numbers (a treatment that changes nothing).  The declaration is evidence a policy may
    let an extreme leave on; a claim the values contradict blocks, one that changes nothing
    goes to a person."""
    for name in table.columns:
        role = spec.role_of(name)
        if role is None or (role.rounded_to is None and role.top_coded_at is None
                            and role.bottom_coded_at is None):
            continue
        v = table.numeric(name)
        body = ~np.isnan(v)
        if not body.any():
            continue
        bad: list[tuple[int, str, str]] = []
        if role.rounded_to:
            q = v / role.rounded_to
            off = np.flatnonzero(body & ~np.isclose(q, np.round(q), rtol=0, atol=1e-6))
            if len(off):
                i = int(off[0])
                bad.append((i, f"declared rounded to {role.rounded_to:g}, but {v[i]:g} is not a "
                               "multiple of it", f"宣告捨入至 {role.rounded_to:g}，但 {v[i]:g} 不是其倍數"))
            else:
                texts = table.text(name).str.strip()
                places = max((len(t.split(".", 1)[1]) if "." in t else 0) for t in texts[body])
                if role.rounded_to <= 10.0 ** -places + 1e-12:
                    bad.append((int(np.flatnonzero(body)[0]),
                                f"declared rounded to {role.rounded_to:g}, the precision the values "
                                "are written in anyway: nothing was rounded",
                                f"宣告捨入至 {role.rounded_to:g}，即數值本身的精度：實際未做任何捨入"))
        if role.top_coded_at is not None:
            above = np.flatnonzero(body & (v > role.top_coded_at))
            if len(above):
                i = int(above[0])
                bad.append((i, f"declared top-coded at {role.top_coded_at:g}, but {v[i]:g} is above it",
                            f"宣告頂端編碼於 {role.top_coded_at:g}，但 {v[i]:g} 高於此值"))
        if role.bottom_coded_at is not None:
            below = np.flatnonzero(body & (v < role.bottom_coded_at))
            if len(below):
                i = int(below[0])
                bad.append((i, f"declared bottom-coded at {role.bottom_coded_at:g}, but {v[i]:g} is "
                               "below it", f"宣告底端編碼於 {role.bottom_coded_at:g}，但 {v[i]:g} 低於此值"))
        for i, en, zh in bad:
            nothing = "nothing was rounded" in en
            ctx.add(rule="E4", check=CHECK, severity="review" if nothing else "block",
                    file=spec.path, location=table.location(i, name),
                    en=f"Column {name!r} is {en}: the manifest describes a treatment the numbers "
                       "do not carry" + ("; a reviewer checks it." if nothing else "."),
                    zh=f"欄位 {name!r} {zh}：申請清單所述的處理未見於數值"
                       + ("，由審查人確認。" if nothing else "。"))
