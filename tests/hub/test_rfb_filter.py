"""D4/S1: what the remote desktop takes from the researcher's browser, message by message.

The viewer's bytes used to be relayed to the VNC server unread.  These tests feed the filter
what a viewer (noVNC or a script pretending to be one) can send: every message noVNC 1.3 sends
passes byte for byte however the stream is split into frames; the clipboard, xvp and
desktop-size messages never reach the server and do not break the framing of what follows;
the clipboard, xvp and audio extensions are taken out of SetEncodings; every other message type
closes the connection; and keys typed faster than a person types - or more keys than a session
takes - close it too.  The end-to-end test in a real remote-mode hub is in
``tests/hub/test_remote_desktop.py``.
"""
from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub_config.singleuser.config import DESKTOP_INPUT_KEYS, from_policy
from hub_config.singleuser.rfb_filter import (ALLOWED_ENCODINGS, InputBudget, InputLimits,
                                              RfbClientFilter, RfbRefused)
from policies import load_policy

HANDSHAKE = b"RFB 003.008\n" + b"\x01" + b"\x01"
CLIP = 0xC0A1E5CE


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def limits(**kw) -> InputLimits:
    base = dict(key_events_per_second=40, key_events_burst=200, key_events_per_session=400_000,
                pointer_events_per_second=120)
    return InputLimits(**{**base, **kw})


def new_filter(clock=None, **kw) -> RfbClientFilter:
    return RfbClientFilter(InputBudget(limits(**kw), clock=clock or Clock()))


def opened(clock=None, **kw) -> RfbClientFilter:
    f = new_filter(clock, **kw)
    assert f.feed(HANDSHAKE) == HANDSHAKE
    return f


# --- the messages noVNC sends (RFC 6143 and the extensions), built as noVNC builds them ---
def set_pixel_format() -> bytes:
    return struct.pack(">B3xBBBBHHHBBB3x", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0)


def set_encodings(encs) -> bytes:
    return struct.pack(f">BxH{len(encs)}I", 2, len(encs), *[e & 0xFFFFFFFF for e in encs])


def update_request(inc=1) -> bytes:
    return struct.pack(">BBHHHH", 3, inc, 0, 0, 1600, 900)


def key(down: int, keysym: int) -> bytes:
    return struct.pack(">BBxxI", 4, down, keysym)


def qemu_key(down: int, keysym: int, code: int = 30) -> bytes:
    return struct.pack(">BBHII", 255, 0, down, keysym, code)


def pointer(mask: int, x: int, y: int) -> bytes:
    return struct.pack(">BBHH", 5, mask, x, y)


def cut_text(text: bytes, extended: bool = False) -> bytes:
    n = -len(text) if extended else len(text)
    return struct.pack(">B3xi", 6, n) + text


def continuous(enable=1) -> bytes:
    return struct.pack(">BBHHHH", 150, enable, 0, 0, 1600, 900)


def fence(payload: bytes = b"") -> bytes:
    return struct.pack(">B3xIB", 248, 0x80000001, len(payload)) + payload


def desktop_size(screens: int = 1) -> bytes:
    return struct.pack(">BxHHBx", 251, 1600, 900, screens) + b"\0" * 16 * screens


def xvp(op: int = 2) -> bytes:
    return struct.pack(">BxBB", 250, 1, op)


NOVNC_ENCODINGS = [1, 7, -260, 5, 2, 0, -32 + 6, -256 + 2, -223, -224, -258, -308, -309, -312,
                   -313, -307, CLIP, 0x574D5664, -239]
PASSING = [set_pixel_format(), update_request(0), update_request(1), key(1, 0x61), key(0, 0x61),
           qemu_key(1, 0x62), qemu_key(0, 0x62), pointer(0, 10, 20), pointer(1, 11, 21),
           continuous(), fence(), fence(b"abc")]
DROPPED = [cut_text(b"patient A123456789"), cut_text(b"x" * 5000, extended=True), cut_text(b""),
           xvp(2), xvp(3), desktop_size(1), desktop_size(3)]


def test_the_handshake_and_every_novnc_message_pass_unchanged():
    f = opened()
    stream = b"".join(PASSING)
    assert f.feed(stream) == stream


@pytest.mark.parametrize("msg", PASSING, ids=lambda m: f"type{m[0]}-{len(m)}")
def test_each_message_passes_split_at_every_byte(msg):
    for cut in range(1, len(msg)):
        f = opened()
        assert f.feed(msg[:cut]) + f.feed(msg[cut:]) == msg


