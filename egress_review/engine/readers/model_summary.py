"""Fitted-model printouts (statsmodels ``summary()``, R ``summary(lm|glm|coxph)``, Stata
``regress``/``logit``/``stcox``) turned into :class:`ModelSummary` units.

No library parses these printouts back, so the figures the regression rules need are found
by the labels each tool prints: observations, residual/model degrees of freedom, events,
and the coefficient table (term and estimate; levels of categorical covariates marked).
"""
from __future__ import annotations

import re

from egress_review.engine.readers.model import ModelSummary

_NUM = r"([-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?)"
SM_FIELD = re.compile(r"(No\. Observations|Df Residuals|Df Model|No\. Events|Model):\s+(\S+)")
R_CALL = re.compile(r"^Call:\s*\n\s*(lm|glm|coxph|glm\.nb|lmer|glmer|polr|multinom|survreg)\(", re.M)
R_RSE = re.compile(r"on\s+" + _NUM + r"\s+degrees of freedom")
R_RESID_DEV = re.compile(r"Residual deviance:\s*\S+\s+on\s+" + _NUM + r"\s+degrees of freedom")
R_NULL_DEV = re.compile(r"Null deviance:\s*\S+\s+on\s+" + _NUM + r"\s+degrees of freedom")
R_FSTAT = re.compile(r"F-statistic:\s*\S+\s+on\s+" + _NUM + r"\s+and\s+" + _NUM + r"\s+DF")
R_COX = re.compile(r"n\s*=\s*" + _NUM + r",\s*number of events\s*=\s*" + _NUM)
R_DELETED = re.compile(r"\(\s*" + _NUM + r"\s+observations? deleted due to missingness\s*\)")
ST_NOBS = re.compile(r"Number of obs\s*=\s*" + _NUM)
ST_FAIL = re.compile(r"No\. of failures\s*=\s*" + _NUM)
ST_F = re.compile(r"F\(\s*" + _NUM + r"\s*,\s*" + _NUM + r"\s*\)")
ST_RESID = re.compile(r"^[ \t]*Residual[ \t]*\|\s*\S+\s+" + _NUM, re.M)
ST_HEAD = re.compile(r"\|\s*(?:Coefficient|Coef\.|Odds ratio|Haz\. ratio|IRR)\b")
_TWO_NUMBERS = re.compile(_NUM + r"\s+" + _NUM + r"\s")
_WIDE_GAP = re.compile(r"\s{2,}")
_R_COEF_ROW = re.compile(r"^(\S+)\s+" + _NUM + r"\s+" + _NUM + r"\s", re.M)


def _f(s: str) -> float:
    return float(s.replace(",", ""))


def _level(term: str, tool: str) -> bool:
    if tool == "statsmodels":
        return "[T." in term or term.startswith("C(")
    if tool == "Stata":
        return bool(re.match(r"^\d+[.#]|^\d+\s*$", term.strip()))
    return False


# Printouts are read line by line with anchored patterns: a pattern free to start anywhere and
# to span lines (``^\s*`` under re.M, a lazy term before a gap) costs the square of a run of
# blank lines or spaces, and a crafted output could hold the engine for minutes.


def _lines(text: str):
    """Each line with the offset just after it (its newline included)."""
    pos = 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        yield line.rstrip("\r\n"), pos


def _coef_rows(block: str):
    """(term, estimate) of each "term  estimate  std-error ..." line: the term ends at the first
    gap of two or more spaces that two numbers follow."""
    for line, _ in _lines(block):
        body = line.lstrip(" \t") + " "
        for gap in _WIDE_GAP.finditer(body):
            nums = _TWO_NUMBERS.match(body, gap.end())
            if nums and gap.start() > 0:
                yield body[:gap.start()], nums.group(1)
                break


def _r_coef_rows(block: str):
    for line, _ in _lines(block):
        m = _R_COEF_ROW.match(line + " ")
        if m:
            yield m.group(1), m.group(2)


def _coefs(block: str, tool: str, rows=_coef_rows) -> tuple[list[tuple[str, float]], list[str]]:
    coefs: list[tuple[str, float]] = []
    levels: list[str] = []
    for term, estimate in rows(block):
        term = term.strip().rstrip("|").strip()
        if not term or term.startswith(("-", "=")):
            continue
        coefs.append((term, _f(estimate)))
        if _level(term, tool):
            levels.append(term)
    return coefs, levels


