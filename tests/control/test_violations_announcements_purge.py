"""A8 violations (each blocks what it should), O1 announcements, P9 purge."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.announcements import service as ann
from enclave.audit import verify_chain
from enclave.audit.models import AuditRecord
from enclave.bookings import service as bk
from enclave.bookings.models import Booking
from enclave.cases import service as cases
from enclave.cases.errors import BadInput, Forbidden, NotFound, Refused
from enclave.cases.models import Notification
from enclave.db import session_scope
from enclave.purge.service import run_purge
from enclave.violations import service as vio
from enclave.web.auth import LoginRefused, authenticate, issue_token, user_for_token
from tests.control.conftest import PASSWORD, T0, load, mk_case, mk_user

DAY = dt.timedelta(days=1)
MON = dt.date(2026, 11, 23)


def test_future_applications_refused(people, policy):
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        with pytest.raises(Forbidden):
            vio.record_violation(db, policy, alice, alice, None, kind="future_applications_refused",
                                 reason="x", now=T0)
        v = vio.record_violation(db, policy, admin, alice, None, kind="future_applications_refused",
                                 reason="published identifiable table", now=T0)
        with pytest.raises(Refused, match="barred") as e:
            mk_case(db, policy, alice, approve=False)
        assert e.value.rule == "A8"
        mk_case(db, policy, load(db, "bob"), approve=False)  # others unaffected
        vio.lift_violation(db, admin, v, now=T0)
        mk_case(db, policy, alice, approve=False)


def test_data_use_stopped_suspends_case(people, policy):
    """Bookings are refused, future bookings removed, the case is not usable (log-ins refused)."""
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        bk.book(db, policy, alice, c, day=MON + DAY, slot="morning", now=T0)
        with pytest.raises(BadInput, match="needs the case"):
            vio.record_violation(db, policy, admin, alice, None, kind="data_use_stopped", reason="x", now=T0)
        v = vio.record_violation(db, policy, admin, alice, c, kind="data_use_stopped",
                                 reason="exported a person-level file", now=T0)
        assert c.status == "suspended" and "A8" in c.status_reason
        assert cases.case_usable(c, T0) is not None
        assert db.execute(select(Booking).where(Booking.case_id == c.id)).first() is None
        with pytest.raises(Refused, match="suspended"):
            bk.book(db, policy, alice, c, day=MON + 2 * DAY, slot="morning", now=T0)
        vio.lift_violation(db, admin, v, now=T0)
        assert c.status == "active"
        bk.book(db, policy, alice, c, day=MON + 2 * DAY, slot="morning", now=T0)


def test_asked_to_leave_ends_todays_session_only(people, policy):
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        bk.book(db, policy, alice, c, day=MON, slot="afternoon", now=T0)
        bk.book(db, policy, alice, c, day=MON + DAY, slot="morning", now=T0)
        token = issue_token(db, alice, lifetime=dt.timedelta(hours=4), factor="totp")
        vio.record_violation(db, policy, admin, alice, c, kind="asked_to_leave", reason="phone in the room",
                             now=T0)
        assert user_for_token(db, token, T0) is None
        left = db.execute(select(Booking.slot_name, Booking.starts_at).where(Booking.user_id == alice.id)).all()
        assert [s for s, _ in left] == ["morning"]  # tomorrow's booking stays


def test_pi_notified(people, policy):
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        c = mk_case(db, policy, alice, admin=admin, members=[(bob, None)])
        vio.record_violation(db, policy, admin, bob, c, kind="pi_notified", reason="shared password", now=T0)
        note = db.execute(select(Notification).where(Notification.user_id == alice.id)).scalar_one()
        assert "bob" in note.subject and note.body == "shared password"


def test_contract_ended_revokes_and_suspends(people, policy):
    with session_scope(people) as db:
        admin, alice = load(db, "admin", "alice")
        c = mk_case(db, policy, alice, admin=admin)
        vio.record_violation(db, policy, admin, alice, c, kind="contract_ended", reason="repeat offence (E6)",
                             now=T0)
        assert alice.status == "revoked" and c.status == "suspended"
    with session_scope(people) as db:
        with pytest.raises(LoginRefused, match="revoked"):
            authenticate(db, "alice", PASSWORD, policy=policy, now=T0)
        rec = db.execute(select(AuditRecord).where(AuditRecord.action == "violation.contract_ended")).scalar_one()
        assert rec.subject == "alice" and rec.detail["effects"]["suspended"] == [c.code]


def test_announcements_by_region_newest_first_paged_searchable(people, policy):
    p = policy.model_copy(update={"operations": policy.operations.model_copy(update={"announcements_page_size": 2})})
    with session_scope(people) as db:
        admin, alice, bob, carol = load(db, "admin", "alice", "bob", "carol")
        alice.region, bob.region = "north", "south"
        with pytest.raises(Forbidden):
            ann.publish(db, p, alice, title="x", body="", region=None, now=T0)
        for i, region in enumerate([None, "north", "south", None, "north"]):
            ann.publish(db, p, admin, title=f"Notice {i} 公告", body=f"<p>body {i} {'維護' if i == 3 else ''}</p>",
                        region=region, keywords="maintenance" if i == 1 else "", now=T0 + i * DAY)
        north = ann.listing(db, p, alice, page=1)
        assert [a.title for a in north["items"]] == ["Notice 4 公告", "Notice 3 公告"]
        assert north["pages"] == 2 and north["total"] == 4
        assert [a.title for a in ann.listing(db, p, alice, page=2)["items"]] == ["Notice 1 公告", "Notice 0 公告"]
        assert [a.region for a in ann.listing(db, p, bob, page=1)["items"]] == [None, "south"]
        assert ann.listing(db, p, carol)["total"] == 2  # no region: centre-wide only
        assert [a.title for a in ann.listing(db, p, alice, q="維護")["items"]] == ["Notice 3 公告"]
        assert [a.title for a in ann.listing(db, p, alice, q="maintenance")["items"]] == ["Notice 1 公告"]
        assert ann.listing(db, p, bob, q="maintenance")["total"] == 0
        south_id = ann.listing(db, p, bob)["items"][1].id
        with pytest.raises(NotFound):
            ann.get_visible(db, alice, south_id)


def test_announcement_html_sanitised_and_attachments(people, policy):
    with session_scope(people) as db:
        admin = load(db, "admin")
        a = ann.publish(db, policy, admin, title="t", region=None, now=T0,
                        body='<p onclick="x()">Hi <b>all</b><script>steal()</script><img src=x onerror=y>'
                             '<a href="javascript:evil()">bad</a><a href="https://nhi.gov.tw">ok</a>'
                             '<style>body{}</style><iframe src="https://x"></iframe></p>',
                        attachments=[("../../etc/passwd", "text/plain", b"not really"),
                                     ("說明.pdf", "application/pdf", b"%PDF-1.4")])
        assert "script" not in a.body_html and "steal" not in a.body_html and "onclick" not in a.body_html
        assert "onerror" not in a.body_html and "javascript" not in a.body_html and "iframe" not in a.body_html
        assert "<b>all</b>" in a.body_html and 'href="https://nhi.gov.tw"' in a.body_html
        names = [x.filename for x in a.attachments]
        assert names == ["etc_passwd", "說明.pdf"] and a.attachments[0].size == 10
        big = policy.operations.announcement_attachment_max_bytes + 1
        with pytest.raises(BadInput, match="limit"):
            ann.publish(db, policy, admin, title="t", body="", region=None, now=T0,
                        attachments=[("big.bin", "application/octet-stream", b"0" * big)])


def test_purge_at_period_end_is_logged_and_safe_to_rerun(db_url, policy, tmp_path):
    """P9: files and access go at the end of the period; a pending extension-and-retention
    request keeps the case; running twice removes nothing more and breaks nothing."""
    projects = tmp_path / "projects"
    with session_scope(db_url) as db:
        admin = mk_user(db, "admin", "admin")
        alice, bob, carol = mk_user(db, "alice"), mk_user(db, "bob"), mk_user(db, "carol")
        ending = mk_case(db, policy, alice, admin=admin, members=[(bob, None)])
        kept = mk_case(db, policy, carol, admin=admin)
        other = mk_case(db, policy, bob, admin=admin, now=T0 + 60 * DAY)
        codes = ending.code, kept.code, other.code
        end = ending.period_end
        cases.request_extension(db, policy, carol, kept, days=30, now=kept.period_end - 15 * DAY)
        token = issue_token(db, alice, lifetime=dt.timedelta(days=999), factor="totp")
    for code in codes:
        d = projects / code / "data"
        d.mkdir(parents=True)
        (d / "claims.parquet").write_bytes(b"x" * 100)
        (projects / code / "catalog.duckdb").write_bytes(b"y" * 10)
    (projects / "unrelated").mkdir()
    done = run_purge(db_url, policy, now=end + DAY, projects_dir=projects)
    assert [d["case"] for d in done] == [codes[0]]
    assert done[0]["files"]["file_count"] == 2 and done[0]["files"]["bytes"] == 110
    assert done[0]["accounts_revoked"] == ["alice"]  # bob still works on his own case
    assert not (projects / codes[0]).exists()
    assert (projects / codes[1]).exists() and (projects / codes[2]).exists() and (projects / "unrelated").exists()
    with session_scope(db_url) as db:
        assert cases.get_case(db, codes[0]).status == "purged"
        assert cases.get_case(db, codes[1]).status == "active"
        assert user_for_token(db, token) is None
        assert load(db, "bob").status == "active"
        rec = db.execute(select(AuditRecord).where(AuditRecord.action == "case.purged")).scalar_one()
        assert rec.case_code == codes[0] and sorted(rec.detail["files"]["files"]) == ["catalog.duckdb",
                                                                                       "data/claims.parquet"]
    assert run_purge(db_url, policy, now=end + 2 * DAY, projects_dir=projects) == []
    (projects / codes[0]).mkdir()  # files re-appear (a crashed copy): the next run cleans them
    (projects / codes[0] / "left.csv").write_text("1")
    again = run_purge(db_url, policy, now=end + 3 * DAY, projects_dir=projects)
    assert again[0]["leftovers"] and not (projects / codes[0]).exists()
    with session_scope(db_url) as db:
        assert verify_chain(db) == []
