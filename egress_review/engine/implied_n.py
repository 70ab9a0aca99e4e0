"""E2/E4: the number of persons a row's dispersion statistics give away, whatever units it declares.

A standard deviation and the standard error of the same mean fix the group's size
(n = (SD / SE)²), and so does a 95 % confidence interval of the mean beside either: its half
width is t(n−1) × SD / √n, or t(n−1) × SE, and for a small group t is far from 1.96
(t(2) = 4.30).  Round 13: ``region, n_total, median, sd, se`` = Lanyu … 8.0, 4.62 with
``units_column: n_total`` (500 on every row: the cohort, not the group) passed, while the two
numbers say 3 persons.  For each row every whole n the printed values allow (each value known
to half a unit of its last printed decimal) is found: all of them 1 … threshold−1 → block; some
small and some not → review.  A regression output (coefficients' standard errors are no
group's) is left to its own check.
"""
from __future__ import annotations

import functools
import math
import re

import numpy as np

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "implied_n"
KINDS = {"table"}

_MAX_N = 100_000
# role words, matched on a header's tokens (underscores, dots and brackets as spaces)
_SE = re.compile(r"\b(?:se|sem|s\.e\.?m?|stderr|std\.? ?err(?:or)?|standard error)\b|標準誤", re.I)
_SD = re.compile(r"\b(?:sd|s\.d\.?|std|stdev|stddev|std\.? ?dev|standard deviation)\b|標準差", re.I)
_LO = re.compile(r"\b(?:lo|low|lower|lcl|lcb|ll|ci ?lo(?:w|wer)?|lower ?ci|2\.5 ?%|0\.025)\b|下限", re.I)
_HI = re.compile(r"\b(?:hi|high|upper|ucl|ucb|ul|ci ?hi(?:gh)?|ci ?up(?:per)?|upper ?ci|97\.5 ?%|0\.975)\b|上限",
                 re.I)

_CI = re.compile(r"\bci\b|\blcl\b|\bucl\b|\blcb\b|\bucb\b|confidence|信賴|置信", re.I)
_PCTL = re.compile(r"percentile|quartile|\biqr\b|\bq[13]\b|\bp\d{1,2}\b|reference|百分位|四分位", re.I)


def _tokens(header: str) -> str:
    return " ".join(re.sub(r"[_\[\](){}:,;|/]+", " ", str(header)).split())


def _measure(header: str, rx) -> str:
    """The header less its role word: what it measures ("sd_sbp" -> "sbp")."""
    return rx.sub(" ", _tokens(header)).strip(" .-").casefold()


def _columns(table) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"se": [], "sd": [], "lo": [], "hi": []}
    for c in table.columns:
        t = _tokens(c)
        if _SE.search(t):
            out["se"].append(c)
        elif _SD.search(t):
            out["sd"].append(c)
        elif _LO.search(t):
            out["lo"].append(c)
        elif _HI.search(t):
            out["hi"].append(c)
    return out


def _pair(a: list[str], b: list[str], rxa, rxb) -> list[tuple[str, str]]:
    """Columns of two roles about the same measure (one of each, or matched by what remains)."""
    if len(a) == 1 and len(b) == 1:
        return [(a[0], b[0])]
    return [(x, y) for x in a for y in b if _measure(x, rxa) == _measure(y, rxb)]


def _value(text: str) -> tuple[float, float] | None:
    """A printed number and half a unit of its last decimal."""
    s = str(text).strip().replace(",", "")
    m = re.fullmatch(r"[+-]?(\d+)(?:\.(\d*))?", s)
    if not m:
        return None
    v = float(s)
    return v, 0.5 * 10.0 ** -len(m.group(2) or "")


@functools.lru_cache(maxsize=1)
def _t975() -> np.ndarray:
    """t(0.975, n − 1) for n = 0 … _MAX_N (nan below 2)."""
    from scipy.stats import t

    n = np.arange(_MAX_N + 1, dtype=float)
    out = np.full(len(n), np.nan)
    out[2:] = t.ppf(0.975, n[2:] - 1)
    return out


