"""E5/E2: a figure whose numbers are all in a table of the same request passes as they do.

A figure entry may name ``data``: a table file of the request holding the number behind every
bar and point (the figure helpers write it).  That table is checked like any table.  When the
query broker sealed the figure together with it (a sidecar ``<figure>.provenance.json`` whose
``table_sha256`` is the figure's bytes and whose ``figure.data_sha256`` is the data file's),
the figure needs no committee: it shows nothing its checked numbers do not (unless the policy's
``data_figures_need_committee`` says otherwise).  Without that seal the figure goes to the
committee as every figure does; a seal that fails blocks.
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E5"
CHECK = "figure_data"
KINDS = {"figure"}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    from egress_review.safe_tables.provenance import (ProvenanceError, file_sha256,
                                                      read_provenance, sidecar_path)

    if spec.data is None:
        return

    def add(severity, en, zh, rule=RULE):
        ctx.add(rule=rule, check=CHECK, severity=severity, file=spec.path,
                location={"data": spec.data}, en=en, zh=zh)

    data_spec = next((f for f in ctx.manifest.files if f.path == spec.data), None)
    if data_spec is None or data_spec.kind != "table":
        add("block", f"The figure's numbers are said to be in {spec.data}, which is not a table of "
                     "this request: submit the table with the figure.",
            f"圖表數據宣稱在 {spec.data}，但該檔不是本申請的表格：請一併提交該表格。", rule="E4")
        return
    if spec.data not in ctx.tables:
        return            # unreadable: the table's own finding blocks
    side = sidecar_path(ctx.full(spec))
    if not side.is_file():
        add("review", f"The figure's numbers ({spec.data}) were checked, but nothing seals the figure "
                      "to them: the committee compares the figure with its table.",
            f"圖表數據（{spec.data}）已檢查，但無封存紀錄連結圖表與數據：由委員會比對圖表與表格。")
        return
    try:
        prov = read_provenance(side)
    except ProvenanceError as e:
        add("block", f"The figure's provenance cannot be read: {e}", f"圖表來源紀錄無法讀取：{e}", "E6")
        return
    link = prov.body.get("figure") if isinstance(prov.body.get("figure"), dict) else {}
    if not prov.sealed or ctx.provenance_key is None:
        add("review", "The figure's link to its numbers is not sealed by the query broker (or cannot "
                      "be verified here): the committee reviews the figure.",
            "圖表與數據的連結未經查詢代理封存（或此處無法驗證）：由委員會審查此圖。")
        return
    if not prov.verify(ctx.provenance_key) or prov.table_sha256 != file_sha256(ctx.full(spec)) \
            or link.get("data_sha256") != file_sha256(ctx.full(data_spec)):
        add("block", "The figure or its data changed after the query broker sealed them together "
                     "(or the seal is forged).",
            "圖表或其數據在查詢代理封存後遭修改（或簽章偽造）。", "E6")
        return
    if not ctx.policy.data_figures_need_committee:
        ctx.data_figures.add(spec.path)
