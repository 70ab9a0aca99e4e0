"""S1/D4: in remote mode the kernel shares the session's uid with the X server, the kiosk
browser and the server; it must not reach the desktop around the viewer's filtered websocket.

Real hub, proxy, sandbox, Xtigervnc and kiosk Chromium.  The kernel tries: drawing on or reading
the display (X11 with no cookie or a guessed one, on the socket file and the abstract socket);
the kiosk's loopback listener with every credential it holds or can make (the hub token as a
header, a query parameter or a cookie, guessed kiosk cookies); the VNC socket (security None,
guessed passwords); the memory, environment and descriptors of the X server, the kiosk browser
and its helpers and the server; the X authority file; and last, standing in for the X server
at the VNC socket's path (the viewer's relay must refuse it).  Each must fail.
"""
from __future__ import annotations

import json
import os
import time

import pytest

from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")


@pytest.fixture(scope="module")
def hub():
    h = HubHarness(access_mode="remote")
    h.add_user("alice")
    h.add_case("C1", ["alice"])
    h.book_now("alice", "C1")
    with h.running(tail=6000):
        h.alice = h.session_user("alice")
        # the kiosk logs in once the desktop is up; a kernel started before that would still
        # meet the X server's check (desktop.start) - but the kiosk login is what this tests
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "kiosk" not in h.log_text():
            time.sleep(0.5)
        time.sleep(3)
        h.kernel = h.alice.start_kernel()
        yield h


def _run(hub, code: str) -> dict:
    out = hub.alice.execute(code, hub.kernel, timeout=120)
    line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
    assert line, out[-3000:]
    return json.loads(line[len("RESULT "):])


FIND = r'''
import os, glob, json, socket, struct, http.client
RESULT = {}
def procs():
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                out[int(pid)] = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode()
            except OSError:
                pass
    return out
'''

X_PROBE = FIND + r'''
def x_setup(addr, name=b"", data=b""):
    pad = lambda b: b + bytes(-len(b) % 4)
    s = socket.socket(socket.AF_UNIX); s.settimeout(5)
    try:
        s.connect(addr)
        s.sendall(b"l\0" + struct.pack("<HHHH", 11, 0, len(name), len(data)) + b"\0\0"
                  + pad(name) + pad(data))
        return s.recv(1)[:1].hex() or "closed"
    except OSError as e:
        return type(e).__name__
    finally:
        s.close()
for x in glob.glob("/tmp/.X11-unix/X*"):
    for where, addr in (("path", x), ("abstract", "\0" + x)):
        for name, data in ((b"", b""), (b"MIT-MAGIC-COOKIE-1", bytes(16)),
                           (b"MIT-MAGIC-COOKIE-1", os.urandom(16)), (b"XDM-AUTHORIZATION-1", bytes(8))):
            RESULT[f"x {where} {name[:3]} {data[:2].hex()}"] = x_setup(addr, name, data)
try:
    import tkinter
    os.environ["DISPLAY"] = ":" + sorted(glob.glob("/tmp/.X11-unix/X*"))[0].rsplit("X", 1)[1]
    tkinter.Tk(); RESULT["tk"] = "connected"
except Exception as e:
    RESULT["tk"] = type(e).__name__
RESULT["xauthority_files"] = glob.glob("/tmp/enclave-desktop-*/Xauthority") + glob.glob("/tmp/**/.Xauthority", recursive=True)
print("RESULT", json.dumps(RESULT))
'''


def test_kernel_cannot_open_the_display(hub):
    got = _run(hub, X_PROBE)
    xs = {k: v for k, v in got.items() if k.startswith("x ")}
    assert len(xs) == 8, got  # one display, two sockets, four tries each
    assert all(v != "01" for v in xs.values()), xs  # 01: connection accepted
    assert got["tk"] != "connected"
    assert got["xauthority_files"] == []


LOOPBACK_PROBE = FIND + r'''
tok = os.environ["JUPYTERHUB_API_TOKEN"]
tcp = [l.split() for l in open("/proc/net/tcp").read().splitlines()[1:]]
ports = sorted({int(x[1].split(":")[1], 16) for x in tcp if x[3] == "0A"})
def get(port, path, headers):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", path, headers=headers)
        r = c.getresponse(); body = r.read(300)
        return r.status
    except Exception as e:
        return type(e).__name__
    finally:
        c.close()
base = "/user/alice"
tries = [("hdr", {"Authorization": f"token {tok}"}), ("bearer", {"Authorization": f"Bearer {tok}"}),
         ("cookie-token", {"Cookie": f"jupyterhub-user-alice={tok}"}),
         ("kiosk-guess", {"Cookie": "enclave-kiosk=" + "A" * 43}),
         ("kiosk-token", {"Cookie": f"enclave-kiosk={tok}", "Authorization": f"token {tok}"}),
         ("none", {})]
paths = ["/api/contents", "/api/kernels", "/lab", "/api/status",
         f"/api/contents?token={tok}", "/desktop/kiosk-login?k=" + "A" * 43]
for port in ports:
    probe = get(port, base + "/api", {})
    if not isinstance(probe, int):
        continue  # not HTTP (the kernel's own ZMQ ports)
    for name, h in tries:
        for p in paths:
            RESULT[f"{port} {name} {p[:24]}"] = get(port, base + p, h)
print("RESULT", json.dumps(RESULT))
'''


