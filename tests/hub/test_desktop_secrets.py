"""S1/D4: the secrets that keep a kernel off the session's desktop, against a real TigerVNC X
server (no hub): the VNC password reaches the server only through an inherited memory file,
the relay's VNC authentication gets in with it and nothing else does, and X clients need the
display's cookie.  (In a session: tests/hub/test_desktop_kernel.py.)"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time

import pytest
from tornado import iostream

from hub_config.singleuser import desktop_secrets as ds

XVNC = shutil.which("Xtigervnc")
NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
pytestmark = [pytest.mark.skipif(not XVNC, reason="needs tigervnc-standalone-server"),
              pytest.mark.skipif(os.geteuid() != 0, reason="runs the X server as another uid")]


def test_des_is_standard_des():
    # FIPS 81 / the classic all-zero vector
    assert ds._des(bytes(8), bytes(8)).hex() == "8ca64de9c1b123a7"
    assert ds._reverse_bits(0x17) == 0xE8 and ds._reverse_bits(0x01) == 0x80


@pytest.mark.parametrize("cookie", [bytes(16), bytes(range(16)), b"\xff" * 16],
                         ids=["zeros", "counting", "ones"])
def test_xauthority_entry_layout(cookie):
    raw = ds.xauthority(cookie)
    fam, alen = struct.unpack(">HH", raw[:4])
    assert fam == 0xFFFF and alen == 0
    assert raw.endswith(struct.pack(">H", 16) + cookie)
    assert ds.X_COOKIE_NAME in raw


@pytest.fixture(scope="module")
def xserver():
    # the X server and its clients as one unprivileged uid, as in a session (root's clients
    # are let in by the X server whatever the cookie)
    d = tempfile.mkdtemp(prefix="enclave-xs-")
    os.chmod(d, 0o755)
    os.chown(d, NOBODY, NOBODY)
    pw = ds.new_vnc_password()
    cookie = os.urandom(16)
    auth = os.path.join(d, "Xauthority")
    with open(auth, "wb") as f:
        f.write(ds.xauthority(cookie))
    os.chown(auth, NOBODY, NOBODY)
    fd = ds.memory_file("vnc-password", ds.vnc_password_file(pw))
    sock = os.path.join(d, "vnc.sock")
    display = next(n for n in range(40, 99) if not os.path.exists(f"/tmp/.X11-unix/X{n}"))
    p = subprocess.Popen([*AS_NOBODY, XVNC, f":{display}", "-geometry", "320x200", "-rfbunixpath", sock,
                          "-rfbport", "-1", "-auth", auth, "-noreset", "-nolisten", "tcp",
                          "-SecurityTypes", "VncAuth", "-PasswordFile", f"/proc/self/fd/{fd}"],
                         pass_fds=(fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(fd)
    for _ in range(200):  # the X socket exists once the server has read its authority file
        if os.path.exists(sock) and os.path.exists(f"/tmp/.X11-unix/X{display}"):
            break
        time.sleep(0.05)
    assert ds.check_x_access(f"/tmp/.X11-unix/X{display}", cookie) is None  # as desktop.start
    os.unlink(auth)  # as the desktop does once the kiosk is in: the server keeps the cookie
    yield {"sock": sock, "pw": pw, "display": display, "cookie": cookie, "dir": d}
    p.terminate()
    p.wait(10)
    shutil.rmtree(d, ignore_errors=True)


async def _auth(sock: str, pw: bytes) -> str:
    s = socket.socket(socket.AF_UNIX)
    stream = iostream.IOStream(s)
    await stream.connect(sock)
    try:
        await ds.authenticate(stream, pw)
        stream.write(b"\x01")  # ClientInit (shared)
        init = await stream.read_bytes(24)
        return f"ok {struct.unpack('>HH', init[:4])}"
    except ds.VncHandshakeError as e:
        return f"refused: {e}"
    except iostream.StreamClosedError:
        return "closed"
    finally:
        stream.close()


def test_the_relay_gets_in_with_the_password(xserver):
    assert asyncio.run(_auth(xserver["sock"], xserver["pw"])) == "ok (320, 200)"


@pytest.mark.parametrize("guess", [b"", b"password", b"12345678", b"\0" * 8, b"x"],
                         ids=["empty", "password", "digits", "zeros", "x"])
def test_other_passwords_do_not(xserver, guess):
    if guess == xserver["pw"]:
        pytest.skip("the random password happened to be the guess")
    assert asyncio.run(_auth(xserver["sock"], guess)) != "ok (320, 200)"


def _raw_rfb(sock: str, choice: int) -> bytes:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(sock)
    try:
        s.recv(12)
        s.sendall(b"RFB 003.008\n")
        n = s.recv(1)[0]
        types = s.recv(n)
        s.sendall(bytes([choice]))
        return types + b"|" + s.recv(64)
    except OSError as e:
        return b"|error " + str(e).encode()
    finally:
        s.close()


@pytest.mark.parametrize("choice", [1, 0, 16, 19, 255])
def test_no_way_in_without_the_password(xserver, choice):
    """Security type None (what a kernel would ask for) is not even offered."""
    got = _raw_rfb(xserver["sock"], choice)
    types, _, rest = got.partition(b"|")
    # only VNC authentication offered - or, after the wrong passwords tried above, TigerVNC's
    # blacklist refusing the connection outright (no security types at all)
    assert list(types) in ([2], []), got
    if types:
        assert not rest.startswith(b"\0\0\0\0")  # no SecurityResult OK


# An X11 connection setup (little-endian, protocol 11.0) with the given authorization, run as
# the X server's uid; the server's first reply byte: 1 success, 0 failed, 2 authenticate.
X_SETUP = r"""
import socket, struct, sys
addr, name, data = sys.argv[1], bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])
addr = "\0" + addr[1:] if addr.startswith("@") else addr
pad = lambda b: b + bytes(-len(b) % 4)
s = socket.socket(socket.AF_UNIX)
s.connect(addr)
s.sendall(b"l\0" + struct.pack("<HHHH", 11, 0, len(name), len(data)) + b"\0\0"
          + pad(name) + pad(data))
print("REPLY", s.recv(1)[:1].hex())
"""


def _x_setup(xs, addr: str, cookie: bytes | None) -> str:
    name, data = (ds.X_COOKIE_NAME, cookie) if cookie is not None else (b"", b"")
    out = subprocess.run([*AS_NOBODY, "/usr/bin/python3", "-c", X_SETUP, addr, name.hex(),
                          data.hex()], capture_output=True, text=True, timeout=30)
    return out.stdout.strip() or out.stderr[-300:]


@pytest.mark.parametrize("cookie", [None, bytes(16), b"x" * 16, b"short"],
                         ids=["none", "zeros", "guess", "short"])
@pytest.mark.parametrize("where", ["path", "abstract"])
def test_x_clients_need_the_cookie(xserver, cookie, where):
    """A kernel (the X server's own uid) with no cookie or a guessed one: refused, on the
    socket file and on the abstract socket alike."""
    n = xserver["display"]
    addr = f"/tmp/.X11-unix/X{n}" if where == "path" else f"@/tmp/.X11-unix/X{n}"
    got = _x_setup(xserver, addr, cookie)
    assert got.startswith("REPLY") and got != "REPLY 01", got


@pytest.mark.parametrize("where", ["path", "abstract"])
def test_x_client_with_the_cookie_gets_in(xserver, where):
    n = xserver["display"]
    addr = f"/tmp/.X11-unix/X{n}" if where == "path" else f"@/tmp/.X11-unix/X{n}"
    assert _x_setup(xserver, addr, xserver["cookie"]) == "REPLY 01"
