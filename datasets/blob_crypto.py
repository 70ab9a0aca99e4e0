"""The project's one format for files encrypted at rest that are not Parquet: AES-256-GCM in
1 MiB chunks (SATRE encryption at rest, #15).  Used by the egress store's blobs
(``egress_review.store``, key :func:`egress_review.store_crypto.store_key`) and the DICOM files
of warehouse releases and case extracts (``datasets.dicom_crypto``).  It lives here, not in
``egress_review``, so the data plane need not import the review service.

A sealed blob on disk is ``MAGIC | nonce prefix (8 bytes) | chunk*`` where each chunk is a
4-byte big-endian length and ``AESGCM(key).encrypt(prefix | counter, plaintext, aad)``; the
associated data carries the counter and whether the chunk is the last one, so chunks cannot be
reordered, dropped or cut off at a chunk boundary without the tag failing, followed by the
caller's ``context`` (empty for the egress store; the scope and file name for DICOM files, so
a file moved to another release, case or name does not open).  Chunks keep memory flat for
large files (imaging models, training sets).

Keys are derived from the enclave's master key (kept outside the database and the stores,
``datasets.keyring``) with HKDF, so a copy of the data alone reads as noise.
"""
from __future__ import annotations

import io
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"ENCBLOB1"
CHUNK = 1 << 20
_TAG = 16


class SealError(Exception):
    """A sealed blob does not decrypt: wrong key, or the file was altered or cut short."""


def _aad(counter: int, last: bool, context: bytes) -> bytes:
    # an empty context gives the egress store's original associated data (its blobs still open)
    return MAGIC + struct.pack(">IB", counter, 1 if last else 0) + context


def seal_stream(src: BinaryIO, out: BinaryIO, key: bytes, on_plain=None,
                context: bytes = b"") -> None:
    """Encrypt ``src`` into ``out``; ``on_plain(chunk)`` sees each plaintext chunk (hashing);
    ``context`` is authenticated with every chunk and must be given again to open the blob."""
    aes = AESGCM(key)
    prefix = os.urandom(8)
    out.write(MAGIC + prefix)
    counter = 0
    chunk = src.read(CHUNK)
    while True:
        nxt = src.read(CHUNK) if len(chunk) == CHUNK else b""
        last = not nxt
        if on_plain is not None:
            on_plain(chunk)
        ct = aes.encrypt(prefix + struct.pack(">I", counter), chunk, _aad(counter, last, context))
        out.write(struct.pack(">I", len(ct)) + ct)
        if last:
            return
        counter += 1
        chunk = nxt


def is_sealed(f: BinaryIO) -> bool:
    pos = f.tell()
    head = f.read(len(MAGIC))
    f.seek(pos)
    return head == MAGIC


class _Opened(io.RawIOBase):
    """Reads a sealed blob as its plaintext, one authenticated chunk at a time."""

    def __init__(self, f: BinaryIO, key: bytes, name: str, context: bytes) -> None:
        self._f, self._aes, self._name, self._context = f, AESGCM(key), name, context
        head = f.read(len(MAGIC) + 8)
        if len(head) != len(MAGIC) + 8 or head[:len(MAGIC)] != MAGIC:
            raise SealError(f"{name}: not a sealed blob")
        self._prefix = head[len(MAGIC):]
        self._counter = 0
        self._buf = b""
        self._off = 0
        self._done = False
        self._ahead: bytes | None = None   # the next chunk's length field, read in advance

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        raw_len = self._ahead if self._ahead is not None else self._f.read(4)
        if len(raw_len) != 4:
            raise SealError(f"{self._name}: cut short before its last chunk")
        (n,) = struct.unpack(">I", raw_len)
        if n < _TAG or n > CHUNK + _TAG:
            raise SealError(f"{self._name}: chunk {self._counter} has an impossible length {n}")
        ct = self._f.read(n)
        if len(ct) != n:
            raise SealError(f"{self._name}: cut short in chunk {self._counter}")
        # whether anything follows says which flag the chunk must carry: one decryption each
        self._ahead = self._f.read(4)
        last = not self._ahead
        nonce = self._prefix + struct.pack(">I", self._counter)
        try:
            self._buf = self._aes.decrypt(nonce, ct, _aad(self._counter, last, self._context))
        except InvalidTag:
            try:   # only to name what is wrong
                self._aes.decrypt(nonce, ct, _aad(self._counter, not last, self._context))
            except InvalidTag:
                raise SealError(f"{self._name}: chunk {self._counter} does not authenticate "
                                "(wrong key, another scope or name, or altered)") from None
            raise SealError(f"{self._name}: " + ("cut short before its last chunk" if last
                                                 else "data after its last chunk")) from None
        self._off = 0
        self._done = last
        self._counter += 1

    def readall(self) -> bytes:
        """The rest of the plaintext, chunk by chunk (no copy through a small buffer)."""
        parts = [self._buf[self._off:]]
        while not self._done:
            self._next_chunk()
            parts.append(self._buf)
        self._off = len(self._buf)
        return b"".join(parts)

    def readinto(self, b) -> int:
        while self._off >= len(self._buf) and not self._done:
            self._next_chunk()
        n = min(len(b), len(self._buf) - self._off)
        b[:n] = memoryview(self._buf)[self._off:self._off + n]
        self._off += n
        return n

    def close(self) -> None:
        try:
            self._f.close()
        finally:
            super().close()


def open_sealed(f: BinaryIO, key: bytes, name: str, context: bytes = b"") -> BinaryIO:
    return io.BufferedReader(_Opened(f, key, name, context), buffer_size=CHUNK)


def read_sealed(f: BinaryIO, key: bytes, name: str, context: bytes = b"") -> bytes:
    """The whole plaintext of a sealed blob (for files read whole, e.g. an image)."""
    return _Opened(f, key, name, context).readall()
