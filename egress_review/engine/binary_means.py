"""E2: the mean of a yes/no variable is a share, and a share times its N is a count.

A probe published ``died`` = 0.025 for a group of 120, declared as a mean: 3 deaths.  The
percent check never ran (the column was not called a percent) and the only finding was the
general "dominance cannot be verified" that a reviewer clears for any mean.  The same count
hides in the rest of the group (``survived`` = 0.975), in a standard deviation of the 0/1
variable (√(p(1 − p)) = 0.157 gives p = 0.025 again) and in a mean printed as a percent
elsewhere.

For every mean or dispersion column with values between 0 and 1 and a known N per cell, each
whole number the shown value allows (p × N within half a unit of the last printed decimal) is
a possible count.  Where every possible count, or what it leaves of the group, is 1 … m−1:
- blocked when something says the variable is yes/no: its header names an event or a state
  (died, male, smoker, 死亡, 是否 …), a dispersion column of the same variable equals that
  of a 0/1 variable, or every precise cell of the column is a whole number of persons;
- otherwise held for the reviewer with the count it would give away (a continuous variable
  can have such a mean; only a person can tell).
"""
from __future__ import annotations

import math
import re

import numpy as np

from egress_review.engine.context import Context
from egress_review.engine.header_meaning import DISPERSION_WORDS
from egress_review.engine.structure import _decimals
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "binary_means"
KINDS = {"table"}

# Headers that name something a person has or has not: the mean of it is a share.
YES_NO_WORDS = re.compile(
    r"(?:^|[\s_\-(])(?:died|death|deaths|dead|deceased|mortality|alive|survived|survival|"
    r"male|female|men|women|sex|smok\w*|event|events|outcome|readmi\w*|admitted|admission|"
    r"hospitali[sz]\w*|icu|ever|any|is|has|had|flag|indicator|binary|dummy|yes|positive|"
    r"diabet\w*|dm|htn|hypertensi\w*|cancer|dementia|stroke|copd|ckd|esrd|dialysis|"
    r"comorbid\w*|pregnan\w*|prescribed|treated|exposed|case|cases|responder|relapse\w*|"
    r"infect\w*|complication\w*|adverse|ae|sae|fracture\w*|suicide|self[\s_-]?harm)"
    r"(?:$|[\s_\-)])|"
    r"死亡|存活|男|女|性別|吸菸|抽菸|住院|再入院|入院|事件|陽性|罹患|糖尿病|高血壓|癌|失智|中風|"
    r"洗腎|透析|是否|有無|曾|合併症|併發症|懷孕|骨折|感染|自殺|用藥|暴露|復發", re.I)

_STATS = ("mean", "std", "variance")


def _base(col: str) -> str:
    """A column's variable: its header without the statistic's word (mean_died → died)."""
    name = re.sub(r"(?i)(?:^|[\s_\-(])(?:mean|average|avg|sd|std|stdev|se|sem|var|variance)"
                  r"(?:$|[\s_\-)])|平均|標準差|變異數", " ", f" {col} ")
    return re.sub(r"[\s_\-()]+", " ", name).strip().lower()


def _read(v: float, text: str) -> tuple[float, float]:
    """The value as a share and half a unit of its last printed decimal ("2.5%" is 0.025)."""
    half = 0.5 * 10.0 ** (-_decimals(text))
    if "%" in text or "％" in text:
        return v / 100.0, half / 100.0
    return v, half


def _is_dispersion(table, col: str) -> bool:
    return table.role(col).statistic in ("std", "variance") or bool(
        DISPERSION_WORDS.search(f" {col.replace('_', ' ')} "))


_VARIANCE_WORDS = re.compile(r"(?:^|[\s_\-(])(?:var|variance)(?:$|[\s_\-)])|變異數|方差", re.I)
_SE_WORDS = re.compile(r"(?:^|[\s_\-(])(?:se|sem|std\.?\s?err(?:or)?|standard error)(?:$|[\s_\-)])|"
                       r"標準誤", re.I)
