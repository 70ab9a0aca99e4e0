"""Access to the master key and the derived per-release / per-case / per-class keys (D1).

The master key lives under ``settings.keys_dir`` (never inside the warehouse or a project);
pseudonyms of different identifier classes (person, physician, institution...) use different
derived keys so that, for example, a physician's pseudonym never equals the same person's
patient pseudonym.  The person class uses the release (or case) key itself, so
``deidentify.keys.pseudonym(release_key(master, R), id)`` is a person's warehouse pseudonym.
"""
from __future__ import annotations

from pathlib import Path

from deidentify import keys as K
from deidentify import recode as R

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


hmac_pads = R.hmac_pads
hmac_sql = R.hmac_sql


def py_pseudonym(key: bytes, value: str, hex_chars: int) -> str:
    return R.pseudonym(key, value, hex_chars)
