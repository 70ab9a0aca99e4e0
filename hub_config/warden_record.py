"""The warden's per-query record (A3): the gate's decision and the audit append, group-committed.

One thread at a time writes (the leader): the record's own connection thread when no other is
writing, so a lone broker's record is written without a hand-off to another thread (issue 18).
It takes every record waiting (up to ``MAX_BATCH``), and in ONE transaction decides each on the
state as it is (the booking gate's one SELECT, on a Core connection - no ORM session), appends
the accepted ones to the
hash chain, commits once - one WAL fsync for all of them - and writes one signed checkpoint
of the new head (it vouches for every record before it).  Only then is each record's answer
given; so a record's 201 never precedes its own durability, whatever batch it shared:

* a record the gate refuses (slot over, case suspended, another case claimed ...) gets its
  403 and nothing is appended for it; the others of its batch go on;
* if anything fails while the batch is written or committed, the transaction is rolled back
  and EVERY record of the batch that was not refused gets 503 - none of them exists, and the
  broker drops each query's result.

Requests that arrive while a batch commits wait, and form the next batch, written by one of
them once the leader has answered its own: one broker alone waits for nothing; many brokers
share the fsyncs.  ``submit`` (a record whose caller does not wait on this thread) starts a
helper thread to lead when no one is leading.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from tornado import web

from enclave.audit import AuditEntry
from enclave.audit.log import append_to, checkpoint, open_chain
from enclave.bookings import gate
from enclave.db import engine_for, utcnow
from hub_config.http import MAX_SQL_CHARS

log = logging.getLogger("enclave.warden")
MAX_BATCH = 64


@dataclass(frozen=True)
class Item:
    """One record to write: who (decided by the warden from the credential), and what."""

    name: str
    kind: str           # "purpose" | "query"
    purpose: str
    claimed: Any        # the case the broker serves, or None
    sql: str | None
    detail: dict
    job_booking: int | None


class Recorder:
    def __init__(self, db_url: str, policy) -> None:
        self.db_url, self.policy = db_url, policy
        self._cond = threading.Condition()
        # records to write, each with whether a thread waits in record() for it (guarded by _cond)
        self._waiting: deque[tuple[Item, Future, bool]] = deque()
        self._leading = False     # a thread is writing batches (guarded by _cond)
        self.commits = 0   # transactions that wrote records (one per batch; for tests, benches)

    # ------------------------------------------------------------ the request side
    def prepare(self, name: str, body: dict, job_booking: int | None = None) -> Item:
        """The body checked (400 saying what is wrong) before anything is decided."""
        kind = body.get("event")
        purpose = str(body.get("purpose") or "").strip()
        minimum = self.policy.sessions.purpose_min_length
        if kind not in ("purpose", "query"):
            raise web.HTTPError(400, "event must be 'purpose' or 'query'")
        if len(purpose) < minimum:
            raise web.HTTPError(400, f"purpose must be at least {minimum} characters (A3)")
        sql = None
        detail: dict = {}
        if kind == "query":
            sql = str(body.get("sql") or "")
            if not sql.strip():
                raise web.HTTPError(400, "sql is empty")
            if len(sql) > MAX_SQL_CHARS:
                raise web.HTTPError(400, f"sql longer than {MAX_SQL_CHARS} characters")
            detail = {"params": body.get("params"), "client_ts": body.get("client_ts")}
        return Item(name, kind, purpose, body.get("case"), sql, detail, job_booking)

    def submit(self, item: Item) -> Future:
        """Queue ``item``; its future is answered once it is written (or refused).  A helper
        thread leads if no thread is writing."""
        fut: Future = Future()
        with self._cond:
            self._waiting.append((item, fut, False))
            start = not self._leading
            self._leading = True
        if start:
            threading.Thread(target=self._lead, args=(None,), name="warden-record",
                             daemon=True).start()
        return fut

    def record(self, name: str, body: dict, job_booking: int | None = None) -> dict:
        """Blocking: the record written and durable, or web.HTTPError (403 refused, 400 bad
        body, 503 not written).  The calling thread writes it itself - with whatever else is
        waiting - unless another thread is writing: then it waits to be answered or to lead."""
        fut: Future = Future()
        item = self.prepare(name, body, job_booking)
        with self._cond:
            self._waiting.append((item, fut, True))
            while self._leading and not fut.done():
                self._cond.wait()
            lead = not fut.done()
            if lead:
                self._leading = True
        if lead:
            self._lead(fut)
        return fut.result()

    # ------------------------------------------------------------ the writer
    def _lead(self, own: Future | None) -> None:
        """Holding the lead: write batches until ``own`` is answered (a helper, ``own`` None:
        until nothing waits); then give the lead up.  A record left whose caller waits in
        record() is that caller's to lead; one only submitted is written by this leader."""
        try:
            while True:
                with self._cond:
                    if not self._waiting:
                        return   # (finally) the lead is given up
                    if (own is None or own.done()) and any(w for _, _, w in self._waiting):
                        return   # a waiting caller wakes to lead its own (and the rest)
                    batch = [self._waiting.popleft()[:2]
                             for _ in range(min(MAX_BATCH, len(self._waiting)))]
                try:
                    self.write(batch)
                except Exception:   # write() answers every future; this keeps the leader going
                    log.exception("the record writer failed")
                with self._cond:
                    self._cond.notify_all()   # followers whose records were answered return
        finally:
            with self._cond:
                self._leading = False
                self._cond.notify_all()

    def _decide(self, conn, item: Item, now: dt.datetime) -> gate.GateDecision:
        """The gate on the state as it is now (one SELECT), refusals as 403."""
        if item.job_booking is None:
            d = gate.check(conn, item.name, now, load=False)
        else:   # an overnight job: only while its own registered booking runs
            lead = dt.timedelta(hours=self.policy.sessions.overnight_registration_lead_hours)
            d = gate.check(conn, item.name, now, kind="overnight", overnight_lead=lead,
                           load=False)
            if d.allowed and d.booking_id != item.job_booking:
                d = gate.GateDecision(None, "the job's booking is over")
        if not d.allowed:
            raise web.HTTPError(403, f"no active session: {d.reason}")
        if item.claimed is not None and item.claimed != d.case_code:
            raise web.HTTPError(403, f"the booking is for case {d.case_code}, "
                                     f"not {item.claimed}")
        return d

    @staticmethod
    def _entry(item: Item, d: gate.GateDecision) -> AuditEntry:
        if item.kind == "purpose":
            return AuditEntry("session", item.name, "session.purpose", case_code=d.case_code,
                              reason=item.purpose, detail={"booking": d.booking_id})
        return AuditEntry("session", item.name, "session.query", case_code=d.case_code,
                          reason=item.purpose, subject=item.sql,
                          detail={"booking": d.booking_id, **item.detail})

    def write(self, batch: list[tuple[Item, Future]]) -> None:
        """Decide and append the batch in one transaction, commit, checkpoint; then answer."""
        answers: list[Any] = [None] * len(batch)
        chain = None
        try:
            with engine_for(self.db_url).connect() as conn, conn.begin():
                for i, (item, _) in enumerate(batch):
                    try:
                        d = self._decide(conn, item, utcnow())
                    except web.HTTPError as e:
                        answers[i] = e    # refused: nothing appended for it
                        continue
                    if chain is None:
                        chain = open_chain(conn)
                    rec = append_to(chain, self._entry(item, d))
                    answers[i] = {"seq": rec.seq, "case": d.case_code, "ts": rec.ts}
            # committed: every appended record of the batch is durable from here on
            self.commits += chain is not None
        except BaseException as e:
            log.exception("a batch of %d records was not written", len(batch))
            for i, (_, fut) in enumerate(batch):
                if not isinstance(answers[i], web.HTTPError):
                    answers[i] = web.HTTPError(
                        503, "the audit record could not be written; nothing was recorded")
            self._answer(batch, answers)
            if not isinstance(e, Exception):
                raise
            return
        if chain is not None:
            try:
                checkpoint(chain)
            except Exception:   # committed records stand; a later checkpoint vouches for them
                log.exception("audit checkpoint after a batch of %d records failed", len(batch))
        self._answer(batch, answers)   # every future answered: no broker waits forever

    @staticmethod
    def _answer(batch, answers) -> None:
        for (_, fut), a in zip(batch, answers):
            if isinstance(a, BaseException):
                fut.set_exception(a)
            else:
                fut.set_result(a)
