"""The deciders' work queue (issue 16): every open item on one page, oldest first, linked to
its case; refused to anyone who does not decide.  Over HTTP with the page's log-in."""
from __future__ import annotations

import datetime as dt

from enclave.cases import service as cases
from enclave.cases.models import Extension, SoftwareDeclaration
from enclave.db import session_scope
from enclave.web.app import create_app
from tests.control.conftest import PASSWORD, T0, load, mk_case
from tests.identity.helpers import FormClient


def _as(app, name):
    c = FormClient(app)
    assert c.post("/login", data={"username": name, "password": PASSWORD}).status_code == 200
    return c


def test_deciders_see_what_waits_oldest_first_and_others_are_refused(people, policy):
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin"), load(db, "alice"), load(db, "bob")
        draft = mk_case(db, policy, alice, admin=admin, approve=False)
        unpaid = mk_case(db, policy, bob, admin=admin, pay=False, now=T0 - dt.timedelta(days=20))
        active = mk_case(db, policy, alice, admin=admin)
        db.add(SoftwareDeclaration(case_id=active.id, name="QGIS", version="3.34", requested_by="alice",
                                   requested_at=T0 - dt.timedelta(days=3)))
        db.add(Extension(case_id=active.id, days=30, requested_by="alice", requested_at=T0 - dt.timedelta(days=1)))
        codes = (draft.code, unpaid.code, active.code)
    app = create_app(people, policy, clock=lambda: T0)
    admin = _as(app, "admin")
    page = admin.get("/queue")
    assert page.status_code == 200 and "待辦 Work queue" in page.text
    rows = page.text.split('<table id="queue">')[1].split("</table>")[0]
    order = [rows.index(s) for s in ("payment", "software", "extension", "case approval")]
    assert order == sorted(order), "oldest first"
    for code in codes:
        assert f'href="/cases/{code}"' in rows
    assert "20 天 days" in rows and "QGIS 3.34" in rows
    assert "/queue" in admin.get("/").text
    boss = _as(app, "boss")                          # committee decides too
    assert boss.get("/queue").status_code == 200
    alice = _as(app, "alice")
    assert alice.get("/queue").status_code == 403 and "/queue" not in alice.get("/").text
    # decided items leave the queue
    with session_scope(people) as db:
        cases.approve_case(db, policy, load(db, "admin"), db.get(type(draft), draft.id), now=T0)
    assert "case approval" not in admin.get("/queue").text
