"""D1 free text: a child's school named as Taiwanese schools are called (北一女中, 台中一中, 師大附小,
康寧護專, 高雄餐旅科大, 復興家商) after a word of attending or with a class, masked whole without
the word of attending; education levels and streets (國小畢業, 一中街, 學院路) stay."""
from __future__ import annotations

import pytest

from deidentify.text import scrub_texts

SCHOOLS = ["北一女", "中山女", "台中", "台南", "師大附", "北市大附", "康寧", "長庚", "高雄餐旅", "復興", "大安", "松山"]
KINDS = ["女中", "一中", "附小", "附中", "護專", "科大", "家商", "高農", "商職", "實小"]
FRAMES = ["目前就讀{s}", "孫子就讀{s}二年五班", "小孩讀{s}三年級", "女兒念{s}", "{s}三年二班學生", "就讀於{s}"]


@pytest.mark.parametrize("kind", KINDS, ids=[f"kind{i}" for i in range(len(KINDS))])
def test_schools_by_their_usual_names(kind):
    k = KINDS.index(kind)
    cases = []
    for j, name in enumerate(SCHOOLS[:6]):
        school = name + kind
        cases.append((FRAMES[(j + k) % len(FRAMES)].format(s=school), school))
    out = scrub_texts([t for t, _ in cases])
    # the school goes whole; the word of attending and the relation stay
    missed = [(t, o) for (t, s), o in zip(cases, out) if s in o or "<ADDRESS>" not in o or "<NAME>" in o
              or not all(w in o for w in ("就讀", "孫子", "小孩讀", "女兒念") if w in t)]
    assert not missed, missed


def test_ordinary_school_words_unchanged():
    texts = ["國小畢業", "大學畢業", "一中街夜市", "學院路", "醫學院附設醫院", "高中肄業", "護專畢業後當護理師",
             "讀書會", "念經", "科大畢業", "兒子念大學", "女兒念書"]
    assert scrub_texts(texts) == texts
