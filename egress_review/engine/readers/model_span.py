"""Where a fitted model's printout starts and ends inside a longer text.

A printed text holding a statsmodels, R or Stata model summary was read as that model alone:
anything printed before or after it - a crosstab of the outcome by region, a frequency table -
was never read, so a small count typed under a regression summary left with it.  This module
finds the lines the printout itself takes, so the rest of the text is read like any other
printed text (``printed.read_printed``).  Lines a tool prints inside its own layout are the
printout's; what lies outside the first to the last of them is not.
"""
from __future__ import annotations

import re

# statsmodels: a title "… Regression Results" over "====" rules, the coefficient table, an
# optional diagnostics block (Omnibus, Durbin-Watson …) and "Notes:"/"Warnings:" lines [1] …
_SM_TITLE = re.compile(r"^\s*[\w.\- ]*Regression Results\s*$")
_RULE = re.compile(r"^\s*={10,}\s*$")
_COEF_HEAD = re.compile(r"\b(?:coef|std err)\b")
_NOTE_HEAD = re.compile(r"^\s*(?:Notes|Warnings):\s*$")
_NOTE_LINE = re.compile(r"^\s*\[\d+\]\s")
# R: "Call:" and the last line a summary of lm/glm/coxph/… prints
_R_CALL = re.compile(r"^Call:\s*$")
_R_LAST = re.compile(r"^\s*(?:Number of Fisher Scoring iterations|F-statistic:|Residual standard error:|"
                     r"AIC:|Residual deviance:|Multiple R-squared:|Score \(logrank\) test|"
                     r"Wald test|Likelihood ratio test|Concordance|Signif\. codes:|"
                     r"\(Dispersion parameter|n\s*=\s*\d[\d,]*,\s*number of events)")
# Stata: the header with "Number of obs" (or regress's "Source |" block) to the rule closing
# the coefficient table
_ST_START = re.compile(r"^\s*(?:Source\s*\||.*Number of obs\s*=)")
_ST_RULE = re.compile(r"^\s*-{10,}\s*$")


def _statsmodels(lines: list[str]) -> tuple[int, int] | None:
    start = next((i for i, ln in enumerate(lines) if _SM_TITLE.match(ln)), None)
    if start is None:
        return None
    rules = [i for i in range(start, len(lines)) if _RULE.match(lines[i])]
    if not rules:
        return None
    # the printout ends at its last rule of the run of blocks that follow each other (a blank
    # line or any text not in a ruled block ends the run)
    end = rules[0]
    for r in rules[1:]:
        block = lines[end + 1:r]
        # a block of the printout: "Label: value" lines, or a coefficient table ("std err");
        # rows typed between two rules (a crosstab) end the printout before them
        if any(not ln.strip() for ln in block) or not (
                any(_COEF_HEAD.search(ln) for ln in block)
                or all(":" in ln or not ln.strip() for ln in block)):
            break
        end = r
    k = end + 1
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k < len(lines) and _NOTE_HEAD.match(lines[k]):
        end = k
        k += 1
        # a note is "[n] …" and the lines its sentence wraps onto (no digits, after a line
        # that did not end its sentence); a title printed after the notes is not one
        while k < len(lines) and lines[k].strip() and (
                _NOTE_LINE.match(lines[k]) or not lines[k - 1].rstrip().endswith(".")
                and not any(ch.isdigit() for ch in lines[k])):
            end = k
            k += 1
    return start, end


def _r(lines: list[str]) -> tuple[int, int] | None:
    start = next((i for i, ln in enumerate(lines) if _R_CALL.match(ln)), None)
    if start is None:
        return None
    ends = [i for i in range(start, len(lines)) if _R_LAST.match(lines[i])]
    if not ends:
        return None
    end = ends[-1]
    # a multi-line last statement (the coxph tests) ends at the next blank line
    while end + 1 < len(lines) and lines[end + 1].strip() and _R_LAST.match(lines[end]) \
            and lines[end].lstrip().startswith(("Signif", "(Dispersion")):
        end += 1
    return start, end


def _stata(lines: list[str]) -> tuple[int, int] | None:
    start = next((i for i, ln in enumerate(lines) if _ST_START.match(ln)), None)
    if start is None:
        return None
    # the coefficient table: a rule, a header line with "|", rows with "|", a closing rule
    in_table, end = False, None
    for i in range(start, len(lines)):
        if "|" in lines[i]:
            in_table = True
        elif in_table and _ST_RULE.match(lines[i]):
            end = i
        elif in_table and lines[i].strip() and end is not None:
            break
    return (start, end) if end is not None else None


_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+|nan|inf)(?:[eE][-+]?\d+)?(?![\w.])")


def _foreign_rows(lines: list[str], first: int, last: int) -> set[int]:
    """Lines of a statsmodels coefficient table that do not hold its six numbers (coef, std err,
    z/t, P, and the interval): rows typed into the table (a crosstab's "North 400 3")."""
    out: set[int] = set()
    head = None
    for i in range(first, last + 1):
        if _COEF_HEAD.search(lines[i]) and "std err" in lines[i]:
            head = i
            continue
        if head is None or _RULE.match(lines[i]) or set(lines[i].strip()) <= {"-"}:
            if _RULE.match(lines[i]):
                head = None
            continue
        if len(_NUMBER.findall(lines[i])) != 6:
            out.add(i)
    return out


def model_lines(text: str, tool: str) -> set[int] | None:
    """The line indices (0-based) of the ``tool``'s printout in ``text``, or None when its
    bounds cannot be found (the caller then reads the whole text as the model)."""
    lines = text.split("\n")
    span = {"statsmodels": _statsmodels, "R": _r, "Stata": _stata}.get(tool, lambda _: None)(lines)
    if span is None:
        return None
    own = set(range(span[0], span[1] + 1))
    if tool == "statsmodels":
        own -= _foreign_rows(lines, *span)
    return own
