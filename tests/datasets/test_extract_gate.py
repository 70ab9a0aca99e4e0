"""An extract is built only from a case's approved spec while the case is approved, paid and
running; a table below the policy's k is not published without a recorded reason (D3, A3)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from enclave.cli.main import app

NOW = dt.datetime.now(dt.timezone.utc)
REASON = "synthetic test data, no real persons"
# ID_S + ID_BIRTH_Y + HOME_CITY: on a few hundred synthetic persons most classes are below k=5
SMALL_CLASSES = {"files": {"H_NHI_ENROL": {"columns": ["ID", "ID_S", "ID_BIRTH_Y", "HOME_CITY"]}}}
NO_QI = {"files": {"H_NHI_MEDFA": {"columns": ["HOSP_ID"]}}}


def add_case(db_url: str, code: str, spec: dict, *, status: str = "active", paid: bool = True,
             period_end: dt.datetime | None = NOW + dt.timedelta(days=365)) -> None:
    """A case row as the control plane leaves it after approval (and payment)."""
    from enclave.cases.models import Case
    from enclave.db import session_scope

    with session_scope(db_url) as db:
        db.add(Case(code=code, title=code, status=status, extract_spec=spec,
                    paid_at=NOW - dt.timedelta(days=1) if paid else None,
                    approved_at=NOW - dt.timedelta(days=2), period_start=NOW - dt.timedelta(days=1),
                    period_end=period_end))


def _run(args, env):
    r = CliRunner().invoke(app, args, env=env)
    return r.exit_code, r.output


def _audit(db_url: str) -> list[tuple[str, str | None, str | None]]:
    from enclave.audit.models import AuditRecord
    from enclave.db import session_scope

    with session_scope(db_url) as s:
        return [(r.action, r.case_code, r.reason) for r in s.scalars(select(AuditRecord).order_by(AuditRecord.seq))]


@pytest.fixture(scope="module")
def steward_home(tmp_path_factory):
    """A home with a migrated state DB, a master key and one small release."""
    from tests.datasets.steward_home import steward_home as make

    return make(tmp_path_factory, "gate", persons=400, seed=5, release="G1")


@pytest.fixture
def env(steward_home, monkeypatch):
    home, settings = steward_home
    monkeypatch.setenv("ENCLAVE_HOME", str(home))
    monkeypatch.delenv("ENCLAVE_DB_URL", raising=False)
    return {"ENCLAVE_HOME": str(home)}, settings


@pytest.mark.parametrize("code,kwargs,why", [
    ("GATE-NONE", None, "no case"),
    ("GATE-DRAFT", {"status": "draft", "paid": False}, "is draft"),
    ("GATE-UNPAID", {"status": "approved", "paid": False}, "is approved"),
    ("GATE-SUSP", {"status": "suspended"}, "is suspended"),
    ("GATE-VOID", {"status": "void"}, "is void"),
    ("GATE-ENDED", {"period_end": NOW - dt.timedelta(days=1)}, "period ended"),
    ("GATE-PAIDFLAG", {"paid": False}, "has not paid"),
])
def test_extract_refused_unless_case_is_approved_paid_and_running(env, code, kwargs, why):
    e, settings = env
    if kwargs is not None:
        add_case(settings.db_url, code, NO_QI, **kwargs)
    rc, out = _run(["extract", "build", code, "--json"], e)
    assert rc == 1, out
    assert why in json.loads(out)["error"]
    assert not (Path(settings.projects_dir) / code / "data").exists()
    assert ("extract.refused", code) in [(a, c) for a, c, _ in _audit(settings.db_url)]


def test_extract_follows_the_approved_spec_only(env):
    e, settings = env
    add_case(settings.db_url, "GATE-OK", NO_QI)
    # a hand-written spec or a way round the audit log is no longer an option of the command
    for extra in (["--spec", "x.yaml"], ["--no-audit"]):
        rc, out = _run(["extract", "build", "GATE-OK", *extra], e)
        assert rc == 2 and "No such option" in out
    rc, out = _run(["extract", "build", "GATE-OK", "--json"], e)
    assert rc == 0, out
    res = json.loads(out)
    assert res["rows"] == {"H_NHI_MEDFA": res["rows"]["H_NHI_MEDFA"]} and res["k_override"] is None
    built = json.loads((Path(settings.projects_dir) / "GATE-OK" / "data" / "extract.json").read_text())
    assert list(built["spec"]["files"]) == ["H_NHI_MEDFA"]
    assert ("extract.build", "GATE-OK", None) in _audit(settings.db_url)
    # the data dictionary of exactly what was extracted, for the session (#16)
    dic = json.loads((Path(settings.projects_dir) / "GATE-OK" / "data" / "dictionary.json").read_text())
    assert list(dic) == ["H_NHI_MEDFA"]
    cols = dic["H_NHI_MEDFA"]
    assert cols and all(c["column"] and c["type"] for c in cols)
    assert any(c["action"] == "recode" and "pseudonym" in c["description"] for c in cols), cols


def test_below_k_is_not_published_without_a_recorded_reason(env):
    e, settings = env
    add_case(settings.db_url, "GATE-K", SMALL_CLASSES)
    rc, out = _run(["extract", "build", "GATE-K", "--json"], e)
    assert rc == 1, out
    body = json.loads(out)
    assert "below the policy's k" in body["error"] and body["k_anonymity"][0]["classes_below_k"] > 0
    project = Path(settings.projects_dir) / "GATE-K"
    assert not (project / "data").exists()
    assert not [p for p in project.iterdir() if p.name.startswith(".data-build-")]  # no half build
    rc, out = _run(["extract", "build", "GATE-K", "--json", "--k-override-reason", "short"], e)
    assert rc == 1 and "at least 10 characters" in json.loads(out)["error"]
    rc, out = _run(["extract", "build", "GATE-K", "--json", "--k-override-reason", REASON], e)
    assert rc == 0, out
    assert json.loads(out)["k_override"] == REASON
    assert json.loads((project / "data" / "extract.json").read_text())["k_override"] == REASON
    assert ("extract.build", "GATE-K", REASON) in _audit(settings.db_url)


def test_k_enforcement_is_the_policy_setting(env):
    """Switching the D3 setting off is the only way the same extract publishes without a reason."""
    from datasets.extract import KAnonymityError, build_extract_report
    from policies import current_policy

    _, settings = env
    pol = current_policy()
    with pytest.raises(KAnonymityError):
        build_extract_report(SMALL_CLASSES, "GATE-POL-ON", settings, policy=pol)
    off = pol.model_copy(update={"data": pol.data.model_copy(update={"extract_enforce_k": False})})
    res = build_extract_report(SMALL_CLASSES, "GATE-POL-OFF", settings, policy=off)
    assert not all(r["satisfied"] for r in res.k_anonymity) and res.k_override is None
