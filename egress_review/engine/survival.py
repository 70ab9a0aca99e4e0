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
    "at_risk": re.compile(r"risk|風險|at.?risk", re.IGNORECASE),
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


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if spec.output != "survival":
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
