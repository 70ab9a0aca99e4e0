"""Models and survival curves in the calls researchers write, with the facts the rules need.

``ols/logit/poisson(formula, data).fit()`` are statsmodels' formula calls
(``statsmodels.formula.api``); the result keeps statsmodels' ``params``, ``bse``,
``pvalues``, ``summary()``, and adds ``table`` (coefficients only: term, coef, std_err, stat,
p_value, ci_low, ci_high), ``save(path)`` and ``manifest_entry(path, description)``
(``output: regression``).

Sidecar fields (read by ``egress_review.engine.regression`` as ``ModelFacts`` under ``model``):
``family`` (ols | logistic | poisson), ``n_obs`` (persons - or rows without a person column -
in the fitted rows), ``df_resid``, ``n_params``, ``n_events`` (logistic: outcomes = 1;
poisson: total count) and ``levels``: for each categorical covariate, per level, ``n`` persons
and (logistic) ``events``.  Rows with a missing value in any model variable are not fitted
(statsmodels drops them) and are not counted.

``kaplan_meier(data, duration, event)`` gives the table behind a Kaplan-Meier curve (time,
at_risk, events, censored, survival) with ``output: survival``; numbers at risk are rounded
and the tail is cut where fewer than ``min_units_per_cell`` remain, as the policy says.

Computed in the kernel, these sidecars are unsealed: the engine checks their facts and sends
the model to a reviewer (their claims can only add findings).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from egress_review.safe_tables.cube import HelperError
from egress_review.safe_tables.frame import cells_of, csv_bytes
from egress_review.safe_tables.provenance import (FORMAT, VERSION, json_safe, seal, sidecar_path,
                                                  table_sha256, unsealed)

_FAMILY = {"ols": "ols", "logit": "logistic", "poisson": "poisson", "cox": "cox"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CAT = re.compile(r"C\(\s*([A-Za-z_][A-Za-z0-9_]*)")


MODEL_KINDS = ("ols", "logit", "poisson", "cox", "kaplan_meier")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+|\S")
_SYMBOLS = {"~", "+", "*", ":", "-", "(", ")", "0", "1"}


def formula_variables(formula: Any) -> list[str]:
    """The data columns of a formula, refusing anything but ``y ~ a + C(b) + a:b - 1``.

    Formula engines evaluate Python in a formula; the broker fits models a kernel asks for,
    so only plain names, ``C(name)`` and the operators pass (nothing is called or looked up)."""
    if not isinstance(formula, str) or formula.count("~") != 1 or len(formula) > 2000:
        raise HelperError("a model formula is 'outcome ~ terms'")
    toks = _TOKEN.findall(formula)
    names = []
    for k, tok in enumerate(toks):
        if tok in _SYMBOLS:
            continue
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tok):
            raise HelperError(f"formula: {tok!r} is not allowed (names, C(name), + * : - only)")
        nxt = toks[k + 1] if k + 1 < len(toks) else ""
        if nxt == "(":
            if tok != "C":
                raise HelperError(f"formula: only C(...) may be called, not {tok}(...)")
            continue
        names.append(tok)
    if not names:
        raise HelperError("formula: no variables")
    return list(dict.fromkeys(names))


def _units(frame: pd.DataFrame, unit: str | None) -> int:
    return int(frame[unit].nunique()) if unit else int(len(frame))


@dataclass
class _Saved:
    table: pd.DataFrame
    roles: dict
    output: str
    body_extra: dict
    decimals: int = 4
    note: str = "computed in the kernel: unsealed"
    sealed: dict | None = None                   # from the broker: {"csv", "sidecar"}
    spec: dict = field(default_factory=dict)

    @property
    def is_sealed(self) -> bool:
        return self.sealed is not None

    def sidecar_body(self, data: bytes) -> dict:
        return json_safe({"format": FORMAT, "version": VERSION, "table_sha256": table_sha256(data),
                          "statistic": self.output, "units": {}, "cells": cells_of(data),
                          **self.body_extra})

    def save(self, path: str | Path, *, key: bytes | None = None) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.sealed is not None and key is None:
            data, side = self.sealed["csv"].encode("utf-8"), self.sealed["sidecar"]
        else:
            data = csv_bytes(self.table, self.decimals)
            body = self.sidecar_body(data)
            side = seal(body, key, sealed_by="service") if key is not None else unsealed(body)
            if key is None:
                side["note"] = self.note
        path.write_bytes(data)
        out = sidecar_path(path)
        out.write_text(json.dumps(side, ensure_ascii=False, allow_nan=False), encoding="utf-8")
        return out

    def manifest_entry(self, path: str, description: str, **extra: Any) -> dict:
        return {"path": path, "kind": "table", "output": self.output,
                "description": description, "columns": self.roles,
                "provenance": f"{path}.provenance.json", **extra}


class SafeModelResult(_Saved):
    def __init__(self, result, facts: dict, family: str) -> None:
        ci = np.asarray(result.conf_int(), dtype=float)
        names = getattr(result.params, "index", None)
        names = list(names) if names is not None else list(result.model.exog_names)
        table = pd.DataFrame({
            "term": [str(t) for t in names],
            "coef": np.asarray(result.params, dtype=float),
            "std_err": np.asarray(result.bse, dtype=float),
            "stat": np.asarray(result.tvalues, dtype=float),
            "p_value": np.asarray(result.pvalues, dtype=float),
            "ci_low": ci[:, 0], "ci_high": ci[:, 1]})
        roles = {"term": {"role": "group"}} | {c: {"role": "estimate"} for c in table.columns[1:]}
        super().__init__(table=table, roles=roles, output="regression",
                         body_extra={"model": facts})
        self.result, self.facts = result, facts

    def __getattr__(self, name):               # params, bse, pvalues, summary(), ...
        if name in ("result", "facts") or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.result, name)


@dataclass
class SafeModel:
    kind: str
    formula: str
    data: pd.DataFrame
    unit: str | None = None
    kwargs: dict = field(default_factory=dict)

    def fit(self, **fit_kw) -> SafeModelResult:
        """Fit here; when the data came from a query, the broker fits the same model on the
        case's data and seals it, and the sealed copy is kept if it is the same table."""
        from egress_review.safe_tables.remote import source_of, try_seal

        res = self.fit_here(**fit_kw)
        if not fit_kw and not self.kwargs:
            try_seal(res, self.data, source_of(self.data))
        return res

    def fit_here(self, **fit_kw) -> SafeModelResult:
        import statsmodels.formula.api as smf

        formula_variables(self.formula)
        make = {"ols": smf.ols, "logit": smf.logit, "poisson": smf.poisson,
                "cox": smf.phreg}[self.kind]
        kw = dict(self.kwargs)
        if self.kind == "cox":
            if not isinstance(kw.get("status"), str) or kw["status"] not in self.data.columns:
                raise HelperError("cox(formula, data, status='event column') needs the event "
                                  "column's name")
        model = make(self.formula, self.data, missing="drop", **kw)
        result = model.fit(disp=0, **fit_kw) if self.kind in ("logit", "poisson") \
            else model.fit(**fit_kw)
        rows = self.data.loc[list(model.data.row_labels)] if model.data.row_labels is not None \
            else self.data
        out = SafeModelResult(result, self._facts(rows, result), self.kind)
        out.spec = {"helper": self.kind, "formula": self.formula, "unit": self.unit}
        if self.kind == "cox":
            out.spec["status"] = self.kwargs["status"]
        return out

    def _facts(self, rows: pd.DataFrame, result) -> dict:
        family = _FAMILY[self.kind]
        lhs, _, rhs = self.formula.partition("~")
        y = lhs.strip()
        facts: dict[str, Any] = {"family": family, "n_obs": _units(rows, self.unit),
                                 "df_resid": float(result.df_resid),
                                 "n_params": int(len(result.params)), "levels": {}}
        if family == "cox":
            y = self.kwargs["status"]          # the event indicator decides events
        if family in ("logistic", "poisson", "cox") and y in rows.columns:
            yy = pd.to_numeric(rows[y], errors="coerce").fillna(0)
            facts["n_events"] = int(yy.sum()) if family == "poisson" else int((yy > 0).sum())
            if self.unit and family in ("logistic", "cox"):
                facts["n_events"] = int(rows.loc[yy > 0, self.unit].nunique())
        cats = set(_CAT.findall(rhs))
        for name in set(_IDENT.findall(rhs)):
            if name in rows.columns and not pd.api.types.is_numeric_dtype(rows[name]):
                cats.add(name)
        for name in sorted(c for c in cats if c in rows.columns):
            levels = {}
            for level, part in rows.groupby(name, observed=True, sort=True):
                lf: dict[str, int] = {"n": _units(part, self.unit)}
                if family in ("logistic", "cox") and y in part.columns:
                    hit = pd.to_numeric(part[y], errors="coerce").fillna(0) > 0
                    lf["events"] = _units(part[hit], self.unit)
                levels[str(level)] = lf
            facts["levels"][name] = levels
        return facts


