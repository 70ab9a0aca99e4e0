"""The query-log page (issue 16, A3): the centre admin and auditors browse every case's queries
with filters and export them; a PI sees and decides on their own case's only; everyone else is
refused.  Times are Taipei on the page, ISO UTC (and Taipei) in the CSV.  Driven over HTTP as
the users do (log-in form, the page's own forms)."""
from __future__ import annotations

import csv
import io
import re

import pytest
from enclave.web.app import create_app
from tests.control.conftest import PASSWORD, T0
from tests.identity.helpers import FormClient as TestClient
from tests.control.test_querylog import log  # noqa: F401  (fixture: PI 'pi', members mia/max, otto)


@pytest.fixture
def app(log, policy):  # noqa: F811
    url, seqs, codes = log
    return create_app(url, policy, clock=lambda: T0), seqs, codes


def _as(app, name):
    c = TestClient(app)
    r = c.post("/login", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


def _seqs(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'<tr class="q-\w+"><td>.*?</td>\s*<td>(\d+)</td>', html, re.S)}


def test_admin_browses_every_case_with_filters_in_taipei_time(app):
    a, seqs, codes = app
    admin = _as(a, "admin")
    page = admin.get("/queries")
    assert page.status_code == 200 and "查詢紀錄 Query log" in page.text
    assert _seqs(page.text) == set(seqs.values())
    assert "Query log" in admin.get("/").text                      # in the admin's menu
    # T0 is UTC; the page shows Taipei (UTC+8)
    t0_taipei = T0.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Taipei")).strftime("%Y-%m-%d %H:%M:%S")
    assert t0_taipei in page.text
    assert _seqs(admin.get("/queries", params={"account": "mia"}).text) == {seqs["mia1"], seqs["mia2"]}
    assert _seqs(admin.get("/queries", params={"case": codes["B"]}).text) == {seqs["otto1"]}
    assert _seqs(admin.get("/queries", params={"purpose": "100%"}).text) == {seqs["mia2"]}
    day = (T0.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Taipei"))).date()
    got = _seqs(admin.get("/queries", params={"since": day.isoformat(), "until": day.isoformat()}).text)
    assert seqs["mia1"] in got and seqs["otto1"] not in got
    assert admin.get("/queries", params={"since": "31/12/2026"}).status_code == 422
    assert _seqs(admin.get("/queries", params={"status": "pending"}).text) == set(seqs.values())


def test_csv_export_for_auditors_keeps_the_filter_and_defuses_formulas(app):
    a, seqs, codes = app
    admin = _as(a, "admin")
    r = admin.get("/queries.csv", params={"case": codes["A"]})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {int(x["seq"]) for x in rows} == {seqs[k] for k in ("mia1", "mia2", "max1", "pi1")}
    assert all(x["ts_utc"].endswith("+00:00") for x in rows)
    bad = next(x for x in rows if int(x["seq"]) == seqs["max1"])
    assert bad["sql"].startswith("'=") and bad["purpose"].startswith("'+")
    # the page links the export with the same filter
    assert f'href="/queries.csv?case={codes["A"]}"' in admin.get("/queries", params={"case": codes["A"]}).text


def test_a_pi_sees_and_approves_the_members_queries_of_their_own_case_only(app):
    a, seqs, codes = app
    pi = _as(a, "pi")
    page = pi.get("/queries")
    assert page.status_code == 200
    assert _seqs(page.text) == {seqs[k] for k in ("mia1", "mia2", "max1", "pi1")}     # not case B
    assert pi.get("/queries", params={"case": codes["B"]}).status_code == 403
    assert pi.get("/queries.csv", params={"case": codes["B"]}).status_code == 403
    assert "otto" not in pi.get("/queries.csv").text
    # the case page links the PI to it
    assert f'href="/queries?case={codes["A"]}"' in pi.get(f"/cases/{codes['A']}").text
    # own queries have no tick box; the members' have
    assert f'value="{seqs["pi1"]}"' not in page.text and f'value="{seqs["mia1"]}"' in page.text
    r = pi.post("/queries/decide", data={"seq": [seqs["mia1"], seqs["max1"]], "decision": "approved",
                                         "back_to": f"case={codes['A']}"})
    assert r.status_code == 200 and "approved" in r.text
    assert _seqs(pi.get("/queries", params={"status": "approved"}).text) == {seqs["mia1"], seqs["max1"]}
    # never their own, even by posting the number
    assert pi.post("/queries/decide", data={"seq": [seqs["pi1"]], "decision": "approved"}).status_code == 403
    # nor another case's
    assert pi.post("/queries/decide", data={"seq": [seqs["otto1"]], "decision": "approved"}).status_code == 403
    # a flag needs its note
    assert pi.post("/queries/decide", data={"seq": [seqs["mia2"]], "decision": "flagged"}).status_code == 422
    r = pi.post("/queries/decide", data={"seq": [seqs["mia2"]], "decision": "flagged", "note": "select * of enrol"})
    assert "flagged" in r.text and "已標記問題" in pi.get("/queries", params={"status": "flagged"}).text


@pytest.mark.parametrize("who", ["mia", "otto_member"])
def test_people_outside_a3s_circle_are_refused(app, who):
    a, seqs, codes = app
    name = "mia" if who == "mia" else "max"
    c = _as(a, name)
    assert c.get("/queries").status_code == 403
    assert c.get("/queries.csv").status_code == 403
    assert c.post("/queries/decide", data={"seq": [seqs["pi1"]], "decision": "approved"}).status_code == 403
    assert "Query log" not in c.get("/").text
