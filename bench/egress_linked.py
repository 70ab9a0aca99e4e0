"""Request-wide E3 rules with the linked series built once per request vs once per rule.

differencing, nested_pairs and total_gaps link the same tables (``Context.linked``).  This
checks one generated request (``--tables`` count tables by region/age/sex, ``--history``
earlier releases of the case) both ways, alternating in one process, and prints the median
time of each, their ratio, and whether the findings are the same (they must be).

    python bench/egress_linked.py [--tables 6] [--history 6] [--rounds 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GROUPS = {"region": [f"r{k}" for k in range(8)], "age": ["0-19", "20-39", "40-59", "60+"],
          "sex": ["F", "M"]}


def write_tables(root: Path, n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    names = list(GROUPS)
    entries = []
    root.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        g = [names[k % 3]] + ([names[(k + 1) % 3]] if k % 2 else [])
        rows = [[a] for a in GROUPS[g[0]]]
        if len(g) == 2:
            rows = [r + [b] for r in rows for b in GROUPS[g[1]]]
        lines = [",".join(g + ["n"])] + [",".join(r + [str(int(rng.integers(20, 400)))]) for r in rows]
        path = f"t{k}.csv"
        (root / path).write_text("\n".join(lines) + "\n")
        entries.append({"path": path, "kind": "table", "description": "t",
                        "columns": {**{c: {"role": "group"} for c in g}, "n": {"role": "count"}}})
    return entries


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=6)
    ap.add_argument("--history", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from egress_review.engine import check_request
    from egress_review.engine.context import Context
    from egress_review.engine.history import ReleaseHistory
    from egress_review.engine.linking import Linked
    from egress_review.manifest import parse_manifest
    from policies.sections.egress import EgressPolicy

    def manifest(entries):
        return parse_manifest({"version": 1, "case_code": "R-B", "purpose": "bench", "files": entries})

    shared = Context.linked

    def per_rule(self, items):        # the former behaviour: every rule builds its own
        return Linked(items)

    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        released = []
        for h in range(args.history):
            released.append((manifest(write_tables(d / f"old{h}", args.tables, 100 + h)), d / f"old{h}"))
        history = ReleaseHistory.from_released(released)
        new = manifest(write_tables(d / "new", args.tables, 1))
        pol = EgressPolicy()
        times: dict[str, list[float]] = {"once": [], "per_rule": []}
        said = {}
        for _ in range(args.rounds):
            for mode in ("once", "per_rule"):
                Context.linked = shared if mode == "once" else per_rule
                t = time.perf_counter()
                r = check_request(new, d / "new", policy=pol, history=history,
                                  provenance_key=b"k" * 32)
                times[mode].append(time.perf_counter() - t)
                said[mode] = [(f.check, f.severity, f.file, f.message_en) for f in r.findings]
        Context.linked = shared
    once, per = statistics.median(times["once"]), statistics.median(times["per_rule"])
    print(f"{args.tables} tables + {args.history} releases of {args.tables}: "
          f"built once {once * 1000:.0f} ms, per rule {per * 1000:.0f} ms, ratio {per / once:.2f}; "
          f"findings {'identical' if said['once'] == said['per_rule'] else 'DIFFER'} "
          f"({len(said['once'])})")
    return 0 if said["once"] == said["per_rule"] else 1


if __name__ == "__main__":
    sys.exit(main())
