"""Pre-check and submit egress requests from inside a session.

::

    from egress_review.client import EgressClient
    c = EgressClient()                       # EGRESS_REVIEW_URL (http:// or http+unix://) + JUPYTERHUB_API_TOKEN
    result = c.precheck("out/manifest.yaml")  # same engine as the reviewers'; nothing stored
    req = c.submit("out/manifest.yaml")       # {'id': 12, 'state': 'checked', 'verdict': 'review'}
    c.status(req["id"])
    c.comment(req["id"], "counts.csv", "row 3 is a margin")   # answer in a file's thread
    c.view(req["id"])                         # state, findings, reviews and each file's thread

File paths in the manifest are relative to the manifest's directory (or to ``root=``).
A submission carries an idempotency key, so a retry after a lost answer (the service restarted
mid-request) never creates a second request.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from enclave.core.http import Client, Response, WireError

DEFAULT_TIMEOUT_S = 120.0


class EgressClientError(Exception):
    """The service refused the call; ``status`` and the service's explanation are kept."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


def _manifest_dict(manifest: Any) -> tuple[dict, Path | None]:
    from egress_review.manifest import Manifest, load_manifest, parse_manifest

    if isinstance(manifest, (str, Path)):
        path = Path(manifest)
        m = load_manifest(path)
        return m.model_dump(mode="json", exclude_defaults=True), path.parent
    if isinstance(manifest, Manifest):
        return manifest.model_dump(mode="json", exclude_defaults=True), None
    if isinstance(manifest, dict):
        parse_manifest(manifest)  # fail here, with the key named, rather than at the service
        return manifest, None
    raise TypeError(f"manifest must be a path, a dict or a Manifest, not {type(manifest).__name__}")


class EgressClient:
    def __init__(self, url: str | None = None, token: str | None = None, *, scheme: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.url = (url or os.environ.get("EGRESS_REVIEW_URL") or os.environ.get("EGRESS_URL") or "").rstrip("/")
        if not self.url:
            raise ValueError("no egress-review URL: pass url= or set EGRESS_REVIEW_URL")
        hub_token = os.environ.get("JUPYTERHUB_API_TOKEN")
        self.token = token or hub_token
        if not self.token:
            raise ValueError("no token: pass token= or run inside a session (JUPYTERHUB_API_TOKEN)")
        # A JupyterHub token is sent as 'token', an enclave API token as 'Bearer'.
        self.scheme = scheme or ("token" if token is None or token == hub_token else "Bearer")
        self._http = Client(self.url, {"Authorization": f"{self.scheme} {self.token}"}, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "EgressClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check(self, r: Response) -> Any:
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text
            raise EgressClientError(r.status_code, detail)
        return r.json()

    def _files(self, stack: ExitStack, mdict: dict, root: Path | None) -> list:
        if root is None:
            raise ValueError("root= is needed to find the files when the manifest is not a path")
        out = []
        for f in mdict["files"]:
            p = root / f["path"]
            if not p.is_file():
                raise FileNotFoundError(f"manifest file {f['path']!r}: not found at {p}")
            out.append(("files", (f["path"], stack.enter_context(p.open("rb")), "application/octet-stream")))
        # Provenance sidecars written by egress_review.safe_tables go along as checking inputs.
        from egress_review.manifest import parse_manifest

        for rel in parse_manifest(mdict).checking_inputs():
            p = root / rel
            if p.is_file() and rel not in {f["path"] for f in mdict["files"]}:
                out.append(("files", (rel, stack.enter_context(p.open("rb")), "application/json")))
        return out

    def precheck(self, manifest: Any, root: str | Path | None = None) -> dict:
        """The engine's verdict and findings for these files; nothing is stored."""
        mdict, mroot = _manifest_dict(manifest)
        with ExitStack() as stack:
            files = self._files(stack, mdict, Path(root) if root else mroot)
            return self._check(self._http.post("/api/precheck", data={"manifest": json.dumps(mdict)},
                                               files=files))

    def submit(self, manifest: Any, root: str | Path | None = None, *, draft: bool = False,
               supersedes: int | None = None, idempotency_key: str | None = None,
               retries: int = 5, backoff_s: float = 1.0) -> dict:
        """Submit files + manifest; retried on connection loss with the same idempotency key."""
        mdict, mroot = _manifest_dict(manifest)
        key = idempotency_key or uuid.uuid4().hex
        data = {"manifest": json.dumps(mdict), "idempotency_key": key}
        if draft:
            data["draft"] = "true"
        if supersedes is not None:
            data["supersedes"] = str(supersedes)
        attempt = 0
        while True:
            with ExitStack() as stack:
                files = self._files(stack, mdict, Path(root) if root else mroot)
                try:
                    return self._check(self._http.post("/api/requests", data=data, files=files))
                except WireError:
                    if attempt >= retries:
                        raise
            attempt += 1
            time.sleep(backoff_s * attempt)

    def status(self, request_id: int) -> dict:
        return self._check(self._http.get(f"/api/requests/{request_id}"))

    def requests(self) -> list[dict]:
        return self._check(self._http.get("/api/requests"))

    def overview(self):
        """Your requests as a table (state, check, decision), newest first; renders in a notebook."""
        from egress_review.request_view import RequestsView

        return RequestsView(self.requests())

    def view(self, request_id: int):
        """One request as you may see it: outcome, reviews and public comments once decided,
        files with their findings."""
        from egress_review.request_view import RequestView

        return RequestView(self.status(request_id))

    def withdraw(self, request_id: int, reason: str = "") -> dict:
        return self._check(self._http.post(f"/api/requests/{request_id}/withdraw", json={"reason": reason}))

    def comment(self, request_id: int, file: str | int | None, text: str) -> dict:
        """Answer in the thread of one file of your request (``file``: its path as in the
        manifest, or its id); ``file=None`` comments on the whole request where the service
        allows it (not from a session)."""
        if file is None:
            return self._check(self._http.post(f"/api/requests/{request_id}/comments",
                                               json={"body": text, "visibility": "public"}))
        if isinstance(file, str):
            files = self.status(request_id).get("files", [])
            match = [f["id"] for f in files if f["path"] == file]
            if not match:
                raise ValueError(f"request {request_id} has no file {file!r} "
                                 f"(files: {', '.join(f['path'] for f in files) or 'none'})")
            file = match[0]
        return self._check(self._http.post(f"/api/requests/{request_id}/files/{int(file)}/comments",
                                           json={"body": text, "visibility": "public"}))
