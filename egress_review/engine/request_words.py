"""E4/E7/E2: the request's own words leave with it, so they are checked like a text file.

The purpose (which also becomes the request's title), every file's description and every file
name are frozen in the manifest at submission and shown to the reviewers as part of what
leaves; so are the requester's comments on the request (``Context.comments``, never a
reviewer's).  Each is read like a text file (a table pasted into the purpose is a table; a count in
a sentence is a count; identifiers and the case's pseudonyms are found) and each finding is
placed as ``{"request": "purpose" | "description" | "file name", "file": path, ...}``.
:func:`check_words` does the same for a comment a requester writes on a request.
"""
from __future__ import annotations

import re
from types import SimpleNamespace

from egress_review.engine import prose_check, table_units
from egress_review.engine.context import Context
from egress_review.engine.readers import TableUnit, TextUnit
from egress_review.engine.readers.code import _looks_like_records
from egress_review.engine.readers.delimited import read as read_delimited
from egress_review.engine.readers.printed import read_printed

RULE = "E4"
CHECK = "request_words"
_SEPARATORS = re.compile(r"[_./\\-]")


def _words(ctx: Context, text: str, place: dict, spec, counts_only: bool = False) -> None:
    from egress_review.engine.identifiers import report

    report(ctx, spec.path, text, place)
    content = read_printed(text, place)
    if _looks_like_records(text):
        content.extend(read_delimited(text.encode("utf-8"), "words.csv"), place)
    for k, unit in enumerate(content.units):
        if isinstance(unit, TableUnit):
            table_units.check(ctx, spec, unit, k, scan_words=False)
        elif isinstance(unit, TextUnit):
            prose_check.check(ctx, spec, unit, counts_only=counts_only)
            # the request's words leave with its tables: prose_tables compares their counts too
            ctx.prose_counts.extend((spec.path, u, n) for _, u, n in
                                    prose_check.stated_counts([unit], ctx.policy.min_units_per_cell))


def check_words(ctx: Context, text: str, place: dict, *, label: bool = False) -> None:
    """Findings for one piece of a requester's words (reported with file ``""``); ``label``:
    a name, where only stated counts and identifiers matter."""
    _words(ctx, text, place, SimpleNamespace(path="", kind="text"), label)


def check_request(ctx: Context) -> None:
    before = len(ctx.findings)
    m = ctx.manifest
    check_words(ctx, m.purpose, {"request": "purpose"})
    for f in m.files:
        check_words(ctx, f.description, {"request": "description", "file": f.path})
        # separators as spaces (same length): "cohort_3_patients.csv" reads as words
        check_words(ctx, _SEPARATORS.sub(" ", f.path), {"request": "file name", "file": f.path},
                    label=True)
    # the requester's comments leave with the request (they read them outside once it is
    # approved): their counts meet the tables in prose_tables like the purpose's
    for k, text in enumerate(comment_texts(ctx)):
        check_words(ctx, text, {"request": "comment", "comment": k + 1})
    for finding in ctx.findings[before:]:
        finding.check = f"{CHECK}:{finding.check}"


def comment_texts(ctx: Context) -> list[str]:
    """The requester's comments on the request (E3: read like its purpose)."""
    return list(ctx.comments)
