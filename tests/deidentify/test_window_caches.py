"""Decisions cached per window of text (issue 14, speed) equal the same decision on the whole
text: the window must hold everything the decision reads.  Checked at every candidate span of
one to five characters in the evaluation notes, the hand-written notes and mixtures of names,
titles, words a person does and clinical terms.  Likewise the address scan, which starts where
the run of characters an address can hold begins before the next numbered part or city."""
from __future__ import annotations

import random
import re._parser as parser

from deidentify.identifiers import name_context
from deidentify.identifiers.normalise import to_simplified
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import generate

PIECES = ["王小明", "陈旧性", "高危险", "病患", "春光", "来电", "表示", "女士", "孙女士", "先生", "老太太", "秀逸",
          "绰号「大头」", "「", "」", "，", "。", " ", "欧阳娜娜", "高血压", "医师", "主诉", "社工师", "A12", "\n",
          "台北市", "大安区", "忠孝东路", "三段", "12巷", "5弄", "7号", "3楼", "5f", "B1", "之2", "10-1号", "，住", "高雄市前镇区",
          "中华民国", "100", "10044 ", "\t", "-", "村", "里", "。"]


def _texts() -> list[str]:
    rng = random.Random(1418)
    texts = [to_simplified(c.text) for c in generate(40, 20260314) + handwritten()]
    return texts + ["".join(rng.choice(PIECES) for _ in range(rng.randint(2, 9))) for _ in range(600)]


def test_starts_a_word_on_its_window_equals_on_the_whole_text():
    whole = name_context._starts_a_word_window.__wrapped__      # the decision read off any text
    differ = []
    for t in _texts():
        for start in range(len(t)):
            for end in range(start + 1, min(len(t), start + 5) + 1):
                if name_context.starts_a_word(t, start, end) != whole(t, start, end):
                    differ.append((t, start, end))
    assert differ == []


def test_what_starts_a_word_reads_after_the_candidate_fits_the_window():
    # titles and the words of _ACTS are matched at the candidate's end: at most 6 characters on
    titles = name_context._tables()[1]
    for rx in (titles, name_context._ACTS_AT):
        assert parser.parse(rx.pattern, rx.flags).getwidth()[1] <= 6
        assert not any(look in rx.pattern for look in ("(?=", "(?!", "(?<"))


def _chars_of(parsed) -> list:
    """Every LITERAL and IN item the pattern consumes with (look-arounds left out: they consume
    nothing)."""
    out = []
    for op, av in parsed:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL", "IN"):
            out.append((name, av))
        elif name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue
        elif name == "SUBPATTERN":
            out += _chars_of(av[3])
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            out += _chars_of(av[2])
        elif name == "BRANCH":
            for alt in av[1]:
                out += _chars_of(alt)
        else:
            raise AssertionError(f"unexpected op {name}")
    return out


def test_address_scan_starts_in_the_run_of_address_characters_before_its_anchor():
    # address.find starts each scan where the run of address characters before the next
    # numbered part or city begins: every character an ADDRESS match can hold must count as one
    # (under re.IGNORECASE: both cases of a letter; f and b have no other forms)
    from deidentify.identifiers import address

    def is_address_char(c: str) -> bool:
        return "\u4e00" <= c <= "\u9fff" or c in address._ALPHABET

    items = _chars_of(parser.parse(address.ADDRESS.pattern, address.ADDRESS.flags))
    assert items
    for name, av in items:
        assert name != "NOT_LITERAL"
        for op, arg in ([("LITERAL", av)] if name == "LITERAL" else av):
            if str(op) == "LITERAL":
                c = chr(arg)
                assert all(is_address_char(x) for x in {c, c.lower(), c.upper()}), c
            elif str(op) == "RANGE":
                lo, hi = arg
                assert all(is_address_char(chr(x)) and is_address_char(chr(x).upper())
                           and is_address_char(chr(x).lower()) for x in range(lo, hi + 1)), (lo, hi)
            else:
                raise AssertionError(f"unexpected set item {op}")
    # and the skip finds what the full scan finds
    texts = _texts()
    for t in texts:
        full, pos = [], 0
        while (m := address.ADDRESS.search(t, pos)) is not None:
            a, b = m.span()
            while b > a and t[b - 1] in " \t":
                b -= 1
            text = t[a:b]
            keep = len(text) >= 4 and (address._NUMBERED.search(text) or (address._HAS_CITY.search(text)
                                                                           and address._HAS_DISTRICT_ROAD.search(text)))
            if keep:
                full.append((a, b))
            pos = max(b, a + 1) if keep else a + 1
        assert address.find(t) == full, t
