from __future__ import annotations

from pathlib import Path

import pytest

from egress_review.engine import check_request
from egress_review.manifest import parse_manifest
from policies.sections.egress import EgressPolicy

KEY = b"provenance-test-key-0123456789ab"


def make_request(root: Path, files: dict[str, str | bytes], entries: list[dict], **kw):
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    manifest = parse_manifest({"version": 1, "case_code": "R-TEST", "purpose": "tests",
                               "files": entries})
    kw.setdefault("policy", EgressPolicy())
    kw.setdefault("provenance_key", KEY)
    return check_request(manifest, root, **kw)


def by(result, check=None, rule=None, severity=None, file=None):
    return [f for f in result.findings
            if (check is None or f.check == check) and (rule is None or f.rule == rule)
            and (severity is None or f.severity == severity) and (file is None or f.file == file)]


G = {"role": "group"}
SUPP = {"role": "suppressed"}
COUNT = {"role": "count"}


def table(path, columns, **kw):
    """A manifest entry for a table with these column roles."""
    return {"path": path, "kind": "table", "description": "t", "columns": columns, **kw}


def one_table(run, text: str, columns: dict, **kw):
    """The CSV ``text`` as the request's only file, a table with these column roles."""
    return run({"t.csv": text}, [table("t.csv", columns, **kw)])


def derives(result, value, check="differencing") -> bool:
    """Some finding of ``check`` says ``value`` can be worked out (a difference of cells)."""
    return value in [f.location.get("value") for f in by(result, check=check)]


def pins(result, value, check=None) -> bool:
    """Some finding (of ``check``) pins a suppressed cell to exactly ``value``."""
    return any(f.location.get("interval") == [value, value] for f in by(result, check=check))


def said(result) -> list:
    """What the findings say, for an assertion's message."""
    return [(f.check, f.message_en, f.location) for f in result.findings]


@pytest.fixture
def run(tmp_path):
    def _run(files, entries, **kw):
        return make_request(tmp_path, files, entries, **kw)
    return _run


def lp_interval(x, supp, i, j) -> tuple[int, float]:
    """The attacker's interval for cell (i, j) of the two-way table ``x`` by linear programming:
    every row and column total published, every cell outside ``supp`` fixed.  An independent
    oracle for the engine's max-flow intervals; inf where nothing bounds the cell above."""
    import numpy as np
    from scipy.optimize import linprog

    R, C = x.shape
    A, b = [], []
    for r in range(R):
        v = np.zeros(R * C); v[r * C:(r + 1) * C] = 1; A.append(v); b.append(x[r].sum())
    for c in range(C):
        v = np.zeros(R * C); v[c::C] = 1; A.append(v); b.append(x[:, c].sum())
    for r, c in zip(*np.nonzero(~supp)):
        v = np.zeros(R * C); v[r * C + c] = 1; A.append(v); b.append(x[r, c])
    t = np.zeros(R * C); t[i * C + j] = 1
    lo = linprog(t, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    hi = linprog(-t, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    return round(lo.fun), (round(-hi.fun) if hi.status == 0 else float("inf"))


def one_release_history(tmp_path: Path, name: str, text: str, entry: dict):
    """The case's history: one earlier release of the file ``name`` (``text``, its manifest
    ``entry``), for the checks that compare a new request with what already left."""
    from egress_review.engine.history import ReleaseHistory

    old = tmp_path / "old"
    old.mkdir()
    (old / name).write_text(text)
    return ReleaseHistory.from_released([(parse_manifest(
        {"version": 1, "case_code": "R-TEST", "purpose": "p", "files": [entry]}), old)])
