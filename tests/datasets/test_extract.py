"""D3: a case receives only its approved files, years, columns and cohort, read-only."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from datasets.extract import ExtractError, build_extract, build_extract_report, connect_extract
from tests.datasets.conftest import decrypted

SYNTHETIC = "synthetic test data, no real persons (D3 override for the fixture)"

SPEC = {
    "files": {
        "H_NHI_OPDTE": {"years": [2019, 2020],
                        "columns": ["FEE_YM", "APPL_TYPE", "HOSP_ID", "APPL_DATE", "CASE_TYPE", "SEQ_NO",
                                    "ID", "ID_SEX", "ID_BIRTHDAY", "ICD9CM_CODE"]},
        "H_NHI_OPDTO": {"years": [2019, 2020],
                        "columns": ["FEE_YM", "APPL_TYPE", "HOSP_ID", "APPL_DATE", "CASE_TYPE", "SEQ_NO",
                                    "DRUG_NO", "ORDER_QTY"]},
        "H_NHI_ENROL": {"years": [2019], "columns": ["ID", "ID_S", "ID_BIRTH_Y", "HOME_CITY"]},
    },
    "cohort": {"icd_prefixes": ["I10", "E11"], "sex": ["F"], "age": {"min": 40, "max": 90}},
}


def _src(src: Path, fam: str, years) -> pd.DataFrame:
    return pd.concat([pd.read_csv(src / f"{fam}_{y}.csv", dtype=str) for y in years])


@pytest.fixture(scope="module")
def cohort_case(loaded):
    settings, r, src = loaded
    res = build_extract_report(SPEC, "COHORT-1", settings, k_override=SYNTHETIC)
    return settings, src, res


def test_cohort_matches_the_source(cohort_case):
    settings, src, res = cohort_case
    op = pd.concat([_src(src, "H_NHI_OPDTE", [2019, 2020])])
    ip = _src(src, "H_NHI_IPDTE", [2019, 2020])
    dx = pd.concat([op[["ID", c]].rename(columns={c: "dx"}) for c in ("ICD9CM_CODE", "ICD9CM_CODE_1", "ICD9CM_CODE_2")] +
                   [ip[["ID", c]].rename(columns={c: "dx"}) for c in
                    ("ICD9CM_CODE", "ICD9CM_CODE_1", "ICD9CM_CODE_2", "ICD9CM_CODE_3", "ICD9CM_CODE_4")])
    ids = set(dx[dx["dx"].fillna("").str.match(r"(I10|E11)")]["ID"])
    enrol = _src(src, "H_NHI_ENROL", [2019]).drop_duplicates("ID").set_index("ID")
    want = {i for i in ids if enrol.loc[i, "ID_S"] == "F" and 40 <= 2019 - int(enrol.loc[i, "ID_BIRTH_Y"]) <= 90}
    assert res.persons == len(want) > 0
    con = connect_extract("COHORT-1", settings)
    assert con.execute("SELECT count(DISTINCT ID) FROM H_NHI_ENROL").fetchone()[0] == len(want)
    assert con.execute("SELECT DISTINCT ID_SEX FROM H_NHI_OPDTE").fetchall() == [("F",)]
    # rows of those persons only, in the approved years only
    n_src = op[op["ID"].isin(want)].shape[0]
    assert con.execute("SELECT count(*) FROM H_NHI_OPDTE").fetchone()[0] == n_src
    assert {r[0][:4] for r in con.execute("SELECT DISTINCT FEE_YM FROM H_NHI_OPDTE").fetchall()} <= {"2019", "2020"}


def test_orders_follow_the_cohort_claims(cohort_case):
    settings, src, _res = cohort_case
    con = connect_extract("COHORT-1", settings)
    key = "FEE_YM, APPL_TYPE, HOSP_ID, APPL_DATE, CASE_TYPE, SEQ_NO"
    orphans = con.execute(f"SELECT count(*) FROM H_NHI_OPDTO WHERE ({key}) NOT IN (SELECT ({key}) FROM H_NHI_OPDTE)").fetchone()[0]
    assert orphans == 0
    assert con.execute("SELECT count(*) FROM H_NHI_OPDTO").fetchone()[0] > 0


def test_only_listed_columns_and_read_only(cohort_case):
    settings, _src, _res = cohort_case
    d = Path(settings.projects_dir) / "COHORT-1" / "data"
    for fam, fs in SPEC["files"].items():
        assert decrypted(d / f"{fam}.parquet", settings).schema.names == fs["columns"]
    assert sorted(p.name for p in d.glob("*.parquet")) == sorted(f + ".parquet" for f in SPEC["files"])
    for root, dirs, files in os.walk(d):
        assert os.stat(root).st_mode & 0o777 == 0o555
        for f in files:
            assert os.stat(os.path.join(root, f)).st_mode & 0o777 == 0o444
    assert not any(p.name.startswith(".data-") for p in d.parent.iterdir())


def test_k_anonymity_report_matches_the_extract(cohort_case):
    settings, _src, res = cohort_case
    d = Path(settings.projects_dir) / "COHORT-1" / "data"
    rep = json.loads((d / "k_anonymity.json").read_text())
    enrol = next(r for r in rep["reports"] if r["table"] == "H_NHI_ENROL")
    df = decrypted(d / "H_NHI_ENROL.parquet", settings).to_pandas()
    sizes = df.groupby(["ID_S", "ID_BIRTH_Y", "HOME_CITY"])["ID"].nunique()
    assert enrol["quasi_identifiers"] == ["ID_S", "ID_BIRTH_Y", "HOME_CITY"]
    assert enrol["k_min"] == sizes.min() and enrol["classes"] == len(sizes)
    assert enrol["classes_below_k"] == int((sizes < rep["k"]).sum())
    assert enrol["satisfied"] == bool((sizes >= rep["k"]).all())
    assert sum(b["classes"] for b in enrol["histogram"]) == len(sizes)
    assert sum(b["classes"] for b in enrol["histogram"] if b["below_k"]) == enrol["classes_below_k"]
    # the steward's picture: a panel per table, classes below k in red, counts only
    import xml.etree.ElementTree as ET

    svg = (d / "k_anonymity.svg").read_text()
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert all(r["table"] in texts for r in rep["reports"])
    red = [r for r in root.iter(f"{ns}rect") if r.get("class") == "below"]
    assert len(red) == sum(1 for r in rep["reports"] for b in r["histogram"] if b["below_k"])


@pytest.mark.parametrize("spec, message", [
    ({"files": {"H_NHI_OPDTE": {"columns": ["ID", "NAME"]}}}, "column 'NAME' was removed at de-identification"),
    ({"files": {"H_NHI_OPDTE": {"columns": ["ID", "TEL"]}}}, "column 'TEL' was removed"),
    ({"files": {"H_NHI_OPDTE": {"columns": ["ID", "SALARY"]}}}, "unknown column 'SALARY'"),
    ({"files": {"H_NHI_FOO": {"columns": ["ID"]}}}, "unknown file family 'H_NHI_FOO'"),
    ({"files": {"H_NHI_OPDTE": {"columns": []}}}, "must list the approved columns"),
    ({"files": {"H_NHI_OPDTE": {}}}, "must list the approved columns"),
    ({"files": {"H_NHI_OPDTE": {"years": [2015], "columns": ["ID"]}}}, r"years \['2015'\] are not in release"),
    ({"files": {"H_NHI_OPDTE": {"columns": ["ID"]}}, "cohort": {"zip": "100"}}, "unknown conditions"),
    ({"files": {"H_NHI_OPDTE": {"columns": ["ID"]}}, "cohort": {"sex": ["X"]}}, "cohort.sex"),
    ({"files": {"H_NHI_OPDTE": {"columns": ["ID"]}}, "everything": True}, "unknown keys"),
    ({"release": "NOPE", "files": {"H_NHI_OPDTE": {"columns": ["ID"]}}}, "release 'NOPE' not found"),
])
def test_unapproved_or_unknown_requests_are_refused(loaded, spec, message):
    settings, _r, _src = loaded
    with pytest.raises(ExtractError, match=message):
        build_extract(spec, "BAD-1", settings)
    assert not (Path(settings.projects_dir) / "BAD-1" / "data").exists()


def test_rebuild_needs_replace(loaded):
    settings, _r, _src = loaded
    spec = {"files": {"H_NHI_MEDFA": {"columns": ["HOSP_ID", "HOSP_CONT_TYPE"]}}}
    p = build_extract(spec, "RB-1", settings)
    with pytest.raises(ExtractError, match="already has an extract"):
        build_extract(spec, "RB-1", settings)
    spec2 = {"files": {"H_NHI_MEDFA": {"columns": ["HOSP_ID"]}}}
    assert build_extract(spec2, "RB-1", settings, replace=True) == p
    assert decrypted(p / "H_NHI_MEDFA.parquet", settings).schema.names == ["HOSP_ID"]


def test_the_k_report_written_down_holds_counts_not_the_rare_classes_values(cohort_case):
    """The combinations of quasi-identifier values below k are the rare persons' own values
    (e.g. one woman born 1921 in 連江縣): the report beside the extract (plain text, outside
    the encrypted files) and the audit record carry counts and the size histogram only."""
    settings, _src, res = cohort_case
    d = Path(settings.projects_dir) / "COHORT-1" / "data"
    rep = json.loads((d / "k_anonymity.json").read_text())
    assert any(r["classes_below_k"] for r in rep["reports"])   # the fixture has rare classes
    enrol = decrypted(d / "H_NHI_ENROL.parquet", settings).to_pandas()
    sizes = enrol.groupby(["ID_S", "ID_BIRTH_Y", "HOME_CITY"])["ID"].nunique()
    rare = [(str(s), str(y), str(c)) for (s, y, c), n in sizes.items() if n < rep["k"]]
    assert rare
    for text in ((d / "k_anonymity.json").read_text(), (d / "k_anonymity.svg").read_text(),
                 json.dumps(res.k_anonymity, ensure_ascii=False)):
        assert '"smallest"' not in text
        for s, y, c in rare:   # no rare class's birth year and home city written together
            assert not (f'"{y}"' in text and f'"{c}"' in text and f'"ID_BIRTH_Y": "{y}"' in text)
    for r in rep["reports"]:
        assert set(r) >= {"classes", "k_min", "classes_below_k", "units_below_k", "histogram"}
        assert all(set(b) == {"size_from", "size_to", "classes", "below_k"} for b in r["histogram"])
