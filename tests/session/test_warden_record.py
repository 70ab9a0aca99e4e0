"""The warden's per-query record (A3, issue 18): the booking gate decides it on the state as it
is at that moment - a warm warden (its statements built, its connections pooled, records just
written) still refuses the very next query after a slot ends, a case or account is suspended
or revoked, a member is removed, fees or the period lapse, or queries wait too long for
approval - and the record is committed, chained and checkpointed before the warden answers.
On SQLite and PostgreSQL (the ``rows`` fixture)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update
from tornado import web

from enclave.accounts.models import User
from enclave.audit import AuditEntry, append, journal
from enclave.audit.log import verify_chain
from enclave.audit.models import AuditHead, AuditRecord
from enclave.bookings.models import Booking
from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, utcnow
from hub_config.warden import Warden
from policies import load_policy

BODY = {"event": "query", "purpose": "a purpose long enough", "sql": "select 1", "case": "C1"}


def _now() -> dt.datetime:
    return utcnow()


# What the control plane (or the warden's sweep, or time) changes between two queries, and
# the reason the gate then gives.  Each is applied in its own transaction, as another process
# would, after the warden has just recorded queries.
CHANGES = {
    "slot ended": (lambda s, ids: s.execute(update(Booking).where(Booking.id == ids["booking"])
                                            .values(ends_at=_now() - dt.timedelta(seconds=1))),
                   "no booked slot"),
    "booking cancelled": (lambda s, ids: s.execute(update(Booking).where(
        Booking.id == ids["booking"]).values(status="cancelled")), "no booked slot"),
    "booking ended by the sweep": (lambda s, ids: s.execute(update(Booking).where(
        Booking.id == ids["booking"]).values(status="ended")), "no booked slot"),
    "case suspended": (lambda s, ids: s.execute(update(Case).where(Case.id == ids["case"])
                                                .values(status="suspended")), "is suspended"),
    "case revoked": (lambda s, ids: s.execute(update(Case).where(Case.id == ids["case"])
                                              .values(status="revoked")), "not active"),
    "case closed": (lambda s, ids: s.execute(update(Case).where(Case.id == ids["case"])
                                             .values(status="closed")), "not active"),
    "account suspended": (lambda s, ids: s.execute(update(User).where(User.id == ids["user"])
                                                   .values(status="suspended")), "is suspended"),
    "account revoked": (lambda s, ids: s.execute(update(User).where(User.id == ids["user"])
                                                 .values(status="revoked")), "is revoked"),
    "member removed": (lambda s, ids: s.execute(update(CaseMember).where(
        CaseMember.case_id == ids["case"], CaseMember.user_id == ids["user"])
        .values(removed_at=_now())), "not a member"),
    "period ended": (lambda s, ids: s.execute(update(Case).where(Case.id == ids["case"])
                                              .values(period_end=_now() - dt.timedelta(seconds=1))),
                     "period ended"),
    "fees unpaid": (lambda s, ids: s.execute(update(Case).where(Case.id == ids["case"])
                                             .values(paid_at=None)), "fees are not paid"),
    "query left unapproved past the window": (
        lambda s, ids: append(s, AuditEntry("session", "ann", "session.query", case_code="C1",
                                            reason="an old query", subject="select 2"),
                              now=_now() - dt.timedelta(days=60)),
        "awaiting a supervisor's approval"),
}


def _queries(url: str) -> int:
    with session_scope(url) as s:
        return s.execute(select(func.count()).select_from(AuditRecord)
                         .where(AuditRecord.action == "session.query")).scalar_one()


@pytest.fixture
def warm(rows):
    """A researcher in a booked slot of an active case, and a warden that has just recorded
    three of her queries (statements built, connections pooled)."""
    ids = {"user": rows.user("ann"), "case": rows.case("C1", ["ann"]),
           "booking": rows.booking("ann", "C1", -5, 60)}
    w = Warden(rows.db_url, load_policy(), "http://127.0.0.1:9/hub/api", "unused")
    for _ in range(3):
        assert w.record("ann", dict(BODY))["case"] == "C1"
    return w, ids


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_next_query_after_a_change_is_refused_and_not_recorded(warm, rows, change):
    w, ids = warm
    apply, reason = CHANGES[change]
    with session_scope(rows.db_url) as s:
        apply(s, ids)
    before = _queries(rows.db_url)
    with pytest.raises(web.HTTPError) as e:
        w.record("ann", dict(BODY))
    assert e.value.status_code == 403 and reason in e.value.log_message, e.value.log_message
    assert _queries(rows.db_url) == before   # nothing appended for the refused query


def test_changes_undone_let_queries_through_again(warm, rows):
    """The refusals above come from the state, not from a remembered verdict either way."""
    w, ids = warm
    with session_scope(rows.db_url) as s:
        s.execute(update(Case).where(Case.id == ids["case"]).values(status="suspended"))
    with pytest.raises(web.HTTPError):
        w.record("ann", dict(BODY))
    with session_scope(rows.db_url) as s:
        s.execute(update(Case).where(Case.id == ids["case"]).values(status="active"))
    assert w.record("ann", dict(BODY))["case"] == "C1"


def test_an_overnight_job_stops_when_its_booking_ends(rows):
    rows.user("ann")
    rows.case("C1", ["ann"])
    job = rows.booking("ann", "C1", -5, 600, kind="overnight")
    w = Warden(rows.db_url, load_policy(), "http://127.0.0.1:9/hub/api", "unused")
    for _ in range(3):
        w.record("ann", dict(BODY), job)
    with pytest.raises(web.HTTPError) as e:   # another booking's job token
        w.record("ann", dict(BODY), job + 1)
    assert "booking is over" in e.value.log_message
    with session_scope(rows.db_url) as s:
        s.execute(update(Booking).where(Booking.id == job)
                  .values(ends_at=_now() - dt.timedelta(seconds=1)))
    with pytest.raises(web.HTTPError) as e:
        w.record("ann", dict(BODY), job)
    assert e.value.status_code == 403


def test_the_record_is_committed_chained_and_checkpointed_before_the_answer(warm, rows):
    w, _ = warm
    out = w.record("ann", {**BODY, "sql": "select 'the marked query'"})
    with session_scope(rows.db_url) as s:   # another connection sees it at once
        rec = s.get(AuditRecord, out["seq"])
        assert rec.subject == "select 'the marked query'" and rec.action == "session.query"
        assert rec.case_code == "C1" and rec.actor == "ann"
        head = s.get(AuditHead, 1)
        assert head.seq == out["seq"] and head.hash == rec.hash
        assert verify_chain(s) == []
    cp = journal.tail(journal.journal_path(head.chain_id))
    assert cp is not None and cp.seq == out["seq"] and cp.hash == rec.hash


def test_a_failed_record_is_logged_without_its_values(warm, rows, caplog):
    """A batch the database refuses is logged (the operator's log, outside the enclave's
    data) with the statement that failed but not its values: the researcher's SQL text, its
    parameters and the account stay in the database's own audit, never in the hub's log."""
    from sqlalchemy import text

    w, _ = warm
    marked = "select * from claims where pid = 'marked-pid-000042'"
    with session_scope(rows.db_url) as s:   # the database refuses every new audit record
        if rows.db_url.startswith("sqlite"):
            s.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON audit_records "
                           "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
        else:
            s.execute(text("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                           "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"))
            s.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON audit_records "
                           "FOR EACH ROW EXECUTE FUNCTION refuse()"))
    with pytest.raises(web.HTTPError) as e:
        w.record("ann", {**BODY, "sql": marked, "params": ["marked-param-77"]})
    assert e.value.status_code == 503
    assert "was not written" in caplog.text and "refused by the test" in caplog.text
    for value in ("marked-pid-000042", "marked-param-77", "a purpose long enough"):
        assert value not in caplog.text, value
