"""E1/E2/E4/E7, round 2: outputs declared misleadingly in ways the first round did not name.

An attacker who read ``test_declared_misleadingly.py`` lied in every field a manifest has and
found, before this file, these passing or held only by the committee's generic review (the
count of 3 unread and unnamed):

- a frequency table saved as text under a name no reader here reads (``.rds``, ``.dta``,
  ``.sqlite``, ``.gz``, ``.xls``, ``.tflite`` …) or a binary one (``.png``), or in UTF-16 under
  ``.rds`` / ``.bin`` / ``.dat``, declared a model, a document or a figure (text_beneath.py);
- a column of 3 persons declared ``statistic: count`` (a count of events) over a units column
  of 120: the threshold read only the 120 (structure._small_event_counts);
- a 2.5 % declared over a population of 100,000 beside the 120 persons it is a share of: 3
  deaths (structure.undeclared_bases, review);
- a rounding, top coding or bottom coding declared but not done, which a policy releasing
  treated extremes took as evidence (declaration._treatment);
- headers written with Cyrillic look-alikes, full-width letters, a zero-width space or
  simplified characters (``dеaths``, ``ｎ``, ``n\\u200b``, 「死亡数」) so that the header words
  missed a count declared a mean (header_fold.py);
- a description of spaces or zero-width characters (passed), ``-`` or the file's own name
  (blank_declarations.py), and a manifest naming ``kind`` twice (a reader sees one, the
  engine used the last) (manifest.loads_manifest_text).

Each member runs through ``check_request`` (the ``run`` fixture); a few through the HTTP API.
Honest neighbours of every class keep passing.
"""
from __future__ import annotations

import gzip
import json

import pytest

from egress_review.manifest import ManifestError, load_manifest, parse_manifest
from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import by, said
from tests.egress_workflow.conftest import (client, clock, dirs, manifest, policy,  # noqa: F401
                                            submit, world)

G = {"role": "group"}
C = {"role": "count"}
SMALL = "region,persons\nA,120\nB,3\nC,140\n"
SAFE = "region,persons\nA,120\nB,130\nC,140\n"
ORDER = {"pass": 0, "review": 1, "block": 2}


def st(kind, **kw):
    return {"role": "statistic", "statistic": kind, **kw}


def tab(path, columns, **kw):
    return {"path": path, "kind": "table", "description": "aggregate results", "columns": columns, **kw}


def entry(path, kind, **kw):
    return {"path": path, "kind": kind, "description": "model output", **kw}


def _mismatch(r):
    return [f for f in by(r, check="content", severity="review") if "not what its name says" in f.message_en]


# ---- 1. text under a name no reader reads, or a binary one ----------------------------------
NAMES = [".rds", ".RData", ".rda", ".dta", ".sav", ".sas7bdat", ".npz", ".sqlite", ".db",
         ".duckdb", ".pb", ".tflite", ".gz", ".tgz", ".7z", ".rar", ".tar", ".exe", ".so",
         ".xls", ".doc", ".odt", ".png", ".jpg"]


@pytest.mark.parametrize("kind", ["model", "text", "figure"])
@pytest.mark.parametrize("suffix", NAMES)
def test_a_table_in_text_under_a_binary_name_is_read_as_text(run, suffix, kind):
    name = "out" + suffix
    r = run({name: SMALL}, [entry(name, kind)])
    assert r.verdict == "block", said(r)
    assert by(r, check="threshold", severity="block"), said(r)
    assert _mismatch(r), said(r)


@pytest.mark.parametrize("name,kind", [("t.rds", "model"), ("t.bin", "model"), ("t.dat", "text"),
                                       ("t.sav", "text"), ("t.txt", "text")])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_table_in_utf16_or_utf32_is_read(run, name, kind, encoding):
    r = run({name: SMALL.encode(encoding)}, [entry(name, kind)])
    assert r.verdict == "block", said(r)
    assert by(r, check="threshold", severity="block"), said(r)


def test_a_csv_named_as_a_notebook_is_read_as_the_table_it_is(run):
    r = run({"n.ipynb": SMALL}, [entry("n.ipynb", "notebook")])
    assert r.verdict == "block" and by(r, check="threshold", severity="block"), said(r)
    assert _mismatch(r), said(r)


