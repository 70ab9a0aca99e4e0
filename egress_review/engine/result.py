"""Findings and verdicts of the disclosure-control engine (shared by every rule module)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["block", "review"]
Verdict = Literal["pass", "review", "block"]
_ORDER = {"pass": 0, "review": 1, "block": 2}


def plain(obj: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, tuples/sets to lists."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [plain(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    return obj


def worst(verdicts) -> Verdict:
    """block > review > pass."""
    out: Verdict = "pass"
    for v in verdicts:
        if _ORDER[v] > _ORDER[out]:
            out = v
    return out


@dataclass
class Finding:
    """One problem found by one check.

    ``location`` says where, with any of: ``row`` (1-based data row), ``line`` (1-based line
    in the file), ``column`` (column name), ``cell`` (spreadsheet-style reference, e.g. ``C7``),
    ``sheet``, ``cell_index`` (notebook cell), ``offset``/``length`` (characters), ``table``.
    """
    rule: str
    check: str
    severity: Severity
    file: str
    location: dict[str, Any]
    message_en: str
    message_zh: str
    suggested_suppression: list[dict[str, Any]] | None = None
    committee: bool = False

    def to_dict(self) -> dict[str, Any]:
        return plain(asdict(self))


@dataclass
class FileResult:
    path: str
    kind: str
    verdict: Verdict
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "verdict": self.verdict,
                "findings": [f.to_dict() for f in self.findings]}


@dataclass
class CheckResult:
    """The engine's answer for a request: verdict, per-file results, every finding."""
    verdict: Verdict
    files: list[FileResult]
    findings: list[Finding]
    case_code: str = ""
    engine_version: int = 1
    # Per table: the proposed complementary suppression pattern and attacker intervals.
    suppression: dict[str, Any] = field(default_factory=dict)
    # the counts a comment the requester writes later is compared with (E3, prose_tables)
    table_counts: list = field(default_factory=list)

    @property
    def committee(self) -> bool:
        """True when some finding must go to the committee path (E5)."""
        return any(f.committee for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "case_code": self.case_code,
                "engine_version": self.engine_version, "committee": self.committee,
                "files": [f.to_dict() for f in self.files],
                "findings": [f.to_dict() for f in self.findings],
                "suppression": plain(self.suppression), "table_counts": plain(self.table_counts)}
