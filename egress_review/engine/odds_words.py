"""Odds stated beside a group's size are a share of it (E2, round 14).

"Among the 120 patients in Lanyu, the odds of death were 0.026", "odds of dying 1 to 39",
「死亡勝算為0.026」: odds o are a share o / (1 + o) (a to b: a / (a + b)), so with the group's
120 they give 3 deaths.  Before, the number went to a reviewer as one of no known meaning.
Read as a percent, the prose check then does what it does with "2.5% of 120".  An odds ratio
(OR, 勝算比), log odds and "odds … 2.1 times higher" are effects, not shares: left alone.
"""
from __future__ import annotations

import re

from deidentify.regex_cache import compiled

_D = r"\d+(?:\.\d+)?"
_ODDS = compiled(
    rf"(?<!log )(?<!log-)\bodds\b(?!\s*-?\s*ratios?\b)(?P<mid>[^.;%\d]{{0,40}}?)"
    rf"(?P<a>{_D})(?:\s*(?:to|against)\s*(?P<b>{_D}))?"
    rf"(?!\d|\.\d|\s*(?:%|times|-?fold|x\b|×|higher|lower|greater|more|less))", re.I)
_ZH_ODDS = compiled(rf"勝算(?!比)(?P<mid>[^。；，,\d]{{0,8}}?)(?P<a>{_D})(?:\s*(?:比|:|：)\s*(?P<b>{_D}))?"
                    rf"(?!\d|\.\d|\s*(?:%|倍))")
_RATIO_WORDS = re.compile(r"\bratios?\b|\bOR\b|勝算比", re.I)


def odds_shares(sent: str) -> list[tuple[int, int, float, str]]:
    """(start, end, percent, "percent") of each odds in ``sent`` read as the share it is."""
    out = []
    for rx in (_ODDS, _ZH_ODDS):
        for m in rx.finditer(sent):
            if _RATIO_WORDS.search(m.group("mid")):
                continue
            a = float(m.group("a"))
            b = float(m.group("b")) if m.group("b") else None
            share = a / (a + b) if b is not None and a + b > 0 else a / (1 + a)
            if b is None and a > 1000:
                continue
            out.append((m.start("a"), m.end("b") if b is not None else m.end("a"), 100 * share,
                        "percent"))
    return out
