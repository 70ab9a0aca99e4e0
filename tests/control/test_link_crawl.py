"""Every link a page shows leads somewhere (issue 16): for each role, log in through the form
and follow every same-site link of every page reached (GET only, up to a bound); no link may
answer 404 or 5xx.  Forms' GET actions, pictures, scripts and style sheets are followed too
(the crawler: tests/link_crawl.py).  Data: two cases, bookings, a change
request, an announcement, an audit sample, a violation - so the detail pages exist."""
from __future__ import annotations

import pytest

from enclave.announcements import service as ann
from enclave.audit.sampling import service as sampling
from enclave.bookings import service as bk
from enclave.db import session_scope
from enclave.web.app import create_app
from tests.control.conftest import PASSWORD, T0, load, mk_case
from tests.identity.helpers import FormClient
from tests.link_crawl import crawl

MAX_PAGES = 120


@pytest.fixture
def world(people, policy):
    with session_scope(people) as db:
        admin, alice, bob = load(db, "admin", "alice", "bob")
        c1 = mk_case(db, policy, alice, admin=admin, members=[(bob, None)])
        mk_case(db, policy, bob, admin=admin, approve=False)
        import datetime as dt

        bk.book(db, policy, alice, c1, day=dt.date(2026, 11, 24), slot="morning", now=T0)
        ann.publish(db, policy, admin, title="系統維護 Maintenance", body="<p>週六停機</p>",
                    region=None, now=T0)
        try:
            sampling.create_sample(db, policy, admin, now=T0)
        except Exception:  # noqa: BLE001 - a sample needs records; the page lists none then
            pass
    return people


@pytest.mark.parametrize("who", ["admin", "alice", "bob", "steward", "boss"])
def test_no_dead_links(world, policy, who):
    if not world.startswith("sqlite"):
        pytest.skip("links do not depend on the database engine (SQLite run covers them)")
    client = FormClient(create_app(world, policy, clock=lambda: T0))
    r = client.post("/login", data={"username": who, "password": PASSWORD, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    seen = crawl(lambda url: client.get(url, follow_redirects=True), max_pages=MAX_PAGES)
    assert len(seen) >= (8 if who == "admin" else 3), seen
    bad = {u: s for u, s in seen.items() if s[0] == 404 or s[0] >= 500}
    assert not bad, bad


def test_status_words_are_bilingual(world, policy):
    """Pages show statuses in Traditional Chinese, then English (「進行中 active」), and the
    table knows every status the control plane stores."""
    import re as _re
    from pathlib import Path

    from enclave.core.status_words import STATUS_ZH, status_words

    root = Path(__file__).resolve().parents[2] / "enclave"
    stored = set()
    for f in root.rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        stored |= set(_re.findall(r"\.status\s*=\s*\"([a-z_]+)\"", text))
        stored |= set(_re.findall(r"status: Mapped\[str\].*#\s*([a-z_|]+)", text)[0].split("|")) \
            if _re.search(r"status: Mapped\[str\].*#\s*([a-z_|]+)", text) else set()
    missing = sorted(s for s in stored if s not in STATUS_ZH)
    assert not missing, missing
    assert status_words("no_show") == "未到 no show" and status_words("weird") == "weird"
    if not world.startswith("sqlite"):
        return
    client = FormClient(create_app(world, policy, clock=lambda: T0))
    client.post("/login", data={"username": "alice", "password": PASSWORD, "next": "/"})
    home = client.get("/").text
    assert "進行中 active" in home and "已預約 booked" in home, home[:2000]
