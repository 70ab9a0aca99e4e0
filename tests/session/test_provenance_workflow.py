"""The worked example of docs/researcher-workflow.md, run as written: a pandas analysis made
into checked outputs by changing the import.  The code block of the doc runs against a query
broker on a real unix socket (in-process, as in test_query.py) holding an outpatient extract,
and submits to an egress stand-in on a unix socket; the files it submitted are then checked by
the real engine with the case key: every table sealed by the broker (E6), none blocked."""
from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import uvicorn
from fastapi import FastAPI, File, Form, UploadFile

from egress_review.engine import check_request
from egress_review.manifest import parse_manifest
from hub_config.broker import CaseDatabase
from hub_config.spawner import unix_url
from policies.sections.egress import EgressPolicy
from tests.services.broker import broker_on_socket

DOC = Path(__file__).resolve().parents[2] / "docs" / "researcher-workflow.md"
TOKEN = "hub-token-of-the-session"
CASE_KEY = bytes(range(32, 64))


class _Log:
    def purpose(self, purpose):
        pass

    def query(self, purpose, sql, params):
        pass


@pytest.fixture
def session(tmp_path, monkeypatch):
    data = tmp_path / "C2026-0001" / "data"
    data.mkdir(parents=True)
    rng = np.random.default_rng(11)
    n = 5000
    cost = rng.gamma(3, 300, n)
    cost[rng.random(n) < 0.02] = np.nan
    pd.DataFrame({"ID": rng.integers(0, 1500, n).astype(str).astype(object),
                  "ID_SEX": rng.choice(["F", "M"], n), "CASE_TYPE": rng.choice(["01", "02"], n),
                  "FEE_YM": rng.choice(["201905", "202003", "202111"], n),
                  "T_DOT": cost}).to_parquet(data / "H_NHI_OPDTE.parquet")
    db = CaseDatabase(data, _Log(), max_rows=10_000, max_bytes=5_000_000, purpose_min_length=10,
                      require_encrypted=False,  # plain fixture files: sealing is tested here
                      seal_key=CASE_KEY, case_code="C2026-0001")
    broker = contextlib.ExitStack()
    broker_url = broker.enter_context(broker_on_socket(db, f"token {TOKEN}",
                                                       tmp_path / "broker.sock"))
    got: dict = {}
    app = FastAPI()

    @app.post("/api/requests")
    async def create(manifest: str = Form(...), files: list[UploadFile] = File(...)):
        got["manifest"] = json.loads(manifest)
        got["files"] = {f.filename: await f.read() for f in files}
        return {"id": 1, "state": "submitted"}

    esock = str(tmp_path / "egress.sock")
    server = uvicorn.Server(uvicorn.Config(app, uds=esock, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    for var in ("ENCLAVE_PROVENANCE_KEY", "ENCLAVE_PROVENANCE_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)          # a session has no key
    monkeypatch.setenv("ENCLAVE_BROKER_URL", broker_url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    monkeypatch.setenv("EGRESS_URL", unix_url(esock))
    monkeypatch.chdir(tmp_path)
    yield tmp_path, got
    server.should_exit = True
    broker.close()


def test_worked_example_runs_and_its_outputs_are_sealed_and_checked(session):
    root, got = session
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    ns: dict = {}
    exec(compile(code, str(DOC), "exec"), ns)           # the doc's code, unchanged
    for name in ("t1", "t2", "t3", "model", "by_year"):
        assert ns[name].is_sealed, (name, ns[name].note)
    assert (root / "out" / "visits_by_year.png.provenance.json").is_file()
    files = got["files"]
    out = root / "submitted"
    out.mkdir()
    for name, data in files.items():
        (out / name).write_bytes(data)
    m = parse_manifest(got["manifest"])
    r = check_request(m, out, policy=EgressPolicy(), provenance_key=CASE_KEY)
    assert not [f for f in r.findings if f.check == "provenance"], \
        [(f.file, f.message_en) for f in r.findings if f.check == "provenance"]
    assert r.verdict != "block", [(f.file, f.check, f.message_en) for f in r.findings
                                  if f.severity == "block"]
    assert not [f for f in r.findings if f.file == "visits_by_year.png" and f.committee]
