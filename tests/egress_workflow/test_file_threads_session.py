"""The requester answers in a file's thread from inside the session (issue 16): a real
JupyterHub vouches for the session's token, the in-session client `EgressClient().comment(rid,
file, text)` posts over the sessions' unix socket, and `.view(rid)` shows each file's thread."""
from __future__ import annotations

import httpx
import pytest

from egress_review.client import EgressClient, EgressClientError
from tests.egress_workflow.conftest import COUNTS_OK, home_with_world, manifest
from tests.egress_workflow.test_hub_token import Served, hub  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow]


def test_requester_answers_on_a_file_thread_from_the_session(hub, tmp_path, monkeypatch):  # noqa: F811
    api, user_token = hub
    home, url, world = home_with_world(tmp_path)
    svc = Served(home, url, api, tmp_path / "egress.sock")
    try:
        out = tmp_path / "out"
        out.mkdir()
        (out / "counts.csv").write_bytes(COUNTS_OK)
        monkeypatch.setenv("EGRESS_REVIEW_URL", svc.session_url)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", user_token("alice"))
        monkeypatch.delenv("EGRESS_URL", raising=False)
        with EgressClient() as c:
            rid = c.submit(manifest(), root=out)["id"]
            fid = c.status(rid)["files"][0]["id"]
        # A reviewer asks on the file's thread (internal service, their API token).
        r = httpx.post(f"{svc.tcp_url}/api/requests/{rid}/files/{fid}/comments",
                       headers=world.auth("rev1"),
                       json={"body": "Is <row 2> a margin?", "visibility": "public"})
        assert r.status_code == 201, r.text
        httpx.post(f"{svc.tcp_url}/api/requests/{rid}/files/{fid}/comments", headers=world.auth("rev1"),
                   json={"body": "reviewers only: check table 2", "visibility": "private"})

        with EgressClient() as c:
            ans = c.comment(rid, "counts.csv", "No: the margin is row 5 & it is >= 6.")
            assert ans["file_id"] == fid and ans["author"] == "alice"
            with pytest.raises(ValueError, match="no file 'nope.csv'"):
                c.comment(rid, "nope.csv", "x")
            with pytest.raises(EgressClientError) as e:      # words carrying data are refused
                c.comment(rid, fid, "patient A123456789 is in row 2")
            assert e.value.status == 422
            html = c.view(rid)._repr_html_()
            # the public question and the answer, escaped; the private note never
            assert "Is &lt;row 2&gt; a margin?" in html and "<row 2>" not in html
            assert "row 5 &amp; it is &gt;= 6." in html
            assert "check table 2" not in html
            # the session reaches only its own requests' threads
        with EgressClient(svc.session_url, user_token("bob"), scheme="token") as c, \
                pytest.raises(EgressClientError) as e:
            c.comment(rid, fid, "not my request")
        assert e.value.status == 404
        # the reviewer reads the answer in the file's thread
        d = httpx.get(f"{svc.tcp_url}/api/requests/{rid}", headers=world.auth("rev1")).json()
        (t,) = d["threads"]
        assert [c["author"] for c in t["comments"]] == ["rev1", "rev1", "alice"]
    finally:
        svc.stop()
