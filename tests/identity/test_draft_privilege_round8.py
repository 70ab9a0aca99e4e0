"""A1, identity round 8: an approval binds the draft version the decider read.

The committee member reads version N of a draft; meanwhile its officer edits it (adds a member,
declares software) or someone with the database rewrites what it asks for.  Before, the approval
of N approved N+1: rights for people and data the decider never saw.  Now every draft has a
``draft_version`` (``GET /api/cases/{code}``) and ``POST /api/cases/{code}/approve`` must name
the version it approves; any other (or none) is refused (409) with both versions, and the case
stays a draft.  Read again and approve the version as it is: accepted.  Control plane over
real HTTP (uvicorn), SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from enclave.cases.models import Case
from enclave.db import session_scope
from tests.identity.draft_version_kit import seen
from tests.identity.test_self_decision import SPEC


def _draft(api, alice) -> str:
    r = api.http.post("/api/cases", json={"title": "Race", "case_type": "government", "extract_spec": SPEC},
                      headers=alice)
    assert r.status_code == 201, r.text
    return r.json()["code"]


def _approve(api, code, boss, version):
    return api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5, "version": version}, headers=boss)


def _status(api, code, who) -> str:
    return api.http.get(f"/api/cases/{code}", headers=who).json()["status"]


def _edit_in_db(url, code, **values):
    with session_scope(url) as db:
        c = db.execute(select(Case).where(Case.code == code)).scalar_one()
        for k, v in values.items():
            setattr(c, k, v)


EDITS = {
    "member added by the officer": lambda api, code, who, url: api.http.post(
        f"/api/cases/{code}/members", json={"username": "bob"}, headers=who),
    "software declared on the draft": lambda api, code, who, url: api.http.post(
        f"/api/cases/{code}/software", json={"name": "Stata", "version": "18", "purpose": "models"}, headers=who),
    "purpose rewritten": lambda api, code, who, url: _edit_in_db(url, code, purpose="something else"),
    "title rewritten": lambda api, code, who, url: _edit_in_db(url, code, title="Another study"),
    "data requested widened": lambda api, code, who, url: _edit_in_db(
        url, code, extract_spec={"files": {"H_NHI_OPDTE": {"years": [2019, 2020], "columns": ["ID", "FUNC_DATE", "ICD9CM_1"]}}}),
    "seats raised": lambda api, code, who, url: _edit_in_db(url, code, seats=9),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_approval_of_the_version_read_is_refused_once_the_draft_changed(control, people_db, edit):
    api = control
    alice, boss = api.token("alice"), api.token("boss")
    code = _draft(api, alice)
    read = seen(api.http, code, boss)
    assert read
    r = EDITS[edit](api, code, alice, people_db)
    assert r is None or r.status_code in (200, 201), r.text
    r = _approve(api, code, boss, read)
    assert r.status_code == 409, r.text
    assert "changed after you read it" in r.json()["detail"] and read in r.json()["detail"]
    assert _status(api, code, boss) == "draft"
    # read again, approve what it is now: accepted
    again = seen(api.http, code, boss)
    assert again != read
    r = _approve(api, code, boss, again)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("version", ["", " ", "0" * 20, "latest", "*", "%", "' OR 1=1 --"])
def test_an_approval_without_the_version_read_is_refused(control, version):
    api = control
    alice, boss = api.token("alice"), api.token("boss")
    code = _draft(api, alice)
    r = _approve(api, code, boss, version)
    assert r.status_code == 409 and "version" in r.json()["detail"], r.text
    assert _status(api, code, boss) == "draft"


def test_an_approval_with_no_version_field_is_refused(control):
    api = control
    alice, boss = api.token("alice"), api.token("boss")
    code = _draft(api, alice)
    r = api.http.post(f"/api/cases/{code}/approve", json={"working_days": 5}, headers=boss)
    assert r.status_code == 409 and "draft_version" in r.json()["detail"], r.text


def test_another_drafts_version_does_not_approve_this_one(control, people_db):
    api = control
    alice, boss = api.token("alice"), api.token("boss")
    one, two = _draft(api, alice), _draft(api, alice)
    _edit_in_db(people_db, two, title="A second study")
    r = _approve(api, two, boss, seen(api.http, one, boss))
    assert r.status_code == 409, r.text
    assert _status(api, two, boss) == "draft"


def test_an_unchanged_draft_is_approved_with_its_version(control):
    """No over-blocking: reading, then approving what was read (spaces around it as pasted)."""
    api = control
    alice, boss = api.token("alice"), api.token("boss")
    code = _draft(api, alice)
    r = _approve(api, code, boss, f"  {seen(api.http, code, boss)} ")
    assert r.status_code == 200, r.text
    assert api.http.get(f"/api/cases/{code}", headers=boss).json()["draft_version"] is None  # no longer a draft


def test_the_case_page_binds_its_approval_to_the_version_it_showed(control):
    """The approval form carries the version of the page the decider read; an edit between the
    page and the click refuses the approval, the page read again approves."""
    import re

    import httpx

    from tests.control.conftest import PASSWORD
    from tests.identity.helpers import csrf_of, form_login

    api = control
    alice = api.token("alice")
    code = _draft(api, alice)
    with httpx.Client(base_url=api.base, timeout=30, follow_redirects=False) as boss:
        assert form_login(boss, api.base, "boss", PASSWORD).status_code == 303

        def page_version() -> str:
            return re.search(r'name="version" value="([0-9a-f]+)"', boss.get(f"/cases/{code}").text).group(1)

        def click(version: str):
            return boss.post(f"/cases/{code}/approve", headers={"origin": api.base},
                             data={"working_days": "5", "confirm": "yes", "version": version,
                                   "csrf_token": csrf_of(boss)})

        read = page_version()
        assert api.http.post(f"/api/cases/{code}/members", json={"username": "bob"}, headers=alice).status_code == 200
        r = click(read)
        assert r.status_code == 409 and "changed after you read it" in r.text
        r = click(page_version())
        assert r.status_code in (200, 303), r.text
    assert _status(api, code, alice) == "approved"
