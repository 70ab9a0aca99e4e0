"""Encryption at rest of the egress and import stores (issue 15, SATRE): a copy of the store
reads as noise; any change to a sealed blob - a flipped bit, a cut, chunks swapped, a blob
moved under another name, another key - is refused before a byte is served; blobs written
before encryption are still read and can be sealed in place; the services' stores are sealed."""
from __future__ import annotations

import hashlib
import io
import os
import struct

import pytest

from egress_review import store_crypto
from egress_review.store import BlobStore, StoreError, service_store

KEY = bytes(range(32))
SIZES = [0, 1, 15, 16, 17, store_crypto.CHUNK - 1, store_crypto.CHUNK, store_crypto.CHUNK + 1,
         3 * store_crypto.CHUNK + 12345]


def _data(n: int) -> bytes:
    row = "ROW-{:06d},門診,{:d}\n"
    out = "".join(row.format(i, i * 7 % 101) for i in range(n // 20 + 2)).encode()
    return out[:n]


@pytest.mark.parametrize("n", SIZES)
def test_round_trip_and_no_plaintext_on_disk(tmp_path, n):
    s = BlobStore(tmp_path, key=KEY)
    data = _data(n)
    b = s.put_bytes(data)
    assert b.sha256 == hashlib.sha256(data).hexdigest() and b.size == n
    raw = s.path_for(b.sha256).read_bytes()
    assert raw.startswith(store_crypto.MAGIC)
    if n >= 16:
        assert data[:16] not in raw and b"ROW-" not in raw
    assert s.read_bytes(b.sha256) == data
    with s.open(b.sha256) as f:  # small reads across chunk edges
        got = b"".join(iter(lambda: f.read(7777), b""))
    assert got == data
    dest = s.materialize([("out/t.csv", b.sha256)], tmp_path / "tree")
    assert (dest / "out" / "t.csv").read_bytes() == data


def _tampered(raw: bytes, how: str) -> bytes:
    head = len(store_crypto.MAGIC) + 8
    if how == "flip_body":
        i = head + 4 + 5
        return raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:]
    if how == "flip_tag":
        return raw[:-1] + bytes([raw[-1] ^ 0x80])
    if how == "flip_prefix":
        return raw[:head - 1] + bytes([raw[head - 1] ^ 1]) + raw[head:]
    if how == "cut_last_chunk":  # drop the final chunk: the one before it is not marked last
        chunks, pos = [], head
        while pos < len(raw):
            (n,) = struct.unpack(">I", raw[pos:pos + 4])
            chunks.append(raw[pos:pos + 4 + n])
            pos += 4 + n
        return raw[:head] + b"".join(chunks[:-1])
    if how == "swap_chunks":
        chunks, pos = [], head
        while pos < len(raw):
            (n,) = struct.unpack(">I", raw[pos:pos + 4])
            chunks.append(raw[pos:pos + 4 + n])
            pos += 4 + n
        chunks[0], chunks[1] = chunks[1], chunks[0]
        return raw[:head] + b"".join(chunks)
    if how == "truncate_mid":
        return raw[: len(raw) // 2]
    if how == "append":
        return raw + b"\0" * 20
    if how == "bad_length":
        return raw[:head] + struct.pack(">I", 2 ** 31) + raw[head + 4:]
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["flip_body", "flip_tag", "flip_prefix", "cut_last_chunk",
                                 "swap_chunks", "truncate_mid", "append", "bad_length"])
def test_any_change_is_refused(tmp_path, how):
    s = BlobStore(tmp_path, key=KEY)
    data = _data(2 * store_crypto.CHUNK + 999)
    b = s.put_bytes(data)
    p = s.path_for(b.sha256)
    raw = p.read_bytes()
    os.chmod(p, 0o600)
    p.write_bytes(_tampered(raw, how))
    with pytest.raises(StoreError, match="corrupt"):
        s.read_bytes(b.sha256)
    with pytest.raises(StoreError):
        s.materialize([("x.csv", b.sha256)], tmp_path / "tree")


def test_wrong_key_moved_blob_and_no_key(tmp_path):
    s = BlobStore(tmp_path, key=KEY)
    a, b = s.put_bytes(b"alpha table\n" * 100), s.put_bytes(b"beta table\n" * 100)
    with pytest.raises(StoreError, match="corrupt"):
        BlobStore(tmp_path, key=bytes(32)).read_bytes(a.sha256)
    with pytest.raises(StoreError, match="no key"):
        BlobStore(tmp_path).read_bytes(a.sha256)
    pa, pb = s.path_for(a.sha256), s.path_for(b.sha256)  # b's ciphertext under a's name
    os.chmod(pa, 0o600)
    pa.write_bytes(pb.read_bytes())
    with pytest.raises(StoreError, match="corrupt"):
        s.read_bytes(a.sha256)
    with pytest.raises(StoreError, match="32 bytes"):
        BlobStore(tmp_path, key=b"short")


def test_legacy_plaintext_read_and_sealed_in_place(tmp_path):
    plain = BlobStore(tmp_path)
    olds = [plain.put_bytes(_data(n)) for n in (10, 5000, store_crypto.CHUNK + 3)]
    sealed = BlobStore(tmp_path, key=KEY)
    for b in olds:
        assert sealed.read_bytes(b.sha256) == _data(b.size)
    assert sorted(sealed.seal_legacy()) == sorted(b.sha256 for b in olds)
    assert sealed.seal_legacy() == []
    for b in olds:
        assert sealed.path_for(b.sha256).read_bytes().startswith(store_crypto.MAGIC)
        assert sealed.read_bytes(b.sha256) == _data(b.size)
    assert list(sealed.tmp.iterdir()) == []


def test_sealing_is_streamed():
    """seal_stream reads its source a chunk at a time (a 1 GB import is not held in memory)."""
    reads = []

    class Src(io.RawIOBase):
        left = 5 * store_crypto.CHUNK

        def readable(self):
            return True

        def read(self, n=-1):
            reads.append(n)
            k = min(n, self.left)
            self.left -= k
            return b"x" * k

    out = io.BytesIO()
    store_crypto.seal_stream(Src(), out, KEY)
    assert reads and max(reads) <= store_crypto.CHUNK


def test_services_store_sealed(tmp_path, enclave_home):
    """The stores the egress service and import review build are encrypted at rest."""
    from egress_review.api import create_app
    from egress_review.ingress.workflow import import_store

    s = service_store(tmp_path / "egress")
    assert s.key is not None
    b = s.put_bytes(b"n,count\nA,12\n")
    assert s.path_for(b.sha256).read_bytes().startswith(store_crypto.MAGIC)
    assert import_store(tmp_path / "ingress").key == s.key
    app = create_app(store_dir=tmp_path / "egress2", recover_on_start=False)
    assert app.state.egress.store.key == s.key


def test_cli_seals_legacy_blobs(enclave_home):
    import json

    from typer.testing import CliRunner

    from enclave.cli.main import app
    from enclave.settings import get_settings

    legacy = BlobStore(get_settings().egress_store_dir).put_bytes(b"old,plain\n1,2\n")
    res = CliRunner().invoke(app, ["keys", "seal-stores", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"egress": 1, "ingress": 0}
    s = service_store(get_settings().egress_store_dir)
    assert s.path_for(legacy.sha256).read_bytes().startswith(store_crypto.MAGIC)
    assert s.read_bytes(legacy.sha256) == b"old,plain\n1,2\n"
