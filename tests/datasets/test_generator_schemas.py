"""The generator (deterministic, valid codes, encodings) and the schema/policy contract (D1)."""
from __future__ import annotations

import json
import random
import re

import duckdb
import pandas as pd
import pytest

from datasets.load.sql import twid_ok
from datasets.schemas import FAMILIES, SchemaError, effective_actions
from datasets.schemas.nhi import DRUG_CODE, FEE_CODE, ICD10
from datasets.synthetic import generate
from deidentify.identifiers import taiwan_id
from policies import load_policy


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a = generate(tmp_path / "a", 300, seed=5, images=0)
    b = generate(tmp_path / "b", 300, seed=5, images=0)
    c = generate(tmp_path / "c", 300, seed=6, images=0)
    assert [f["sha256"] for f in a.files] == [f["sha256"] for f in b.files]
    assert [f["sha256"] for f in a.files] != [f["sha256"] for f in c.files]
    with pytest.raises(FileExistsError):
        generate(tmp_path / "a", 300, seed=5, images=0)


def test_codes_and_ids_are_valid(tiny_source):
    op = pd.concat(pd.read_csv(p, dtype=str) for p in tiny_source.glob("H_NHI_OPDTE_*.csv"))
    assert all(taiwan_id.is_valid(v) for v in op["ID"]) and all(taiwan_id.is_valid(v) for v in op["PRSN_ID"])
    assert all(re.fullmatch(ICD10, v) for v in op["ICD9CM_CODE"])
    oo = pd.concat(pd.read_csv(p, dtype=str) for p in tiny_source.glob("H_NHI_OPDTO_*.csv"))
    assert all(re.fullmatch(f"{DRUG_CODE}|{FEE_CODE}", v) for v in oo["DRUG_NO"])
    assert oo["DRUG_NO"].str.fullmatch(DRUG_CODE).any()
    en = pd.concat(pd.read_csv(p, dtype=str) for p in tiny_source.glob("H_NHI_ENROL_*.csv"))
    assert {taiwan_id.kind(v) for v in en["ID"]} == {"national", "resident_new", "resident_old"}
    manifest = json.loads((tiny_source / "MANIFEST.json").read_text())
    assert manifest["claim_rows"] >= 400


def test_big5_and_fixed_width_output(tmp_path):
    r = generate(tmp_path / "fw", 300, seed=3, images=0, encoding="big5", fixed_width=True)
    f = next(x for x in r.files if x["family"] == "H_NHI_OPDTE")
    data = (tmp_path / "fw" / f["file"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    lines = data.decode("big5").splitlines()
    assert len(lines) == f["rows"]
    assert {len(x) for x in lines} == {FAMILIES["H_NHI_OPDTE"].line_width}


def test_sql_checksum_equals_python_checksum():
    r = random.Random(9)
    vals = [taiwan_id.generate(r, f) for f in ("national", "resident_new", "resident_old") for _ in range(200)]
    vals += [v[:-1] + str((int(v[-1]) + 3) % 10) for v in vals[:200]]
    vals += ["A123456789", "A123456788", "a123456789", "AE23456789", "A1234567890", "12345678"]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in vals])
    got = dict(con.execute(f"SELECT v, {twid_ok('v')} FROM t").fetchall())
    # the loader is strict: lower-case letters are quarantined rather than silently normalised
    assert all(bool(got[v]) == (v == v.upper() and taiwan_id.checksum_ok(v)) for v in vals)
    assert not got["a123456789"] and got["A123456789"] and not got["A123456788"]


def test_policy_states_every_schema_action_and_cannot_keep_identifiers():
    # one source: the schema declares each column's action; a policy only overrides (issue 17)
    p = load_policy()
    acts = effective_actions(p)
    for fam in FAMILIES.values():
        for c in fam.columns:
            assert acts[fam.name][c.name] == c.action
            if c.pii:
                assert acts[fam.name][c.name] in ("drop", "recode", "scrub")

    def overriding(fam: str, col: str, action: str):
        cols = {f: dict(v) for f, v in p.data.columns.items()}
        cols.setdefault(fam, {})[col] = action
        return p.model_copy(update={"data": p.data.model_copy(update={"columns": cols})})

    with pytest.raises(SchemaError, match="H_NHI_OPDTE.NAME: 'keep' is not allowed"):
        effective_actions(overriding("H_NHI_OPDTE", "NAME", "keep"))
    with pytest.raises(SchemaError, match="unknown column 'NAMES'"):
        effective_actions(overriding("H_NHI_OPDTE", "NAMES", "drop"))
    tighter = overriding("H_NHI_OPDTE", "CITY", "drop")
    assert effective_actions(tighter)["H_NHI_OPDTE"]["CITY"] == "drop"
