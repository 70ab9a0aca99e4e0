"""The broker's records through the warden's threaded record server (issue 18): each broker
connection has a thread of its own, and the thread of a record writes it - with every other
record waiting - when no other thread is writing (hub_config.warden_record's leader).  Driven
over the real unix socket with the broker's own client (``WardenLog``); SQLite and PostgreSQL
(the ``rows`` fixture).

What must hold whoever writes: no broker is answered before its record is committed, every
record is answered exactly once (none lost when the lead changes hands), a refused record is
refused alone and leaves nothing, and the chain stays whole."""
from __future__ import annotations

import threading
import time
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, text

from enclave.audit.log import _lock, verify_chain
from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from hub_config.broker import LogRefused, WardenLog
from tests.services.warden_thread import ann_and_bob_warden

PURPOSE = "a purpose long enough"


@pytest.fixture
def served(rows, tmp_path):
    """ann booked on C1 (job token ``ann``); bob a member without a booking (job token ``bob``,
    pointing at ann's booking: the gate refuses him)."""
    with ann_and_bob_warden(rows, str(tmp_path / "warden.sock")) as (w, t):
        yield w, f"http+unix://{quote(t.sock, safe='')}/", rows.db_url


def _queries(url: str) -> dict[str, int]:
    with session_scope(url) as s:
        return {r.subject: r.seq for r in s.execute(
            select(AuditRecord).where(AuditRecord.action == "session.query")).scalars()}


class _Held:
    """Another writer holding the audit chain's lock (SQLite: the write lock; PostgreSQL: the
    appenders' advisory lock) until released: whoever leads is stuck in its transaction."""

    def __init__(self, url: str) -> None:
        self.held, self.release = threading.Event(), threading.Event()
        self.t = threading.Thread(target=self._hold, args=(url,))
        self.t.start()
        assert self.held.wait(10)

    def _hold(self, url: str) -> None:
        with session_scope(url) as s:
            s.execute(text("SELECT 1"))   # SQLite: BEGIN IMMEDIATE
            _lock(s)
            self.held.set()
            self.release.wait(30)

    def free(self) -> None:
        self.release.set()
        self.t.join(30)


def test_many_brokers_each_answered_after_its_commit(served):
    """Twelve brokers, each on its own connection (so its own server thread), post while the
    chain is locked: none is answered until the lock goes; then every record is answered once,
    with the seq it has in the log, in fewer commits than records; bob's alone is refused."""
    w, url, db = served
    held = _Held(db)
    answers: dict[str, object] = {}

    def post(i: int, who: str) -> None:
        log = WardenLog(url, f"job {who}", "C1")
        try:
            answers[f"{who} {i}"] = log._post({"event": "query", "purpose": PURPOSE,
                                               "sql": f"select {i} -- {who}", "params": None})
        except LogRefused as e:
            answers[f"{who} {i}"] = e

    threads = [threading.Thread(target=post, args=(i, "ann")) for i in range(12)]
    threads.append(threading.Thread(target=post, args=(99, "bob")))
    commits = w.recorder.commits
    for t in threads:
        t.start()
    time.sleep(1.0)
    assert answers == {}   # nothing answered while no record can be committed
    held.free()
    for t in threads:
        t.join(60)
    assert len(answers) == 13
    refused = answers.pop("bob 99")
    assert isinstance(refused, LogRefused) and "403" in str(refused)
    got = _queries(db)
    assert {f"select {k.split()[1]} -- ann": a["seq"] for k, a in answers.items()} == got
    assert w.recorder.commits - commits < 12   # shared commits, not one per record
    with session_scope(db) as s:
        assert verify_chain(s) == []


def test_a_submitted_record_behind_a_leader_is_written(served):
    """A record queued by ``submit`` (no thread waits for it in ``record``) while a broker's
    thread leads must still be written when that leader's own record is done: the leader
    writes what nobody else will, rather than leaving it queued for ever."""
    w, url, db = served
    job = w.runner.tokens["ann"][1]
    held = _Held(db)
    done = {}
    lead = threading.Thread(target=lambda: done.setdefault("lead", WardenLog(
        url, "job ann", "C1")._post({"event": "query", "purpose": PURPOSE, "sql": "select 'lead'"})))
    lead.start()
    time.sleep(0.5)   # its thread leads, stuck in BEGIN behind the held lock
    rec = w.recorder
    fut = rec.submit(rec.prepare("ann", {"event": "query", "purpose": PURPOSE,
                                         "sql": "select 'queued'"}, job))
    time.sleep(0.2)
    assert not fut.done() and "lead" not in done
    held.free()
    lead.join(30)
    assert fut.result(10)["seq"] == done["lead"]["seq"] + 1
    assert set(_queries(db)) == {"select 'lead'", "select 'queued'"}


def test_the_lead_passes_to_a_waiting_broker(served):
    """Brokers posting back to back from several connections at once: every record lands
    once, in order of its seq, and each broker's answers name its own records - whichever
    thread wrote them."""
    w, url, db = served
    seen: dict[int, list[tuple[str, int]]] = {}

    def broker(k: int) -> None:
        log = WardenLog(url, "job ann", "C1")
        seen[k] = []
        for i in range(15):
            sql = f"select {k}, {i}"
            seen[k].append((sql, log._post({"event": "query", "purpose": PURPOSE,
                                            "sql": sql})["seq"]))

    threads = [threading.Thread(target=broker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    got = _queries(db)
    assert len(got) == 90
    assert {sql: seq for k in seen for sql, seq in seen[k]} == got
    for k in seen:   # one broker's records in the order it posted them
        assert [seq for _, seq in seen[k]] == sorted(seq for _, seq in seen[k])
    with session_scope(db) as s:
        assert s.execute(select(func.count()).select_from(AuditRecord)).scalar_one() >= 90
        assert verify_chain(s) == []
