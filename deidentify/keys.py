"""Key management: one master key outside the data, derived keys per release and per case.

Pseudonyms are HMAC-SHA256(derived key, identifier).  The master key never appears in the
warehouse, in SQL text or in logs; derived keys are HKDF-SHA256(master, info=purpose), so a
release key cannot be turned back into the master or into another release's key.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_BYTES = 32


class KeyFileError(RuntimeError):
    pass


def create_master_key(path: Path) -> Path:
    """Write a new random master key with mode 0600; refuse to overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(KEY_BYTES))
    return path


def load_master_key(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"master key {path} not found (create it with `enclave keys init`)") from None
    if len(data) != KEY_BYTES:
        raise KeyFileError(f"master key {path} has {len(data)} bytes, expected {KEY_BYTES}")
    if path.stat().st_mode & 0o077:
        raise KeyFileError(f"master key {path} is readable by group/others; chmod 600 it")
    return data


def hkdf(master: bytes, info: str | bytes, length: int = KEY_BYTES, salt: bytes = b"nhi-enclave") -> bytes:
    """RFC 5869 HKDF-SHA256 (the ``cryptography`` implementation)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    info_bytes = info.encode() if isinstance(info, str) else info
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info_bytes).derive(master)


def release_key(master: bytes, release_id: str) -> bytes:
    return hkdf(master, f"release:{release_id}")


def case_key(master: bytes, case_code: str) -> bytes:
    return hkdf(master, f"case:{case_code}")


def pseudonym(key: bytes, identifier: str, hex_chars: int = 32) -> str:
    """The reference (pure Python) keyed re-coding; the loader computes the same in DuckDB."""
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()[:hex_chars]
