"""O3 / SATRE encryption at rest (issue 15): warehouse releases and case extracts are encrypted
Parquet; without the key neither pyarrow nor DuckDB reads them, no value is in the bytes, the
results are the same as from plain files, and a plain or foreign file is refused by name."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datasets import keyring, parquet_crypto as PC
from datasets.extract import build_extract, connect_extract
from datasets.load import connect_release, load_release
from policies import current_policy
from tests.datasets.conftest import SYNTHETIC, full_spec, twin_home

PLANTED = "PLANTED-plaintext-7f3a"


def _policy(on: bool):
    p = current_policy()
    return p.model_copy(update={"data": p.data.model_copy(update={"encrypt_at_rest": on})})


def test_round_trip_and_no_plaintext_on_disk(tmp_path):
    scope = PC.Scope(PC.case_scope("X"), PC.scope_kek(os.urandom(32), PC.case_scope("X")))
    t = pa.table({"s": [PLANTED] * 3 + ["other"], "n": [1, 2, 3, 4]})
    f = tmp_path / "t.parquet"
    PC.write_table(t, f, scope)
    assert PLANTED.encode() not in f.read_bytes() and PC.is_encrypted(f)
    assert PC.read_table(f, scope).equals(t)
    with pytest.raises(OSError):
        pq.read_table(f)
    with pytest.raises(duckdb.Error, match="encrypted"):
        duckdb.connect().execute(f"SELECT * FROM read_parquet('{f}')").fetchall()
    other = PC.Scope(PC.case_scope("X"), os.urandom(32))
    with pytest.raises(PC.WrongKeyError, match=str(f)):
        PC.read_table(f, other)
    with pytest.raises(PC.WrongKeyError, match="case:Y"):
        PC.read_table(f, PC.Scope(PC.case_scope("Y"), os.urandom(32)))


def test_warehouse_and_extracts_hold_no_value_in_their_bytes(loaded):
    """A value known to be in the release (a pseudonym, a scrubbed text) is nowhere on disk."""
    settings, r, _src = loaded
    con = connect_release(r, settings)
    values = [v for (v,) in con.execute("SELECT ID FROM H_NHI_OPDTE LIMIT 5").fetchall()]
    values += [v for (v,) in con.execute("SELECT CHIEF_COMPLAINT FROM H_NHI_OPDTE WHERE "
                                         "length(CHIEF_COMPLAINT) > 8 LIMIT 5").fetchall()]
    assert len(values) >= 6
    files = list(Path(settings.warehouse_dir).rglob("*.parquet")) + \
        list(Path(settings.projects_dir).rglob("*.parquet"))
    assert files
    for f in files:
        data = f.read_bytes()
        assert PC.is_encrypted(f), f
        for v in values:
            assert v.encode() not in data, f"{v!r} in {f}"
        with pytest.raises(OSError):
            pq.read_table(f)


def test_load_and_extract_give_the_same_results_on_and_off(tiny_source, settings, tmp_path):
    """The rule switched off writes plain files; the query results are the same either way."""
    load_release(tiny_source, "R", settings, policy=_policy(True))
    off = twin_home(settings, tmp_path)
    load_release(tiny_source, "R", off, policy=_policy(False))
    enc_files = list((settings.warehouse_dir / "releases" / "R").rglob("*.parquet"))
    plain_files = list((off.warehouse_dir / "releases" / "R").rglob("*.parquet"))
    assert all(PC.is_encrypted(f) for f in enc_files)
    assert not any(PC.is_encrypted(f) for f in plain_files)
    a = connect_release("R", settings, policy=_policy(True))
    b = connect_release("R", off, policy=_policy(False))
    fams = [t for (t,) in a.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                                    "AND view_name NOT LIKE '\\_%' ESCAPE '\\'").fetchall()]
    assert "H_NHI_OPDTE" in fams
    for fam in fams:
        cols = [c for (c, *_) in b.execute(f"DESCRIBE {fam}").fetchall()]
        q = f"SELECT {', '.join(cols)} FROM {fam} ORDER BY ALL"
        assert a.execute(q).fetchall() == b.execute(q).fetchall(), fam
    # the extracts of one case from each, both ways
    spec = full_spec()
    spec["files"] = {k: v for k, v in spec["files"].items() if k in fams}
    build_extract(dict(spec, release="R"), "ON-1", settings, policy=_policy(True), k_override=SYNTHETIC)
    build_extract(dict(spec, release="R"), "ON-1", off, policy=_policy(False),
                  k_override=SYNTHETIC)
    assert all(PC.is_encrypted(f) for f in (settings.projects_dir / "ON-1" / "data").glob("*.parquet"))
    assert not any(PC.is_encrypted(f) for f in (off.projects_dir / "ON-1" / "data").glob("*.parquet"))
    x = connect_extract("ON-1", settings, policy=_policy(True))
    y = connect_extract("ON-1", off, policy=_policy(False))
    for fam in spec["files"]:   # same case code and master key: the very same rows
        q = f"SELECT * FROM {fam} ORDER BY ALL"
        assert x.execute(q).fetchall() == y.execute(q).fetchall(), fam


def test_a_plain_or_foreign_file_is_refused_by_name(tiny_source, settings, tmp_path):
    load_release(tiny_source, "A1", settings)
    off = twin_home(settings, tmp_path)
    load_release(tiny_source, "PL", off, policy=_policy(False))
    # switched back on, the plain release is refused (default deny), naming a file
    with pytest.raises(PC.PlainFileRefused, match=r"PL/data/.*\.parquet is not encrypted.*O3"):
        connect_release("PL", off, policy=_policy(True))
    # a file of release A1 swapped into a copy under another release id does not open there
    src = settings.warehouse_dir / "releases" / "A1"
    dst = settings.warehouse_dir / "releases" / "B1"
    shutil.copytree(src, dst)
    meta = (dst / "release.json")
    os.chmod(dst, 0o755)
    os.chmod(meta, 0o644)
    meta.write_text(meta.read_text().replace('"release": "A1"', '"release": "B1"'))
    with pytest.raises(PC.WrongKeyError, match=r"B1/data/.*\.parquet.*release:A1"):
        connect_release("B1", settings)
    master = keyring.master_key(settings, create=False)
    assert PC.file_dek(next(src.rglob("*.parquet")), PC.scope_for(master, "release:A1", _policy(True)))
