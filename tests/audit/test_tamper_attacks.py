"""A5: an attacker who holds a copy of the state database and can write it (and the checkpoint
journal file, but not the master key) cannot rewrite the audit log unseen.  Every attack ends
with `verify_audit` failing and naming the first bad record.  SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os

import pytest
from sqlalchemy.exc import DBAPIError

from enclave.audit.keys import AuditKeys
from enclave.audit.verify import verify_audit
from enclave.db import session_scope
from tests.audit import attacks as A

N = 8


@pytest.fixture
def chain(enclave_home, db_url):
    """N records, each committed (and checkpointed) on its own."""
    A.fill(db_url, N)
    with session_scope(db_url) as s:
        assert verify_audit(s) == []
    return db_url


def problems(url):
    with session_scope(url) as s:
        return verify_audit(s)


def first_bad(url):
    found = problems(url)
    assert found, "tampering went unnoticed"
    return found[0].seq


@pytest.mark.parametrize("keep", [1, 4, N - 1])
def test_delete_tail_and_rewrite_head(chain, keep):
    last = A.rows(chain)[keep - 1]
    A.sql(chain, "DELETE FROM audit_records WHERE seq > :k",
          "UPDATE audit_head SET seq = :k, hash = :h", k=keep, h=last["hash"])
    assert first_bad(chain) == keep + 1


@pytest.mark.parametrize("keep", [2, 5])
def test_delete_tail_and_replay_an_old_sealed_head(enclave_home, db_url, keep):
    """The head row as it was (seal and all) when record ``keep`` was last: valid on its own;
    only the signed checkpoints of the deleted records give it away."""
    A.fill(db_url, keep)
    old_head = A.head(db_url)
    A.fill(db_url, N - keep, start=keep)
    A.sql(db_url, "DELETE FROM audit_records WHERE seq > :k", k=keep)
    A.sql(db_url, "DELETE FROM audit_head")
    A.write_rows(db_url, A.rows(db_url), old_head)
    found = problems(db_url)
    assert found and found[0].seq == keep + 1
    assert {p.kind for p in found} == {"deleted"}


@pytest.mark.parametrize("victim", [1, 3, N])
@pytest.mark.parametrize("how", ["plain-sha256", "plain-sha256-as-legacy", "zero-key", "guessed-key",
                                 "key-from-chain-id"])
def test_edit_a_record_and_reseal_every_later_one(chain, victim, how):
    records = A.rows(chain)
    h = A.head(chain)
    records[victim - 1]["actor"] = "mallory"
    hasher = {"plain-sha256": A.plain_sha256, "plain-sha256-as-legacy": A.plain_sha256,
              "zero-key": A.guessed_key(AuditKeys.from_master(bytes(32)).chain_key),
              "guessed-key": A.guessed_key(os.urandom(32)),
              "key-from-chain-id": A.guessed_key(h["chain_id"].encode())}[how]
    forged = A.rechain(records, victim, hasher, scheme="sha256" if how.endswith("legacy") else None)
    A.write_rows(chain, forged, dict(h, seq=forged[-1]["seq"], hash=forged[-1]["hash"]))
    assert first_bad(chain) == victim


@pytest.mark.parametrize("field,value", [("actor", "x"), ("reason", None), ("detail", {"sql": "select 1"}),
                                         ("ts", "2020-01-01T00:00:00.000000+00:00"), ("action", "login")])
def test_edit_one_field_without_resealing(chain, field, value):
    records = A.rows(chain)
    records[2][field] = value
    A.write_rows(chain, records, A.head(chain))
    assert first_bad(chain) == 3


def test_delete_everything(chain):
    A.sql(chain, "DELETE FROM audit_records", "DELETE FROM audit_head")
    assert first_bad(chain) == 1


@pytest.mark.parametrize("how", ["legacy-sha256", "guessed-key"])
def test_delete_the_table_and_insert_a_new_log(chain, how):
    records = A.rows(chain)[:5]
    records[1]["actor"] = "mallory"
    for r in records:
        r["scheme"] = "sha256" if how == "legacy-sha256" else "hmac1"
    hasher = A.plain_sha256 if how == "legacy-sha256" else A.guessed_key(b"k" * 32)
    forged = A.rechain(records, 1, hasher)
    new_head = None if how == "legacy-sha256" else dict(A.head(chain), seq=5, hash=forged[-1]["hash"],
                                                          chain_id="00000000-0000-4000-8000-000000000000")
    if new_head is None:
        A.write_rows(chain, forged, None)
        with session_scope(chain) as s:  # an unkeyed head, as before the keyed chain existed
            A.drop_guards(s)
            s.execute(A.text("INSERT INTO audit_head (id, seq, hash, journal_n) VALUES (1, 5, :h, 0)"),
                      {"h": forged[-1]["hash"]})
    else:
        A.write_rows(chain, forged, new_head)
    assert problems(chain)


@pytest.mark.parametrize("a,b", [(1, 2), (2, 3), (3, 7), (N - 1, N)])
def test_reorder_two_records(chain, a, b):
    records = A.rows(chain)
    ra, rb = dict(records[a - 1]), dict(records[b - 1])
    records[a - 1], records[b - 1] = dict(rb, seq=a), dict(ra, seq=b)
    A.write_rows(chain, records, A.head(chain))
    assert first_bad(chain) == a


@pytest.mark.parametrize("keep_lines", [0, 1, N // 2, N - 1])
def test_truncate_the_checkpoint_journal(chain, keep_lines):
    path = A.journal_file()
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:keep_lines]))
    assert problems(chain)


def test_delete_the_checkpoint_journal(chain):
    A.journal_file().unlink()
    assert problems(chain)


@pytest.mark.parametrize("mode", ["all-lines", "last-line"])
def test_replace_the_journal_with_one_signed_by_another_key(chain, mode):
    """Every line re-signed (same content, same links) by a key the attacker made."""
    from enclave.audit import journal as J

    other = AuditKeys.from_master(os.urandom(32))
    path = A.journal_file()
    out, prev = [], J.GENESIS
    lines = path.read_text().splitlines()
    for i, ln in enumerate(lines):
        d = json.loads(ln)
        if mode == "all-lines" or i == len(lines) - 1:
            d["prev"] = prev
            body = {k: v for k, v in d.items() if k != "sig"}
            d["sig"] = other.signing_key.sign(J.canonical(body)).hex()
        line = J.canonical(d).decode()
        out.append(line)
        prev = J.parse(line, "x").digest
    path.write_text("\n".join(out) + "\n")
    assert problems(chain)


def test_forge_a_restore_line_with_another_key(chain):
    """A 'restore' line would excuse a rollback; one not signed by the enclave excuses nothing."""
    from enclave.audit import journal as J

    keep = 3
    last = A.rows(chain)[keep - 1]
    A.sql(chain, "DELETE FROM audit_records WHERE seq > :k",
          "UPDATE audit_head SET seq = :k, hash = :h", k=keep, h=last["hash"])
    J.write(A.journal_file(), AuditKeys.from_master(os.urandom(32)), kind="restore",
            chain=A.head(chain)["chain_id"], seq=keep, hash=last["hash"])
    assert first_bad(chain) <= keep + 1


def test_roll_the_database_back_to_an_older_copy(enclave_home, db_url, tmp_path):
    """A real older copy on SQLite (the file as it was); on PostgreSQL the same state rebuilt
    from the rows and head row saved at that time."""
    A.fill(db_url, 4)
    sqlite_file = db_url.removeprefix("sqlite:///") if db_url.startswith("sqlite") else None
    if sqlite_file:
        import sqlite3
        with sqlite3.connect(sqlite_file) as live, sqlite3.connect(tmp_path / "old.db") as copy:
            live.backup(copy)
    old_rows, old_head = A.rows(db_url), A.head(db_url)
    A.fill(db_url, 4, start=4)
    if sqlite_file:
        import sqlite3
        with sqlite3.connect(tmp_path / "old.db") as copy, sqlite3.connect(sqlite_file) as live:
            copy.backup(live)
    else:
        A.write_rows(db_url, old_rows, old_head)
    assert A.head(db_url)["seq"] == 4
    assert first_bad(db_url) == 5


def test_roll_back_database_and_journal_together_is_caught_by_the_witness(enclave_home, db_url, tmp_path):
    """Cutting both back consistently leaves nothing inside the host to compare with; the
    checkpoint an external witness kept does."""
    from enclave.audit.verify import latest_checkpoint

    A.fill(db_url, 3)
    old_rows, old_head = A.rows(db_url), A.head(db_url)
    journal_then = A.journal_file().read_text()
    A.fill(db_url, 3, start=3)
    witness = tmp_path / "witness.jsonl"
    with session_scope(db_url) as s:
        witness.write_text(json.dumps(latest_checkpoint(s)) + "\n")
        assert verify_audit(s, witness=witness) == []
    A.write_rows(db_url, old_rows, old_head)
    A.journal_file().write_text(journal_then)
    with session_scope(db_url) as s:
        found = verify_audit(s, witness=witness)
    assert found and found[0].kind == "checkpoint"


@pytest.mark.parametrize("stmt", [
    "DELETE FROM audit_head",
    "UPDATE audit_head SET seq = seq - 1",
    "UPDATE audit_head SET seq = seq + 1",
    "UPDATE audit_head SET hash = 'x'",
    "UPDATE audit_head SET chain_id = '00000000-0000-4000-8000-000000000000'",
    "UPDATE audit_head SET key_id = 'abc'",
    "INSERT INTO audit_head (id, seq, hash, journal_n) VALUES (2, 1, 'x', 0)",
    "UPDATE audit_records SET actor = 'x' WHERE seq = 1",
    "DELETE FROM audit_records WHERE seq = 8",
    "INSERT INTO audit_records (seq, ts, component, actor, action, detail, prev_hash, hash, scheme) "
    "VALUES (20, 't', 'c', 'a', 'x', '{}', 'p', 'h', 'hmac1')",
    "INSERT INTO audit_records (seq, ts, component, actor, action, detail, prev_hash, hash, scheme) "
    "VALUES (0, 't', 'c', 'a', 'x', '{}', 'p', 'h', 'hmac1')",
])
def test_the_database_refuses_rewrites_of_records_and_head(chain, stmt):
    with pytest.raises(DBAPIError, match="append-only"):
        with session_scope(chain) as s:
            s.execute(A.text(stmt))
    assert problems(chain) == []


# ------------------------------------------------------------- generated attacks (hypothesis)

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st  # noqa: E402

FIELDS = ["actor", "action", "reason", "subject", "case_code", "component"]
ATTACK = st.one_of(
    st.tuples(st.just("edit"), st.integers(1, N), st.sampled_from(FIELDS), st.text(min_size=1, max_size=8)),
    st.tuples(st.just("edit-reseal"), st.integers(1, N), st.sampled_from(FIELDS), st.binary(min_size=0, max_size=40)),
    st.tuples(st.just("delete"), st.sets(st.integers(1, N), min_size=1, max_size=N)),
    st.tuples(st.just("swap"), st.integers(1, N - 1), st.integers(1, N - 1)),
    st.tuples(st.just("truncate-and-head"), st.integers(0, N - 1)),
)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attack=ATTACK)
def test_generated_rewrites_are_all_caught(enclave_home, tmp_path_factory, attack):
    """Random edits (re-sealed with a random key or none), deletions, swaps and cut tails with a
    head rewritten to match: verify never passes, and never names a record after the first one
    touched (SQLite; the hand-written cases above run on both backends)."""
    url = getattr(test_generated_rewrites_are_all_caught, "_url", None)
    if url is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('gen') / 'state.db'}"
        from enclave.db import upgrade
        upgrade(url)
        A.fill(url, N)
        test_generated_rewrites_are_all_caught._url = url
        test_generated_rewrites_are_all_caught._orig = (A.rows(url), A.head(url))
    rows0, head0 = test_generated_rewrites_are_all_caught._orig
    records, head = [dict(r) for r in rows0], dict(head0)
    kind = attack[0]
    if kind in ("edit", "edit-reseal"):
        _, seq, field, value = attack
        new = value if kind == "edit" else f"x{value.hex()}"
        if records[seq - 1][field] == new:
            new = new + "!"
        records[seq - 1][field] = new
        if kind == "edit-reseal":
            key = value or None
            records = A.rechain(records, seq, A.guessed_key(key) if key else A.plain_sha256)
            head.update(seq=records[-1]["seq"], hash=records[-1]["hash"])
        touched = seq
    elif kind == "delete":
        gone = attack[1]
        records = [r for r in records if r["seq"] not in gone]
        if records:
            head.update(seq=records[-1]["seq"], hash=records[-1]["hash"])
        touched = min(gone)
    elif kind == "swap":
        a, b = sorted((attack[1], attack[2] + 1))
        if a == b:
            b = a + 1
        ra, rb = records[a - 1], records[b - 1]
        records[a - 1], records[b - 1] = dict(rb, seq=a), dict(ra, seq=b)
        touched = a
    else:
        keep = attack[1]
        records = records[:keep]
        if records:
            head.update(seq=keep, hash=records[-1]["hash"])
        touched = keep + 1
    A.write_rows(url, records, head if records or kind != "delete" else None)
    found = problems(url)
    assert found, attack
    assert found[0].seq <= touched, (attack, found[:3])
