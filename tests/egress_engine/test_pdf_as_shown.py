"""E7: a PDF is checked as its pages are shown, not only as its text layer says.

Numbers and words drawn as vector shapes have no text layer, and a font's ToUnicode map can
send the glyph a reader sees ("3") to other text ("8"): the checks read the layer and passed
what the page shows.  Each page is now rendered (pdfium) and read by tesseract
(``egress_review/engine/readers/pdf_shown.py``); what the picture shows beyond the layer is
checked too and the file goes to review.  Real fpdf2 and matplotlib PDFs, real pdfium and
tesseract; ordinary PDFs are not sent to review by it."""
from __future__ import annotations

import io
import re

import pytest

from tests.egress_engine import formats_fixtures as fx
from tests.egress_engine.conftest import said

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _drawn(lines: list[str]) -> bytes:
    """A PDF whose words are vector outlines (matplotlib TextPath): no text layer at all."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import PathPatch
    from matplotlib.textpath import TextPath

    fig = plt.figure(figsize=(8.27, 3))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 600), ax.set_ylim(0, 200), ax.axis("off")
    for i, line in enumerate(lines):
        ax.add_patch(PathPatch(TextPath((20, 170 - 30 * i), line, size=14), color="black", lw=0))
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()


def _remapped(text: str, swaps: dict[str, str]) -> bytes:
    """An fpdf2 PDF in an embedded font whose ToUnicode map sends each glyph of ``swaps``' keys
    to its value: shown as written, extracted as swapped."""
    from fpdf import FPDF

    p = FPDF()
    p.set_compression(False)
    p.add_page()
    p.add_font("dv", fname=DEJAVU)
    p.set_font("dv", size=12)
    p.multi_cell(0, 8, text)
    raw = bytes(p.output())
    for src, dst in swaps.items():
        entry = re.compile(rb"(<[0-9A-F]{4}> <)%04X(>)" % ord(src))
        assert entry.search(raw), f"no ToUnicode entry for {src!r}"
        raw = entry.sub(rb"\g<1>%04X\g<2>" % ord(dst), raw, count=1)
    return raw


def _run(run, raw: bytes):
    return run({"a.pdf": raw}, [{"path": "a.pdf", "kind": "text", "description": "results"}])


def _as_shown_review(r) -> bool:
    return any("text layer does not hold" in f.message_en for f in r.findings)


def _blocks(r, check: str) -> bool:
    return any(f.check == check and f.severity == "block" for f in r.findings)


DRAWN_SMALL_COUNTS = [
    ["Outcome by region", "South region: 3 patients had the outcome"],
    ["Results", "Only 2 women in the north had a stroke"],
    ["Adverse events", "Of 480 patients, 4 died within 30 days"],
]


@pytest.mark.parametrize("lines", DRAWN_SMALL_COUNTS, ids=lambda ls: ls[1][:24])
def test_a_small_count_drawn_as_shapes_blocks(run, lines):
    """E2/E7"""
    r = _run(run, _drawn(lines))
    assert _blocks(r, "prose") and _as_shown_review(r), said(r)


def test_an_identifier_drawn_as_shapes_blocks(run):
    """E7"""
    r = _run(run, _drawn(["Follow-up list", "Patient A123456789, phone 0912345678"]))
    assert _blocks(r, "identifiers") and _as_shown_review(r), said(r)


@pytest.mark.parametrize("text, swaps", [
    ("South region: 3 patients had the outcome.\nNorth region: 120 patients.", {"3": "8"}),
    ("Of 480 patients, 4 died within 30 days.", {"4": "9"}),
    ("Only 2 women in the north had a stroke; 150 in the south.", {"2": "7"}),
    ("Follow-up: patient A123456789.", {"1": "7"}),
], ids=["3-as-8", "4-as-9", "2-as-7", "id-digit"])
def test_a_font_that_maps_glyphs_to_other_text_is_read_as_shown(run, text, swaps):
    """E7: the text layer says a large count (or a broken ID); the page shows the real one."""
    raw = _remapped(text, swaps)
    from egress_review.engine.readers.documents import read_pdf

    layer = " ".join(u.text for u in read_pdf(raw, "a.pdf").units
                     if getattr(u, "place", {}).get("part") != "page as shown (OCR)")
    assert any(dst in layer for dst in swaps.values())           # the layer lies
    r = _run(run, raw)
    assert _as_shown_review(r) and (_blocks(r, "prose") or _blocks(r, "identifiers")), said(r)


ORDINARY = [
    "Results. We enrolled 1,200 patients in 2019 (p = 0.03).",
    "Table 2. Outcomes by region\nNorth: 120 patients, 14 events\nSouth: 300 patients, 31 events\n"
    "Mean age 63.4 (SD 11.2), p = 0.031\nTotal 1,234 visits in 2023.",
    "Methods. Patients aged 40-79 years were followed from 2015-01-01 to 2022-12-31; hazard "
    "ratios were estimated with Cox models (95% CI 1.12-1.48).",
]


@pytest.mark.parametrize("text", ORDINARY, ids=range(len(ORDINARY)))
def test_an_ordinary_pdf_is_not_sent_to_review_by_it(run, text):
    r = _run(run, fx.pdf_bytes(text))
    assert not _as_shown_review(r), said(r)


def test_an_ordinary_pdf_in_an_embedded_font_is_not_sent_to_review_by_it(run):
    r = _run(run, _remapped("Results. We enrolled 1,200 patients in 2019 (p = 0.03).", {}))
    assert not _as_shown_review(r), said(r)


def test_without_tesseract_the_pdf_goes_to_review(run, monkeypatch):
    """Default deny: a page that cannot be read as shown is a reviewer's."""
    monkeypatch.setenv("PATH", "/nonexistent")
    r = _run(run, fx.pdf_bytes(ORDINARY[0]))
    assert r.verdict != "pass" and any("could not be read as shown" in f.message_en for f in r.findings), said(r)


def test_a_pdf_past_the_page_cap_goes_to_review(run):
    from fpdf import FPDF

    from egress_review.engine.readers.pdf_shown import MAX_PAGES

    p = FPDF()
    p.set_font("helvetica", size=11)
    for k in range(MAX_PAGES + 1):
        p.add_page()
        p.multi_cell(0, 8, f"Page {k + 1}. We enrolled 1,200 patients.")
    r = _run(run, bytes(p.output()))
    assert r.verdict != "pass" and any("pages are not rendered" in f.message_en for f in r.findings), said(r)
