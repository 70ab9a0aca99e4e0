"""Scans rewritten for speed whose groups differ from their plain form (issue 14): the birth-year
scan that opens with one character set (its year group then starts after the first character),
and the one gate over every label word in front of the five per-kind label gates.  Compared
with the plain forms on the evaluation notes and on random mixtures with the birth words, years
and labels at every position, in both widths and both cases, with the separators people type."""
from __future__ import annotations

import random
import re

import pytest

from deidentify.identifiers import dates, labelled, record_numbers
from deidentify.identifiers.normalise import led_by, to_halfwidth, to_simplified
from deidentify.text import scrub
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import generate

YEAR_PARTS = ["民国", "中华民国", "民國", "中華民國", "七十", "一百", "〇", "零", "70", "７０", "1975", "１９７５", "19", "20",
              "2", "9", "年", "次", "生", "出生", "出生年", "出生年份", "出生年度", "生年", "生日", "生活", "出生率", "born in",
              "Born In", "BORN\tIN", "ｂｏｒｎ ｉｎ", "YOB", "yob", "ＹＯＢ", "year of birth", "Year  Of\tBirth", "birth year",
              "BIRTHYEAR", "xborn in", "ſyob", ":", "：", "为", "是", " ", "\t", "  ", "-", "/", ".", "a", "b", "y", "B",
              "Y", "x", "日", "数", "病", "八十三", " 1983", "2001", "3"]


def _label_parts() -> list[str]:
    words = set()
    for words_re in labelled._GATE_WORDS.values():
        for w in re.sub(r"\(\?<!\[a-z\]\.\)", "", words_re).replace("licen[cs]e", "licence|license").split("|"):
            words.add(w)
    return sorted(words) + ["LINE", "Id", "ID", "İd", "ıp", "ſtaff", "\u212a", "xid", "aid", "号", ":", " "]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    base = [c.text for c in generate(40, 4242) + generate(40, 31341) + handwritten()]
    rng = random.Random(1414)
    mixed = ["".join(rng.choice(parts) for _ in range(rng.randint(1, 9)))
             for parts in (YEAR_PARTS, _label_parts(), YEAR_PARTS + _label_parts()) for _ in range(6000)]
    # the scans run on normalised text; the raw forms too, so full-width and Traditional stay in
    return [to_simplified(to_halfwidth(t)) for t in base + mixed] + mixed[::6]


def _years(rx: re.Pattern[str], text: str, pos: int | None = None) -> list[tuple]:
    """(branch, span of the year as dates.find takes it, span of the match)."""
    found = rx.finditer(text) if pos is None else [m for m in [rx.match(text, pos)] if m]
    out = []
    for m in found:
        g = next(k for k in ("y", "e", "c") if m.group(k) is not None)
        a, b = m.span(g)
        out.append((g, m.start() if g == "y" else a, b, m.span()))
    return out


def test_birth_year_led_finds_what_the_plain_scan_finds(texts):
    differ = [t for t in texts if _years(dates.BIRTH_YEAR_LED, t) != _years(dates.BIRTH_YEAR, t)]
    assert differ == []
    for t in texts[::5]:
        for pos in range(len(t) + 1):
            assert _years(dates.BIRTH_YEAR_LED, t, pos) == _years(dates.BIRTH_YEAR, t, pos), (t, pos)
    # the comparison means something only where the scans match, in every branch
    kinds = {y[0] for t in texts for y in _years(dates.BIRTH_YEAR, t)}
    assert kinds == {"y", "e", "c"}
    assert sum(1 for t in texts if dates.BIRTH_YEAR.search(t)) > 500


def test_birth_year_led_opens_with_a_character_set():
    def prefix(rx):
        parsed = re._parser.parse(rx.pattern, rx.flags)
        return re._compiler._get_literal_prefix(parsed, rx.flags)[0] or re._compiler._get_charset_prefix(parsed, rx.flags)
    assert prefix(dates.BIRTH_YEAR_LED) and not prefix(dates.BIRTH_YEAR)


