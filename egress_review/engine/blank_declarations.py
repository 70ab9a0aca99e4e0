"""E4: a declaration that says nothing about its file goes to a person.

The manifest refuses a description of spaces or invisible characters (manifest._said); a red
team then wrote ``-``, ``…``, ``0`` or the file's own name as what the file is.  E4 asks the
requester to explain the content: a description with no word in it, or that only repeats the
path, explains nothing, so the file goes to a reviewer with the reason (it never blocks: the
content is checked as it is either way).
"""
from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E4"
CHECK = "declaration"
KINDS = {"table", "figure", "text", "code", "notebook", "model"}


def says_nothing(description: str, path: str) -> bool:
    """No letter of any alphabet, or only the file's path or name again."""
    text = unicodedata.normalize("NFKC", description).strip().strip("\"'`").strip()
    if not any(unicodedata.category(ch).startswith("L") for ch in text):
        return True
    p = PurePosixPath(path)
    return text.casefold() in {path.casefold(), p.name.casefold()}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if says_nothing(spec.description, spec.path):
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={},
                en=f"The manifest's description of this file ({spec.description!r}) says nothing "
                   "about what it holds (no word, or only its name): a reviewer reads the file "
                   "and asks for a description.",
                zh=f"申請清單對此檔的說明（{spec.description!r}）未說明其內容（沒有文字，或僅重複檔名）："
                   "由審查人閱讀檔案並請申請人補充說明。")
