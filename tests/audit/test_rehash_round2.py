"""A5, round 2: whoever can write the state database and the checkpoint journal (an admin, a
hand-made restore, a database user) but not the key holder's directory cannot make `verify`
pass after removing, reordering, editing or inserting records.  New here: the database and the
journal rolled back *together* to an older copy (no witness), the log emptied, the master key
swapped or deleted, and records written past `append`.
SQLite and PostgreSQL; real files, real triggers."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import unicodedata

import pytest

from enclave.audit import anchor
from enclave.audit.models import AuditRecord
from enclave.audit.verify import verify_audit
from enclave.db import session_scope
from tests.audit import attacks as A


def problems(url):
    with session_scope(url) as s:
        return verify_audit(s)


def _snapshot(url, tmp_path):
    """An older copy of everything the attacker holds: rows, head row, journal directory."""
    from enclave.audit.journal import journal_dir

    saved = tmp_path / "journal-then"
    shutil.copytree(journal_dir(), saved)
    return A.rows(url), A.head(url), saved


def _put_back(url, snap):
    from enclave.audit.journal import journal_dir

    rows, head, saved = snap
    A.write_rows(url, rows, head)
    shutil.rmtree(journal_dir())
    shutil.copytree(saved, journal_dir())


@pytest.mark.parametrize("then,later", [(1, 1), (3, 4)])
def test_database_and_journal_rolled_back_together(enclave_home, db_url, tmp_path, then, later):
    """Both cut back to a state that was once valid: the records, head row and every journal
    line are genuine, so only the anchor beside the keys remembers the newer line."""
    A.fill(db_url, then)
    snap = _snapshot(db_url, tmp_path)
    A.fill(db_url, later, start=then)
    assert problems(db_url) == []
    _put_back(db_url, snap)
    found = problems(db_url)
    assert found, "a consistent rollback of database and journal went unnoticed"
    assert found[0].kind == "checkpoint" and found[0].seq == then + 1
    assert "rolled back" in found[0].message


def test_log_and_journal_emptied(enclave_home, db_url):
    from enclave.audit.journal import journal_dir

    A.fill(db_url, 3)
    A.sql(db_url, "DELETE FROM audit_records", "DELETE FROM audit_head")
    shutil.rmtree(journal_dir())
    found = problems(db_url)
    assert found and found[0].seq == 1 and "emptied" in found[0].message


def test_master_key_swapped_and_everything_rebuilt(enclave_home, db_url):
    """A new master key, a new log and journal sealed with it: the anchor was sealed with the
    old one and names the old chain."""
    from enclave.audit.journal import journal_dir
    from enclave.settings import get_settings

    A.fill(db_url, 3)
    key = get_settings().keys_dir / "master.key"
    key.unlink()
    A.sql(db_url, "DELETE FROM audit_records", "DELETE FROM audit_head")
    shutil.rmtree(journal_dir())
    A.fill(db_url, 3)   # creates the new key on first use, as any service would
    found = problems(db_url)
    assert found and any("master key was replaced" in p.message for p in found)


def test_anchor_rewritten_without_the_key(enclave_home, db_url, tmp_path):
    """Rolling the anchor back with the database and journal needs its seal: a lowered line
    number under a made-up key is reported, not believed."""
    A.fill(db_url, 2)
    snap = _snapshot(db_url, tmp_path)
    A.fill(db_url, 2, start=2)
    _put_back(db_url, snap)
    path = next(anchor.anchor_dir().glob("*.json"))
    d = json.loads(path.read_text())
    d["n"], d["seq"] = 2, 2
    path.write_text(json.dumps(d))
    found = problems(db_url)
    assert found and "not sealed by this enclave" in found[0].message
    path.write_text('{"chain": ')   # half-written
    assert "not an anchor" in problems(db_url)[0].message


def test_verify_does_not_make_a_missing_master_key(enclave_home, db_url):
    """A verifier that created the key would then vouch for whatever that new key sealed."""
    from enclave.audit.keys import _cache
    from enclave.settings import get_settings

    A.fill(db_url, 2)
    key = get_settings().keys_dir / "master.key"
    key.unlink()
    _cache.clear()
    found = problems(db_url)
    assert found and "master key" in found[0].message
    assert not key.exists()


def test_verify_on_a_fresh_enclave_passes_and_starts_the_anchor(enclave_home, db_url):
    """Nothing written yet is not a problem; the first checkpoint sets the anchor."""
    assert problems(db_url) == []
    assert anchor.chains(anchor.anchor_dir()) == []
    A.fill(db_url, 1)
    assert anchor.chains(anchor.anchor_dir()) == [A.head(db_url)["chain_id"]]
    assert problems(db_url) == []


def test_same_timestamp_records_swapped(enclave_home, db_url):
    """Records sealed in the same microsecond: the order lives in seq and the links, not the time."""
    from enclave.audit import AuditEntry, append

    when = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
    for actor in ("alice", "bob", "carol"):
        with session_scope(db_url) as s:
            append(s, AuditEntry("test", actor, "query"), now=when)
    records = A.rows(db_url)
    assert len({r["ts"] for r in records}) == 1
    records[0], records[1] = dict(records[1], seq=1), dict(records[0], seq=2)
    A.write_rows(db_url, records, A.head(db_url))
    found = problems(db_url)
    assert found and found[0].seq == 1


@pytest.mark.parametrize("field", ["reason", "detail"])
def test_canonically_equal_unicode_is_still_an_edit(enclave_home, db_url, field):
    """Café in NFC and NFD look the same on a page; the seal is over the bytes, so the edit shows."""
    from enclave.audit import AuditEntry, append

    with session_scope(db_url) as s:
        append(s, AuditEntry("test", "alice", "query", reason="Café 研究", detail={"note": "Café"}))
    A.fill(db_url, 1, start=1)
    r = A.rows(db_url)[0]
    if field == "reason":
        new = unicodedata.normalize("NFD", r["reason"])
    else:
        new = json.dumps({"note": unicodedata.normalize("NFD", "Café")}, ensure_ascii=False)
    assert new != (r[field] if field == "reason" else json.dumps(A._detail(r["detail"]), ensure_ascii=False))
    A.sql(db_url, f"UPDATE audit_records SET {field} = :v WHERE seq = 1", v=new)
    found = problems(db_url)
    assert found and found[0].seq == 1 and found[0].kind == "edited"


def test_a_direct_orm_insert_is_reported(enclave_home, db_url):
    """A record added as an ORM object (no seal, as a migration or a script would).  The
    triggers let a record in at head+1 (an append writes the record before the head), so it is
    the verifier that must see it: the head row, sealed, still ends one record earlier."""
    A.fill(db_url, 2)
    last = A.rows(db_url)[-1]
    with session_scope(db_url) as s:
        s.add(AuditRecord(seq=3, ts=last["ts"], component="test", actor="mallory", action="query",
                          detail={}, prev_hash=last["hash"], hash="f" * 64, scheme="hmac1"))
    found = problems(db_url)
    assert found and found[0].seq == 3


def test_the_anchor_lives_outside_the_journal_and_the_backup(enclave_home, db_url):
    """Beside the keys, not inside: a backup's sealed key files do not carry it, so a restore
    (by hand or by `enclave restore --replace`) cannot wind it back."""
    from enclave.audit.journal import journal_dir
    from enclave.backup.archive import _secret_files
    from enclave.settings import get_settings

    A.fill(db_url, 1)
    d = anchor.anchor_dir()
    assert d.is_dir() and not d.is_relative_to(journal_dir())
    assert not d.is_relative_to(get_settings().keys_dir)
    assert not any("audit-anchor" in name for name in _secret_files(get_settings()))
    assert oct(os.stat(next(d.glob("*.json"))).st_mode & 0o777) == "0o600"