def test_rtf_is_read_as_text_without_a_mismatch(run):
    body = "{\\rtf1\\ansi Region B had 3 patients who died.\\par}"
    r = run({"d.rtf": body}, [entry("d.rtf", "text")])
    assert r.verdict == "block", said(r)
    assert not _mismatch(r), said(r)


@pytest.mark.parametrize("name,body", [
    ("m.rds", gzip.compress(b"X\n" + bytes(range(256)) * 4)),
    ("w.bin", bytes(range(256)) * 8),
    ("m.tflite", b"\x1c\x00\x00\x00TFL3" + bytes(range(256)) * 4),
    ("a.gz", gzip.compress(b"hello")),
], ids=["gzip rds", "weights", "tflite", "gzip"])
def test_binary_files_under_their_own_names_are_not_read_as_text(run, name, body):
    r = run({name: body}, [entry(name, "model")])
    assert not _mismatch(r) and not by(r, check="threshold"), said(r)
    assert r.verdict != "pass", said(r)          # weights: the committee; an archive blocks


@pytest.mark.parametrize("kind", ["text", "code", "notebook", "figure", "model"])
def test_no_kind_is_milder_than_text_under_an_r_name(run, kind):
    r = run({"counts.rds": SMALL}, [entry("counts.rds", kind)])
    assert r.verdict == "block", said(r)


def test_a_table_differenced_against_one_named_as_an_r_object_blocks(run):
    r = run({"a.csv": "region,persons\nNorth,400\nSouth,397\n",
             "b.rds": "region,persons\nNorth,400\nSouth,400\n"},
            [tab("a.csv", {"region": G, "persons": C}), entry("b.rds", "model")])
    assert r.verdict == "block" and by(r, check="differencing", severity="block"), said(r)


# ---- 1b. a table carried inside a model's weights -----------------------------------------
def _zip(items) -> bytes:
    import io
    import zipfile

    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for name, body in items:
            z.writestr(name, body)
    return b.getvalue()


def _safetensors(meta: dict) -> bytes:
    import struct

    head = json.dumps({"__metadata__": meta}).encode()
    return struct.pack("<Q", len(head)) + head + bytes(range(256)) * 4


_PKL = b"\x80\x02}q\x00."
INSIDE = {
    "safetensors metadata": ("w.safetensors", _safetensors({"table": SMALL})),
    "safetensors metadata sentence": ("w.safetensors", _safetensors({"note": "Region B: 3 patients died."})),
    "keras metadata.json": ("m.keras", _zip([("metadata.json", json.dumps({"counts": SMALL})),
                                             ("config.json", "{}"),
                                             ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)])),
    "torch extra member": ("m.pt", _zip([("archive/data.pkl", _PKL), ("archive/version", "3"),
                                         ("archive/extra/notes", SMALL)])),
    "torch data member": ("m.pt", _zip([("archive/data.pkl", _PKL), ("archive/version", "3"),
                                        ("archive/data/0", SMALL)])),
    "onnx text run": ("m.onnx", b"\x08\x07\x12\x07pytorch\x00\x01" + SMALL.encode() + bytes(range(256))),
    "bin text tail": ("w.bin", bytes(range(256)) * 4 + b"\n" + SMALL.encode()),
    "h5 text run": ("w.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64 + SMALL.encode() + b"\x00" * 64),
}


@pytest.mark.parametrize("name", list(INSIDE))
def test_a_table_carried_inside_a_model_is_read(run, name):
    path, body = INSIDE[name]
    r = run({path: body}, [entry(path, "model")])
    assert r.verdict == "block", said(r)
    assert by(r, check="threshold", severity="block") or by(r, check="prose", severity="block"), said(r)


def test_a_real_torch_archive_still_only_goes_to_the_committee(run):
    body = _zip([("archive/data.pkl", _PKL), ("archive/.format_version", "1"),
                 ("archive/byteorder", "little"), ("archive/data/0", b"\x00" * 64),
                 ("archive/version", "3"), ("archive/.data/serialization_id", "1234567890")])
    r = run({"m.pt": body}, [entry("m.pt", "model")])
    assert r.verdict == "review" and not by(r, check="threshold"), said(r)


