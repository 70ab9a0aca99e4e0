"""A5, round 4: the red team's new positions (see docs/architecture.md "Audit").

1. a web user of any role: every state-changing route leaves a record - done, refused or
   failed - enumerated from the app (a route added later is called without editing this file);
   the query-log export is audited; the session socket app carries the shared headers.
2. a host user with the state DB but not the keys: stored forms that parse to the sealed value
   (duplicate keys, escapes, spacing, number forms, null), values that would not be stored as
   sealed (NaN, surrogates, over-wide columns, naive times), neighbours that look alike (1.0/1,
   -0.0/0.0, 2**53+1/2**53), time-zone rewrites, ids out of order, two chains spliced.
3. the keys are in nothing stored beside the database (DB file, journal, anchor, environment).
4. the verifier: a missing or lagging anchor, a missing, empty or stale witness, and anything
   it cannot read are reported, never passed.
Web calls go through Starlette's TestClient (the ASGI app in process, every middleware real);
the database attacks run on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil

import pytest
from fastapi.testclient import TestClient

from enclave.audit import AuditEntry, anchor, append
from enclave.audit.log import AuditEntryError
from enclave.audit.verify import UNANCHORED, UNREADABLE, verify_audit
from enclave.db import session_scope
from tests.audit import attacks as A
from tests.fresh_db import fresh_sqlite


def problems(url, **kw):
    with session_scope(url) as s:
        return verify_audit(s, **kw)


def top(url) -> int:
    with session_scope(url) as s:
        return s.execute(A.text("SELECT COALESCE(MAX(seq), 0) FROM audit_records")).scalar_one()


def actions_after(url, seq) -> list[tuple[str, str, str | None]]:
    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(A.text(
            "SELECT action, actor, subject FROM audit_records WHERE seq > :s ORDER BY seq"), {"s": seq})]


# ------------------------------------------------------------------ 1. every write leaves a record

@pytest.fixture(scope="module")
def web(tmp_path_factory, request):
    from enclave.web.app import create_app
    from policies import load_policy
    from policies.loader import POLICY_ROOT
    from tests.control.conftest import T0, without_mfa
    from tests.identity.access_world import build

    policy = without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))
    url = fresh_sqlite(request, tmp_path_factory.mktemp("round4") / "state.db")  # build: no migration left
    w = build(url, policy)
    from tests.audit.people_seal import seal_people

    with session_scope(url) as db:   # the world's accounts are rows: their creation sealed (people index)
        seal_people(db)
    with TestClient(create_app(url, policy, clock=lambda: T0), follow_redirects=False) as c:
        yield w, c


def _write_routes(app):
    from enclave.web import access

    return [k for k in access.route_keys(app) if k.split(" ", 1)[0] in ("POST", "PUT", "PATCH", "DELETE")]


def _call(w, c, key, person, case_key="A"):
    from tests.identity.test_access_matrix import _form, _json, _url

    method, path = key.split(" ", 1)
    o, other = w.objs[case_key], w.objs["B" if case_key == "A" else "A"]
    kw = {"headers": w.auth(person) if person else {}}
    if path.startswith("/api/"):
        body = _json(key, o, other)
        if key == "POST /api/announcements":
            kw["data"] = {"title": "t"}
        elif body is not None and method != "DELETE":
            kw["json"] = body
    else:
        kw["data"] = _form(key, o)
    return c.request(method, _url(path, o), **kw)


@pytest.mark.parametrize("person", ["admin", "steward", "pi_a", "alice", "norole", "suspended", None],
                         ids=["admin", "steward", "pi", "member", "no-role", "suspended", "anonymous"])
def test_every_state_changing_route_leaves_a_record(web, person):
    """Done, refused (401/403/404/409/422) or failed: each call to each write route appends at
    least one record, the route's own or the web layer's web.refused/web.failed/web.unrecorded."""
    w, c = web
    keys = _write_routes(c.app)
    assert len(keys) >= 60, len(keys)      # the enumeration really found the app's routes
    missing = []
    before = top(w.url)
    for key in keys:       # one call at a time, so the top after one call is the top before the next
        r = _call(w, c, key, person)
        after = top(w.url)
        if after == before:
            missing.append((key, r.status_code))
        before = after
    assert missing == [], f"{person}: {len(missing)} writes left no audit record: {missing}"


def test_a_refused_write_names_the_caller_and_the_status(web):
    w, c = web
    before = top(w.url)
    r = c.post("/api/accounts/review", json={"revoke": []}, headers=w.auth("alice"))
    assert r.status_code in (401, 403, 404)
    got = actions_after(w.url, before)
    assert ("web.refused", "alice", "POST /api/accounts/review") in got, got


@pytest.mark.parametrize("how", ["csrf", "nul", "bidi", "bad-json"])
def test_writes_stopped_by_the_guards_are_recorded(web, how):
    """Refused before any route runs (the CSRF, NUL, hidden-control and body guards): still a
    record, its subject escaped (no NUL, no bidi override stored)."""
    w, c = web
    before = top(w.url)
    if how == "csrf":
        r = c.post("/api/bookings", json={}, cookies={"enclave_session": w.tokens["alice"]},
                   headers={"Origin": "https://evil.example"})
    elif how == "nul":
        r = c.post("/api/bookings%00x", json={}, headers=w.auth("alice"))
    elif how == "bidi":
        r = c.post("/api/bookings", json={"case_code": "\u202eX"}, headers=w.auth("alice"))
    else:
        r = c.post("/api/bookings", content=b"{not json", headers={**w.auth("alice"),
                                                                   "Content-Type": "application/json"})
    assert r.status_code >= 400
    got = actions_after(w.url, before)
    assert got and got[-1][0] == "web.refused", got
    assert "\x00" not in got[-1][2] and "\u202e" not in got[-1][2]
    assert problems(w.url) == []


def test_the_query_log_export_is_audited(web):
    from enclave.accounts.models import User
    from enclave.identity.sessions import issue_token

    w, c = web
    with session_scope(w.url) as db:   # a token of its own: the route sweep may have logged admin out
        admin = db.query(User).filter_by(username="admin").one()
        token = issue_token(db, admin, kind="api", lifetime=dt.timedelta(days=400), factor="totp")
    before = top(w.url)
    r = c.get("/queries.csv", params={"case": w.objs["A"]["code"]}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text[:200]
    got = actions_after(w.url, before)
    assert ("querylog.exported", "admin", "/queries.csv") in got, got


def test_the_session_socket_app_has_the_shared_headers(tmp_path, request):
    from egress_review.api.session_app import create_session_app
    from enclave.web.factory import PAGE_CSP
    from tests.identity.test_access_matrix_review import nhi_policy

    fresh_sqlite(request, tmp_path / "s.db")
    app = create_session_app(db_url=f"sqlite:///{tmp_path / 's.db'}", policy=nhi_policy(),
                             store_dir=tmp_path / "s", release_dir=tmp_path / "r")
    from enclave.db import upgrade
    upgrade(app.state.db_url)
    with TestClient(app) as c:
        for r in (c.get("/api/requests"), c.get("/nowhere"), c.post("/api/requests/1/submit")):
            assert r.headers["cache-control"] == "no-store", r.headers
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["content-security-policy"] == PAGE_CSP
            assert r.headers["x-frame-options"] == "DENY"


# ------------------------------------------------------------------ 2. stored forms and collisions

SEALED = {"note": "Café 研究", "n": 1.0, "z": -0.0, "big": 2 ** 53 + 1, "nested": {"a": [1, "二"]}}


def _set_detail(url, seq, text_value):
    cast = "CAST(:v AS JSON)" if url.startswith("postgresql") else ":v"
    A.sql(url, f"UPDATE audit_records SET detail = {cast} WHERE seq = :s", v=text_value, s=seq)


@pytest.fixture
def sealed(enclave_home, db_url):
    with session_scope(db_url) as s:
        append(s, AuditEntry("test", "alice", "query", reason="r", detail=dict(SEALED)))
    A.fill(db_url, 2, start=1)
    assert problems(db_url) == []
    return db_url


# stored text that parses to exactly the sealed value
SAME_VALUE = {
    "duplicate-key": '{"note": "evil", "note": "Caf\\u00e9 \\u7814\\u7a76", "n": 1.0, "z": -0.0, '
                     '"big": 9007199254740993, "nested": {"a": [1, "\\u4e8c"]}}',
    "raw-unicode": json.dumps(SEALED, ensure_ascii=False),
    "compact": json.dumps(SEALED, separators=(",", ":")),
    "number-form": json.dumps(SEALED).replace("1.0", "1.00"),
}
# Not here: the same keys in another order.  The writer keeps the caller's order (not known to
# the verifier) and order carries no meaning in JSON objects; the seal is over sorted keys.


@pytest.mark.parametrize("form", sorted(SAME_VALUE))
def test_stored_detail_in_another_form_of_the_same_value_is_reported(sealed, form):
    text_value = SAME_VALUE[form]
    _set_detail(sealed, 1, text_value)
    with session_scope(sealed) as s:   # the seal alone would pass: same parsed value, same order or not
        stored = s.execute(A.text("SELECT detail FROM audit_records WHERE seq = 1")).scalar_one()
    assert json.loads(stored) == SEALED if isinstance(stored, str) else stored == SEALED
    found = problems(sealed)
    assert found and found[0].seq == 1 and found[0].kind == "edited", found


@pytest.mark.parametrize("stored", ["null", "[]", '""'])
def test_null_detail_for_an_empty_one_is_reported(enclave_home, db_url, stored):
    """An entry without detail is sealed as {}: JSON null must not pass for it (SQL NULL the
    column refuses)."""
    with session_scope(db_url) as s:
        append(s, AuditEntry("test", "alice", "login"))
    A.fill(db_url, 1, start=1)
    _set_detail(db_url, 1, stored)
    found = problems(db_url)
    assert found and found[0].seq == 1, found


NEIGHBOURS = {"one-for-one-point-zero": ("n", 1), "zero-for-minus-zero": ("z", 0.0),
              "2**53-for-2**53+1": ("big", 2 ** 53), "nfd-for-nfc": ("note", "Cafe\u0301 研究")}


@pytest.mark.parametrize("name", sorted(NEIGHBOURS))
def test_a_look_alike_value_is_an_edit(sealed, name):
    """Values equal to a JavaScript reader or on a page but not in the sealed bytes."""
    key, value = NEIGHBOURS[name]
    _set_detail(sealed, 1, json.dumps({**SEALED, key: value}))
    found = problems(sealed)
    assert found and found[0].seq == 1 and found[0].kind == "edited", found


BAD_ENTRIES = {
    "nan": dict(detail={"x": math.nan}), "inf": dict(detail={"x": [math.inf]}),
    "minus-inf": dict(detail={"x": {"y": -math.inf}}), "surrogate-reason": dict(reason="a\ud800b"),
    "surrogate-key": dict(detail={"\udfff": 1}), "int-key": dict(detail={1: "a"}),
    "datetime": dict(detail={"at": dt.datetime(2026, 1, 1)}), "bytes": dict(detail={"b": b"x"}),
    "actor-121": dict(actor="a" * 121), "component-41": dict(component="c" * 41),
    "action-81": dict(action="x" * 81), "case-41": dict(case_code="C" * 41),
    "empty-actor": dict(actor=""), "list-detail": dict(detail=[1, 2]),
}


@pytest.mark.parametrize("name", sorted(BAD_ENTRIES))
def test_an_entry_that_would_not_be_stored_as_sealed_is_refused(enclave_home, db_url, name):
    A.fill(db_url, 1)
    fields = {"component": "test", "actor": "alice", "action": "query", **BAD_ENTRIES[name]}
    with pytest.raises(AuditEntryError):
        with session_scope(db_url) as s:
            append(s, AuditEntry(**fields))
    assert top(db_url) == 1 and problems(db_url) == []      # nothing half-written


def test_a_naive_time_is_refused_not_read_as_the_host_zone(enclave_home, db_url, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Taipei")
    with pytest.raises(AuditEntryError, match="time zone"):
        with session_scope(db_url) as s:
            append(s, AuditEntry("test", "alice", "query"), now=dt.datetime(2026, 12, 7, 8, 0))
    with session_scope(db_url) as s:   # an aware Taipei time is stored as the same instant in UTC
        rec = append(s, AuditEntry("test", "alice", "query"),
                     now=dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert rec.ts == "2026-12-07T00:00:00.000000+00:00"


def test_extreme_values_round_trip_and_verify(enclave_home, db_url):
    detail = {"big": 10 ** 30, "neg": -(2 ** 63), "tiny": 5e-324, "z": -0.0, "long": "表" * 100_000,
              "emoji": "😀", "ctl": "tab\tnl\n", "esc": "\\u0041"}
    with session_scope(db_url) as s:
        append(s, AuditEntry("test", "a" * 120, "x" * 80, case_code="C" * 40, reason="表" * 50_000,
                             detail=detail))
    assert problems(db_url) == []
    assert A.rows(db_url)[0]["reason"] == "表" * 50_000     # nothing cut short


TS_REWRITES = {"same-instant-taipei": lambda t: dt.datetime.fromisoformat(t).astimezone(
                   dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="microseconds"),
               "z-suffix": lambda t: t.replace("+00:00", "Z"),
               "past": lambda t: "2020-01-01T00:00:00.000000+00:00",
               "future": lambda t: "2099-01-01T00:00:00.000000+00:00"}


@pytest.mark.parametrize("how", sorted(TS_REWRITES))
def test_a_timestamp_rewritten_to_the_same_or_another_instant_is_an_edit(enclave_home, db_url, how):
    A.fill(db_url, 3)
    old = A.rows(db_url)[1]["ts"]
    A.sql(db_url, "UPDATE audit_records SET ts = :t WHERE seq = 2", t=TS_REWRITES[how](old))
    found = problems(db_url)
    assert found and found[0].seq == 2 and found[0].kind == "edited", found


@pytest.mark.parametrize("seq", [0, -1, 5, 100])
def test_a_record_inserted_out_of_order_is_reported(enclave_home, db_url, seq):
    A.fill(db_url, 3)
    r = dict(A.rows(db_url)[-1], seq=seq, hash="e" * 64, detail=json.dumps({}))
    with session_scope(db_url) as s:
        A.drop_guards(s)
        s.execute(A.text(f"INSERT INTO audit_records ({', '.join(A.COLS)}) VALUES "
                         f"({', '.join(':' + c for c in A.COLS)})"), r)
    found = problems(db_url)
    assert found and found[0].seq <= max(seq, 1), found


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_two_chains_under_the_same_key_spliced(enclave_home, db_url, tmp_path, request, cut):
    """A second database sealed with the same keys (a staging copy): its records are validly
    sealed, but the first one after the cut names another predecessor."""
    other = fresh_sqlite(request, tmp_path / "other.db")
    A.fill(db_url, 4)
    A.fill(other, 4, start=10)
    mine, theirs = A.rows(db_url), A.rows(other)
    spliced = mine[:cut] + theirs[cut:]
    A.write_rows(db_url, spliced, dict(A.head(db_url), seq=4, hash=spliced[-1]["hash"]))
    found = problems(db_url)
    assert found and found[0].seq == cut + 1, found


# ------------------------------------------------------------------ 3. nothing beside the DB holds the keys

def test_no_key_material_is_stored_beside_the_database(enclave_home, db_url):
    from datasets import keyring
    from enclave.audit.journal import journal_dir
    from enclave.audit.keys import audit_keys
    from enclave.settings import get_settings

    A.fill(db_url, 3)
    settings = get_settings()
    keys = audit_keys(settings)
    master = keyring.master_key(settings, create=False)
    secrets = [master, master.hex().encode(), keys.chain_key, keys.chain_key.hex().encode(),
               keys.signing_key.private_bytes_raw(), keys.signing_key.private_bytes_raw().hex().encode()]
    places = [p for d in (journal_dir(), anchor.anchor_dir()) for p in d.rglob("*") if p.is_file()]
    if db_url.startswith("sqlite"):
        places.append(__import__("pathlib").Path(db_url.removeprefix("sqlite:///")))
    blobs = [p.read_bytes() for p in places]
    with session_scope(db_url) as s:
        blobs.append(json.dumps([list(map(str, r)) for r in s.execute(A.text(
            "SELECT * FROM audit_records"))]).encode())
        blobs.append(json.dumps([list(map(str, r)) for r in s.execute(A.text("SELECT * FROM audit_head"))]).encode())
    blobs.append("\n".join(f"{k}={v}" for k, v in os.environ.items()).encode())
    blobs.append(repr(settings).encode())
    for secret in secrets:
        assert not any(secret in b for b in blobs)
    assert keys.key_id not in master.hex() and len(keys.key_id) == 16   # a fingerprint, not the key


# ------------------------------------------------------------------ 4. the verifier says ok only when it read everything

def test_a_deleted_anchor_is_reported_and_a_person_can_restore_it(enclave_home, db_url):
    from enclave.audit.verify import confirm_head

    A.fill(db_url, 3)
    [path] = list(anchor.anchor_dir().glob("*.json"))
    path.unlink()
    found = problems(db_url)
    assert [p.kind for p in found] == [UNANCHORED], found
    with session_scope(db_url) as s:
        confirm_head(s)
    assert problems(db_url) == []


def test_an_older_sealed_anchor_put_back_is_reported(enclave_home, db_url, tmp_path):
    A.fill(db_url, 2)
    [path] = list(anchor.anchor_dir().glob("*.json"))
    old = path.read_bytes()
    A.fill(db_url, 2, start=2)
    path.write_bytes(old)
    found = problems(db_url)
    assert found and found[0].kind == UNANCHORED and found[0].seq == 3, found


def _witness(url, path):
    from enclave.audit.verify import latest_checkpoint

    with session_scope(url) as s:
        cp = latest_checkpoint(s)
    with path.open("a") as f:
        f.write(json.dumps(cp) + "\n")


@pytest.mark.parametrize("how", ["missing", "empty", "directory", "not-utf8", "stale", "stale-env"])
def test_a_missing_empty_unreadable_or_stale_witness_is_reported(enclave_home, db_url, tmp_path,
                                                                 monkeypatch, how):
    A.fill(db_url, 2)
    w = tmp_path / "witness.jsonl"
    _witness(db_url, w)
    assert problems(db_url, witness=w) == []
    if how == "missing":
        w.unlink()
    elif how == "empty":
        w.write_text("")
    elif how == "directory":
        w.unlink()
        w.mkdir()
    elif how == "not-utf8":
        w.write_bytes(b"\xff\xfe")
    else:   # the journal's newest line is more than the window after the witness's newest
        from enclave.audit import journal
        from enclave.audit.keys import audit_keys

        path = A.journal_file()
        head = A.head(db_url)
        from types import SimpleNamespace   # only the journal's clock, 25 h ahead

        keys = audit_keys()
        with monkeypatch.context() as m:
            m.setattr(journal, "dt", SimpleNamespace(datetime=_Later, timezone=dt.timezone))
            journal.write(path, keys, kind="checkpoint", chain=head["chain_id"], seq=head["seq"],
                          hash=head["hash"], anchor_dir=anchor.anchor_dir())
    if how == "stale-env":
        monkeypatch.setenv("ENCLAVE_AUDIT_WITNESS", str(w))
        found = problems(db_url)
    else:
        found = problems(db_url, witness=w)
    assert found and found[0].kind in (UNANCHORED, UNREADABLE), found


class _Later(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return dt.datetime.fromtimestamp(dt.datetime.now(tz).timestamp(), tz) + dt.timedelta(hours=25)


def test_the_witness_window_can_be_set_and_a_bad_one_is_refused(enclave_home, db_url, tmp_path, monkeypatch):
    A.fill(db_url, 1)
    w = tmp_path / "witness.jsonl"
    _witness(db_url, w)
    monkeypatch.setenv("ENCLAVE_AUDIT_WITNESS_WINDOW_HOURS", "nan")
    found = problems(db_url, witness=w)
    assert found and found[0].kind == UNREADABLE and "WINDOW" in found[0].message


@pytest.mark.parametrize("how", ["journal-is-a-directory", "journal-unreadable-bytes", "anchor-dir-is-a-file"])
def test_what_verify_cannot_read_is_reported_not_raised(enclave_home, db_url, how):
    from enclave.audit.journal import journal_dir

    A.fill(db_url, 2)
    if how == "journal-is-a-directory":
        path = A.journal_file()
        path.unlink()
        path.mkdir()
    elif how == "journal-unreadable-bytes":
        path = A.journal_file()
        path.write_bytes(path.read_bytes() + b"\xff\xfe{\"n\": 3}\n")
    else:
        d = anchor.anchor_dir()
        shutil.rmtree(d)
        d.write_text("not a directory")
    found = problems(db_url)
    assert found, how


@pytest.mark.parametrize("state", ["empty-with-head", "journal-longer", "gap", "head-without-records"])
def test_empty_short_and_gapped_logs_are_reported(enclave_home, db_url, state):
    A.fill(db_url, 4)
    if state == "empty-with-head":
        A.sql(db_url, "DELETE FROM audit_records")
    elif state == "journal-longer":
        A.sql(db_url, "DELETE FROM audit_records WHERE seq > 2",
              "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_records WHERE seq = 2)")
    elif state == "gap":
        A.sql(db_url, "DELETE FROM audit_records WHERE seq = 2")
    else:
        A.sql(db_url, "DELETE FROM audit_records WHERE seq > 0")
        shutil.rmtree(A.journal_file().parent)
    found = problems(db_url)
    assert found, state
