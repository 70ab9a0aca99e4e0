"""Server-rendered pages: log-in, queue, request view with flagged cells and chart, requester view."""
from __future__ import annotations

import re

import pytest

from enclave.db import upgrade
from tests.egress_workflow.conftest import COUNTS_SMALL, PASSWORD, manifest, submit, table_spec


@pytest.fixture
def db_url(tmp_path):
    """Pages only render what the workflow stored; the workflow runs on both databases in
    test_workflow.py, the pages on SQLite."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(url)
    return url


def login(client, name, nxt="/"):
    return client.post("/login", data={"username": name, "password": PASSWORD, "next": nxt},
                       follow_redirects=False)


def test_login_redirects_and_refuses_open_redirects(client, world):
    r = client.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    bad = client.post("/login", data={"username": "rev1", "password": "wrong-one-123"})
    assert bad.status_code == 401 and "Wrong user name or password" in bad.text
    r = login(client, "rev1", nxt="//evil.example/phish")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    assert client.get("/", follow_redirects=False).headers["location"] == "/queue"
    client.post("/logout")
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_reviewer_view_highlights_flagged_cells_and_charts_counts(client, world):
    man = manifest(files=[table_spec("small.csv", groups=("age_group",))])
    rid = submit(client, world, man=man, files={"small.csv": COUNTS_SMALL}).json()["id"]
    login(client, "rev1")
    q = client.get("/queue")
    assert q.status_code == 200 and f'data-request="{rid}"' in q.text
    page = client.get(f"/requests/{rid}")
    assert page.status_code == 200
    # The cell holding 3 (row 1, column n) is highlighted as a block, with the rule in its title.
    cell = re.search(r'<td class="heat-under flag-block" title="([^"]*)">3</td>', page.text)
    assert cell and "E2" in cell.group(1)
    # the heat-map colours every count against the threshold, and the summary comes first
    assert 'class="heat-ok' in page.text or 'class="heat-near' in page.text
    assert page.text.index('id="finding-summary"') < page.text.index('class="data"') \
        < page.text.index('<table class="findings">')
    assert 'value="approve" disabled' in page.text  # a blocked request cannot be approved
    fid = re.search(rf"/requests/{rid}/files/(\d+)/counts.svg", page.text).group(1)
    svg = client.get(f"/requests/{rid}/files/{fid}/counts.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.count('class="under"') == 1 and svg.text.count('class="ok"') + svg.text.count('class="near"') == 1
    assert "1 / 2" in svg.text and "log scale" in svg.text
    # few bars: every bar is named and its value printed (no capped "120+" top)
    assert svg.text.count('class="bar-label"') == 2 and svg.text.count('class="bar-value"') == 2
    assert "+</text>" not in svg.text
    # the axis labels (threshold, 0, top) never sit on top of each other
    ys = sorted(float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="end"', svg.text))
    assert len(ys) >= 2 and all(b - a >= 12 for a, b in zip(ys, ys[1:])), ys


def test_conflicted_reviewer_sees_why_and_requester_sees_no_file_contents(client, world):
    rid = submit(client, world).json()["id"]
    login(client, "carol")  # reviewer, but a member of case C1
    q = client.get("/queue")
    assert "member of case C1" in q.text
    page = client.get(f"/requests/{rid}")
    assert 'id="decide"' not in page.text and "member of case C1" in page.text
    client.post("/logout")
    login(client, "rev1")
    client.post(f"/requests/{rid}/comment", data={"body": "private note", "visibility": "private"})
    client.post(f"/requests/{rid}/comment", data={"body": "please explain row 2", "visibility": "public"})
    client.post("/logout")
    login(client, "alice")
    page = client.get(f"/requests/{rid}")
    assert page.status_code == 200
    assert "please explain row 2" in page.text  # public: a question to the requester
    assert "private note" not in page.text
    assert 'class="data"' not in page.text and 'id="decide"' not in page.text
    assert client.get("/queue").status_code == 403
    # Requester comments go to the reviewers.
    r = client.post(f"/requests/{rid}/comment", data={"body": "row 2 is a margin", "visibility": "public"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"/requests/{rid}/comment", data={"body": "x", "visibility": "private"})
    assert r.status_code == 403


def test_times_on_the_review_pages_are_taipei(client, world):
    """Issue 16: one time zone everywhere (the centre's), as on the control plane."""
    rid = submit(client, world).json()["id"]
    login(client, "rev1")
    page = client.get(f"/requests/{rid}").text
    assert "臺北 Taipei" in page and " UTC" not in page
