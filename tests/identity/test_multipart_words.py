"""A multipart form's words are checked whatever its size or framing (A3, A5, E4).

The guard read a multipart body into memory only up to 8 MB and only with a Content-Length:
one 9 MB attachment, or a body sent in chunks, let a hidden control into an announcement's
title.  ``enclave.web.form_guard`` now reads every multipart body as it arrives: field names,
values and file names are checked, file contents are not (they are data), and a body the
parser cannot read is refused.  Driven over HTTP against the control plane's app."""
from __future__ import annotations

import pytest

from tests.identity.test_access_matrix import client, world  # noqa: F401
from tests.identity.test_hidden_controls import HIDDEN

BIG = 9 << 20          # over the old 8 MB scan cap, under the 10 MB attachment limit
BOUNDARY = "----enclave-test-boundary"


def _count(client, w):  # noqa: F811
    return client.get("/api/announcements", headers=w.auth("admin")).json()["total"]


def _body(fields: dict[str, str], files: dict[str, bytes]) -> bytes:
    out = []
    for k, v in fields.items():
        out.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for name, data in files.items():
        out.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                   f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n")
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


def _chunked(body: bytes, size: int):
    def gen():
        for i in range(0, len(body), size):
            yield body[i:i + size]
    return gen()


def _post(client, w, body, *, chunk: int | None = None):  # noqa: F811
    headers = {**w.auth("admin"), "content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    return client.post("/api/announcements", content=_chunked(body, chunk) if chunk else body,
                       headers=headers)


@pytest.mark.parametrize("name", ["rlo", "esc", "lri", "line_sep", "nel"])
@pytest.mark.parametrize("framing", ["large", "chunked", "chunked-large", "small"])
def test_hidden_controls_in_a_forms_words_are_refused_at_any_size(world, client, name, framing):  # noqa: F811
    w, _ = world
    ch = HIDDEN[name]
    files = {"data.bin": b"\0" * BIG} if "large" in framing else {"a.txt": b"x"}
    before = _count(client, w)
    for fields, file_name in [({"title": f"公告{ch}title", "body": "ok"}, "data.bin"),
                              ({"title": "公告", "body": "ok", "keywords": ch}, "data.bin"),
                              ({"title": "公告", "body": "ok"}, f"report{ch}txt.exe")]:
        named = {file_name if file_name != "data.bin" else next(iter(files)): next(iter(files.values()))}
        r = _post(client, w, _body(fields, named), chunk=65536 if "chunked" in framing else None)
        assert r.status_code == 422, (fields, file_name, r.status_code, r.text[:200])
        assert "invisible control" in r.text
    assert _count(client, w) == before          # nothing published


def test_a_control_split_across_chunks_is_still_found(world, client):  # noqa: F811
    w, _ = world
    body = _body({"title": "公告\u202etitle", "body": "ok"}, {"a.txt": b"x"})
    at = body.index("\u202e".encode()) + 1      # the three bytes of U+202E arrive in two chunks
    def gen():
        yield body[:at]
        yield body[at:]
    headers = {**w.auth("admin"), "content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    assert client.post("/api/announcements", content=gen(), headers=headers).status_code == 422


def test_a_files_contents_are_data_not_words(world, client):  # noqa: F811
    w, _ = world
    before = _count(client, w)
    data = b"\x1b[2J" + "\u202e".encode() + b"\0" * BIG
    r = _post(client, w, _body({"title": "公告 large", "body": "ok"}, {"data.bin": data}), chunk=65536)
    assert r.status_code == 201, r.text[:300]
    assert _count(client, w) == before + 1
    assert len(r.json()["attachments"]) == 1


@pytest.mark.parametrize("body", [b"--nope\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx",
                                  b"\x00\x01 not multipart at all"],
                         ids=["wrong-boundary", "garbage"])
def test_a_body_the_parser_cannot_read_is_refused(world, client, body):  # noqa: F811
    w, _ = world
    before = _count(client, w)
    r = _post(client, w, body)
    assert r.status_code in (400, 422), r.text[:200]
    assert _count(client, w) == before
