"""The engine's lazy tables, loaded once in the service's own process.

Each check runs in a forked child (``egress_review.bounded``) that leaves when it is done, so
what a check loads on first use (the name dictionaries and their segmenter, pandas, the file
readers) would be loaded again by every child and lost: 1.2 s of CPU for a one-line comment
against 0.015 s once the parent holds them.  :func:`warm` reads a small request once, in the
parent, before the first child is forked.
"""
from __future__ import annotations

import functools
import json
import logging
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

_SAMPLE_TEXT = ("王小明醫師說本研究共有120位病人，其中35人於2019年死亡（29.2%）。"
                "Of the 120 patients seen by Dr. Lin (林), 35 died; mean age 61.4 years.\n")
_SAMPLE_TABLE = "age_group,sex,n\n20-39,F,120\n20-39,M,98\n"


@functools.cache
def warm() -> None:
    """Run the engine once on a sample request (a table and a note); idempotent per process."""
    from egress_review.engine import check_request
    from egress_review.request_input import parse_manifest_json
    from policies.sections.egress import EgressPolicy

    manifest = parse_manifest_json(json.dumps({
        "version": 1, "case_code": "WARM", "purpose": _SAMPLE_TEXT,
        "files": [{"path": "t.csv", "kind": "table", "description": "persons by age and sex",
                   "columns": {"age_group": {"role": "group"}, "sex": {"role": "group"},
                               "n": {"role": "count"}}},
                  {"path": "note.txt", "kind": "text", "description": "the note"}]}))
    try:
        with tempfile.TemporaryDirectory(prefix="egress-warm-") as d:
            Path(d, "t.csv").write_text(_SAMPLE_TABLE)
            Path(d, "note.txt").write_text(_SAMPLE_TEXT)
            check_request(manifest, Path(d), policy=EgressPolicy(), requester_comments=[_SAMPLE_TEXT])
    except Exception:        # only a head start: each child still loads what it lacks
        log.exception("warming the egress engine failed; checks load their tables themselves")
