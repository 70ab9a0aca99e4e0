"""The case's release history, for differencing against everything released before (E3)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from egress_review.manifest import Manifest
from egress_review.engine.tables import Table, TableError, read_table


@dataclass
class ReleasedTable:
    request: int            # position of the released request in the history
    case_code: str
    table: Table


@dataclass
class ReleaseHistory:
    """Tables released earlier for the same case.

    Build it with :meth:`from_released` from ``(manifest, root)`` pairs: each manifest of a
    released request and the directory holding its released files.  Files that can no longer be
    read are listed in ``unreadable`` (the engine reports them for review, never ignores them).
    """
    tables: list[ReleasedTable] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    case_codes: set[str] = field(default_factory=set)

    @classmethod
    def from_released(cls, items: Iterable[tuple[Manifest, Path]]) -> "ReleaseHistory":
        h = cls()
        for n, (manifest, root) in enumerate(items):
            h.case_codes.add(manifest.case_code)
            for spec in manifest.files:
                if spec.kind != "table":
                    continue
                try:
                    t = read_table(Path(root), spec)
                except TableError as e:
                    h.unreadable.append(f"request {n}: {e}")
                    continue
                t.path = f"history[{n}]/{spec.path}"
                h.tables.append(ReleasedTable(request=n, case_code=manifest.case_code, table=t))
        return h

    @classmethod
    def from_dir(cls, directory: Path) -> "ReleaseHistory":
        """Every ``*/manifest.(yaml|yml|json)`` under ``directory``: one released request each."""
        from egress_review.manifest import load_manifest

        items = []
        for m in sorted(Path(directory).glob("*/manifest.*")):
            if m.suffix.lower() in (".yaml", ".yml", ".json"):
                items.append((load_manifest(m), m.parent))
        return cls.from_released(items)
