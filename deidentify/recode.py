"""Keyed re-coding of identifiers (HMAC-SHA256), in Python and as DuckDB SQL (RULES.md D1).

DuckDB has no HMAC function, but HMAC is two hashes over padded keys:
``HMAC(k, m) = SHA256((k ⊕ opad) || SHA256((k ⊕ ipad) || m))``.  The SQL form binds the two
64-byte pads as query parameters, so the key never appears in SQL text, query logs or plans;
tests check it equals Python's :mod:`hmac`.  A bare ``sha256(id)`` is never used: the Taiwan ID
space (~5×10^8) is enumerable in seconds.
"""
from __future__ import annotations

import hashlib
import hmac


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The HMAC-SHA256 inner and outer pads of ``key``."""
    k = key if len(key) <= 64 else hashlib.sha256(key).digest()
    k = k.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def hmac_sql(expr: str, param: str, hex_chars: int = 64) -> str:
    """SQL for the hex HMAC of the VARCHAR ``expr``; bind ``{param}_i`` / ``{param}_o`` pads."""
    return f"substr(sha256(${param}_o || unhex(sha256(${param}_i || encode({expr})))), 1, {hex_chars})"


def pad_params(key: bytes, param: str) -> dict[str, bytes]:
    i, o = hmac_pads(key)
    return {f"{param}_i": i, f"{param}_o": o}


def pseudonym(key: bytes, value: str, hex_chars: int = 64) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:hex_chars]
