"""E4: what a requester declares is checked against the content, and where they differ the
finding says so.

Every field a requester fills is a claim the engine never relies on (the other checks judge the
content); a red team's round 7 still found declarations that made an output look milder than it
is while no finding named the lie.  Here each claim is set against the file as read:

- ``kind``: a "figure", "code" or "model" whose bytes are a delimited table of numbers (a CSV
  under a .png name, a figure declared over a .csv) is a table → review, saying so (its cells
  are judged as a table by the content checks, whatever the kind);
- the description (and the request's purpose) stating a treatment:
  "aggregate"/"frequency table" over rows that each count one unit → block;
  "suppressed"/"disclosure control applied"/"no small cells"/"de-identified"/"synthetic" over
  content the other checks blocked for a small count or an identifier → block, naming the claim;
  "rounded to N" over numbers that are not multiples of N → block; "cells below N suppressed"
  over a count from the policy threshold up to N − 1 → review (the rule holds, the claim not);
  "in thousands"/"(000s)" over a count column with a value × 1000 under the threshold → block
  (0.003 thousand is 3 persons); "coefficients only" over per-person columns (residuals, fitted
  values, leverage, Cook's distance) → block;
- a column declared ``suppressed`` with no blank cell and a count under the threshold → block.

The module runs after every other file check, so it can read what they found on this file.
"""
from __future__ import annotations

import re

import numpy as np

from deidentify.regex_cache import compiled
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E4"
CHECK = "declared_claims"
KINDS = {"table", "figure", "text", "code", "notebook", "model"}

_CLAIMS = {
    "aggregate": compiled(r"\baggregat\w*|\bfrequency tables?\b|\bsummar(?:y|ies)\b|\bcounts? only\b|"
                          r"彙總|匯總|次數分配|摘要", re.I),
    "suppressed": compiled(r"\bsuppress\w*|\bsmall cells? (?:removed|masked|hidden)|\bno small cells?\b|"
                           r"\bdisclosure control\b|\bsdc\b|\bacro\b|\bsafe(?:ly)? (?:output|checked)|"
                           r"\bchecked for disclosure\b|遮蔽|隱藏小|揭露控制|已檢核", re.I),
    "deidentified": compiled(r"\bde-?identified\b|\banonymi[sz]ed\b|\bpseudonymi[sz]ed\b|\bno identifiers?\b|"
                             r"去識別|匿名", re.I),
    "synthetic": compiled(r"\bsynthetic\b|\bsimulated\b|\bdummy data\b|\bfake data\b|\bmock data\b|"
                          r"合成資料|模擬資料|假資料", re.I),
    "coefficients": compiled(r"\bcoefficients? only\b|\bonly (?:the )?coefficients\b|\bmodel summary\b|"
                             r"\bregression (?:table|summary)\b|只含係數|僅含係數|迴歸係數", re.I),
}
_ROUNDED = compiled(r"\brounded (?:up |down )?(?:to|to the nearest|to nearest|to a multiple of|to multiples of)\s*(\d+)\b|"
                    r"\bround(?:ed)? (?:base|to base)\s*(\d+)\b|\b(?:random(?:ly)? )?round(?:ed|ing)? to (?:the )?"
                    r"(?:nearest |base )?(\d+)\b|"
                    r"四捨五入(?:至|到)\s*(\d+)|以\s*(\d+)\s*為單位(?:捨入|四捨五入)|捨入(?:至|到)\s*(\d+)", re.I)
# "rounded" with no base said: the counts must be multiples of some usual base (3, 5, 10)
_BARE_ROUNDED = compiled(r"\b(?:counts?|cells?|frequenc(?:y|ies)|numbers?|figures)\s+(?:\w+\s+){0,3}?"
                         r"(?:randomly\s+)?rounded\b|\brounded\s+(?:counts?|cells?|frequenc(?:y|ies)|numbers?)\b|"
                         r"(?:人數|細格|次數)\S{0,4}(?:四捨五入|捨入)", re.I)
