"""E2/E4: the engine reads a file's content, not its name or declared kind.

A probe hid counts where only the label was believed: words stored with a figure (PNG
tEXt/iTXt chunks, JPEG EXIF descriptions) and tables saved under another format's name (a CSV
as .svg/.md/.json/.yaml/.html, an HTML table or a notebook as .txt/.json, a table in a file with
no extension).  Each member is checked through the engine's entry point; clean figures and
ordinary files of each format keep their verdict (a figure still goes to the committee).
"""
from __future__ import annotations

import io

import nbformat
import pytest
from PIL import Image, PngImagePlugin

from tests.egress_engine.conftest import by, said


def _png(text=None, itxt=None) -> bytes:
    info = PngImagePlugin.PngInfo()
    for k, v in (text or {}).items():
        info.add_text(k, v)
    for k, v in (itxt or {}).items():
        info.add_itxt(k, v)
    b = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(b, "PNG", pnginfo=info)
    return b.getvalue()


def _jpeg(tag: int, value) -> bytes:
    exif = Image.Exif()
    exif[tag] = value
    b = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(b, "JPEG", exif=exif)
    return b.getvalue()


IMAGE_WORDS = {
    "png Title n=3": ("f.png", lambda: _png({"Title": "Region A n=3"})),
    "png Description": ("f.png", lambda: _png({"Description": "deaths in A: 3 patients"})),
    "png Comment zh": ("f.png", lambda: _png(itxt={"Comment": "甲區3人"})),
    "png Caption words": ("f.png", lambda: _png({"Caption": "three patients in region A"})),
    "png 大寫": ("f.png", lambda: _png(itxt={"Comment": "甲區參位病人"})),
    "png bound": ("f.png", lambda: _png({"Title": "Region A: <5 patients"})),
    "jpeg ImageDescription": ("f.jpg", lambda: _jpeg(270, "Region A (n=4)")),
    "jpeg Artist": ("f.jpg", lambda: _jpeg(315, "2 deaths in region A")),
    "jpeg XPComment": ("f.jpg", lambda: _jpeg(40092, "n = 2".encode("utf-16-le"))),
}


@pytest.mark.parametrize("case", list(IMAGE_WORDS))
def test_a_count_stored_with_a_picture_blocks(run, case):
    name, make = IMAGE_WORDS[case]
    r = run({name: make()}, [{"path": name, "kind": "figure", "description": "a plot"}])
    hits = [f for f in by(r, check="prose", severity="block") if f.location.get("metadata")]
    assert hits, said(r)


@pytest.mark.parametrize("make", [lambda: _png(), lambda: _png({"Software": "Matplotlib version3.8.0"}),
                                  lambda: _png({"Title": "Incidence by year, 2010-2020"})])
def test_a_clean_picture_only_goes_to_the_committee(run, make):
    r = run({"f.png": make()}, [{"path": "f.png", "kind": "figure", "description": "a plot"}])
    assert r.verdict == "review" and not by(r, severity="block"), said(r)


CSV_SMALL = "region,n\nA,3\nB,120\nC,200\n"
TSV_SMALL = "region\tpatients\nA\t120\nB\t2\nC\t300\n"


def _notebook_with_table() -> str:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df")
    cell.outputs = [nbformat.v4.new_output(
        "execute_result", execution_count=1,
        data={"text/html": "<table><tr><th>region</th><th>n</th></tr><tr><td>A</td><td>3</td>"
                           "</tr><tr><td>B</td><td>120</td></tr></table>"})]
    nb.cells = [cell]
    return nbformat.writes(nb)


HTML_TABLE = ("<table><tr><th>region</th><th>n</th></tr><tr><td>A</td><td>3</td></tr>"
              "<tr><td>B</td><td>120</td></tr></table>")
UNDER_OTHER_NAMES = {
    "csv as .svg": ("t.svg", "figure", CSV_SMALL),
    "csv as .md": ("t.md", "text", CSV_SMALL),
    "csv as .json": ("t.json", "text", CSV_SMALL),
    "csv as .yaml": ("t.yaml", "text", CSV_SMALL),
    "csv as .html": ("t.html", "text", CSV_SMALL),
    "tsv as .md": ("t.md", "text", TSV_SMALL),
    "tsv as .json": ("t.json", "text", TSV_SMALL),
    "html table as .txt": ("t.txt", "text", HTML_TABLE),
    "html table as .json": ("t.json", "text", HTML_TABLE),
    "html table as .log": ("t.log", "text", HTML_TABLE),
    "notebook as .json": ("t.json", "text", _notebook_with_table()),
    "notebook as .txt": ("t.txt", "text", _notebook_with_table()),
    "csv with no extension": ("results", "text", CSV_SMALL),
    "csv as .dat": ("t.dat", "text", CSV_SMALL),
}


@pytest.mark.parametrize("case", list(UNDER_OTHER_NAMES))
def test_a_table_under_another_formats_name_is_read_as_a_table(run, case):
    name, kind, body = UNDER_OTHER_NAMES[case]
    r = run({name: body}, [{"path": name, "kind": kind, "description": "results"}])
    assert by(r, check="threshold", severity="block"), said(r)


ORDINARY = {
    "markdown prose": ("t.md", "# Results\n\nWe enrolled 1,200 patients in 2020.\n"),
    "json map": ("t.json", '{"persons": {"M": 120, "F": 140}}'),
    "yaml settings": ("t.yaml", "model: logistic\nseed: 42\n"),
    "html page": ("t.html", "<html><body><p>Incidence rose after 2015.</p></body></html>"),
    "text": ("t.txt", "The analysis used 1,200 patients.\n"),
}


@pytest.mark.parametrize("case", list(ORDINARY))
def test_ordinary_files_of_each_format_keep_passing(run, case):
    name, body = ORDINARY[case]
    r = run({name: body}, [{"path": name, "kind": "text", "description": "results"}])
    assert r.verdict == "pass", said(r)