# ---- 2. persons declared a count of events ------------------------------------------------
EVENTS = {
    "unnamed over persons": ("region,persons,x\nA,120,3\nB,130,40\n", "x", "persons"),
    "prescriptions over persons": ("region,persons,prescriptions\nA,300,3\nB,500,900\n",
                                   "prescriptions", "persons"),
    "dm over visits": ("region,dm,visits\nA,3,300\nB,120,900\n", "dm", "visits"),
    "claims over persons": ("region,persons,claims\nA,300,4\nB,500,900\n", "claims", "persons"),
    "admissions over persons": ("region,persons,adm\nA,300,1\nB,500,900\n", "adm", "persons"),
    "處方 over 人數": ("地區,人數,處方\nA,300,2\nB,500,900\n", "處方", "人數"),
    "decimals": ("region,persons,x\nA,120,3.0\nB,130,40.0\n", "x", "persons"),
}


@pytest.mark.parametrize("name", list(EVENTS))
def test_a_small_count_declared_a_count_of_events_blocks(run, name):
    text, col, units = EVENTS[name]
    cols = {c: G for c in text.split("\n")[0].split(",")[:1]}
    cols[units] = C
    cols[col] = st("count", units_column=units)
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert r.verdict == "block", said(r)
    hits = by(r, check="structure", severity="block")
    assert any(f.location.get("column") == col and "count of events" in f.message_en for f in hits), said(r)


@pytest.mark.parametrize("text", [
    "region,persons,visits\nA,120,300\nB,130,0\n",
    "region,persons,prescriptions\nA,300,450\nB,500,900\n",
], ids=["zero events", "many events"])
def test_event_counts_of_zero_or_many_pass(run, text):
    col = text.split("\n")[0].split(",")[2]
    r = run({"t.csv": text}, [tab("t.csv", {"region": G, "persons": C,
                                            col: st("count", units_column="persons")})])
    assert r.verdict == "pass", said(r)


# ---- 3. a declared denominator that overstates the base -----------------------------------
DENOMINATORS = {
    "percent over population": ("region,persons,population,pct_dead\nA,120,100000,2.5\nB,130,100000,30\n",
                                "pct_dead", "percent", "population"),
    "percent over enrolled": ("region,persons,enrolled,died_pct\nA,200,5000,1.5\nB,210,5000,30\n",
                              "died_pct", "percent", "enrolled"),
    "share over total": ("region,persons,total,share\nA,120,40000,0.025\nB,130,40000,0.3\n",
                         "share", "percent", "total"),
    "rate over population": ("region,persons,total_pop,rate\nA,120,100000,0.025\nB,130,100000,0.3\n",
                             "rate", "rate", "total_pop"),
    "rate per 1000 over population": ("region,patients,pop,deaths_per_1000\nA,120,90000,25\n"
                                      "B,130,90000,300\n", "deaths_per_1000", "rate", "pop"),
}


@pytest.mark.parametrize("name", list(DENOMINATORS))
def test_a_percent_or_rate_over_a_declared_large_base_is_tried_over_the_persons(run, name):
    text, col, stat, denom = DENOMINATORS[name]
    first = text.split("\n")[0].split(",")
    cols = {first[0]: G, first[1]: C, denom: C,
            col: st(stat, denominator_column=denom, units_column=denom)}
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert r.verdict != "pass", said(r)
    assert any(f.location.get("column") == col and f"declared over {denom!r}" in f.message_en
               for f in by(r, check="structure", severity="review")), said(r)


# the base declared as something other than a count, so that no count was there to multiply
BASE_ROLES = {
    "a grouping key": ({"region": G, "persons": G}, {}),
    "the only key": ({"persons": G}, {}),
    "a sum": ({"region": G, "persons": st("sum", units_column="persons")}, {}),
    "an estimate": ({"region": G, "persons": {"role": "estimate"}}, {"output": "regression"}),
}


@pytest.mark.parametrize("name", list(BASE_ROLES))
def test_a_percent_over_a_base_declared_as_no_count_still_gives_its_count(run, name):
    cols, extra = BASE_ROLES[name]
    text = ("persons,pct\n120,2.5\n130,30\n" if "region" not in cols
            else "region,persons,pct\nA,120,2.5\nB,130,30\n")
    cols = {**cols, "pct": st("percent", denominator_column="persons", units_column="persons")}
    r = run({"t.csv": text}, [tab("t.csv", cols, **extra)])
    assert r.verdict == "block", said(r)
    assert any(f.location.get("column") == "pct" for f in by(r, check="structure", severity="block")), said(r)


