"""E2: a share written as a decimal in a sentence that states its group's size.

"Among the 120 northern patients, mean mortality 0.025 (SD 0.157)" passed: a mean with a
count of at least the threshold in its sentence is an ordinary statistic, but the mean of a
yes/no variable is a share, and 0.025 × 120 is 3 deaths (the SD, √(p(1 − p)), says the
same).  A decimal between 0 and 1 in such a sentence is read as a share of the sentence's
largest count: where every whole number of persons its printed decimals allow, or the rest
of the group, is 1 … m−1, it blocks when the words before it name a share, a risk or an event
(proportion, mortality, died, 比例, 死亡 …), and goes to the reviewer with the group it would
give away when they name only a mean.  Model estimates, p-values and intervals are left to
their own checks (an odds ratio of 0.03 is no share).
"""
from __future__ import annotations

import re

from egress_review.engine.binary_means import YES_NO_WORDS, possible_counts, small_group

# Words that make a decimal a share of persons.
SHARE_WORDS = re.compile(
    r"\b(?:proportion|share|fraction|rate|risk|prevalence|incidence|mortality|fatality|"
    r"probability|likelihood|cumulative incidence|survival|percentage)\b|"
    r"比例|比率|機率|風險|盛行率|發生率|死亡率|存活率|率", re.I)
_MEAN_WORDS = re.compile(r"\b(?:mean|average|avg)\b|平均", re.I)
_SD_WORDS = re.compile(r"\b(?:SD|s\.d\.|std|standard deviation)\b|標準差", re.I)
_VAR_WORDS = re.compile(r"\bvariance\b|變異數", re.I)
# What the number right before says it is not a share: a test, a model estimate, an interval.
_NOT_SHARE = re.compile(
    r"(?:\bp\s*[-‐]?\s*(?:value)?|\b(?:HR|OR|RR|IRR|aOR|aHR|CI|AUC|ROC|r|R2|R²|ρ|β|beta|kappa|κ|"
    r"coefficient|correlation|odds|ratio|hazard|estimate|slope|t|z|F|χ2|chi2|alpha|α|ICC|"
    r"c-statistic|C statistic|Gini)\b|相關|係數|勝算|風險比|信賴區間|p值)"
    r"[\s=:：<>≤≥(（,]*(?:[-−]?\d*\.?\d+\s*(?:[-–—~,，]|to)\s*)?$", re.I)
# A group the sentence is about, not a yes/no variable ("among 120 men, mean change 0.025").
_GROUP_NOUNS = {"men", "women", "male", "female", "sex", "case", "cases", "男", "女", "性別"}
_WINDOW = 48          # characters before the number that say what it is


def _nearest_statistic(before: str) -> str | None:
    """'sd' or 'variance' when that is the statistic named nearest before the number (a
    mean's SD follows the mean: "mean 0.025 (SD 0.157)"); None for a mean or a share."""
    last = {}
    for name, rx in (("sd", _SD_WORDS), ("variance", _VAR_WORDS), (None, _MEAN_WORDS),
                     (None, SHARE_WORDS)):
        for w in rx.finditer(before):
            if w.end() >= last.get(name, -1):
                last[name] = w.end()
    if not last:
        return None
    return max(last, key=lambda k: last[k])


def judge(text: str, start: int, end: int, sent_start: int, total: float, m: int
          ) -> tuple[str, int, str] | None:
    """(severity, group, what) for the decimal text[start:end] as a share of ``total``;
    None when it is no such share or gives away no small group."""
    token = text[start:end].strip()
    if "." not in token:
        return None
    try:
        v = float(token)
    except ValueError:
        return None
    if not 0.0 < v < 1.0 or total < 2:
        return None
    before = text[max(sent_start, start - _WINDOW):start]
    if _NOT_SHARE.search(before):
        return None
    dispersion = _nearest_statistic(before)
    half = 0.5 * 10.0 ** (-len(token.split(".", 1)[1]))
    k = small_group(possible_counts(v, half, total, dispersion), total, m)
    if k is None:
        return None
    what = {"sd": "standard deviation", "variance": "variance"}.get(dispersion, "share")
    events = [w.group().strip(" _-()").lower() for w in YES_NO_WORDS.finditer(f" {before} ")]
    if SHARE_WORDS.search(before) or any(w not in _GROUP_NOUNS for w in events):
        return "block", k, what
    if dispersion or _MEAN_WORDS.search(before):
        return "review", k, what
    return None
