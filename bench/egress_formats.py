"""Checking files by format: a notebook with 50 outputs and a 10 MB workbook (issue 20).

Targets: the notebook checked in under 1 s, the 10 MB .xlsx in under 3 s.  Each is printed next
to a baseline measured in the same process at the same time (the machine's load moves both):
for the notebook ``nbformat.reads`` of the same file, for the workbook python-calamine reading
every cell value of it (the reader's own floor; a full ``openpyxl.load_workbook`` was ~15× that
here).  The ratio is what to compare between machines.

    python bench/egress_formats.py [--outputs 50] [--xlsx-mb 10]
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def notebook_bytes(outputs: int, seed: int = 0) -> bytes:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    rng = np.random.default_rng(seed)
    cells = []
    for i in range(outputs):
        df = pd.DataFrame({"region": [f"r{k}" for k in range(12)],
                           "n": rng.integers(10, 5000, 12)})
        kind = i % 3
        if kind == 0:
            out = new_output("execute_result", execution_count=i + 1,
                             data={"text/html": df.to_html(), "text/plain": repr(df)})
        elif kind == 1:
            out = new_output("stream", name="stdout",
                             text=f"Among {int(df.n.sum()):,} patients enrolled in 2019, "
                                  f"{int(df.n.iloc[0]):,} lived in r0 (p = 0.03).\n")
        else:
            out = new_output("execute_result", execution_count=i + 1,
                             data={"text/plain": repr(df.set_index("region")["n"])})
        cells.append(new_code_cell(f"cell_{i}()", outputs=[out], execution_count=i + 1))
        if i % 10 == 0:
            cells.append(new_markdown_cell(f"## Step {i}\n\nWe enrolled {1000 + i:,} patients in 2020."))
    return nbformat.writes(new_notebook(cells=cells)).encode()


def xlsx_bytes(target_mb: float) -> bytes:
    import openpyxl

    rng = np.random.default_rng(1)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("counts")
    ws.append(["region", "age group", "sex", "n", "persons", "visits", "cases", "count"])
    rows = int(target_mb * 1e6 / 47)          # about 47 bytes per row once zipped
    ages = ["0-19", "20-39", "40-59", "60-79", "80+"]
    for i in range(rows):
        ws.append([f"region {i}", ages[i % 5], "F" if i % 2 else "M",
                   *map(int, rng.integers(10, 100_000, 5))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def check(name: str, content: bytes, kind: str) -> tuple[float, str, int]:
    from egress_review.engine import check_request
    from egress_review.manifest import parse_manifest
    from policies.sections.egress import EgressPolicy

    with tempfile.TemporaryDirectory() as d:
        (Path(d) / name).write_bytes(content)
        m = parse_manifest({"version": 1, "case_code": "B", "purpose": "bench",
                            "files": [{"path": name, "kind": kind, "description": "bench"}]})
        t = time.perf_counter()
        r = check_request(m, Path(d), policy=EgressPolicy(), provenance_key=b"k" * 32)
        return time.perf_counter() - t, r.verdict, len(r.findings)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--outputs", type=int, default=50)
    ap.add_argument("--xlsx-mb", type=float, default=10.0)
    a = ap.parse_args()

    import nbformat
    from python_calamine import CalamineWorkbook

    check("warm.ipynb", notebook_bytes(2), "notebook")          # imports and caches warmed
    check("warm.xlsx", xlsx_bytes(0.05), "text")                 # (name tables, Presidio too)
    nb = notebook_bytes(a.outputs)
    t = time.perf_counter()
    nbformat.reads(nb.decode(), as_version=4)
    base = time.perf_counter() - t
    secs, verdict, n = check("bench.ipynb", nb, "notebook")
    print(f"notebook, {a.outputs} outputs ({len(nb) / 1e3:.0f} kB): check {secs:.3f} s "
          f"(target < 1 s), verdict {verdict}, {n} findings; nbformat.reads {base:.3f} s, "
          f"ratio {secs / base:.1f}x")

    x = xlsx_bytes(a.xlsx_mb)
    t = time.perf_counter()
    wb = CalamineWorkbook.from_filelike(io.BytesIO(x))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
    base = time.perf_counter() - t
    secs, verdict, n = check("bench.xlsx", x, "text")
    print(f"workbook ({len(x) / 1e6:.1f} MB): check {secs:.2f} s (target < 3 s), verdict {verdict}, "
          f"{n} findings; calamine read {base:.2f} s, ratio {secs / base:.1f}x")


if __name__ == "__main__":
    main()
