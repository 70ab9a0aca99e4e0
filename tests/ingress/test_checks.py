"""The automatic import checks (D4) on disclosive and benign files."""
from __future__ import annotations

import io
import json
import struct
import tarfile

import pytest

from egress_review.ingress.checks import ImportInputError, ImportItem, check_import
from tests.ingress.conftest import CLEAN_CODE, national_ids, patient_csv, zip_of


def run(policy, *items, imaging=False):
    return check_import([ImportItem(*it) for it in items], imaging=imaging, policy=policy.egress)


def checks_of(result, severity="block"):
    return {f.check for f in result.findings if f.severity == severity}


def test_patient_csv_with_national_ids_blocks(policy):
    r = run(policy, ("cohort.csv", "reference", patient_csv()))
    assert r.verdict == "block"
    assert {"microdata", "identifiers"} <= checks_of(r)
    med = [f for f in r.findings if "Medical-record" in f.message_en]
    assert med and med[0].location["person_key"] == "ID"
    ids = [f for f in r.findings if f.check == "identifiers"]
    assert ids[0].location["column"] == "ID" and ids[0].location["row"] >= 1
    assert all(f.rule == "D4" and f.message_zh for f in r.findings)


def test_date_of_birth_column_blocks_even_without_ids(policy):
    data = b"sex,ID_BIRTHDAY,weight\nF,1970-03,55\nM,1982-11,70\nF,1990-01,61\n"
    r = run(policy, ("people.csv", "reference", data))
    assert r.verdict == "block"
    assert any(f.location.get("column") == "ID_BIRTHDAY" for f in r.findings)


def test_code_with_embedded_patient_list_blocks(policy):
    ids = national_ids(6)
    code = ("import pandas as pd\n\nCOHORT = [" + ", ".join(repr(i) for i in ids) + "]\n"
            "df = pd.DataFrame({'ID': COHORT})\n").encode()
    r = run(policy, ("select_cohort.py", "code", code))
    assert r.verdict == "block"
    assert {"identifiers", "smuggling"} <= checks_of(r)
    smug = [f for f in r.findings if f.check == "smuggling"]
    assert smug[0].location["line"] == 3 and "patient list" in smug[0].message_en


def test_code_with_encoded_blob_blocks(policy):
    import base64
    import os

    blob = base64.b64encode(os.urandom(300)).decode()
    code = f"DATA = '{blob}'\nprint(len(DATA))\n".encode()
    r = run(policy, ("helper.py", "code", code))
    assert r.verdict == "block" and "smuggling" in checks_of(r)


def test_hospital_list_blocks(policy):
    data = ("HOSP_ID,HOSP_NAME,AREA\n" + "\n".join(
        f"{1101010010 + i},{name},{i}" for i, name in enumerate(["台大醫院", "榮總醫院", "長庚醫院", "馬偕醫院"]))
        + "\n").encode("utf-8")
    r = run(policy, ("hospitals.csv", "reference", data))
    assert r.verdict == "block"
    inst = [f for f in r.findings if f.check == "institutions"]
    assert {f.location.get("column") for f in inst} >= {"HOSP_ID", "HOSP_NAME"}
    assert any("institution names or codes" in f.message_en for f in inst)


def test_institution_names_in_plain_text_block(policy):
    text = "Sites:\n台大醫院\n榮總醫院\n長庚醫院\n".encode()
    r = run(policy, ("sites.txt", "reference", text))
    assert r.verdict == "block" and "institutions" in checks_of(r)


def test_zip_with_id_list_blocks_and_names_the_member(policy):
    ids = "\n".join(national_ids(5)).encode()
    nested = zip_of({"deep/ids.txt": ids})
    r = run(policy, ("bundle.zip", "reference", zip_of({"readme.md": b"# lookup\n", "inner.zip": nested})))
    assert r.verdict == "block"
    hits = [f for f in r.findings if f.check == "identifiers"]
    assert hits and hits[0].location["member"] == "bundle.zip!inner.zip!deep/ids.txt"
    assert hits[0].file == "bundle.zip"


def test_tar_gz_with_id_list_blocks(policy):
    buf = io.BytesIO()
    data = ("ID\n" + "\n".join(national_ids(4)) + "\n").encode()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        info = tarfile.TarInfo("labels/ids.csv")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    r = run(policy, ("labels.tar.gz", "reference", buf.getvalue()))
    assert r.verdict == "block" and "microdata" in checks_of(r)


