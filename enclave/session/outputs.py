"""Submit outputs from a session to egress review (E4): files plus what each is and why.

POST ``{EGRESS_URL}/api/requests`` as multipart: a ``manifest`` part (JSON) and one ``files``
part per file, with ``Authorization: token <the session's hub token>`` so the egress service
can identify the account with the hub.  ``EGRESS_URL`` may be ``http+unix://<socket>`` (the
sandbox has no network; the socket is bound into it).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from enclave.core.http import Client, WireError


class SubmissionError(RuntimeError):
    pass


def submit_outputs(files: Iterable[str | os.PathLike], manifest: dict[str, Any], *,
                   url: str | None = None, token: str | None = None) -> dict:
    """Send files for review; returns the egress service's JSON answer (e.g. the request id)."""
    url = url or os.environ.get("EGRESS_URL")
    token = token or os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url:
        raise SubmissionError("EGRESS_URL is not set: no egress-review service configured")
    if not token:
        raise SubmissionError("JUPYTERHUB_API_TOKEN is not set: not inside a hub session")
    if not isinstance(manifest, dict):
        raise SubmissionError(f"manifest must be a dict, got {type(manifest).__name__}")
    paths = [Path(f) for f in files]
    if not paths:
        raise SubmissionError("no files given")
    for p in paths:
        if not p.is_file():
            raise SubmissionError(f"{p}: not a file")
    handles = [p.open("rb") for p in paths]
    try:
        parts = [("files", (p.name, h, "application/octet-stream")) for p, h in zip(paths, handles)]
        with Client(url, {"Authorization": f"token {token}"}, timeout=120) as c:
            r = c.post("/api/requests", data={"manifest": json.dumps(manifest)}, files=parts)
    except WireError as e:
        raise SubmissionError(f"the egress service could not be reached ({e}); nothing was sent "
                              "or the answer was lost - look at your requests before sending again") from e
    finally:
        for h in handles:
            h.close()
    if r.status_code >= 400:
        raise SubmissionError(f"egress service refused the request ({r.status_code}): {r.text}")
    return r.json()
