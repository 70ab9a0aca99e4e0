"""Provenance sidecars: the true units behind every cell of a table, sealed outside the kernel.

A sidecar ``<table file>.provenance.json`` holds, for each value column of the table as
written:

- ``units``: distinct persons (or rows, when the data has no person column) with a non-missing
  value behind each cell - what every threshold counts;
- ``missing``: how many of the cell's persons/rows have no value for the statistic;
- ``contributions``: ``[top1, top2, top3, total]`` of the per-unit sums (absolute values), which
  dominance (E3) needs, and ``negative``: whether a unit's sum was negative;
- ``cells``: the exact text of every cell, and ``table_sha256`` of the exact table bytes.

**Who seals.**  The per-case key never enters a researcher's kernel (no environment variable,
no readable file).  The query broker, which runs outside the session's sandbox next to the
data, computes the aggregate itself and seals the sidecar with the case key
(``sealed_by: broker``, HMAC-SHA256 over the canonical JSON of everything but ``mac``).  A
table computed in the kernel from a DataFrame gets an *unsealed* sidecar (``sealed_by:
kernel``, no ``mac``): the engine treats its claims as able only to add findings, never to
remove one, and sends the table to a reviewer with the reason.  A seal made with any key a
kernel can get fails verification (E6).

The sealed body does not name the file: the table's bytes are bound by ``table_sha256`` and
the cell texts, so the researcher may save the table under any name.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "egress-provenance"
VERSION = 2
SUPPORTED_VERSIONS = (1, 2)
SUFFIX = ".provenance.json"
SEALERS = ("broker", "kernel", "service")


class ProvenanceError(ValueError):
    pass


def case_provenance_key(master: bytes, case_code: str) -> bytes:
    from deidentify.keys import hkdf

    return hkdf(master, f"egress-provenance:{case_code}")


def session_key() -> bytes | None:
    """A key given to a host-side tool (the egress service, a steward's CLI) by environment.

    Sessions never have one: the spawner gives the key to the query broker only."""
    hexkey = os.environ.get("ENCLAVE_PROVENANCE_KEY")
    if hexkey:
        return bytes.fromhex(hexkey.strip())
    path = os.environ.get("ENCLAVE_PROVENANCE_KEY_FILE")
    if path and Path(path).is_file():
        return Path(path).read_bytes().strip()
    return None


_PLAIN = (str, int, bool, type(None))


def _item(v: Any) -> Any:
    t = type(v)
    if t is float:
        return v if math.isfinite(v) else None
    if t in _PLAIN:
        return v
    return json_safe(v)


def json_safe(obj: Any) -> Any:
    """NaN/inf become None (JSON has no such numbers); numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _item(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_item(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item) and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(json_safe(body), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode()


def sidecar_path(table_path: Path) -> Path:
    return table_path.with_name(table_path.name + SUFFIX)


def mac_of(body: dict[str, Any], key: bytes) -> str:
    clean = {k: v for k, v in body.items() if k != "mac"}
    return hmac.new(key, canonical(clean), hashlib.sha256).hexdigest()


def seal(body: dict[str, Any], key: bytes, *, sealed_by: str = "broker") -> dict[str, Any]:
    out = json_safe(dict(body))
    out["sealed_by"] = sealed_by
    out.pop("mac", None)
    out["mac"] = hmac.new(key, json.dumps(out, sort_keys=True, separators=(",", ":"),
                                          ensure_ascii=False, allow_nan=False).encode(),
                          hashlib.sha256).hexdigest()
    return out


def unsealed(body: dict[str, Any]) -> dict[str, Any]:
    out = json_safe(dict(body))
    out["sealed_by"] = "kernel"
    out.pop("mac", None)
    return out


def table_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Provenance:
    table_sha256: str
    statistic: str
    units: dict[str, list]
    contributions: dict[str, list]
    mac: str | None
    body: dict[str, Any]
    sealed_by: str = "broker"
    missing: dict[str, list] = field(default_factory=dict)
    negative: dict[str, list] = field(default_factory=dict)
    table_file: str | None = None

    @property
    def sealed(self) -> bool:
        return self.mac is not None

    def verify(self, key: bytes) -> bool:
        if self.mac is None:
            return False
        return hmac.compare_digest(mac_of(self.body, key), self.mac)

    @property
    def model(self) -> dict | None:
        m = self.body.get("model")
        return m if isinstance(m, dict) else None


def _lists(data: dict, key: str, where: str) -> dict[str, list]:
    v = data.get(key, {})
    if not isinstance(v, dict) or not all(isinstance(x, list) for x in v.values()):
        raise ProvenanceError(f"{where}: {key!r} must map column names to lists")
    return v


def parse_provenance(data: Any, where: str = "provenance") -> Provenance:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProvenanceError(f"{where}: not an {FORMAT} file")
    if data.get("version") not in SUPPORTED_VERSIONS:
        raise ProvenanceError(f"{where}: version {data.get('version')!r} unsupported")
    mac = data.get("mac")
    sealed_by = data.get("sealed_by", "broker" if data.get("version") == 1 else None)
    if sealed_by not in SEALERS:
        raise ProvenanceError(f"{where}: 'sealed_by' must be one of {SEALERS}")
    if sealed_by == "kernel":
        if mac is not None:
            raise ProvenanceError(f"{where}: a kernel-made sidecar carries no seal")
    elif not isinstance(mac, str):
        raise ProvenanceError(f"{where}: no 'mac'")
    for key in ("table_sha256", "statistic", "units"):
        if key not in data:
            raise ProvenanceError(f"{where}: missing {key!r}")
    return Provenance(table_sha256=str(data["table_sha256"]), statistic=str(data["statistic"]),
                      units=_lists(data, "units", where),
                      contributions=_lists(data, "contributions", where),
                      mac=mac, body=data, sealed_by=sealed_by,
                      missing=_lists(data, "missing", where),
                      negative=_lists(data, "negative", where),
                      table_file=data.get("table_file"))


def read_provenance(path: Path) -> Provenance:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ProvenanceError(f"{path.name}: unreadable provenance ({e})") from None
    return parse_provenance(data, path.name)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
