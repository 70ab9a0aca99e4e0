"""What the researcher's browser may send to the remote desktop: RFB read message by message.

The desktop's websocket used to relay the viewer's bytes to the VNC server unread, so what the
X server accepted was the only limit on the way in.  Every input event reaches X clients in the
session - a kernel can open the display and read them - so the keyboard and the pointer are an
upload path (D4): a script in the researcher's browser can "type" a file at machine speed, and
a clipboard message or an extension the server might honour one day is a faster one.  This
module reads the client side of RFB (RFC 6143, with the extensions noVNC uses) and forwards only:

- the handshake noVNC speaks with our server (version 3.8, security type None, ClientInit);
- SetPixelFormat, FramebufferUpdateRequest, EnableContinuousUpdates and Fence as they are;
- SetEncodings with only the picture and cursor encodings listed below (the clipboard, xvp and
  audio extensions are taken out, so the server never offers them);
- key events (plain and QEMU extended) within the keyboard's budget: a rate a person cannot
  exceed with a burst for auto-repeat, and a total for the session's server;
- pointer events within a rate (excess motion is dropped; a person's mouse sends ~60 a second).

Clipboard text, xvp (power) and desktop-size messages are dropped; any other message type, a
malformed length or another handshake closes the connection with the reason (default deny).
Why our own parser: websockify and noVNC relay RFB unread, and no Python RFB library filters a
client stream; the client side of RFB is a dozen fixed-size messages.
"""
from __future__ import annotations

import struct
import threading
import time
from dataclasses import dataclass

VERSION = b"RFB 003.008\n"
SECURITY_NONE = 1
MAX_ENCODINGS = 64
MAX_FENCE = 64

# picture encodings and the pseudo-encodings a viewer needs (as unsigned 32-bit values)
_ALLOWED = {0, 1, 2, 5, 7, 16, -260,                    # raw, copyrect, rre, hextile, tight, zrle, tightpng
            -223, -224, -239, -240, -258,               # desktop size, last rect, cursor, x cursor, qemu keys
            -307, -308, -312, -313, -314,               # name, extended size, fence, continuous, alpha cursor
            0x574D5664}                                  # VMware cursor
_ALLOWED |= set(range(-32, -22)) | set(range(-256, -246))  # JPEG quality and compression levels
ALLOWED_ENCODINGS = frozenset(e & 0xFFFFFFFF for e in _ALLOWED)


class RfbRefused(Exception):
    """The viewer sent something the desktop does not take; the message says what."""


@dataclass(frozen=True)
class InputLimits:
    key_events_per_second: int
    key_events_burst: int
    key_events_per_session: int
    pointer_events_per_second: int


class _Bucket:
    def __init__(self, rate: float, burst: float, clock) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.level = burst
        self.at = clock()

    def take(self) -> bool:
        now = self.clock()
        self.level = min(self.burst, self.level + (now - self.at) * self.rate)
        self.at = now
        if self.level < 1:
            return False
        self.level -= 1
        return True


class InputBudget:
    """The keyboard and pointer budget of one session's server, shared by its connections (a
    reconnecting viewer does not get a fresh one)."""

    def __init__(self, limits: InputLimits, clock=time.monotonic) -> None:
        self.limits = limits
        self._keys = _Bucket(limits.key_events_per_second, limits.key_events_burst, clock)
        self._pointer = _Bucket(limits.pointer_events_per_second,
                                limits.pointer_events_per_second, clock)
        self.key_events = 0
        self.pointer_dropped = 0
        self._lock = threading.Lock()

    def spent(self) -> str | None:
        if self.key_events >= self.limits.key_events_per_session:
            return (f"this session's keyboard input reached {self.limits.key_events_per_session}"
                    " key events: data enter the enclave only through import review (D4)")
        return None

    def key(self) -> None:
        with self._lock:
            why = self.spent()
            if why:
                raise RfbRefused(why)
            if not self._keys.take():
                raise RfbRefused(
                    "keyboard input faster than a person types (more than "
                    f"{self.limits.key_events_per_second} key events a second): data enter "
                    "the enclave only through import review (D4)")
            self.key_events += 1

    def pointer(self) -> bool:
        with self._lock:
            ok = self._pointer.take()
            self.pointer_dropped += not ok
            return ok


