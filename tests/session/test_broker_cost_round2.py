"""A5 and issue 18, the record's cost, round 2: the warden's writer remembers the anchor and the
journal's last line between records and swaps the anchor in place instead of making a new file
for each - and still catches the database and the journal rolled back together while it runs
(A5).  A warm warden (its memory full of the newer anchor and line) keeps writing after the
rollback: the anchor beside the keys stays at the newest line it ever named, and verify reports
the rollback.  Safe counterpart: records from many brokers at once leave an anchor at the
journal's last line and a chain that verifies.  SQLite and PostgreSQL (the ``rows`` fixture)."""
from __future__ import annotations

import shutil
import threading

from enclave.audit import anchor
from enclave.audit.journal import journal_dir, read as read_journal, SUFFIX
from enclave.audit.verify import verify_audit
from enclave.db import session_scope
from hub_config.warden import Warden
from policies import load_policy
from tests.audit import attacks as A

PURPOSE = {"event": "purpose", "purpose": "a purpose long enough", "case": "C1"}


def _warden(rows) -> Warden:
    rows.user("ann")
    rows.case("C1", ["ann"])
    rows.booking("ann", "C1", -5, 60)
    return Warden(rows.db_url, load_policy(), "http://127.0.0.1:9/hub/api", "unused")


def _problems(url):
    """The chain's and the anchor's problems.  (This world writes its case as rows, with no
    sealed approval behind it, and its people as rows, which the case-decision and people checks
    rightly report; those have their own tests in tests/audit/test_rehash_round7.py and 8.)"""
    with session_scope(url) as s:
        return [p for p in verify_audit(s) if p.kind not in ("case-decision-index", "people-index")]


def _anchor_now(chain_id):
    from enclave.audit.keys import audit_keys

    return anchor.read(anchor.anchor_dir() / f"{chain_id}{anchor.SUFFIX}", audit_keys())


def _journal_lines():
    files = sorted(journal_dir().glob(f"*{SUFFIX}"))
    assert len(files) == 1, files
    entries, errors = read_journal(files[0])
    assert errors == []
    return entries


def test_a_rollback_under_a_warm_warden_is_reported_and_the_anchor_stays(enclave_home, rows,
                                                                        tmp_path):
    w = _warden(rows)
    for _ in range(3):
        w.record("ann", dict(PURPOSE))
    saved_rows, saved_head = A.rows(rows.db_url), A.head(rows.db_url)
    saved_journal = tmp_path / "journal-then"
    shutil.copytree(journal_dir(), saved_journal)
    for _ in range(4):
        w.record("ann", dict(PURPOSE))
    assert _problems(rows.db_url) == []
    newest = _anchor_now(saved_head["chain_id"])
    assert newest.n == len(_journal_lines()) and newest.seq == A.head(rows.db_url)["seq"]

    # database and journal put back together to the older copy, both genuine
    A.write_rows(rows.db_url, saved_rows, saved_head)
    shutil.rmtree(journal_dir())
    shutil.copytree(saved_journal, journal_dir())
    found = _problems(rows.db_url)
    assert found and found[0].kind == "checkpoint" and "rolled back" in found[0].message

    # the same warden, its memory holding the newer anchor and line, writes on
    for _ in range(2):
        w.record("ann", dict(PURPOSE))
    lines = _journal_lines()
    assert lines[-1].prev == lines[-2].digest           # chained to the file's real last line
    assert len(lines) < newest.n
    assert _anchor_now(saved_head["chain_id"]) == newest   # never moved back
    found = _problems(rows.db_url)
    assert found and found[0].kind == "checkpoint" and "rolled back" in found[0].message


def test_records_from_many_brokers_leave_the_anchor_at_the_last_line(enclave_home, rows):
    w = _warden(rows)
    errors: list[BaseException] = []

    def post():
        try:
            for _ in range(15):
                w.record("ann", dict(PURPOSE))
        except BaseException as e:   # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _problems(rows.db_url) == []
    head = A.head(rows.db_url)
    lines = _journal_lines()
    a = _anchor_now(head["chain_id"])
    assert a.n == len(lines) and a.digest == lines[-1].digest and a.seq == head["seq"] == 90
    # beside the anchor only its hidden swap file: no temporary file per writer left behind
    names = sorted(p.name for p in anchor.anchor_dir().iterdir())
    assert names == sorted([f"{head['chain_id']}.json", f".{head['chain_id']}.json.swap"])
