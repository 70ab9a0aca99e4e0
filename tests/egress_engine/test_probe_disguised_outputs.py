"""E2/E3/E6/E7 red-team probe (6 December, second round): disguised outputs through ``check_request``.

A researcher wanting a small cell or one person's record out submits it disguised: in a hidden
or formatted-away workbook cell, a workbook's comment or defined name, Parquet metadata, a
pickle or a zip, HTML hidden elements and comments, an SVG's metadata, a notebook's printed
output; as prose that singles out one institution ("the only hospital in Penghu", 「該院排名
第一」); as a histogram's edges; or by differencing against an earlier release (a total less
released subtotals, overlapping age bands).  Every member must be held (review or block).
``python -m tests.egress_engine.test_probe_disguised_outputs`` prints the verdict of each.
Before this round, the singling-out sentences passed (closed by ``singling_out.py``) and the
histograms were held for the wrong reasons (``bins.py``); the rest were already held.
"""
from __future__ import annotations

import io
import json
import pickle
import zipfile

import pytest

from tests.egress_engine.conftest import make_request, one_release_history, said

G = {"role": "group"}
C = {"role": "count"}
TAB = {"region": G, "persons": C}


def _xlsx(edit) -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "t"
    for row in (["region", "persons"], ["A", 120], ["B", 130]):
        ws.append(row)
    edit(wb, ws)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def _hidden_format(wb, ws):
    ws.append(["C", 3])
    ws["B4"].number_format = ";;;"


def _white(wb, ws):
    from openpyxl.styles import Font
    ws.append(["C", 3])
    ws["B4"].font = Font(color="FFFFFFFF")


def _very_hidden(wb, ws):
    s = wb.create_sheet("x")
    s.append(["id", "age"])
    s.append(["P1", 93])
    s.sheet_state = "veryHidden"


def _hidden_row(wb, ws):
    ws.append(["C", 3])
    ws.row_dimensions[4].hidden = True


def _defined_name(wb, ws):
    from openpyxl.workbook.defined_name import DefinedName
    wb.defined_names["note"] = DefinedName("note", attr_text='"region C had 3 patients"')


def _comment(wb, ws):
    from openpyxl.comments import Comment
    ws["A2"].comment = Comment("region C had 3 patients", "me")


def _parquet(meta: dict) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq
    t = pa.table({"region": ["A", "B"], "persons": [120, 130]}).replace_schema_metadata(meta)
    b = io.BytesIO()
    pq.write_table(t, b)
    return b.getvalue()


def _zip(entries) -> bytes:
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for name, content in entries:
            z.writestr(name, content)
    return b.getvalue()


def _nb(cells) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