class RfbClientFilter:
    """Feed it what one viewer connection sends; it returns the bytes to pass to the server
    and raises :class:`RfbRefused` on anything it does not take.  Messages may arrive split
    across websocket frames or several to a frame."""

    def __init__(self, budget: InputBudget) -> None:
        self.budget = budget
        self._buf = bytearray()
        self._skip = 0  # bytes of a dropped clipboard message still to come
        self._state = "version"
        self.dropped: dict[str, int] = {}

    def feed(self, data: bytes) -> bytes:
        self._buf += data
        out = bytearray()
        while True:
            if self._skip:
                n = min(self._skip, len(self._buf))
                del self._buf[:n]
                self._skip -= n
                if self._skip:
                    break
            step = self._step()
            if step is None:
                break
            n, forward = step
            if forward is not None:
                out += forward
            del self._buf[:n]
        return bytes(out)

    def _drop(self, what: str) -> None:
        self.dropped[what] = self.dropped.get(what, 0) + 1

    def _step(self) -> tuple[int, bytes | None] | None:
        """One unit off the front of the buffer: (bytes consumed, bytes to forward or None),
        or None when the buffer holds less than a whole unit."""
        b = self._buf
        if self._state == "version":
            if len(b) < len(VERSION):
                if not VERSION.startswith(bytes(b)):
                    raise RfbRefused("the viewer did not speak RFB 3.8")
                return None
            if bytes(b[:len(VERSION)]) != VERSION:
                raise RfbRefused("the viewer did not speak RFB 3.8")
            self._state = "security"
            return len(VERSION), VERSION
        if not b:
            return None
        if self._state == "security":
            if b[0] != SECURITY_NONE:
                raise RfbRefused(f"security type {b[0]} was not offered")
            self._state = "init"
            return 1, bytes(b[:1])
        if self._state == "init":
            self._state = "messages"
            return 1, bytes(b[:1])
        return self._message(b)

    def _message(self, b: bytearray) -> tuple[int, bytes | None] | None:
        t = b[0]
        fixed = {0: 20, 3: 10, 4: 8, 5: 6, 150: 10, 250: 4}
        if t in fixed:
            n = fixed[t]
            if len(b) < n:
                return None
            if t == 4:
                self.budget.key()
            elif t == 5 and not self.budget.pointer():
                self._drop("pointer")
                return n, None
            elif t == 250:  # xvp: shut down or reboot the desktop
                self._drop("xvp")
                return n, None
            return n, bytes(b[:n])
        if t == 2:  # SetEncodings
            if len(b) < 4:
                return None
            count = struct.unpack_from(">H", b, 2)[0]
            if count > MAX_ENCODINGS:
                raise RfbRefused(f"SetEncodings lists {count} encodings")
            n = 4 + 4 * count
            if len(b) < n:
                return None
            encs = [e for e in struct.unpack_from(f">{count}I", b, 4) if e in ALLOWED_ENCODINGS]
            if len(encs) < count:
                self._drop("encodings")
            return n, struct.pack(f">BxH{len(encs)}I", 2, len(encs), *encs)
        if t == 6:  # ClientCutText, plain (length) or extended (negative length)
            if len(b) < 8:
                return None
            length = abs(struct.unpack_from(">i", b, 4)[0])
            self._drop("clipboard")
            self._skip = length
            return 8, None
        if t == 248:  # ClientFence
            if len(b) < 9:
                return None
            if b[8] > MAX_FENCE:
                raise RfbRefused(f"a fence of {b[8]} bytes")
            n = 9 + b[8]
            return (n, bytes(b[:n])) if len(b) >= n else None
        if t == 251:  # SetDesktopSize: the server takes none
            if len(b) < 8:
                return None
            n = 8 + 16 * b[6]
            if len(b) < n:
                return None
            self._drop("desktop size")
            return n, None
        if t == 255:  # QEMU client message: only the extended key event
            if len(b) < 2:
                return None
            if b[1] != 0:
                raise RfbRefused(f"QEMU message {b[1]} is not taken")
            if len(b) < 12:
                return None
            self.budget.key()
            return 12, bytes(b[:12])
        raise RfbRefused(f"RFB message type {t} is not taken")
