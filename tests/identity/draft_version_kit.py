"""A1 round 8: an approval over HTTP names the draft version the decider read."""
from __future__ import annotations


def seen(http, code: str, headers) -> str:
    """The ``draft_version`` of ``code`` as the decider with ``headers`` reads it ('' if unseen)."""
    r = http.get(f"/api/cases/{code}", headers=headers)
    return (r.json().get("draft_version") or "") if r.status_code == 200 else ""
