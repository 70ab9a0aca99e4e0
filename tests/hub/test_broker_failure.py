"""The server and its query broker start together; a broker that cannot start fails the spawn
and leaves no server behind (A3: no session without its audited data path)."""
from __future__ import annotations

import time

from tests.hub.test_hub_death import _server_pids
from tests.services.hub import HubHarness
from tests.session.conftest import broker_pids


def test_spawn_fails_cleanly_when_the_broker_cannot_start():
    h = HubHarness()
    h.add_user("hugo")
    h.add_case("K2", ["hugo"], tables={"t": [{"x": 1}]})
    # a damaged extract: the broker cannot open it and exits
    (h.settings.projects_dir / "K2" / "data" / "t.parquet").write_bytes(b"not parquet at all")
    h.book_now("hugo", "K2")
    h.start()
    try:
        hugo = h.session_user("hugo", spawn=False)
        r = hugo.hub_api("POST", "/users/hugo/server")
        assert r.status_code in (201, 202, 500, 503), r.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            srv = hugo.hub_api("GET", "/users/hugo").json()["servers"].get("")
            if not srv or not srv.get("pending"):
                break
            time.sleep(0.3)
        assert not (srv and srv.get("ready")), "a session without its broker must not start"
        assert "query broker exited" in h.log_text()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (_server_pids("hugo") or broker_pids("/broker/hugo/")):
            time.sleep(0.3)
        assert _server_pids("hugo") == [] and broker_pids("/broker/hugo/") == []
    finally:
        h.stop()
