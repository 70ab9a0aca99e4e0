"""D2: every file family is offered.  The NHI-card uploads, lab/exam results, VPN upload batches
and the fee-schedule / drug-item reference files are generated, validated, de-identified,
quarantined and extracted like the claim files (the leak scan in test_leak_scan.py covers them)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from datasets import keyring
from datasets.extract import ExtractError, build_extract, build_extract_report, connect_extract
from datasets.load import connect_release, load_release
from datasets.schemas import FAMILIES, REFERENCE_FAMILIES
from datasets.synthetic import generate, vocab
from deidentify import keys as K
from deidentify.identifiers import taiwan_id
from tests.datasets.test_loader_bad_input import _edit, _quarantine
from tests.datasets.conftest import decrypted

SYNTHETIC = "synthetic test data, no real persons (D3 override for the fixture)"

NEW = ("H_IC_UPLOAD", "H_LAB_RESULT", "H_VPN_UPLOAD", "H_NHI_FEESCH", "H_NHI_DRUGITEM")
# RULES.md D2, family by family
D2 = {
    "claims: outpatient, inpatient, pharmacy (summary/detail/orders)":
        ("H_NHI_OPDTE", "H_NHI_OPDTO", "H_NHI_IPDTE", "H_NHI_IPDTO", "H_NHI_DRUGE", "H_NHI_DRUGO"),
    "enrollment": ("H_NHI_ENROL",),
    "NHI-card uploads": ("H_IC_UPLOAD",),
    "lab/exam uploads including medical images": ("H_LAB_RESULT", "H_IMG_INDEX"),
    "VPN uploads": ("H_VPN_UPLOAD",),
    "contracted institutions": ("H_NHI_MEDFA",),
    "benefit-item and fee-schedule files": ("H_NHI_FEESCH", "H_NHI_DRUGITEM"),
}


def _source(src: Path, fam: str, years=None) -> pd.DataFrame:
    files = sorted(src.glob(f"{fam}_*.csv")) or [src / f"{fam}.csv"]
    if years is not None:
        files = [p for p in files if any(p.stem.endswith(str(y)) for y in years)]
    return pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in files],
                     ignore_index=True)


def _release_dir(settings, r) -> Path:
    return Path(settings.warehouse_dir) / "releases" / r


def test_every_d2_family_has_a_schema_and_is_loaded_and_reconciled(loaded):
    settings, r, src = loaded
    assert sorted(f for fams in D2.values() for f in fams) == sorted(FAMILIES)
    meta = json.loads((_release_dir(settings, r) / "release.json").read_text())
    assert set(meta["families"]) == set(FAMILIES)
    rep = json.loads((_release_dir(settings, r) / "_load" / "report.json").read_text())
    assert rep["reconciled"] and all(f["read"] == f["loaded"] + f["quarantined"] for f in rep["files"])
    con = connect_release(r, settings)
    for fam in NEW:
        files = [f for f in rep["files"] if f["family"] == fam]
        assert sum(f["read"] for f in files) == len(_source(src, fam)) > 0, fam
        assert con.execute(f"SELECT count(*) FROM {fam}").fetchone()[0] == sum(f["loaded"] for f in files)
    # yearly families are partitioned by year, reference files are one file each
    data = _release_dir(settings, r) / "data"
    for fam in ("H_IC_UPLOAD", "H_LAB_RESULT", "H_VPN_UPLOAD"):
        assert sorted(p.name for p in (data / fam).iterdir()) == ["year=2019", "year=2020", "year=2021"]
        assert sorted(f["year"] for f in rep["files"] if f["family"] == fam) == ["2019", "2020", "2021"]
    for fam in REFERENCE_FAMILIES:
        assert [p.name for p in (data / fam).iterdir()] == [f"{fam}.parquet"]


def test_generated_sizes_follow_the_claims_and_records_agree(loaded):
    """Card uploads are a quarter of the outpatient visits, lab results a fraction of the claim
    rows, VPN batches count the claims really written; the reference files cover the codes used."""
    _settings, _r, src = loaded
    manifest = json.loads((src / "MANIFEST.json").read_text())
    rows = {}
    for f in manifest["files"]:
        rows[f["family"]] = rows.get(f["family"], 0) + f["rows"]
    visits = rows["H_NHI_OPDTE"]
    assert 0.18 * visits < rows["H_IC_UPLOAD"] < 0.32 * visits
    assert 0 < rows["H_LAB_RESULT"] < 0.12 * manifest["claim_rows"]
    assert 0 < rows["H_VPN_UPLOAD"] < visits
    assert len(vocab.FEE_SCHEDULE) <= rows["H_NHI_FEESCH"] <= 2 * len(vocab.FEE_SCHEDULE)
    op = _source(src, "H_NHI_OPDTE")
    # every card record is one of the outpatient visits (same person, place, day, diagnosis)
    card = _source(src, "H_IC_UPLOAD")
    key = ["ID", "HOSP_ID", "DATE", "DX"]
    visits_k = op.rename(columns={"FUNC_DATE": "DATE", "ICD9CM_CODE": "DX"})[key].drop_duplicates()
    card_k = card.rename(columns={"CARD_DATE": "DATE", "ICD_CODE_1": "DX"})[key]
    assert len(card_k.merge(visits_k, on=key)) == len(card_k)
    assert all(taiwan_id.is_valid(v) for v in card["ID"])
    assert card["CARD_NO"].str.fullmatch(r"[0-9]{12}").all()
    assert card.groupby("ID")["CARD_NO"].nunique().max() == 1
    # accepted outpatient VPN batches count exactly the outpatient claims of that month
    vpn = _source(src, "H_VPN_UPLOAD")
    vop = vpn[(vpn["DATA_TYPE"] == "11") & (vpn["STATUS"] != "3")]
    claims = op.groupby(["HOSP_ID", "FEE_YM"]).size()
    assert len(vop) == len(claims)
    assert all(int(rc) == claims[(h, ym)] for h, ym, rc in zip(vop["HOSP_ID"], vop["FEE_YM"], vop["RECORD_COUNT"]))
    # the codes the orders and lab results use are in the reference files
    fee_codes = set(_source(src, "H_NHI_FEESCH")["FEE_CODE"])
    drug_codes = set(_source(src, "H_NHI_DRUGITEM")["DRUG_NO"])
    assert set(_source(src, "H_LAB_RESULT")["ORDER_CODE"]) <= fee_codes
    orders = _source(src, "H_NHI_OPDTO")["DRUG_NO"]
    assert set(orders[orders.str.len() == 10]) <= drug_codes
    assert set(orders[orders.str.len() == 6]) <= fee_codes


def test_card_lab_and_vpn_identifiers_are_recoded_and_generalised(loaded):
    settings, r, src = loaded
    rkey = K.release_key(keyring.master_key(settings, create=False), r)
    con = connect_release(r, settings)
    cols = [c for (c, *_rest) in con.execute("DESCRIBE H_IC_UPLOAD").fetchall()]
    assert "CARD_NO" not in cols and "ID" in cols
    card = _source(src, "H_IC_UPLOAD").iloc[0]
    row = con.execute("SELECT ID, PRSN_ID, HOSP_ID, ID_BIRTHDAY, CARD_TIME FROM H_IC_UPLOAD "
                      "WHERE ID = ? AND PRSN_ID = ? AND CARD_DATE = strptime(?, '%Y%m%d')",
                      [K.pseudonym(rkey, card["ID"], 32),
                       K.pseudonym(keyring.class_key(rkey, "physician"), card["PRSN_ID"], 32),
                       card["CARD_DATE"]]).fetchall()
    assert row, "the card record's person and physician are the keyed pseudonyms"
    assert row[0][2] == K.pseudonym(keyring.class_key(rkey, "institution"), card["HOSP_ID"], 32)
    assert row[0][3] == card["ID_BIRTHDAY"][:6]               # birthday to year-month
    assert {t for (t,) in con.execute("SELECT DISTINCT CARD_TIME FROM H_IC_UPLOAD").fetchall()} <= \
        {f"{h:02d}" for h in range(24)}                        # time of day to the hour
    lab = _source(src, "H_LAB_RESULT").iloc[0]
    n = con.execute("SELECT count(*) FROM H_LAB_RESULT WHERE ID = ? AND ORDER_CODE = ?",
                    [K.pseudonym(rkey, lab["ID"], 32), lab["ORDER_CODE"]]).fetchone()[0]
    assert n >= 1
    vpn = _source(src, "H_VPN_UPLOAD").iloc[0]
    got = con.execute("SELECT HOSP_ID FROM H_VPN_UPLOAD WHERE BATCH_ID = ?",
                      [K.pseudonym(keyring.class_key(rkey, "batch"), vpn["BATCH_ID"], 32)]).fetchall()
    assert got == [(K.pseudonym(keyring.class_key(rkey, "institution"), vpn["HOSP_ID"], 32),)]
    dic = {(f, c): (t, a) for f, c, t, a in con.execute(
        "SELECT family, column_name, warehouse_type, action FROM _dictionary").fetchall()}
    assert dic[("H_IC_UPLOAD", "CARD_NO")] == (None, "drop")
    assert dic[("H_IC_UPLOAD", "CARD_TIME")] == ("VARCHAR", "generalise")
    assert dic[("H_LAB_RESULT", "REPORT_TEXT")] == ("VARCHAR", "scrub")
    assert dic[("H_VPN_UPLOAD", "BATCH_ID")] == ("VARCHAR", "recode")


def test_fee_schedule_and_drug_items_load_as_received(loaded):
    """Reference files carry no personal data: every value loads unchanged, nothing re-coded."""
    settings, r, src = loaded
    con = connect_release(r, settings)
    for fam in REFERENCE_FAMILIES:
        dic = con.execute("SELECT action FROM _dictionary WHERE family = ?", [fam]).fetchall()
        assert dic and {a for (a,) in dic} == {"keep"}
        want = _source(src, fam)
        got = con.execute(f"SELECT * FROM {fam}").df()
        assert list(got.columns) == list(want.columns) == FAMILIES[fam].names
        got_s = got.apply(lambda c: c.map(lambda v: "" if v is None or v != v else
                                          v.strftime("%Y%m%d") if hasattr(v, "strftime") else str(v)))
        key = FAMILIES[fam].names[0]
        srt = [key, "EFF_DATE"]
        a = got_s.sort_values(srt).reset_index(drop=True)
        b = want.sort_values(srt).reset_index(drop=True)
        if fam == "H_NHI_DRUGITEM":  # a decimal: compare as numbers
            assert (a["PRICE"].astype(float) == b["PRICE"].astype(float)).all()
            a, b = a.drop(columns="PRICE"), b.drop(columns="PRICE")
        pd.testing.assert_frame_equal(a, b)
    assert con.execute("SELECT typeof(POINTS) FROM H_NHI_FEESCH LIMIT 1").fetchone()[0] == "BIGINT"


def test_bad_rows_in_new_families_are_quarantined_with_file_line_column(tiny_source, settings):
    (tiny_source / "MANIFEST.json").unlink()  # the edits change sizes
    card, lab = tiny_source / "H_IC_UPLOAD_2019.csv", tiny_source / "H_LAB_RESULT_2020.csv"
    vpn, fee = tiny_source / "H_VPN_UPLOAD_2021.csv", tiny_source / "H_NHI_FEESCH.csv"
    drug = tiny_source / "H_NHI_DRUGITEM.csv"
    old_id = _edit(card, 2, "ID", "PLACEHOLDER")
    _edit(card, 2, "ID", old_id[:-1] + str((int(old_id[-1]) + 1) % 10))   # checksum fails
    # (file, line, column, bad value, the reason the quarantine gives)
    edits = [(card, 3, "CARD_TIME", "256000", "code format"),
             (card, 4, "VISIT_TYPE", "99", "code domain"),
             (card, 5, "ORDER_CODE_1", "XYZ", "code format"),
             (lab, 2, "RESULT_VALUE", "", "required"),
             (lab, 3, "ORDER_CODE", "A1234", "code format"),
             (lab, 4, "EXAM_DATE", "20200230", "not a date"),
             (vpn, 2, "RECORD_COUNT", "12x", "not an integer"),
             (vpn, 3, "STATUS", "7", "code domain"),
             (vpn, 4, "BATCH_ID", "bad-batch", "format"),
             (fee, 2, "POINTS", "362點", "not an integer"),
             (fee, 3, "EFF_DATE", "2017-01-01", "not a date"),
             (drug, 2, "PRICE", "N/A", "not a number"),
             (drug, 3, "DRUG_NO", "A12345678", "code format")]
    for path, line, column, value, _ in edits:
        _edit(path, line, column, value)
    rep = load_release(tiny_source, "QD2", settings)
    q = _quarantine(settings, "QD2")
    got = {(r["file"], int(r["line"]), r["column"]): r["reason"] for r in q}
    want = {(card.name, 2, "ID"): "checksum",
            **{(path.name, line, column): reason for path, line, column, _, reason in edits}}
    assert set(got) == set(want), q
    for k, word in want.items():
        assert word in got[k], (k, got[k])
    qtext = (_release_dir(settings, "QD2") / "_load" / "quarantine.csv").read_text()
    assert old_id[:-1] not in qtext and "bad-batch" not in qtext
    per_file = {f.file: f for f in rep.files}
    for f, n in ((card, 4), (lab, 3), (vpn, 3), (fee, 2), (drug, 2)):
        fr = per_file[f.name]
        assert fr.quarantined == n and fr.read == fr.loaded + fr.quarantined == len(f.read_text("utf-8").splitlines()) - 1
    assert all(x.read == x.loaded + x.quarantined for x in rep.files)


SPEC = {
    "files": {
        "H_NHI_OPDTE": {"years": [2020], "columns": ["ID", "ICD9CM_CODE"]},
        "H_IC_UPLOAD": {"years": [2020], "columns": ["ID", "CARD_DATE", "CARD_TIME", "ICD_CODE_1"]},
        "H_LAB_RESULT": {"years": [2020], "columns": ["ID", "EXAM_DATE", "ORDER_CODE", "RESULT_VALUE",
                                                      "UNIT", "ABN_FLAG"]},
        "H_VPN_UPLOAD": {"columns": ["HOSP_ID", "FEE_YM", "DATA_TYPE", "RECORD_COUNT"]},
        "H_NHI_FEESCH": {"columns": ["FEE_CODE", "POINTS", "EFF_DATE", "END_DATE"]},
    },
    "cohort": {"icd_prefixes": ["I10", "E11"]},
}


def test_extract_selects_new_families_by_spec(loaded):
    """D3 on the D2 families: only the approved columns and years, card and lab rows of the
    cohort only, re-keyed per case; reference and institution-level files are not filtered."""
    settings, r, src = loaded
    res = build_extract_report(SPEC, "D2-CASE", settings, k_override=SYNTHETIC)
    d = Path(settings.projects_dir) / "D2-CASE" / "data"
    for fam, fs in SPEC["files"].items():
        assert decrypted(d / f"{fam}.parquet", settings).schema.names == fs["columns"]
    op = _source(src, "H_NHI_OPDTE", [2020])
    ip = _source(src, "H_NHI_IPDTE", [2020])
    dx = pd.concat([op[["ID", c]].rename(columns={c: "dx"}) for c in ("ICD9CM_CODE", "ICD9CM_CODE_1", "ICD9CM_CODE_2")]
                   + [ip[["ID", c]].rename(columns={c: "dx"}) for c in
                      ("ICD9CM_CODE", "ICD9CM_CODE_1", "ICD9CM_CODE_2", "ICD9CM_CODE_3", "ICD9CM_CODE_4")])
    cohort = set(dx[dx["dx"].str.match(r"(I10|E11)")]["ID"])
    assert res.persons == len(cohort) > 0
    card = _source(src, "H_IC_UPLOAD", [2020])
    lab = _source(src, "H_LAB_RESULT", [2020])
    con = connect_extract("D2-CASE", settings)
    assert res.rows["H_IC_UPLOAD"] == card["ID"].isin(cohort).sum() > 0
    assert res.rows["H_LAB_RESULT"] == lab["ID"].isin(cohort).sum()
    assert {y for (y,) in con.execute("SELECT DISTINCT year(CARD_DATE) FROM H_IC_UPLOAD").fetchall()} == {2020}
    assert {len(t) for (t,) in con.execute("SELECT CARD_TIME FROM H_IC_UPLOAD").fetchall()} == {2}
    # reference and institution-level files are not cut by the cohort
    assert res.rows["H_NHI_FEESCH"] == len(_source(src, "H_NHI_FEESCH"))
    assert res.rows["H_VPN_UPLOAD"] == len(_source(src, "H_VPN_UPLOAD"))
    # the case's pseudonyms are its own: none equals a warehouse pseudonym
    wh = {p for (p,) in connect_release(r, settings).execute("SELECT DISTINCT ID FROM H_IC_UPLOAD").fetchall()}
    case_ids = {p for (p,) in con.execute("SELECT DISTINCT ID FROM H_IC_UPLOAD").fetchall()}
    assert case_ids and not case_ids & wh
    # exactly the cohort's card holders: case pseudonym = HMAC(case key, warehouse pseudonym)
    master = keyring.master_key(settings, create=False)
    rkey, ckey = K.release_key(master, r), K.case_key(master, "D2-CASE")
    want = {K.pseudonym(ckey, K.pseudonym(rkey, i, 32), 32) for i in set(card["ID"]) & cohort}
    assert case_ids == want
    k = json.loads((d / "k_anonymity.json").read_text())
    assert "H_NHI_FEESCH" not in {x["table"] for x in k["reports"]}


@pytest.mark.parametrize("spec, message", [
    ({"files": {"H_IC_UPLOAD": {"columns": ["ID", "CARD_NO"]}}}, "column 'CARD_NO' was removed"),
    ({"files": {"H_NHI_FEESCH": {"years": [2020], "columns": ["FEE_CODE"]}}}, "not split by year"),
    ({"files": {"H_LAB_RESULT": {"columns": ["ID", "PATIENT_NAME"]}}}, "unknown column 'PATIENT_NAME'"),
    ({"files": {"H_VPN_UPLOAD": {"columns": []}}}, "must list the approved columns"),
])
def test_unapproved_requests_on_new_families_are_refused(loaded, spec, message):
    settings, _r, _src = loaded
    with pytest.raises(ExtractError, match=message):
        build_extract(spec, "D2-BAD", settings)
    assert not (Path(settings.projects_dir) / "D2-BAD" / "data").exists()


def test_fixed_width_big5_new_families_load(tmp_path, settings):
    src = tmp_path / "fw"
    r = generate(src, 300, seed=12, images=0, encoding="big5", fixed_width=True)
    for f in r.files:
        if f["family"] in NEW:
            lines = (src / f["file"]).read_bytes().decode("big5").splitlines()
            assert len(lines) == f["rows"] > 0
            assert {len(x) for x in lines} == {FAMILIES[f["family"]].line_width}, f["file"]
    rep = load_release(src, "FWD2", settings, encoding="big5")
    assert rep.rows_quarantined == 0
    assert {f.family for f in rep.files} >= set(NEW)
    con = connect_release("FWD2", settings)
    names = {n for (n,) in con.execute("SELECT DISTINCT FEE_NAME_C FROM H_NHI_FEESCH").fetchall()}
    assert names == {x[1] for x in vocab.FEE_SCHEDULE}
    assert con.execute("SELECT count(*) FROM H_LAB_RESULT WHERE REPORT_TEXT LIKE '%<NAME>%'").fetchone()[0] > 0