_DECIMALS = compiled(r"decimal|\bplaces?\b|\bdigits?\b|小數|位數", re.I)
# "all cells > 10", 「所有細格皆大於10」: the smallest count said is one more
_ABOVE = compiled(r"(?:all|every|each)\s*(?:cells?|counts?)\s*(?:are\s*)?(?:>|over|above|greater than|more than)\s*(\d+)|"
                  r"(?:細格|人數|計數)\S{0,3}(?:大於|超過|多於)\s*(\d+)", re.I)
_THRESHOLD = compiled(r"(?:cells?|counts?|values?)\s*(?:<|below|under|less than|smaller than|fewer than)\s*(\d+)|"
                      r"(?:minimum|min\.?|threshold(?: of)?)\s*(?:cell\s*)?(?:size|count|n)?\s*(?:of|=|:|is)?\s*(\d+)|"
                      r"(?:all|every)\s*cells?\s*(?:>=|≥|at least)\s*(\d+)|小於\s*(\d+)|少於\s*(\d+)|低於\s*(\d+)", re.I)
_THOUSANDS = compiled(r"\bin thousands\b|\(\s*0{3}s?\s*\)|\b0{3}s\b|\bthousands?\b|\(k\)|千人|單位[:：]?\s*千", re.I)
_PER_PERSON = compiled(r"\b(?:resid\w*|fitted|predicted|yhat|y_hat|leverage|hat(?:_values?)?|cook\w*|"
                       r"dfbetas?|dffits|influence|stud(?:ent)?_?resid\w*|rstandard|rstudent)\b|殘差|預測值|槓桿", re.I)
_DISCLOSING = {"threshold", "number_vectors", "count_forms", "cumulative", "symbols", "prose",
               "content", "margin_gaps", "binary_means", "single_unit", "label_counts"}
_IDENTIFYING = {"identifiers", "identifier_groups", "microdata", "disguised_records", "institutions"}
_DELIMS = (",", "\t", ";", "|")
_CODE_MARKS = compiled(r"^\s*(?:import |from \w+ import|def |library\(|#|//|print\(|for |if )|<-|\w\(")


def _zh(claim: str) -> str:
    return {"aggregate": "彙總資料", "suppressed": "已做遮蔽或揭露控制", "deidentified": "已去識別",
            "synthetic": "合成資料", "coefficients": "僅含模型係數"}.get(claim, claim)


def _said(spec: ManifestFile, ctx: Context) -> str:
    return f"{spec.description}\n{ctx.manifest.purpose}"


