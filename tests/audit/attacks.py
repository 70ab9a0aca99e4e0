"""What an attacker with a copy of the state database (and write access to it, and to the
checkpoint journal file) can do, as plain SQL and file edits; shared by the audit tests."""
from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Callable

from sqlalchemy import text  # noqa: F401  (re-exported for the tests)

from enclave.audit import AuditEntry, append
from enclave.audit.journal import journal_dir, SUFFIX
from enclave.db import session_scope

COLS = ["seq", "ts", "component", "actor", "action", "case_code", "subject", "reason", "detail",
        "prev_hash", "hash", "scheme"]
HEAD_COLS = ["id", "seq", "hash", "chain_id", "key_id", "keyed_from", "journal_n", "journal_digest", "mac"]


def fill(url: str, n: int, start: int = 0) -> None:
    """n records, one transaction each (so each is checkpointed)."""
    for i in range(start, start + n):
        with session_scope(url) as s:
            append(s, AuditEntry("test", f"user{i % 3}", "query", case_code="C1", reason="purpose",
                                 detail={"sql": f"select {i}"}))


def drop_guards(s) -> None:
    """Bypass every append-only trigger, as the owner of the database file can."""
    if s.get_bind().dialect.name == "sqlite":
        names = s.execute(text("SELECT name FROM sqlite_master WHERE type='trigger' AND "
                               "tbl_name IN ('audit_records', 'audit_head')")).scalars().all()
        for n in names:
            s.execute(text(f"DROP TRIGGER {n}"))
    else:
        s.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        s.execute(text("ALTER TABLE audit_head DISABLE TRIGGER USER"))


def sql(url: str, *stmts: str, **params) -> None:
    with session_scope(url) as s:
        drop_guards(s)
        for st in stmts:
            s.execute(text(st), params)


def rows(url: str) -> list[dict]:
    with session_scope(url) as s:
        return [dict(r._mapping) for r in s.execute(text(f"SELECT {', '.join(COLS)} FROM audit_records ORDER BY seq"))]


def head(url: str) -> dict | None:
    with session_scope(url) as s:
        r = s.execute(text(f"SELECT {', '.join(HEAD_COLS)} FROM audit_head WHERE id = 1")).first()
        return dict(r._mapping) if r else None


def _detail(v):
    return v if isinstance(v, dict) else json.loads(v or "{}")


def body(r: dict, with_scheme: bool) -> bytes:
    b = {"seq": r["seq"], "ts": r["ts"], "prev": r["prev_hash"], "component": r["component"],
         "actor": r["actor"], "action": r["action"], "case_code": r["case_code"], "subject": r["subject"],
         "reason": r["reason"], "detail": _detail(r["detail"])}
    if with_scheme:
        b["scheme"] = r["scheme"]
    return json.dumps(b, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def plain_sha256(r: dict) -> str:
    return hashlib.sha256(body(r, r["scheme"] != "sha256")).hexdigest()


def guessed_key(key: bytes) -> Callable[[dict], str]:
    return lambda r: hmac.new(key, body(r, r["scheme"] != "sha256"), hashlib.sha256).hexdigest()


def write_rows(url: str, records: list[dict], head_row: dict | None) -> None:
    """Replace the whole log and head with these rows."""
    with session_scope(url) as s:
        drop_guards(s)
        s.execute(text("DELETE FROM audit_records"))
        s.execute(text("DELETE FROM audit_head"))
        for r in records:
            r = dict(r, detail=json.dumps(_detail(r["detail"])))
            s.execute(text(f"INSERT INTO audit_records ({', '.join(COLS)}) VALUES "
                           f"({', '.join(':' + c for c in COLS)})"), r)
        if head_row is not None:
            s.execute(text(f"INSERT INTO audit_head ({', '.join(HEAD_COLS)}) VALUES "
                           f"({', '.join(':' + c for c in HEAD_COLS)})"), head_row)


def rechain(records: list[dict], start: int, hasher: Callable[[dict], str], scheme: str | None = None) -> list[dict]:
    """Re-hash record ``start`` and every later one (and their links) with ``hasher``."""
    out = [dict(r) for r in records]
    for i, r in enumerate(out):
        if r["seq"] < start:
            continue
        if scheme:
            r["scheme"] = scheme
        r["prev_hash"] = out[i - 1]["hash"] if i else "0" * 64
        r["hash"] = hasher(r)
    return out


def journal_file() -> Path:
    files = sorted(journal_dir().glob(f"*{SUFFIX}"))
    assert len(files) == 1, files
    return files[0]