@pytest.mark.parametrize("text,cols", [
    ("region,persons,dm,pct_dm\nA,120,30,25.0\nB,130,39,30.0\n",
     {"region": G, "persons": C, "dm": C,
      "pct_dm": st("percent", denominator_column="persons", units_column="dm")}),
    ("region,persons,population,pct_covered\nA,1200,100000,1.2\nB,1300,100000,1.3\n",
     {"region": G, "persons": C, "population": C,
      "pct_covered": st("percent", denominator_column="population", units_column="persons")}),
    ("region,persons,visits,pct\nA,120,5000,21.3\nB,130,6000,33.7\n",
     {"region": G, "persons": C, "visits": C,
      "pct": st("percent", denominator_column="visits", units_column="visits")}),
], ids=["percent of its own base", "share of a population", "percent of many visits"])
def test_honest_percents_beside_other_counts_pass(run, text, cols):
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert r.verdict == "pass", said(r)


# ---- 4. a treatment declared but not done -------------------------------------------------
ALLOW = EgressPolicy(allow_extremes_with_treatment=True)
TREATMENTS = {
    "rounded to 10, raw": ("region,persons,max_cost\nA,120,12345\nB,130,23456\n", "max",
                           {"rounded_to": 10}, "block"),
    "top-coded at 90, 101 above": ("region,persons,max_age\nA,120,90\nB,130,101\n", "max",
                                   {"top_coded_at": 90}, "block"),
    "bottom-coded at 18, 16 below": ("region,persons,min_age\nA,120,18\nB,130,16\n", "min",
                                     {"bottom_coded_at": 18}, "block"),
    "rounded to 1 on whole numbers": ("region,persons,max_cost\nA,120,12345\nB,130,23456\n", "max",
                                      {"rounded_to": 1}, "review"),
    "rounded to 0.1 on one decimal": ("region,persons,max_bmi\nA,120,41.3\nB,130,39.8\n", "max",
                                      {"rounded_to": 0.1}, "review"),
}


@pytest.mark.parametrize("name", list(TREATMENTS))
def test_a_treatment_the_numbers_do_not_carry_is_named(run, name):
    text, stat, treat, least = TREATMENTS[name]
    col = text.split("\n")[0].split(",")[2]
    r = run({"t.csv": text}, [tab("t.csv", {"region": G, "persons": C,
                                            col: st(stat, units_column="persons", **treat)})],
            policy=ALLOW)
    assert ORDER[r.verdict] >= ORDER[least], said(r)
    assert [f for f in by(r, check="declaration") if f.severity == least
            and "treatment the numbers" in f.message_en], said(r)


def test_a_count_declared_rounded_but_not_is_blocked(run):
    r = run({"t.csv": "region,persons\nA,123\nB,131\n"},
            [tab("t.csv", {"region": G, "persons": {"role": "count", "rounded_to": 5}})])
    assert r.verdict == "block" and by(r, check="declaration", severity="block"), said(r)


@pytest.mark.parametrize("text,stat,treat", [
    ("region,persons,max_cost\nA,120,12300\nB,130,23400\n", "max", {"rounded_to": 100}),
    ("region,persons,max_age\nA,120,90\nB,130,90\n", "max", {"top_coded_at": 90}),
    ("region,persons,min_age\nA,120,18\nB,130,18\n", "min", {"bottom_coded_at": 18}),
], ids=["rounded", "top-coded", "bottom-coded"])
def test_a_treatment_that_was_done_passes_where_the_policy_allows(run, text, stat, treat):
    col = text.split("\n")[0].split(",")[2]
    r = run({"t.csv": text}, [tab("t.csv", {"region": G, "persons": C,
                                            col: st(stat, units_column="persons", **treat)})],
            policy=ALLOW)
    assert r.verdict == "pass", said(r)


