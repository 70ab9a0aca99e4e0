"""E1/E2/E4/E7: an output declared misleadingly never passes on its declaration.

A red team submits outputs whose manifest lies: a count declared as a mean, a percent, a rate,
a grouping key; units that understate (visits declared as the units a cell rests on); a kind
that is not the content (a table declared a figure, code or a model; a zip named .docx or .pt;
a Parquet table or a CSV named .bin / .onnx / .safetensors); a program whose extension names
another language; a manifest that leaves a sheet, a column or a threshold out.  A declaration
may only add scrutiny: each member must be blocked, or go to review with the lie named.

Before this file, these passed or were held only by the committee's generic "models never pass"
(the lie unnamed, the content unread): a table of grouping keys alone (``n`` declared a key);
a zip named as an office file or a PyTorch/Keras model; text, Parquet or SQLite under a
weights name; counts of visits or claims declared as the units a table rests on with no persons
anywhere; Python literals in a file named .R, R vectors or SQL in a file named .py.
All members run through ``check_request`` (the ``run`` fixture); a few through the HTTP API.
"""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from egress_review.manifest import ManifestError, parse_manifest
from tests.egress_engine.conftest import by, said
from tests.egress_workflow.conftest import (client, clock, dirs, manifest, policy,  # noqa: F401
                                            submit, world)

G = {"role": "group"}
C = {"role": "count"}
SMALL = "region,persons\nA,120\nB,3\nC,140\n"
ORDER = {"pass": 0, "review": 1, "block": 2}


def st(kind, **kw):
    return {"role": "statistic", "statistic": kind, **kw}


def tab(path, columns, **kw):
    return {"path": path, "kind": "table", "description": "aggregate results", "columns": columns, **kw}


def entry(path, kind, **kw):
    return {"path": path, "kind": kind, "description": "output", **kw}


def _zip(items) -> bytes:
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for name, body in items:
            z.writestr(name, body)
    return b.getvalue()


def _parquet(text: str) -> bytes:
    import pandas as pd

    b = io.BytesIO()
    pd.read_csv(io.StringIO(text)).to_parquet(b)
    return b.getvalue()