_SD_WORDS = re.compile(r"(?:^|[\s_\-(])(?:sd|std|stdev|standard deviation)(?:$|[\s_\-)])|標準差", re.I)


def _dispersion_kinds(table, col: str) -> tuple[str, ...]:
    """Every reading ('sd', 'variance', 'se') a dispersion column's declaration or header
    allows; () for a mean.  A column declared one thing and headed another is read both ways,
    so a misleading declaration cannot hide a share (default deny)."""
    if not _is_dispersion(table, col):
        return ()
    name = f" {col.replace('_', ' ')} "
    kinds = {"std": "sd", "variance": "variance"}.get(table.role(col).statistic, None)
    found = [k for k, words in (("variance", _VARIANCE_WORDS), ("se", _SE_WORDS),
                                ("sd", _SD_WORDS)) if words.search(name)]
    out = ([kinds] if kinds else []) + [k for k in found if k != kinds]
    return tuple(out) or ("sd",)


def share_of(v: float, n: float, dispersion: str | None = None) -> float | None:
    """The share p a mean (``dispersion`` None), SD, variance or standard error of a 0/1
    variable over n units stands for; None when no 0/1 variable has it."""
    if dispersion is None:
        return v if 0.0 <= v <= 1.0 else None
    if dispersion == "se":                      # SE = s / √n, s² = n p(1 − p) / (n − 1)
        var = v * v * (n - 1) if n > 1 else v * v
    else:
        var = v if dispersion == "variance" else v * v
        var *= (n - 1) / n if n > 1 else 1.0    # a sample SD divides by N − 1
    if not 0.0 <= var <= 0.25 + 1e-9:
        return None
    return (1.0 - math.sqrt(max(0.0, 1.0 - 4.0 * var))) / 2.0


def possible_counts(v: float, half: float, n: float, dispersion: str | None = None) -> list[int]:
    """Every whole count k of the n units a value printed to ± ``half`` allows (for an SD or
    variance: of the smaller of the two groups, as p and 1 − p have the same one)."""
    lo, hi = v - half, v + half
    if dispersion is not None:
        plo = share_of(max(lo, 0.0), n, dispersion)
        phi = share_of(hi, n, dispersion)
        if plo is None:
            return []
        phi = 0.5 if phi is None else phi
        return list(range(math.ceil(plo * n - 1e-9), math.floor(phi * n + 1e-9) + 1))
    return list(range(math.ceil(max(lo, 0.0) * n - 1e-9), math.floor(min(hi, 1.0) * n + 1e-9) + 1))


def _share(table, col: str, v: float, n: float) -> float | None:
    shares = [share_of(v, n, k) for k in (_dispersion_kinds(table, col) or (None,))]
    return next((p for p in shares if p is not None), None)


def _possible_counts(table, col: str, v: float, text: str, n: float, m: int) -> list[int]:
    """The counts of the first reading that gives a small group away, else of the first."""
    v, half = _read(v, text)
    readings = [possible_counts(v, half, n, k) for k in (_dispersion_kinds(table, col) or (None,))]
    return next((ks for ks in readings if small_group(ks, n, m) is not None), readings[0])


def small_group(ks: list[int], n: float, m: int) -> int | None:
    """The count a cell gives away: every possible k (or N − k) is 1 … m−1; None otherwise."""
    if not ks:
        return None
    inside = [k for k in ks if 1 <= k < m]
    rest = [int(n) - k for k in ks if 1 <= n - k < m]
    if len(inside) == len(ks):
        return inside[0]
    if len(rest) == len(ks):
        return rest[0]
    return None


def _dispersion_of(pq: float, n: float, denom: float, kind: str) -> float:
    """A 0/1 variable's SD, variance or SE for p(1 − p) = ``pq`` (sample: denom n − 1)."""
    var = pq * n / denom
    return {"variance": var, "se": math.sqrt(var / n)}.get(kind, math.sqrt(var))


