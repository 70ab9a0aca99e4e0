"""E6: a result made by the session's table helpers must not be edited before export.

The sidecar written by :mod:`egress_review.safe_tables` seals the exact table bytes, the cell
texts and the true units behind every cell with a keyed MAC.  A table whose bytes no longer
match, or a sidecar whose MAC fails, means a number was changed afterwards: a non-exportable
result turned exportable (E6).  Only verified provenance is used by the other checks.
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile
from egress_review.safe_tables.provenance import (ProvenanceError, file_sha256, read_provenance,
                                                  sidecar_path)

RULE = "E6"
CHECK = "provenance"
KINDS = {"table"}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    full = ctx.full(spec)
    prov_path = ctx.root / spec.provenance if spec.provenance else sidecar_path(full)
    if not prov_path.is_file():
        if spec.provenance:
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                    location={"provenance": spec.provenance},
                    en=f"The declared provenance file {spec.provenance} is missing.",
                    zh=f"申請清單宣告的來源紀錄檔 {spec.provenance} 不存在。")
        return
    try:
        prov = read_provenance(prov_path)
    except ProvenanceError as e:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                en=f"Provenance cannot be read: {e}", zh=f"來源紀錄無法讀取：{e}")
        return
    if ctx.provenance_key is None:
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={},
                en="Provenance is present but no key is available to verify its seal; "
                   "declared unit columns are used instead.",
                zh="有來源紀錄，但沒有可驗證其簽章的金鑰；改用申請清單宣告的單位欄位檢查。")
        return
    if not prov.verify(ctx.provenance_key):
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                en="The provenance seal does not verify: the sidecar was altered or forged.",
                zh="來源紀錄的簽章驗證失敗：紀錄檔遭修改或偽造。")
        return
    if file_sha256(full) == prov.table_sha256:
        ctx.provenance[spec.path] = prov
        return
    # The table changed after the helper wrote it: point at the edited cells when we can.
    cells = prov.body.get("cells") or {}
    edited = []
    for col in table.columns:
        before = cells.get(col)
        if before is None:
            continue
        now = table.text(col).tolist()
        for i, (a, b) in enumerate(zip(before, now)):
            if str(a) != str(b):
                edited.append((i, col, a, b))
        if len(before) != len(now):
            edited.append((min(len(before), len(now)), col, f"{len(before)} rows", f"{len(now)} rows"))
    if not edited:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                en="The table's bytes differ from those the table helper sealed.",
                zh="表格內容與表格工具產生時封存的內容不符。")
    for i, col, a, b in edited:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                location=table.location(i, col),
                en=f"Cell edited after the table helper made it: was {a!r}, now {b!r} "
                   "(a non-exportable result turned exportable).",
                zh=f"此格在表格工具產生後被修改：原為 {a!r}，現為 {b!r}（將不可輸出的結果改為可輸出）。")
