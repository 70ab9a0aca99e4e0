"""D1: scan every byte of the warehouse and of two extracts for the source's identifiers.

The source set holds every D2 family (claims, enrollment, institutions, imaging, NHI-card and
lab/exam uploads, VPN upload batches, fee schedule and drug items) and both extracts take every
released column of each, so the scan covers all of them."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pydicom

from datasets import blob_crypto
from datasets.synthetic import read_truth
from tests.datasets.conftest import decrypted, decrypted_dicom

SCANNED_KINDS = ("person_id", "staff_id", "name", "phone", "address", "email", "institution_name",
                 "institution_id", "accession", "card_no", "vpn_batch")


def _dicom_text(data: bytes) -> str:
    ds = pydicom.dcmread(io.BytesIO(data))
    parts = []
    for el in list(ds.file_meta.iterall()) + list(ds.iterall()):
        if el.tag == (0x7FE0, 0x0010):
            continue
        parts.append(str(el.value))
    return "\n".join(parts)


def _parquet_text(path: Path, settings) -> str:
    t = decrypted(path, settings)   # the values, not the ciphertext (O3)
    out = [" ".join(t.schema.names), str(t.schema.metadata or "")]
    for col in t.columns:
        out.extend("" if v is None else str(v) for v in col.to_pylist())
    return "\n".join(out)


def _duckdb_text(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = [r[0] or "" for r in con.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall()]
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            for row in con.execute(f'SELECT * FROM "{name}"').fetchall():
                out.extend(str(v) for v in row)
    finally:
        con.close()
    return "\n".join(out)


def _texts_of_tree(root: Path, settings):
    """(file, decoded text) for every file: raw bytes as text, plus decoded values."""
    for d, _dirs, files in os.walk(root):
        for f in files:
            p = Path(d) / f
            raw = p.read_bytes()
            yield p, raw.decode("utf-8", "ignore")
            yield p, raw.decode("big5", "ignore")
            if p.suffix == ".parquet":
                yield p, _parquet_text(p, settings)
            elif p.suffix == ".duckdb":
                yield p, _duckdb_text(p)
            elif p.suffix == ".dcm":   # sealed at rest (O3): scan what it decrypts to
                sealed = raw.startswith(blob_crypto.MAGIC)   # the source's files are plain
                yield p, _dicom_text(decrypted_dicom(p, settings) if sealed else raw)


def _scan(root: Path, truth: dict[str, set[str]], settings=None) -> list[str]:
    hits = []
    needles = [(k, v) for k in SCANNED_KINDS for v in truth.get(k, ())]
    id_like = re.compile(r"[A-Z][A-D0-9]\d{8}")
    ids = truth["person_id"] | truth["staff_id"]
    for p, text in _texts_of_tree(root, settings):
        for m in id_like.findall(text):
            if m in ids:
                hits.append(f"{p}: national ID/resident number {m}")
        for kind, v in needles:
            if v and v in text:
                hits.append(f"{p}: {kind} {v!r}")
    return hits


def test_truth_covers_every_kind(loaded):
    _settings, _r, src = loaded
    truth = read_truth(src)
    for kind in SCANNED_KINDS:
        assert truth.get(kind), kind
    # all three ID forms are present in the source, so the scan covers resident numbers too
    from deidentify.identifiers.taiwan_id import kind as id_kind

    forms = {id_kind(v) for v in truth["person_id"]}
    assert forms == {"national", "resident_new", "resident_old"}
    # and the identifiers really are in the source files (the scan would find them there)
    assert _scan(src, {k: set(list(v)[:20]) for k, v in truth.items()}), "scanner finds nothing in the source"


def test_no_source_identifier_anywhere_in_warehouse_or_extracts(loaded):
    settings, _r, src = loaded
    truth = read_truth(src)
    hits = _scan(Path(settings.warehouse_dir), truth, settings)
    hits += _scan(Path(settings.projects_dir), truth, settings)
    assert not hits, "leaks:\n" + "\n".join(hits[:50])


def test_free_text_was_there_and_was_masked(loaded):
    """The source free text embeds names/IDs/phones; the warehouse keeps the text, masked."""
    from datasets.load import connect_release

    settings, r, src = loaded
    raw = "".join(p.read_text("utf-8") for p in src.glob("H_NHI_OPDTE_*.csv"))
    truth = read_truth(src)
    assert any(v in raw for v in truth["phone"]) and "自述" in raw
    con = connect_release(r, settings)
    texts = [t for (t,) in con.execute("SELECT CHIEF_COMPLAINT FROM H_NHI_OPDTE "
                                       "WHERE CHIEF_COMPLAINT IS NOT NULL").fetchall()]
    assert texts and any("<" in t for t in texts)


def test_lab_free_text_was_there_and_was_masked(loaded):
    """D2 lab/exam uploads: REPORT_TEXT in the source names patients, technicians, IDs, phones
    and e-mails; the warehouse keeps the comments, masked (the scan above finds none of them)."""
    import csv as _csv

    from datasets.load import connect_release

    settings, r, src = loaded
    truth = read_truth(src)
    texts = []
    for p in src.glob("H_LAB_RESULT_*.csv"):
        with open(p, encoding="utf-8") as f:
            texts += [row["REPORT_TEXT"] for row in _csv.DictReader(f) if row["REPORT_TEXT"]]
    found = {k for t in texts for k in ("person_id", "name", "phone", "email")
             if any(v in t for v in truth[k] if v)}
    assert found == {"person_id", "name", "phone", "email"}, found
    con = connect_release(r, settings)
    out = [t for (t,) in con.execute("SELECT REPORT_TEXT FROM H_LAB_RESULT "
                                     "WHERE REPORT_TEXT IS NOT NULL").fetchall()]
    assert len(out) == len(texts)
    for tag in ("<NAME>", "<PHONE>", "<EMAIL>", "<ID>"):
        assert any(tag in t for t in out), tag


def test_no_key_material_in_the_data(loaded):
    from datasets import keyring
    from deidentify import keys as K

    settings, r, _src = loaded
    master = keyring.master_key(settings, create=False)
    secrets = [master, K.release_key(master, r), K.case_key(master, "CASE-A"),
               master.hex().encode(), K.release_key(master, r).hex().encode()]
    for root in (Path(settings.warehouse_dir), Path(settings.projects_dir)):
        for d, _dirs, files in os.walk(root):
            for f in files:
                data = (Path(d) / f).read_bytes()
                for s in secrets:
                    assert s not in data, f"key material in {d}/{f}"
    assert not Path(settings.keys_dir).resolve().is_relative_to(Path(settings.warehouse_dir).resolve())


def test_no_insured_unit_or_employer_code_survives_as_a_value(loaded):
    """D1: the enrollment file's insured-unit codes and employers' tax IDs are re-coded.  They
    are 8-digit numbers, too short to scan for as substrings (dates and hex pseudonyms contain
    such runs), so every text value of every Parquet file is compared with them instead."""
    import duckdb

    settings, _r, src = loaded
    con = duckdb.connect()
    con.execute("CREATE TABLE codes AS SELECT DISTINCT v FROM ("
                "SELECT UNIT_ID AS v FROM read_csv(?, all_varchar=true) UNION ALL "
                "SELECT BAN FROM read_csv(?, all_varchar=true))",
                [str(src / "H_NHI_ENROL_*.csv")] * 2)
    assert con.execute("SELECT count(*) FROM codes").fetchall()[0][0] > 0
    hits, seen_enrol = [], False
    for root in (Path(settings.warehouse_dir), Path(settings.projects_dir)):
        for p in root.rglob("*.parquet"):
            t = decrypted(p, settings)   # O3: the files are encrypted at rest
            cols = [(f.name,) for f in t.schema if pa.types.is_string(f.type)]
            seen_enrol |= "ENROL" in str(p) and any(c == "UNIT_ID" for (c,) in cols)
            con.register("_t", t)
            for (c,) in cols:
                n = con.execute(f'SELECT count(*) FROM _t WHERE "{c}" IN '
                                f'(SELECT v FROM codes)').fetchall()[0][0]
                if n:
                    hits.append(f"{p}: {c} holds {n} source unit/employer codes")
    assert seen_enrol, "the enrollment file with UNIT_ID should be in the warehouse"
    assert not hits, hits
