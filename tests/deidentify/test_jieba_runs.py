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


def test_jieba_cut_gives_jiebas_words_on_runs():
    # jieba_cut replaces jieba's cut of one run of its word characters: the same word lengths on
    # the runs of the evaluation notes, pieces of them, random Han characters (mostly unseen
    # words, so the HMM decides) and runs mixing Han with Latin letters, digits and + # & . _ % -
    from deidentify.identifiers import jieba_cut

    tokenizer = chinese_names._tables()[5]
    rng = random.Random(1417)
    runs = set()
    for c in generate(60, 20260314) + handwritten():
        for run in jieba_cut.jieba.re_han_default.findall(to_simplified(c.text)):
            runs.add(run)
            for _ in range(4):
                a = rng.randrange(len(run))
                runs.add(run[a:a + rng.randint(1, 12)])
    han = [chr(c) for c in range(0x4E00, 0x9FD6)]
    common = "王小明陈美玲病患主诉头痛近期曾至南部旅游高血压处方的了是在家属表示"
    mixed = common + "abcXYZ0123+#&._%-"
    runs |= {"".join(rng.choice(han) for _ in range(rng.randint(1, 12))) for _ in range(3000)}
    runs |= {"".join(rng.choice(common) for _ in range(rng.randint(1, 12))) for _ in range(3000)}
    runs |= {"".join(rng.choice(mixed) for _ in range(rng.randint(1, 12))) for _ in range(3000)}
    differ = [r for r in runs if jieba_cut.is_one_block(r)
              and jieba_cut.cut_lengths(tokenizer, r) != tuple(len(w) for w in tokenizer.lcut(r))]
    assert len(runs) > 9000 and differ == []
    assert not jieba_cut.is_one_block("王小明。") and not jieba_cut.is_one_block("")
