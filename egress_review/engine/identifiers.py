"""E7: no personal identifiers anywhere: tables, text, code, notebook outputs, figure metadata.

Uses the enclave's offline recognisers (``deidentify.text.find_identifiers``: national IDs and
resident numbers validated by checksum, phones, addresses, e-mail, Chinese names) plus the
case's own pseudonyms.  An ID-shaped string that fails the checksum (an NHI drug code such as
AC12345100) does not match.  Names come from a surname-list recogniser with false positives,
so they go to a reviewer; everything else blocks.
"""
from __future__ import annotations

import re

from egress_review.engine.content import line_of, segments
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E7"
CHECK = "identifiers"
KINDS = {"table", "figure", "text", "code", "notebook", "model"}
# Names (surname list) and what is known only by a label or a loose shape (a number after "ID",
# a URL in a notebook, a dotted quad that may be a version) go to a reviewer; the rest blocks.
_REVIEW_KINDS = {"NAME", "ID_LABELLED", "ACCOUNT", "PLATE", "IP", "URL"}
_NUMERIC = re.compile(r"^[\s\d.,%+-]*$")
_KIND_ZH = {"ID": "身分證/居留證號", "PHONE": "電話號碼", "ADDRESS": "地址", "EMAIL": "電子郵件",
            "NAME": "姓名", "TERM": "本案假名", "DOB": "出生日期", "MRN": "病歷號碼",
            "NHI_CARD": "健保卡號", "ID_LABELLED": "疑似證件號碼（未經檢查碼驗證）", "ACCOUNT": "帳號",
            "PLATE": "車牌號碼", "IP": "IP 位址", "URL": "網址"}
_KIND_EN = {"ID": "national ID or resident number", "PHONE": "phone number", "ADDRESS": "address",
            "EMAIL": "e-mail address", "NAME": "name", "TERM": "case pseudonym",
            "DOB": "date of birth", "MRN": "medical record number", "NHI_CARD": "NHI card number",
            "ID_LABELLED": "ID-like number (labelled or shaped as one, check digit not verified)", "ACCOUNT": "account or messenger ID",
            "PLATE": "licence plate", "IP": "IP address", "URL": "web address"}


def _texts_for_scan(seg_text: str, table_mode: bool) -> str:
    if not table_mode:
        return seg_text
    # Short plain numbers cannot be identifiers; blank them (same length keeps offsets).
    lines = seg_text.split("\n")
    return "\n".join(" " * len(s) if _NUMERIC.match(s) and len(re.sub(r"\D", "", s)) < 8 else s
                     for s in lines)


def report(ctx: Context, file: str, text: str, base: dict, place_of_line=None) -> None:
    """Identifiers in ``text`` (words read from inside a file), placed by line and offset or,
    with ``place_of_line``, by the place each line came from (a table's cell)."""
    from deidentify.text import find_identifiers_batch

    if not text.strip():
        return
    for hit in find_identifiers_batch([text], extra_terms=ctx.pseudonyms)[0]:
        line = line_of(text, hit.start)
        if place_of_line is not None:
            loc = place_of_line(line)
        else:
            loc = {**base, "line": line, "offset": hit.start, "length": hit.end - hit.start}
        _add(ctx, file, hit, loc)


def _add(ctx: Context, file: str, hit, loc: dict) -> None:
    kind = "TERM" if hit.kind == "TERM" else hit.kind
    severity = "review" if kind in _REVIEW_KINDS else "block"
    shown = hit.text if kind == "NAME" else hit.text[:3] + "…"
    ctx.add(rule=RULE, check=CHECK, severity=severity, file=file, location=loc,
            en=f"Identifier found ({_KIND_EN.get(kind, kind.lower())}: {shown!r}); personal identifiers and the "
               "case's pseudonyms may never leave the enclave.",
            zh=f"發現識別資料（{_KIND_ZH.get(kind, kind)}：{shown!r}）；個人識別資料與本案假名不得攜出。")


def check_file(ctx: Context, spec: ManifestFile) -> None:
    # the batch form prefilters: Presidio and the name tables load only for text that could
    # hold an identifier (a table of labels and numbers never starts them)
    from deidentify.text import find_identifiers_batch

    table = ctx.tables.get(spec.path)
    if spec.kind == "model" and table is None:
        return  # weights are binary; they go to the committee (E5) and the smuggling scan
    for seg in segments(ctx.root, spec, table):
        text = _texts_for_scan(seg.text, table is not None)
        if not text.strip():
            continue
        for hit in find_identifiers_batch([text], extra_terms=ctx.pseudonyms)[0]:
            loc = dict(seg.location)
            line = line_of(text, hit.start)
            if table is not None and seg.location.get("part") == "column":
                loc = table.location(line - 1, seg.location["column"])
            elif table is not None:
                loc = {"row": 0, "line": table.header_line, "header": hit.text}
            else:
                loc["line"] = line
                loc["offset"] = hit.start
                loc["length"] = hit.end - hit.start
            _add(ctx, spec.path, hit, loc)
