"""E2: a Kaplan–Meier table (``output: survival``) leaves only when no step shows one person.

Each row is a time with, as published, any of: the number at risk, the events, the censored,
the survival probability.  Columns are recognised by role and name (``at_risk``/``n.risk``/
``風險人數``, ``events``/``n.event``/``死亡``, ``censored``, ``surv``/``存活``).
- every step (a drop in survival) rests on at least ``survival_min_events_per_step`` events:
  published events, or the events the data give away (d = n·(1 − S(t)/S(t−)) from the numbers
  at risk and the survival column);
- numbers at risk are rounded to a multiple of ``survival_at_risk_round_to``, or (when the
  policy sets ``survival_at_risk_window``) shown only at times that are multiples of it;
- the curve stops before fewer than ``min_units_per_cell`` remain at risk (small tails are
  truncated, not shown).
What cannot be judged (no events and no numbers at risk) goes to review.

A probe declared a Kaplan-Meier table as a plain table, its survival column a median, rate or
SD beside the numbers at risk, so that the step rule never ran.  A statistic column headed as
survival, cumulative incidence or hazard is read as what it says in any table
(``survival_named_columns``): its steps are derived from the numbers at risk (the ``at risk``
column, else the column's units) and a step of 1 ... k-1 events blocks; without a base it goes
to review.
"""
from __future__ import annotations

import re

import numpy as np

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "survival"
KINDS = {"table"}

_NAMES = {
    "at_risk": re.compile(r"risk|風險|at.?risk|在險", re.IGNORECASE),
    "events": re.compile(r"event|death|^d$|^n\.?d$|死亡|事件", re.IGNORECASE),
    "censored": re.compile(r"censor|設限", re.IGNORECASE),
    "survival": re.compile(r"surv|^s\(?t\)?$|^km$|存活|生存", re.IGNORECASE),
}


def _columns(table) -> dict[str, str]:
    found: dict[str, str] = {}
    for col in table.columns:
        role = table.role(col)
        if role is None or role.role == "group":
            continue
        for what, rx in _NAMES.items():
            if what not in found and rx.search(col):
                found[what] = col
                break
    return found


# Curves declared as something else: survival (S), cumulative incidence (1 - S), hazard (d / n).
_DISGUISED = {
    "survival": re.compile(r"surviv|(?:^|[\s_.(])surv(?:$|[\s_.)])|^s\(?t\)?$|kaplan|"
                           r"(?:^|[\s_])km(?:$|[\s_])|存活|生存", re.I),
    "incidence": re.compile(r"cum\w*[\s_.]?inc|cuminc|cumulative.?(?:risk|event|death|incid)|"
                            r"(?:^|[\s_])cif(?:$|[\s_])|累積發生|累積發病|累積死亡", re.I),
    "hazard": re.compile(r"hazard|^h\(?t\)?$|危險率|風險率", re.I),
}


def _curve_starts(table) -> np.ndarray | None:
    """Where each curve of a table over time starts (a stratum's first row: the time column
    falls), or None when no grouping column is a time (a table by region is no curve)."""
    for col in table.group_cols:
        t = table.numeric(col)
        if len(t) < 2 or np.isnan(t).any():
            continue
        start = np.concatenate([[True], np.diff(t) <= 0])
        if start.sum() * 2 <= len(t):  # mostly rising: a time axis, with a restart per stratum
            return start
    return _time_label_starts(table)


# A label that is a time: a number with a unit of time, or an interval of numbers ("0-30",
# "[30, 60)", "Month 3", "第2年", "30天").  Only the first number orders the rows.
_TIME_UNIT = re.compile(r"day|week|month|year|yr|wk|mo\b|hour|天|日|週|周|月|年|小時", re.I)
_INTERVAL = re.compile(r"^\s*[\[(]?\s*\d+(?:\.\d+)?\s*(?:-|–|—|~|～|,|to|至)\s*\d+(?:\.\d+)?\s*[\])]?")
_FIRST_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _time_label_starts(table) -> np.ndarray | None:
    """A probe published a curve whose times were labels ("0-30 days", 「第1年」): no numeric
    column, so it went only to review.  Labels that are all times, mostly rising in row order,
    are the time axis (a restart where the number falls)."""
    for col in table.group_cols:
        labels = [str(x) for x in table.text(col).tolist()]
        if len(labels) < 2 or not all(_TIME_UNIT.search(x) or _INTERVAL.match(x) for x in labels):
            continue
        nums = [_FIRST_NUMBER.search(x) for x in labels]
        if not all(nums):
            continue
        t = np.array([float(n.group(0)) for n in nums])
        start = np.concatenate([[True], np.diff(t) <= 0])
        if start.sum() * 2 <= len(t):
            return start
    return None


