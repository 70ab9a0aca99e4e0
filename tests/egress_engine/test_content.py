"""E5 and E7 on text, code, notebooks, figures, models and containers."""
from __future__ import annotations

import base64
import io
import json
import os
import zipfile

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from tests.egress_engine.conftest import by


def f(path, kind):
    return {"path": path, "kind": kind, "description": "d"}


def _png(arr: np.ndarray, text: dict | None = None) -> bytes:
    info = PngImagePlugin.PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def _scan(seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:128, 0:128]
    img = 120 + 80 * np.sin(xx / 9.0 + seed) * np.cos(yy / 13.0) + rng.normal(0, 4, (128, 128))
    return np.clip(img, 0, 255).astype(np.uint8)


def test_valid_national_id_in_free_text_blocks(run):
    r = run({"notes.txt": "Follow-up: patient A123456789 was readmitted.\n"}, [f("notes.txt", "text")])
    hit = by(r, check="identifiers", rule="E7", severity="block")
    assert hit and hit[0].location["line"] == 1 and hit[0].location["offset"] == 19


def test_drug_code_that_looks_like_an_id_passes(run):
    r = run({"notes.txt": "Drug AC12345100 (metformin) was the most dispensed order code.\n"},
            [f("notes.txt", "text")])
    assert r.verdict == "pass", [x.message_en for x in r.findings]


def test_checksum_failing_id_passes_valid_one_in_table_blocks(run):
    cols = {"g": {"role": "group"}, "n": {"role": "count"}}
    # an ID shape whose check digit fails is no verified ID, but a person may have mistyped
    # one: a reviewer looks (issue 14), nothing blocks on it
    ok = run({"t.csv": "g,n\nA123456788,100\n"},
             [{"path": "t.csv", "kind": "table", "description": "d", "columns": cols}])
    assert not by(ok, check="identifiers", severity="block")
    assert by(ok, check="identifiers", severity="review")
    drug = run({"d.csv": "g,n\nAC45856100,100\n"},
               [{"path": "d.csv", "kind": "table", "description": "d", "columns": cols}])
    assert not by(drug, check="identifiers")   # an NHI drug code is neither
    bad = run({"u.csv": "g,n\nA123456789,100\n"},
              [{"path": "u.csv", "kind": "table", "description": "d", "columns": cols}])
    hit = by(bad, check="identifiers", severity="block")
    assert hit and hit[0].location["row"] == 1 and hit[0].location["column"] == "g"


def test_case_pseudonym_in_code_blocks(run):
    r = run({"a.py": "x = df[df.ID == '9f2c61aa0b7d4e11']\n"}, [f("a.py", "code")],
            case_pseudonyms=["9f2c61aa0b7d4e11"])
    assert by(r, check="identifiers", severity="block")


def _nb(cells):
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_notebook_with_embedded_patient_list_blocks(run):
    ids = [os.urandom(8).hex() for _ in range(5)]
    src = f"cohort = {ids!r}\nsub = df[df.ID.isin(cohort)]\n"
    nb = _nb([{"cell_type": "code", "source": src, "outputs": [], "metadata": {}, "execution_count": 1}])
    r = run({"a.ipynb": nb}, [f("a.ipynb", "notebook")])
    hit = by(r, check="smuggling", severity="block")
    assert hit and hit[0].location["cell_index"] == 0 and "patient list" in hit[0].message_en


def test_long_numeric_literal_and_blob_block_but_ordinary_code_passes(run):
    data = "values = [" + ", ".join(str(i * 37 % 101) for i in range(60)) + "]\n"
    blob = "payload = '" + base64.b64encode(os.urandom(90)).decode() + "'\n"
    r = run({"a.py": data, "b.py": blob}, [f("a.py", "code"), f("b.py", "code")])
    assert by(r, check="smuggling", file="a.py", severity="block")
    assert by(r, check="smuggling", file="b.py", severity="block")
    ok = run({"c.py": "import pandas as pd\nbands = [0, 20, 40, 65, 120]\n"
                      "t = pd.cut(df.age, bands).value_counts()\n"}, [f("c.py", "code")])
    assert ok.verdict == "pass", [x.message_en for x in ok.findings]