def cox(formula: str, data: pd.DataFrame, *, status: str, unit: str | None = None,
        **kw) -> SafeModel:
    """``smf.phreg(formula, data, status=...)``: a Cox model; ``status`` is the event column."""
    return _model("cox", formula, data, unit, {**kw, "status": status})


def _model(kind: str, formula: str, data: pd.DataFrame, unit: str | None, kw: dict) -> SafeModel:
    if not isinstance(data, pd.DataFrame):
        raise HelperError("give the data as a DataFrame (data=...)")
    if unit is not None and unit not in data.columns:
        raise HelperError(f"no person column {unit!r} in the data")
    return SafeModel(kind, formula, data, unit, kw)


def ols(formula: str, data: pd.DataFrame, *, unit: str | None = None, **kw) -> SafeModel:
    return _model("ols", formula, data, unit, kw)


def logit(formula: str, data: pd.DataFrame, *, unit: str | None = None, **kw) -> SafeModel:
    return _model("logit", formula, data, unit, kw)


def poisson(formula: str, data: pd.DataFrame, *, unit: str | None = None, **kw) -> SafeModel:
    return _model("poisson", formula, data, unit, kw)


def kaplan_meier(data: pd.DataFrame, duration: str, event: str, *,
                 round_at_risk: int | None = None, min_at_risk: int | None = None,
                 show_censored: bool = False, _seal: bool = True) -> _Saved:
    """The Kaplan-Meier table: one row per event time, at-risk rounded and the tail cut.

    ``round_at_risk``/``min_at_risk`` default to the policy (``survival_at_risk_round_to``,
    ``min_units_per_cell``).  Rows with a missing duration or event are left out."""
    if round_at_risk is None or min_at_risk is None:
        from policies import current_policy

        pol = current_policy().egress
        round_at_risk = round_at_risk or getattr(pol, "survival_at_risk_round_to", 1)
        min_at_risk = min_at_risk or pol.min_units_per_cell
    t = pd.to_numeric(data[duration], errors="coerce")
    e = pd.to_numeric(data[event], errors="coerce")
    ok = np.isfinite(t) & np.isfinite(e)
    t, e = t[ok].to_numpy(dtype=float), (e[ok].to_numpy(dtype=float) > 0)
    times = np.unique(t)
    at_risk = np.array([(t >= x).sum() for x in times])
    events = np.array([((t == x) & e).sum() for x in times])
    censored = np.array([((t == x) & ~e).sum() for x in times])
    surv = np.cumprod(np.where(at_risk > 0, 1 - events / np.maximum(at_risk, 1), 1.0))
    keep = (events > 0) & (at_risk >= min_at_risk)
    rounded = (np.round(at_risk / round_at_risk) * round_at_risk).astype(int)
    table = pd.DataFrame({"time": times[keep], "at_risk": rounded[keep],
                          "events": events[keep], "censored": censored[keep],
                          "survival": surv[keep]})
    roles = {"time": {"role": "group"}, "at_risk": {"role": "count"},
             "events": {"role": "count"}, "censored": {"role": "count"},
             "survival": {"role": "estimate"}}
    if not show_censored:     # a few censored at one time are a small count of their own
        table = table.drop(columns="censored")
        roles.pop("censored")
    spec = {"helper": "kaplan_meier", "duration": duration, "event": event,
            "round_at_risk": int(round_at_risk), "min_at_risk": int(min_at_risk),
            "show_censored": bool(show_censored)}
    out = _Saved(table=table, roles=roles, output="survival", body_extra={"spec": spec},
                 spec=spec)
    if _seal:        # from a query: the broker makes the same table and seals it
        from egress_review.safe_tables.remote import source_of, try_seal

        try_seal(out, data, source_of(data))
    return out


