"""A5, round 5: what round 4 left open (see docs/architecture.md "Audit log").

1. a deployment can make `enclave audit verify` fail when no witness is set or readable
   (--require-witness, $ENCLAVE_AUDIT_REQUIRE_WITNESS); without one the command says the chain is
   only as good as the host's copies;
2. the witness window is the policy's accounts.audit_witness_window_hours (A5), the environment
   variable only overriding it for one run, and a bad value fails verify;
3. the chain's anchor written for another database (an old database file put in place elsewhere,
   a copy that served meanwhile) is reported, and a person who checked can re-bind it;
4. the verifier: an anchor or journal directory it cannot list is not read as "empty".
The command line runs as users run it (a subprocess); the database attacks run on SQLite and
PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from enclave.audit import anchor
from enclave.audit.verify import FOREIGN_ANCHOR, NO_WITNESS, UNANCHORED, UNREADABLE, verify_audit
from enclave.db import session_scope
from tests.audit import attacks as A
from tests.fresh_db import fresh_sqlite

AUDIT_ENV = ("ENCLAVE_AUDIT_WITNESS", "ENCLAVE_AUDIT_REQUIRE_WITNESS", "ENCLAVE_AUDIT_WITNESS_WINDOW_HOURS",
             "ENCLAVE_POLICY")


def problems(url, **kw):
    with session_scope(url) as s:
        return verify_audit(s, **kw)


def verify_cli(url, *args, **env):
    """`enclave audit verify --json ARGS` in a new process, with only the audit variables given."""
    base = {k: v for k, v in os.environ.items() if k not in AUDIT_ENV}
    res = subprocess.run([sys.executable, "-m", "enclave.cli.main", "audit", "verify", "--json", *args],
                         capture_output=True, text=True, timeout=300,
                         env={**base, "ENCLAVE_DB_URL": url, **env})
    out = json.loads(res.stdout) if res.stdout.strip() else {}
    return res.returncode, out, res.stderr


def write_witness(url, path):
    from enclave.audit.verify import latest_checkpoint

    with session_scope(url) as s:
        cp = latest_checkpoint(s)
    with path.open("a") as f:
        f.write(json.dumps(cp) + "\n")


def journal_line_later(url, monkeypatch, hours):
    """One more checkpoint line of the same head, its clock ``hours`` ahead (the journal moved
    on while the witness was not fed)."""
    from enclave.audit import journal
    from enclave.audit.keys import audit_keys

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.fromtimestamp(dt.datetime.now(tz).timestamp(), tz) + dt.timedelta(hours=hours)

    head = A.head(url)
    with monkeypatch.context() as m:
        m.setattr(journal, "dt", SimpleNamespace(datetime=Later, timezone=dt.timezone))
        with session_scope(url) as s:
            db = anchor.database_identity(s.get_bind())
        journal.write(A.journal_file(), audit_keys(), kind="checkpoint", chain=head["chain_id"],
                      seq=head["seq"], hash=head["hash"], anchor_dir=anchor.anchor_dir(), anchor_db=db)


@pytest.fixture
def sqlite_log(enclave_home, tmp_path, request):
    """A small log on SQLite for the command-line cases (the backend plays no part in them)."""
    url = fresh_sqlite(request, tmp_path / "state.db")
    A.fill(url, 2)
    return url


# ------------------------------------------------------------------ 1. a deployment can require the witness

@pytest.mark.parametrize("args, env, ok", [
    ([], {}, True),
    (["--require-witness"], {}, False),
    ([], {"ENCLAVE_AUDIT_REQUIRE_WITNESS": "1"}, False),
    ([], {"ENCLAVE_AUDIT_REQUIRE_WITNESS": "required"}, False),   # a value nobody meant as "off"
    ([], {"ENCLAVE_AUDIT_REQUIRE_WITNESS": "0"}, True),
    (["--require-witness"], {"ENCLAVE_AUDIT_REQUIRE_WITNESS": "off"}, False),
    (["--no-require-witness"], {"ENCLAVE_AUDIT_REQUIRE_WITNESS": "1"}, True),
], ids=["not-required", "flag", "env", "env-odd-value", "env-off", "flag-beats-env", "no-flag-beats-env"])
def test_verify_without_a_witness_says_so_and_fails_when_required(sqlite_log, args, env, ok):
    rc, out, err = verify_cli(sqlite_log, *args, **env)
    assert out["witness"] is None and "only as good as" in out["note"]
    if ok:
        assert rc == 0 and out["ok"] is True, (out, err)
    else:
        assert rc == 1 and [p["kind"] for p in out["problems"]] == [NO_WITNESS], (out, err)
        assert "requires one" in out["problems"][0]["message"]


def test_the_human_readable_output_says_the_chain_rests_on_the_host(sqlite_log):
    base = {k: v for k, v in os.environ.items() if k not in AUDIT_ENV}
    res = subprocess.run([sys.executable, "-m", "enclave.cli.main", "audit", "verify"], capture_output=True,
                         text=True, timeout=300, env={**base, "ENCLAVE_DB_URL": sqlite_log})
    assert res.returncode == 0 and "intact" in res.stdout
    assert "no witness set" in res.stderr and "only as good as" in res.stderr


@pytest.mark.parametrize("how", ["missing", "empty-argument", "directory", "empty-file", "env-missing"])
def test_a_required_witness_that_cannot_be_read_fails(sqlite_log, tmp_path, how):
    w = tmp_path / "witness.jsonl"
    args, env = ["--require-witness", "--witness", str(w)], {}
    if how == "empty-argument":     # --witness "" is not "no witness"
        args = ["--require-witness", "--witness", ""]
    elif how == "directory":
        w.mkdir()
    elif how == "empty-file":
        w.write_text("")
    elif how == "env-missing":
        args, env = ["--require-witness"], {"ENCLAVE_AUDIT_WITNESS": str(w)}
    rc, out, err = verify_cli(sqlite_log, *args, **env)
    assert rc == 1 and out["problems"], (out, err)
    assert {p["kind"] for p in out["problems"]} <= {UNREADABLE, UNANCHORED}, out
    assert out["note"] is None


def test_a_fed_witness_meets_the_requirement(sqlite_log, tmp_path):
    w = tmp_path / "witness.jsonl"
    write_witness(sqlite_log, w)
    rc, out, err = verify_cli(sqlite_log, "--require-witness", "--witness", str(w))
    assert rc == 0 and out["ok"] and out["witness"] == str(w) and out["note"] is None, (out, err)
    rc, out, err = verify_cli(sqlite_log, ENCLAVE_AUDIT_REQUIRE_WITNESS="1", ENCLAVE_AUDIT_WITNESS=str(w))
    assert rc == 0 and out["ok"], (out, err)


@pytest.mark.parametrize("value, required", [("1", True), ("yes", True), ("anything", True), ("", False),
                                             ("0", False), ("off", False)])
def test_the_deployment_variable_requires_the_witness_in_every_verify(sqlite_log, monkeypatch, value, required):
    """In process (as `enclave restore` and the services verify): the variable alone decides."""
    monkeypatch.setenv("ENCLAVE_AUDIT_REQUIRE_WITNESS", value)
    kinds = [p.kind for p in problems(sqlite_log)]
    assert kinds == ([NO_WITNESS] if required else []), kinds


def test_a_fresh_enclave_without_a_witness_fails_when_one_is_required(enclave_home, tmp_path, request):
    url = fresh_sqlite(request, tmp_path / "fresh.db")
    assert problems(url) == []
    assert [p.kind for p in problems(url, require_witness=True)] == [NO_WITNESS]


# ------------------------------------------------------------------ 2. the witness window is a policy setting

def _policy(tmp_path, hours):
    d = tmp_path / "policy"
    d.mkdir()
    (d / "policy.yaml").write_text(f"name: window\nextends: {os.fspath(Path(__file__).parents[2] / 'policies' / 'nhi_centre')}\n")
    (d / "accounts.yaml").write_text(f"audit_witness_window_hours: {hours}\n")
    return d


@pytest.mark.parametrize("policy_hours, env_hours, ok", [
    (None, None, True),      # the default, 24 h, covers a witness 2 h behind
    (1, None, False),
    (3, None, True),
    (1, "3", True),          # the environment overrides the policy for one run
    (24, "1", False),
    (0, None, False),        # a policy that cannot load: reported, never passed
    ("nan", None, False),
], ids=["default", "policy-1h", "policy-3h", "env-widens", "env-narrows", "policy-zero", "policy-nan"])
def test_the_witness_window_comes_from_the_policy(sqlite_log, tmp_path, monkeypatch, policy_hours, env_hours, ok):
    w = tmp_path / "witness.jsonl"
    write_witness(sqlite_log, w)
    journal_line_later(sqlite_log, monkeypatch, hours=2)
    env = {"ENCLAVE_AUDIT_WITNESS": str(w)}
    if policy_hours is not None:
        env["ENCLAVE_POLICY"] = str(_policy(tmp_path, policy_hours))
    if env_hours is not None:
        env["ENCLAVE_AUDIT_WITNESS_WINDOW_HOURS"] = env_hours
    rc, out, err = verify_cli(sqlite_log, **env)
    if ok:
        assert rc == 0 and out["ok"], (out, err)
    else:
        assert rc == 1 and out["problems"][0]["kind"] in (UNANCHORED, UNREADABLE), (out, err)
        if policy_hours in (0, "nan"):
            assert "audit_witness_window_hours" in out["problems"][0]["message"]


@pytest.mark.parametrize("hours, ok", [(1, False), (3, True)])
def test_the_policy_window_decides_in_process(sqlite_log, tmp_path, monkeypatch, hours, ok):
    w = tmp_path / "witness.jsonl"
    write_witness(sqlite_log, w)
    journal_line_later(sqlite_log, monkeypatch, hours=2)
    monkeypatch.setenv("ENCLAVE_POLICY", str(_policy(tmp_path, hours)))
    monkeypatch.delenv("ENCLAVE_AUDIT_WITNESS_WINDOW_HOURS", raising=False)
    found = problems(sqlite_log, witness=w)
    assert (found == []) == ok, found
    if not ok:
        assert found[0].kind == UNANCHORED and "1:00:00" in found[0].message, found


def test_the_window_setting_names_its_rule():
    from policies import load_policy

    rows = {f"{s}.{k}": (v, r) for s, k, v, r, _ in load_policy().settings_with_rules()}
    assert rows["accounts.audit_witness_window_hours"] == (24.0, "A5")


# ------------------------------------------------------------------ 3. an anchor written for another database

def _copy_database(url, tmp_path, request) -> str:
    """Another database holding the same log (an old database file put in place elsewhere)."""
    from enclave.db.engine import dispose_engine

    if url.startswith("sqlite"):
        import sqlite3

        dst = tmp_path / "copy" / "state.db"
        dst.parent.mkdir()
        src, out = sqlite3.connect(url.removeprefix("sqlite:///")), sqlite3.connect(dst)
        try:
            src.backup(out)     # the file with what its write-ahead log holds
        finally:
            src.close()
            out.close()
        return f"sqlite:///{dst}"
    dispose_engine(url)   # PostgreSQL copies a template only while nobody is connected to it
    return request.getfixturevalue("postgres_server").create_database(template=url.rsplit("/", 1)[1])


@pytest.mark.parametrize("case", ["the-copy-verified", "the-original-after-the-copy-wrote"])
def test_an_anchor_written_for_another_database_is_reported(enclave_home, db_url, tmp_path, request, case):
    A.fill(db_url, 3)
    assert problems(db_url) == []
    copy = _copy_database(db_url, tmp_path, request)
    if case == "the-copy-verified":
        target = copy
    else:          # the copy served for a while: the chain's anchor now names it
        A.fill(copy, 1, start=3)
        target = db_url
    found = problems(target)
    assert FOREIGN_ANCHOR in [p.kind for p in found], found
    msg = next(p.message for p in found if p.kind == FOREIGN_ANCHOR)
    assert "another database" in msg and "enclave audit checkpoint" in msg


def test_a_database_moved_on_purpose_is_rebound_by_a_person(enclave_home, db_url, tmp_path, request):
    from enclave.audit.verify import confirm_head

    A.fill(db_url, 2)
    copy = _copy_database(db_url, tmp_path, request)
    assert [p.kind for p in problems(copy)] == [FOREIGN_ANCHOR]
    with session_scope(copy) as s:
        confirm_head(s)
    assert problems(copy) == []
    A.fill(copy, 1, start=2)
    assert problems(copy) == []


def test_another_database_with_its_own_chain_is_still_no_problem(enclave_home, db_url, tmp_path, request):
    other = fresh_sqlite(request, tmp_path / "staging.db")
    A.fill(db_url, 2)
    A.fill(other, 2)
    assert problems(db_url) == [] and problems(other) == []


# ------------------------------------------------------------------ 4. what the verifier cannot list is not "empty"

@pytest.mark.parametrize("place", ["anchor", "journal"])
@pytest.mark.parametrize("as_what", ["a-file", "a-dangling-link"])
def test_a_directory_that_cannot_be_listed_is_not_read_as_empty(enclave_home, db_url, tmp_path, place, as_what):
    """The log emptied (records and head deleted) and the directory that would show it made
    unlistable: before, Path.glob read it as holding nothing and verify passed."""
    from enclave.audit.journal import journal_dir

    A.fill(db_url, 2)
    A.sql(db_url, "DELETE FROM audit_records", "DELETE FROM audit_head")
    shutil.rmtree(anchor.anchor_dir())     # the other place gone too: only this one would tell
    shutil.rmtree(journal_dir())
    d = anchor.anchor_dir() if place == "anchor" else journal_dir()
    if as_what == "a-file":
        d.write_text("")
    else:
        d.symlink_to(tmp_path / "nowhere")
    found = problems(db_url)
    assert [p.kind for p in found] == [UNREADABLE], found
