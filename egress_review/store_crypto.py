"""The egress store's blobs encrypted at rest: the format is the project's one sealed-blob
format, :mod:`datasets.blob_crypto` (moved there so the data plane shares it without importing
this service); this module keeps the store's key and the names its callers import."""
from __future__ import annotations

from datasets.blob_crypto import CHUNK, MAGIC, SealError, is_sealed, open_sealed, seal_stream

__all__ = ["CHUNK", "MAGIC", "SealError", "is_sealed", "open_sealed", "seal_stream", "store_key"]


def store_key(master: bytes) -> bytes:
    from deidentify.keys import hkdf

    return hkdf(master, "blob-store:aes-256-gcm:v1")