def test_the_union_gate_matches_wherever_a_kind_gate_does(texts):
    gates = labelled.KIND_GATES.values()
    hit = 0
    for t in texts:
        for pos in range(0, len(t) + 1, 3):
            kind = any(g.search(t, pos) for g in gates)
            hit += kind
            assert bool(labelled.ANY_LABEL_GATE.search(t, pos)) == kind, (t, pos)
    assert hit > 1000


def test_labelled_find_unchanged_without_the_union_gate(texts, monkeypatch):
    with_gate = [labelled.find(t) for t in texts]
    monkeypatch.setattr(labelled, "ANY_LABEL_GATE", re.compile(""))     # matches every text
    assert [labelled.find(t) for t in texts] == with_gate
    assert sum(1 for f in with_gate if f) > 500


PREFILTER_PARTS = ["İd", "ıp", "ſtaff", "ſkype", "\u212aid", "0000", "10000", "x0000", "3生", "3 \t生", "a生", "IC卡", "ıc卡",
                   "İC卡", "Nhi", "xnhi", "bb.", "B.", "b.", "id card", "IDCARD", "idx", "idz", "fbz", "igz", "fbx", "FB:", "ig ", "生", "日 生",
                   "年 次", "年生", "DOB", "d.o.b", "Yob", "Birth", "BORN", "MRN", "m.r.n", "Chart", "pid", "Pt  ID", "pt no",
                   "Medical\tRecord", "record#", "Hospital No", "patient number", "病历", "病号", "住院编号", "门诊号",
                   "健保", "卡号", "arc", "National", "LINE", "WeChat", "Telegram", "facebook", "Instagram", "twitter",
                   "acc", "Bank", "plate", "ip", "Student", "employee", "STAFF", "member", "passport", "licence",
                   "LICENSE", "\x00", " ", "a", "1", "x", ".", "号"]


# the look-ahead-led forms the prefilter used before (issue 14's third round), which the
# literal-led ones stand for
PLAIN_PREFILTERS = {
    "birth words": led_by(dates.BIRTH_WORDS.pattern, "出生诞日年dbByY \t"),
    "record labels": led_by(record_numbers.LABELS.pattern, "病住门就归个收健卡0"),
    "record labels (Latin)": led_by(record_numbers.LATIN_LABELS.pattern, "mcrhpni"),
    "ID labels (Latin)": labelled.PREFILTERS[1],
}


@pytest.mark.parametrize("name", list(scrub._LED_PREFILTERS))
def test_led_prefilters_hold_a_match_in_the_same_texts(texts, name):
    # the prefilter asks only which texts hold a match (no scan crosses the separator \x00, and
    # a look-behind sees it as no letter or digit in both forms)
    led = re.compile(scrub._LED_PREFILTERS[name], re.IGNORECASE)
    plain = re.compile(PLAIN_PREFILTERS[name], re.IGNORECASE)
    rng = random.Random(len(name))
    mixed = ["".join(rng.choice(PREFILTER_PARTS) for _ in range(rng.randint(1, 8))) for _ in range(20000)]
    differ = [t for t in texts + mixed + [t.upper() for t in mixed[:3000]] if bool(led.search(t)) != bool(plain.search(t))]
    assert differ == []
    assert sum(1 for t in mixed if plain.search(t)) > 2000
    for t in mixed[:3000]:
        for text in t.split("\x00"):
            assert bool(led.search(text)) == bool(plain.search(text)), text
    # and the engine skips to its first characters (the plain form gives it none)
    parsed = re._parser.parse(led.pattern, led.flags)
    assert re._compiler._get_charset_prefix(parsed, led.flags) or re._compiler._get_literal_prefix(parsed, led.flags)[0]


def test_the_prefilter_uses_the_led_forms():
    patterns = {rx.pattern for rx in scrub._PREFILTERS}
    assert set(scrub._LED_PREFILTERS.values()) <= patterns
    assert not set(PLAIN_PREFILTERS.values()) & patterns
