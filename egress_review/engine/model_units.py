"""E2: a fitted model printed as text (statsmodels, R, Stata) rests on enough persons.

The unit (:class:`~egress_review.engine.readers.model.ModelSummary`) states observations,
residual degrees of freedom, events and the coefficient terms.  Blocks: fewer observations,
events than ``min_units_per_cell``, fewer residual degrees of freedom than
``min_residual_dof`` (the policy's threshold for models fitted from a sidecar too), and a
saturated model (no
residual degrees of freedom).  Review: a printout that states neither observations nor
residual degrees of freedom, and levels of a categorical covariate (the persons in each level
are not printed, so a reviewer checks them).
"""
from __future__ import annotations

from egress_review.engine.context import Context
from egress_review.engine.readers import ModelSummary
from egress_review.manifest import ManifestFile

CHECK = "model_summary"


def check(ctx: Context, spec: ManifestFile, ms: ModelSummary) -> None:
    m = ctx.policy.min_units_per_cell
    dof = getattr(ctx.policy, "min_residual_dof", m)
    place = {**ms.place, "model": f"{ms.tool} {ms.model}"}

    def block(en: str, zh: str) -> None:
        ctx.add(rule="E2", check=CHECK, severity="block", file=spec.path, location=place, en=en, zh=zh)

    if ms.df_resid is not None and ms.df_resid <= 0:
        block("A saturated model (no residual degrees of freedom) reproduces its data exactly.",
              "飽和模型（殘差自由度為零）會完全重現原始資料。")
    elif ms.df_resid is not None and ms.df_resid < dof:
        block(f"The model has {ms.df_resid:g} residual degrees of freedom (fewer than {dof}).",
              f"模型殘差自由度為 {ms.df_resid:g}（少於 {dof}）。")
    if ms.n_obs is not None and 0 < ms.n_obs < m:
        block(f"The model rests on {ms.n_obs} observations (fewer than {m}).",
              f"模型僅基於 {ms.n_obs} 筆觀察值（少於 {m}）。")
    if ms.n_events is not None and 0 <= ms.n_events < m:
        block(f"The model rests on {ms.n_events} events (fewer than {m}).",
              f"模型僅基於 {ms.n_events} 個事件（少於 {m}）。")
    if ms.n_obs is None and ms.df_resid is None:
        ctx.add(rule="E2", check=CHECK, severity="review", file=spec.path, location=place,
                en="The model printout states neither observations nor residual degrees of "
                   "freedom: a reviewer checks how many persons it rests on.",
                zh="模型輸出未載明觀察值數或殘差自由度：須由審查人確認其所依據的人數。")
    if ms.levels:
        ctx.add(rule="E2", check=CHECK, severity="review", file=spec.path,
                location={**place, "terms": ms.levels[:20]},
                en=f"Levels of categorical covariates ({', '.join(ms.levels[:5])}): the persons in "
                   "each level are not printed; a reviewer checks that each has enough.",
                zh=f"類別共變數的各層級（{', '.join(ms.levels[:5])}）：輸出未列各層級人數，須由審查人確認皆達門檻。")
