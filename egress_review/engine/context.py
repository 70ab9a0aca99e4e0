"""State shared by the rule modules while one request is checked."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from egress_review.engine.history import ReleaseHistory
from egress_review.engine.result import Finding, Severity
from egress_review.engine.tables import Table
from egress_review.manifest import Manifest, ManifestFile
from egress_review.safe_tables.provenance import Provenance
from policies.sections.egress import EgressPolicy


@dataclass
class Context:
    manifest: Manifest
    root: Path
    policy: EgressPolicy
    history: ReleaseHistory
    pseudonyms: frozenset[str]
    original_images_dir: Path | None = None
    provenance_key: bytes | None = None
    tables: dict[str, Table] = field(default_factory=dict)
    # provenance that was present AND verified (table bytes and MAC); only these are trusted.
    provenance: dict[str, Provenance] = field(default_factory=dict)
    # sidecars a kernel wrote without a seal: their claims may only add findings, never remove.
    unsealed: dict[str, Provenance] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    suppression: dict[str, Any] = field(default_factory=dict)
    # figures whose every number is a checked table of the request, sealed together with it
    # by the query broker (figure_data): they need no committee (E5 applies to images)
    data_figures: set[str] = field(default_factory=set)
    # tables found inside other files (notebook outputs, HTML, prose documents …): view path ->
    # (table, the request file it is in), for the request-wide rules
    unit_views: dict[str, tuple[Table, str]] = field(default_factory=dict)
    # counts of persons stated in the request's texts: (file, text unit, prose.Number), for
    # the comparisons across files and with the tables (prose_check, prose_tables)
    prose_counts: list = field(default_factory=list)
    # the requester's comments on the request (request_words reads them like its purpose)
    comments: list[str] = field(default_factory=list)
    # [value, what, category labels or None, from history] of the counts a later comment of
    # the requester is compared with (prose_tables.comment_findings)
    table_counts: list = field(default_factory=list)
    # linked series per list of tables (see linked()); keyed by the tables' identities
    _linked: dict = field(default_factory=dict, repr=False)

    def linked(self, items: list[tuple[Table, bool]]):
        """:class:`~linking.Linked` series of ``items`` (table, from history), built once per
        request for every rule that passes the same tables in the same order."""
        from egress_review.engine.linking import Linked

        key = tuple((id(t), hist) for t, hist in items)
        if key not in self._linked:          # the Linked holds the tables: ids stay theirs
            self._linked[key] = Linked(items)
        return self._linked[key]

    def all_tables(self) -> list[Table]:
        """Declared tables, then tables found inside the request's other files."""
        return list(self.tables.values()) + [t for t, _ in self.unit_views.values()]

    def owner_findings(self, start: int) -> None:
        """Findings from ``start`` on that name a table found inside a file are filed under that
        file, with the table named in their location."""
        for k in range(start, len(self.findings)):
            f = self.findings[k]
            if f.file in self.unit_views:
                f.location = {"table": f.file, **(f.location or {})}
                f.file = self.unit_views[f.file][1]

    def add(self, *, rule: str, check: str, severity: Severity, file: str, location: dict,
            en: str, zh: str, suggested: list[dict] | None = None,
            committee: bool = False) -> Finding:
        f = Finding(rule=rule, check=check, severity=severity, file=file, location=location,
                    message_en=en, message_zh=zh, suggested_suppression=suggested,
                    committee=committee)
        self.findings.append(f)
        return f

    def block_cell(self, *, rule: str, check: str, file: str, table: Table, i, col: str,
                   en: str, zh: str, where: dict | None = None) -> Finding:
        """A cell that may not leave as it stands: blocked, its suppression suggested.
        ``where`` adds keys to the cell's location (e.g. which sub-rule it broke)."""
        return self.add(rule=rule, check=check, severity="block", file=file,
                        location={**table.location(i, col), **(where or {})}, en=en, zh=zh,
                        suggested=[{"row": i + 1, "column": col, "action": "suppress"}])

    def spec(self, path: str) -> ManifestFile:
        return self.manifest.file(path)

    def full(self, spec: ManifestFile) -> Path:
        return self.root / spec.path

    # -- units behind cells ------------------------------------------------------------
    def sealed_denominators(self, table: Table) -> dict[str, np.ndarray] | None:
        prov = self.provenance.get(table.path)
        dens = prov.body.get("denominators") if prov is not None else None
        if not isinstance(dens, dict):
            return None
        return {c: np.asarray([np.nan if v is None else v for v in d], dtype=float)
                for c, d in dens.items() if isinstance(d, list) and len(d) == len(table.df)}

    def sealed_fill_value(self, table: Table) -> float | None:
        """The ``fill_value`` a helper wrote in empty statistic cells (verified spec only)."""
        prov = self.provenance.get(table.path)
        spec = prov.body.get("spec") if prov is not None else None
        fill = spec.get("fill_value") if isinstance(spec, dict) else None
        return float(fill) if isinstance(fill, (int, float)) and not isinstance(fill, bool) else None

    def units(self, table: Table, col: str) -> np.ndarray | None:
        """Distinct units behind each cell of ``col``: from verified provenance when present,
        else from the declared units column (counts rest on themselves).  None: unknown."""
        prov = self.provenance.get(table.path)
        if prov is not None and col in prov.units:
            u = np.asarray([np.nan if v is None else v for v in prov.units[col]], dtype=float)
            if len(u) == len(table.df):
                return u
        role = table.role(col)
        if role is None:
            return None
        if role.role in ("count", "suppressed") or role.statistic == "count":
            if role.units_column and role.units_column in table.columns:
                return table.numeric(role.units_column)
            return table.numeric(col)
        if role.units_column and role.units_column in table.columns:
            if prov is not None and role.units_column in prov.units:
                return self.units(table, role.units_column)
            return table.numeric(role.units_column)
        return None

    def denominator_units(self, table: Table, col: str) -> np.ndarray | None:
        """What a percentage or rate divides by: the sealed denominators of a helper's
        proportions (``normalize=``), else the declared denominator column's units."""
        dens = self.sealed_denominators(table)
        if dens is not None and col in dens:
            return dens[col]
        role = table.role(col)
        if role is None or not role.denominator_column or role.denominator_column not in table.columns:
            return None
        return self.units(table, role.denominator_column)
