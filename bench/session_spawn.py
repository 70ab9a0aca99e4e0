"""Session benchmark: login-to-ready of a sandboxed session vs a plain local-process spawner
(same run, same machine), and the time to stop N sessions at a slot end.

    sudo python bench/session_spawn.py [--users 3] [--stop-sessions 20]

Login-to-ready = POST /hub/login, POST /hub/api/users/{name}/server, until
GET /user/{name}/api/status answers 200 through the proxy.  Both hubs are real JupyterHub +
configurable-http-proxy; only the spawner differs (EnclaveSpawner vs PlainSpawner on TCP).
The slot-end part uses a policy copy whose warden sweeps every second, so it measures the
stop itself; with the NHI policy (10 s sweeps) add up to 10 s.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enclave.audit.models import AuditRecord  # noqa: E402
from enclave.bookings.models import Booking  # noqa: E402
from enclave.db import session_scope, utcnow  # noqa: E402
from policies.loader import POLICY_ROOT  # noqa: E402
from tests.services.hub import HubHarness  # noqa: E402


def bench_policy() -> str:
    d = Path(tempfile.mkdtemp(prefix="encpol"))
    (d / "policy.yaml").write_text(f"name: bench\nextends: {POLICY_ROOT / 'nhi_centre'}\n")
    (d / "sessions.yaml").write_text("slot_end_check_seconds: 1\n")
    return str(d)


def setup(h: HubHarness, names: list[str]) -> None:
    now = utcnow()
    for n in names:
        h.add_user(n)
    h.add_case("B1", names, tables={"t": [{"x": i} for i in range(100)]})
    for n in names:
        h.add_booking(n, "B1", now - dt.timedelta(minutes=5), now + dt.timedelta(hours=2))


def login_to_ready(h: HubHarness, name: str) -> float:
    u = h.user(name)
    t0 = time.perf_counter()
    r = u.login()
    assert r.status_code == 302, r.text[:500]
    u.make_token()
    u.spawn()
    while u.server("GET", "/api/status").status_code != 200:
        time.sleep(0.05)
    return time.perf_counter() - t0


def run_spawn(kind: str, users: int) -> list[float]:
    h = HubHarness(spawner=kind)
    names = [f"{kind[:2]}user{i}" for i in range(users)]
    try:
        setup(h, names)
        h.start()
        return [login_to_ready(h, n) for n in names]
    finally:
        h.stop()


def descendants(root: int) -> set[int]:
    """Every process started under ``root`` (this bench's hub).  Session uids are the policy's
    base + case member, so another hub on the same host (tests running at the same time) runs
    sessions as the same uids: counting by uid alone counts theirs too."""
    children = collections.defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children[ppid].append(int(stat.parent.name))
    out, todo = set(), [root]
    while todo:
        for child in children.pop(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def session_rss_mb(uid: int, within: set[int] | None = None) -> float:
    """Resident memory of every process running as a session's uid (server, kernel, and in
    remote mode the X server and the kiosk browser), of those in ``within`` if given."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        if within is not None and int(status.parent.name) not in within:
            continue
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields.get("Uid", "0 0").split()[0]) == uid and "VmRSS" in fields:
            total += int(fields["VmRSS"].split()[0])
    return total / 1024


def desktop_ready(h: HubHarness, u) -> bool:
    """Remote mode's "ready": the desktop's websocket speaks RFB to a logged-in client."""
    import websocket

    try:
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{h.opts.port}/user/{u.name}/desktop/websockify",
            header=[f"Authorization: token {u.token}"], subprotocols=["binary"], timeout=10)
    except (OSError, websocket.WebSocketException):
        return False
    try:
        return ws.recv().startswith(b"RFB ")
    except (OSError, websocket.WebSocketException):
        return False
    finally:
        ws.close()


def run_spawn_mode(mode: str, users: int) -> tuple[list[float], list[float]]:
    """Login-to-ready and memory per session of the sandbox spawner in one access mode
    (S1/S4): on_site = the seat's browser talks to JupyterLab (ready: /api/status answers);
    remote = pixels only (ready: the desktop answers RFB; the kiosk browser inside is
    starting JupyterLab by then)."""
    from policies import load_policy

    h = HubHarness(access_mode=mode)
    names = [f"{mode[:2]}user{i}" for i in range(users)]
    times, mem = [], []
    try:
        setup(h, names)
        h.start()
        base = load_policy(None).sessions.sandbox_uid_base
        for i, n in enumerate(names):
            u = h.user(n)
            t0 = time.perf_counter()
            assert u.login().status_code == 302
            u.make_token()
            u.spawn()
            if mode == "remote":
                while not desktop_ready(h, u):
                    time.sleep(0.05)
            else:
                while u.server("GET", "/api/status").status_code != 200:
                    time.sleep(0.05)
            times.append(time.perf_counter() - t0)
            time.sleep(5)  # let the kiosk browser settle before measuring memory
            mem.append(session_rss_mb(base + i + 1, descendants(h.proc.pid)))
        return times, mem
    finally:
        h.stop()