def test_zip_bomb_refused_without_unpacking_it(policy):
    bomb = zip_of({"zeros.bin": b"\0" * 20_000_000})
    assert len(bomb) < 100_000
    r = run(policy, ("weights.zip", "reference", bomb))
    assert r.verdict == "block"
    f = [f for f in r.findings if f.check == "archive"][0]
    assert "zip bomb" in f.message_en and f.location["entry"] == "zeros.bin"


def test_zip_bomb_with_lying_header_and_total_cap(policy):
    # Many members each under the ratio cap but together over the unpacked-bytes cap.
    pol = policy.model_copy(update={"egress": policy.egress.model_copy(update={
        "import_max_unpacked_bytes": 1_000_000, "import_max_compression_ratio": 1000.0})})
    members = {f"part{i}.txt": b"a" * 300_000 for i in range(5)}
    r = run(pol, ("parts.zip", "reference", zip_of(members)))
    assert r.verdict == "block" and "exceeds the cap" in r.findings[0].message_en


def test_archive_path_traversal_and_depth_refused(policy):
    r = run(policy, ("evil.zip", "code", zip_of({"../../etc/cron.d/x": b"* * * * * root true\n"})))
    assert r.verdict == "block" and "escapes the archive" in r.findings[0].message_en
    deep = b"print(1)\n"
    for i in range(5):
        deep = zip_of({f"l{i}.zip" if i else "a.py": deep})
    r = run(policy, ("deep.zip", "code", deep))
    assert r.verdict == "block" and any("nested" in f.message_en for f in r.findings)


def test_model_weights_block_for_non_imaging_case(policy):
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    st = struct.pack("<Q", len(header)) + header + b"\0" * 8
    r = run(policy, ("resnet.safetensors", "model", st))
    assert r.verdict == "block"
    assert "Only imaging cases" in r.findings[0].message_en
    # Declaring weights as "code" does not get round the gate: the format decides.
    r = run(policy, ("resnet.onnx", "code", b"\x08\x07\x12\x04onnx"))
    assert r.verdict == "block" and "kind" in checks_of(r)
    # Nor does hiding them in an archive.
    r = run(policy, ("model.zip", "reference", zip_of({"resnet.onnx": b"\x08\x07\x12\x04onnx"})))
    assert r.verdict == "block" and "kind" in checks_of(r)


