"""Decisions cached per window of text (issue 14, speed) equal the same decision on the whole
text: the window must hold everything the decision reads.  Checked at every candidate span of
one to five characters in the evaluation notes, the hand-written notes and mixtures of names,
titles, words a person does and clinical terms."""
from __future__ import annotations

import random
import re._parser as parser

from deidentify.identifiers import name_context
from deidentify.identifiers.normalise import to_simplified
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import generate

PIECES = ["王小明", "陈旧性", "高危险", "病患", "春光", "来电", "表示", "女士", "孙女士", "先生", "老太太", "秀逸",
          "绰号「大头」", "「", "」", "，", "。", " ", "欧阳娜娜", "高血压", "医师", "主诉", "社工师", "A12", "\n"]


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
