"""The case page's 「資料擷取 Extract」 section from the audit records alone (issue 16): not
built, refused, and built on another host (no files here).  The full walk - a real
`enclave extract build`, then Chromium - is tests/walkthroughs/test_steward_browser.py."""
from __future__ import annotations

import datetime as dt
import re

from enclave.audit import AuditEntry, append
from enclave.db import session_scope
from enclave.web.app import create_app
from tests.control.conftest import PASSWORD, T0, load, mk_case
from tests.identity.helpers import FormClient


def _as(app, name):
    c = FormClient(app)
    assert c.post("/login", data={"username": name, "password": PASSWORD}).status_code == 200
    return c


def _section(html: str) -> str:
    m = re.search(r'<section id="extract".*?</section>', html, re.S)
    return m.group(0) if m else ""


def test_extract_section_follows_the_audit_and_is_for_admin_pi_and_steward(people, policy):
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin"), load(db, "alice"), load(db, "bob")
        code = mk_case(db, policy, alice, admin=admin, members=[(bob, None)]).code
    app = create_app(people, policy, clock=lambda: T0)
    admin_c, alice_c = _as(app, "admin"), _as(app, "alice")
    sec = _section(admin_c.get(f"/cases/{code}").text)
    assert 'data-built="no"' in sec and "尚未建立擷取" in sec

    with session_scope(people) as db:
        append(db, AuditEntry("datasets", "mei", "extract.refused", case_code=code,
                              reason="extract refused: k-anonymity below the policy's k (D3)"),
               now=T0)
    sec = _section(alice_c.get(f"/cases/{code}").text)
    assert 'id="extract-refused"' in sec and "below the policy" in sec and "mei" in sec

    # a build recorded before the full report was kept in the audit (k_min only), files elsewhere
    built_at = T0 + dt.timedelta(hours=1)
    with session_scope(people) as db:
        append(db, AuditEntry("datasets", "mei", "extract.build", case_code=code, subject="R2026A",
                              reason="synthetic rows only",
                              detail={"rows": {"H_NHI_OPDTE": 812}, "persons": 90,
                                      "k_min": {"H_NHI_OPDTE": 3},
                                      "k_override": "synthetic rows only"}), now=built_at)
    for who in ("admin", "alice", "steward"):
        sec = _section(_as(app, who).get(f"/cases/{code}").text)
        assert 'data-built="yes"' in sec, who
        taipei = (built_at + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
        assert f"{taipei}（臺北 Taipei）· mei" in sec
        assert re.search(r'data-family="H_NHI_OPDTE"><td>H_NHI_OPDTE</td><td>812<', sec)
        assert 'id="extract-k-min">3<' in sec and "synthetic rows only" in sec
        assert 'data-encrypted="unknown"' in sec and 'id="extract-missing"' in sec
        assert 'id="extract-refused"' not in sec        # the build came after the refusal
    # the committee and a plain member see the case, not its extract; others not even the case
    for who in ("boss", "bob"):
        page = _as(app, who).get(f"/cases/{code}")
        assert page.status_code == 200 and "資料需求 Data requested" in page.text
        assert 'id="extract"' not in page.text and "資料擷取 Extract" not in page.text
    assert _as(app, "carol").get(f"/cases/{code}").status_code == 404
