"""E7: words an HTML or SVG output holds where the reader did not look, and pages that write
their own words when opened.

A small count in a ``data-*`` or other custom attribute (tooltips and ``attr()`` show them), in
a ``<template>``, or in a ``data:`` URI of an ``<object>``/``<iframe>``/``<embed>`` passed;
a page whose script or event handler writes onto the page (``document.write``, a canvas,
characters built from codes) passed as the words it holds.  Now every attribute holding a word
is read (all but the ones that lay out the page), template content and text ``data:`` URIs are
read, and a page that runs script goes to a person.  Through the real engine."""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import said

SECRET = "only 3 patients in the south had the outcome"

HIDDEN = {
    "data attribute": f'<p data-note="{SECRET}">Results by region.</p>',
    "custom attribute": f'<p tooltip="{SECRET}">Results by region.</p>',
    "aria-description": f'<p aria-description="{SECRET}">Results by region.</p>',
    "namespaced attribute": f'<p xml:note="{SECRET}">Results by region.</p>',
    "template": f"<template><p>{SECRET}</p></template><p>Results.</p>",
    "object data URI (base64)": '<object data="data:text/plain;base64,'
                                'b25seSAzIHBhdGllbnRzIGluIHRoZSBzb3V0aCBoYWQgdGhlIG91dGNvbWU="></object>',
    "iframe data URI (percent)": '<iframe src="data:text/html,only%203%20patients%20in%20the%20south'
                                 '%20had%20the%20outcome"></iframe>',
    "embed data URI": f'<embed src="data:text/plain,{SECRET.replace(" ", "%20")}">',
    "anchor data URI": f'<a href="data:text/plain,{SECRET.replace(" ", "%20")}">notes</a>',
}


def _run(run, body: str, name: str = "r.html"):
    raw = f"<html><body>{body}</body></html>".encode()
    return run({name: raw}, [{"path": name, "kind": "text", "description": "summary"}])


@pytest.mark.parametrize("where", sorted(HIDDEN))
def test_a_small_count_hidden_in_a_page_blocks(run, where):
    """E7/E2"""
    r = _run(run, HIDDEN[where])
    assert any(f.check == "prose" and f.severity == "block" for f in r.findings), said(r)


SCRIPTS = {
    "document.write": '<p>Results.</p><script>document.write("south: " + (1 + 2) + " patients")</script>',
    "characters from codes": '<p>Results.</p><script>document.body.append(String.fromCharCode(51, 32, 112))'
                             '</script>',
    "canvas": '<canvas id="c"></canvas><script>document.getElementById("c").getContext("2d")'
              '.fillText("south " + (1 + 2), 9, 9)</script>',
    "external script": '<p>Results.</p><script src="app.js"></script>',
    "onload handler": '<p onload="this.textContent = (1 + 2) + \' patients\'">Results.</p>',
    "javascript: link": '<a href="javascript:document.write(1 + 2)">open</a>',
}


@pytest.mark.parametrize("how", sorted(SCRIPTS))
def test_a_page_that_writes_its_own_words_goes_to_a_person(run, how):
    """E7: default deny - the checks cannot know what a script shows."""
    r = _run(run, SCRIPTS[how])
    assert r.verdict != "pass" and any("not known to the checks" in f.message_en for f in r.findings), said(r)


def test_an_svg_with_a_script_goes_to_a_person(run):
    raw = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>'
           b'document.documentElement.append("3 patients")</script></svg>')
    r = run({"f.svg": raw}, [{"path": "f.svg", "kind": "text", "description": "summary"}])
    assert r.verdict != "pass" and any("not known to the checks" in f.message_en for f in r.findings), said(r)


ORDINARY = [
    '<table class="dataframe" border="1"><thead><tr><th>region</th><th>n</th></tr></thead>'
    '<tbody><tr><td>north</td><td>120</td></tr><tr><td>south</td><td>300</td></tr></tbody></table>',
    '<p class="lead" id="p1" style="color: #333">We enrolled 1,200 patients in 2019.</p>',
    '<svg width="100" height="50"><path d="M 0 0 L 10 10 Z" fill="#1f77b4" stroke-width="1.5"/></svg>'
    '<p>Figure 1.</p>',
]


@pytest.mark.parametrize("body", ORDINARY, ids=["pandas table", "styled paragraph", "inline svg"])
def test_layout_attributes_are_not_read_as_words(body):
    from egress_review.engine.readers.markup import read_html

    c = read_html(f"<html><body>{body}</body></html>".encode())
    assert [u.place for u in c.units if "[" in u.place.get("part", "")] == [] and c.unread == []
