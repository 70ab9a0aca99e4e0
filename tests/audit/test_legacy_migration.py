"""Migration 0010: a log written before the keyed chain keeps its records; the first keyed record
pins their last hash and says whether they were intact; rewriting them afterwards is caught."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys

import pytest
from alembic import command
from sqlalchemy import text

from enclave.audit import AuditEntry, append
from enclave.audit.verify import verify_audit
from enclave.db import session_scope, upgrade
from enclave.db.engine import alembic_config
from tests.audit import attacks as A


def _legacy_log(url: str, n: int, *, break_at: int | None = None) -> None:
    """The database as it was at revision 0001 with ``n`` records chained by plain SHA-256."""
    command.upgrade(alembic_config(url), "0001_core")
    prev = "0" * 64
    with session_scope(url) as s:
        for seq in range(1, n + 1):
            ts = (dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=seq)).isoformat(
                timespec="microseconds")
            r = {"seq": seq, "ts": ts, "component": "control", "actor": "admin", "action": "case.created",
                 "case_code": None, "subject": None, "reason": None, "detail": {"n": seq}, "prev_hash": prev}
            h = hashlib.sha256(json.dumps({**{k: v for k, v in r.items() if k != "prev_hash"}, "prev": prev},
                                          sort_keys=True, separators=(",", ":")).encode()).hexdigest()
            stored = dict(r, detail=json.dumps({"n": seq} if seq != break_at else {"n": -1}), hash=h)
            s.execute(text("INSERT INTO audit_records (seq, ts, component, actor, action, case_code, subject, "
                           "reason, detail, prev_hash, hash) VALUES (:seq, :ts, :component, :actor, :action, "
                           ":case_code, :subject, :reason, :detail, :prev_hash, :hash)"), stored)
            prev = h
        s.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :n, :h)"), {"n": n, "h": prev})


def _append(url, what="after"):
    with session_scope(url) as s:
        append(s, AuditEntry("test", "admin", what))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request, tmp_path):
    """An empty, unmigrated database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'legacy.db'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.mark.parametrize("intact", [True, False])
def test_old_records_are_reanchored_and_say_so(enclave_home, fresh_url, intact):
    url = fresh_url
    _legacy_log(url, 5, break_at=None if intact else 2)
    upgrade(url)
    _append(url)
    rows = A.rows(url)
    anchor = rows[5]
    assert [r["scheme"] for r in rows] == ["sha256"] * 5 + ["hmac1"] * 2
    assert anchor["action"] == "audit.chain_keyed"
    detail = anchor["detail"] if isinstance(anchor["detail"], dict) else json.loads(anchor["detail"])
    assert detail["legacy_records"] == 5 and detail["legacy_head"] == rows[4]["hash"]
    assert detail["legacy_chain_intact"] is intact
    with session_scope(url) as s:
        found = verify_audit(s)
    assert (found == []) is intact
    if not intact:
        assert found[0].seq == 2


@pytest.mark.parametrize("victim", [1, 3, 5])
@pytest.mark.parametrize("how", ["edit", "edit-and-rehash"])
def test_rewriting_a_reanchored_record_is_caught(enclave_home, tmp_path, victim, how):
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    _legacy_log(url, 5)
    upgrade(url)
    _append(url)
    _append(url, "later")
    records = A.rows(url)
    records[victim - 1]["actor"] = "mallory"
    if how == "edit-and-rehash":  # a consistent plain chain up to the old head
        records = A.rechain(records[:5], victim, A.plain_sha256) + records[5:]
    A.write_rows(url, records, A.head(url))
    with session_scope(url) as s:
        found = verify_audit(s)
    assert found
    # a plain edit is pinpointed; a re-hashed legacy block breaks where the keyed record pins it
    assert found[0].seq == (victim if how == "edit" else 6)


def test_cli_verify_export_and_witness(enclave_home, db_url, tmp_path, monkeypatch):
    """Through the command line: verify, export a checkpoint for a witness, verify with it."""
    monkeypatch.setenv("ENCLAVE_DB_URL", db_url)
    A.fill(db_url, 3)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "enclave.cli.main", "audit", *args],
                              capture_output=True, text=True, timeout=300)

    ok = cli("verify", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True
    exported = cli("export-checkpoint")
    assert exported.returncode == 0, exported.stderr
    cp = json.loads(exported.stdout)
    assert cp["checkpoint"]["seq"] == 3 and len(cp["public_key_ed25519"]) == 64
    witness = tmp_path / "witness.jsonl"
    witness.write_text(exported.stdout)
    assert cli("verify", "--witness", str(witness)).returncode == 0
    A.sql(db_url, "UPDATE audit_records SET reason = 'x' WHERE seq = 2")
    bad = cli("verify", "--json", "--witness", str(witness))
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["first_bad_record"] == 2
    human = cli("verify")
    assert human.returncode == 1 and "first bad record: 2" in human.stderr
    assert cli("checkpoint").returncode == 1  # never confirms a broken chain
