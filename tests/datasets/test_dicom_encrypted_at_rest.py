"""O3 / SATRE encryption at rest (issue 15) for the DICOM files of releases and extracts: no
file holds a DICOM preamble or a header value; the case's broker (and only with its case's
key) returns the image to the session; a file copied to another release, case or name, or a
plain file planted where the policy requires encryption, is refused naming it; switched off,
the loader and the extract builder write plain DICOM."""
from __future__ import annotations

import contextlib
import io
import itertools
import os
import shutil
from pathlib import Path

import pydicom
import pytest

from datasets import blob_crypto as B
from datasets import dicom_crypto as DC
from datasets import keyring, parquet_crypto as PC
from datasets.extract import build_extract, connect_extract
from datasets.load import connect_release, load_release
from policies import current_policy
from tests.datasets.conftest import SYNTHETIC, decrypted_dicom, twin_home
from tests.services.broker import ListLog, broker_on_socket

AUTH = "token the-sessions-own-token"


def _policy(on: bool):
    p = current_policy()
    return p.model_copy(update={"data": p.data.model_copy(update={"encrypt_at_rest": on})})


def _dicoms(root: Path) -> list[Path]:
    return sorted(Path(root).rglob("*.dcm"))


def _header_values(data: bytes) -> set[str]:
    """Every text value of 8+ characters in the header (IDs, UIDs, dates, names, makers)."""
    ds = pydicom.dcmread(io.BytesIO(data))
    out = set()
    for el in list(ds.file_meta) + list(ds.iterall()):
        if el.tag == (0x7FE0, 0x0010) or el.VR in ("OB", "OW", "OF", "UN", "SQ"):
            continue
        vals = el.value if isinstance(el.value, (list, pydicom.multival.MultiValue)) else [el.value]
        out |= {str(v) for v in vals if len(str(v)) >= 8}
    return out