def test_set_encodings_loses_the_clipboard_xvp_and_audio_extensions():
    f = opened()
    out = f.feed(set_encodings(NOVNC_ENCODINGS + [-259, 0x12345678, 22]))
    count = struct.unpack_from(">H", out, 2)[0]
    kept = struct.unpack_from(f">{count}I", out, 4)
    assert CLIP not in kept and (-309 & 0xFFFFFFFF) not in kept and (-259 & 0xFFFFFFFF) not in kept
    assert 0x12345678 not in kept and 22 not in kept
    assert [e for e in (x & 0xFFFFFFFF for x in NOVNC_ENCODINGS) if e in ALLOWED_ENCODINGS] == list(kept)
    assert len(kept) == len(NOVNC_ENCODINGS) - 2  # xvp and the clipboard
    assert len(out) == 4 + 4 * count


@pytest.mark.parametrize("msg", DROPPED, ids=lambda m: f"type{m[0]}-{len(m)}")
@pytest.mark.parametrize("cut", [None, 1, 5, 8, 9])
def test_dropped_messages_never_reach_the_server_and_framing_holds(msg, cut):
    f = opened()
    after = key(1, 0x7A) + pointer(0, 1, 2)
    stream = msg + after
    if cut is None or cut >= len(msg):
        out = f.feed(stream)
    else:
        out = f.feed(stream[:cut]) + f.feed(stream[cut:])
    assert out == after


def test_a_clipboard_announced_long_swallows_what_it_announced_in_any_frames():
    f = opened()
    body = b"A123456789," * 100_000  # 1.1 MB of 'paste'
    msg = cut_text(body, extended=True) + key(1, 0x61)
    out = b"".join(f.feed(msg[i:i + 65536]) for i in range(0, len(msg), 65536))
    assert out == key(1, 0x61)
    assert f.dropped == {"clipboard": 1}


OTHER_TYPES = [t for t in range(256) if t not in (0, 2, 3, 4, 5, 6, 150, 248, 250, 251, 255)]


@pytest.mark.parametrize("t", OTHER_TYPES)
def test_every_other_message_type_closes_the_connection(t):
    f = opened()
    with pytest.raises(RfbRefused, match=f"type {t}"):
        f.feed(bytes([t]) + b"\0" * 40)


@pytest.mark.parametrize("sub", [1, 2, 3, 128, 255])
def test_qemu_messages_other_than_key_events_close_it(sub):
    f = opened()
    with pytest.raises(RfbRefused, match="QEMU"):
        f.feed(bytes([255, sub]) + b"\0" * 20)


@pytest.mark.parametrize("bad, what", [
    (b"RFB 003.003\n", "3.8"), (b"RFB 003.007\n", "3.8"), (b"RFB 004.001\n", "3.8"),
    (b"GET / HTTP/1.1\r\n", "3.8"), (b"X", "3.8"),
    (b"RFB 003.008\n\x02" + b"\0" * 16, "security type 2"),
    (b"RFB 003.008\n\x10", "security type 16"),
])
def test_another_handshake_closes_it(bad, what):
    with pytest.raises(RfbRefused, match=what):
        new_filter().feed(bad)


def test_oversized_lengths_close_it():
    with pytest.raises(RfbRefused, match="65 encodings"):
        opened().feed(set_encodings([0] * 65))
    with pytest.raises(RfbRefused, match="fence of 65"):
        opened().feed(struct.pack(">B3xIB", 248, 0, 65) + b"\0" * 65)


def typed(f: RfbClientFilter, n: int, clock: Clock, every: float, qemu=False) -> int:
    """Key events sent until refused; returns how many were taken."""
    taken = 0
    for i in range(n):
        clock.t += every
        msg = qemu_key(i % 2 == 0, 0x61) if qemu else key(i % 2 == 0, 0x61)
        try:
            assert f.feed(msg) == msg
        except RfbRefused as e:
            assert "faster than a person" in str(e) or "reached" in str(e)
            return taken
        taken += 1
    return taken


@pytest.mark.parametrize("qemu", [False, True])
def test_a_person_typing_passes(qemu):
    clock = Clock()
    f = opened(clock)
    # 20 key events a second (10 characters, ~120 words a minute) for ten minutes
    assert typed(f, 12_000, clock, 0.05, qemu) == 12_000


def test_a_held_key_auto_repeats_within_the_burst():
    clock = Clock()
    f = opened(clock)
    # Chromium repeats a held key ~30 times a second: eight seconds of it
    for _ in range(240):
        clock.t += 1 / 30
        f.feed(key(1, 0xFF08))
    f.feed(key(0, 0xFF08))


