"""E1/E2/E4: every part of every file is read and checked; what cannot be read goes to review.

Each file is turned into units by the reader of its format (:mod:`.readers`).  Then:
- a table unit gets the same rule modules as a declared table, with roles inferred from its
  labels and cells (:mod:`.unit_tables`); numbers whose role cannot be told go to review;
- a text unit's numbers are read (:mod:`.prose`): a count under the threshold blocks like a
  cell, a number whose meaning cannot be told sends the file to review with the sentence;
- a model printout is checked by :mod:`.model_units` (observations, residual dof, levels);
- images inside documents go to the committee path; opaque parts, parts a reader failed on and
  files of unknown format go to review with the reason.
Declared tables are read by :mod:`.tables`; here only the rest of such a file is read (other
sheets, comments, properties, metadata).
"""
from __future__ import annotations

from egress_review.engine import model_strings, model_units, prose_check, table_units, text_beneath
from egress_review.engine.context import Context
from egress_review.engine.readers import (ImageUnit, ModelSummary, OpaqueUnit, TableUnit, TextUnit,
                                          read_content)
from egress_review.manifest import ManifestFile

RULE = "E4"
CHECK = "content"
KINDS = {"table", "figure", "text", "code", "notebook", "model"}

# Formats whose bytes are not text: the identifier scan of the raw file sees nothing there, so
# the words and cells their readers find are scanned here.
BINARY_FORMATS = {"xlsx", "ods", "parquet", "arrow", "pdf", "docx"}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    full = ctx.full(spec)
    raw = full.read_bytes()
    declared = ctx.tables.get(spec.path)
    if spec.kind == "table" and declared is None:
        return                    # the table could not be read as declared: already blocked
    options = {"skip_sheet": declared.sheet} if declared is not None and declared.sheet else {}
    if spec.path.lower().endswith((".xlsx", ".xlsm")):
        options["max_figures"] = ctx.policy.max_table_cells    # E6: beyond it, blocked as is
    # a zip bomb dressed as a workbook or document is not unpacked (the import limit, D4)
    content = read_content(raw, spec.path, max_unpacked=ctx.policy.import_max_unpacked_bytes,
                           **options)
    units = content.units
    if declared is None:
        # the name is the requester's word: text bytes under a binary or unreadable name are
        # also read as the text they are (a CSV named .rds or .dta declared a model)
        beneath, why = text_beneath.as_text(raw, spec.path, content)
        if beneath is None:
            # text a model's weights carry (metadata, archive members, runs of text) is read
            beneath = model_strings.carried(raw, spec.path, spec.kind)
        if beneath is not None:
            units = units + beneath.units
            content.unread.extend(beneath.unread)
        if why:
            ctx.add(rule="E7", check=CHECK, severity="review", file=spec.path,
                    location={"read_as": "text"},
                    en=f"This file is not what its name says: {why}. It was read and checked "
                       "as text; a reviewer checks what it is.",
                    zh="此檔內容與檔名不符：檔名顯示為二進位或無法讀取的格式，實際位元組為純文字。"
                       "已依文字讀取檢查，由審查人確認其內容。")
    if declared is not None and content.fmt != "xlsx":
        # the declared table is the file's one table; its metadata and words are still read
        units = [u for u in units if not isinstance(u, TableUnit)]
    if content.fmt == "svg" and spec.path in getattr(ctx, "data_figures", ()):
        units = []                # a figure checked through the numbers behind it
    committee_kind = spec.kind in ctx.policy.committee_kinds
    scan_words = content.fmt in BINARY_FORMATS
    for k, unit in enumerate(units):
        if isinstance(unit, TableUnit):
            table_units.check(ctx, spec, unit, k, scan_words=scan_words)
        elif isinstance(unit, TextUnit):
            if scan_words:
                table_units.scan_identifiers(ctx, spec, unit.text, unit.place)
            if not unit.code:
                prose_check.check(ctx, spec, unit)
        elif isinstance(unit, ModelSummary):
            model_units.check(ctx, spec, unit)
        elif isinstance(unit, ImageUnit):
            if content.fmt == "notebook":
                continue          # the imaging check sends a notebook's images to the committee
            if content.fmt in ("image", "svg") and (
                    committee_kind or spec.path in getattr(ctx, "data_figures", ())):
                continue          # a figure: committee path already, or a figure with its data
            ctx.add(rule="E5", check=CHECK, severity="review", file=spec.path,
                    location=dict(unit.place), committee=True,
                    en="An image (in or as this file): figures and pictures go to the committee.",
                    zh="影像（檔案本身或其內含）：圖表與影像須送委員會審查。")
        elif isinstance(unit, OpaqueUnit):
            if committee_kind:
                continue          # the committee path (E5) already holds this file
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location=dict(unit.place),
                    en=f"This part cannot be read by the checks ({unit.what}); a reviewer must "
                       "read it.",
                    zh=f"此部分無法由檢查程式讀取（{unit.what}），須由審查人閱讀。")
    prose_check.check_across(ctx, spec, [u for u in units if isinstance(u, TextUnit)
                                         and not u.code and not u.place.get("labelled")])
    for part in content.unread:
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location=dict(part.place),
                en=f"Part of the file was not read: {part.reason}. Nothing unread passes; a "
                   "reviewer must read it.",
                zh=f"檔案有部分未能讀取：{part.reason}。未讀取的內容不得自動通過，須由審查人閱讀。")
