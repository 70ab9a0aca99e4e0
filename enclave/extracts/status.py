"""What a case's extract is now, for the people who answer for it (D3): read-only.

``enclave extract build`` leaves two records of a build: the ``extract.build`` audit record (who,
when, rows per file family, the smallest class per table, any k override with its reason) and,
beside the data, ``extract.json`` / ``k_anonymity.json`` (the same facts plus the policy's k and
whether the files are encrypted at rest).  The audit record says who built it and when; the
files on disk, when this host can read them, say what is there now (an extract purged or
rebuilt elsewhere shows as such).  Nothing here writes.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.audit.models import AuditRecord


@dataclass
class ExtractStatus:
    built: bool
    built_at: dt.datetime | None = None
    built_by: str | None = None
    release: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    persons: int | None = None
    k: int | None = None
    tables: list[dict] = field(default_factory=list)   # one per table with quasi-identifiers
    k_override: str | None = None                      # the steward's recorded reason (D3)
    encrypted_at_rest: bool | None = None              # None: not recorded where we can read
    on_disk: bool = False
    refused_at: dt.datetime | None = None              # a refusal after the last build
    refused_by: str | None = None
    refused_reason: str | None = None
    given_up: list[dict] = field(default_factory=list)  # D5: family, at, requested_by, reason

    @property
    def smallest_class(self) -> int | None:
        ks = [t["k_min"] for t in self.tables if t.get("k_min") is not None]
        return min(ks) if ks else None


def _ts(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    t = dt.datetime.fromisoformat(raw)
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def _last(db: Session, case_code: str, action: str) -> AuditRecord | None:
    return db.execute(select(AuditRecord).where(AuditRecord.case_code == case_code,
                                                AuditRecord.action == action)
                      .order_by(AuditRecord.seq.desc()).limit(1)).scalar_one_or_none()


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _table(r: dict) -> dict:
    return {"table": r.get("table"), "k_min": r.get("k_min"), "satisfied": r.get("satisfied"),
            "classes_below_k": r.get("classes_below_k"),
            "quasi_identifiers": list(r.get("quasi_identifiers") or [])}


def extract_status(db: Session, case_code: str, projects_dir: Path | str | None) -> ExtractStatus:
    """The case's extract as its last build recorded it; ``projects_dir`` (None: audit only)
    is where ``projects/<case>/data`` lives on this host."""
    from enclave.extracts.given_up import given_up

    build = _last(db, case_code, "extract.build")
    refused = _last(db, case_code, "extract.refused")
    st = ExtractStatus(built=build is not None)
    st.given_up = [{"family": f, "at": _ts(g["at"]), "requested_by": g["requested_by"],
                    "reason": g["reason"]} for f, g in sorted(given_up(db, case_code).items())]
    if refused is not None and (build is None or refused.seq > build.seq):
        st.refused_at, st.refused_by = _ts(refused.ts), refused.actor
        st.refused_reason = refused.reason
    if build is not None:
        d = build.detail or {}
        st.built_at, st.built_by, st.release = _ts(build.ts), build.actor, build.subject
        st.rows = dict(d.get("rows") or {})
        st.persons = d.get("persons")
        st.k = d.get("k")
        st.k_override = d.get("k_override") or build.reason
        st.encrypted_at_rest = d.get("encrypted_at_rest")
        reports = d.get("k_anonymity")
        if reports:
            st.tables = [_table(r) for r in reports]
        else:   # records written before the full report was kept: the smallest class only
            st.tables = [{"table": t, "k_min": k, "satisfied": None, "classes_below_k": None,
                          "quasi_identifiers": []} for t, k in (d.get("k_min") or {}).items()]
    if projects_dir is None:
        return st
    data = Path(projects_dir) / case_code / "data"
    meta = _read_json(data / "extract.json")
    if meta is None:
        return st
    st.on_disk = True
    kan = _read_json(data / "k_anonymity.json") or {}
    st.rows = dict(meta.get("rows") or st.rows)
    st.persons = meta.get("cohort_persons", st.persons)
    st.release = meta.get("release") or st.release
    st.k_override = meta.get("k_override") or st.k_override
    if "encrypted_at_rest" in meta:
        st.encrypted_at_rest = bool(meta["encrypted_at_rest"])
    if kan.get("k") is not None:
        st.k = kan["k"]
    if kan.get("reports") is not None:
        st.tables = [_table(r) for r in kan["reports"]]
    if st.built_at is None:   # on disk without an audit record here (built under another DB)
        st.built, st.built_at = True, _ts(meta.get("created"))
    return st
