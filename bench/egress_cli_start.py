"""The researcher's pre-check from the command line: ``enclave egress check`` of one
3,000-cell table (25 regions × 20 age bands × 2 sexes), wall and CPU time of the whole process
(start-up, imports, the check), next to a baseline run in the same loop: a Python process that
imports pandas and reads the same CSV (the floor of any pandas-based check).  Issue 13/21 target:
under 1 s.  Several pairs, since this machine is shared and noisy.

    python bench/egress_cli_start.py [--pairs 5]
"""
from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml


def _write(d: Path) -> None:
    rnd = random.Random(1)
    rows = ["region,age,sex,n"] + [f"r{r},{a * 5}-{a * 5 + 4},{s},{rnd.randint(10, 500)}"
                                   for r in range(25) for a in range(20) for s in "MF"]
    (d / "t.csv").write_text("\n".join(rows) + "\n")
    g = {"role": "group"}
    yaml.safe_dump({"version": 1, "case_code": "C1", "purpose": "bench", "files": [
        {"path": "t.csv", "kind": "table", "description": "counts",
         "columns": {"region": g, "age": g, "sex": g, "n": {"role": "count"}}}]},
        (d / "manifest.yaml").open("w"))


def _run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=5)
    args = ap.parse_args()
    enclave = shutil.which("enclave") or sys.exit("the enclave command is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _write(d)
        base_cmd = [sys.executable, "-c", "import pandas; pandas.read_csv('t.csv')"]
        print(f"{'pair':>4} {'check wall':>10} {'check cpu':>9} {'floor wall':>10} "
              f"{'floor cpu':>9} {'cpu ratio':>9}")
        for k in range(args.pairs):
            cw, cc = _run([enclave, "egress", "check", "manifest.yaml"], d)
            bw, bc = _run(base_cmd, d)
            print(f"{k + 1:>4} {cw:>9.2f}s {cc:>8.2f}s {bw:>9.2f}s {bc:>8.2f}s {cc / bc:>9.2f}")


if __name__ == "__main__":
    main()
