"""A check that cannot finish never passes and never holds the service (E4, default deny).

The automatic check of a request and the check of words the requester will read run in a forked
child with a CPU budget (``egress_review.bounded``; policy ``egress.engine_cpu_seconds`` and
``egress.words_cpu_seconds``).  The readers found to back off badly are fixed (runs of digits,
runs of blank lines, a Latin word before a bracket); a check that spins for ever stands in here
for the ones nobody has found yet."""
from __future__ import annotations

import re

import pytest

from egress_review import bounded
from egress_review.bounded import OverBudget, run_bounded
from egress_review.engine.warm import warm
from tests.egress_workflow.conftest import manifest, nhi_policy, submit

STATE = []


def _spin():
    while True:
        pass


def _backtrack():
    # a pattern that backs off exponentially, inside the C regular-expression engine (no
    # Python code runs while it searches, so only the kernel can stop it)
    return re.match(r"(a+)+$", "a" * 64 + "b")


def _remember(x):
    STATE.append(x)
    return len(STATE)


class Unreadable(Exception):
    def __init__(self, a, b):          # pickle cannot rebuild it from its args
        super().__init__(f"{a}-{b}")
        self.a = a


def _raise(kind):
    if kind == "key":
        raise KeyError("missing column")
    raise Unreadable(1, 2)


def test_the_value_comes_back_from_the_child():
    assert run_bounded(sorted, [3, 1, 2], cpu_seconds=5, what="sorting") == [1, 2, 3]
    assert run_bounded(dict, a=1, cpu_seconds=5, what="a dict") == {"a": 1}


@pytest.mark.parametrize("work", [_spin, _backtrack], ids=["python-loop", "regex-backtracking"])
def test_work_past_its_cpu_budget_is_stopped(work):
    with pytest.raises(OverBudget, match=r"within 1 s of CPU"):
        run_bounded(work, cpu_seconds=1, what="the automatic check")


def test_the_childs_error_is_raised_here():
    with pytest.raises(KeyError, match="missing column"):
        run_bounded(_raise, "key", cpu_seconds=5, what="x")
    with pytest.raises(RuntimeError, match="x failed: Unreadable: 1-2"):   # not rebuilt here: said
        run_bounded(_raise, "odd", cpu_seconds=5, what="x")


def test_what_the_child_changes_stays_in_the_child():
    STATE.clear()
    assert run_bounded(_remember, "x", cpu_seconds=5, what="x") == 1
    assert STATE == []


def test_a_child_that_blocks_instead_of_computing_is_stopped(monkeypatch):
    import time

    monkeypatch.setattr(bounded, "MIN_WALL_SECONDS", 1)
    monkeypatch.setattr(bounded, "WALL_FACTOR", 1)
    with pytest.raises(OverBudget, match="no progress"):
        run_bounded(time.sleep, 30, cpu_seconds=1, what="the automatic check")


@pytest.fixture
def policy():
    return nhi_policy(engine_cpu_seconds=1, words_cpu_seconds=1)


def test_a_submission_whose_check_cannot_finish_is_blocked_for_a_reviewer(client, world, monkeypatch):
    warm()          # the parent's head start runs the engine once: before it is made to spin
    monkeypatch.setattr("egress_review.engine.check_request", lambda *a, **k: _spin())
    r = submit(client, world)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["verdict"] == "block"
    detail = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()
    assert detail["state"] == "checked"
    assert "CPU" in detail["check_result"]["error"]


def test_words_whose_check_cannot_finish_are_refused(client, world, monkeypatch):
    rid = submit(client, world).json()["id"]
    warm()
    monkeypatch.setattr("egress_review.comments.requester_words_findings", lambda *a, **k: _spin())
    r = client.post(f"/api/requests/{rid}/comments", headers=world.auth("alice"),
                    json={"body": "the counts are by age group", "visibility": "public"})
    assert r.status_code == 422
    assert "shorten" in r.text and "CPU" in r.text
    comments = client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()["comments"]
    assert comments == []                   # nothing half-written
