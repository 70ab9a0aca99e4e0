"""P11 at the real hub: a booked researcher without a current data-security training or signed
confidentiality undertaking on record is refused at log-in with the reason on the page, and
the moment a record is withdrawn the next log-in is refused too (JupyterHub + proxy, the
enclave's authenticator and gate; no session is spawned, so no sandbox is needed)."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import delete, select, update

from enclave.accounts import accreditation
from enclave.accounts.models import Accreditation, User
from enclave.db import session_scope, utcnow
from tests.services.hub import HubHarness, login_page_error

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

PEOPLE = {   # name -> the kinds removed from their (complete) record before log-in
    "kim": (), "ivy": ("training",), "jay": ("undertaking",), "lou": ("training", "undertaking"),
}


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    for name in PEOPLE:
        h.add_user(name)
    h.add_case("C1", list(PEOPLE))
    with session_scope(h.db_url) as s:
        for name, kinds in PEOPLE.items():
            uid = s.scalar(select(User.id).where(User.username == name))
            for kind in kinds:
                s.execute(delete(Accreditation).where(Accreditation.user_id == uid,
                                                      Accreditation.kind == kind))
    for name in PEOPLE:
        h.book_now(name, "C1")
    with h.running():
        yield h


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_a_log_in_without_a_current_record_is_refused_with_the_reason(hub, name):
    r = hub.user(name).login()
    lacking = PEOPLE[name]
    if not lacking:
        assert r.status_code == 302 and "/hub/login" not in r.headers.get("location", ""), r.text
        return
    assert r.status_code == 403, r.text[:300]
    shown = login_page_error(r)
    assert "P11" in shown, shown
    for kind in ("training", "undertaking"):
        assert (accreditation.NAMES[kind] in shown) == (kind in lacking), shown


def test_a_withdrawn_record_refuses_the_next_log_in(hub):
    assert hub.user("kim").login().status_code == 302
    with session_scope(hub.db_url) as s:
        uid = s.scalar(select(User.id).where(User.username == "kim"))
        s.execute(update(Accreditation).where(Accreditation.user_id == uid,
                                              Accreditation.kind == "undertaking")
                  .values(withdrawn_by="admin", withdrawn_at=utcnow()))
    r = hub.user("kim").login()
    assert r.status_code == 403 and accreditation.NAMES["undertaking"] in login_page_error(r)
