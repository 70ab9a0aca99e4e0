"""Import review (D4): PDF, Word and Arrow files are read for what they hold.

Before, these were "binary files": their raw bytes were searched for national IDs (which a
compressed PDF stream or an Arrow buffer hides) and the file went to review whatever it held,
so a patient list in a PDF reached a reviewer unmarked.  Now the egress engine's readers give
their text and tables to the import checks: a person list blocks; an ordinary document passes.
"""
from __future__ import annotations

import io

import pandas as pd
import pytest

from egress_review.ingress.checks import ImportItem, check_import
from tests.ingress.conftest import national_ids

IDS = national_ids(6, seed=41)
NAMES = ["陳美玲", "林志明", "黃小玲", "張家豪", "王淑芬", "李建國"]
PHONES = [f"0912-3456{k:02d}" for k in range(6)]


def run(policy, name, data, kind="reference"):
    return check_import([ImportItem(name, kind, data)], imaging=False, policy=policy.egress)


def shown(r):
    return [(f.severity, f.check, f.location, f.message_en[:80]) for f in r.findings]


def docx(paragraphs=(), table=None) -> bytes:
    import docx as python_docx

    d = python_docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, v in enumerate(row):
                t.cell(i, j).text = str(v)
    b = io.BytesIO()
    d.save(b)
    return b.getvalue()


def pdf(lines) -> bytes:
    """A PDF with a text layer (matplotlib; its streams are compressed, so the raw bytes hide it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(6, 1 + 0.3 * len(lines)))
    for k, line in enumerate(lines):
        fig.text(0.05, 0.9 - k * 0.8 / max(len(lines), 1), line, fontsize=10)
    b = io.BytesIO()
    fig.savefig(b, format="pdf")
    plt.close(fig)
    return b.getvalue()


def feather(df) -> bytes:
    b = io.BytesIO()
    df.to_feather(b)
    return b.getvalue()


PERSON_DOCS = {
    "docx paragraphs": ("list.docx", lambda: docx([f"{n} {i} {p}" for n, i, p in zip(NAMES, IDS, PHONES)])),
    "docx table": ("list.docx", lambda: docx(table=[["姓名", "身分證字號"], *[[n, i] for n, i in zip(NAMES, IDS)]])),
    "docx phone table": ("contacts.docx", lambda: docx(table=[["who", "phone"], *[[f"P{k}", p] for k, p in enumerate(PHONES)]])),
    "docx ids split over cells": ("ids.docx", lambda: docx(table=[["a", "b"], *[[i[0], i[1:]] for i in IDS]])),
    "pdf ids": ("list.pdf", lambda: pdf([f"Patient {k}: {i}" for k, i in enumerate(IDS)])),
    "pdf phones": ("contacts.pdf", lambda: pdf([f"Contact {k}: {p}" for k, p in enumerate(PHONES)])),
    "feather names and phones": ("p.feather", lambda: feather(pd.DataFrame({"who": NAMES, "tel": PHONES}))),
    "feather dated rows": ("r.feather", lambda: feather(pd.DataFrame({
        "d": [f"2020-{k % 12 + 1:02d}-{k % 28 + 1:02d}" for k in range(20)], "s": list("MF" * 10),
        "dx": ["I10", "E11"] * 10}))),
}


@pytest.mark.parametrize("what", sorted(PERSON_DOCS))
def test_a_person_list_in_a_document_blocks(policy, what):
    name, make = PERSON_DOCS[what]
    data = make()
    if name.endswith(".pdf"):
        assert not any(i.encode() in data for i in IDS)   # the raw-bytes scan could not see them
    r = run(policy, name, data)
    assert r.verdict == "block", shown(r)


def test_ordinary_documents_pass(policy):
    protocol = docx(["研究計畫書：第二型糖尿病患者之心血管事件風險", "Study protocol: cohort of adults with type 2 diabetes",
                     "Outcomes: hospitalisation for heart failure within 365 days."],
                    table=[["Variable", "Definition"], ["Exposure", "SGLT2 inhibitor (ATC A10BK)"],
                           ["Outcome", "ICD-10 I50"]])
    r = run(policy, "protocol.docx", protocol)
    assert r.verdict == "pass", shown(r)
    r = run(policy, "codebook.pdf", pdf(["Codebook v2", "E11: type 2 diabetes", "I10: hypertension"]))
    # the page as shown is compared with its text layer (OCR may read I10 as 110: that goes to a
    # person, as every PDF did before); nothing in it is an identifier
    assert r.verdict != "block" and not any(f.check == "identifiers" for f in r.findings), shown(r)
    r = run(policy, "lookup.feather", feather(pd.DataFrame({"icd10": ["E11", "I10"], "label": ["dm", "htn"]})))
    assert r.verdict == "pass", shown(r)


def test_an_unreadable_document_goes_to_a_person(policy):
    r = run(policy, "broken.pdf", b"%PDF-1.4\n garbage")
    assert r.verdict == "review" and any(f.check == "document" for f in r.findings), shown(r)
    r = run(policy, "broken.docx", b"PK\x03\x04" + b"\0" * 40)
    assert r.verdict in ("review", "block"), shown(r)