def _xlsx(sheets) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def _notebook() -> str:
    out = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
           "data": {"text/plain": "  region  persons\n0      A      120\n1      B        3\n"}}
    return json.dumps({"cells": [{"cell_type": "code", "source": "df", "metadata": {},
                                  "execution_count": 1, "outputs": [out]}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# ---- 1. columns declared as what they are not ----------------------------------------------
# (files, entries, the check that must name the lie or hold the cell, its least severity)
COLUMN_LIES = {
    "count declared mean": ("region,persons,deaths\nA,120,3\nB,130,40\n",
                            {"region": G, "persons": C, "deaths": st("mean", units_column="persons")},
                            "header_meaning", "block"),
    "count declared median": ("region,persons,cases\nA,120,3\nB,130,40\n",
                              {"region": G, "persons": C, "cases": st("median", units_column="persons")},
                              "header_meaning", "block"),
    "count declared std": ("region,persons,deaths\nA,120,3\nB,130,40\n",
                           {"region": G, "persons": C, "deaths": st("std", units_column="persons")},
                           "header_meaning", "block"),
    "unnamed whole numbers declared mean": ("region,persons,x\nA,120,3\nB,130,40\nC,140,50\n",
                                            {"region": G, "persons": C,
                                             "x": st("mean", units_column="persons")},
                                            "structure", "review"),
    "count declared percent": ("region,persons,deaths\nA,120,3\nB,130,40\n",
                               {"region": G, "persons": C,
                                "deaths": st("percent", denominator_column="persons",
                                             units_column="persons")}, "structure", "block"),
    "percent column holding counts": ("region,persons,pct\nA,120,3\nB,130,40\n",
                                      {"region": G, "persons": C,
                                       "pct": st("percent", denominator_column="persons",
                                                 units_column="persons")}, "structure", "block"),
    "count declared rate": ("region,persons,deaths\nA,120,3\nB,130,40\n",
                            {"region": G, "persons": C,
                             "deaths": st("rate", denominator_column="persons",
                                          units_column="persons")}, "header_meaning", "block"),
    "count declared a year (group)": ("region,n\nA,3\nB,120\n", {"region": G, "n": G},
                                      "threshold", "block"),
    "count declared a model estimate": ("term,n\nA,3\nB,120\n", {"term": G, "n": {"role": "estimate"}},
                                        "header_meaning", "block"),
    "p_value column of whole numbers": ("term,p_value\nA,3\nB,120\n",
                                        {"term": G, "p_value": {"role": "estimate"}},
                                        "structure", "review"),
    "mean of a group of two": ("region,persons,mean_cost\nA,2,3000\nB,130,400\n",
                               {"region": G, "persons": C,
                                "mean_cost": st("mean", units_column="persons")}, "threshold", "block"),
    "mean declared on visits beside persons": ("region,persons,visits,mean_cost\nA,2,300,3000\n"
                                               "B,130,900,400\n",
                                               {"region": G, "persons": C, "visits": C,
                                                "mean_cost": st("mean", units_column="visits")},
                                               "threshold", "block"),
    "declared suppressed, not suppressed": ("region,n\nA,3\nB,120\n",
                                            {"region": G, "n": {"role": "suppressed"}},
                                            "threshold", "block"),
    "min declared rounded, not rounded": ("region,persons,min_age\nA,120,23\nB,130,31\n",
                                          {"region": G, "persons": C,
                                           "min_age": st("min", units_column="persons", rounded_to=10)},
                                          "single_unit", "block"),
    "max declared top-coded, above it": ("region,persons,max_age\nA,120,97\nB,130,101\n",
                                         {"region": G, "persons": C,
                                          "max_age": st("max", units_column="persons", top_coded_at=90)},
                                         "single_unit", "block"),
    "small row declared a total": ("region,n\nA,120\nB,3\nC,140\n", {"region": G, "n": C},
                                   "threshold", "block"),
    "fewer columns declared than the file has": ("region,persons,deaths\nA,120,3\nB,130,40\n",
                                                 {"region": G, "persons": C}, "declaration", "block"),
}
_TOTAL_LIE = {"small row declared a total": {"total_labels": ["B"]}}


@pytest.mark.parametrize("name", list(COLUMN_LIES))
def test_a_column_declared_as_what_it_is_not_is_held(run, name):
    text, cols, check, severity = COLUMN_LIES[name]
    output = {"output": "regression"} if any(r.get("role") == "estimate" for r in cols.values()) else {}
    r = run({"t.csv": text}, [tab("t.csv", cols, **output, **_TOTAL_LIE.get(name, {}))])
    assert ORDER[r.verdict] >= ORDER[severity], said(r)
    assert [f for f in by(r, check=check) if ORDER[f.severity] >= ORDER[severity]], said(r)


# a table of grouping keys alone counts nothing: a count there is a count declared as a key
@pytest.mark.parametrize("text,cols", [
    ("n\n3\n120\n", {"n": G}),
    ("persons\n3\n120\n", {"persons": G}),
    ("病人數\n3\n120\n", {"病人數": G}),
], ids=["n", "persons", "病人數"])
def test_a_count_declared_as_the_only_key_blocks(run, text, cols):
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert r.verdict == "block", said(r)
    assert by(r, check="threshold", severity="block"), said(r)
    assert by(r, check="declaration", severity="review"), said(r)


def test_a_default_role_of_key_for_every_column_is_no_escape(run):
    r = run({"t.csv": "n\n3\n120\n"}, [tab("t.csv", {}, default_role=G)])
    assert r.verdict == "block" and by(r, check="threshold", severity="block"), said(r)


def test_keys_alone_without_a_count_header_go_to_a_person(run):
    r = run({"t.csv": "region,code\nA,K21\nB,K22\n"}, [tab("t.csv", {"region": G, "code": G})])
    assert r.verdict == "review", said(r)
    assert any("grouping key" in f.message_en for f in by(r, check="declaration")), said(r)


# ---- 2. units that understate: events declared as what a table rests on --------------------
EVENTS = {
    "visits": ("region,visits\nA,300\nB,900\n", {"region": G, "visits": C}),
    "claims": ("region,claims\nA,300\nB,900\n", {"region": G, "claims": C}),
    "admissions suppressed": ("region,admissions\nA,300\nB,900\n",
                              {"region": G, "admissions": {"role": "suppressed"}}),
    "就診人次": ("地區,就診人次\nA,300\nB,900\n", {"地區": G, "就診人次": C}),
    "mean cost per visit": ("region,visits,mean_cost\nA,300,3000\nB,900,400\n",
                            {"region": G, "visits": C, "mean_cost": st("mean", units_column="visits")}),
}


@pytest.mark.parametrize("name", list(EVENTS))
def test_events_declared_as_units_with_no_persons_go_to_review(run, name):
    text, cols = EVENTS[name]
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert r.verdict != "pass", said(r)
    hits = by(r, check="header_meaning", severity="review")
    assert any("not persons" in f.message_en for f in hits), said(r)


@pytest.mark.parametrize("text,cols", [
    ("region,persons,visits\nA,200,300\nB,900,4000\n",
     {"region": G, "persons": C, "visits": {"role": "count", "units_column": "persons"}}),
    ("sex,persons,visits\nM,500,1400\nF,480,1300\n", {"sex": G, "persons": C, "visits": C}),
    ("region,patients_with_visits\nA,300\nB,900\n", {"region": G, "patients_with_visits": C}),
], ids=["units column persons", "persons beside", "persons in the header"])
def test_events_beside_their_persons_pass(run, text, cols):
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert r.verdict == "pass", said(r)


# a denominator that overstates the base: 2.5 % of 120 persons is 3 deaths, of 5,000 visits 125
@pytest.mark.parametrize("units", ["persons", "visits"])
def test_a_percent_over_a_declared_denominator_of_events_is_tried_over_persons(run, units):
    text = "region,persons,visits,pct_dead\nA,120,5000,2.5\nB,130,6000,30\n"
    cols = {"region": G, "persons": C, "visits": {"role": "count", "units_column": "persons"},
            "pct_dead": st("percent", denominator_column="visits", units_column=units)}
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert r.verdict != "pass", said(r)
    assert any(f.location.get("column") == "pct_dead" and "declared over 'visits'" in f.message_en
               for f in by(r, check="structure", severity="review")), said(r)


@pytest.mark.parametrize("text,cols", [
    ("region,persons,visits,pct_visits_ed\nA,120,5000,20.5\nB,130,6000,30\n",
     {"region": G, "persons": C, "visits": {"role": "count", "units_column": "persons"},
      "pct_visits_ed": st("percent", denominator_column="visits", units_column="persons")}),
    ("region,persons,person_years,rate\nA,120,1000,0.025\nB,130,1100,0.3\n",
     {"region": G, "persons": C, "person_years": st("sum", units_column="persons"),
      "rate": st("rate", denominator_column="persons", units_column="persons")}),
], ids=["percent of many visits", "rate over persons"])
def test_a_percent_or_rate_of_large_counts_keeps_passing(run, text, cols):
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert not [f for f in by(r, check="structure") if "declared over" in f.message_en], said(r)


# ---- 3. a kind or a name that is not the content -------------------------------------------
KIND_LIES = {
    "csv declared code": ("t.csv", SMALL, "code", "threshold"),
    "csv named .py declared code": ("t.py", SMALL, "code", "threshold"),
    "csv declared figure": ("t.csv", SMALL, "figure", "threshold"),
    "csv named .png declared figure": ("t.png", SMALL, "figure", "smuggling"),
    "csv declared model": ("t.csv", SMALL, "model", "threshold"),
    "csv declared notebook": ("t.csv", SMALL, "notebook", "threshold"),
    "parquet declared model": ("m.parquet", _parquet(SMALL), "model", "threshold"),
    "parquet named .bin declared model": ("m.bin", _parquet(SMALL), "model", "smuggling"),
    "parquet named .onnx declared model": ("m.onnx", _parquet(SMALL), "model", "smuggling"),
    "sqlite named .bin declared model": ("m.bin", b"SQLite format 3\x00" + b"\x00" * 200, "model",
                                         "smuggling"),
    "csv named .bin declared model": ("m.bin", SMALL, "model", "smuggling"),
    "csv named .safetensors declared model": ("m.safetensors", SMALL, "model", "smuggling"),
    "csv named .onnx declared model": ("m.onnx", SMALL, "model", "smuggling"),
    "zip named .pt declared model": ("m.pt", _zip([("t.csv", SMALL)]), "model", "smuggling"),
    "zip named .keras declared model": ("m.keras", _zip([("t.csv", SMALL)]), "model", "smuggling"),
    "torch layout with a csv inside": ("m.pt", _zip([("archive/data.pkl", b"\x80\x02}q\x00."),
                                                     ("archive/version", "3"),
                                                     ("archive/extra/t.csv", SMALL)]),
                                       "model", "smuggling"),
    "zip named .docx declared text": ("d.docx", _zip([("t.csv", SMALL)]), "text", "smuggling"),
    "zip named .xlsx declared text": ("d.xlsx", _zip([("t.csv", SMALL)]), "text", "smuggling"),
    "zip named .ods declared text": ("d.ods", _zip([("t.csv", SMALL)]), "text", "smuggling"),
    "zip named .pptx declared text": ("d.pptx", _zip([("t.csv", SMALL)]), "text", "smuggling"),
    "zip named .pdf declared text": ("d.pdf", _zip([("t.csv", SMALL)]), "text", "smuggling"),
    "zip declared figure": ("d.zip", _zip([("t.csv", SMALL)]), "figure", "smuggling"),
    "xlsx declared text": ("d.xlsx", _xlsx([("s", [["region", "persons"], ["A", 120], ["B", 3]])]),
                           "text", "threshold"),
    "xlsx declared model": ("d.xlsx", _xlsx([("s", [["region", "persons"], ["A", 120], ["B", 3]])]),
                            "model", "threshold"),
    "python literals named .R": ("a.R", "counts = {'A': 120, 'B': 3}\n", "code", "threshold"),
    "R vector named .py": ("a.py", "counts <- c(A = 120, B = 3)\n", "code", "threshold"),
    "R data frame named .sql": ("a.sql", "df <- data.frame(region = c('A', 'B'), n = c(120, 3))\n",
                                "code", "threshold"),
    "SQL named .py": ("a.py", "SELECT 'B' AS region, 3 AS n_patients;\n", "code", "prose"),
    "SQL values named .R": ("a.R", "INSERT INTO t (region, n) VALUES ('A', 120), ('B', 3);\n",
                            "code", "threshold"),
}


@pytest.mark.parametrize("name", list(KIND_LIES))
def test_a_file_declared_as_another_kind_blocks(run, name):
    path, body, kind, check = KIND_LIES[name]
    r = run({path: body}, [entry(path, kind)])
    assert r.verdict == "block", said(r)
    assert by(r, check=check, severity="block"), said(r)


# the same content under every kind: no kind is milder than the content's own (a declaration
# only adds); here every content holds a count of 3
CONTENTS = {
    "csv": ("t.csv", SMALL),
    "notebook": ("n.ipynb", _notebook()),
    "parquet": ("t.parquet", _parquet(SMALL)),
    "html": ("t.html", "<table><tr><th>region</th><th>persons</th></tr><tr><td>A</td><td>120</td>"
                       "</tr><tr><td>B</td><td>3</td></tr></table>"),
    "python": ("a.py", "counts = {'A': 120, 'B': 3}\n"),
    "microdata": ("t.csv", "pid,age,sex,cost\nP1,34,F,100\nP2,56,M,200\nP3,71,F,300\n"),
}


@pytest.mark.parametrize("content", list(CONTENTS))
def test_no_declared_kind_is_milder_than_the_content(run, content):
    path, body = CONTENTS[content]
    verdicts = {k: run({path: body}, [entry(path, k)]).verdict
                for k in ("text", "code", "notebook", "figure", "model")}
    assert min(ORDER[v] for v in verdicts.values()) >= ORDER["review"], verdicts
    honest = {"t.csv": "text", "n.ipynb": "notebook", "t.parquet": "text", "t.html": "text",
              "a.py": "code"}[path]
    assert all(ORDER[v] >= ORDER[verdicts[honest]] for v in verdicts.values()), verdicts


# what the checks read is still passed: real formats under their own names
@pytest.mark.parametrize("path,body,kind", [
    ("w.safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{}}" + bytes(range(256)) * 4,
     "model"),
    ("w.bin", bytes(range(256)) * 8, "model"),
    ("m.pt", _zip([("archive/data.pkl", b"\x80\x02}q\x00."), ("archive/.format_version", "1"),
                   ("archive/byteorder", "little"), ("archive/data/0", b"\x00" * 64),
                   ("archive/version", "3"), ("archive/.data/serialization_id", "123")]), "model"),
    ("m.keras", _zip([("metadata.json", "{}"), ("config.json", "{}"),
                      ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)]), "model"),
], ids=["safetensors", "bin", "torch zip", "keras zip"])
def test_real_weights_only_go_to_the_committee(run, path, body, kind):
    r = run({path: body}, [entry(path, kind)])
    assert r.verdict == "review", said(r)
    assert not by(r, check="smuggling"), said(r)


def test_a_real_office_file_is_not_taken_for_an_archive(run):
    body = _xlsx([("s", [["region", "persons"], ["A", 120], ["B", 130]])])
    r = run({"d.xlsx": body}, [tab("d.xlsx", {"region": G, "persons": C})])
    assert r.verdict == "pass", said(r)


@pytest.mark.parametrize("path,body", [
    ("a.py", "import pandas as pd\nn_folds = 5\ndf = pd.read_csv('x.csv')\nprint(df.mean())\n"),
    ("a.R", "library(dplyr)\nmodel <- glm(y ~ x, family = binomial, data = d)\nsummary(model)\n"),
    ("a.sql", "SELECT region, COUNT(*) AS n FROM visits GROUP BY region HAVING COUNT(*) >= 10;\n"),
], ids=["python", "r", "sql"])
def test_ordinary_programs_keep_passing(run, path, body):
    r = run({path: body}, [entry(path, "code")])
    assert r.verdict == "pass", said(r)


# ---- 4. the manifest leaves something out or says it twice --------------------------------
def test_a_sheet_left_out_of_the_manifest_is_still_read(run):
    body = _xlsx([("s", [["region", "persons"], ["A", 120], ["B", 130]]),
                  ("t", [["region", "persons"], ["A", 120], ["B", 3]])])
    r = run({"d.xlsx": body}, [tab("d.xlsx", {"region": G, "persons": C}, sheet="s")])
    assert r.verdict == "block" and by(r, check="threshold", severity="block"), said(r)


def test_a_zip_whose_members_are_not_declared_blocks(run):
    body = _zip([("a.txt", "Results are as expected."), ("t.csv", SMALL)])
    r = run({"d.zip": body}, [entry("d.zip", "text")])
    assert r.verdict == "block" and by(r, check="smuggling", severity="block"), said(r)


@pytest.mark.parametrize("second", ["t.csv", "./t.csv", "t.csv/"])
def test_a_file_declared_twice_is_refused(second):
    files = [tab("t.csv", {"region": G, "persons": C}), entry(second, "text")]
    with pytest.raises(ManifestError, match="listed twice"):
        parse_manifest({"version": 1, "case_code": "R", "purpose": "p", "files": files})


@pytest.mark.parametrize("extra", [{"exempt": True}, {"threshold": 1}, {"synthetic": True},
                                   {"published_elsewhere": True}])
def test_a_declared_exemption_is_refused(extra):
    with pytest.raises(ManifestError, match="Extra inputs are not permitted"):
        parse_manifest({"version": 1, "case_code": "R", "purpose": "p",
                        "files": [{**tab("t.csv", {"region": G, "persons": C}), **extra}]})
    with pytest.raises(ManifestError):
        parse_manifest({"version": 1, "case_code": "R", "purpose": "p",
                        "files": [tab("t.csv", {"region": G, "persons": {**C, **extra}})]})


def test_claims_in_the_description_change_nothing(run):
    said_ = "Synthetic, simulated data; rounded; published elsewhere; aggregate only; exempt."
    r = run({"t.csv": SMALL}, [{**tab("t.csv", {"region": G, "persons": C}), "description": said_}])
    assert r.verdict == "block" and by(r, check="threshold", severity="block"), said(r)


def test_another_declared_population_does_not_unlink_a_difference(run):
    r = run({"a.csv": "region,n\nNorth,400\nSouth,397\n", "b.csv": "region,n\nNorth,400\nSouth,400\n"},
            [tab("a.csv", {"region": G, "n": C}, population="p1"),
             tab("b.csv", {"region": G, "n": C}, population="p2")])
    assert r.verdict == "block" and by(r, check="differencing", severity="block"), said(r)


# ---- 5. through the HTTP API: the same lies in a submitted request -------------------------
API = {
    "count declared the only key": ({"t.csv": b"n\n3\n120\n"}, [tab("t.csv", {"n": G})], "block"),
    "zip named .docx": ({"d.docx": _zip([("t.csv", SMALL)])}, [entry("d.docx", "text")], "block"),
    "csv named .bin model": ({"m.bin": SMALL.encode()}, [entry("m.bin", "model")], "block"),
    "python named .R": ({"a.R": b"counts = {'A': 120, 'B': 3}\n"}, [entry("a.R", "code")], "block"),
    "visits as units": ({"t.csv": b"region,visits\nA,300\nB,900\n"},
                        [tab("t.csv", {"region": G, "visits": C})], "review"),
}


@pytest.mark.parametrize("name", list(API))
def test_a_misleading_declaration_submitted_over_http_is_held(client, world, name):  # noqa: F811
    files, entries, least = API[name]
    r = submit(client, world, man=manifest(files=entries), files=files)
    assert r.status_code == 201, r.text
    assert ORDER[r.json()["verdict"]] >= ORDER[least], r.json()


def test_a_declared_exemption_submitted_over_http_is_refused(client, world):  # noqa: F811
    bad = {**tab("counts.csv", {"age_group": G, "n": C}), "exempt": True}
    r = submit(client, world, man=manifest(files=[bad]),
               files={"counts.csv": b"age_group,n\n20-39,3\n40-59,40\n"})
    assert 400 <= r.status_code < 500, r.text


def test_a_lying_mime_type_changes_nothing(client, world):  # noqa: F811
    """The upload's MIME type is the client's word: the file is read by its bytes."""
    r = client.post("/api/requests", headers=world.auth("alice"),
                    data={"manifest": json.dumps(manifest(files=[entry("t.csv", "figure")]))},
                    files=[("files", ("t.csv", SMALL.encode(), "image/png"))])
    assert r.status_code == 201, r.text
    assert r.json()["verdict"] == "block", r.json()
