"""The scrubber's faster scans (issue 14, ``deidentify.identifiers.regex_gate``) must match exactly
where the plain patterns they replace match: a gate that misses a place where the pattern can
start, or a regrouped alternation that changes which word matches first, would hide names."""
from __future__ import annotations

import random
import re

import pytest

from deidentify.identifiers import chinese_names, name_context, western_names
from deidentify.identifiers.normalise import to_simplified
from deidentify.identifiers.regex_gate import Gated, by_first_char
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import generate


@pytest.fixture(scope="module")
def texts() -> list[str]:
    base = [to_simplified(c.text) for c in generate(40, 99) + generate(40, 777) + handwritten()]
    # shapes the notes hold rarely: context words in odd case, beds, brackets, nicknames
    rng = random.Random(14)
    parts = ["Dr. ", "dr ", "PATIENT ", "son in law ", "seen by ", "Pt: ", "name: ", "ſon ", "\u212aelly ",
             "家属", "13床", "床号 5 ", "（案女）", " (母)", "老王", "阿林", "父", "夫：", "John Smith", "CHEN MEI",
             "王小明", "欧阳", "慕容", "司徒美", "、", "，", " ", "x", "1"]
    return base + ["".join(rng.choice(parts) for _ in range(8)) for _ in range(3000)]


def _spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


@pytest.mark.parametrize("gated", [western_names.LOWER_LABELLED, name_context.KIN_BEFORE,
                                   name_context.NICKNAME_SHAPE])
def test_gated_scans_match_where_their_pattern_does(gated, texts):
    assert isinstance(gated, Gated)
    for t in texts:
        assert _spans(gated.finditer(t)) == _spans(gated.rx.finditer(t)), t
        for pos in range(0, len(t), 7):
            got, want = gated.search(t, pos), gated.rx.search(t, pos)
            assert (got and got.span()) == (want and want.span()), (t, pos)


def test_a_gate_that_misses_starts_is_caught():
    # the check above fails when the gate lets fewer places through than the pattern can start at
    loose = Gated(re.compile(r"(?<![a-z])ab"), "b")
    assert _spans(loose.finditer("ab ab")) != _spans(loose.rx.finditer("ab ab"))


def test_grouping_by_first_character_keeps_which_word_matches_first(texts):
    words = "|".join(sorted(map(re.escape, name_context.INTRODUCERS), key=len, reverse=True))
    plain, grouped = re.compile(words), re.compile(by_first_char(words))
    english = re.compile(r"(?i:(?<![A-Za-z])(?:" + western_names._CONTEXT_EN + r"))\b")
    english_grouped = re.compile(r"(?i:(?<![A-Za-z])(?:" + by_first_char(western_names._CONTEXT_EN) + r"))\b")
    for t in texts:
        assert _spans(grouped.finditer(t)) == _spans(plain.finditer(t)), t
        assert _spans(english_grouped.finditer(t)) == _spans(english.finditer(t)), t
    with pytest.raises(ValueError, match="must open with a plain character"):
        by_first_char(r"ab|[cd]e")


def test_rewritten_patterns_match_as_their_plain_forms(texts):
    compounds = sorted({to_simplified(s) for s in chinese_names.COMPOUND_SURNAMES}, key=len, reverse=True)
    singles = "".join(sorted({to_simplified(c) for c in chinese_names.SINGLE_SURNAMES}))
    surnames = re.compile("(?:" + "|".join(compounds) + f")|[{singles}]")
    bed = re.compile(r"(?:[0-9]{1,4}(?:-[0-9]{1,2})?[ \t]*床|床号[ \t]*[:：]?[ \t]*[0-9]{1,4}(?:-[0-9]{1,2})?)"
                     r"[ \t]*[:：]?[ \t]*(?=[\u4e00-\u9fff])")
    followers = re.compile("(?=[" + re.escape("".join({w[0] for w in name_context.FOLLOWERS} | {",", "，"}))
                           + "])(?:" + "|".join(sorted(map(re.escape, name_context.FOLLOWERS), key=len, reverse=True))
                           + r"|[,，][ \t]*[男女])")
    for t in texts:
        assert _spans(chinese_names.surname_pattern().finditer(t)) == _spans(surnames.finditer(t)), t
        assert _spans(name_context.BED.finditer(t)) == _spans(bed.finditer(t)), t
        assert _spans(name_context._tables_followers().finditer(t)) == _spans(followers.finditer(t)), t
