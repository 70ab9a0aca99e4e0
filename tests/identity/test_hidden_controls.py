"""Log and page injection through what people type (A3, A5, E4): terminal control (ESC and the
rest of C0/C1), bidirectional overrides and isolates, line separators are refused (422) in every
JSON body, form, query string and path of the control plane, and in the review service's
manifests, comments and review reasons - before anything is stored, audited or shown.  Ordinary
words in every script (Chinese, full-width, emoji, tab, newline, the LRM/RLM marks) still pass."""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from enclave.core import text_guard
from enclave.web import access
from tests.identity.test_access_matrix import _form, _json, _url, client, world  # noqa: F401

HIDDEN = {"esc": "\x1b[2J", "bell": "\x07", "backspace": "\x08", "vt": "\x0b", "ff": "\x0c",
          "del": "\x7f", "nel": "\x85", "csi": "\x9b", "lre": "\u202a", "rle": "\u202b",
          "pdf": "\u202c", "lro": "\u202d", "rlo": "\u202e", "lri": "\u2066", "rli": "\u2067",
          "fsi": "\u2068", "pdi": "\u2069", "line_sep": "\u2028", "para_sep": "\u2029"}
ORDINARY = ["門診就醫次數，依年齡與性別分組", "Ｆｕｌｌ　ｗｉｄｔｈ ２０２６", "line one\nline two\tcol",
            "family 👨‍👩‍👧 emoji", "mixed \u200eLTR\u200f marks", "O'Brien & Müller <ok>", "Windows\r\nline"]


def _poison(body, ch: str):
    """``body`` with ``ch`` inside its first string value (None when it holds no string)."""
    if isinstance(body, str):
        return "a" + ch + body
    if isinstance(body, dict):
        for k, v in body.items():
            if (p := _poison(v, ch)) is not None:
                return {**body, k: p}
    if isinstance(body, list):
        for i, v in enumerate(body):
            if (p := _poison(v, ch)) is not None:
                return body[:i] + [p] + body[i + 1:]
    return None


@pytest.mark.parametrize("name", sorted(HIDDEN), ids=sorted(HIDDEN))
def test_the_guard_finds_every_hidden_control(name):
    assert text_guard.unsafe_char("purpose " + HIDDEN[name] + " end") is not None
    assert text_guard.unsafe_in({"a": ["x", {"b": HIDDEN[name]}]}) is not None


@pytest.mark.parametrize("i", range(len(ORDINARY)), ids=[f"ordinary{i}" for i in range(len(ORDINARY))])
def test_ordinary_words_pass_the_guard(i):
    assert text_guard.unsafe_char(ORDINARY[i]) is None


def _refused(r) -> bool:
    return r.status_code == 422 and "invisible control character" in r.text


@pytest.mark.parametrize("name", ["esc", "rlo", "lri", "line_sep", "nel", "bell"])
def test_every_control_plane_body_refuses_hidden_controls(world, client, name):  # noqa: F811
    """Every JSON route with a string in its body and every page form, as the admin (allowed all):
    the poisoned call is refused whatever the route - no route of its own to forget."""
    w, _ = world
    ch, tried, bad = HIDDEN[name], 0, []
    for key in access.route_keys(client.app):
        method, path = key.split(" ", 1)
        if method not in ("POST", "PUT") or not access.CONTROL[key].login:
            continue
        url = _url(path, w.objs["A"])
        if path.startswith("/api/"):
            body = _poison(_json(key, w.objs["A"], w.objs["B"]), ch)
            if body is None:
                continue
            r = client.request(method, url, json=body, headers=w.auth("admin"))
        else:
            form = _poison(_form(key, w.objs["A"]), ch)
            if form is None:
                continue
            r = client.request(method, url, data=form, headers=w.auth("admin"))
        tried += 1
        if not _refused(r):
            bad.append((key, r.status_code, r.text[:100]))
    assert bad == [] and tried >= 35, (tried, bad)


@pytest.mark.parametrize("name", ["esc", "rlo", "pdi", "para_sep"])
def test_query_strings_and_paths_refuse_hidden_controls(world, client, name):  # noqa: F811
    w, _ = world
    ch = HIDDEN[name]
    for url, params in [("/api/cases", {"q": "x" + ch}), ("/queries", {"case": w.objs["A"]["code"] + ch}),
                        ("/api/bookings", {"case_code": ch}), (f"/api/cases/{quote(w.objs['A']['code'] + ch)}", {}),
                        ("/announcements", {"keyword": "公告" + ch})]:
        r = client.get(url, params=params, headers=w.auth("admin"))
        assert _refused(r), (url, r.status_code, r.text[:100])


def test_ordinary_words_are_taken_by_the_control_plane(world, client):  # noqa: F811
    w, _ = world
    for i, words in enumerate(ORDINARY):
        r = client.post("/api/cases", json={"title": words, "case_type": "government"},
                        headers=w.auth(("norole", "rev", "steward", "boss", "admin")[i % 5]))
        assert r.status_code in (200, 201), (words, r.status_code, r.text[:200])