def _disguised_curves(ctx: Context, spec: ManifestFile) -> None:
    """A survival curve published in a table not declared a survival output (see module doc)."""
    table = ctx.tables[spec.path]
    k = ctx.policy.survival_min_events_per_step
    curves = {c for c in table.cols_with("statistic") if any(rx.search(c) for rx in _DISGUISED.values())}
    risk_col = next((c for c in table.columns if c not in curves and table.role(c) is not None
                     and table.role(c).role != "group" and _NAMES["at_risk"].search(c)), None)
    start = _curve_starts(table)
    timed = start is not None
    if not timed:  # no time axis (intervals as labels?): one curve in row order, for a reviewer
        start = np.arange(len(table.df)) == 0
    for col in table.cols_with("statistic"):
        kind = next((w for w, rx in _DISGUISED.items() if rx.search(col)), None)
        if kind is None or col == risk_col:
            continue
        v = table.numeric(col)
        if np.isnan(v).all() or np.nanmin(v) < 0:
            continue
        risk = ctx.units(table, risk_col) if risk_col else ctx.units(table, col)
        if risk is None:
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location={"column": col},
                    en=f"Column {col!r} is headed as a {kind} curve but the table is not declared a "
                       "survival output and shows no numbers at risk: a reviewer checks its steps.",
                    zh=f"欄位 {col!r} 標題為{kind}曲線，但此表未宣告為存活分析輸出，亦無風險人數：由審查人檢查各步。")
            continue
        scale = 100.0 if np.nanmax(v) > 1.0 + 1e-9 else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "hazard":
                events = np.round(risk * v / scale, 6)
            else:
                surv = v / scale if kind == "survival" else 1.0 - v / scale
                prev = np.where(start, 1.0, np.concatenate([[1.0], surv[:-1]]))
                if np.any(surv > prev + 1e-9):
                    continue  # not a curve over time: survival never rises within a stratum
                events = np.round(risk * (1 - surv / prev), 6)
        for i in np.flatnonzero((events > 0.5) & (events < k - 0.5))[:1]:
            if not timed:
                ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                        location=table.location(int(i), col),
                        en=f"Column {col!r} is headed as a {kind} curve: read in row order, this "
                           f"step rests on {events[i]:.3g} event(s) (fewer than {k}); no column "
                           "shows the times, so a reviewer decides whether the rows are steps.",
                        zh=f"欄位 {col!r} 標題為{kind}曲線：依列順序此步僅 {events[i]:.3g} 個事件"
                           f"（少於 {k}）；無時間欄，由審查人判斷各列是否為曲線的步。")
                break
            ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=int(i), col=col,
                           en=f"Column {col!r} is headed as a {kind} curve (declared "
                              f"{table.role(col).statistic}): with the numbers at risk this step "
                              f"rests on {events[i]:.3g} event(s) (fewer than {k}); it shows when "
                              "single persons had the event. Group the times or truncate.",
                           zh=f"欄位 {col!r} 標題為{kind}曲線（宣告為 {table.role(col).statistic}）："
                              f"以風險人數推得此步僅 {events[i]:.3g} 個事件（少於 {k}），會顯示個人發生事件的時間。")


