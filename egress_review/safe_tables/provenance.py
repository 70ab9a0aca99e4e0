"""Provenance sidecars: the true units behind every cell of a table, sealed with a keyed MAC.

A sidecar ``<table file>.provenance.json`` holds, for each value column of the table as
written, the distinct persons behind every cell (``units``) and, for magnitude statistics, the
largest contributions and the cell total (``contributions``: ``[top1, top2, top3, total]``),
which dominance (E3) needs.  It also holds the SHA-256 of the exact table bytes.  The MAC is
HMAC-SHA256 over the canonical JSON of everything else, so editing a number in the table or in
the sidecar afterwards is caught (E6: a non-exportable result turned exportable).

The key comes from the session (``ENCLAVE_PROVENANCE_KEY`` hex, or the file named by
``ENCLAVE_PROVENANCE_KEY_FILE``); the enclave derives it per case from the master key with
:func:`case_provenance_key`.  A researcher who reads that key and forges a MAC does it
deliberately: that is smuggling (E7), not an accident the MAC is meant to catch.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = "egress-provenance"
VERSION = 1
SUFFIX = ".provenance.json"


class ProvenanceError(ValueError):
    pass


def case_provenance_key(master: bytes, case_code: str) -> bytes:
    from deidentify.keys import hkdf

    return hkdf(master, f"egress-provenance:{case_code}")


def session_key() -> bytes | None:
    """The key visible to this session, or None when the session has none."""
    hexkey = os.environ.get("ENCLAVE_PROVENANCE_KEY")
    if hexkey:
        return bytes.fromhex(hexkey.strip())
    path = os.environ.get("ENCLAVE_PROVENANCE_KEY_FILE")
    if path and Path(path).is_file():
        return Path(path).read_bytes().strip()
    return None


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def sidecar_path(table_path: Path) -> Path:
    return table_path.with_name(table_path.name + SUFFIX)


def seal(body: dict[str, Any], key: bytes) -> dict[str, Any]:
    out = dict(body)
    out["mac"] = hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()
    return out


@dataclass
class Provenance:
    table_file: str
    table_sha256: str
    statistic: str
    units: dict[str, list[int]]
    contributions: dict[str, list[list[float]]]
    mac: str
    body: dict[str, Any]

    def verify(self, key: bytes) -> bool:
        expect = hmac.new(key, _canonical(self.body), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expect, self.mac)


def read_provenance(path: Path) -> Provenance:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ProvenanceError(f"{path.name}: unreadable provenance ({e})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProvenanceError(f"{path.name}: not an {FORMAT} file")
    if data.get("version") != VERSION:
        raise ProvenanceError(f"{path.name}: version {data.get('version')!r} unsupported")
    mac = data.pop("mac", None)
    if not isinstance(mac, str):
        raise ProvenanceError(f"{path.name}: no 'mac'")
    for key in ("table_file", "table_sha256", "statistic", "units"):
        if key not in data:
            raise ProvenanceError(f"{path.name}: missing {key!r}")
    return Provenance(table_file=data["table_file"], table_sha256=data["table_sha256"],
                      statistic=data["statistic"], units=data["units"],
                      contributions=data.get("contributions", {}), mac=mac, body=data)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
