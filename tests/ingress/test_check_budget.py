"""An import whose checks cannot finish is refused, nothing stored (E4 default deny, D4).

The checks of files brought in run in a forked child with the egress check's CPU budget
(``egress.engine_cpu_seconds``, here 1 s); a check that spins for ever stands in for a reader no
one has found to back off badly yet."""
from __future__ import annotations

import pytest

from egress_review.engine.warm import warm
from tests.ingress.conftest import CLEAN_CODE, make_world
from tests.ingress.test_workflow import submit


def _spin(*args, **kwargs):
    while True:
        pass


@pytest.fixture
def world(db_url, policy, tmp_path):
    tight = policy.model_copy(update={"egress": policy.egress.model_copy(update={"engine_cpu_seconds": 1})})
    return make_world(db_url, tight, tmp_path)


def test_an_import_whose_checks_cannot_finish_is_refused_and_nothing_kept(client, world, monkeypatch):
    warm()              # the parent's head start runs the engine once: before a check spins
    monkeypatch.setattr("egress_review.ingress.workflow.check_import", _spin)
    r = submit(client, world, "alice", "C1", [("prep/normalise.py", "code", CLEAN_CODE)])
    assert r.status_code == 422, r.text
    assert "CPU" in r.text and "smaller imports" in r.text
    assert client.get("/api/imports", headers=world.auth("alice")).json() == []
    store = world.root / "ingress-store"
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()]
    monkeypatch.undo()  # and the same files, checked in time, come in
    r = submit(client, world, "alice", "C1", [("prep/normalise.py", "code", CLEAN_CODE)])
    assert r.status_code == 201, r.text