def _km_spec(spec: dict) -> dict:
    if set(spec) - {"helper", "duration", "event", "round_at_risk", "min_at_risk",
                    "show_censored"}:
        raise HelperError("a kaplan_meier spec is {helper, duration, event, round_at_risk, "
                          "min_at_risk, show_censored}")
    for k in ("duration", "event"):
        if not isinstance(spec.get(k), str) or not _NAME.fullmatch(spec[k]):
            raise HelperError(f"kaplan_meier spec {k!r} must be a column name")
    for k in ("round_at_risk", "min_at_risk"):
        if not isinstance(spec.get(k), int) or not 1 <= spec[k] <= 1000:
            raise HelperError(f"kaplan_meier spec {k!r} must be an integer 1..1000")
    return spec


def sealed_model(df: pd.DataFrame, spec: dict, key: bytes, case: str) -> dict:
    """The broker's side: fit the spec's model on the case's data and seal it."""
    if isinstance(spec, dict) and spec.get("helper") == "kaplan_meier":
        spec = _km_spec(spec)
        res = kaplan_meier(df, spec["duration"], spec["event"],
                           round_at_risk=spec["round_at_risk"], min_at_risk=spec["min_at_risk"],
                           show_censored=bool(spec.get("show_censored")), _seal=False)
        data = csv_bytes(res.table, res.decimals)
        body = res.sidecar_body(data)
        body["spec"], body["case"] = dict(spec), case
        return {"csv": data.decode("utf-8"), "sidecar": seal(body, key, sealed_by="broker")}
    if not isinstance(spec, dict) or set(spec) - {"helper", "formula", "unit", "status"} \
            or spec.get("helper") not in MODEL_KINDS:
        raise HelperError(f"a model spec is {{helper: {'|'.join(MODEL_KINDS)}, formula, unit, "
                          "status (cox)}}")
    formula_variables(spec["formula"])
    kw = {"status": spec["status"]} if spec["helper"] == "cox" else {}
    res = SafeModel(spec["helper"], spec["formula"], df, spec.get("unit"), kw).fit_here()
    data = csv_bytes(res.table, res.decimals)
    body = res.sidecar_body(data)
    body["spec"], body["case"] = dict(spec), case
    return {"csv": data.decode("utf-8"), "sidecar": seal(body, key, sealed_by="broker")}


def model_columns(spec: dict) -> list[str]:
    if spec.get("helper") == "kaplan_meier":
        spec = _km_spec(spec)
        return list(dict.fromkeys([spec["duration"], spec["event"]]))
    cols = formula_variables(spec.get("formula"))
    for k in ("unit", "status"):
        v = spec.get(k)
        if v is not None:
            if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v):
                raise HelperError(f"model spec {k!r} must be a column name")
            cols.append(v)
    return list(dict.fromkeys(cols))