def run_stop(n: int) -> dict:
    pol = bench_policy()
    h = HubHarness(policy_dir=pol)
    names = [f"stop{i:02d}" for i in range(n)]
    try:
        setup(h, names)
        h.add_user("benchadmin", roles=("admin",))
        h.start()
        admin = h.user("benchadmin")
        admin.login()
        admin.make_token()
        people = []
        t0 = time.perf_counter()
        for name in names:
            u = h.user(name)
            assert u.login().status_code == 302
            u.make_token()
            u.hub_api("POST", f"/users/{name}/server")
            people.append(u)
        retries = 0
        while True:
            users = {u["name"]: u for u in admin.hub_api("GET", "/users").json()}
            ready = sum(1 for nm in names if users[nm]["servers"].get("", {}).get("ready"))
            if ready == n:
                break
            for u in people:  # a spawn that failed (timeout under load) is started again
                srv = users[u.name]["servers"].get("")
                if not srv and not users[u.name].get("pending"):
                    retries += 1
                    u.hub_api("POST", f"/users/{u.name}/server")
            time.sleep(1)
        spawn_all = time.perf_counter() - t0
        end = utcnow() + dt.timedelta(seconds=3)
        with session_scope(h.db_url) as s:
            for b in s.query(Booking).all():
                b.ends_at = end
        while utcnow() < end:
            time.sleep(0.01)
        t_end = time.perf_counter()
        while admin.hub_api("GET", "/users", params={"state": "active"}).json():
            time.sleep(0.1)
        all_stopped = time.perf_counter() - t_end
        deadline = time.monotonic() + 60
        while True:  # the cut-off record is written after the second revocation pass
            with session_scope(h.db_url) as s:
                cut = s.query(AuditRecord).filter_by(action="session.cutoff").all()
            if len(cut) >= n or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        with session_scope(h.db_url) as s:
            cut = s.query(AuditRecord).filter_by(action="session.cutoff").all()
            last = max(dt.datetime.fromisoformat(c.ts) for c in cut)
            revoked = sum(c.detail["tokens_revoked"] for c in cut)
        # Each credential alone: the API token without the login cookie, and the browser's
        # login cookie without the token (JupyterHub falls back to the cookie when both come).
        import httpx

        with httpx.Client(base_url=h.url, timeout=30) as bare:
            codes = [bare.get("/hub/api/user", headers={"Authorization": f"token {u.token}"})
                     .status_code for u in people]
        cookie_codes = [u.http.get("/hub/api/user", headers={"X-XSRFToken": u.xsrf()})
                        .status_code for u in people]
        rejected = sum(c in (401, 403) for c in codes)
        cookie_rejected = sum(c in (401, 403) for c in cookie_codes)
        Path("/tmp/bench_session_stop_hub.log").write_text(h.log_text())
        return {"sessions": n, "spawn_all_s": spawn_all, "spawn_retries": retries, "stop_all_s": all_stopped,
                "last_revocation_after_end_s": (last - end).total_seconds(),
                "tokens_revoked": revoked, "tokens_rejected_after": rejected,
                "status_after": dict(collections.Counter(codes)),
                "cookies_rejected_after": cookie_rejected,
                "cookie_status_after": dict(collections.Counter(cookie_codes))}
    finally:
        h.stop()
        shutil.rmtree(pol, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=3, help="sessions per spawner for login-to-ready")
    ap.add_argument("--stop-sessions", type=int, default=20, help="sessions stopped at slot end")
    a = ap.parse_args()
    plain = run_spawn("plain", a.users)
    sandbox = run_spawn("sandbox", a.users)
    mp, ms = statistics.median(plain), statistics.median(sandbox)
    print(f"login-to-ready, plain local process : median {mp:.2f} s  "
          f"({', '.join(f'{x:.2f}' for x in plain)})")
    print(f"login-to-ready, namespace sandbox   : median {ms:.2f} s  "
          f"({', '.join(f'{x:.2f}' for x in sandbox)})")
    print(f"ratio sandbox/plain                 : {ms / mp:.2f}x (target <= 1.3x)")
    for mode, target in (("on_site", 1.3), ("remote", 1.5)):
        t, mem = run_spawn_mode(mode, a.users)
        mt = statistics.median(t)
        print(f"login-to-ready, {mode:7s} mode         : median {mt:.2f} s  "
              f"({', '.join(f'{x:.2f}' for x in t)}); ratio to plain {mt / mp:.2f}x "
              f"(target <= {target}x); memory per session {statistics.median(mem):.0f} MB RSS")
    if a.stop_sessions:
        r = run_stop(a.stop_sessions)
        print(f"{r['sessions']} sandboxed sessions: login + start of all took {r['spawn_all_s']:.1f} s "
              f"({r['spawn_retries']} spawns retried)")
        print(f"slot end -> all {r['sessions']} servers stopped: {r['stop_all_s']:.2f} s "
              f"(warden sweep every 1 s); last token revocation "
              f"{r['last_revocation_after_end_s']:.2f} s after the end; "
              f"{r['tokens_revoked']} tokens revoked, "
              f"{r['tokens_rejected_after']}/{r['sessions']} tokens rejected afterwards "
              f"(HTTP status of GET /hub/api/user with each token: {r['status_after']}); "
              f"{r['cookies_rejected_after']}/{r['sessions']} login cookies rejected "
              f"({r['cookie_status_after']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
