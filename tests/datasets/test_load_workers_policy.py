"""The steward load's default worker count is a policy setting (``data.load_workers``, D1):
checked at load of the policy, used by ``enclave data load`` when ``--workers`` is not given,
and overridden by ``--workers``."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from datasets.cli import load_workers
from policies import PolicyError, load_policy
from policies.loader import POLICY_ROOT
from policies.sections.data import DataPolicy


def _policy_dir(tmp_path, yaml_text: str):
    d = tmp_path / "pol"
    d.mkdir(exist_ok=True)
    (d / "policy.yaml").write_text(f"name: t\nextends: {POLICY_ROOT / 'nhi_centre'}\n")
    (d / "data.yaml").write_text(yaml_text)
    return d


def test_one_process_unless_the_policy_says_otherwise(tmp_path):
    assert DataPolicy().load_workers == 1
    assert load_policy(POLICY_ROOT / "nhi_centre").data.load_workers == 1
    assert load_policy(_policy_dir(tmp_path, "load_workers: 4\n")).data.load_workers == 4


@pytest.mark.parametrize("value, reason", [
    ("0", "greater than or equal to 1"), ("-2", "greater than or equal to 1"),
    ("65", "less than or equal to 64"), ("many", "valid integer"), ("1.5", "valid integer"),
])
def test_a_bad_worker_count_fails_at_load_naming_the_key(tmp_path, value, reason):
    with pytest.raises(PolicyError) as e:
        load_policy(_policy_dir(tmp_path, f"load_workers: {value}\n"))
    assert "load_workers" in str(e.value) and reason in str(e.value), str(e.value)


def test_the_option_wins_over_the_policy(tmp_path, monkeypatch):
    monkeypatch.setenv("ENCLAVE_POLICY", str(_policy_dir(tmp_path, "load_workers: 3\n")))
    assert load_workers(None) == 3
    assert load_workers(1) == 1 and load_workers(5) == 5


def test_data_load_without_the_option_uses_the_policy_workers(tmp_path, monkeypatch, small_source):
    """A real load through the CLI: with ``data.load_workers: 2`` the files are spread over two
    worker processes (the report's parts), without naming them on the command line."""
    from enclave.cli.main import app

    pol = _policy_dir(tmp_path, "load_workers: 2\n")
    env = {"ENCLAVE_POLICY": str(pol), "ENCLAVE_HOME": str(tmp_path / "home")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    r = CliRunner().invoke(app, ["data", "load", str(small_source), "--release", "W2",
                                 "--no-audit", "--json"], env=env)
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert len(rep["parts"]) == 2 and rep["rows_loaded"] > 0
