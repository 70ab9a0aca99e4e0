"""D5: provided data a case gave up is not provided to it again.

A real steward home (migrated state DB, master key, one synthetic release), real extract builds
through ``enclave extract build``, the give-up through the CLI (a steward acting on the PI's
request) and through the control plane's HTTP API (the PI herself)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from enclave.cli.main import app as cli
from tests.control.conftest import PASSWORD, mk_user, without_mfa
from tests.datasets.steward_home import steward_home

NOW = dt.datetime.now(dt.timezone.utc)
SPEC = {"files": {"H_NHI_MEDFA": {"columns": ["HOSP_ID"]},
                  "H_NHI_DRUGITEM": {"columns": ["DRUG_NO"]}}}
WHY = "finished with this table, please delete it"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    from enclave.db import session_scope

    home, settings = steward_home(tmp_path_factory, "d5", persons=300, seed=11, release="D5R")
    with session_scope(settings.db_url) as db:
        mk_user(db, "pia")                  # the PI of every case here
        mk_user(db, "mem")                  # a member, not the PI
        mk_user(db, "stew", "steward")
    return home, settings


@pytest.fixture
def env(home, monkeypatch):
    h, settings = home
    monkeypatch.setenv("ENCLAVE_HOME", str(h))
    monkeypatch.delenv("ENCLAVE_DB_URL", raising=False)
    return {"ENCLAVE_HOME": str(h)}, settings


def _case(settings, code: str, spec=SPEC, status: str = "active") -> None:
    from enclave.accounts.models import User
    from enclave.cases.models import Case, CaseMember
    from enclave.db import session_scope

    with session_scope(settings.db_url) as db:
        pia = db.execute(select(User).where(User.username == "pia")).scalar_one()
        mem = db.execute(select(User).where(User.username == "mem")).scalar_one()
        c = Case(code=code, title=code, status=status, extract_spec=spec, applicant_id=pia.id,
                 paid_at=NOW - dt.timedelta(days=1), approved_at=NOW - dt.timedelta(days=2),
                 period_start=NOW - dt.timedelta(days=1), period_end=NOW + dt.timedelta(days=365))
        db.add(c)
        db.flush()
        for u, role in ((pia, "pi"), (mem, "member")):
            db.add(CaseMember(case_id=c.id, user_id=u.id, role=role,
                              added_at=NOW - dt.timedelta(days=2)))


def _run(args, env):
    r = CliRunner().invoke(cli, args, env=env)
    return r.exit_code, r.output


def _families(settings, code: str) -> list[str] | None:
    p = Path(settings.projects_dir) / code / "data" / "extract.json"
    return sorted(json.loads(p.read_text())["rows"]) if p.exists() else None


def _records(settings, code: str, action: str) -> list:
    from enclave.audit.models import AuditRecord
    from enclave.db import session_scope

    with session_scope(settings.db_url) as s:
        return [(r.actor, r.reason, r.detail) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.case_code == code, AuditRecord.action == action)
            .order_by(AuditRecord.seq))]


def test_given_up_families_are_deleted_and_never_built_again(env):
    e, settings = env
    _case(settings, "D5-A")
    rc, out = _run(["extract", "build", "D5-A", "--json"], e)
    assert rc == 0, out
    assert _families(settings, "D5-A") == ["H_NHI_DRUGITEM", "H_NHI_MEDFA"]
    rows_before = json.loads(out)["rows"]["H_NHI_MEDFA"]

    rc, out = _run(["extract", "give-up", "D5-A", "--files", "H_NHI_DRUGITEM", "--requested-by",
                    "pia", "--reason", WHY, "--json"], e)
    assert rc == 0, out
    res = json.loads(out)
    assert res["given_up"] == ["H_NHI_DRUGITEM"] and res["kept"] == ["H_NHI_MEDFA"]
    data = Path(settings.projects_dir) / "D5-A" / "data"
    assert _families(settings, "D5-A") == ["H_NHI_MEDFA"]
    assert not (data / "H_NHI_DRUGITEM.parquet").exists()
    assert json.loads((data / "extract.json").read_text())["rows"]["H_NHI_MEDFA"] == rows_before
    assert list(json.loads((data / "dictionary.json").read_text())) == ["H_NHI_MEDFA"]
    [(actor, reason, detail)] = _records(settings, "D5-A", "extract.given_up")
    assert reason == WHY and detail == {"files": ["H_NHI_DRUGITEM"], "requested_by": "pia"}
    assert _records(settings, "D5-A", "extract.deleted")[-1][2]["removed"] == ["H_NHI_DRUGITEM"]

    # a rebuild of the approved spec leaves the given-up family out, and says so
    rc, out = _run(["extract", "build", "D5-A", "--replace", "--json"], e)
    assert rc == 0, out
    assert _families(settings, "D5-A") == ["H_NHI_MEDFA"]
    assert _records(settings, "D5-A", "extract.build")[-1][2]["given_up_left_out"] == ["H_NHI_DRUGITEM"]

    # giving up the rest removes the extract; a build is then refused with the rule
    rc, out = _run(["extract", "give-up", "D5-A", "--requested-by", "pia", "--reason", WHY,
                    "--json"], e)
    assert rc == 0, out
    assert json.loads(out)["kept"] == [] and not data.exists()
    assert not [p for p in data.parent.iterdir() if p.name.startswith(".data-")]
    for extra in ([], ["--replace"]):
        rc, out = _run(["extract", "build", "D5-A", "--json", *extra], e)
        assert rc == 1, out
        err = json.loads(out)["error"]
        assert "D5" in err and "H_NHI_DRUGITEM" in err and "H_NHI_MEDFA" in err
        assert not data.exists()


def test_the_policy_may_provide_given_up_data_again(env):
    """The switch: with data.reprovide_given_up_data the centre builds the whole spec again."""
    from enclave.extracts import build_case_extract
    from enclave.extracts.given_up import give_up
    from policies import current_policy

    e, settings = env
    _case(settings, "D5-B")
    pol = current_policy()
    build_case_extract("D5-B", settings=settings, policy=pol, actor="stew")
    give_up("D5-B", ["H_NHI_MEDFA"], settings=settings, policy=pol, actor="stew",
            requested_by="pia", reason=WHY)
    assert _families(settings, "D5-B") == ["H_NHI_DRUGITEM"]
    again = pol.model_copy(update={"data": pol.data.model_copy(
        update={"reprovide_given_up_data": True})})
    build_case_extract("D5-B", settings=settings, policy=again, actor="stew", replace=True)
    assert _families(settings, "D5-B") == ["H_NHI_DRUGITEM", "H_NHI_MEDFA"]


@pytest.mark.parametrize("args,why", [
    (["--requested-by", "mem", "--reason", WHY], "only case D5-C's PI or officer (pia)"),
    (["--requested-by", "stew", "--reason", WHY], "only case D5-C's PI or officer (pia)"),
    (["--requested-by", "pia", "--reason", "done"], "at least 10 characters"),
    (["--requested-by", "pia", "--reason", WHY, "--files", "H_NHI_OPDTE"], "H_NHI_OPDTE"),
    (["--requested-by", "pia", "--reason", WHY, "--files", "H_NHI_MEDFA,NOPE"], "NOPE"),
])
def test_a_give_up_not_by_the_pi_or_malformed_is_refused_and_changes_nothing(env, args, why):
    e, settings = env
    if not _records(settings, "D5-C", "extract.build"):
        _case(settings, "D5-C")
        rc, out = _run(["extract", "build", "D5-C", "--json"], e)
        assert rc == 0, out
    rc, out = _run(["extract", "give-up", "D5-C", "--json", *args], e)
    assert rc == 1, out
    assert why in json.loads(out)["error"], out
    assert _families(settings, "D5-C") == ["H_NHI_DRUGITEM", "H_NHI_MEDFA"]
    assert _records(settings, "D5-C", "extract.given_up") == []


@pytest.mark.parametrize("status", ["draft", "ended", "purged", "void"])
def test_a_case_that_is_not_live_has_nothing_to_give_up(env, status):
    e, settings = env
    code = f"D5-S-{status}"
    _case(settings, code, status=status)
    rc, out = _run(["extract", "give-up", code, "--requested-by", "pia", "--reason", WHY,
                    "--json"], e)
    assert rc == 1 and f"is {status}" in json.loads(out)["error"], out


def test_the_pi_gives_up_data_over_http_and_a_member_cannot(env):
    """The control plane's API: the PI's call deletes and records; a member is refused (403)
    by the access table before the service runs; a wrong body is a 422 that names the field."""
    from enclave.web.app import create_app
    from policies import current_policy

    e, settings = env
    _case(settings, "D5-H")
    rc, out = _run(["extract", "build", "D5-H", "--json"], e)
    assert rc == 0, out
    web = create_app(settings.db_url, without_mfa(current_policy()))

    def login(name):
        c = TestClient(web)
        r = c.post("/api/token", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return c

    mem, pia = login("mem"), login("pia")
    r = mem.post("/api/cases/D5-H/extract/give-up", json={"reason": WHY})
    assert r.status_code == 403, r.text
    r = pia.post("/api/cases/D5-H/extract/give-up", json={"reason": WHY, "files": []})
    assert r.status_code == 422 and "files" in r.text, r.text
    r = pia.post("/api/cases/D5-H/extract/give-up", json={"reason": "x"})
    assert r.status_code == 422 and "10 characters" in r.text, r.text
    assert _families(settings, "D5-H") == ["H_NHI_DRUGITEM", "H_NHI_MEDFA"]
    r = pia.post("/api/cases/D5-H/extract/give-up",
                 json={"reason": WHY, "files": ["H_NHI_MEDFA"]})
    assert r.status_code == 200, r.text
    assert r.json()["kept"] == ["H_NHI_DRUGITEM"] and r.json()["new"] == ["H_NHI_MEDFA"]
    assert _families(settings, "D5-H") == ["H_NHI_DRUGITEM"]
    [(actor, _, detail)] = _records(settings, "D5-H", "extract.given_up")
    assert actor == "pia" and detail["requested_by"] == "pia"
    # the case page shows the PI what was given up, when and why (Taipei time)
    page = TestClient(web)
    assert page.post("/login", data={"username": "pia", "password": PASSWORD}).status_code == 200
    html = page.get("/cases/D5-H").text
    assert 'id="extract-given-up"' in html and 'data-given-up="H_NHI_MEDFA"' in html, html[-3000:]
    assert WHY in html and "臺北 Taipei · pia" in html


def test_a_deletion_that_crashed_is_finished_by_running_the_give_up_again(env, monkeypatch):
    """The decision is committed before any file goes; a crash in the rebuild leaves the old
    extract whole (the builder's atomic publish), a build then already leaves the family out,
    and the same give-up run again finishes the deletion without a second record."""
    import datasets.extract as extract_lib
    from enclave.extracts.given_up import give_up
    from policies import current_policy

    e, settings = env
    _case(settings, "D5-X")
    rc, out = _run(["extract", "build", "D5-X", "--json"], e)
    assert rc == 0, out
    real = extract_lib.build_extract_report

    def crash(*a, **k):
        raise OSError("disk went away mid-rebuild")

    monkeypatch.setattr(extract_lib, "build_extract_report", crash)
    with pytest.raises(OSError, match="disk went away"):
        give_up("D5-X", ["H_NHI_MEDFA"], settings=settings, policy=current_policy(), actor="stew",
                requested_by="pia", reason=WHY)
    assert _families(settings, "D5-X") == ["H_NHI_DRUGITEM", "H_NHI_MEDFA"]   # whole, untouched
    assert len(_records(settings, "D5-X", "extract.given_up")) == 1
    assert _records(settings, "D5-X", "extract.deleted") == []
    monkeypatch.setattr(extract_lib, "build_extract_report", real)
    out = give_up("D5-X", ["H_NHI_MEDFA"], settings=settings, policy=current_policy(),
                  actor="stew", requested_by="pia", reason=WHY)
    assert out["new"] == [] and out["kept"] == ["H_NHI_DRUGITEM"]
    assert _families(settings, "D5-X") == ["H_NHI_DRUGITEM"]
    assert len(_records(settings, "D5-X", "extract.given_up")) == 1
    assert [d["removed"] for _, _, d in _records(settings, "D5-X", "extract.deleted")] == [["H_NHI_MEDFA"]]
