"""The name finder's jieba windows are cut run by run (issue 14, speed): each run of jieba's word
characters, and each run between them, is cut and cached on its own, so that a window around a
new name reuses the cuts of the phrases around it.  jieba cuts those runs independently, so the
window's cut must be exactly what jieba gives for the whole window: checked on windows of the
evaluation notes and on mixtures of Han text, Latin words, digits, punctuation, full-width
characters, spaces, tabs and line breaks (CRLF, which jieba keeps as one token, among them)."""
from __future__ import annotations

import random

from deidentify.identifiers import chinese_names
from deidentify.identifiers.normalise import to_simplified
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import generate

PIECES = ["王小明", "陈美玲", "翁仁璋及江纯鸿", "近期曾至南部旅游", "。", "，", "、", " ", "  ", "\t", "\n", "\r\n", "\r",
          "Dr.", "Smith", "A123456789", "0912-345-678", "50%", "#3", "a&b", "x_y", "+886", "（", "）", "「大头」", "：",
          "欧阳娜娜", "上官菊因胸痛", "病患主诉头痛", "ＡＢＣ", "１２３", "ā", "é", "…", "—", "·", "高血压", "处方"]


def _windows() -> list[str]:
    rng = random.Random(1416)
    texts = [to_simplified(c.text) for c in generate(30, 777) + handwritten()]
    out = []
    for t in texts:
        for _ in range(12):
            a = rng.randrange(len(t))
            out.append(t[a:a + rng.randint(1, 16)])
    out += ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    return out


def test_a_window_is_cut_as_jieba_cuts_it_whole():
    tokenizer = chinese_names._tables()[5]
    differ = []
    for w in _windows():
        whole, pos = [], 0
        for word in tokenizer.lcut(w):
            whole.append((pos, pos + len(word)))
            pos += len(word)
        if chinese_names._segment(w) != tuple(whole):
            differ.append(w)
    assert differ == []


def test_runs_are_shared_between_windows():
    chinese_names._segment_run.cache_clear()
    chinese_names._segment("。近期曾至南部旅游。王")
    before = chinese_names._segment_run.cache_info().hits
    chinese_names._segment("。近期曾至南部旅游。陈")
    assert chinese_names._segment_run.cache_info().hits > before


def test_scrub_output_does_not_depend_on_what_the_caches_hold():
    # the same notes scrubbed with every name cache empty, in one batch, and again one by one in
    # reverse order after other notes have filled the run cache
    from deidentify.text import scrub_texts

    notes = [c.text for c in generate(20, 4711)] + [c.text for c in handwritten()]
    for cache in (chinese_names._segment, chinese_names._segment_run, chinese_names._decide):
        cache.cache_clear()
    cold = scrub_texts(notes)
    scrub_texts([c.text for c in generate(20, 4712)])
    warm = [scrub_texts([t])[0] for t in reversed(notes)][::-1]
    assert cold == warm and cold != notes