def test_kernel_cannot_use_the_kiosk_listener(hub):
    got = _run(hub, LOOPBACK_PROBE)
    assert len(got) >= 36, got  # the kiosk's listener was found and tried
    assert set(got.values()) <= {403}, {k: v for k, v in got.items() if v != 403}


VNC_PROBE = FIND + r'''
def rfb(choice):
    socks = glob.glob("/tmp/enclave-desktop-*/vnc.sock")
    s = socket.socket(socket.AF_UNIX); s.settimeout(5)
    try:
        s.connect(socks[0]); v = s.recv(12); s.sendall(b"RFB 003.008\n")
        n = s.recv(1)[0]; types = list(s.recv(n)) if n else []
        if not types:
            return f"refused {types}"
        s.sendall(bytes([choice]))
        if choice == 2:
            s.recv(16); s.sendall(bytes(16))
        r = s.recv(4)
        return f"types {types} result {r.hex()}"
    except Exception as e:
        return type(e).__name__
    finally:
        s.close()
for c in (1, 2, 0, 16, 19, 255):
    RESULT[f"vnc {c}"] = rfb(c)
print("RESULT", json.dumps(RESULT))
'''


def test_kernel_cannot_drive_the_vnc_server(hub):
    got = _run(hub, VNC_PROBE)
    assert len(got) == 6
    assert all("result 00000000" not in v for v in got.values()), got  # never "security OK"
    assert any("types [2]" in v for v in got.values()), got  # it asks for the password


MEM_PROBE = FIND + r'''
for pid, cmd in procs().items():
    name = os.path.basename(cmd)
    if not any(w in name for w in ("Xtigervnc", "Xvnc", "chromium", "chrome", "crashpad",
                                    "jupyterhub-singleuser", "session_server")) and \
            "session_server" not in open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace"):
        continue
    for what, mode in (("mem", "rb"), ("mem", "r+b"), ("environ", "rb"), ("auxv", "rb")):
        try:
            with open(f"/proc/{pid}/{what}", mode) as f:
                f.read(1)
            RESULT[f"{name} {pid} {what} {mode}"] = "open"
        except OSError as e:
            RESULT[f"{name} {pid} {what} {mode}"] = type(e).__name__
    try:
        RESULT[f"{name} {pid} fd"] = str(len(os.listdir(f"/proc/{pid}/fd")))
    except OSError as e:
        RESULT[f"{name} {pid} fd"] = type(e).__name__
print("RESULT", json.dumps(RESULT))
'''


def test_kernel_cannot_read_the_desktop_processes(hub):
    got = _run(hub, MEM_PROBE)
    names = {k.split()[0] for k in got}
    assert any("Xtigervnc" in n or "Xvnc" in n for n in names), names
    assert any("chromium" in n for n in names), names
    assert all(v in ("PermissionError",) for v in got.values()), \
        {k: v for k, v in got.items() if v != "PermissionError"}


STAND_IN = FIND + r'''
import threading
sock = glob.glob("/tmp/enclave-desktop-*/vnc.sock")[0]
os.rename(sock, sock + ".real")
srv = socket.socket(socket.AF_UNIX); srv.bind(sock); srv.listen(4)
def serve():  # a stand-in that takes any password and would send any pixels it likes
    while True:
        c, _ = srv.accept()
        try:
            c.sendall(b"RFB 003.008\n"); c.recv(12); c.sendall(b"\x01\x02"); c.recv(1)
            c.sendall(bytes(16)); c.recv(16); c.sendall(bytes(4)); c.recv(1)
            c.sendall(struct.pack(">HH16sI", 640, 480, bytes(16), 5) + b"stand")
        except OSError:
            pass
threading.Thread(target=serve, daemon=True).start()
RESULT["stood_in"] = os.path.exists(sock)
print("RESULT", json.dumps(RESULT))
'''


def test_viewer_relay_refuses_a_stand_in_for_the_x_server(hub):
    """Last in the module: it breaks the desktop of this session."""
    import websocket

    assert _run(hub, STAND_IN) == {"stood_in": True}
    a = hub.alice
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(
            f"ws://127.0.0.1:{hub.opts.port}/user/alice/desktop/websockify",
            header=[f"Authorization: token {a.token}"], subprotocols=["binary"], timeout=30)
    assert e.value.status_code == 503
    assert "not its X server" in hub.all_logs()