def _statsmodels(text: str, place: dict) -> ModelSummary | None:
    title = next((line.strip() for line, _ in _lines(text)
                  if line.strip().endswith("Regression Results")), None)
    if title is None or "No. Observations" not in text:
        return None
    fields = dict(SM_FIELD.findall(text))
    kind = title[:-len("Regression Results")].strip()
    ms = ModelSummary(tool="statsmodels", model=fields.get("Model", kind or "?"), place=place,
                      text=text)
    try:
        ms.n_obs = int(_f(fields["No. Observations"])) if "No. Observations" in fields else None
        ms.df_resid = _f(fields["Df Residuals"]) if "Df Residuals" in fields else None
        ms.df_model = _f(fields["Df Model"]) if "Df Model" in fields else None
        ms.n_events = int(_f(fields["No. Events"])) if "No. Events" in fields else None
    except ValueError:
        pass
    start = re.search(r"^[ \t]+coef\s+std err", text, re.M)
    if start:
        block = text[start.end():]
        end = re.search(r"^={10,}", block, re.M)
        ms.coefficients, ms.levels = _coefs(block[:end.start()] if end else block, "statsmodels")
    return ms


def _r(text: str, place: dict) -> ModelSummary | None:
    m = R_CALL.search(text)
    if not m:
        return None
    ms = ModelSummary(tool="R", model=m.group(1), place=place, text=text)
    if (x := R_FSTAT.search(text)):
        ms.df_model, ms.df_resid = _f(x.group(1)), _f(x.group(2))
    elif (x := R_RESID_DEV.search(text)):
        ms.df_resid = _f(x.group(1))
        if (y := R_NULL_DEV.search(text)):
            ms.df_model = _f(y.group(1)) - ms.df_resid
    elif (x := R_RSE.search(text)):
        ms.df_resid = _f(x.group(1))
    if (x := R_COX.search(text)):
        ms.n_obs, ms.n_events = int(_f(x.group(1))), int(_f(x.group(2)))
    start = re.search(r"^Coefficients:.*\n(.*Estimate.*|.*coef.*)\n", text, re.M)
    if start:
        block = text[start.end():]
        end = re.search(r"^(---|\s*$)", block, re.M)
        ms.coefficients, ms.levels = _coefs(block[:end.start()] if end else block, "R", _r_coef_rows)
    if ms.n_obs is None and ms.df_resid is not None and ms.coefficients:
        # lm/glm: n = residual dof + estimated coefficients (rows deleted for missingness excluded)
        ms.n_obs = int(ms.df_resid + len(ms.coefficients))
    return ms


def _stata(text: str, place: dict) -> ModelSummary | None:
    m = ST_NOBS.search(text)
    if not m or "|" not in text:
        return None
    head = next((end for line, end in _lines(text) if "|" in line and ST_HEAD.search(line)), None)
    model = "regress" if ST_RESID.search(text) else "estimation"
    ms = ModelSummary(tool="Stata", model=model, place=place, text=text, n_obs=int(_f(m.group(1))))
    if (x := ST_F.search(text)):
        ms.df_model, ms.df_resid = _f(x.group(1)), _f(x.group(2))
    elif (x := ST_RESID.search(text)):
        ms.df_resid = _f(x.group(1))
    if (x := ST_FAIL.search(text)):
        ms.n_events = int(_f(x.group(1)))
    if head:
        block = text[head:]
        rows = []
        for line in block.splitlines():
            if "|" not in line:
                if rows:
                    break
                continue
            term, _, rest = line.partition("|")
            nums = re.findall(_NUM, rest)
            if term.strip().startswith("-") or not nums:
                continue
            rows.append((term.strip(), _f(nums[0])))
        ms.coefficients = rows
        ms.levels = [t for t, _ in rows if _level(t, "Stata")]
    return ms


def find_model_summary(text: str, place: dict) -> ModelSummary | None:
    """The model a printout shows, or None when the text is not a model summary."""
    for parse in (_statsmodels, _r, _stata):
        ms = parse(text, place)
        if ms is not None:
            return ms
    return None