def sizes(sd=None, se=None, half=None) -> np.ndarray:
    """Every whole n (2 … _MAX_N) the printed (value, precision) pairs allow; empty when the
    values fit no group (a percentile interval, an SD of something else)."""
    n = np.arange(_MAX_N + 1, dtype=float)
    ok = n >= 2
    t = _t975()
    if sd and se:
        if se[0] - se[1] <= 0:
            return np.array([])
        lo = ((sd[0] - sd[1]) / (se[0] + se[1])) ** 2
        hi = ((sd[0] + sd[1]) / (se[0] - se[1])) ** 2
        ok &= (n >= math.floor(lo)) & (n <= math.ceil(hi)) & (n >= lo - 1e-9) & (n <= hi + 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        if half and se and se[0] - se[1] > 0:
            r_lo, r_hi = (half[0] - half[1]) / (se[0] + se[1]), (half[0] + half[1]) / (se[0] - se[1])
            ok &= (t >= r_lo) & (t <= r_hi)
        if half and sd and not se and sd[0] - sd[1] > 0:
            q = t / np.sqrt(n)
            ok &= (q >= (half[0] - half[1]) / (sd[0] + sd[1])) & (q <= (half[0] + half[1]) / (sd[0] - sd[1]))
    return np.flatnonzero(ok)


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if "#" in spec.path or getattr(spec, "output", None) == "regression" or spec.path not in ctx.tables:
        return          # a table found in a file: check_unit reads its rows whole
    table = ctx.tables[spec.path]
    _check(ctx, spec, table, table.total_rows(), lambda i, col: table.location(i, col))


def check_unit(ctx: Context, spec: ManifestFile, unit, header_row: int) -> None:
    """A table found inside a file (Markdown, a printout, a sheet): its rows as printed (the
    views the table rules read split a row's statistics apart)."""
    import pandas as pd

    from egress_review.engine.tables import Table, is_total_label

    rows = unit.rows[header_row:]
    if len(rows) < 2 or getattr(spec, "output", None) == "regression":   # words have no spec
        return
    width = max(len(r) for r in rows)
    header = [str(h if h is not None else "").strip() or f"column {k + 1}"
              for k, h in enumerate(list(rows[0]) + [None] * (width - len(rows[0])))]
    if len(set(header)) < len(header):
        return
    body = [[str(c if c is not None else "") for c in list(r) + [None] * (width - len(r))]
            for r in rows[1:]]
    table = Table(path=spec.path, spec=spec, df=pd.DataFrame(body, columns=header, dtype=str))
    margins = np.array([bool(r) and is_total_label(r[0]) for r in body], dtype=bool)
    _check(ctx, spec, table, margins,
           lambda i, col: {**dict(unit.place), "row": i + 1, "column": col})


def _check(ctx: Context, spec: ManifestFile, table, margins, where) -> None:
    cols = _columns(table)
    if not cols["se"] and not cols["sd"]:
        return
    m = ctx.policy.min_units_per_cell
    # an interval counts only when its headers say it is a confidence interval: "lower/upper"
    # or "2.5%/97.5%" alone may be the values' percentiles (a reference range), not the mean's
    # (unsaid: a reviewer's at most; beside percentile words: nothing)
    said = any(_CI.search(_tokens(c)) for c in table.columns)
    cis = [] if any(_PCTL.search(_tokens(c)) for c in table.columns) else \
        _pair(cols["lo"], cols["hi"], _LO, _HI)
    triples = [(sd, se, None) for sd, se in _pair(cols["sd"], cols["se"], _SD, _SE)]
    for lo, hi in cis:
        triples += [(sd, None, (lo, hi)) for sd in cols["sd"]] + [(None, se, (lo, hi)) for se in cols["se"]]
    done: set[int] = set()
    for sd_col, se_col, ci in triples:
        for i in range(len(table.df)):
            if i in done or margins[i]:
                continue
            sd = _value(table.df[sd_col].iat[i]) if sd_col else None
            se = _value(table.df[se_col].iat[i]) if se_col else None
            half = None
            if ci:
                lo, hi = (_value(table.df[c].iat[i]) for c in ci)
                if not lo or not hi or hi[0] <= lo[0]:
                    continue
                half = ((hi[0] - lo[0]) / 2, (lo[1] + hi[1]) / 2)
            if (sd_col and not sd) or (se_col and not se) or not (sd or se) or (ci and not half):
                continue
            if (sd and sd[0] <= 0) or (se and se[0] <= 0):
                continue
            ns = sizes(sd, se, half)
            if not len(ns) or ns.min() >= m:
                continue
            done.add(i)
            shown = ", ".join(f"{k:g}" for k in ns[:4]) + (" …" if len(ns) > 4 else "")
            what = " and ".join(str(c) for c in (sd_col, se_col, *(ci or ())) if c)
            col = se_col or sd_col
            sure = ns.max() < m and (said or not ci)
            ctx.add(rule=RULE, check=CHECK, severity="block" if sure else "review", file=spec.path,
                    location={**where(i, col), "n": [int(k) for k in ns[:4]] if sure
                              else [int(ns.min()), int(ns.max())]},
                    en=(f"{what} on this row give the group's size: {shown} person(s) (fewer than "
                        f"{m}), whatever its declared units." if sure else
                        f"{what} on this row allow a group of {int(ns.min())} to {int(ns.max())} "
                        f"persons (some fewer than {m}; an interval counts if it is the mean's "
                        "confidence interval, which its headers do not say): the reviewer checks "
                        "the group's size."),
                    zh=(f"此列的 {what} 可推得該組人數：{shown} 人（少於 {m}），不論宣告的單位為何。"
                        if sure else f"此列的 {what} 顯示該組可能為 {int(ns.min())} 至 {int(ns.max())} 人"
                        f"（部分少於 {m}）：由審查人確認組別人數。"))
