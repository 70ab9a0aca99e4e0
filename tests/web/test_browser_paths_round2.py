"""The browser as an upload path, round 2: how much a body may carry (D4, A5).

Before, no front end bounded a request body.  The multipart word guard spooled every multipart
body to disk, and the input filter read every JSON or urlencoded body into memory, before any
route - or any log-in check - looked at the request: an outsider with no account could send
gigabytes to the log-in page of the control plane or the release area.  Now a body from nobody
logged in stops at ``ANONYMOUS_MAX`` (a forged cookie or token does not count: a live session
must stand behind it), a logged-in caller's at the largest upload the policy accepts, and a
declared Content-Length over the limit is refused before a byte of the body is read.

Real uvicorn on a loopback port, real sockets, the deployed policy (MFA off: it has its own
tests); the control plane and the review service (internal and release-area routes)."""
from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlparse

import pytest

from enclave.web.form_guard import ANONYMOUS_MAX, WORDS_MAX, body_limit
from tests.identity.conftest import control, nhi_policy, people_db  # noqa: F401 (fixtures)
from tests.identity.helpers import serve

BIG = ANONYMOUS_MAX + (256 << 10)


def _multipart(size: int, field: str = "files", name: str = "notes.txt") -> tuple[bytes, str]:
    boundary = "----round2boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nNotice\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + b"a" * size + tail, f"multipart/form-data; boundary={boundary}"


def _headers_only(base: str, path: str, length: int, extra: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Send a request's head declaring ``length`` bytes of body and none of them: the answer
    must come without the body (a server that waited for it would time out here)."""
    u = urlparse(base)
    lines = [f"POST {path} HTTP/1.1", f"Host: {u.hostname}:{u.port}",
             "Content-Type: multipart/form-data; boundary=x", f"Content-Length: {length}",
             *(f"{k}: {v}" for k, v in (extra or {}).items()), "", ""]
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall("\r\n".join(lines).encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        s.settimeout(2)
        try:
            rest += s.recv(4096)
        except socket.timeout:
            pass
    return status, rest


# ---------------------------------------------------------------- the control plane

@pytest.mark.parametrize("path", ["/login", "/announcements", "/api/announcements", "/api/token"])
def test_an_outsiders_large_body_is_refused_unread(control, path):
    api = control
    body, ctype = _multipart(BIG)
    r = api.http.post(path, content=body, headers={"Content-Type": ctype})
    assert r.status_code == 413 and "log in first" in r.json()["detail"], (path, r.status_code, r.text)
    r = api.http.post(path, content=json.dumps({"username": "x" * BIG}).encode(),
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 413, (path, r.status_code)
    status, _ = _headers_only(api.base, path, 50 << 30)
    assert status == 413


@pytest.mark.parametrize("forged", [{"Authorization": "Bearer not-a-live-token"},
                                    {"Cookie": "enclave_session=made-up"}])
def test_a_made_up_credential_does_not_lift_the_limit(control, forged):
    api = control
    body, ctype = _multipart(BIG)
    r = api.http.post("/api/announcements", content=body, headers={"Content-Type": ctype, **forged})
    assert r.status_code == 413 and "log in first" in r.json()["detail"], r.text


def test_a_logged_in_upload_within_the_policy_passes(control, nhi_policy):
    """The control: an admin's 2 MB attachment (the policy allows 10 MB) is published."""
    api = control
    admin = api.token("admin")
    data = b"x" * (2 << 20)
    r = api.http.post("/api/announcements", headers=admin, data={"title": "Schedule"},
                      files=[("files", ("schedule.txt", data, "text/plain"))])
    assert r.status_code == 201, r.text
    aid, att = r.json()["id"], r.json()["attachments"][0]["id"]
    r = api.http.get(f"/api/announcements/{aid}/attachments/{att}", headers=admin)
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-type"] == "application/octet-stream"


def test_a_logged_in_body_over_the_policy_is_refused_unread(control, nhi_policy):
    api = control
    token = api.token("admin")["Authorization"]
    limit = body_limit(nhi_policy)
    status, rest = _headers_only(api.base, "/api/announcements", limit + 1, {"Authorization": token})
    assert status == 413 and str(limit).encode() in rest
    # a JSON body is read into memory for its words: bounded lower
    r = api.http.post("/api/password", headers={**api.token("alice"), "Content-Type": "application/json"},
                      content=json.dumps({"old": "x", "new": "y" * WORDS_MAX}).encode())
    assert r.status_code == 413


def test_a_small_anonymous_body_still_reaches_the_route(control):
    """A log-in is a few hundred bytes: the limit never stands in its way."""
    r = control.http.post("/api/token", json={"username": "alice", "password": "wrong-password-1"})
    assert r.status_code in (400, 401), r.text


# ---------------------------------------------------------------- the review service

@pytest.fixture
def review(world, dirs, clock):  # noqa: F811
    from egress_review.api import create_app

    app = create_app(world.db_url, world.policy, store_dir=dirs["store_dir"],
                     release_dir=dirs["release_dir"], clock=clock)
    with serve(app) as base:
        yield base, world


from tests.egress_workflow.conftest import clock, dirs, policy, world  # noqa: E402,F401 (fixtures)


@pytest.mark.parametrize("path", ["/api/requests", "/api/imports", "/imports/new", "/login",
                                  "/downloads/1/files/1/comments"])
def test_the_review_service_refuses_an_outsiders_large_body(review, path):
    import httpx

    base, _ = review
    body, ctype = _multipart(BIG)
    t0 = time.monotonic()
    r = httpx.post(base + path, content=body, headers={"Content-Type": ctype}, timeout=30)
    assert r.status_code == 413, (path, r.status_code, r.text)
    assert time.monotonic() - t0 < 30
    status, _ = _headers_only(base, path, 20 << 30)
    assert status == 413


def test_a_logged_in_body_past_the_anonymous_limit_reaches_the_route(review):
    """The control on the review service: a logged-in reviewer's body over ``ANONYMOUS_MAX``
    is read and answered by the route itself (here: a comment too long, 422), not by the limit."""
    import httpx

    base, world = review
    r = httpx.post(base + "/api/requests/1/comments", headers=world.auth("rev1"),
                   json={"body": "x" * BIG, "visibility": "private"}, timeout=60)
    assert r.status_code not in (413,) and r.status_code in (404, 422), r.text
    r = httpx.post(base + "/api/requests/1/comments", headers={"Authorization": "Bearer nope"},
                   json={"body": "x" * BIG, "visibility": "private"}, timeout=60)
    assert r.status_code == 413


def test_a_comment_sent_as_a_file_part_is_no_comment(review):
    """A comment's words arrive as a form value; the same field sent as a file part (whose
    contents the word guard does not read) is refused, and nothing is stored."""
    import httpx

    from tests.egress_workflow.conftest import COUNTS_OK, manifest

    base, world = review
    r = httpx.post(base + "/api/requests", headers=world.auth("alice"),
                   data={"manifest": json.dumps(manifest())},
                   files=[("files", ("counts.csv", COUNTS_OK, "text/csv"))], timeout=60)
    rid = r.json()["id"]
    r = httpx.post(f"{base}/api/requests/{rid}/comments", headers=world.auth("alice"),
                   files=[("body", ("note.txt", "ID A123456789 \u202e hidden".encode(), "text/plain"))], timeout=30)
    assert r.status_code in (400, 415, 422), r.text
    d = httpx.get(f"{base}/api/requests/{rid}", headers=world.auth("rev1"), timeout=30).json()
    assert not d.get("comments")
