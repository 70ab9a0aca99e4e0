"""The browser as a download path, round 3: every route, every role, every spelling (D4, E4, O2).

Round 2 bounded what a body may carry.  Here a crawler takes the routes from the app itself
(``app.routes``: a route added later is called too) and calls each one as every kind of person -
the requester, a member of the case, a reviewer on the case, an independent reviewer, the
committee, a researcher of another case, nobody, a made-up cookie - in the spellings a browser
or a script can use: HEAD, OPTIONS, a trailing or doubled slash, upper case, ``.json``, ``/raw``,
``/download``, ``?format=csv``, ``%2e%2e``, an encoded slash, ``Accept: text/csv``, a Range, an
If-None-Match.  For every answer:

* a held file's bytes (a request not yet approved) reach only an independent reviewer, on the
  one route that serves files to reviewers, as an ``attachment`` under ``sandbox``; a released
  file's bytes reach only its requester on the release routes (and the reviewers);
* it carries ``Cache-Control: no-store`` and ``nosniff`` - error answers too: the body guard's
  413/422, which were answered outside the app's header middleware and carried neither (fixed
  in ``enclave/web/factory.py``: the headers are now set by the outermost middleware), and an
  unexpected 500;
* an HTML page forbids scripts, plug-ins, framing and form posts to other origins (CSP), and
  shows nobody but an independent reviewer any ``data:`` picture; no page links to ``data:``,
  ``blob:`` or ``javascript:``.

Real uvicorn on a loopback port, real sockets, the deployed policy (password-only log-ins)."""
from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from urllib.parse import unquote

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from sqlalchemy import select

from enclave.accounts.models import User
from enclave.db import session_scope, upgrade
from enclave.identity.sessions import issue_token
from enclave.web.auth import COOKIE
from tests.egress_workflow.conftest import Clock, make_world, manifest, nhi_policy, table_spec
from tests.identity.helpers import serve

HELD = b"40-59,F,1437\n"           # a row of the file waiting for review
HELD_DATA = b"age_group,sex,n\n20-39,F,120\n20-39,M,98\n" + HELD + b"40-59,M,131\n"
GONE = b"40-59,F,2741\n"           # a row of the released file
GONE_DATA = b"age_group,sex,n\n20-39,F,210\n20-39,M,89\n" + GONE + b"40-59,M,113\n"
PEOPLE = ("alice", "bob", "carol", "rev1", "com1", "mallory", None, "forged")
INDEPENDENT = ("rev1", "rev2", "com1")
REVIEWER_FILE = "/api/requests/{rid}/files/{fid}"
RELEASE_FILES = ("/api/releases/{rid}/files/{fid}", "/downloads/{rid}/files/{fid}")


