"""A5/A1, round 7: the case tables' decisions, edited by whoever can write the database.

Round 6 read the query-decision tables against the sealed log; the case tables decide more: the
sessions gate admits people on an ``active``, paid case, an approved extension moves the period's
end, an approved staff or column change widens the case, an approved software declaration is
installed.  Each is written beside a sealed record but carries no seal, so with SQL and no key
one could turn a draft into an active case, approve a pending extension, change or declaration,
lengthen an approved extension, rename the software that was approved or the decider - and
``verify`` passed.  Now ``verify`` reads every decided row against the sealed decision records
(``enclave.audit.case_index``, kind ``case-decision-index``): one record per row, same case,
decider and terms.  Refused and pending rows, and an untouched world, still verify.
SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from enclave.audit.case_index import KIND
from enclave.audit.verify import verify_audit
from enclave.cases import service as cases
from enclave.cases.changes import decide_change, request_change
from enclave.cases.models import Case
from enclave.db import session_scope
from tests.audit.people_seal import seal_people
from tests.control.conftest import T0, load, mk_case, people, policy, url  # noqa: F401 (fixtures)


def problems(url):  # noqa: F811
    with session_scope(url) as s:
        return verify_audit(s, require_witness=False)


@pytest.fixture
def world(enclave_home, url, people, policy):  # noqa: F811
    """alice's paid case A (an extension, a staff change and QGIS approved; an extension, a
    column change and Stata pending; R refused), her approved unpaid case U and her draft D."""
    ids = {}
    with session_scope(url) as db:
        admin, alice = load(db, "admin", "alice")
        a = mk_case(db, policy, alice, admin=admin, case_type="government", working_days=5)
        u = mk_case(db, policy, alice, admin=admin, case_type="government", working_days=5, pay=False)
        d = mk_case(db, policy, alice, admin=admin, approve=False)
        e = cases.request_extension(db, policy, alice, a, days=30, now=T0)
        cases.decide_extension(db, policy, admin, e, approve=True, now=T0)
        ids["ext_ok"] = e.id
        ids["ext_pending"] = cases.request_extension(db, policy, alice, a, days=20, now=T0).id
        c = request_change(db, policy, alice, a, kind="staff", payload={"add": ["bob"]}, now=T0)
        decide_change(db, policy, admin, c, approve=True, now=T0)
        ids["change_ok"] = c.id
        ids["change_pending"] = request_change(db, policy, alice, a, kind="columns",
                                               payload={"columns": {"H_NHI_OPDTE": ["T_DOT"]}}, now=T0).id
        s = cases.declare_software(db, alice, a, name="QGIS", version="3.34", now=T0)
        cases.decide_software(db, admin, s, approve=True, now=T0)
        ids["sw_ok"] = s.id
        ids["sw_pending"] = cases.declare_software(db, alice, a, name="Stata", now=T0).id
        r = cases.declare_software(db, alice, a, name="R", now=T0)
        cases.decide_software(db, admin, r, approve=False, now=T0)
        ids["sw_refused"] = r.id
        ids.update(A=a.code, U=u.code, D=d.code, a_id=a.id)
        seal_people(db)   # the accounts were made in the DB: their creation sealed (people index, round 8)
    return url, ids


# each edit of the case tables that would give a right nobody decided
ATTACKS = {
    "draft made active": ["UPDATE cases SET status = 'active', approved_by = 'admin', approved_at = :t, "
                          "paid_at = :t WHERE code = :D"],
    "draft made approved, no decider": ["UPDATE cases SET status = 'approved' WHERE code = :D"],
    "draft given a decider only": ["UPDATE cases SET approved_by = 'admin' WHERE code = :D"],
    "unpaid made active": ["UPDATE cases SET status = 'active', paid_at = :t WHERE code = :U"],
    "unpaid given a payment only": ["UPDATE cases SET paid_at = :t WHERE code = :U"],
    "decider renamed": ["UPDATE cases SET approved_by = 'boss' WHERE code = :A"],
    "pending extension approved": ["UPDATE case_extensions SET status = 'approved', decided_by = 'admin' WHERE id = :ext_pending"],
    "approved extension lengthened": ["UPDATE case_extensions SET days = 365 WHERE id = :ext_ok"],
    "extension's decider renamed": ["UPDATE case_extensions SET decided_by = 'boss' WHERE id = :ext_ok"],
    "extension copied approved": ["INSERT INTO case_extensions (case_id, days, retention, status, requested_by, "
                                  "requested_at, decided_by, decided_at) SELECT case_id, days, retention, status, "
                                  "requested_by, requested_at, decided_by, decided_at FROM case_extensions WHERE id = :ext_ok"],
    "pending change approved": ["UPDATE case_change_requests SET status = 'approved', decided_by = 'admin' "
                                "WHERE id = :change_pending"],
    "change's decider renamed": ["UPDATE case_change_requests SET decided_by = 'boss' WHERE id = :change_ok"],
    "approval moved to the other change": [
        "UPDATE case_change_requests SET status = 'pending', decided_by = NULL WHERE id = :change_ok",
        "UPDATE case_change_requests SET status = 'approved', decided_by = 'admin' WHERE id = :change_pending"],
    "pending software approved": ["UPDATE software_declarations SET status = 'approved', decided_by = 'admin' "
                                  "WHERE id = :sw_pending"],
    "refused software approved": ["UPDATE software_declarations SET status = 'approved' WHERE id = :sw_refused"],
    "approved software renamed": ["UPDATE software_declarations SET name = 'Stata' WHERE id = :sw_ok"],
    "approved software's version changed": ["UPDATE software_declarations SET version = '' WHERE id = :sw_ok"],
    "approved software moved to the draft": ["UPDATE software_declarations SET case_id = "
                                             "(SELECT id FROM cases WHERE code = :D) WHERE id = :sw_ok"],
    "approved software copied": ["INSERT INTO software_declarations (case_id, name, version, purpose, status, "
                                 "requested_by, requested_at, decided_by, decided_at) SELECT case_id, name, version, "
                                 "purpose, status, requested_by, requested_at, decided_by, decided_at "
                                 "FROM software_declarations WHERE id = :sw_ok"],
}


def _run(url, ids, steps):
    with session_scope(url) as db:
        for sql in steps:
            names = {k: v for k, v in ids.items() if f":{k}" in sql}
            if ":t" in sql:
                names["t"] = T0
            db.execute(text(sql), names)


def test_untouched_case_tables_verify(world):
    url, _ = world
    assert problems(url) == []


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_undecided_right_in_the_case_tables_fails_verify(world, attack):
    url, ids = world
    _run(url, ids, ATTACKS[attack])
    found = [p for p in problems(url) if p.kind == KIND]
    assert found, attack
    assert "outside the application" in found[0].message


# edits that give nothing: a pending or refused row's own text, a decision taken back
HARMLESS = {
    "pending extension re-worded": ["UPDATE case_extensions SET days = 10 WHERE id = :ext_pending"],
    "pending software re-versioned": ["UPDATE software_declarations SET version = '18' WHERE id = :sw_pending"],
    "approved software refused": ["UPDATE software_declarations SET status = 'refused' WHERE id = :sw_ok"],
}


@pytest.mark.parametrize("edit", list(HARMLESS))
def test_edits_that_grant_nothing_still_verify(world, edit):
    url, ids = world
    _run(url, ids, HARMLESS[edit])
    assert [p for p in problems(url) if p.kind == KIND] == []


def test_the_application_s_own_decisions_after_the_edit_window_verify(world, policy):  # noqa: F811
    """Deciding what was pending, through the application, leaves nothing to report."""
    url, ids = world
    with session_scope(url) as db:
        admin = load(db, "admin")
        from enclave.cases.models import ChangeRequest, Extension, SoftwareDeclaration

        cases.decide_extension(db, policy, admin, db.get(Extension, ids["ext_pending"]), approve=True, now=T0)
        decide_change(db, policy, admin, db.get(ChangeRequest, ids["change_pending"]), approve=True, now=T0)
        cases.decide_software(db, admin, db.get(SoftwareDeclaration, ids["sw_pending"]), approve=True, now=T0)
        u = db.execute(select(Case).where(Case.code == ids["U"])).scalar_one()
        cases.record_payment(db, policy, admin, u, amount=u.fees_due, now=T0)
    assert problems(url) == []
