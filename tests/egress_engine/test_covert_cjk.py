"""E7: data carried by Chinese characters or closed symbol alphabets.

A probe wrote bytes as random common Han characters (only the name finder noticed, as
"names"), as Chinese numerals, heavenly stems, Bopomofo, and as a code book of Chinese fruit
words: all but the first passed.  Generated here over alphabets (Han pools, numerals, stems and
branches, Bopomofo, Braille, hexagrams, radicals, math letters, emoji), separators, code books,
and carriers (a text, Markdown, a notebook's markdown, a program's comment and string); plain
Chinese documents, clinical notes, results paragraphs, box-drawn tables, emoji-sprinkled text
and numbered lists must not be refused.
"""
from __future__ import annotations

import json
import random

import pytest

from tests.egress_engine.conftest import said

COMMON = ("的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學對"
          "可她裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面公同"
          "三已老從動兩長知民樣現分將外但身些與高意進把法此實回二理美點月明其種聲全工己話兒者向情部正名定女"
          "問力機給等幾很業最間新什打便位因重被走電四第門相次東政海口使教西再平真聽世氣信北少關並內加化由卻"
          "代軍產入先山五太水萬市眼體別處總才場師書比住員九笑性通目華報立馬命張活難神數件安表原車白應路期叫")
RARE = "".join(chr(c) for c in range(0x4E00, 0x9FA5, 37))
ALPHABETS = {
    "numerals": "零一二三四五六七八九",
    "capital-numerals": "壹貳參肆伍陸柒捌玖拾",
    "stems-branches": "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥",
    "bopomofo": "".join(chr(c) for c in range(0x3105, 0x312A)),
    "braille": "".join(chr(c) for c in range(0x2801, 0x2900)),
    "hexagrams": "".join(chr(c) for c in range(0x4DC0, 0x4E00)),
    "radicals": "".join(chr(c) for c in range(0x2F00, 0x2FD6)),
    "math-letters": "".join(chr(c) for c in range(0x1D400, 0x1D434)),
    "emoji": "".join(chr(c) for c in range(0x1F600, 0x1F650)) + "".join(chr(c) for c in range(0x1F680, 0x1F6C0)),
}
SEPARATORS = {"none": "", "space": " ", "dun": "、", "comma": ","}
CODE_BOOK = ["蘋果", "香蕉", "橘子", "葡萄", "西瓜", "芒果", "鳳梨", "草莓", "檸檬", "櫻桃", "桃子",
             "梨子", "柚子", "芭樂", "荔枝", "龍眼"]


def _put(run, text: str, carrier: str):
    """``text`` in the request as ``carrier`` would hold it."""
    if carrier == "txt":
        return run({"r.txt": text + "\n"}, [{"path": "r.txt", "kind": "text", "description": "results"}])
    if carrier == "md":
        return run({"r.md": "# 結果說明\n\n" + text + "\n"},
                   [{"path": "r.md", "kind": "text", "description": "results"}])
    if carrier == "notebook":
        nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
              "cells": [{"cell_type": "markdown", "metadata": {}, "source": text, "id": "a1"}]}
        return run({"a.ipynb": json.dumps(nb, ensure_ascii=False)},
                   [{"path": "a.ipynb", "kind": "notebook", "description": "analysis"}])
    if carrier == "py-comment":
        body = "\n".join("# " + text[i:i + 60] for i in range(0, len(text), 60))
        return run({"a.py": body + "\nimport pandas as pd\n"},
                   [{"path": "a.py", "kind": "code", "description": "analysis"}])
    body = f'NOTE = """{text}"""\nprint(len(NOTE))\n'
    return run({"a.py": body}, [{"path": "a.py", "kind": "code", "description": "analysis"}])


CARRIERS = ["txt", "md", "notebook", "py-comment", "py-string"]


def _covert(r, severities=("block",)):
    return [f for f in r.findings if f.check == "smuggling" and f.severity in severities
            and ("Chinese characters" in f.message_en or "closed alphabet" in f.message_en)]


