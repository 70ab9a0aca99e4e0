"""The secrets that keep a kernel off the session's own desktop (S1, D4).

The X server, the kiosk browser, the server and every kernel of a session run as one uid in one
sandbox, so file permissions cannot separate them; secrets held only in non-dumpable memory
can (the server makes itself non-dumpable, ``hub_config.exec_only`` does it for the X server
and the browser):

* the display's **X cookie** (MIT-MAGIC-COOKIE-1): the X server gets it from an authority file
  that is removed once the kiosk browser is logged in (``-noreset``: the server never re-reads
  it), so a kernel cannot open the display to draw on the screen, read it or type;
* the VNC server's **password** (RFB "VNC authentication"), read by the X server from a
  memory file it inherits (``/proc/self/fd/N``, which another process cannot open in a
  non-dumpable one): a kernel connecting to the VNC socket cannot drive the kiosk at machine
  speed past the viewer's input budget; the server's relay answers the challenge itself and
  speaks security type None to the viewer;
* the **kiosk's cookie**, sent only to the kiosk browser (incognito: never written to disk) and
  required on the loopback listener the kiosk uses (``routes``).

RFB's VNC authentication is DES of a 16-byte challenge keyed by the password with each byte's
bits reversed (RFC 6143 7.2.2); password files hold the password DES-encrypted with a fixed key
(TigerVNC's ``vncpasswd``).  ``cryptography`` has DES only as three-key TripleDES with one key
repeated, which is the same cipher.
"""
from __future__ import annotations

import os
import secrets
import struct

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes

# TigerVNC's fixed password-file key, in the bit order of standard DES
VNC_FILE_KEY = bytes.fromhex("e84ad660c4721ae0")
X_COOKIE_NAME = b"MIT-MAGIC-COOKIE-1"
FAMILY_WILD = 0xFFFF


def _des(key8: bytes, data: bytes) -> bytes:
    enc = Cipher(TripleDES(key8 * 3), modes.ECB()).encryptor()
    return enc.update(data) + enc.finalize()


def _reverse_bits(b: int) -> int:
    return int(f"{b:08b}"[::-1], 2)


def new_vnc_password() -> bytes:
    # eight printable bytes: VNC passwords are at most eight, longer ones are cut
    return secrets.token_urlsafe(6).encode()[:8]


def vnc_password_file(password: bytes) -> bytes:
    return _des(VNC_FILE_KEY, password.ljust(8, b"\0")[:8])


def vnc_response(password: bytes, challenge: bytes) -> bytes:
    if len(challenge) != 16:
        raise ValueError("a VNC challenge is 16 bytes")
    key = bytes(_reverse_bits(b) for b in password.ljust(8, b"\0")[:8])
    return _des(key, challenge)


def xauthority(cookie: bytes) -> bytes:
    """One Xauthority entry for any host and display (FamilyWild, no number)."""
    def field(v: bytes) -> bytes:
        return struct.pack(">H", len(v)) + v
    return struct.pack(">H", FAMILY_WILD) + field(b"") + field(b"") + field(X_COOKIE_NAME) \
        + field(cookie)


def x_setup_reply(address: str, cookie: bytes | None, timeout: float = 5.0) -> int:
    """Open an X11 connection to ``address`` (a socket path, or "@name" for the abstract
    namespace) with ``cookie`` or none; the server's answer: 1 success, 0 failed, 2 more
    authentication."""
    import socket

    name, data = (X_COOKIE_NAME, cookie) if cookie is not None else (b"", b"")

    def pad(b: bytes) -> bytes:
        return b + bytes(-len(b) % 4)
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect("\0" + address[1:] if address.startswith("@") else address)
        s.sendall(b"l\0" + struct.pack("<HHHH", 11, 0, len(name), len(data)) + b"\0\0"
                  + pad(name) + pad(data))
        reply = s.recv(1)
    finally:
        s.close()
    if not reply:
        raise OSError("the X server closed the connection")
    return reply[0]


def check_x_access(address: str, cookie: bytes) -> str | None:
    """The X server reads its authority file lazily, at the first connection, and lets every
    local client in if the file is gone by then: connect once with the cookie (it is read now),
    then make sure a client without it is refused.  None if so, else what is wrong."""
    try:
        if x_setup_reply(address, cookie) != 1:
            return "the X server refused its own cookie"
        if x_setup_reply(address, None) == 1:
            return "the X server lets clients in without the cookie"
    except OSError as e:
        return f"the X server cannot be reached: {e}"
    return None


def memory_file(name: str, content: bytes) -> int:
    """An inheritable memory file holding ``content`` (the child opens /proc/self/fd/N)."""
    fd = os.memfd_create(name, 0)
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


class VncHandshakeError(Exception):
    pass


async def authenticate(stream, password: bytes) -> None:
    """Run RFB 3.8's handshake with VNC authentication on ``stream`` (a tornado IOStream to
    the X server), up to the security result; the viewer's ClientInit comes next."""
    version = await stream.read_bytes(12)
    if version != b"RFB 003.008\n":
        raise VncHandshakeError(f"the VNC server spoke {version!r}")
    await stream.write(b"RFB 003.008\n")
    n = (await stream.read_bytes(1))[0]
    if n == 0:
        raise VncHandshakeError("the VNC server refused the connection")
    types = await stream.read_bytes(n)
    if 2 not in types:
        raise VncHandshakeError(f"the VNC server does not ask for a password (types {list(types)})")
    await stream.write(b"\x02")
    challenge = await stream.read_bytes(16)
    await stream.write(vnc_response(password, challenge))
    result = struct.unpack(">I", await stream.read_bytes(4))[0]
    if result != 0:
        raise VncHandshakeError("the VNC server did not accept the password")
