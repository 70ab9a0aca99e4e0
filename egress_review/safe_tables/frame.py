"""SafeTable: a helper's result - the table, what each column is, and its provenance.

``save(path)`` writes the table as CSV and its sidecar ``<path>.provenance.json``:

- a table the query broker made (``sealed``) is written byte for byte as the broker returned
  it, with the broker's sealed sidecar - the kernel never holds the key;
- a table computed in the kernel gets an unsealed sidecar (the engine then sends it to a
  reviewer, and its claims can only add findings);
- ``key=`` seals in-process: for the egress service, the broker itself and tests - a key a
  kernel could pass here is not the case key, so its seal fails verification (E6).

``manifest_entry(path, description)`` is the manifest entry the engine reads the table with
(column roles, ``column_group``, margins), so no hand-editing is needed.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from egress_review.safe_tables.provenance import (FORMAT, VERSION, json_safe, seal, sidecar_path,
                                                  table_sha256, unsealed)


def csv_bytes(table: pd.DataFrame, decimals: int) -> bytes:
    buf = io.StringIO()
    table.to_csv(buf, index=False, float_format=f"%.{decimals}f", na_rep="",
                 lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def cells_of(data: bytes) -> dict[str, list[str]]:
    written = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False)
    return {str(c): written[c].tolist() for c in written.columns}


@dataclass
class SafeTable:
    table: pd.DataFrame
    statistic: str
    roles: dict[str, dict]                       # column -> manifest ColumnRole dict
    units: dict[str, list]                       # column -> units per row
    contributions: dict[str, list] = field(default_factory=dict)
    column_group: str | None = None
    default_role: dict | None = None
    decimals: int = 2
    missing: dict[str, list] = field(default_factory=dict)
    negative: dict[str, list] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)   # how it was made (helper, variables)
    sealed: dict | None = None                   # from the broker: {"csv": str, "sidecar": {}}
    note: str = ""                               # why it is unsealed, when it is
    source: dict | None = field(default=None, repr=False)   # the query the broker sealed from
    denominators: dict[str, list] = field(default_factory=dict)  # proportions: what each divides by

    @property
    def is_sealed(self) -> bool:
        return self.sealed is not None

    def _repr_html_(self) -> str:
        return self.table._repr_html_()

    def __repr__(self) -> str:
        state = "sealed by the query broker" if self.is_sealed else "unsealed (computed in the kernel)"
        return f"<SafeTable {self.statistic}: {state}>\n{self.table!r}"

    def to_pandas(self) -> pd.DataFrame:
        """The table with its grouping columns as the index (pandas' shape)."""
        groups = [c for c, r in self.roles.items() if r.get("role") == "group"]
        return self.table.set_index(groups) if groups else self.table.copy()

    def body(self, data: bytes) -> dict[str, Any]:
        body = {"format": FORMAT, "version": VERSION, "table_sha256": table_sha256(data),
                "statistic": self.statistic, "units": self.units, "missing": self.missing,
                "contributions": self.contributions, "negative": self.negative,
                "cells": cells_of(data), "spec": self.spec}
        if self.denominators:
            body["denominators"] = self.denominators
        return json_safe(body)

    def save(self, path: str | Path, *, key: bytes | None = None) -> Path:
        """Write ``path`` (CSV) and its provenance sidecar; returns the sidecar path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.sealed is not None and key is None:
            data = self.sealed["csv"].encode("utf-8")
            side = self.sealed["sidecar"]
        else:
            data = csv_bytes(self.table, self.decimals)
            body = self.body(data)
            side = seal(body, key, sealed_by="service") if key is not None else unsealed(body)
            if key is None and self.note:
                side["note"] = self.note
        path.write_bytes(data)
        out = sidecar_path(path)
        out.write_text(json.dumps(side, ensure_ascii=False, allow_nan=False), encoding="utf-8")
        return out

    def apply_suppression(self, cells: Sequence[dict]) -> "SafeTable":
        """Blank the cells the engine suggested (``{"row": 1-based, "column": name}``) and
        declare their columns ``suppressed``.  A sealed table stays sealed: the engine accepts
        a sealed table whose only differences are blanked cells, and keeps the true units to
        audit what an attacker could still derive."""
        table = self.table.copy()
        text = None
        if self.sealed is not None:
            text = pd.read_csv(io.StringIO(self.sealed["csv"]), dtype=str,
                               keep_default_na=False, na_filter=False)
        hit = set()
        for c in cells:
            row, col = int(c["row"]) - 1, str(c["column"])
            if col not in table.columns or not 0 <= row < len(table):
                raise ValueError(f"no cell at row {c['row']}, column {col!r}")
            table[col] = table[col].astype(object)
            table.iat[row, table.columns.get_loc(col)] = ""
            if text is not None:
                text.iat[row, text.columns.get_loc(col)] = ""
            hit.add(col)
        roles = {k: dict(v) for k, v in self.roles.items()}
        for col in hit:
            if col in roles and roles[col].get("role") == "count":
                roles[col]["role"] = "suppressed"
            elif col not in roles:
                roles[col] = {"role": "suppressed"}
        sealed = None
        if text is not None:
            buf = io.StringIO()
            text.to_csv(buf, index=False, lineterminator="\n")
            sealed = {"csv": buf.getvalue(), "sidecar": self.sealed["sidecar"]}
        return replace(self, table=table, roles=roles, sealed=sealed)

    def plot(self, path: str | Path, *, kind: str = "bar", column: str | None = None,
             data_path: str | Path | None = None) -> tuple[Path, Path]:
        """Draw the table as a figure at ``path`` (PNG) and save its numbers at ``data_path``
        (default: the figure's name with ``.csv``); returns (figure, data).  A broker-made
        table is drawn and sealed with its data by the broker (see :mod:`.figures`)."""
        import base64

        from egress_review.safe_tables.figures import render
        from egress_review.safe_tables.remote import figure_from_broker

        path = Path(path)
        data_path = Path(data_path) if data_path else path.with_suffix(".csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        got = figure_from_broker(self, {"kind": kind, "column": column}) if self.sealed else None
        if got is not None:
            self.sealed = {"csv": got["csv"], "sidecar": got["sidecar"]}
            self.save(data_path)
            path.write_bytes(base64.b64decode(got["png"]))
            sidecar_path(path).write_text(json.dumps(got["figure_sidecar"], ensure_ascii=False),
                                          encoding="utf-8")
        else:
            self.save(data_path)
            path.write_bytes(render(self.table, self.roles, kind=kind, column=column))
        return path, data_path

    def figure_entry(self, path: str, data_path: str, description: str) -> dict:
        """The manifest entry of a figure drawn by :meth:`plot` (list the data table too)."""
        return {"path": path, "kind": "figure", "description": description, "data": data_path}

    def manifest_entry(self, path: str, description: str, **extra: Any) -> dict:
        entry: dict[str, Any] = {"path": path, "kind": "table", "description": description,
                                 "columns": self.roles,
                                 "provenance": f"{path}.provenance.json"}
        if self.column_group:
            entry["column_group"] = self.column_group
        if self.default_role:
            entry["default_role"] = self.default_role
        entry.update(extra)
        return entry