@pytest.mark.parametrize("rate", [100, 400, 5000, 1e6])
@pytest.mark.parametrize("qemu", [False, True])
def test_a_script_typing_faster_than_a_person_is_stopped(rate, qemu):
    clock = Clock()
    f = opened(clock)
    taken = typed(f, 50_000, clock, 1 / rate, qemu)
    # the burst and what the rate refills while it is spent, nothing more
    assert taken <= 200 + 40 * (taken / rate) + 1


def test_typing_just_under_the_rate_for_long_is_stopped_by_the_session_total():
    clock = Clock()
    budget = InputBudget(limits(key_events_per_session=5000), clock=clock)
    f = RfbClientFilter(budget)
    f.feed(HANDSHAKE)
    assert typed(f, 20_000, clock, 1 / 39) == 5000
    # a new connection of the same server gets no fresh budget
    g = RfbClientFilter(budget)
    g.feed(HANDSHAKE)
    with pytest.raises(RfbRefused, match="reached 5000"):
        g.feed(key(1, 0x61))
    assert budget.spent()


def test_key_releases_count_too():
    """X clients see releases as well: a stream of releases alone is a channel."""
    clock = Clock()
    f = opened(clock)
    with pytest.raises(RfbRefused):
        for _ in range(1000):
            f.feed(key(0, 0x41))


def test_pointer_floods_are_thinned_not_relayed():
    clock = Clock()
    f = opened(clock)
    passed = 0
    for i in range(10_000):
        clock.t += 1 / 5000
        passed += len(f.feed(pointer(i & 1, i % 1600, i % 900))) // 6
    seconds = 10_000 / 5000
    assert passed <= 120 + 120 * seconds + 1
    assert f.dropped["pointer"] == 10_000 - passed
    # a moving mouse (60 a second) is not thinned
    g = opened(clock)
    for i in range(600):
        clock.t += 1 / 60
        assert g.feed(pointer(0, i, i)) == pointer(0, i, i)


def test_the_policys_limits_stop_a_script_typing_a_file():
    """The limits the hub hands the server (from the policy): 20 000 characters pasted by a
    script as key events at 5 000 a second."""
    clock = Clock()
    cfg = from_policy(load_policy(None).sessions, mode="remote")
    f = RfbClientFilter(InputBudget(InputLimits(**cfg.desktop_input), clock=clock))
    f.feed(HANDSHAKE)
    taken = typed(f, 40_000, clock, 1 / 5000)
    assert taken < 1000


def test_the_limits_come_from_the_policy():
    pol = load_policy(None)
    cfg = from_policy(pol.sessions, mode="remote")
    assert set(cfg.desktop_input) == set(DESKTOP_INPUT_KEYS)
    assert cfg.desktop_input["key_events_per_second"] == pol.sessions.desktop_key_events_per_second
    InputLimits(**cfg.desktop_input)


# --- any stream a viewer can send: what reaches the server is exactly the allowed part ---
_message = st.one_of(
    st.just(set_pixel_format()), st.builds(update_request, st.integers(0, 1)),
    st.builds(key, st.integers(0, 1), st.integers(0, 0xFFFFFFFF)),
    st.builds(qemu_key, st.integers(0, 1), st.integers(0, 0xFFFF)),
    st.builds(pointer, st.integers(0, 255), st.integers(0, 4000), st.integers(0, 4000)),
    st.builds(cut_text, st.binary(max_size=300), st.booleans()),
    st.builds(fence, st.binary(max_size=64)), st.builds(continuous, st.integers(0, 1)),
    st.builds(xvp, st.integers(0, 255)), st.builds(desktop_size, st.integers(0, 4)),
    st.builds(set_encodings, st.lists(st.sampled_from(NOVNC_ENCODINGS + [-259, 99]),
                                      max_size=30)))


def _expected(msg: bytes) -> bytes:
    if msg[0] in (6, 250, 251):
        return b""
    if msg[0] == 2:
        n = struct.unpack_from(">H", msg, 2)[0]
        kept = [e for e in struct.unpack_from(f">{n}I", msg, 4) if e in ALLOWED_ENCODINGS]
        return struct.pack(f">BxH{len(kept)}I", 2, len(kept), *kept)
    return msg


@settings(max_examples=300, deadline=None)
@given(st.lists(_message, max_size=40), st.lists(st.integers(1, 200), max_size=20))
def test_any_viewer_stream_in_any_frames(messages, cuts):
    clock = Clock()
    f = opened(clock, key_events_per_second=10**6, key_events_burst=10**6,
               pointer_events_per_second=10**6)
    stream = b"".join(messages)
    frames, i = [], 0
    for c in cuts:
        frames.append(stream[i:i + c])
        i += c
    frames.append(stream[i:])
    out = b"".join(f.feed(fr) for fr in frames)
    assert out == b"".join(_expected(m) for m in messages)