_PRINTED = {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "df",
            "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                         "data": {"text/plain": "  region  persons\n0      A      120\n1      C        3"}}]}
_ATTACHED = {"cell_type": "markdown", "metadata": {}, "source": "see attachment",
             "attachments": {"a.txt": {"text/plain": "region C: 3 patients"}}}

# name -> (file name, bytes or text, manifest entry extras)
PROBE = {
    "xlsx ;;; formatted cell": ("t.xlsx", _xlsx(_hidden_format), {"kind": "table", "columns": TAB}),
    "xlsx white text": ("t.xlsx", _xlsx(_white), {"kind": "table", "columns": TAB}),
    "xlsx very hidden sheet": ("t.xlsx", _xlsx(_very_hidden), {"kind": "table", "columns": TAB}),
    "xlsx hidden row": ("t.xlsx", _xlsx(_hidden_row), {"kind": "table", "columns": TAB}),
    "xlsx defined name": ("t.xlsx", _xlsx(_defined_name), {"kind": "table", "columns": TAB}),
    "xlsx comment": ("t.xlsx", _xlsx(_comment), {"kind": "table", "columns": TAB}),
    "parquet metadata count": ("t.parquet", _parquet({"note": "region C: 3 patients"}),
                               {"kind": "table", "columns": TAB}),
    "parquet metadata base64": ("t.parquet", _parquet({"x": "QTEyMzQ1Njc4OVBMNDU2Nzg5MDEy" * 3}),
                                {"kind": "table", "columns": TAB}),
    "pickle as table": ("t.pkl", pickle.dumps({"C": 3}), {"kind": "table", "columns": TAB}),
    "pickle named csv": ("t.csv", pickle.dumps({"C": 3}), {"kind": "table", "columns": TAB}),
    "zip in zip": ("r.zip", _zip([("in.zip", _zip([("t.csv", "region,persons\nC,3\n")]))]), {"kind": "text"}),
    "zip path traversal": ("r.zip", _zip([("../../x.csv", "region,persons\nC,3\n")]), {"kind": "text"}),
    "html hidden div": ("r.html", "<p>Results.</p><div style='display:none'>Region C: 3 patients</div>",
                        {"kind": "text"}),
    "html comment": ("r.html", "<p>Results.</p><!-- region C had 3 patients -->", {"kind": "text"}),
    "html hidden row": ("r.html", "<table><tr><th>region</th><th>persons</th></tr><tr><td>A</td><td>120"
                                  "</td></tr><tr style='display:none'><td>C</td><td>3</td></tr></table>",
                        {"kind": "text"}),
    "svg metadata": ("f.svg", "<svg xmlns='http://www.w3.org/2000/svg'><metadata>region C n=3</metadata>"
                              "</svg>", {"kind": "figure"}),
    "notebook printed frame": ("n.ipynb", _nb([_PRINTED]), {"kind": "notebook"}),
    "notebook attachment": ("n.ipynb", _nb([_ATTACHED]), {"kind": "notebook"}),
    "singling out: only hospital": ("r.txt", "The only hospital in Penghu had the highest mortality.",
                                    {"kind": "text"}),
    "singling out: ranked first": ("r.txt", "The hospital in Taitung ranked first for readmissions.",
                                   {"kind": "text"}),
    "singling out: 唯一": ("r.txt", "台東縣唯一的醫學中心收治了最多的病人。", {"kind": "text"}),
    "singling out: 排名第一": ("r.txt", "在全部醫院中，該院排名第一。", {"kind": "text"}),
    "singling out: 最多的一家": ("r.txt", "本研究中，最多的一家醫院位於澎湖。", {"kind": "text"}),
    "singling out: highest in 台東": ("r.txt", "Mortality was highest in 台東 among all counties.",
                                     {"kind": "text"}),
    "histogram numpy default range": ("h.csv", "edge,persons\n18.3,120\n27.44,130\n36.58,60\n45.72,\n",
                                      {"kind": "table", "columns": {"edge": G, "persons": C}}),
    "histogram small bin by edges": ("h.csv", "bin_left,bin_right,persons\n0,10,120\n10,20,3\n",
                                     {"kind": "table", "columns": {"bin_left": G, "bin_right": G,
                                                                   "persons": C}}),
}

# differencing against an earlier release: (released, its columns, new, its columns)
HISTORY = {
    "total less released subtotals": ("region,n\nNorth,400\nSouth,397\n", {"region": G, "n": C},
                                      "group,n\nAll patients,800\n", {"group": G, "n": C}),
    "margins in two groupings": ("sex,n\nF,420\nM,380\n", {"sex": G, "n": C},
                                 "age,n\n<65,500\n65+,303\n", {"age": G, "n": C}),
    "overlapping age bands": ("age,n\n20-39,300\n40-59,200\n", {"age": G, "n": C},
                              "age,n\n20-40,303\n41-59,197\n", {"age": G, "n": C}),
}


def verdict(tmp_path, name: str):
    if name in HISTORY:
        old, oc, new, nc = HISTORY[name]
        h = one_release_history(tmp_path, "old.csv", old,
                                {"path": "old.csv", "kind": "table", "description": "d", "columns": oc})
        (tmp_path / "new").mkdir()
        return make_request(tmp_path / "new", {"t.csv": new},
                            [{"path": "t.csv", "kind": "table", "description": "d", "columns": nc}], history=h)
    path, content, extra = PROBE[name]
    return make_request(tmp_path, {path: content},
                        [{"path": path, "description": "aggregate results", **extra}])


NAMES = list(PROBE) + list(HISTORY)


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_no_disguised_output_passes(tmp_path, name):
    r = verdict(tmp_path, name)
    assert r.verdict in ("review", "block"), said(r)


if __name__ == "__main__":            # the probe's table: which pass without review
    import tempfile
    from pathlib import Path
    for n in NAMES:
        r = verdict(Path(tempfile.mkdtemp()), n)
        print(f"{r.verdict:7} {n}: {[f.check for f in r.findings][:4]}")


# ---- notebook attachments: a MIME bundle like an output, read by its type ------------------
def _b64(text: str) -> str:
    import base64
    return base64.b64encode(text.encode("utf-8")).decode()


_ATTACH = [
    ("plain", "text/plain", "region C: 3 patients"),
    ("plain-b64", "text/plain", _b64("Region C had 2 deaths.")),
    ("markdown", "text/markdown", "| region | persons |\n|---|---|\n| A | 120 |\n| C | 4 |\n"),
    ("markdown-b64", "text/markdown", _b64("In region C, **3 patients** died.")),
    ("html", "text/html", "<table><tr><th>region</th><th>persons</th></tr><tr><td>C</td><td>2</td></tr></table>"),
    ("html-b64", "text/html", _b64("<p>Region C: 5 patients</p>")),
    ("csv", "text/csv", "region,persons\nA,120\nC,3\nD,140\n"),
    ("json", "application/json", json.dumps({"persons": {"A": 120, "C": 3}})),
    ("svg", "image/svg+xml", _b64("<svg xmlns='http://www.w3.org/2000/svg'><text>region C n=3</text></svg>")),
    ("zh", "text/plain", "丙區共3人"),
]


@pytest.mark.parametrize("aid,mime,data", _ATTACH, ids=[a[0] for a in _ATTACH])
def test_a_small_count_in_a_notebook_attachment_blocks(tmp_path, aid, mime, data):
    cell = {"cell_type": "markdown", "metadata": {}, "source": "see the attachment",
            "attachments": {f"a.{aid}": {mime: data}}}
    r = make_request(tmp_path, {"n.ipynb": _nb([cell])},
                     [{"path": "n.ipynb", "kind": "notebook", "description": "analysis"}])
    assert r.verdict == "block", said(r)
    assert any(f.location.get("attachment") == f"a.{aid}" and f.severity == "block"
               for f in r.findings), said(r)


def test_a_picture_attachment_goes_to_the_committee_only(tmp_path):
    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    cell = {"cell_type": "markdown", "metadata": {}, "source": "![x](attachment:a.png)",
            "attachments": {"a.png": {"image/png": png}}}
    r = make_request(tmp_path, {"n.ipynb": _nb([cell])},
                     [{"path": "n.ipynb", "kind": "notebook", "description": "analysis"}])
    assert r.verdict == "review" and not [f for f in r.findings if f.severity == "block"], said(r)


# ---- pickles: never unpickled, refused whatever their name or declared kind ---------------
_PICKLES = [(f"pickle-p{proto}-{name.split('.')[-1]}-{kind}", proto, name, kind)
            for proto, name, kind in [(2, "m.pkl", "text"), (3, "m.pickle", "model"), (4, "m.joblib", "model"),
                                      (5, "m.dat", "text"), (4, "m.bin", "model"), (3, "m.txt", "text"),
                                      (2, "m.py", "code"), (5, "m.out", "text"), (4, "weights.pkl", "model"),
                                      (4, "t.csv", "table")]]


@pytest.mark.parametrize("pid,proto,name,kind", _PICKLES, ids=[p[0] for p in _PICKLES])
def test_a_pickle_is_refused_unopened(tmp_path, pid, proto, name, kind):
    import pickle as pk
    entry = {"path": name, "kind": kind, "description": "results"}
    if kind == "table":
        entry["columns"] = TAB
    r = make_request(tmp_path, {name: pk.dumps({"C": 3, "rows": [("P1", 93)]}, protocol=proto)}, [entry])
    assert r.verdict == "block", said(r)
    assert any(f.check == "smuggling" and f.location.get("detected") == "pickle" for f in r.findings), said(r)
