"""``enclave import check``: the offline pre-check and its exit codes."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from enclave.cli.main import app
from tests.ingress.conftest import CLEAN_CODE, patient_csv, zip_of

runner = CliRunner()


def test_clean_code_passes(tmp_path, enclave_home):
    f = tmp_path / "prep.py"
    f.write_bytes(CLEAN_CODE)
    r = runner.invoke(app, ["import", "check", str(f)])
    assert r.exit_code == 0, r.output
    assert "PASS" in r.output


def test_patient_list_blocks_with_json(tmp_path, enclave_home):
    f = tmp_path / "cohort.csv"
    f.write_bytes(patient_csv())
    z = tmp_path / "bundle.zip"
    z.write_bytes(zip_of({"cohort.csv": patient_csv()}))
    r = runner.invoke(app, ["import", "check", str(f), str(z), "--json"])
    assert r.exit_code == 4
    out = json.loads(r.stdout)
    assert out["verdict"] == "block"
    assert [x["verdict"] for x in out["files"]] == ["block", "block"]
    assert all(x["rule"] == "D4" for x in out["findings"])


def test_weights_depend_on_imaging_flag_and_case(tmp_path, enclave_home):
    import datetime as dt

    from enclave.cases.models import Case
    from enclave.db import session_scope, upgrade
    from enclave.settings import get_settings

    w = tmp_path / "net.onnx"
    w.write_bytes(b"\x08\x07\x12\x04onnx" + bytes(200))
    assert runner.invoke(app, ["import", "check", str(w)]).exit_code == 4
    r = runner.invoke(app, ["import", "check", str(w), "--imaging", "--json"])
    assert r.exit_code == 3 and json.loads(r.stdout)["committee"] is True
    url = get_settings().db_url
    upgrade(url)
    with session_scope(url) as db:
        db.add(Case(code="IMG9", imaging=True, status="active",
                    created_at=dt.datetime.now(dt.timezone.utc)))
    assert runner.invoke(app, ["import", "check", str(w), "--case", "IMG9"]).exit_code == 3
    r = runner.invoke(app, ["import", "check", str(w), "--case", "NOPE"])
    assert r.exit_code == 1 and "NOPE" in r.output


def test_bad_kind_is_named(tmp_path, enclave_home):
    f = tmp_path / "x.py"
    f.write_bytes(CLEAN_CODE)
    r = runner.invoke(app, ["import", "check", str(f), "--kind", "x.py=weights"])
    assert r.exit_code == 1 and "x.py=weights" in r.output
    r = runner.invoke(app, ["import", "check", str(tmp_path / "missing.py")])
    assert r.exit_code == 1 and "missing.py" in r.output
