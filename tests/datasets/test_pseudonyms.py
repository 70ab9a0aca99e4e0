"""D1/D3: keyed re-coding - equal to Python hmac, stable within a scope, unlinkable across scopes."""
from __future__ import annotations

import hashlib
import hmac
import random

import duckdb
import pandas as pd

from datasets import keyring
from datasets.extract import connect_extract
from datasets.load import connect_release, load_release
from deidentify import keys as K
from deidentify import recode as R
from deidentify.identifiers import taiwan_id


def test_sql_hmac_equals_python_hmac_and_key_is_not_in_sql_text():
    key = bytes(range(32))
    r = random.Random(3)
    ids = [taiwan_id.generate(r, f) for f in ("national", "resident_new", "resident_old") for _ in range(50)]
    sql = R.hmac_sql("v", "k", 64)
    assert key.hex() not in sql and "k_i" in sql
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[i] for i in ids])
    got = dict(con.execute(f"SELECT v, {sql} FROM t", R.pad_params(key, "k")).fetchall())
    for i in ids:
        assert got[i] == hmac.new(key, i.encode(), hashlib.sha256).hexdigest()
        assert got[i] == K.pseudonym(key, i, 64)


def _source_ids(src, family: str) -> pd.DataFrame:
    frames = [pd.read_csv(p, dtype=str) for p in sorted(src.glob(f"{family}_*.csv"))]
    return pd.concat(frames)


def test_warehouse_pseudonym_is_the_keyed_hmac_and_not_a_bare_hash(loaded):
    settings, r, src = loaded
    hexc = 32
    master = keyring.master_key(settings, create=False)
    rkey = K.release_key(master, r)
    enrol = _source_ids(src, "H_NHI_ENROL")
    some = enrol["ID"].iloc[0]
    con = connect_release(r, settings)
    got = {p for (p,) in con.execute("SELECT DISTINCT ID FROM H_NHI_ENROL").fetchall()}
    expected = K.pseudonym(rkey, some, hexc)
    assert expected in got
    # not reproducible without the key: a bare hash, a wrong key, the master key
    assert hashlib.sha256(some.encode()).hexdigest()[:hexc] not in got
    assert K.pseudonym(b"\0" * 32, some, hexc) not in got
    assert K.pseudonym(master, some, hexc) not in got
    assert K.pseudonym(K.release_key(master, "R2"), some, hexc) not in got


def test_same_id_same_pseudonym_across_families_within_release(loaded):
    settings, r, src = loaded
    master = keyring.master_key(settings, create=False)
    rkey = K.release_key(master, r)
    op = _source_ids(src, "H_NHI_OPDTE")
    pid = op["ID"].iloc[0]
    p = K.pseudonym(rkey, pid, 32)
    con = connect_release(r, settings)
    assert con.execute("SELECT count(*) FROM H_NHI_OPDTE WHERE ID = ?", [p]).fetchone()[0] == (op["ID"] == pid).sum()
    assert con.execute("SELECT count(*) FROM H_NHI_ENROL WHERE ID = ?", [p]).fetchone()[0] > 0
    # a physician's pseudonym uses another class key: never equal to a patient pseudonym
    phys = op["PRSN_ID"].iloc[0]
    assert con.execute("SELECT count(*) FROM H_NHI_OPDTE WHERE PRSN_ID = ?",
                       [K.pseudonym(keyring.class_key(rkey, "physician"), phys, 32)]).fetchone()[0] > 0
    assert con.execute("SELECT count(*) FROM H_NHI_OPDTE WHERE PRSN_ID = ?", [K.pseudonym(rkey, phys, 32)]).fetchone()[0] == 0


def test_pseudonyms_differ_across_releases(loaded, tmp_path):
    settings, r, src = loaded
    # a second delivery: one enrolment file, one row fewer (another file, so not a duplicate)
    src2 = tmp_path / "src2"
    src2.mkdir()
    lines = (src / "H_NHI_ENROL_2019.csv").read_bytes().splitlines(keepends=True)
    (src2 / "H_NHI_ENROL_2019.csv").write_bytes(b"".join(lines[:-1]))
    load_release(src2, "R2", settings)
    a = {p for (p,) in connect_release(r, settings).execute("SELECT ID FROM H_NHI_ENROL WHERE year = 2019").fetchall()}
    b = {p for (p,) in connect_release("R2", settings).execute("SELECT ID FROM H_NHI_ENROL").fetchall()}
    assert len(b) == len(lines) - 2
    assert not (a & b)


def test_pseudonyms_per_case_are_stable_inside_and_unlinkable_across_cases(loaded):
    settings, r, _src = loaded
    ca, cb = connect_extract("CASE-A", settings), connect_extract("CASE-B", settings)
    ids_a = {p for (p,) in ca.execute("SELECT ID FROM H_NHI_OPDTE").fetchall()}
    ids_b = {p for (p,) in cb.execute("SELECT ID FROM H_NHI_OPDTE").fetchall()}
    assert len(ids_a) == len(ids_b) > 10
    assert not (ids_a & ids_b)
    # within a case the same person keeps one pseudonym across families (joins work)
    assert ca.execute("SELECT count(DISTINCT o.ID) FROM H_NHI_OPDTE o JOIN H_NHI_ENROL e ON o.ID = e.ID").fetchone()[0] == len(ids_a)
    # and across the warehouse: the extract's ID is HMAC(case key, warehouse pseudonym)
    master = keyring.master_key(settings, create=False)
    w = {p for (p,) in connect_release(r, settings).execute("SELECT DISTINCT ID FROM H_NHI_OPDTE").fetchall()}
    assert {K.pseudonym(K.case_key(master, "CASE-A"), p, 32) for p in w} == ids_a
    # institution pseudonyms are re-keyed per case too
    ha = {p for (p,) in ca.execute("SELECT HOSP_ID FROM H_NHI_MEDFA").fetchall()}
    hb = {p for (p,) in cb.execute("SELECT HOSP_ID FROM H_NHI_MEDFA").fetchall()}
    assert ha and not (ha & hb)


def test_dicom_patient_id_follows_the_scope_key(loaded):
    import io

    import pydicom

    from datasets import dicom_crypto as DC

    settings, r, _src = loaded
    ca = connect_extract("CASE-A", settings)
    rows = ca.execute("SELECT ID, DICOM_FILE FROM H_IMG_INDEX").fetchall()
    assert rows
    for pid, f in rows:   # the files are sealed at rest with the case's / release's key (O3)
        ds = pydicom.dcmread(io.BytesIO(DC.extract_dicom("CASE-A", f, settings)))
        assert ds.PatientID == pid
    wr = connect_release(r, settings).execute("SELECT ID, DICOM_FILE FROM H_IMG_INDEX").fetchall()
    for pid, f in wr:
        assert pydicom.dcmread(io.BytesIO(DC.release_dicom(r, f, settings))).PatientID == pid
