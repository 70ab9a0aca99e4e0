"""E1/E2: a regression (OLS, logistic, Poisson, Cox) leaves as its coefficients only, and only
when it rests on enough persons.

A file declared ``output: regression`` is the coefficient table (one row per term).  The facts
it rests on - observations, residual degrees of freedom, parameters, events, the persons (and
events) in each level of a categorical covariate - come from the sidecar sealed by the query
broker (``model`` in its body), else from the session's unsealed sidecar or the manifest's
``model`` block, which are claims: they can add findings, never pass the model.

Blocks: a saturated model (no residual degrees of freedom), fewer residual degrees of freedom
than ``min_residual_dof``, fewer observations or events than ``min_units_per_cell``, a
covariate level with fewer persons or events than that, per-person columns (residuals, fitted
values, leverage: ``regression_forbidden_columns``), more rows than the model has parameters.
Review: facts missing or not sealed.
"""
from __future__ import annotations

import re

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile, ModelFacts

RULE = "E2"
CHECK = "regression"
KINDS = {"table"}
_EVENT_FAMILIES = {"logistic", "poisson", "cox"}


def _facts(ctx: Context, spec: ManifestFile) -> tuple[ModelFacts | None, bool, list[str]]:
    """(facts, sealed?, problems reading them)."""
    prov = ctx.provenance.get(spec.path)
    problems: list[str] = []
    for source, sealed in ((prov, True), (ctx.unsealed.get(spec.path), False)):
        body = source.body.get("model") if source is not None else None
        if isinstance(body, dict):
            try:
                return ModelFacts.model_validate(body), sealed, problems
            except ValueError as e:
                problems.append(f"{'sealed' if sealed else 'unsealed'} sidecar 'model': {e}")
    return spec.model, False, problems


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if spec.output != "regression":
        return
    table = ctx.tables[spec.path]
    pol = ctx.policy
    m = pol.min_units_per_cell

    def add(severity, en, zh, loc=None):
        ctx.add(rule="E1" if "column" in (loc or {}) else RULE, check=CHECK, severity=severity,
                file=spec.path, location=loc or {}, en=en, zh=zh)

    # coefficients only: no per-person columns, no more rows than parameters
    rx = [re.compile(p, re.IGNORECASE) for p in pol.regression_forbidden_columns]
    for col in table.columns:
        if any(r.search(col) for r in rx):
            add("block", f"Column {col!r} holds per-person values (residuals, fitted values, "
                         "leverage …): only coefficients and their statistics may leave.",
                f"欄位 {col!r} 為個人層級數值（殘差、預測值、槓桿值…）：僅能輸出係數及其統計量。",
                {"column": col})
    facts, sealed, problems = _facts(ctx, spec)
    for p in problems:
        add("review", f"The model facts cannot be read: {p}.", f"模型資訊無法讀取：{p}。")
    if facts is None:
        add("review", "The model's observations and residual degrees of freedom are not given "
                      "(no sealed sidecar, no 'model' in the manifest): a reviewer checks them.",
            "未提供模型的觀察數與殘差自由度（無封存紀錄，申請清單亦未列 model）：由審查人檢查。")
        return
    n_params = facts.n_params
    if n_params is None and facts.n_obs is not None and facts.df_resid is not None:
        n_params = int(round(facts.n_obs - facts.df_resid))
    if n_params is not None and len(table.df) > max(n_params, 0) + 0:
        add("block", f"The table has {len(table.df)} rows but the model has {n_params} parameters: "
                     "rows beyond the coefficients are per-person values.",
            f"此表有 {len(table.df)} 列，但模型只有 {n_params} 個參數：多出的列屬個人層級數值。")
    if facts.df_resid is not None and facts.df_resid <= 0:
        add("block", "A saturated model (no residual degrees of freedom) reproduces its data exactly.",
            "飽和模型（殘差自由度為零）會完全重現原始資料。")
    elif facts.df_resid is not None and facts.df_resid < pol.min_residual_dof:
        add("block", f"The model has {facts.df_resid:g} residual degrees of freedom (fewer than "
                     f"{pol.min_residual_dof}).",
            f"模型殘差自由度為 {facts.df_resid:g}（少於 {pol.min_residual_dof}）。")
    if facts.n_obs is not None and facts.n_obs < m:
        add("block", f"The model rests on {facts.n_obs} observations (fewer than {m}).",
            f"模型僅基於 {facts.n_obs} 筆觀察值（少於 {m}）。")
    if facts.n_events is not None and facts.n_events < m:
        add("block", f"The model rests on {facts.n_events} events (fewer than {m}).",
            f"模型僅基於 {facts.n_events} 個事件（少於 {m}）。")
    if facts.family in _EVENT_FAMILIES and facts.n_events is None:
        add("review", f"A {facts.family} model without its number of events: a reviewer checks it.",
            f"{facts.family} 模型未提供事件數：由審查人檢查。")
    for cov, levels in facts.levels.items():
        for level, lf in levels.items():
            where = {"covariate": cov, "level": level}
            if lf.n < m:
                add("block", f"Level {level!r} of {cov!r} has {lf.n} persons (fewer than {m}): its "
                             "coefficient describes them.",
                    f"共變數 {cov!r} 的類別 {level!r} 僅有 {lf.n} 人（少於 {m}），其係數即描述這些人。", where)
            if lf.events is not None and (lf.events < m or lf.n - lf.events < m) \
                    and facts.family in ("logistic", "cox"):
                few = min(lf.events, lf.n - lf.events)
                add("block", f"Level {level!r} of {cov!r} has {few} persons with (or without) the "
                             f"outcome (fewer than {m}).",
                    f"共變數 {cov!r} 的類別 {level!r} 有結果（或無結果）者僅 {few} 人（少於 {m}）。", where)
    if not facts.levels and _has_categorical_terms(table):
        add("review", "The coefficients include categorical levels but the persons in each level "
                      "are not given: a reviewer checks them.",
            "係數包含類別變項，但未提供各類別人數：由審查人檢查。")
    if not sealed:
        add("review", "The model facts are the requester's claim (not sealed by the query broker): "
                      "they were checked, and a reviewer confirms them.",
            "模型資訊為申請人自行聲明（未經查詢代理封存）：已據以檢查，並須由審查人確認。")


_LEVEL_TERM = re.compile(r"\[T\.|C\(|::|=|\bvs\.?\b|\[.+\]")


def _has_categorical_terms(table) -> bool:
    for col in table.group_cols or table.columns[:1]:
        if table.text(col).str.contains(_LEVEL_TERM).any():
            return True
    return False
