"""E7: data carried by Chinese characters or symbols that do not read as text.

``covert_text`` judges Latin letters.  An encoder can as well write its bytes as Han characters
(a random pick of common characters looks like Chinese at a glance), as a code book of Chinese
words (蘋果 = 0, 香蕉 = 1 …), or as a small closed alphabet of symbols: Chinese numerals,
heavenly stems and earthly branches, Bopomofo, Braille cells (one byte each), emoji, hexagrams,
block elements.  What any such encoding leaves behind:

- a long run drawn from a closed symbol alphabet with many distinct symbols, which no writing
  produces (a rule line of one box character, a short Chinese number, are not such runs);
- Han text whose characters do not form the words of the language: segmented with jieba's
  dictionary (after conversion to simplified characters, the dictionary's script), prose keeps
  most of its characters in words of two or more; random characters keep few;
- a text of words from a tiny vocabulary repeated over and over, almost none used once.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Closed alphabets that writing does not run on for long.
_ZH_NUMERALS = set("零〇一二兩两三四五六七八九十百千萬万億亿壹貳贰參叁肆伍陸陆柒捌玖拾佰仟")
_STEMS_BRANCHES = set("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥")
_SEPARATORS = set(" \t、，,;；·・.。-_|/:：")


def _symbol_class(ch: str) -> str | None:
    """Which closed alphabet a character belongs to (None: a letter of writing or a digit)."""
    o = ord(ch)
    if ch in _ZH_NUMERALS:
        return "numerals"
    if ch in _STEMS_BRANCHES:
        return "stems"
    if 0x3100 <= o <= 0x312F or 0x31A0 <= o <= 0x31BF:
        return "bopomofo"
    if 0x2800 <= o <= 0x28FF:
        return "braille"
    if 0x4DC0 <= o <= 0x4DFF or 0x2630 <= o <= 0x2637:
        return "hexagrams"
    if 0x2E80 <= o <= 0x2FDF:
        return "radicals"
    if 0x1D400 <= o <= 0x1D7FF:
        return "math letters"
    if 0x2500 <= o <= 0x259F:
        return "box"
    cat = unicodedata.category(ch)
    if cat in ("So", "Sm", "No") or 0x1F000 <= o <= 0x1FAFF:
        return "symbols"
    return None


def _entropy(counts: Counter) -> float:
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def symbol_runs(text: str, min_length: int) -> list[tuple[int, int, str, str]]:
    """(offset, length, alphabet, severity) of runs of ``min_length`` or more symbols of closed
    alphabets (separators between them allowed).  Runs of few distinct symbols or little
    variety are drawings (rule lines, a bar) and are left; block elements and other symbols
    of a few levels could be a chart (review); the rest, and symbols spread over many kinds
    (emoji as bytes), are refused."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if _symbol_class(text[i]) is None:
            i += 1
            continue
        j, symbols, classes = i, Counter(), Counter()
        while j < n and (text[j] in _SEPARATORS or (cls := _symbol_class(text[j])) is not None):
            if text[j] not in _SEPARATORS:
                symbols[text[j]] += 1
                classes[cls] += 1
            j += 1
        count = sum(symbols.values())
        if count >= min_length and len(symbols) >= 4 and _entropy(symbols) >= 2.0:
            cls = classes.most_common(1)[0][0]
            # a chart of block elements has a few levels; random symbols spread over many
            loose = cls in ("box", "symbols") and _entropy(symbols) < 4.0
            out.append((i, j - i, cls, "review" if loose else "block"))
        i = j + 1
    return out


@lru_cache(maxsize=1)
def _tools():
    import opencc

    from deidentify.identifiers.jieba_tables import tables

    # the name finders' jieba: its dictionary from the private cache, never a jieba.cache
    # someone left in the shared temp directory (which decides what counts as a word here)
    return tables()[0], opencc.OpenCC("t2s")


def han_reading(text: str, min_chars: int = 1, max_chars: int = 20_000) -> tuple[int, float, int, float]:
    """(Han characters, share of them in dictionary words of two or more, distinct words,
    share of distinct words used once) over the first ``max_chars`` Han-bearing characters."""
    han = _HAN.findall(text)
    if len(han) < min_chars:
        return len(han), 1.0, 0, 1.0        # too little to judge: jieba is not even loaded
    tokenizer, t2s = _tools()
    sample = t2s.convert(text[:max_chars * 2])
    words = [w for w in tokenizer.lcut(sample, HMM=False) if _HAN.search(w)]
    chars = sum(len(w) for w in words)
    if not chars:
        return len(han), 1.0, 0, 1.0
    multi = sum(len(w) for w in words if len(w) >= 2)
    counts = Counter(words)
    once = sum(1 for c in counts.values() if c == 1) / len(counts)
    return len(han), multi / chars, len(counts), once


def han_findings(text: str, policy) -> list[tuple[str, dict, str, str]]:
    """Han prose that does not read as Chinese: random characters, or a code book of words."""
    chars, share, vocab, once = han_reading(text, policy.covert_han_min_chars)
    if chars < policy.covert_han_min_chars:
        return []
    out = []
    if share < policy.covert_han_word_share:
        sev = "block" if (share < policy.covert_han_word_share / 2
                          and chars >= 2 * policy.covert_han_min_chars) else "review"
        out.append((sev, {"han_characters": chars, "in_words": round(share, 3)},
                    f"{chars} Chinese characters of which only {share:.0%} form words: the text "
                    "does not read as Chinese (characters chosen to carry data?)"
                    + (": refused." if sev == "block" else "; a reviewer must read it."),
                    f"共 {chars} 個漢字，僅 {share:.0%} 組成詞語，不像中文（可能以字元夾帶資料）"
                    + ("，不予放行。" if sev == "block" else "，須由審查人閱讀。")))
    elif vocab and once < 0.15 and vocab <= chars / 6:
        out.append(("review", {"han_characters": chars, "distinct_words": vocab},
                    f"{chars} Chinese characters made of only {vocab} words repeated over and "
                    "over, almost none used once: a code book, not prose; a reviewer must read it.",
                    f"共 {chars} 個漢字僅由 {vocab} 個詞反覆組成、幾無只出現一次者：像代碼表而非文章，"
                    "須由審查人閱讀。"))
    return out


def symbol_findings(text: str, policy) -> list[tuple[str, dict, str, str]]:
    out = []
    for sev in ("block", "review"):
        runs = [r for r in symbol_runs(text, policy.covert_symbol_run_min) if r[3] == sev]
        if not runs:
            continue
        at, length, cls, _ = runs[0]
        out.append((sev, {"line": text.count("\n", 0, at) + 1, "count": len(runs),
                          "length": length, "alphabet": cls},
                    f"{len(runs)} long runs of {cls} ({length} characters: "
                    f"{text[at:at + 12]}…): a closed alphabet of symbols is how encoded data "
                    "looks" + (", refused." if sev == "block" else "; a reviewer checks it."),
                    f"{len(runs)} 段長串符號（{cls}，{length} 字元：{text[at:at + 12]}…）：封閉符號集"
                    "的長串即編碼資料的樣子" + ("，不予放行。" if sev == "block" else "，須由審查人確認。")))
    return out
