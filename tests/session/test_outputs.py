"""submit_outputs against a tiny FastAPI stand-in served on a unix socket (as the egress
service is reached from a sandbox).  The real egress-review service lives in egress_review/;
this stand-in checks only the HTTP contract: POST /api/requests, multipart manifest + files,
Authorization: token <hub token>."""
from __future__ import annotations

import json
import threading
import time

import pytest
import uvicorn
from fastapi import FastAPI, File, Form, Header, HTTPException, UploadFile

from enclave.session import SubmissionError, submit_outputs
from hub_config.spawner import unix_url


@pytest.fixture
def egress(tmp_path):
    got = {}
    app = FastAPI()

    @app.post("/api/requests")
    async def create(manifest: str = Form(...), files: list[UploadFile] = File(...),
                     authorization: str = Header("")):
        if authorization != "token hub-token-123":
            raise HTTPException(401, "bad token")
        got["manifest"] = json.loads(manifest)
        got["files"] = {f.filename: await f.read() for f in files}
        return {"id": 7, "state": "submitted"}

    sock = str(tmp_path / "egress.sock")
    server = uvicorn.Server(uvicorn.Config(app, uds=sock, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    while not server.started:
        time.sleep(0.05)
    yield unix_url(sock), got
    server.should_exit = True
    t.join(10)


def test_submit_outputs_posts_manifest_and_files_with_hub_token(egress, tmp_path):
    url, got = egress
    f = tmp_path / "table1.csv"
    f.write_text("group,n\nA,12\n")
    manifest = {"purpose": "aim 1 table", "files": [{"path": "table1.csv",
                                                     "description": "counts by group"}]}
    out = submit_outputs([f], manifest, url=url, token="hub-token-123")
    assert out == {"id": 7, "state": "submitted"}
    assert got["manifest"] == manifest
    assert got["files"] == {"table1.csv": b"group,n\nA,12\n"}


def test_submit_outputs_errors(egress, tmp_path):
    url, _ = egress
    f = tmp_path / "t.csv"
    f.write_text("x\n")
    with pytest.raises(SubmissionError, match="401"):
        submit_outputs([f], {"purpose": "p"}, url=url, token="stolen")
    with pytest.raises(SubmissionError, match="not a file"):
        submit_outputs([tmp_path / "missing.csv"], {}, url=url, token="hub-token-123")
    with pytest.raises(SubmissionError, match="EGRESS_URL"):
        submit_outputs([f], {}, url="", token="x")
