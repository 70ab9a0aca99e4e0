"""A5, round 6: what rounds 1-5 left open (see docs/architecture.md "Audit log").

1. **The unsealed copies of the log's query decisions (A3).**  ``query_reviews`` (a supervisor's
   decision on a logged query) and ``query_pending`` (the undecided queries the booking gate
   reads) sit beside the sealed records but carry no seal.  With write access to the database
   and no key one could turn a flagged query into an approved one, invent or remove a decision,
   delete a pending row or move its time or case so the gate stops seeing an overdue query - and
   ``verify`` passed.  Now ``verify`` reads both tables against the sealed ``session.query`` and
   ``query.approved`` / ``query.flagged`` records (``enclave.audit.derived``): kind
   ``decision-index``.
2. **A NUL character in an entry's text** was stored by SQLite (C-string readers - the sqlite3
   shell, exports - stop at it and show another value than the sealed one: "alice\\0 ..." reads
   "alice") and refused late by PostgreSQL (a failed transaction).  Now both refuse it before
   anything is written (``AuditEntryError``); in ``detail`` it is stored as the JSON escape, alike
   everywhere, and stays allowed.
Every attack has a safe counterpart that must still verify; SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from enclave.audit import AuditEntry, append
from enclave.audit.derived import KIND
from enclave.audit.log import AuditEntryError
from enclave.audit.models import AuditHead, AuditRecord
from enclave.audit.verify import verify_audit
from enclave.db import session_scope
from enclave.querylog.service import decide
from tests.audit import attacks as A
from tests.audit.people_seal import seal_people
from tests.control.conftest import T0, policy, url  # noqa: F401 (fixtures)
from tests.control.test_query_pending import _q, _user, cases  # noqa: F401 (fixture)


def problems(url):  # noqa: F811
    with session_scope(url) as s:
        return verify_audit(s, require_witness=False)


# ------------------------------------------------------------------ 1. the A3 decision tables

@pytest.fixture
def log(enclave_home, url, policy, cases):  # noqa: F811
    """Queries of case A (one undecided, one flagged, one approved by its PI), one of case B and
    one without a case (undecided), and a record that is no query."""
    a, b = cases
    with session_scope(url) as db:
        seal_people(db)   # the accounts were made in the DB: their creation sealed (people index, round 8)
        q = {"open": _q(db, "mia", a, T0), "flagged": _q(db, "max", a, T0 + dt.timedelta(hours=1)),
             "approved": _q(db, "mia", a, T0 + dt.timedelta(hours=2)),
             "other": _q(db, "otto", b, T0 + dt.timedelta(hours=3)),
             "nocase": _q(db, "mia", None, T0 + dt.timedelta(hours=4))}
        q["plain"] = append(db, AuditEntry("session", "mia", "session.purpose", case_code=a, reason="p"),
                            now=T0).seq
    with session_scope(url) as db:
        pi = _user(db, "pi")
        decide(db, policy, pi, [q["flagged"]], "flagged", note="wrong table", now=T0 + dt.timedelta(days=1))
        decide(db, policy, pi, [q["approved"]], "approved", now=T0 + dt.timedelta(days=1))
    with session_scope(url) as db:
        q["ts"] = {k: db.get(AuditRecord, v).ts for k, v in q.items() if isinstance(v, int)}
    return url, q, a, b


INSERT_REVIEW = ("INSERT INTO query_reviews (audit_seq, case_code, querier, decision, decided_by, decided_at, "
                 "note) VALUES (:seq, :case, :querier, :decision, :by, :at, NULL)")
INSERT_PENDING = "INSERT INTO query_pending (audit_seq, case_code, ts) VALUES (:seq, :case, :ts)"


def _attack(url, q, a, b, name):
    """One edit of the decision tables, as plain SQL by whoever can write the database."""
    later = (T0 + dt.timedelta(days=40)).isoformat(timespec="microseconds")
    at = T0 + dt.timedelta(days=2)
    steps = {
        "flagged made approved": [("UPDATE query_reviews SET decision = 'approved' WHERE audit_seq = :s",
                                   {"s": q["flagged"]})],
        "approval made flagged": [("UPDATE query_reviews SET decision = 'flagged' WHERE audit_seq = :s",
                                   {"s": q["approved"]})],
        "decider renamed": [("UPDATE query_reviews SET decided_by = 'admin' WHERE audit_seq = :s",
                             {"s": q["approved"]})],
        "querier renamed": [("UPDATE query_reviews SET querier = 'otto' WHERE audit_seq = :s",
                             {"s": q["flagged"]})],
        "decision moved to another case": [("UPDATE query_reviews SET case_code = :c WHERE audit_seq = :s",
                                            {"c": b, "s": q["flagged"]})],
        "pending deleted": [("DELETE FROM query_pending WHERE audit_seq = :s", {"s": q["open"]})],
        "pending of no case deleted": [("DELETE FROM query_pending WHERE audit_seq = :s", {"s": q["nocase"]})],
        "pending made recent": [("UPDATE query_pending SET ts = :t WHERE audit_seq = :s",
                                 {"t": later, "s": q["open"]})],
        "pending moved to another case": [("UPDATE query_pending SET case_code = :c WHERE audit_seq = :s",
                                           {"c": b, "s": q["open"]})],
        "pending case emptied": [("UPDATE query_pending SET case_code = NULL WHERE audit_seq = :s",
                                  {"s": q["open"]})],
        "pending given a case": [("UPDATE query_pending SET case_code = :c WHERE audit_seq = :s",
                                  {"c": a, "s": q["nocase"]})],
        "decision invented": [
            (INSERT_REVIEW, {"seq": q["open"], "case": a, "querier": "mia", "decision": "approved", "by": "pi",
                             "at": at}),
            ("DELETE FROM query_pending WHERE audit_seq = :s", {"s": q["open"]})],
        "decision invented, pending kept": [
            (INSERT_REVIEW, {"seq": q["open"], "case": a, "querier": "mia", "decision": "approved", "by": "pi",
                             "at": at})],
        "decision removed": [("DELETE FROM query_reviews WHERE audit_seq = :s", {"s": q["flagged"]})],
        "decision removed, pending put back": [
            ("DELETE FROM query_reviews WHERE audit_seq = :s", {"s": q["flagged"]}),
            (INSERT_PENDING, {"seq": q["flagged"], "case": a, "ts": q["ts"]["flagged"]})],
        "decision moved to another query": [
            ("UPDATE query_reviews SET audit_seq = :o WHERE audit_seq = :s", {"o": q["open"], "s": q["approved"]}),
            ("DELETE FROM query_pending WHERE audit_seq = :s", {"s": q["open"]}),
            (INSERT_PENDING, {"seq": q["approved"], "case": a, "ts": q["ts"]["approved"]})],
        "pending row for a record that is no query": [
            (INSERT_PENDING, {"seq": q["plain"], "case": a, "ts": q["ts"]["plain"]})],
        "pending row for no record": [(INSERT_PENDING, {"seq": 10**6, "case": a, "ts": q["ts"]["open"]})],
        "decision row for a record that is no query": [
            (INSERT_REVIEW, {"seq": q["plain"], "case": a, "querier": "mia", "decision": "approved", "by": "pi",
                             "at": at})],
    }[name]
    with session_scope(url) as s:
        for stmt, params in steps:
            s.execute(text(stmt), params)


ATTACKS = ["flagged made approved", "approval made flagged", "decider renamed", "querier renamed",
           "decision moved to another case", "pending deleted", "pending of no case deleted",
           "pending made recent", "pending moved to another case", "pending case emptied", "pending given a case",
           "decision invented", "decision invented, pending kept", "decision removed",
           "decision removed, pending put back", "decision moved to another query",
           "pending row for a record that is no query", "pending row for no record",
           "decision row for a record that is no query"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_edited_decision_table_fails_verify(log, attack):
    url, q, a, b = log
    assert problems(url) == []                      # the safe counterpart: as the application wrote it
    _attack(url, q, a, b, attack)
    found = problems(url)
    assert found and {p.kind for p in found} == {KIND}, (attack, found)
    assert all(p.seq >= 1 for p in found)


def test_decisions_made_by_the_application_verify(log, policy):  # noqa: F811
    """More decisions, a batch, a flag with a note, queries of every case: all still agree."""
    url, q, a, b = log
    with session_scope(url) as db:
        more = [_q(db, "mia", a, T0 + dt.timedelta(hours=5 + i)) for i in range(4)]
        decide(db, policy, _user(db, "pi"), [q["open"], *more[:2]], "approved", now=T0 + dt.timedelta(days=3))
        decide(db, policy, _user(db, "pi"), [more[2]], "flagged", note="too broad", now=T0 + dt.timedelta(days=3))
    assert problems(url) == []


def test_the_checkpoint_command_is_not_held_by_the_decision_tables(log):
    """The index is not the chain: a person can still confirm the chain's head while the edited
    tables are reported."""
    from enclave.audit.verify import confirm_head

    url, q, a, b = log
    _attack(url, q, a, b, "pending deleted")
    with session_scope(url) as s:
        assert confirm_head(s).seq == s.get(AuditHead, 1).seq
    assert {p.kind for p in problems(url)} == {KIND}


# ------------------------------------------------------------------ 2. NUL in an entry's text

TEXT_FIELDS = ("component", "actor", "action", "case_code", "subject", "reason")


def _entry(**over):
    kw = dict(component="test", actor="alice", action="query", case_code="C1", subject="s", reason="r",
              detail={"k": 1})
    kw.update(over)
    return AuditEntry(**kw)


def _count(url):
    with session_scope(url) as s:
        return s.execute(select(func.count()).select_from(AuditRecord)).scalar_one()


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("where", ["middle", "end", "alone"])
def test_a_nul_in_an_entrys_text_is_refused_on_both_backends(enclave_home, db_url, field, where):
    A.fill(db_url, 2)
    before, head = _count(db_url), A.head(db_url)
    value = {"middle": "ali\x00ce", "end": "alice\x00", "alone": "\x00"}[where]
    with pytest.raises(AuditEntryError, match="NUL"):
        with session_scope(db_url) as s:
            append(s, _entry(**{field: value}))
    assert _count(db_url) == before and A.head(db_url) == head
    assert problems(db_url) == []


@pytest.mark.parametrize("value", ["tab\there", "two\nlines", "bell\x07", "del\x7f", "sep\u2028", "nbsp\u00a0",
                                   "bidi\u202e", "\ufeffbom"])
def test_other_characters_are_stored_as_sealed(enclave_home, db_url, value):
    """The safe counterpart: control and format characters other than NUL are kept verbatim on
    both backends and verify (the web layer escapes them where it shows them)."""
    A.fill(db_url, 1)
    with session_scope(db_url) as s:
        append(s, _entry(subject=value, reason=value))
    assert A.rows(db_url)[-1]["subject"] == value
    assert problems(db_url) == []


def test_a_nul_inside_detail_is_kept_as_its_json_escape(enclave_home, db_url):
    A.fill(db_url, 1)
    with session_scope(db_url) as s:
        append(s, _entry(detail={"sql": "a\x00b", "k\x00": [1, "\x00"]}))
    assert problems(db_url) == []
