"""The audit log's keys, derived from the master key that lives outside the database (A5).

Two keys come from the master key with HKDF-SHA256 (``cryptography``), each for one job:

* the **chain key** (HMAC-SHA256) seals every record and the head row, so someone who can
  write the database but does not hold the key cannot re-hash a record or its successors;
* the **checkpoint key** (Ed25519) signs the checkpoints written to the journal outside the
  database.  Its public half is what an external witness keeps: it can check a checkpoint but
  never make one.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SALT = b"nhi-enclave audit"
CHAIN_INFO = b"audit chain hmac-sha256 v1"
CHECKPOINT_INFO = b"audit checkpoint ed25519 v1"


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(master)


@dataclass(frozen=True)
class AuditKeys:
    chain_key: bytes
    signing_key: Ed25519PrivateKey

    @classmethod
    def from_master(cls, master: bytes) -> "AuditKeys":
        return cls(_derive(master, CHAIN_INFO),
                   Ed25519PrivateKey.from_private_bytes(_derive(master, CHECKPOINT_INFO)))

    @property
    def key_id(self) -> str:
        """A short public fingerprint of the chain key (never the key), kept in the head row so
        a record sealed under another key is told apart from an edited one."""
        return hmac.new(self.chain_key, b"key-id", hashlib.sha256).hexdigest()[:16]

    def mac(self, raw: bytes) -> str:
        return hmac.new(self.chain_key, raw, hashlib.sha256).hexdigest()

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def public_key_hex(self) -> str:
        return self.public_key.public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw).hex()


_cache: dict[tuple, AuditKeys] = {}


@functools.lru_cache(maxsize=16)
def _master_file(keys_dir: str) -> Path:
    from datasets import keyring

    return Path(keyring.master_key_path(SimpleNamespace(keys_dir=keys_dir)))


def audit_keys(settings=None, *, create: bool = True) -> AuditKeys:
    """The keys of this enclave: derived from ``$ENCLAVE_KEYS/master.key`` (created on first use
    like every other user of the master key; see datasets/keyring.py).  ``create=False`` for a
    check: a verifier that made a missing key would vouch for whatever a new key then seals."""
    from datasets import keyring
    from enclave.settings import get_settings

    settings = settings or get_settings()
    path = _master_file(str(settings.keys_dir))   # asked before every audit append: one stat
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        tag = (str(path), st.st_ino, st.st_mtime_ns)
        if tag in _cache:
            return _cache[tag]
    keys = AuditKeys.from_master(keyring.master_key(settings, create=create))
    st = path.stat()
    _cache[(str(path), st.st_ino, st.st_mtime_ns)] = keys
    return keys