def tabular(text: str) -> bool:
    """Lines of one delimiter and one width holding numbers, no program statement: a table."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 3 or any(_CODE_MARKS.search(ln) for ln in lines[:50]):
        return False
    for d in _DELIMS:
        widths = [len(ln.strip().strip("|").split(d)) for ln in lines]
        if widths[0] >= 2 and sum(w == widths[0] for w in widths) >= 0.8 * len(widths) \
                and sum(bool(re.search(r"\d", ln)) for ln in lines[1:]) >= 0.8 * (len(lines) - 1):
            return True
    return False


def _add(ctx, spec, severity, claim_en, claim_zh, fact_en, fact_zh, where=None) -> None:
    ctx.add(rule=RULE, check=CHECK, severity=severity, file=spec.path,
            location={"declared": claim_en, **(where or {})},
            en=f"The declaration says {claim_en}, but the content {fact_en}: the declaration and "
               "the content differ, and the content is what is judged."
               + (" A reviewer checks it." if severity == "review" else ""),
            zh=f"申請說明宣稱{claim_zh}，但內容{fact_zh}：申報與內容不符，以內容為準。"
               + ("由審查人確認。" if severity == "review" else ""))


def _counts(ctx: Context, spec: ManifestFile):
    """(table, column, values) of every count column of this file: declared or found in it."""
    out = []
    tabs = [ctx.tables[spec.path]] if spec.path in ctx.tables else []
    tabs += [t for t, owner in ctx.unit_views.values() if owner == spec.path]
    for t in tabs:
        for col in t.cols_with("count", "suppressed"):
            v = t.numeric(col)
            out.append((t, col, v[~np.isnan(v)]))
    return out


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if "#" in spec.path:
        return          # a table found in a file: judged with its file (its owner) below
    m = ctx.policy.min_units_per_cell
    mine = [f for f in ctx.findings if f.file == spec.path and f.check != CHECK]
    small = [f for f in mine if f.severity == "block" and f.check in _DISCLOSING]
    ident = [f for f in mine if f.severity in ("block", "review") and f.check in _IDENTIFYING]
    said = _said(spec, ctx)
    _kind(ctx, spec)
    for claim, rx in _CLAIMS.items():
        hit = rx.search(said)
        if not hit:
            continue
        phrase = f"{hit.group(0)!r} ({claim})"
        if claim in ("suppressed", "synthetic", "deidentified", "aggregate") and small:
            _add(ctx, spec, "block", phrase, _zh(claim),
                 f"holds what the {small[0].check} check blocked ({small[0].message_en[:90]})",
                 f"含{small[0].check}檢查攔下的內容", {"found": small[0].check})
        elif claim in ("deidentified", "synthetic", "aggregate") and ident:
            _add(ctx, spec, "block", phrase, _zh(claim),
                 f"has what the {ident[0].check} check found ({ident[0].message_en[:90]})",
                 f"含{ident[0].check}檢查所發現的內容", {"found": ident[0].check})
        if claim == "aggregate":
            _row_level(ctx, spec, phrase)
        if claim == "coefficients":
            _per_person(ctx, spec, phrase)
    _rounded(ctx, spec, said, m)
    _threshold(ctx, spec, said, m)
    _thousands(ctx, spec, said, m)
    _suppressed_columns(ctx, spec, m)


def _kind(ctx: Context, spec: ManifestFile) -> None:
    if spec.kind not in ("figure", "code", "model"):
        return
    try:
        raw = ctx.full(spec).read_bytes()[:200_000]
    except OSError:
        return
    if b"\x00" in raw[:4096]:
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    if text.lstrip().startswith(("<", "{", "%PDF")) or not tabular(text):
        return
    _add(ctx, spec, "review", f"kind {spec.kind!r} ({spec.path})", f"種類為 {spec.kind}",
         "is a delimited table of numbers (its cells are judged as a table)",
         "為以分隔符號排列的數字表格（其儲存格已依表格檢查）", {"kind": spec.kind, "is": "table"})


def _row_level(ctx, spec, phrase) -> None:
    for t, col, v in _counts(ctx, spec):
        if len(v) >= 3 and np.mean(v == 1) > 0.5:
            _add(ctx, spec, "block", phrase, "彙總資料",
                 f"has column {col!r} counting one unit on {int(np.sum(v == 1))} of {len(v)} rows: "
                 "a list of persons, not a frequency table",
                 f"欄位 {col!r} 有 {int(np.sum(v == 1))}/{len(v)} 列僅計一個單位：為個人清單，而非次數分配表",
                 {"column": col})
            return


def _per_person(ctx, spec, phrase) -> None:
    cols = []
    tabs = [ctx.tables[spec.path]] if spec.path in ctx.tables else []
    tabs += [t for t, owner in ctx.unit_views.values() if owner == spec.path]
    for t in tabs:
        cols += [c for c in t.columns if _PER_PERSON.search(str(c).replace("_", " "))]
    if not cols and spec.path not in ctx.tables:
        try:
            head = ctx.full(spec).read_bytes()[:20_000].decode("utf-8", "replace").splitlines()[:5]
        except OSError:
            head = []
        cols = [w for ln in head for w in re.split(r"[,\t;|\s]+", ln) if _PER_PERSON.search(w)]
    if cols:
        _add(ctx, spec, "block", phrase, "僅含模型係數",
             f"has per-person columns ({', '.join(map(str, cols[:3]))}): residuals, fitted values "
             "and leverage are one value per person",
             f"含逐人欄位（{'、'.join(map(str, cols[:3]))}）：殘差、預測值與槓桿值皆為每人一值",
             {"columns": [str(c) for c in cols[:5]]})


def _first(m) -> int | None:
    return next((int(g) for g in m.groups() if g), None) if m else None


def _rounded(ctx, spec, said, m) -> None:
    base = _first(_ROUNDED.search(said))
    if base is None and _BARE_ROUNDED.search(said) and not _DECIMALS.search(said):
        # "all counts rounded" with no base: counts no usual base divides were not rounded
        for t, col, v in _counts(ctx, spec):
            off = v[(v % 3 != 0) & (v % 5 != 0)]
            if len(off):
                _add(ctx, spec, "review", "rounded", "已捨入",
                     f"has {off[0]:g} in column {col!r}, a multiple of neither 3 nor 5 (nor 10): "
                     "the counts do not look rounded",
                     f"欄位 {col!r} 有 {off[0]:g}，既非 3 也非 5（或 10）的倍數，看不出已捨入",
                     {"column": col, "value": float(off[0])})
                return
        return
    if not base or base < 2:
        return
    for t, col, v in _counts(ctx, spec):
        off = v[(v % base) != 0]
        if len(off):
            _add(ctx, spec, "block", f"rounded to {base}", f"捨入至 {base}",
                 f"has {off[0]:g} in column {col!r}, not a multiple of {base}: nothing protects "
                 "its small counts",
                 f"欄位 {col!r} 有 {off[0]:g}，並非 {base} 的倍數", {"column": col, "value": float(off[0])})
            return


def _threshold(ctx, spec, said, m) -> None:
    n = _first(_THRESHOLD.search(said))
    if n is None and (above := _first(_ABOVE.search(said))) is not None:
        n = above + 1
    if not n or n <= m or n > 1000:
        return
    for t, col, v in _counts(ctx, spec):
        under = v[(v >= 1) & (v < n)]
        if len(under):
            sev = "block" if under.min() < m else "review"
            _add(ctx, spec, sev, f"cells under {n} are suppressed", f"小於 {n} 的細格已遮蔽",
                 f"has {under.min():g} in column {col!r}", f"欄位 {col!r} 有 {under.min():g}",
                 {"column": col, "value": float(under.min())})
            return


def _thousands(ctx, spec, said, m) -> None:
    # a table read at its declared scale by scaled_counts (round 8): its small cells named here too
    for f in ctx.findings:
        if f.file == spec.path and f.check == "scaled_counts" and f.severity == "block" \
                and "persons" in (f.location or {}):
            loc = f.location
            _add(ctx, spec, "block", f"counts in units of {loc['scale']:,} ({loc['declared']!r})",
                 f"以 {loc['scale']:,} 為單位（{loc['declared']}）",
                 f"has {loc['shown']}, that is {loc['persons']} persons (fewer than {m})",
                 f"有 {loc['shown']}，即 {loc['persons']} 人（少於 {m}）",
                 {"column": loc.get("column"), "value": loc["persons"]})
            return
    for t, col, v in _counts(ctx, spec):
        if not (_THOUSANDS.search(str(col)) or _THOUSANDS.search(said)):
            continue
        frac = v[(v > 0) & (v != np.round(v))]
        if not len(frac):
            continue
        persons = np.round(frac * 1000)
        low = persons[(persons >= 1) & (persons < m)]
        if len(low):
            _add(ctx, spec, "block", f"counts in thousands (column {col!r})", f"以千為單位（欄位 {col!r}）",
                 f"has {low[0] / 1000:g} thousand, that is {low[0]:g} persons (fewer than {m})",
                 f"有 {low[0] / 1000:g} 千，即 {low[0]:g} 人（少於 {m}）",
                 {"column": col, "value": float(low[0])})
            return


def _suppressed_columns(ctx, spec, m) -> None:
    t = ctx.tables.get(spec.path)
    if t is None:
        return
    for col in t.cols_with("suppressed"):
        v = t.numeric(col)
        blanks = int(np.sum(t.text(col).str.strip().eq("")))
        low = v[(v >= 1) & (v < m)]
        if not blanks and len(low):
            _add(ctx, spec, "block", f"column {col!r} suppressed", f"欄位 {col!r} 已遮蔽",
                 f"has no blank cell in it and shows {low[0]:g} (fewer than {m})",
                 f"該欄無任何空白格，且顯示 {low[0]:g}（少於 {m}）", {"column": col, "value": float(low[0])})
