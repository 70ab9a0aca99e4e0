"""Benchmark: what cutting a large CSV into row ranges costs (issue 18).

    python bench/row_ranges.py                  # ~400 MB outpatient file, part size 32 MB, 3 pairs
    python bench/row_ranges.py --mb 1000 --part-mb 128 --pairs 4

The file is the synthetic outpatient claims file repeated (chief complaints with quoted line
ends and doubled quotes on every third row, so the planner's quote path runs).  Baseline: the
SHA-256 pass the coordinator already makes over every source file (``files.check``).  Against
it, in the same process and alternating order: the planner's quote-aware pass
(``ranges.plan``) and the copies the parts make of their ranges (``ranges.readable``, in the
kernel).  CPU seconds of this process; the ratio is what the planner adds per byte checked.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _source(dst: Path, mb: int) -> Path:
    from datasets.synthetic import generate

    gen = dst / "gen"
    generate(gen, 20_000, seed=3, images=0)
    with open(gen / "H_NHI_OPDTE_2019.csv", encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    i = header.index("CHIEF_COMPLAINT")
    for k, row in enumerate(body):
        if k % 3 == 0:
            row[i] = 'headache\nsince "Monday", worse at night'
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(body)
    chunk = out.getvalue().encode("utf-8")
    path = dst / "H_NHI_OPDTE_2019.csv"
    with open(path, "wb") as f:
        f.write((",".join(header) + "\n").encode())
        for _ in range(max(1, (mb << 20) // len(chunk))):
            f.write(chunk)
    return path


def _cpu(fn) -> float:
    c = time.process_time()
    fn()
    return time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=400)
    ap.add_argument("--part-mb", type=int, default=32)
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()

    from datasets.load import ranges as RG
    from datasets.load.files import CHUNK, check, discover

    with tempfile.TemporaryDirectory() as tmp:
        path = _source(Path(tmp), args.mb)
        [sf] = [f for f in discover(path.parent, None, {}) if f.name == path.name]
        check(sf, {}, Path(tmp) / "stage")
        part = args.part_mb << 20
        units = RG.with_copies(RG.expand([sf], part), Path(tmp) / "rows")
        print(f"{path.name}: {sf.size / 2**20:.0f} MB, part size {args.part_mb} MB: "
              f"{len(units)} ranges")

        def sha() -> None:
            h = hashlib.sha256()
            with open(path, "rb") as f:
                while block := f.read(CHUNK):
                    h.update(block)

        def plan() -> None:
            RG.plan(sf, part)

        def copies() -> None:
            for u in units:
                with RG.readable(u):
                    pass

        print("pair  sha256 CPU-s  plan CPU-s  plan/sha256  copies CPU-s  copies/sha256")
        for k in range(args.pairs):
            order = [("sha", sha), ("plan", plan), ("copies", copies)]
            if k % 2:
                order.reverse()
            t = {name: _cpu(fn) for name, fn in order}
            print(f"{k + 1:>4}  {t['sha']:>12.2f}  {t['plan']:>10.2f}  {t['plan'] / t['sha']:>11.2f}"
                  f"  {t['copies']:>12.2f}  {t['copies'] / t['sha']:>13.2f}")


if __name__ == "__main__":
    main()