def _at_risk_drops(ctx: Context, spec: ManifestFile) -> None:
    """Round 8: numbers at risk alone (``time, number_at_risk`` = 120, 119, 117), declared a
    plain table or printed in a text ("| Number at risk | 120 | 119 | 117 |"), passed: each drop
    is the persons who had the event or left between two times, so a drop of 1 ... k-1 shows
    single persons, as a step of the curve does (E2).  Along a time axis, or when the numbers
    only fall (numbers at risk never rise over time), it blocks; otherwise it goes to a person."""
    table = ctx.tables[spec.path]
    k = max(ctx.policy.survival_min_events_per_step, 2)
    counts = table.cols_with("count", "suppressed")
    series = []                                   # (column, row indices, starts or None)
    start = _curve_starts(table)
    for col in counts:
        if _NAMES["at_risk"].search(col):
            series.append((col, np.arange(len(table.df)), start))
    # a row labelled "Number at risk" (its cells read one by one, or a wide row of times)
    labelled = np.zeros(len(table.df), dtype=bool)
    for g in table.group_cols:
        labelled |= table.text(g).astype(str).str.contains(_NAMES["at_risk"]).to_numpy()
    if labelled.sum() >= 2:
        for col in counts:
            if not _NAMES["at_risk"].search(col):
                series.append((col, np.flatnonzero(labelled), None))
    for col, rows, starts in series:
        n = table.numeric(col)[rows]
        if len(n) < 2:
            continue
        first = starts[rows] if starts is not None else np.arange(len(rows)) == 0
        prev = np.concatenate([[np.nan], n[:-1]])
        drop = np.where(first, np.nan, prev - n)
        # no time axis: numbers that only fall are read along time when nothing else orders the
        # rows (a text's table whose time column was a label, a row of times); rows of regions or
        # other groups stay with a reviewer
        falling = len(n) >= 3 and not np.any(drop[~np.isnan(drop)] < 0)
        timed = starts is not None or falling and (not table.group_cols or labelled.any())
        for j in np.flatnonzero((drop >= 1) & (drop < k))[:1]:
            i = int(rows[j])
            en = (f"The numbers at risk in {col!r} fall by {drop[j]:g} here (fewer than {k}): the "
                  "fall is the persons who had the event or left between two times, so it shows "
                  "single persons. Round the numbers at risk or group the times.")
            zh = (f"欄位 {col!r} 的風險人數在此減少 {drop[j]:g}（少於 {k}）：減少者即兩時點間發生事件或"
                  "離開的人，會顯示個人。請將風險人數捨入或合併時間區間。")
            if timed:
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=i, col=col,
                               en=en, zh=zh)
            else:
                ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                        location=table.location(i, col),
                        en=en + " No column shows the times: a reviewer decides whether the rows are times.",
                        zh=zh + "無時間欄：由審查人判斷各列是否為時間點。")


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if spec.output != "survival":
        if ctx.policy.survival_named_columns:
            _disguised_curves(ctx, spec)
        _at_risk_drops(ctx, spec)
        return
    table = ctx.tables[spec.path]
    pol = ctx.policy
    m = pol.min_units_per_cell
    cols = _columns(table)

    def add(severity, i, col, en, zh):
        ctx.add(rule=RULE, check=CHECK, severity=severity, file=spec.path,
                location=table.location(i, col) if i is not None else {"column": col} if col else {},
                en=en, zh=zh,
                suggested=[{"row": i + 1, "column": col, "action": "suppress"}] if i is not None else None)

    risk = ctx.units(table, cols["at_risk"]) if "at_risk" in cols else None
    shown_risk = table.numeric(cols["at_risk"]) if "at_risk" in cols else None
    events = table.numeric(cols["events"]) if "events" in cols else None
    surv = table.numeric(cols["survival"]) if "survival" in cols else None
    if events is None and (risk is None or surv is None):
        add("review", None, None,
            "The events behind each step of this survival table are neither published nor "
            "derivable (numbers at risk and survival): a reviewer checks the steps.",
            "此存活表每一步的事件數既未公開也無法推得（需風險人數與存活率）：由審查人檢查。")
    if events is None and risk is not None and surv is not None:
        # what a reader derives: d = n (1 - S(t) / S(t-))
        prev = np.concatenate([[1.0], surv[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = 100.0 if np.nanmax(surv) > 1.0 + 1e-9 else 1.0
            prev = np.where(np.arange(len(surv)) == 0, scale, prev)
            events = np.round(risk * (1 - surv / prev), 6)
    if events is not None:
        step_col = cols.get("events") or cols.get("survival")
        k = pol.survival_min_events_per_step
        for i in np.flatnonzero((events > 0.5) & (events < k - 0.5)):
            add("block", i, step_col,
                f"This step of the survival curve rests on {events[i]:g} event(s) (fewer than {k}): "
                "it shows when single persons had the event; group the times or truncate.",
                f"存活曲線此步僅基於 {events[i]:g} 個事件（少於 {k}），會顯示個人發生事件的時間；請合併時間區間或截斷。")
    if risk is not None:
        for i in np.flatnonzero((risk >= 0) & (risk < m)):
            add("block", i, cols["at_risk"],
                f"Only {risk[i]:g} remain at risk here (fewer than {m}): truncate the curve "
                "before its small tail.",
                f"此時仍在風險中者僅 {risk[i]:g} 人（少於 {m}）：請在小樣本尾端前截斷曲線。")
        step = pol.survival_at_risk_round_to
        if step > 1:
            off = np.flatnonzero(~np.isnan(shown_risk) & (np.mod(shown_risk, step) != 0))
            window = pol.survival_at_risk_window
            if window > 0 and table.group_cols:
                # a windowed table: unrounded numbers at risk at the window's times only
                t = table.numeric(table.group_cols[0])
                on_grid = ~np.isnan(t) & np.isclose(np.mod(t + 1e-9, window), 0, atol=1e-6)
                off = off[~on_grid[off]]
            for i in off[:20]:
                add("block", i, cols["at_risk"],
                    f"Numbers at risk are published rounded to a multiple of {step} "
                    f"({shown_risk[i]:g} is not).",
                    f"風險人數須捨入至 {step} 的倍數後公開（{shown_risk[i]:g} 不是）。")
