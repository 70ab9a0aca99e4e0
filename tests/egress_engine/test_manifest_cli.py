"""Manifest validation, policy-driven thresholds, safe_tables helpers and the offline CLI."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from egress_review.engine import check_request
from egress_review.manifest import ManifestError, dump_manifest, load_manifest, parse_manifest
from egress_review.safe_tables import count, describe, rate
from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import KEY, by

GOOD = {"version": 1, "case_code": "R1", "purpose": "p",
        "files": [{"path": "t.csv", "kind": "table", "description": "d",
                   "columns": {"age": {"role": "group"}, "n": {"role": "count"}}}]}


@pytest.mark.parametrize("path", ["../etc/passwd", "/etc/passwd", "a/../../b.csv", "C:\\x.csv"])
def test_manifest_refuses_escaping_paths(path):
    bad = json.loads(json.dumps(GOOD))
    bad["files"][0]["path"] = path
    with pytest.raises(ManifestError, match=r"files\[0\].*path"):
        parse_manifest(bad, "m.yaml")


def test_manifest_errors_name_file_and_key(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("version: 1\ncase_code: R1\npurpose: p\nfiles:\n"
                 "  - {path: t.csv, kind: table, description: d, columns: {n: {role: cnt}}}\n")
    with pytest.raises(ManifestError) as e:
        load_manifest(p)
    assert "m.yaml" in str(e.value) and "files[0] (t.csv).columns.n.role" in str(e.value)
    p.write_text("version: 2\ncase_code: R1\npurpose: p\nfiles: []\n")
    with pytest.raises(ManifestError, match="version: unsupported manifest version 2"):
        load_manifest(p)
    p.write_text("version: 1\nfiles: [\n")
    with pytest.raises(ManifestError, match=r"m.yaml: line \d+ column \d+: invalid YAML"):
        load_manifest(p)
    j = tmp_path / "m.json"
    j.write_text(json.dumps({**GOOD, "purpose": ""}))
    with pytest.raises(ManifestError, match="purpose"):
        load_manifest(j)
    stat = json.loads(json.dumps(GOOD))
    stat["files"][0]["columns"]["m"] = {"role": "statistic"}
    with pytest.raises(ManifestError, match="needs 'statistic'"):
        parse_manifest(stat)


def test_manifest_round_trip(tmp_path):
    m = parse_manifest(GOOD)
    (tmp_path / "m.yaml").write_text(dump_manifest(m))
    assert load_manifest(tmp_path / "m.yaml") == m


def test_threshold_comes_from_policy(tmp_path):
    (tmp_path / "t.csv").write_text("age,n\na,10\nb,100\n")
    m = parse_manifest(GOOD)
    assert check_request(m, tmp_path, policy=EgressPolicy()).verdict in ("pass", "review")
    strict = EgressPolicy(min_units_per_cell=11)
    r = check_request(m, tmp_path, policy=strict)
    assert [f.location["row"] for f in by(r, check="threshold", severity="block")] == [1]


def test_zero_cell_is_review_not_block(tmp_path):
    (tmp_path / "t.csv").write_text("age,n\na,0\nb,100\nc,300\n")
    r = check_request(parse_manifest(GOOD), tmp_path, policy=EgressPolicy(max_cells_per_unit=1))
    assert r.verdict == "review" and r.files[0].verdict == "review"


def _cohort(n=2000, seed=5):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"ID": np.arange(n).astype(str), "sex": rng.choice(["M", "F"], n),
                         "dm": rng.random(n) < 0.3, "cost": rng.gamma(2, 100, n)})


def test_safe_tables_count_rate_describe_pass(tmp_path):
    df = _cohort()
    entries = []
    for name, t in (("c.csv", count(df, "sex", unit="ID")), ("r.csv", rate(df, "sex", "dm", unit="ID")),
                    ("d.csv", describe(df, "cost", by="sex", unit="ID"))):
        t.save(tmp_path / name, key=KEY)
        entries.append(t.manifest_entry(name, name))
    assert "min" not in describe(df, "cost").table.columns
    m = parse_manifest({"version": 1, "case_code": "R1", "purpose": "p", "files": entries})
    r = check_request(m, tmp_path, policy=EgressPolicy(), provenance_key=KEY)
    assert r.verdict in ("pass", "review"), [(f.check, f.message_en) for f in r.findings]
    assert not [f for f in r.findings if f.severity == "block"]


def test_cli_check_json_matches_engine(tmp_path):
    from enclave.cli.main import app

    (tmp_path / "t.csv").write_text("age,n\na,5\nb,100\n")
    (tmp_path / "m.yaml").write_text(dump_manifest(parse_manifest(GOOD)))
    res = CliRunner().invoke(app, ["egress", "check", str(tmp_path / "m.yaml"), "--json"])
    assert res.exit_code == 4, res.output
    out = json.loads(res.stdout)
    assert out["verdict"] == "block"
    assert out["findings"][0]["location"]["cell"] == "B2"
    direct = check_request(parse_manifest(GOOD), tmp_path).to_dict()
    assert [f["message_en"] for f in out["findings"]] == [f["message_en"] for f in direct["findings"]]


def test_cli_history_dir_catches_differencing(tmp_path):
    from enclave.cli.main import app

    old = tmp_path / "history" / "req1"
    old.mkdir(parents=True)
    (old / "b.csv").write_text("age,n\n20-29,43\n30-39,110\n")
    (old / "manifest.yaml").write_text(dump_manifest(parse_manifest(
        {**GOOD, "files": [{**GOOD["files"][0], "path": "b.csv"}]})))
    req = tmp_path / "req"
    req.mkdir()
    (req / "a.csv").write_text("age,sex,n\n20-29,M,\n20-29,F,40\n30-39,M,50\n30-39,F,60\n")
    (req / "m.yaml").write_text(dump_manifest(parse_manifest({**GOOD, "files": [
        {"path": "a.csv", "kind": "table", "description": "d",
         "columns": {"age": {"role": "group"}, "sex": {"role": "group"}, "n": {"role": "suppressed"}}}]})))
    res = CliRunner().invoke(app, ["egress", "check", str(req / "m.yaml"), "--json",
                                   "--history", str(tmp_path / "history")])
    out = json.loads(res.stdout)
    assert any(f["check"] == "differencing" and f["location"].get("interval") == [3.0, 3.0]
               for f in out["findings"])
    plain = CliRunner().invoke(app, ["egress", "check", str(req / "m.yaml")])
    assert plain.exit_code in (0, 3), plain.output


def test_cli_bare_files_and_bad_input(tmp_path):
    from enclave.cli.main import app

    (tmp_path / "t.csv").write_text("age,n\na,<5\nb,100\n")
    res = CliRunner().invoke(app, ["egress", "check", str(tmp_path / "t.csv"), "--json",
                                   "--root", str(tmp_path)])
    assert res.exit_code == 4 and json.loads(res.stdout)["findings"][0]["rule"] == "E6"
    missing = CliRunner().invoke(app, ["egress", "check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1


def test_cli_prints_the_table_with_flagged_cells_marked(tmp_path):
    from enclave.cli.main import app

    (tmp_path / "t.csv").write_text("age,n\na,3\nb,100\nc,250\n")
    res = CliRunner().invoke(app, ["egress", "check", str(tmp_path / "t.csv"), "--root",
                                   str(tmp_path)], env={"COLUMNS": "160"})
    assert res.exit_code == 4
    lines = res.output.splitlines()
    row = next(l for l in lines if "│   1 │" in l)           # the table itself, row 1
    assert "3 [1]" in row                                     # flagged cell, finding no. 1
    assert not any("3 [" in l for l in lines if "│   2 │" in l)
    finding = next(l for l in lines if l.startswith("│ 1 │"))
    assert "threshold" in finding and "cell B2" in finding and "block" in finding
    assert "{" not in res.output                              # not a raw dict


def test_precheck_of_a_table_loads_no_text_scanner(tmp_path):
    """``enclave egress check`` on a table imports neither the other areas of the CLI
    (databases: sqlalchemy) nor Presidio, spaCy, jieba or scipy.optimize: they made the pre-check
    slow to start (the time itself is measured in bench/egress_vs_acro.py)."""
    import subprocess
    import sys

    (tmp_path / "t.csv").write_text("age,sex,n\na,M,30\na,F,40\nb,M,50\nb,F,60\n")

    def run(target):
        # exactly what the console script does: argv[0] is the 'enclave' script
        code = ("import sys, atexit\n"
                f"sys.argv = ['/usr/local/bin/enclave', 'egress', 'check', {str(target)!r}, "
                f"'--root', {str(tmp_path)!r}]\n"
                "heavy = ('sqlalchemy', 'presidio_analyzer', 'spacy', 'jieba', 'scipy.optimize')\n"
                "atexit.register(lambda: print('LOADED', sorted({m for m in sys.modules "
                "if m in heavy or m.split('.')[0] in heavy[:4]})))\n"
                "import enclave.cli.main\n")
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    out = run(tmp_path / "t.csv")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Request verdict: pass" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "LOADED []", out.stdout[-500:]
    # a small cell: the suppression audit's max flows run without scipy on a table this size
    (tmp_path / "s.csv").write_text("age,sex,n\na,M,30\na,F,3\nb,M,50\nb,F,60\nc,M,44\nc,F,41\n")
    out = run(tmp_path / "s.csv")
    assert out.returncode == 4, out.stdout + out.stderr
    loaded = out.stdout.strip().splitlines()[-1]
    assert loaded == "LOADED []", loaded
    probe = ("import sys, atexit\n"
             "atexit.register(lambda: print('SCIPY', any(m.startswith('scipy') for m in sys.modules)))\n"
             f"sys.argv = ['/usr/local/bin/enclave', 'egress', 'check', {str(tmp_path / 's.csv')!r}, "
             f"'--root', {str(tmp_path)!r}]\nimport enclave.cli.main\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "SCIPY False", out.stdout[-800:]
    # 'python -m enclave.cli.main egress ...' takes the same short path (no databases)
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "enclave.cli.main", "egress",
                          "check", str(tmp_path / "t.csv"), "--root", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr[-2000:]
    assert "sqlalchemy" not in out.stderr and "hub_config" not in out.stderr
    # text with a national ID still gets the full scanner (the prefilter lets it through)
    (tmp_path / "notes.txt").write_text("patient A123456789 seen\n")
    out2 = run(tmp_path / "notes.txt")
    assert out2.returncode == 4, out2.stdout + out2.stderr
