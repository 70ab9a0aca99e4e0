"""E6: a result made by the table helpers must not be edited before export.

The sidecar written by :mod:`egress_review.safe_tables` is sealed by the query broker (outside
the session, with the per-case key the kernel never has): the exact table bytes, the cell texts
and the true units behind every cell.  Here:

- sealed and verified, bytes unchanged: the provenance is trusted by the later checks;
- sealed and verified, cells only *blanked* since (suppression the engine suggested): still
  trusted - hiding a number never makes a result more disclosive, and the true units let the
  audit judge what an attacker can still derive;
- any other edit, a seal that fails (forged with any key a kernel can get), an unreadable
  sidecar: block;
- unsealed (computed in the kernel): review with the reason; its claims go to
  ``ctx.unsealed`` where they can only add findings (dominance, thresholds), never remove one.
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile
from egress_review.safe_tables.provenance import (ProvenanceError, file_sha256, read_provenance,
                                                  sidecar_path)

RULE = "E6"
CHECK = "provenance"
KINDS = {"table"}


def _edits(table, prov) -> list[tuple]:
    """(row, column, before, now) for every cell whose text differs from the sealed one."""
    cells = prov.body.get("cells") or {}
    out = []
    if [str(c) for c in cells] != list(table.columns):
        out.append((0, None, f"columns {list(cells)}", f"columns {list(table.columns)}"))
        return out
    for col in table.columns:
        before, now = cells[col], table.text(col).tolist()
        if len(before) != len(now):
            out.append((min(len(before), len(now)), col, f"{len(before)} rows", f"{len(now)} rows"))
            continue
        for i, (a, b) in enumerate(zip(before, now)):
            if str(a) != str(b):
                out.append((i, col, a, b))
    return out


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
    if not prov.sealed:
        ctx.unsealed[spec.path] = prov
        note = prov.body.get("note") or "computed in the session's kernel"
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={},
                en=f"The provenance is not sealed by the query broker ({note}): the units and "
                   "contributions are the session's own claims, used only to add findings; a "
                   "reviewer must confirm the table.",
                zh=f"來源紀錄未經查詢代理封存（{note}）：人數與貢獻值僅為工作階段自行聲明，只用於增加"
                   "檢查結果；須由審查人確認此表。")
        return
    if ctx.provenance_key is None:
        from egress_review.safe_tables.remote import verify_with_broker

        answer = verify_with_broker(prov.body)     # in a session: the broker holds the key
        if answer is False:
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                    en="The case's query broker says the provenance seal does not verify: the "
                       "sidecar was altered or forged.",
                    zh="查詢代理回覆來源紀錄的簽章驗證失敗：紀錄檔遭修改或偽造。")
            return
        if answer is True:
            _trust_if_unchanged(ctx, spec, table, full, prov)
            return
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={},
                en="Provenance is sealed but no key is available here to verify it (a pre-check "
                   "in the session); the egress service verifies it on submission.",
                zh="來源紀錄已封存，但此處沒有可驗證的金鑰（工作階段內的預檢）；送出後由輸出審查服務驗證。")
        return
    if not prov.verify(ctx.provenance_key):
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                en="The provenance seal does not verify: the sidecar was altered or forged.",
                zh="來源紀錄的簽章驗證失敗：紀錄檔遭修改或偽造。")
        return
    _trust_if_unchanged(ctx, spec, table, full, prov)


def _trust_if_unchanged(ctx: Context, spec: ManifestFile, table, full, prov) -> None:
    """A verified sidecar: trusted when the table is as sealed (or only blanked since)."""
    if file_sha256(full) == prov.table_sha256:
        ctx.provenance[spec.path] = prov
        return
    edited = _edits(table, prov)
    changed = [e for e in edited if e[1] is None or str(e[3]).strip() != ""
               or not str(e[2]).strip()]
    if edited and not changed:
        ctx.provenance[spec.path] = prov       # only blanked cells: suppression, still true units
        return
    if not edited:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location={},
                en="The table's bytes differ from those the query broker sealed.",
                zh="表格內容與查詢代理封存的內容不符。")
    for i, col, a, b in changed:
        loc = table.location(i, col) if col is not None else {}
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location=loc,
                en=f"Cell edited after the query broker made it: was {a!r}, now {b!r} "
                   "(a non-exportable result turned exportable).",
                zh=f"此格在查詢代理產生後被修改：原為 {a!r}，現為 {b!r}（將不可輸出的結果改為可輸出）。")