def _sd_agrees(table, mean_col: str, i: int, n: float) -> bool:
    """A dispersion column of the same variable equals a 0/1 variable's for this mean (within
    the rounding of both printed values)."""
    p, hp = _read(table.numeric(mean_col)[i], str(table.text(mean_col).iloc[i]))
    for col in table.cols_with("statistic"):
        if col == mean_col or not _is_dispersion(table, col) or _base(col) != _base(mean_col):
            continue
        s = table.numeric(col)[i]
        if np.isnan(s):
            continue
        hs = 0.5 * 10.0 ** (-_decimals(str(table.text(col).iloc[i]))) + 1e-12
        for denom in (n, n - 1):
            if denom <= 0:
                continue
            # p(1 − p) is monotone on each side of ½: its range over p ± hp is at the ends
            # (or ½ itself when the interval holds it)
            ends = [min(max(q, 0.0), 1.0) for q in (p - hp, p + hp)]
            vals = [q * (1 - q) for q in ends] + ([0.25] if ends[0] <= 0.5 <= ends[1] else [])
            for kind in _dispersion_kinds(table, col):
                lo, hi = (_dispersion_of(x, n, denom, kind) for x in (min(vals), max(vals)))
                if lo - hs <= s <= hi + hs:
                    return True
    return False


def _whole_everywhere(table, col: str, units: np.ndarray) -> bool:
    """Every cell printed precisely enough to tell (its interval holds at most one whole
    number) is a whole number of units, and there are at least two such cells."""
    if _is_dispersion(table, col):
        return False
    v, texts = table.numeric(col), table.text(col).tolist()
    precise = 0
    for i in np.flatnonzero(~np.isnan(v) & ~np.isnan(units)):
        n = units[i]
        p, half = _read(v[i], str(texts[i]))
        if not 0.0 <= p <= 1.0 or n <= 0:
            return False
        width = 2 * half * n
        if width >= 0.5:
            continue
        ks = _possible_counts(table, col, v[i], str(texts[i]), n, 2)
        if not ks:
            return False
        precise += 1
    return precise >= 2


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    m = ctx.policy.min_units_per_cell
    for col in table.cols_with("statistic"):
        role = table.role(col)
        if role.statistic not in _STATS and not _is_dispersion(table, col):
            continue
        units = ctx.units(table, col)
        if units is None:
            continue
        v, texts = table.numeric(col), table.text(col).tolist()
        named = bool(YES_NO_WORDS.search(f" {_base(col)} ") or YES_NO_WORDS.search(col))
        whole = _whole_everywhere(table, col, units)
        for i in np.flatnonzero(~np.isnan(v) & ~np.isnan(units) & (units > 0)):
            n = float(units[i])
            if _share(table, col, _read(float(v[i]), str(texts[i]))[0], n) is None:
                continue
            k = small_group(_possible_counts(table, col, float(v[i]), str(texts[i]), n, m), n, m)
            if k is None:
                continue
            sure = named or whole or (not _is_dispersion(table, col) and _sd_agrees(table, col, i, n))
            what = "standard deviation" if _is_dispersion(table, col) else "mean"
            if sure:
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=int(i), col=col,
                               en=f"This {what} of {col!r} is that of a yes/no variable over {n:g} "
                                  f"units: it gives away a group of {k} (fewer than {m}).",
                               zh=f"欄位 {col!r} 的此{'標準差' if what != 'mean' else '平均'}為是／否變項"
                                  f"在 {n:g} 個單位上的值：即透露 {k} 人的組別（少於 {m}）。")
            else:
                ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                        location=table.location(int(i), col),
                        en=f"If {col!r} is a yes/no variable, this {what} over {n:g} units gives "
                           f"away a group of {k} (fewer than {m}); the reviewer decides whether "
                           "it is one.",
                        zh=f"若 {col!r} 為是／否變項，此值在 {n:g} 個單位上即透露 {k} 人的組別"
                           f"（少於 {m}）；由審查人判斷。")
                break