# ---- 5. headers in look-alike characters ---------------------------------------------------
LOOKALIKE = {
    "Cyrillic e in deaths": ("d\u0435aths", "3", True),
    "Cyrillic p in patients": ("\u0440atients", "3", True),
    "Greek capital nu": ("\u039d", "3", True),
    "zero-width space in n": ("n\u200b", "3", True),
    "full-width n": ("\uff4e", "3", False),
    "simplified 死亡数": ("死亡数", "3", False),
    "simplified 人数": ("人数", "4", False),
}


@pytest.mark.parametrize("name", list(LOOKALIKE))
def test_a_count_headed_in_lookalike_characters_is_read_as_a_count(run, name):
    header, small, disguise = LOOKALIKE[name]
    text = f"region,persons,{header}\nA,120,{small}\nB,130,40\n"
    r = run({"t.csv": text}, [tab("t.csv", {"region": G, "persons": C,
                                            header: st("mean", units_column="persons")})])
    assert r.verdict == "block", said(r)
    assert by(r, check="header_meaning", severity="block"), said(r)
    named = [f for f in by(r, check="header_meaning", severity="review") if "look Latin" in f.message_en]
    assert bool(named) == disguise, said(r)


@pytest.mark.parametrize("header,value", [("p\u0441t_dead", "2.5"), ("\uff50\uff43\uff54", "2.5"),
                                          ("m\u0430x_age", "97")],
                         ids=["Cyrillic c in pct", "full-width pct", "Cyrillic a in max"])
def test_a_percent_or_extreme_headed_in_lookalike_characters_is_read_so(run, header, value):
    text = f"region,persons,{header}\nA,120,{value}\nB,130,40.0\n"
    r = run({"t.csv": text}, [tab("t.csv", {"region": G, "persons": C,
                                            header: st("mean", units_column="persons")})])
    assert r.verdict == "block" and by(r, check="header_meaning", severity="block"), said(r)


@pytest.mark.parametrize("text,cols", [
    ("регион,лица\nA,120\nB,130\n", {"регион": G, "лица": C}),
    ("region,persons,\uff4e\nA,120,120\nB,130,130\n",
     {"region": G, "persons": C, "\uff4e": st("count", units_column="persons")}),
    ("region,persons,μ_cost\nA,120,3000.5\nB,130,400.25\n",
     {"region": G, "persons": C, "μ_cost": st("mean", units_column="persons")}),
], ids=["Russian headers", "full-width n, large", "Greek mu"])
def test_headers_in_other_scripts_are_not_taken_for_disguises(run, text, cols):
    r = run({"t.csv": text}, [tab("t.csv", cols)])
    assert r.verdict != "block" and not by(r, check="header_meaning"), said(r)
    assert r.verdict == "pass" or by(r, check="dominance"), said(r)   # a mean: sealed sums


# ---- 6. declarations that say nothing ------------------------------------------------------
@pytest.mark.parametrize("blank", [" ", "\u200b", "\u3000\u200b ", "\u2060\t"],
                         ids=["space", "zero-width", "ideographic space", "word joiner"])
@pytest.mark.parametrize("field", ["description", "purpose"])
def test_a_blank_declaration_is_refused(field, blank):
    man = {"version": 1, "case_code": "R", "purpose": "p",
           "files": [tab("t.csv", {"region": G, "persons": C})]}
    if field == "purpose":
        man["purpose"] = blank
    else:
        man["files"][0]["description"] = blank
    with pytest.raises(ManifestError, match="empty"):
        parse_manifest(man)


@pytest.mark.parametrize("said_", ["-", "…", "0", "。", "t.csv", "'t.csv'", "out/t.csv"])
def test_a_description_that_says_nothing_goes_to_a_person(run, said_):
    path = "out/t.csv" if said_ == "out/t.csv" else "t.csv"
    r = run({path: SAFE}, [{**tab(path, {"region": G, "persons": C}), "description": said_}])
    assert r.verdict == "review", said(r)
    assert any("says nothing" in f.message_en for f in by(r, check="declaration")), said(r)


@pytest.mark.parametrize("said_", ["t", "persons by region", "各地區人數"])
def test_a_description_with_words_passes(run, said_):
    r = run({"t.csv": SAFE}, [{**tab("t.csv", {"region": G, "persons": C}), "description": said_}])
    assert r.verdict == "pass", said(r)


