"""E2: a small count a sentence implies without stating it.

A probe wrote "Of the 120 patients in the north, 97.5% were male" (3 women), "One in every 120
northern patients died", "the ratio of deaths to survivors was 1:39 (n=120)" and "a third of
the 9 patients": each states a count under the threshold through a share of a stated total - the
share's own part, or the rest of the group.  Generated over totals, shares and wordings, in
English and Chinese (百分之九十七點五 too); sentences whose parts are all large must still pass.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import said

M = 6   # the policy's min_units_per_cell


def _text(run, sentence: str):
    return run({"r.txt": sentence + "\n"}, [{"path": "r.txt", "kind": "text",
                                             "description": "results"}])


def _blocked(r) -> bool:
    return r.verdict == "block" and any(f.check == "prose" and f.severity == "block"
                                        for f in r.findings)


TOTALS = [120, 250, 400]


_ZH = "零一二三四五六七八九"


def _zh(n: int) -> str:
    """0 … 999 in Chinese numerals (九十七, 一百二十)."""
    h, t, u = n // 100, n // 10 % 10, n % 10
    out = (_ZH[h] + "百") if h else ""
    if t:
        out += ("" if (t == 1 and not h) else _ZH[t]) + "十"
    elif h and u:
        out += "零"
    return out + (_ZH[u] if u else "") or "零"


def _zh_pct(p: float) -> str:
    whole, _, frac = f"{p:g}".partition(".")
    return "百分之" + _zh(int(whole)) + ("點" + "".join(_ZH[int(d)] for d in frac) if frac else "")


def _complements():
    out = []
    for total in TOTALS:
        for small in (1, 2, 3, 5):
            pct = round(100 * (total - small) / total, 1)
            out += [(f"Of the {total} patients in the north, {pct}% were male.", f"{total}-{small}-of"),
                    (f"{pct}% of the {total} patients were treated in hospital.", f"{total}-{small}-lead"),
                    (f"北區{total}名病人中，{pct}%為男性。", f"{total}-{small}-zh"),
                    (f"北區{_zh(total)}名病人中，{_zh_pct(pct)}為男性。", f"{total}-{small}-zh-words")]
    return out


COMPLEMENTS = _complements()


@pytest.mark.parametrize("sentence", [s for s, _ in COMPLEMENTS], ids=[i for _, i in COMPLEMENTS])
def test_the_rest_of_a_group_a_percentage_leaves_is_a_count(run, sentence):
    r = _text(run, sentence)
    assert _blocked(r), said(r)


def _one_in():
    out = []
    for total in TOTALS:
        for k, word in ((1, "One"), (2, "Two"), (3, "Three")):
            out += [(f"{word} in every {total} northern patients died.", f"{total}-{k}-every"),
                    (f"{k} in each {total} patients was readmitted.", f"{total}-{k}-each")]
    return out


ONE_IN = _one_in()


@pytest.mark.parametrize("sentence", [s for s, _ in ONE_IN], ids=[i for _, i in ONE_IN])
def test_k_in_every_n_is_a_count(run, sentence):
    assert _blocked(_text(run, sentence))


def _ratios():
    out = []
    for total in TOTALS:
        for small in (1, 2, 4):
            big = total - small
            out += [(f"The ratio of deaths to survivors in the north was {small}:{big} (n={total}).",
                     f"{total}-{small}-ratio"),
                    (f"Among {total} patients the odds of readmission were {small}:{big}.",
                     f"{total}-{small}-odds"),
                    (f"{total}名病人中，死亡與存活之比為{small}:{big}。", f"{total}-{small}-zh")]
    return out


RATIOS = _ratios()


@pytest.mark.parametrize("sentence", [s for s, _ in RATIOS], ids=[i for _, i in RATIOS])
def test_a_ratio_of_a_stated_total_is_a_count(run, sentence):
    r = _text(run, sentence)
    assert _blocked(r), said(r)


FRACTIONS = [("A third of the 9 patients died.", "third-9"),
             ("Half of the 6 patients were women.", "half-6"),
             ("Two thirds of the 12 participants were readmitted.", "two-thirds-12"),
             ("A quarter of the 16 cases were severe.", "quarter-16"),
             ("9名病人中三分之一死亡。", "zh-third-9"),
             ("10名病人中一半為女性。", "zh-half-10")]


@pytest.mark.parametrize("sentence", [s for s, _ in FRACTIONS], ids=[i for _, i in FRACTIONS])
def test_a_fraction_in_words_of_a_stated_total_is_a_count(run, sentence):
    r = _text(run, sentence)
    assert _blocked(r), said(r)


ORDINARY = [
    "Of the 1200 patients in the north, 52.5% were male.",
    "60% of the 400 patients were treated in hospital.",
    "One in every 4 of the 1000 patients was readmitted within a year.",
    "The ratio of women to men was 1:1 (n=400).",
    "Among 2000 patients the odds of readmission were 1:3.",
    "Half of the 300 patients were women.",
    "北區1200名病人中，52.5%為男性。",
    "北區四百名病人中，百分之五十二點五為男性。",
    "The clinic opened at 9:30 and 400 patients were seen that month.",
]


@pytest.mark.parametrize("sentence", ORDINARY, ids=[f"ordinary{i}" for i in range(len(ORDINARY))])
def test_shares_whose_parts_are_large_pass(run, sentence):
    r = _text(run, sentence)
    assert not any(f.check == "prose" and f.severity == "block" for f in r.findings), said(r)


def _per_scale_members():
    """A share per thousand, ten thousand or hundred thousand persons of the sentence's group."""
    out = []
    for total, scale in ((1200, 1000), (2400, 1000), (12000, 10000), (120000, 100000)):
        for small in (1, 3, 5):
            v = small * scale / total
            txt = f"{v:g}"
            words = {1000: ("per 1,000", "‰", "每千人", "千分之"), 10000: ("per 10,000", "‱", "每萬人有", "萬分之"),
                     100000: ("per 100,000", None, "每十萬人", "十萬分之")}[scale]
            en, sign, zh_each, zh_part = words
            out += [(f"Among {total} northern patients, mortality was {txt} {en}.", f"{total}-{small}-en"),
                    (f"北區{total}名病人中，死亡率為{zh_each}{txt}人。", f"{total}-{small}-zh-each"),
                    (f"北區{total}名病人中，死亡率為{zh_part}{txt}。", f"{total}-{small}-zh-part")]
            if sign:
                out.append((f"Among {total} northern patients, mortality was {txt}{sign}.",
                            f"{total}-{small}-sign"))
            if "." in txt and scale == 1000:
                whole, frac = txt.split(".")
                out.append((f"北區{total}名病人中，死亡率為千分之{_zh(int(whole))}點"
                            + "".join(_ZH[int(d)] for d in frac) + "。", f"{total}-{small}-zh-words"))
    return out


@pytest.mark.parametrize("sentence", [s for s, _ in _per_scale_members()],
                         ids=[i for _, i in _per_scale_members()])
def test_a_share_per_thousand_of_the_sentences_group_blocks(run, sentence):
    r = _text(run, sentence)
    assert _blocked(r), said(r)


@pytest.mark.parametrize("sentence", [
    "Among 1200 patients, the incidence was 2.5 per 1000 person-years.",
    "北區1200名病人中，發生率為每千人年2.5例。",
    "Among 1200 patients, 2.5 per 1,000 visits were readmissions.",
    "Among 12000 patients, mortality was 250 per 100,000.",
    "Among 1200 patients, prevalence 50 per 1000.",
    "北區1200名病人中，盛行率為千分之五十。",
])
def test_rates_per_person_time_and_large_shares_per_thousand_do_not_block(run, sentence):
    r = _text(run, sentence)
    assert not _blocked(r), said(r)