def test_model_weights_for_imaging_case_go_to_committee(policy):
    header = json.dumps({"__metadata__": {"arch": "resnet18"},
                         "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    st = struct.pack("<Q", len(header)) + header + b"\0" * 8
    r = run(policy, ("resnet.safetensors", "model", st), imaging=True)
    assert r.verdict == "review" and r.committee
    # A pickle-based model is flagged (loading it runs code) - still review, not pass.
    r = run(policy, ("model.pkl", "model", b"\x80\x04\x95\x10\x00\x00\x00"), imaging=True)
    assert r.verdict == "review" and "binary" in checks_of(r, "review")


def test_weights_carrying_national_ids_block_even_for_imaging(policy):
    ids = national_ids(3)
    payload = b"\x80\x04" + b"\x00".join(i.encode() for i in ids) + b"\x00" * 64
    r = run(policy, ("model.bin", "model", payload), imaging=True)
    assert r.verdict == "block" and "identifiers" in checks_of(r)


def test_training_set_only_for_imaging(policy):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (16, 16), 100).save(buf, "PNG")
    ts = zip_of({"img/0001.png": buf.getvalue(), "labels.csv": b"file,label\nimg/0001.png,1\n"})
    assert run(policy, ("xray.zip", "training_set", ts)).verdict == "block"
    r = run(policy, ("xray.zip", "training_set", ts), imaging=True)
    assert r.verdict == "review" and r.committee


def test_dicom_with_patient_name_blocks(policy):
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("x.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.PatientName = "Chen^Mei"
    ds.PatientID = "12345"
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    r = run(policy, ("set.zip", "training_set", zip_of({"a.dcm": buf.getvalue()})), imaging=True)
    assert r.verdict == "block"
    d = [f for f in r.findings if f.check == "dicom"][0]
    assert "PatientName" in d.location["elements"]


def test_executable_blocks(policy):
    elf = b"\x7fELF\x02\x01\x01" + b"\0" * 100
    r = run(policy, ("tool", "code", elf))
    assert r.verdict == "block" and "binary" in checks_of(r)
    r = run(policy, ("tools.zip", "code", zip_of({"bin/run.exe": b"MZ\x90\x00" + b"\0" * 60})))
    assert r.verdict == "block"


def test_clean_code_and_reference_pass(policy):
    lookup = b"icd10,chapter\nE11,Endocrine\nI10,Circulatory\nJ45,Respiratory\n"
    r = run(policy, ("preprocess.py", "code", CLEAN_CODE), ("icd_chapters.csv", "reference", lookup),
            ("bundle.zip", "code", zip_of({"pkg/util.py": CLEAN_CODE})))
    assert r.verdict == "pass", [f.message_en for f in r.findings]
    assert [f.verdict for f in r.files] == ["pass", "pass", "pass"]


def test_bad_input_is_named(policy):
    with pytest.raises(ImportInputError, match=r"'x.py'.*kind 'weights'"):
        run(policy, ("x.py", "weights", b""))
    with pytest.raises(ImportInputError, match="listed twice"):
        run(policy, ("x.py", "code", b""), ("x.py", "code", b""))


def test_weights_hidden_in_a_code_archive_still_need_the_committee(policy):
    r = run(policy, ("tools.zip", "code", zip_of({"prep.py": CLEAN_CODE, "w/net.onnx": b"\x08\x07onnx"})),
            imaging=True)
    assert r.verdict == "review" and r.committee


def test_hospital_list_in_a_workbook_blocks(policy, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["site", "beds"])
    for name in ("台大醫院", "榮總醫院", "長庚醫院"):
        ws.append([name, 500])
    wb.save(tmp_path / "sites.xlsx")
    r = run(policy, ("sites.xlsx", "reference", (tmp_path / "sites.xlsx").read_bytes()))
    assert r.verdict == "block" and "institutions" in checks_of(r)


def test_notebook_with_patient_output_blocks(policy):
    ids = national_ids(3)
    nb = {"cells": [{"cell_type": "code", "source": "df.head()", "outputs": [
        {"output_type": "stream", "text": "\n".join(ids)}]}], "metadata": {}, "nbformat": 4}
    r = run(policy, ("explore.ipynb", "code", json.dumps(nb).encode()))
    assert r.verdict == "block" and "identifiers" in checks_of(r)


def test_gzip_and_workbook_bombs_refused(policy):
    import gzip

    gz = gzip.compress(b"\0" * 20_000_000)
    r = run(policy, ("labels.csv.gz", "reference", gz))
    assert r.verdict == "block" and "zip bomb" in r.findings[0].message_en
    # an .xlsx is read by the table reader, not unpacked: its declared sizes are capped instead
    book = zip_of({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b" " * 20_000_000})
    r = run(policy, ("big.xlsx", "reference", book))
    assert r.verdict == "block" and r.findings[0].check == "archive"


def test_names_list_blocks_a_single_name_goes_to_review(policy):
    roster = "姓名,年齡\n陳小明,45\n林美華,38\n王大同,60\n".encode()
    r = run(policy, ("roster.csv", "reference", roster))
    assert r.verdict == "block"
    assert any(f.location.get("column") == "姓名" for f in r.findings if f.severity == "block")
    names = "participants:\n陳小明\n李志明\n張淑芬\n".encode()
    r = run(policy, ("notes.txt", "reference", names))
    assert r.verdict == "block" and any("personal names" in f.message_en for f in r.findings)
    r = run(policy, ("prep.py", "code", "# author: 陳小明\nx = 1\n".encode()))
    assert r.verdict == "review"


def test_phone_and_address_block(policy):
    text = "聯絡電話 0912-345-678\n地址 台北市中正區重慶南路一段122號\n".encode()
    r = run(policy, ("contact.txt", "reference", text))
    assert r.verdict == "block"
    assert {f.message_en.split("(")[1].split(":")[0] for f in r.findings} >= {"phone", "address"}


def test_utf16_patient_list_and_parquet_block(policy, tmp_path):
    import pandas as pd

    r = run(policy, ("cohort.csv", "reference", patient_csv().decode().encode("utf-16")))
    assert r.verdict == "block" and "microdata" in checks_of(r)
    pd.DataFrame({"ID": national_ids(4), "n": [1, 2, 3, 4]}).to_parquet(tmp_path / "p.parquet")
    r = run(policy, ("p.parquet", "reference", (tmp_path / "p.parquet").read_bytes()))
    assert r.verdict == "block" and "microdata" in checks_of(r)


def test_training_image_metadata_with_national_id_blocks(policy):
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"patient {national_ids(1)[0]}")
    buf = io.BytesIO()
    Image.new("L", (16, 16), 80).save(buf, "PNG", pnginfo=info)
    r = run(policy, ("set.zip", "training_set", zip_of({"img/1.png": buf.getvalue()})), imaging=True)
    assert r.verdict == "block"
    f = [f for f in r.findings if f.check == "identifiers" and f.location.get("part") == "image metadata"][0]
    assert f.location["member"] == "set.zip!img/1.png" and f.severity == "block"
