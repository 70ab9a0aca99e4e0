"""Text a style sheet writes onto a page (E7, E2): CSS ``content`` on ::before/::after - a string,
an escaped string, a counter, attr() - shows "Penghu: 3 patients" where the text nodes hold
"Penghu:  patients".  Such pages passed; now the generated words are read (an identifier in
them blocks) and the file goes to a person with the reason (readers/markup.py
_generated_content), in HTML, SVG, a notebook's HTML output and Markdown with HTML.  Icon fonts
(private-use characters) and empty content, as exported notebooks use them, change nothing."""
from __future__ import annotations

import json

import pytest

from tests.egress_engine.conftest import said

SHOWN = {
    "string-before": '<style>.n::before{content:"3"}</style><p>Penghu: <span class="n"></span> patients</p>',
    "string-after-single-quotes": "<style>.n:after { content: '3' }</style><p>Penghu: <span class=n></span> patients</p>",
    "css-escape": '<style>.n::before{content:"\\\\33 "}</style><p>Penghu: <span class="n"></span> patients</p>',
    "counter": '<style>p{counter-reset:c 3}.n::before{content:counter(c)}</style><p>Penghu: <span class="n"></span> patients</p>',
    "attr": '<style>.n::before{content:attr(data-n)}</style><p>Penghu: <span class="n" data-n="3"></span> patients</p>',
    "inline-style-attribute": "<p>Penghu: <span style='--x:1; content:\"3\"'></span> patients</p>",
    "upper-case-property": '<style>.n::before{CONTENT : "3"}</style><p>Penghu: <span class="n"></span> patients</p>',
    "iframe-srcdoc": '<iframe srcdoc="<p>Penghu: 3 patients</p>"></iframe>',
}


def _review_for_css(r) -> bool:
    return any(f.severity in ("review", "block") and "CSS" in f.message_en for f in r.findings)


@pytest.mark.parametrize("case", sorted(SHOWN))
def test_text_a_style_sheet_writes_onto_the_page_does_not_pass(run, case):
    r = run({"r.html": SHOWN[case].encode()}, [{"path": "r.html", "kind": "text", "description": "report"}])
    assert r.verdict != "pass", said(r)
    if case != "iframe-srcdoc":
        assert _review_for_css(r), said(r)


def test_an_identifier_written_by_a_style_sheet_blocks(run):
    page = '<style>.who::after{content:"A123456789"}</style><p>Patient <span class="who"></span></p>'
    r = run({"r.html": page.encode()}, [{"path": "r.html", "kind": "text", "description": "report"}])
    assert any(f.check == "identifiers" and f.severity == "block" for f in r.findings), said(r)


@pytest.mark.parametrize("where", ["svg", "notebook", "markdown"])
def test_the_same_in_svg_notebook_output_and_markdown(run, where):
    css = '<style>.n::before{content:"3 patients in Penghu"}</style>'
    if where == "svg":
        name, kind = "f.svg", "text"
        body = f'<svg xmlns="http://www.w3.org/2000/svg">{css}<text class="n" x="1" y="10"></text></svg>'
    elif where == "notebook":
        name, kind = "a.ipynb", "notebook"
        body = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "show()",
             "outputs": [{"output_type": "display_data", "metadata": {},
                          "data": {"text/html": css + '<p class="n"></p>'}}]}]})
    else:
        name, kind = "r.md", "text"
        body = f"# Results\n\n{css}\n\n<p class=\"n\"></p>\n"
    r = run({name: body.encode()}, [{"path": name, "kind": kind, "description": "report"}])
    assert _review_for_css(r), said(r)


ORDINARY = [
    '<style>.icon::before{content:"\\f107"} .x::after{content:""} q::before{content:open-quote}'
    '.clear::after{content:" "; display:table}</style><p>Visits by year, 2018-2022: 1,204; 1,310; 1,452.</p>',
    "<style>td{padding:2px} th{font-weight:bold}</style><table><tr><th>area</th><th>n</th></tr>"
    "<tr><td>Taipei</td><td>1200</td></tr><tr><td>Kaohsiung</td><td>900</td></tr></table>",
]


@pytest.mark.parametrize("page", ORDINARY)
def test_ordinary_style_sheets_give_no_such_finding(run, page):
    r = run({"r.html": page.encode()}, [{"path": "r.html", "kind": "text", "description": "report"}])
    assert not _review_for_css(r), said(r)