def test_notebook_output_with_id_blocks(run):
    nb = _nb([{"cell_type": "code", "source": "df.head()", "execution_count": 1, "metadata": {},
               "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                            "data": {"text/plain": "   ID\n0  F223456786\n"}}]}])
    r = run({"n.ipynb": nb}, [f("n.ipynb", "notebook")])
    # F223456786: checksum-valid female national ID
    from deidentify.identifiers.taiwan_id import is_valid
    assert is_valid("F223456786")
    hit = by(r, check="identifiers", severity="block")
    assert hit and hit[0].location["cell_index"] == 0


def test_archive_and_extension_mismatch_block(run):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner.csv", "a,b\n1,2\n")
    png = _png(_scan())
    r = run({"r.zip": buf.getvalue(), "fake.csv": png, "fig.pdf": png},
            [f("r.zip", "text"), f("fake.csv", "text"), f("fig.pdf", "figure")])
    assert by(r, check="smuggling", file="r.zip", severity="block")
    assert by(r, check="smuggling", file="fake.csv", severity="block")
    assert by(r, check="smuggling", file="fig.pdf", severity="block")


def test_figure_goes_to_committee_and_metadata_blocks(run):
    clean = _png(_scan(1), {"Software": "Matplotlib version3.10"})
    r = run({"fig.png": clean}, [f("fig.png", "figure")])
    assert r.verdict == "review" and r.committee
    assert all(x.committee for x in r.findings)
    dirty = _png(_scan(1), {"Comment": "A123456789 ; 0912345678"})
    r2 = run({"fig2.png": dirty}, [f("fig2.png", "figure")])
    assert by(r2, check="smuggling", severity="block")
    appended = clean + b"hidden payload " * 10
    r3 = run({"fig3.png": appended}, [f("fig3.png", "figure")])
    assert any("appended" in x.message_en for x in by(r3, check="smuggling"))


def test_model_weights_never_pass(run):
    r = run({"w.safetensors": os.urandom(2048)}, [f("w.safetensors", "model")])
    assert r.verdict == "review" and any(x.committee and x.rule == "E5" for x in r.findings)


def test_original_image_byte_identical_or_near_identical_blocks(tmp_path, run):
    originals = tmp_path / "originals"
    originals.mkdir()
    orig = _png(_scan(5))
    (originals / "scan005.png").write_bytes(orig)
    # near-identical: re-encoded as JPEG with slight brightness change
    im = Image.fromarray(np.clip(_scan(5).astype(int) + 6, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=80)
    other = _png(_scan(9))
    r = run({"copy.png": orig, "near.jpg": buf.getvalue(), "other.png": other},
            [f("copy.png", "figure"), f("near.jpg", "figure"), f("other.png", "figure")],
            original_images_dir=originals)
    assert by(r, check="imaging", file="copy.png", severity="block")
    assert by(r, check="imaging", file="near.jpg", severity="block")
    assert not by(r, check="imaging", file="other.png", severity="block")
    # an original smuggled inside a model file
    r2 = run({"m.pt": b"PK\x03\x04" + os.urandom(100) + orig + os.urandom(50)},
             [f("m.pt", "model")], original_images_dir=originals)
    assert by(r2, check="imaging", file="m.pt", severity="block")


def test_notebook_embedding_an_original_image_blocks(tmp_path, run):
    originals = tmp_path / "orig"
    originals.mkdir()
    orig = _png(_scan(2))
    (originals / "a.png").write_bytes(orig)
    nb = _nb([{"cell_type": "code", "source": "show()", "execution_count": 1, "metadata": {},
               "outputs": [{"output_type": "display_data", "metadata": {},
                            "data": {"image/png": base64.b64encode(orig).decode()}}]}])
    r = run({"n.ipynb": nb}, [f("n.ipynb", "notebook")], original_images_dir=originals)
    assert by(r, check="imaging", severity="block")[0].location["cell_index"] == 0


def test_hidden_spreadsheet_sheet_and_rows_block(tmp_path, run):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "table"
    ws.append(["age", "n"])
    ws.append(["a", 100])
    ws.append(["b", 200])
    ws.row_dimensions[3].hidden = True
    hidden = wb.create_sheet("raw")
    hidden.append(["ID"])
    hidden.append(["A123456789"])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "t.xlsx")
    cols = {"age": {"role": "group"}, "n": {"role": "count"}}
    r = run({}, [{"path": "t.xlsx", "kind": "table", "description": "d", "columns": cols}])
    what = {x.location.get("what") for x in by(r, check="smuggling", severity="block")}
    assert {"sheet", "row"} <= what


def test_implausible_precision_in_table_blocks(run):
    cols = {"g": {"role": "group"}, "n": {"role": "count"},
            "mean": {"role": "statistic", "statistic": "mean", "units_column": "n"}}
    r = run({"t.csv": "g,n,mean\na,100,12.3456789012\nb,100,13.5\n"},
            [{"path": "t.csv", "kind": "table", "description": "d", "columns": cols}])
    hit = by(r, check="smuggling", severity="block")
    assert [x.location["row"] for x in hit] == [1]


def test_matplotlib_figures_go_to_committee_not_blocked(tmp_path, run):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.bar(["north", "south"], [120, 340])
    ax.set_title("Visits by region")
    fig2, ax2 = plt.subplots()
    ax2.imshow(np.random.default_rng(0).random((20, 20)))     # SVG embeds a base64 raster
    entries = []
    for name, fg in (("bar", fig), ("heat", fig2)):
        for ext in ("png", "svg", "pdf"):
            fg.savefig(tmp_path / f"{name}.{ext}")
            entries.append(f(f"{name}.{ext}", "figure"))
    plt.close("all")
    r = run({}, entries)
    assert r.verdict == "review", [(x.file, x.message_en) for x in r.findings if x.severity == "block"]
    assert all(fr.verdict == "review" for fr in r.files) and r.committee


def test_svg_text_with_id_blocks_and_embedded_original_blocks(tmp_path, run):
    svg = ('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
           '<path id="mc087513077" d="M 0 0 L 10 10"/><text x="5" y="20">Patient A123456789</text></svg>')
    r = run({"a.svg": svg}, [f("a.svg", "figure")])
    assert [x.location["line"] for x in by(r, check="identifiers", severity="block")] == [1]
    originals = tmp_path / "orig"
    originals.mkdir()
    orig = _png(_scan(3))
    (originals / "o.png").write_bytes(orig)
    emb = ('<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,'
           + base64.b64encode(orig).decode() + '"/></svg>')
    r2 = run({"b.svg": emb}, [f("b.svg", "figure")], original_images_dir=originals)
    assert by(r2, check="imaging", severity="block")


def test_small_count_in_notebook_output_table_blocks(run):
    import pandas as pd

    small = pd.DataFrame({"region": ["north", "south"], "n": [3, 1200]})
    big = pd.DataFrame({"region": ["north", "south"], "n": [300, 1200], "mean": [1.5, 2.0]})
    def nb(df):
        return _nb([{"cell_type": "code", "source": "t", "execution_count": 1, "metadata": {},
                     "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                                  "data": {"text/html": df.to_html(), "text/plain": df.to_string()}}]}])
    r = run({"a.ipynb": nb(small), "b.ipynb": nb(big)},
            [f("a.ipynb", "notebook"), f("b.ipynb", "notebook")])
    hit = by(r, check="threshold", file="a.ipynb", severity="block")
    # read from both the HTML and the printed form of the output; each names its place
    assert {h.location["part"] for h in hit} == {"text/html", "text/plain"}
    html = next(h for h in hit if h.location["part"] == "text/html")
    assert html.location["cell_index"] == 0 and html.location["output"] == 0
    assert html.location["row"] == 1 and html.location["column"] == "n" and html.location["value"] == "3"
    assert not by(r, check="threshold", file="b.ipynb")
