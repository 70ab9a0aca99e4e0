"""E2: a count spelled out - Chinese numerals (三, 參), English words ("three") or scientific
notation (3E+00) - is the same count as 3.

Read only as words such cells made their column a column of labels, and a small cell in a
table pasted into a .txt, a Markdown, HTML, JSON or YAML file left unchecked.  Tried through
the engine's entry point in every format that holds tables, each small value in many writings.
"""
from __future__ import annotations

import json

import pytest

from egress_review.engine.numerals import spelled_number
from tests.egress_engine.conftest import said

# (small cell, a large cell, another large cell) in one writing each
WRITINGS = {
    "zh": ("三", "一百二十", "二百"),
    "zh-financial": ("參", "壹佰貳拾", "貳佰"),
    "zh-alt": ("叁", "壹佰貳拾伍", "兩百"),
    "zh-digits": ("四", "一二〇", "二〇〇"),
    "zh-simplified": ("贰", "一百二十", "两百"),
    "en": ("three", "one hundred twenty", "two hundred"),
    "en-title": ("One", "One Hundred Twenty-One", "Two Hundred"),
    "en-and": ("five", "one hundred and twenty", "two hundred and six"),
    "scientific": ("3E+00", "1.2E+02", "2.0E+02"),
    "scientific-lower": ("4e0", "1.2e2", "2e2"),
}


def _rows(w):
    small, a, b = WRITINGS[w]
    return [("A", small), ("B", a), ("C", b)]


def _delimited(w, sep):
    return f"region{sep}patients\n" + "".join(f"{r}{sep}{v}\n" for r, v in _rows(w))


def _markdown(w):
    return "| region | patients |\n|---|---|\n" + "".join(f"| {r} | {v} |\n" for r, v in _rows(w))


def _html(w):
    body = "".join(f"<tr><td>{r}</td><td>{v}</td></tr>" for r, v in _rows(w))
    return f"<table><tr><th>region</th><th>patients</th></tr>{body}</table>"


def _json_records(w):
    return json.dumps([{"region": r, "patients": v} for r, v in _rows(w)], ensure_ascii=False)


def _json_list(w):
    return json.dumps({"patients": [v for _, v in _rows(w)]}, ensure_ascii=False)


def _yaml_records(w):
    return "".join(f"- region: {r}\n  patients: '{v}'\n" for r, v in _rows(w))


FORMS = {
    "txt-comma": ("r.txt", lambda w: _delimited(w, ",")),
    "txt-tab": ("r.txt", lambda w: _delimited(w, "\t")),
    "txt-semicolon": ("r.log", lambda w: _delimited(w, ";")),
    "markdown": ("r.md", _markdown),
    "html": ("r.html", _html),
    "json-records": ("r.json", _json_records),
    "json-list": ("r.json", _json_list),
    "yaml-records": ("r.yaml", _yaml_records),
}


@pytest.mark.parametrize("writing", sorted(WRITINGS))
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_small_spelled_count_blocks(run, form, writing):
    name, make = FORMS[form]
    r = run({name: make(writing)}, [{"path": name, "kind": "text", "description": "summary"}])
    assert r.verdict == "block", said(r)


@pytest.mark.parametrize("text,value", [("三", 3), ("參", 3), ("十三", 13), ("兩萬三千", 23000),
                                        ("一二〇", 120), ("three", 3), ("Twenty-one", 21),
                                        ("one thousand two hundred", 1200), ("3E+00", 3)])
def test_spelled_numbers_read(text, value):
    assert spelled_number(text) == value


@pytest.mark.parametrize("text", ["第三組", "three-year", "Stage III", "A", "Total", "and",
                                  "三組", "one of them", "E11"])
def test_labels_stay_labels(text):
    assert spelled_number(text) is None
