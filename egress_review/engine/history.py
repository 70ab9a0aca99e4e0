"""The case's release history, for differencing against everything released before (E3)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from egress_review.manifest import Manifest
from egress_review.engine import share_counts, share_ranges
from egress_review.engine.tables import Table, TableError, read_table

# released files whose sentences state counts a later text may be a few away from
TEXT_KINDS = {"text", "notebook"}


@dataclass
class ReleasedTable:
    request: int            # position of the released request in the history
    case_code: str
    table: Table


@dataclass
class ReleaseHistory:
    """Tables released earlier for the same case, and the counts their texts state.

    Build it with :meth:`from_released` from ``(manifest, root)`` pairs: each manifest of a
    released request and the directory holding its released files.  Files that can no longer be
    read are listed in ``unreadable`` (the engine reports them for review, never ignores them).
    """
    tables: list[ReleasedTable] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    case_codes: set[str] = field(default_factory=set)
    # counts of persons the released texts state: (path, value), for prose_tables (E3)
    text_counts: list[tuple[str, float]] = field(default_factory=list)

    @classmethod
    def from_released(cls, items: Iterable[tuple[Manifest, Path]]) -> "ReleaseHistory":
        h = cls()
        for n, (manifest, root) in enumerate(items):
            h.case_codes.add(manifest.case_code)
            for spec in manifest.files:
                if spec.kind in TEXT_KINDS:
                    h._read_counts(Path(root), spec.path, f"history[{n}]/{spec.path}",
                                   (n, manifest.case_code))
                if spec.kind != "table":
                    continue
                try:
                    t = read_table(Path(root), spec)
                except TableError as e:
                    h.unreadable.append(f"request {n}: {e}")
                    continue
                t.path = f"history[{n}]/{spec.path}"
                # its percents over a stated N are the counts they stand for (share_counts); a
                # column that only repeats that N counts no row and is linked no more
                repeated_n, shares = share_counts.split(t)
                share_ranges.views(t)     # coarse percents' ranges, read while N is there (E3 round 15)
                if repeated_n:
                    t.df = t.df.drop(columns=repeated_n)
                    t.inferred_counts = [c for c in t.inferred_counts if c not in repeated_n]
                h.tables.append(ReleasedTable(request=n, case_code=manifest.case_code, table=t))
                h.tables.extend(ReleasedTable(request=n, case_code=manifest.case_code, table=v)
                                for v in shares)
        return h

    def _read_table_one(self, unit, path: str, request: tuple[int, str]) -> None:
        """A paper's Table 1 released in a text file: its variables as count tables, so that a
        later table is differenced against them (:mod:`table_one`)."""
        from egress_review.engine.structure import infer
        from egress_review.engine.table_one import views
        from egress_review.engine.unit_tables import _header_row

        if unit.oversize_rows:
            return
        pieces, _ = views(unit.rows, path, _header_row(unit.rows))
        for v in pieces:
            t = Table(path=v.spec.path, spec=v.spec, df=v.df.reset_index(drop=True))
            self.tables.append(ReleasedTable(request[0], request[1], infer(t)))

    def _read_shares(self, unit, full: Path, path: str, request: tuple[int, str]) -> None:
        """A percent-only table released in a text file with its total (a title, a total row, a
        note): the counts it stood for (share × N), for a later table to be differenced
        against (:func:`unit_tables.read_table_unit`)."""
        from egress_review.engine.structure import infer
        from egress_review.engine.table_units import around_text
        from egress_review.engine.unit_tables import read_table_unit

        if unit.oversize_rows:
            return
        for v in read_table_unit(unit.rows, path, unit.caption, around=around_text(full, unit)).views:
            if "#shares" in v.spec.path:
                t = Table(path=v.spec.path, spec=v.spec, df=v.df.reset_index(drop=True))
                self.tables.append(ReleasedTable(request[0], request[1], infer(t)))

    def _read_counts(self, root: Path, path: str, label: str, request: tuple[int, str]) -> None:
        from egress_review.engine.prose import read_numbers
        from egress_review.engine.readers import TableUnit, TextUnit, read_content

        try:
            content = read_content((root / path).read_bytes(), path)
        except OSError as e:
            self.unreadable.append(f"{label}: {e}")
            return
        # the units prose_check.check_across compares: no program source, no labelled values
        for k, u in enumerate(content.units):
            if isinstance(u, TableUnit):
                self._read_table_one(u, f"{label}#{k + 1}", request)
                self._read_shares(u, root / path, f"{label}#{k + 1}", request)
            if isinstance(u, TextUnit) and not u.code and not u.place.get("labelled"):
                self.text_counts.extend((label, n.value) for n in read_numbers(u.text)
                                        if n.kind == "count" and n.value is not None)

    @classmethod
    def from_dir(cls, directory: Path) -> "ReleaseHistory":
        """Every ``*/manifest.(yaml|yml|json)`` under ``directory``: one released request each."""
        from egress_review.manifest import load_manifest

        items = []
        for m in sorted(Path(directory).glob("*/manifest.*")):
            if m.suffix.lower() in (".yaml", ".yml", ".json"):
                items.append((load_manifest(m), m.parent))
        return cls.from_released(items)