# ------------------------------------------------------------------ the format on its own
def test_sealed_dicom_round_trip_and_every_misuse_refused(tmp_path):
    master = os.urandom(32)
    a = PC.scope_for(master, PC.case_scope("A"), _policy(True))
    data = b"\0" * 128 + b"DICM" + os.urandom(3 * B.CHUNK // 2)
    f = tmp_path / "x.dcm"
    DC.write_file(f, data, a, "dicom/x.dcm")
    raw = f.read_bytes()
    assert raw.startswith(B.MAGIC) and b"DICM" not in raw[:200]
    assert DC.read_file(f, a, "dicom/x.dcm") == data
    # another case, another release, a renamed file, another master key: each named
    for scope, rel in [(PC.scope_for(master, PC.case_scope("B"), _policy(True)), "dicom/x.dcm"),
                       (PC.scope_for(master, PC.release_scope("A"), _policy(True)), "dicom/x.dcm"),
                       (a, "dicom/y.dcm"),
                       (PC.scope_for(os.urandom(32), PC.case_scope("A"), _policy(True)),
                        "dicom/x.dcm")]:
        with pytest.raises(DC.DicomKeyError, match=rf"{f}.*{scope.name}"):
            DC.read_file(f, scope, rel)
    # altered: a flipped byte in the header, in the first chunk, in the last; cut short; extended
    for bad in (raw[:20] + bytes([raw[20] ^ 1]) + raw[21:],
                raw[:5000] + bytes([raw[5000] ^ 1]) + raw[5001:],
                raw[:-3] + bytes([raw[-3] ^ 1]) + raw[-2:],
                raw[:len(raw) // 2], raw[:-1], raw + b"\0"):
        g = tmp_path / "bad.dcm"
        g.write_bytes(bad)
        with pytest.raises(DC.DicomKeyError, match=str(g)):
            DC.read_file(g, a, "dicom/x.dcm")
    # a plain file: refused where the policy requires encryption, read where it is off
    p = tmp_path / "p.dcm"
    p.write_bytes(data)
    with pytest.raises(DC.PlainDicomRefused, match=rf"{p} is not encrypted.*O3"):
        DC.read_file(p, a, "dicom/p.dcm")
    off = PC.scope_for(None, PC.case_scope("A"), _policy(False))
    assert DC.read_file(p, off, "dicom/p.dcm") == data
    with pytest.raises(DC.DicomKeyError, match="no key"):
        DC.read_file(f, off, "dicom/x.dcm")
    # names other than dicom/<name>.dcm are not DICOM files of the data
    for rel in ("../x.dcm", "dicom/../x.dcm", "/etc/passwd", "dicom/a/b.dcm", "x.dcm",
                "dicom/x.parquet", "dicom/.dcm", "dicom/x.dcm\0", "dicom/..dcm", "", None):
        with pytest.raises(PC.ParquetCryptoError, match="not a DICOM file"):
            DC.check_rel(rel)


# ------------------------------------------------------------------ a real load and extracts
def test_no_dicom_preamble_or_header_value_on_disk(loaded):
    settings, r, _src = loaded
    rel_files = _dicoms(settings.warehouse_dir / "releases" / r)
    ext_files = _dicoms(settings.projects_dir)
    assert len(rel_files) >= 2 and len(ext_files) >= 2
    values: set[str] = set()
    for f in rel_files + ext_files:
        values |= _header_values(decrypted_dicom(f, settings))
    assert len(values) >= 10
    every = [Path(d) / n for root in (settings.warehouse_dir, settings.projects_dir)
             for d, _, names in os.walk(root) for n in names]
    for f in every:
        data = f.read_bytes()
        assert data[128:132] != b"DICM", f   # no DICOM Part 10 file anywhere
    for f in rel_files + ext_files:
        data = f.read_bytes()
        assert data.startswith(B.MAGIC) and b"DICM" not in data, f
        for v in values:
            assert v.encode() not in data, f"{v!r} in {f}"
        with pytest.raises(pydicom.errors.InvalidDicomError):
            pydicom.dcmread(f)


def _case_key(settings, case: str) -> bytes:
    return PC.scope_kek(keyring.master_key(settings, create=False), PC.case_scope(case))


@pytest.fixture
def serve(tmp_path):
    """Run a CaseDatabase's broker app on a unix socket in a thread; yields a starter."""
    socks = (tmp_path / f"broker{i}.sock" for i in itertools.count())
    with contextlib.ExitStack() as running:
        def start(db) -> str:
            return running.enter_context(broker_on_socket(db, AUTH, next(socks)))

        yield start


def _broker(data: Path, settings, case: str):
    from hub_config.broker import CaseDatabase

    return CaseDatabase(data, ListLog(), max_rows=1000, max_bytes=50_000_000,
                        purpose_min_length=10, case_code=case,
                        data_key=_case_key(settings, case))


def test_the_session_reads_its_cases_image_through_the_broker(loaded, serve):
    from enclave.session import QueryError, connect

    settings, _r, _src = loaded
    data = settings.projects_dir / "CASE-A" / "data"
    db = _broker(data, settings, "CASE-A")
    con = connect("look at the chest CT images of aim 2", url=serve(db), authorization=AUTH)
    rows = con.sql("SELECT ID, DICOM_FILE FROM H_IMG_INDEX WHERE DICOM_FILE IS NOT NULL").fetchall()
    assert rows
    for pid, f in rows:
        ds = pydicom.dcmread(io.BytesIO(con.dicom(f)))
        assert ds.PatientID == pid and ds.pixel_array.shape == (256, 256)
    # in SQL too, and every read is in the log before it runs (A3)
    got = con.sql("SELECT DICOM_FILE, dicom_file(DICOM_FILE) AS img FROM H_IMG_INDEX "
                  "WHERE DICOM_FILE IS NOT NULL").fetchall()
    assert all(img[128:132] == b"DICM" for _f, img in got)
    assert sum(1 for r in db.log.records if r[0] == "query") == len(rows) + 2
    # the file itself, read by DuckDB, is the sealed blob
    f0 = rows[0][1]
    blob = con.sql(f"SELECT content FROM read_blob('{data / f0}')").fetchone()[0]
    assert blob.startswith(B.MAGIC)
    # nothing decrypted was written beside the extract
    assert not [p for p in data.rglob("*") if p.is_file() and p.read_bytes()[128:132] == b"DICM"]
    for bad in ("dicom/../extract.json", "../CASE-B/data/dicom/x.dcm", "dicom/nope.dcm"):
        with pytest.raises(QueryError, match="DICOM file"):
            con.dicom(bad)


def _copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    for d, _dirs, files in os.walk(dst):
        os.chmod(d, 0o755)
        for n in files:
            os.chmod(Path(d) / n, 0o644)
    return dst


def test_a_dicom_file_copied_to_another_case_or_release_fails_naming_it(loaded, serve, tmp_path):
    from enclave.session import QueryError, connect

    settings, r, _src = loaded
    a = settings.projects_dir / "CASE-A" / "data"
    # CASE-B's extract (a copy) with one image replaced by a file of CASE-A
    b = _copy_tree(settings.projects_dir / "CASE-B" / "data", tmp_path / "CASE-B" / "data")
    target = _dicoms(b)[0]
    shutil.copy(_dicoms(a)[0], target)
    rel = f"dicom/{target.name}"
    con = connect("look at the chest CT images of aim 2", url=serve(_broker(b, settings, "CASE-B")),
                  authorization=AUTH)
    with pytest.raises(QueryError, match=rf"{target.name} does not open with the key of case:CASE-B"):
        con.dicom(rel)
    # the other images of CASE-B still open
    assert con.dicom(f"dicom/{_dicoms(b)[1].name}")[128:132] == b"DICM"
    # a release's image copied under another release id does not open there either
    twin = twin_home(settings, tmp_path)
    dst = _copy_tree(settings.warehouse_dir / "releases" / r, twin.warehouse_dir / "releases" / "B1")
    meta = dst / "release.json"
    meta.write_text(meta.read_text().replace(f'"release": "{r}"', '"release": "B1"'))
    f = _dicoms(dst)[0]
    with pytest.raises(DC.DicomKeyError, match=rf"B1/dicom/{f.name} does not open.*release:B1"):
        DC.release_dicom("B1", f"dicom/{f.name}", twin)
    # and the release's own copy opens under its own id
    assert DC.release_dicom(r, f"dicom/{f.name}", settings)[128:132] == b"DICM"


def test_a_plain_dicom_planted_in_an_encrypted_release_or_extract_is_refused(loaded, serve,
                                                                            tmp_path):
    from enclave.session import QueryError, connect

    settings, r, _src = loaded
    twin = twin_home(settings, tmp_path)
    dst = _copy_tree(settings.warehouse_dir / "releases" / r, twin.warehouse_dir / "releases" / r)
    f = _dicoms(dst)[0]
    f.write_bytes(DC.release_dicom(r, f"dicom/{f.name}", settings))   # the plaintext, planted
    with pytest.raises(DC.PlainDicomRefused, match=rf"{r}/dicom/{f.name} is not encrypted.*O3"):
        DC.release_dicom(r, f"dicom/{f.name}", twin)
    # the extract builder refuses to copy it into a case (nothing is published)
    spec = {"release": r, "files": {"H_IMG_INDEX": {"columns": ["ID", "DICOM_FILE"]}}}
    with pytest.raises(DC.PlainDicomRefused, match=rf"dicom/{f.name} is not encrypted"):
        build_extract(spec, "PLANT", twin, k_override=SYNTHETIC)
    assert not (twin.projects_dir / "PLANT" / "data").exists()
    # the broker refuses a plain image planted in its case's extract, naming it
    data = _copy_tree(settings.projects_dir / "CASE-A" / "data", tmp_path / "CASE-A" / "data")
    g = _dicoms(data)[0]
    g.write_bytes(DC.extract_dicom("CASE-A", f"dicom/{g.name}", settings))
    con = connect("look at the chest CT images of aim 2",
                  url=serve(_broker(data, settings, "CASE-A")), authorization=AUTH)
    with pytest.raises(QueryError, match=rf"{g.name} is not encrypted"):
        con.dicom(f"dicom/{g.name}")


def test_switched_off_the_loader_and_builder_write_plain_dicom(tmp_path):
    """Both ways from one source: on seals every image, off writes DICOM Part 10; the images
    are the same.  Fails if either writer ignores the policy."""
    from datasets.synthetic import generate
    from enclave.settings import EnclaveSettings

    src = tmp_path / "src"
    generate(src, 300, seed=11, images=2)
    on = EnclaveSettings(home=tmp_path / "on")
    load_release(src, "R", on, policy=_policy(True))
    off = twin_home(on, tmp_path)
    load_release(src, "R", off, policy=_policy(False))
    spec = {"release": "R", "files": {"H_IMG_INDEX": {"columns": ["ID", "DICOM_FILE"]}}}
    build_extract(spec, "C1", on, policy=_policy(True), k_override=SYNTHETIC)
    build_extract(spec, "C1", off, policy=_policy(False), k_override=SYNTHETIC)
    for root_on, root_off, read in [
            (on.warehouse_dir / "releases" / "R", off.warehouse_dir / "releases" / "R",
             lambda s, rel, pol: DC.release_dicom("R", rel, s, pol)),
            (on.projects_dir / "C1" / "data", off.projects_dir / "C1" / "data",
             lambda s, rel, pol: DC.extract_dicom("C1", rel, s, pol))]:
        sealed, plain = _dicoms(root_on), _dicoms(root_off)
        assert sealed and [p.name for p in sealed] == [p.name for p in plain]
        for s, p in zip(sealed, plain):
            assert DC.is_sealed(s) and s.read_bytes()[128:132] != b"DICM"
            assert not DC.is_sealed(p) and p.read_bytes()[128:132] == b"DICM"
            rel = f"dicom/{p.name}"
            assert read(on, rel, _policy(True)) == read(off, rel, _policy(False)) == p.read_bytes()
            # switched back on, the plain file is refused (default deny)
            with pytest.raises(DC.PlainDicomRefused, match=rf"{p.name} is not encrypted"):
                read(off, rel, _policy(True))
    con = connect_extract("C1", on, policy=_policy(True))
    assert con.execute("SELECT count(*) FROM H_IMG_INDEX WHERE DICOM_FILE IS NOT NULL"
                       ).fetchone()[0] == len(_dicoms(on.projects_dir / "C1" / "data"))
    assert connect_release("R", off, policy=_policy(False)).execute(
        "SELECT count(*) FROM H_IMG_INDEX").fetchone()[0] >= 1


def test_egress_still_catches_an_original_image_of_a_sealed_extract(loaded, tmp_path,
                                                                    monkeypatch):
    """E5 compares exported files with the case's originals: it must compare with the images,
    not their sealed bytes (the egress service derives the case key from the master key)."""
    import numpy as np
    from PIL import Image

    from tests.egress_engine.conftest import by, make_request

    settings, _r, _src = loaded
    monkeypatch.setenv("ENCLAVE_HOME", str(settings.home))
    originals = settings.projects_dir / "CASE-A" / "data" / "dicom"
    f0 = _dicoms(originals)[0]
    image = DC.extract_dicom("CASE-A", f"dicom/{f0.name}", settings)
    arr = pydicom.dcmread(io.BytesIO(image)).pixel_array.astype(float)
    png = io.BytesIO()
    Image.fromarray((255 * (arr - arr.min()) / (np.ptp(arr) or 1)).astype(np.uint8)).save(png, "PNG")
    files = {"scan.dcm": image, "scan.png": png.getvalue(),
             "model.bin": os.urandom(64) + image + os.urandom(64)}
    entries = [{"path": "scan.dcm", "kind": "figure", "description": "d"},
               {"path": "scan.png", "kind": "figure", "description": "d"},
               {"path": "model.bin", "kind": "model", "description": "d"}]
    r = make_request(tmp_path / "req", files, entries, original_images_dir=originals)
    for name in files:
        assert by(r, check="imaging", file=name, severity="block"), name
