"""The steward's commands end to end: generate → load → releases → extract, with audit entries."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from enclave.cli.main import app


def _run(args, env):
    r = CliRunner().invoke(app, args, env=env)
    return r.exit_code, r.stdout, r.output


def test_generate_load_list_extract(tmp_path, enclave_home):
    env = {"ENCLAVE_HOME": str(enclave_home)}
    src = tmp_path / "src"
    code, out, _ = _run(["db", "upgrade"], env)
    assert code == 0
    code, out, all_ = _run(["data", "generate", "--out", str(src), "--rows", "300", "--images", "0",
                            "--seed", "3", "--json"], env)
    assert code == 0, all_
    assert json.loads(out)["claim_rows"] >= 300
    code, out, all_ = _run(["data", "load", str(src), "--release", "C1", "--json"], env)
    assert code == 0, all_
    rep = json.loads(out)
    assert rep["reconciled"] and rep["rows_loaded"] == rep["rows_read"]
    code, out, _ = _run(["data", "load", str(src), "--release", "C1", "--json"], env)
    assert code == 1 and "already exists" in json.loads(out)["error"]
    code, out, _ = _run(["data", "releases", "--json"], env)
    assert [r["release"] for r in json.loads(out)] == ["C1"]
    from tests.datasets.test_extract_gate import add_case

    add_case(f"sqlite:///{enclave_home / 'state.db'}", "CLI-1",
             {"files": {"H_NHI_ENROL": {"years": [2020], "columns": ["ID", "ID_S", "ID_BIRTH_Y"]}},
              "cohort": {"sex": ["M"]}})
    code, out, all_ = _run(["extract", "build", "CLI-1", "--json", "--k-override-reason",
                            "synthetic test data, no real persons"], env)
    assert code == 0, all_
    res = json.loads(out)
    assert res["rows"]["H_NHI_ENROL"] == res["persons"] > 0
    assert res["k_anonymity"][0]["quasi_identifiers"] == ["ID_S", "ID_BIRTH_Y"]
    add_case(f"sqlite:///{enclave_home / 'state.db'}", "CLI-2",
             {"files": {"H_NHI_ENROL": {"columns": ["ID", "ADDRESS"]}}})
    code, out, _ = _run(["extract", "build", "CLI-2", "--json"], env)
    assert code == 1 and "ADDRESS" in json.loads(out)["error"]
    from enclave.audit import verify_chain
    from enclave.audit.models import AuditRecord
    from enclave.db import session_scope
    from sqlalchemy import select

    with session_scope(f"sqlite:///{enclave_home / 'state.db'}") as s:
        actions = [(r.action, r.subject, r.case_code) for r in s.scalars(select(AuditRecord))]
        assert ("data.load", "C1", None) in actions and ("extract.build", "C1", "CLI-1") in actions
        assert not verify_chain(s)