def spellings(path: str) -> list[tuple[str, str, dict]]:
    """(method, url, headers) a browser or a script may use for one GET route."""
    out = [("GET", path, {}), ("HEAD", path, {}), ("OPTIONS", path, {}),
           ("GET", path + "/", {}), ("GET", "/" + path, {}), ("GET", path.upper(), {}),
           ("GET", path + ".json", {}), ("GET", path + "/raw", {}), ("GET", path + "/download", {}),
           ("GET", path + "?format=csv&download=1", {}), ("GET", path, {"Accept": "text/csv"}),
           ("GET", path, {"Range": "bytes=0-64"}), ("GET", path, {"If-None-Match": "*"}),
           ("GET", path, {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"})]
    if path.count("/") >= 2:
        head, tail = path.rsplit("/", 1)
        out += [("GET", f"{head}/%2e%2e/{tail}", {}), ("GET", f"{head}%2F{tail}", {}),
                ("GET", f"{head}/./{tail}", {})]
    return out


def _url(template: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", lambda m: str(ids.get(m.group(1), 1)), template)


def _headers(who: str | None, world, cookies: dict) -> tuple[dict, dict]:
    if who is None:
        return {}, {}
    if who == "forged":
        return {}, {COOKIE: "made-up-session-value"}
    if who in cookies:                       # a browser session for half the people
        return {}, {COOKIE: cookies[who]}
    return world.auth(who), {}


def _routes(app) -> list[tuple[str, str]]:
    from enclave.web.access import route_keys

    return [tuple(k.split(" ", 1)) for k in route_keys(app)]


def crawl(base: str, app, world, cookies: dict, objects: list[dict]) -> tuple[list, int]:
    """Call every route of ``app`` as every person; return (problems, calls made)."""
    problems, calls = [], 0
    with httpx.Client(base_url=base, timeout=60) as http:
        for method, template in _routes(app):
            for n, ids in enumerate(objects):
                if n and "{" not in template:
                    continue                  # no object in the path: once is enough
                path = _url(template, ids)
                # every spelling against the held file; the released one (and routes with no
                # object) as a browser plainly asks for it
                tries = (spellings(path) if n == 0 and "{" in template else spellings(path)[:3]) \
                    if method == "GET" else [(method, path, {})]
                for who in PEOPLE:
                    hdr, jar = _headers(who, world, cookies)
                    for m, url, extra in tries:
                        kw = {}
                        if m in ("POST", "PUT", "DELETE"):     # a body that asks for nothing real
                            kw = {"data": {"x": "1"}, "headers": {**hdr, **extra,
                                                                  "Origin": base}}
                        else:
                            kw = {"headers": {**hdr, **extra}}
                        http.cookies.clear()
                        http.cookies.update(jar)
                        r = http.request(m, url, **kw)
                        calls += 1
                        problems += check(r, who, template, ids, m, url, extra)
    return problems, calls


def _same_path(url: str, path: str) -> bool:
    """``url`` names ``path`` once the server has decoded it (%2F, ./, doubled slashes)."""
    got = posixpath.normpath(re.sub("/+", "/", unquote(url.split("?")[0])))
    return got == path


def check(r: httpx.Response, who, template: str, ids: dict, m: str, url: str, extra: dict) -> list:
    bad = []
    where = (who, m, url, tuple(extra.items()), r.status_code)
    if r.headers.get("cache-control") != "no-store":
        bad.append(("cached", *where, r.headers.get("cache-control")))
    if r.headers.get("x-content-type-options") != "nosniff":
        bad.append(("sniffable", *where))
    body = r.content
    # the reviewers' file route itself (a query or a header changes nothing of what it is)
    plain = template == REVIEWER_FILE and _same_path(url, _url(template, ids))
    if HELD in body and not (who in INDEPENDENT and plain and ids["held"]):
        bad.append(("held bytes", *where))
    if GONE in body and not (plain and who in INDEPENDENT or
                             (who == "alice" and template in RELEASE_FILES and not ids["held"])):
        bad.append(("released bytes to someone else", *where))
    if HELD in body or GONE in body:
        if not r.headers.get("content-disposition", "").startswith("attachment"):
            bad.append(("file shown inline", *where))
    ctype = r.headers.get("content-type", "")
    if ctype.startswith("text/html"):
        csp = r.headers.get("content-security-policy", "")
        for need in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                     "frame-ancestors 'none'", "form-action 'self'"):
            if need not in csp:
                bad.append(("page policy lacks " + need, *where))
        text = r.text
        if re.search(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*(?:javascript|blob|data):""", text,
                     re.I) and not (who in INDEPENDENT and "src=\"data:image/" in text):
            bad.append(("data/blob/javascript link", *where))
        if re.search(r"""src\s*=\s*["']data:""", text) and who not in INDEPENDENT:
            bad.append(("inline picture for a non-reviewer", *where))
    return bad


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from egress_review.api import create_app

    tmp = tmp_path_factory.mktemp("round3")
    url = f"sqlite:///{tmp / 'state.db'}"
    upgrade(url)
    policy = nhi_policy()
    world = make_world(url, policy)
    app = create_app(url, policy, store_dir=tmp / "store", release_dir=tmp / "release", clock=Clock())
    with serve(app) as base, httpx.Client(base_url=base, timeout=60) as api:
        def submit(name: str, data: bytes) -> tuple[int, int]:
            r = api.post("/api/requests", headers=world.auth("alice"),
                         data={"manifest": json.dumps(manifest(files=[table_spec(name)]))},
                         files=[("files", (name, data, "text/csv"))])
            assert r.status_code == 201 and r.json()["verdict"] == "pass", r.text
            rid = r.json()["id"]
            return rid, api.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()["files"][0]["id"]

        held = submit("held.csv", HELD_DATA)
        gone = submit("gone.csv", GONE_DATA)
        for who in ("rev1", "rev2"):
            r = api.post(f"/api/requests/{gone[0]}/reviews", headers=world.auth(who),
                         json={"decision": "approve", "reason": ""})
            assert r.status_code == 200, r.text
        assert api.get("/api/releases", headers=world.auth("alice")).json()[0]["status"] == "available"
        cookies = {}
        with session_scope(url) as db:
            for who in ("alice", "rev1", "mallory", "carol"):
                u = db.execute(select(User).where(User.username == who)).scalar_one()
                cookies[who] = issue_token(db, u, kind="browser", lifetime=dt.timedelta(hours=2), factor="totp")
        objects = [{"rid": held[0], "fid": held[1], "path": "held.csv", "held": True},
                   {"rid": gone[0], "fid": gone[1], "path": "gone.csv", "held": False}]
        yield app, base, world, cookies, objects


def test_no_route_gives_a_held_file_to_anyone_but_an_independent_reviewer(service):
    app, base, world, cookies, objects = service
    problems, calls = crawl(base, app, world, cookies, objects)
    assert problems == [], f"{len(problems)} of {calls}: {problems[:20]}"
    assert calls >= 2000, calls          # the crawl really called the routes


def test_the_allowed_readers_do_get_the_bytes(service):
    """The control: the crawl is not vacuous - the independent reviewer reads the held file, the
    requester downloads the released one, and the requester's own view of the held one is
    empty."""
    app, base, world, cookies, objects = service
    held, gone = objects
    with httpx.Client(base_url=base, timeout=60) as http:
        r = http.get(f"/api/requests/{held['rid']}/files/{held['fid']}", headers=world.auth("rev1"))
        assert r.status_code == 200 and HELD in r.content
        assert r.headers["content-security-policy"] == "sandbox"
        r = http.get(f"/downloads/{gone['rid']}/files/{gone['fid']}", cookies={COOKIE: cookies["alice"]})
        assert r.status_code == 200 and GONE in r.content
        assert r.headers["content-disposition"].startswith("attachment")
        r = http.get(f"/api/requests/{held['rid']}/files/{held['fid']}", headers=world.auth("alice"))
        assert r.status_code == 403 and HELD not in r.content


def test_a_route_added_later_is_crawled_too(service):
    """The crawler reads the routes from the app: a new route serving a held file to anyone is
    found without editing this test (and a header middleware switched off would be too)."""
    _, _, world, cookies, objects = service
    app = FastAPI()
    leak = APIRouter()
    leak.add_api_route("/api/preview/{rid}", lambda rid: Response(HELD_DATA, media_type="text/plain"),
                       methods=["GET"])
    app.include_router(leak)
    with serve(app) as base:
        problems, _ = crawl(base, app, world, cookies, objects[:1])
    kinds = {p[0] for p in problems}
    assert {"held bytes", "cached", "sniffable", "file shown inline"} <= kinds, kinds


# --------------------------------------------------------------- answers outside the routes

def test_the_body_guard_and_a_crash_answer_with_the_headers(service, tmp_path):
    """The body guard answers before the app (413 for an outsider's large body, 422 for a
    hidden control character in a form's words); an unexpected error answers 500 - each with
    no-store and nosniff, and the 500 says nothing of the error."""
    from egress_review.api import create_app
    from enclave.web.form_guard import ANONYMOUS_MAX

    app, base, world, cookies, objects = service
    with httpx.Client(base_url=base, timeout=60) as http:
        boundary = "b3"
        big = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\n\r\n"
               .encode() + b"a" * (ANONYMOUS_MAX + 1024) + f"\r\n--{boundary}--\r\n".encode())
        r = http.post("/api/requests", content=big, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert r.status_code == 413
        assert r.headers.get("cache-control") == "no-store" and r.headers.get("x-content-type-options") == "nosniff"
        r = http.post("/api/requests", headers=world.auth("alice"),
                      files=[("files", ("a.csv", b"x", "text/csv"))], data={"manifest": "{\"purpose\": \"a\u202eb\"}"})
        assert r.status_code == 422
        assert r.headers.get("cache-control") == "no-store" and r.headers.get("x-content-type-options") == "nosniff"
    crash = create_app(world.db_url, nhi_policy(), store_dir=tmp_path / "s", release_dir=tmp_path / "r",
                       clock=Clock(), recover_on_start=False)

    def boom():
        raise RuntimeError("secret-path /srv/enclave/held.csv " + HELD.decode())

    crash.add_api_route("/api/boom", boom, methods=["GET"])
    with serve(crash) as b2, httpx.Client(base_url=b2, timeout=60) as http:
        r = http.get("/api/boom")
    assert r.status_code == 500
    assert r.headers.get("cache-control") == "no-store" and r.headers.get("x-content-type-options") == "nosniff"
    assert HELD not in r.content and b"secret-path" not in r.content


def test_the_control_plane_answers_every_route_with_the_headers(tmp_path):
    """The control plane holds no output file, but what it shows (case specifications, query
    logs, people) is no more cacheable: every route, as an admin, a researcher and nobody, in
    every spelling, carries no-store and nosniff."""
    from enclave.web.app import create_app
    from tests.control.conftest import T0, without_mfa
    from tests.identity.access_world import build

    from policies import load_policy
    from policies.loader import POLICY_ROOT

    policy = without_mfa(load_policy(POLICY_ROOT / "nhi_centre"))
    url = f"sqlite:///{tmp_path / 'state.db'}"
    w = build(url, policy)
    app = create_app(url, policy, clock=lambda: T0)
    bad, calls = [], 0
    with serve(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        for method, template in _routes(app):
            path = _url(template, w.objs["A"])
            tries = spellings(path)[:8] if method == "GET" else [(method, path, {})]
            for who in ("admin", "alice", None):
                hdr = w.auth(who) if who else {}
                for m, u, extra in tries:
                    kw = {"headers": {**hdr, **extra}}
                    if m not in ("GET", "HEAD", "OPTIONS"):
                        kw["headers"]["Origin"] = base
                        kw["data"] = {"x": "1"}
                    r = http.request(m, u, **kw)
                    calls += 1
                    if r.headers.get("cache-control") != "no-store" or \
                            r.headers.get("x-content-type-options") != "nosniff":
                        bad.append((who, m, u, r.status_code))
    assert bad == [] and calls >= 1000, (calls, bad[:20])


# --------------------------------------------------------------- uploads: words that carry bytes

ROWS = b"ID,birth\nA123456789,1970-01-01\nB223456789,1971-02-02\n"


@pytest.mark.parametrize("form", ["base64", "hex", "percent", "escapes"])
def test_a_comment_carrying_bytes_is_refused(service, form):
    """A requester's file-thread comment is read outside once the request is approved: bytes
    written as text in it (here: identifier rows) would leave unread.  Refused like a file
    holding them (egress_review/comments.py), over the JSON API and the page's form alike;
    nothing is stored.  The control: the same comment in words passes."""
    import base64

    app, base, world, cookies, objects = service
    held = objects[0]
    payload = {"base64": base64.b64encode(ROWS).decode(), "hex": ROWS.hex(),
               "percent": "".join(f"%{b:02X}" for b in ROWS),
               "escapes": "".join(f"\\x{b:02x}" for b in ROWS)}[form]
    url = f"/api/requests/{held['rid']}/files/{held['fid']}/comments"
    with httpx.Client(base_url=base, timeout=60) as http:
        before = len(http.get(f"/api/requests/{held['rid']}", headers=world.auth("rev1")).json()["threads"][0]
                     ["comments"])
        r = http.post(url, headers=world.auth("alice"), json={"body": "row 2 is " + payload,
                                                              "visibility": "public"})
        assert r.status_code == 422 and "E7" in r.json()["detail"], r.text
        r = http.post(url, headers=world.auth("rev1"), json={"body": "see " + payload, "visibility": "public"})
        assert r.status_code == 422, r.text
        r = http.post(f"/requests/{held['rid']}/files/{held['fid']}/comment",
                      cookies={COOKIE: cookies["alice"]}, headers={"Origin": base,
                                                                   "X-CSRF-Token": _csrf(cookies["alice"])},
                      data={"body": "row 2 is " + payload, "visibility": "public"})
        assert r.status_code == 422 and HELD not in r.content, r.text
        after = http.get(f"/api/requests/{held['rid']}", headers=world.auth("rev1")).json()["threads"][0]["comments"]
        assert len(after) == before, after
        r = http.post(url, headers=world.auth("alice"), json={"body": "the third row holds the older women",
                                                              "visibility": "public"})
        assert r.status_code == 201, r.text


def _csrf(session: str) -> str:
    from enclave.identity.sessions import csrf_token

    return csrf_token(session)


@pytest.mark.parametrize("name", ["../held.csv", "/etc/held.csv", "a/../../held.csv", "held.csv\x00.png",
                                  "..\\held.csv"])
def test_an_upload_named_out_of_place_stores_nothing(service, name):
    """A file part's name is its place in the manifest: a path out of the request, or a NUL, is
    refused with the reason, and no request row is made."""
    app, base, world, cookies, objects = service
    with httpx.Client(base_url=base, timeout=60) as http:
        before = len(http.get("/api/requests", headers=world.auth("alice")).json())
        r = http.post("/api/requests", headers=world.auth("alice"),
                      data={"manifest": json.dumps(manifest(files=[table_spec(name)]))},
                      files=[("files", (name, HELD_DATA, "text/csv"))])
        assert r.status_code in (400, 422) and r.json()["detail"], r.text
        r2 = http.post("/api/requests", headers=world.auth("alice"),
                       data={"manifest": json.dumps(manifest(files=[table_spec("held.csv")]))},
                       files=[("files", ("held.csv", HELD_DATA, "text/csv")),
                              ("files", ("held.csv", HELD_DATA, "text/csv"))])
        assert r2.status_code == 400 and "twice" in r2.text
        assert len(http.get("/api/requests", headers=world.auth("alice")).json()) == before
