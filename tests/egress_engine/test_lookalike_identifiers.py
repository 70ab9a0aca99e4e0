"""Identifiers written in look-alike characters (E7 egress, D4 import): other Unicode digits,
Cyrillic/Greek capitals shaped like Latin ones, invisible characters and soft hyphens inside
a number, Chinese numerals for digits.  The recognisers read ASCII and full-width forms only;
deidentify/identifiers/lookalike.py (used by every finder batch) reads the text as a person sees it as well.  Each
variant goes through the real egress engine (text, notebook output, table cell) and the
import checks; ordinary statistics with Greek letters, superscripts and Chinese numerals give
no identifier."""
from __future__ import annotations

import json

import pytest

from egress_review.ingress.checks import ImportItem, check_import
from tests.egress_engine.conftest import said

NATIONAL_ID = "A123456789"
MOBILE = "0912345678"


def _digits(s: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in s)


def _every(s: str, mark: str) -> str:
    return mark.join(s)


FORMS = {
    "math-bold": lambda s: _digits(s, 0x1D7CE),
    "math-monospace": lambda s: _digits(s, 0x1D7F6),
    "math-double-struck": lambda s: _digits(s, 0x1D7D8),
    "arabic-indic": lambda s: _digits(s, 0x660),
    "extended-arabic": lambda s: _digits(s, 0x6F0),
    "devanagari": lambda s: _digits(s, 0x966),
    "bengali": lambda s: _digits(s, 0x9E6),
    "thai": lambda s: _digits(s, 0xE50),
    "myanmar": lambda s: _digits(s, 0x1040),
    "circled": lambda s: "".join("⓪①②③④⑤⑥⑦⑧⑨"[int(c)] if c.isdigit() else c for c in s),
    "chinese-numerals": lambda s: "".join("〇一二三四五六七八九"[int(c)] if c.isdigit() else c for c in s),
    "chinese-numerals-mixed": lambda s: "".join("〇一二三四五六七八九"[int(c)] if c.isdigit() and i % 2 else c
                                                for i, c in enumerate(s)),
    "zero-width-space": lambda s: s[:4] + "\u200b" + s[4:],
    "zero-width-joiner-every": lambda s: _every(s, "\u200d"),
    "word-joiner": lambda s: s[:5] + "\u2060" + s[5:],
    "soft-hyphen": lambda s: s[:6] + "\u00ad" + s[6:],
    "bidi-override": lambda s: s[:3] + "\u202e" + s[3:] + "\u202c",
    "cyrillic-letter": lambda s: s.replace("A", "\u0410"),
    "greek-letter": lambda s: s.replace("A", "\u0391"),
}
VALUES = {"national-id": NATIONAL_ID, "mobile": MOBILE}


def _id_blocks(r) -> bool:
    return any(f.check == "identifiers" and f.severity == "block" for f in r.findings)


@pytest.mark.parametrize("value", sorted(VALUES))
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_lookalike_identifier_in_a_text_blocks(run, form, value):
    shown = FORMS[form](VALUES[value])
    if value == "mobile" and form in ("cyrillic-letter", "greek-letter"):
        pytest.skip("a phone number has no letter to swap")
    body = f"Case note: contact {shown} for follow-up.\n聯絡 {shown} 追蹤。\n"
    r = run({"notes.txt": body.encode()}, [{"path": "notes.txt", "kind": "text", "description": "notes"}])
    assert _id_blocks(r), said(r)


@pytest.mark.parametrize("form", ["math-bold", "arabic-indic", "zero-width-space", "cyrillic-letter",
                                  "chinese-numerals"])
def test_a_lookalike_identifier_in_a_notebook_output_or_a_table_blocks(run, form):
    shown = FORMS[form](NATIONAL_ID)
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "print(who)",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": f"patient {shown}\n"}]}]}
    r = run({"a.ipynb": json.dumps(nb).encode()},
            [{"path": "a.ipynb", "kind": "notebook", "description": "the analysis"}])
    assert _id_blocks(r), said(r)
    table = f"group,n\n{shown},120\nother,340\n"
    r = run({"t.csv": table.encode()}, [{"path": "t.csv", "kind": "table", "description": "counts",
                                         "columns": {"group": {"role": "group"}, "n": {"role": "count"}}}])
    assert _id_blocks(r), said(r)


@pytest.fixture(scope="module")
def policy():
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    return load_policy(POLICY_ROOT / "nhi_centre")


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_lookalike_identifier_in_an_import_blocks(policy, form):
    shown = FORMS[form](NATIONAL_ID)
    r = check_import([ImportItem("notes.txt", "reference", f"follow up {shown}\n".encode()),
                      ImportItem("t.csv", "reference", f"code,label\n1,{shown}\n2,other\n".encode())],
                     imaging=False, policy=policy.egress)
    files = {f.file for f in r.findings if f.check == "identifiers" and f.severity == "block"}
    assert files == {"notes.txt", "t.csv"}, [(f.file, f.check, f.message_en) for f in r.findings]


ORDINARY = [
    "Significance α = 0.05; β = 1.23 (SE 0.40); Χ² = 3.84 with 1 df; μ = 12.5, σ = 2.1.",
    "Area in m², volume in cm³; effect ×10⁻³ per year; items ①②③ of the scale.",
    "第一二章的結果；共三百四十五人，其中一百二十人為女性。民國一一二年十二月六日。",
    "Ранние данные; Ελληνικά δεδομένα; 數值 ١٢٣ 在阿拉伯數字中。",
    "Rates per 100\u200b000 person-years: 12.3, 45.6 and 78.9.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_statistics_with_such_characters_give_no_identifier(text):
    from deidentify.text import find_identifiers_batch as find_batch

    hits = [h for h in find_batch([text])[0] if h.kind != "NAME"]
    assert hits == [], [(h.kind, h.text) for h in hits]
