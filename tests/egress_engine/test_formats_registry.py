"""Issue 20, default deny proven: every format the engine knows has a reader or a review path,
every readable format has a disclosive sample that is not passed, and every extension or
content type a researcher could submit (and every magic type the container check knows) ends in
a reader or in review, never in an unread pass."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from egress_review.engine import smuggling
from egress_review.engine.readers import FORMATS, format_of, read_content
from tests.egress_engine import formats_fixtures as fx

SMALL = pd.DataFrame({"region": ["north", "south"], "n": [3, 1200]})
_SVG = ('<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="1">north: 3 patients</text>'
        '</svg>')


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="PNG")
    return buf.getvalue()


# One disclosive file per readable format: (file name, content, manifest kind).
DISCLOSIVE = {
    "csv": ("t.csv", SMALL.to_csv(index=False), "text"),
    "xlsx": ("t.xlsx", fx.xlsx_bytes(SMALL), "text"),
    "ods": ("t.ods", fx.ods_bytes(SMALL), "text"),
    "parquet": ("t.parquet", fx.parquet_bytes(SMALL), "text"),
    "arrow": ("t.feather", fx.feather_bytes(SMALL), "text"),
    "json": ("t.json", fx.json_map(SMALL, "region", "n"), "text"),
    "yaml": ("t.yaml", "n:\n  north: 3\n  south: 1200\n", "text"),
    "toml": ("t.toml", "[n]\nnorth = 3\nsouth = 1200\n", "text"),
    "html": ("t.html", fx.html_report(SMALL), "text"),
    "markdown": ("t.md", fx.markdown_table(SMALL), "text"),
    "notebook": ("t.ipynb", fx.notebook([fx.display(SMALL)]), "notebook"),
    "pdf": ("t.pdf", fx.pdf_bytes("Only 3 of 40 patients were included."), "text"),
    "docx": ("t.docx", fx.docx_bytes("Summary", SMALL), "text"),
    "text": ("t.txt", "本研究共3人發生不良事件。", "text"),
    "code": ("t.py", "# north region: 3 patients\nprint(1)\n", "code"),
    "svg": ("t.svg", _SVG, "text"),
    "image": ("t.png", _png(), "text"),
}


def test_every_format_has_a_reader_or_a_review_reason():
    for f in FORMATS:
        assert f.reader is not None or f.review_reason, f.name
        assert f.suffixes, f.name


def test_every_readable_format_has_a_disclosive_sample():
    readable = {f.name for f in FORMATS if f.reader is not None}
    assert readable <= set(DISCLOSIVE), readable - set(DISCLOSIVE)


@pytest.mark.parametrize("fmt", sorted(DISCLOSIVE))
def test_the_disclosive_sample_of_each_format_is_not_passed(run, fmt):
    name, content, kind = DISCLOSIVE[fmt]
    assert format_of(name).name == fmt
    r = run({name: content}, [{"path": name, "kind": kind, "description": "d"}])
    assert r.verdict != "pass", fmt


def test_every_magic_type_the_container_check_knows_has_a_format():
    known = {m for f in FORMATS for m in f.magic}
    assert {name for _, name in smuggling.MAGIC} - {"npy", "hdf5", "sqlite", "elf", "exe"} <= known | {"riff"}
    for _, name in smuggling.MAGIC:
        assert name in known or name in {"riff"}, name


EXTENSIONS = [".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods", ".parquet", ".feather", ".arrow",
              ".json", ".yaml", ".yml", ".html", ".htm", ".md", ".rmd", ".qmd", ".ipynb", ".pdf",
              ".docx", ".doc", ".pptx", ".odt", ".rtf", ".txt", ".log", ".tex", ".smcl", ".lst",
              ".py", ".r", ".sql", ".sas", ".do", ".svg", ".png", ".jpg", ".tif", ".dta", ".sav",
              ".sas7bdat", ".rds", ".rdata", ".npy", ".npz", ".pkl", ".h5", ".sqlite", ".zip",
              ".gz", ".7z", ".pt", ".onnx", ".safetensors", ".xml", ".dat", ".bak", ""]


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_no_extension_lets_a_small_count_through_unread(run, ext):
    name = f"result{ext}"
    r = run({name: "region,n\nnorth,3\nsouth,1200\n"}, [{"path": name, "kind": "text",
                                                          "description": "d"}])
    assert r.verdict != "pass", (ext, [(f.check, f.message_en) for f in r.findings])


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.reader is not None], ids=lambda f: f.name)
def test_a_reader_never_raises_on_garbage(fmt):
    for raw in (b"", b"\x00\xff" * 50, b"PK\x03\x04" + b"\x00" * 40, json.dumps({"a": [1, {}]}).encode()):
        c = read_content(raw, "x" + fmt.suffixes[0])
        assert c.fmt                        # a Content, whatever the bytes
