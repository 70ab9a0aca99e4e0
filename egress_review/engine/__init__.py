"""The disclosure-control engine: every rule of E1–E7 as its own module.

``check_request(manifest, root)`` reads each file the manifest lists (paths relative to
``root``), runs every rule module that applies to its kind, then the request-wide rules
(differencing against the other tables and the case's release history, secondary suppression)
and returns a :class:`CheckResult` with a verdict per file and for the request
(block > review > pass).  Every threshold comes from the ``egress`` policy section.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from egress_review.engine.context import Context
from egress_review.engine.history import ReleaseHistory
from egress_review.engine.result import CheckResult, FileResult, Finding, worst
from egress_review.manifest import Manifest
from policies.sections.egress import EgressPolicy

__all__ = ["check_request", "CheckResult", "FileResult", "Finding", "ReleaseHistory"]


def _file_modules():
    from egress_review.engine import (binary_means, bins, blank_declarations, chart_specs, claims, cumulative, declaration, declared_claims, degrees_of_freedom, per_person_values, figure_traces, densities, disguised_records, dominance,
                                      figure_data, header_meaning, identifier_groups, identifiers, implied_n, imaging,
                                      institution_areas, institutions, label_counts, margin_gaps, microdata, missing, number_vectors, provenance_check, raster_covert,
                                      regression, scaled_counts, single_unit, smuggling, structure, survival,
                                      symbols, threshold, unit_checks)

    # provenance_check runs first: later checks trust only verified provenance; figure_data
    # before imaging (a figure sealed to its checked numbers needs no committee); declared_claims
    # last: it sets the declaration against what every other check found in the file.
    # scaled_counts before structure: every later check reads a table "in thousands" as persons
    return [provenance_check, scaled_counts, structure, declaration, blank_declarations, symbols, threshold, label_counts,
            header_meaning, binary_means, cumulative, margin_gaps, single_unit, dominance,
            missing, degrees_of_freedom, implied_n, claims, regression, survival, densities, bins, institutions, institution_areas, microdata, disguised_records,
            identifier_groups, identifiers, per_person_values, number_vectors, smuggling, figure_data, figure_traces, chart_specs, imaging, raster_covert, unit_checks,
            declared_claims]


# Checks that read a file's bytes, not its parsed table: they run also when a table is unreadable.
_RAW_CHECKS = {"smuggling"}


def _request_modules():
    from egress_review.engine import (differencing, interval_differencing, mean_sum_counts,
                                      nested_pairs, prose_tables, request_words, secondary,
                                      total_gaps)

    # prose_tables last: it compares the counts every text states, the request's words included
    return [secondary, differencing, interval_differencing, nested_pairs, total_gaps, mean_sum_counts, request_words, prose_tables]


def _guarded(ctx: Context, mod, path: str, fn, *args) -> None:
    """Run one check; a check that fails on odd input leaves the file to a reviewer, never passes it."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 - any failure must surface as a finding
        ctx.add(rule=mod.RULE, check=mod.CHECK, severity="review", file=path, location={},
                en=f"The {mod.CHECK} check could not run ({type(e).__name__}: {e}); a reviewer "
                   "must check this rule by hand.",
                zh=f"{mod.CHECK} 檢查無法執行（{type(e).__name__}：{e}），須由審查人人工檢查此規則。")


def check_request(manifest: Manifest, root: Path, *, policy: EgressPolicy | None = None,
                  history: ReleaseHistory | None = None, case_pseudonyms: Iterable[str] = (),
                  original_images_dir: Path | None = None,
                  provenance_key: bytes | None = None,
                  requester_comments: Iterable[str] = ()) -> CheckResult:
    """Check every file of ``manifest`` (relative to ``root``) and the request as a whole.
    ``requester_comments``: what the requester wrote on the request (never a reviewer's words):
    they leave with it, so they are read like its purpose and their counts set against its
    tables (E3)."""
    from egress_review.engine.tables import TableError, read_table
    from egress_review.safe_tables.provenance import session_key

    if policy is None:
        from policies import current_policy

        policy = current_policy().egress
    ctx = Context(manifest=manifest, root=Path(root), policy=policy,
                  history=history or ReleaseHistory(),
                  pseudonyms=frozenset(p for p in case_pseudonyms if p),
                  original_images_dir=Path(original_images_dir) if original_images_dir else None,
                  provenance_key=provenance_key if provenance_key is not None else session_key(),
                  comments=[c for c in requester_comments if c and c.strip()])
    for spec in manifest.files:
        full = ctx.root / spec.path
        if not full.is_file():
            ctx.add(rule="E4", check="engine", severity="block", file=spec.path, location={},
                    en=f"File {spec.path} is listed in the manifest but missing.",
                    zh=f"申請清單列出的檔案 {spec.path} 不存在。")
            continue
        if spec.kind == "table":
            try:
                ctx.tables[spec.path] = read_table(ctx.root, spec)
            except TableError as e:
                ctx.add(rule="E4", check="engine", severity="block", file=spec.path, location={},
                        en=f"Table cannot be read as declared: {e}",
                        zh=f"無法依申請說明讀取此表格：{e}")
    for spec in manifest.files:
        if not (ctx.root / spec.path).is_file():
            continue
        for mod in _file_modules():
            if spec.kind in mod.KINDS and (spec.kind != "table" or spec.path in ctx.tables
                                           or mod.CHECK in _RAW_CHECKS):
                _guarded(ctx, mod, spec.path, mod.check_file, ctx, spec)
    for mod in _request_modules():
        _guarded(ctx, mod, "", mod.check_request, ctx)
    if ctx.history.unreadable:
        for msg in ctx.history.unreadable:
            ctx.add(rule="E3", check="history", severity="review", file="", location={},
                    en=f"An earlier release could not be read for differencing: {msg}",
                    zh=f"先前釋出的檔案無法讀取，未能進行差分檢查：{msg}")
    files = []
    for spec in manifest.files:
        fs = [f for f in ctx.findings if f.file == spec.path]
        files.append(FileResult(path=spec.path, kind=spec.kind,
                                verdict=worst(f.severity for f in fs), findings=fs))
    verdict = worst(f.severity for f in ctx.findings)
    return CheckResult(verdict=verdict, files=files, findings=list(ctx.findings),
                       case_code=manifest.case_code, suppression=ctx.suppression,
                       table_counts=ctx.table_counts)
