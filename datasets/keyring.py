"""Access to the master key and the derived per-release / per-case / per-class keys (D1).

The master key lives under ``settings.keys_dir`` (never inside the warehouse or a project);
pseudonyms of different identifier classes (person, physician, institution...) use different
derived keys so that, for example, a physician's pseudonym never equals the same person's
patient pseudonym.  The person class uses the release (or case) key itself, so
``deidentify.keys.pseudonym(release_key(master, R), id)`` is a person's warehouse pseudonym.
"""
from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from deidentify import keys as K

MASTER_FILE = "master.key"


def master_key_path(settings) -> Path:
    return Path(settings.keys_dir) / MASTER_FILE


def master_key(settings, *, create: bool = True) -> bytes:
    """Load the master key; create it (mode 0600) on first use when ``create``."""
    path = master_key_path(settings)
    wh = Path(settings.warehouse_dir).resolve()
    if path.resolve().is_relative_to(wh) or path.resolve().is_relative_to(Path(settings.projects_dir).resolve()):
        raise K.KeyFileError(f"keys directory {settings.keys_dir} is inside the data; move it out")
    if not path.exists() and create:
        K.create_master_key(path)
    return K.load_master_key(path)


def class_key(scope_key: bytes, id_class: str) -> bytes:
    return scope_key if id_class == "person" else K.hkdf(scope_key, f"class:{id_class}")


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC inner/outer pads, bound as SQL parameters so the key never appears in SQL text."""
    k = key if len(key) <= 64 else hashlib.sha256(key).digest()
    k = k.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def hmac_sql(expr: str, param: str, hex_chars: int) -> str:
    """DuckDB SQL for the hex HMAC-SHA256 of ``expr`` with pads bound as ``$<param>_i/_o``."""
    return (f"substr(sha256(${param}_o || unhex(sha256(${param}_i || encode({expr})))), 1, {hex_chars})")


def py_pseudonym(key: bytes, value: str, hex_chars: int) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:hex_chars]