def _random_han(seed: int, pool: str, n: int, punct_every: int) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(rng.choice(pool))
        if punct_every and i % punct_every == punct_every - 1:
            out.append(rng.choice("，。、；"))
    return "".join(out)


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("pool", ["common", "rare"])
@pytest.mark.parametrize("punct_every", [0, 9, 17])
def test_random_han_characters_are_refused(run, carrier, pool, punct_every):
    text = _random_han(len(carrier) * 7 + punct_every, COMMON if pool == "common" else RARE, 900,
                       punct_every)
    r = _put(run, text, carrier)
    assert _covert(r), said(r)


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
@pytest.mark.parametrize("sep", sorted(SEPARATORS))
@pytest.mark.parametrize("carrier", ["txt", "notebook", "py-string"])
def test_a_long_run_of_a_closed_symbol_alphabet_is_refused(run, alphabet, sep, carrier):
    rng = random.Random(len(alphabet) * 31 + len(sep))
    text = SEPARATORS[sep].join(rng.choice(ALPHABETS[alphabet]) for _ in range(300))
    r = _put(run, "結果如下：" + text, carrier)
    assert _covert(r), said(r)


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("form", ["list", "sentences", "spaced"])
def test_a_code_book_of_chinese_words_goes_to_a_reviewer(run, carrier, form):
    rng = random.Random(len(carrier) + len(form))
    if form == "list":
        text = "、".join(rng.choice(CODE_BOOK) for _ in range(300))
    elif form == "sentences":
        text = "。".join(f"今天吃了{rng.choice(CODE_BOOK)}和{rng.choice(CODE_BOOK)}" for _ in range(120))
    else:
        text = " ".join(rng.choice(CODE_BOOK) for _ in range(300))
    r = _put(run, text, carrier)
    assert _covert(r, ("review", "block")), said(r)
    assert r.verdict in ("review", "block"), said(r)


RESULTS_ZH = ("本研究自全民健康保險研究資料庫擷取二〇一五年至二〇二〇年間之門診與住院申報資料，"
              "納入年滿二十歲且首次診斷為第二型糖尿病之病人。主要結果為五年內因心血管疾病住院，"
              "次要結果為全死因死亡。我們以Cox比例風險模型估計風險比，並調整年齡、性別、投保金額、"
              "共病指數與居住地區之都市化程度。敏感度分析排除追蹤未滿一年者，結果方向一致。"
              "整體而言，接受新型降血糖藥物治療者之心血管住院風險較低，且此關聯在各年齡層皆可觀察到；"
              "惟本研究為觀察性設計，仍可能存在未測量之干擾因子，解讀時應審慎。")
BOX_TABLE = ("┌────────┬────────┐\n│ 組別   │ 人數   │\n├────────┼────────┤\n"
             "│ 北區   │ 1,204  │\n│ 南區   │ 987    │\n└────────┴────────┘")


def _ordinary():
    from tests.deidentify.eval import notes

    texts = {"results": RESULTS_ZH * 2,
             "box-table": (BOX_TABLE + "\n") * 3 + RESULTS_ZH,
             "emoji": "今天完成分析 ✅ 結果已檢查 👍 " * 8 + RESULTS_ZH,
             "numbered": "\n".join(f"{n}、{RESULTS_ZH[i * 20:i * 20 + 40]}" for i, n in
                                   enumerate("一二三四五六七八九十"))}
    for i, c in enumerate(notes.generate(3)[:30:6]):
        texts[f"note-{i}"] = (c.text + "\n") * 3
    return texts


ORDINARY = _ordinary()


@pytest.mark.parametrize("name", sorted(ORDINARY))
@pytest.mark.parametrize("carrier", ["txt", "notebook", "py-comment"])
def test_ordinary_chinese_text_is_not_taken_for_a_code(run, name, carrier):
    r = _put(run, ORDINARY[name], carrier)
    assert not _covert(r, ("review", "block")), said(r)


def test_a_chart_of_block_elements_goes_to_a_reviewer_not_refused(run):
    rng = random.Random(3)
    spark = "".join(rng.choice("▁▂▃▄▅▆▇█") for _ in range(120))
    r = _put(run, "每月門診量：" + spark, "txt")
    found = _covert(r, ("review", "block"))
    assert found and all(f.severity == "review" for f in found), said(r)