# ---- 7. a manifest that says a key twice ---------------------------------------------------
TWICE = {
    "kind twice (yaml)": ("m.yaml", "version: 1\ncase_code: R\npurpose: p\nfiles:\n"
                                    "  - path: t.csv\n    kind: table\n    kind: model\n"
                                    "    description: d\n", "'kind'"),
    "role twice (yaml)": ("m.yaml", "version: 1\ncase_code: R\npurpose: p\nfiles:\n"
                                    "  - path: t.csv\n    kind: table\n    description: d\n"
                                    "    columns:\n      n: {role: count}\n      n: {role: group}\n",
                          "'n'"),
    "flow mapping (yaml)": ("m.yaml", "version: 1\ncase_code: R\npurpose: p\nfiles:\n"
                                      "  - {path: t.csv, kind: text, description: d, kind: model}\n",
                            "'kind'"),
    "kind twice (json)": ("m.json", json.dumps({"version": 1, "case_code": "R", "purpose": "p",
                                                "files": []})[:-1].replace(
        '"files": []', '"files": [{"path": "t.csv", "kind": "table", "kind": "model", '
                       '"description": "d"}]') + "}", "'kind'"),
}


@pytest.mark.parametrize("name", list(TWICE))
def test_a_key_given_twice_is_refused(tmp_path, name):
    fname, text, key = TWICE[name]
    (tmp_path / fname).write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=f"{key} is given twice"):
        load_manifest(tmp_path / fname)


def test_a_yaml_merge_may_override_a_key(tmp_path):
    (tmp_path / "m.yaml").write_text(
        "version: 1\ncase_code: R\npurpose: p\nfiles:\n"
        "  - &a {path: t.txt, kind: text, description: d}\n  - {<<: *a, path: u.txt}\n",
        encoding="utf-8")
    assert [f.path for f in load_manifest(tmp_path / "m.yaml").files] == ["t.txt", "u.txt"]


# ---- 8. through the HTTP API ---------------------------------------------------------------
API = {
    "csv named .rds, a model": ({"counts.rds": SMALL.encode()}, [entry("counts.rds", "model")], "block"),
    "utf-16 csv named .bin": ({"w.bin": SMALL.encode("utf-16")}, [entry("w.bin", "model")], "block"),
    "persons as events": ({"t.csv": b"region,persons,x\nA,120,3\nB,130,40\n"},
                          [tab("t.csv", {"region": G, "persons": C,
                                         "x": st("count", units_column="persons")})], "block"),
    "description '-'": ({"t.csv": SAFE.encode()},
                        [{**tab("t.csv", {"region": G, "persons": C}), "description": "-"}], "review"),
}


@pytest.mark.parametrize("name", list(API))
def test_a_round2_declaration_submitted_over_http_is_held(client, world, name):  # noqa: F811
    files, entries, least = API[name]
    r = submit(client, world, man=manifest(files=entries), files=files)
    assert r.status_code == 201, r.text
    assert ORDER[r.json()["verdict"]] >= ORDER[least], r.json()


def test_a_blank_description_submitted_over_http_is_refused(client, world):  # noqa: F811
    bad = {**tab("t.csv", {"region": G, "persons": C}), "description": "\u200b "}
    r = submit(client, world, man=manifest(files=[bad]), files={"t.csv": SAFE.encode()})
    assert 400 <= r.status_code < 500, r.text


def test_a_key_given_twice_over_http_is_refused(client, world):  # noqa: F811
    """E4: the JSON manifest of a submission says one thing too (a key given twice: the reader
    sees the first, every parser keeps the last)."""
    good = json.dumps(manifest(files=[tab("t.csv", {"region": G, "persons": C})]))
    twice = good.replace('"kind": "table"', '"kind": "table", "kind": "model"', 1)
    assert twice != good
    r = client.post("/api/requests", headers=world.auth("alice"), data={"manifest": twice},
                    files=[("files", ("t.csv", SAFE.encode(), "application/octet-stream"))])
    assert 400 <= r.status_code < 500 and "given twice" in r.text, r.text
    r = client.post("/api/requests", headers=world.auth("alice"), data={"manifest": good},
                    files=[("files", ("t.csv", SAFE.encode(), "application/octet-stream"))])
    assert r.status_code in (200, 201), r.text
