"""Benchmark: the steward load in one process vs across Dask worker processes, same files.

    python bench/data_load_workers.py                       # 1,000,000 claim rows, 3 pairs
    python bench/data_load_workers.py --rows 200000 --pairs 2 --workers 2 3

Each load runs in a fresh interpreter (it pays the scrubber's imports, as ``enclave data load``
does; a worker process pays them too).  CPU is every process's: the load, its Dask workers
and tesseract, from the parent's ``RUSAGE_CHILDREN`` once the load's process has exited.
Loads alternate (1 worker first, then N; then N first) and each pair is printed, because the
machine is shared: wall time says what a steward waits, CPU time what the load costs.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def _one(src: Path, home: Path, workers: int) -> dict:
    """In the child: one load, its figures as JSON."""
    from datasets.load import load_release
    from enclave.settings import EnclaveSettings

    t, c = time.perf_counter(), time.process_time()
    rep = load_release(src, "BENCH", EnclaveSettings(home=home), workers=workers)
    return {"wall_s": round(time.perf_counter() - t, 2), "coordinator_cpu_s": round(time.process_time() - c, 2),
            "rows": rep.rows_read, "parts": rep.parts}


def _load(src: Path, home: Path, workers: int) -> dict:
    if home.exists():
        for d in [home] + [x for x in home.rglob("*") if x.is_dir()]:
            d.chmod(0o755)
        shutil.rmtree(home)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", str(src), str(home), str(workers)],
                         check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    fig["workers"] = workers
    fig["process_wall_s"] = round(wall, 2)      # with interpreter start and cluster set-up
    fig["cpu_s"] = round((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 2)
    fig["rows_per_s"] = round(fig["rows"] / fig["wall_s"])
    fig["rows_per_s_per_worker"] = round(fig["rows_per_s"] / workers)
    fig["rows_per_cpu_s"] = round(fig["rows"] / fig["cpu_s"])
    return fig


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(_one(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="claim rows to generate")
    ap.add_argument("--images", type=int, default=8, help="DICOM studies in the set")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/nhi-bench-workers"))
    ap.add_argument("--reuse", action="store_true", help="reuse source files already in --dir")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--workers", type=int, nargs="+", default=[2], help="worker counts against 1")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    src = args.dir / "source"
    if not (args.reuse and (src / "MANIFEST.json").exists()):
        from datasets.synthetic import generate

        shutil.rmtree(args.dir, ignore_errors=True)
        generate(src, args.rows, images=args.images)
    runs = []
    for i in range(args.pairs):
        for n in args.workers:
            order = [1, n] if i % 2 == 0 else [n, 1]
            pair = {w: _load(src, args.dir / f"home-{w}", w) for w in order}
            one, many = pair[1], pair[n]
            row = {"pair": i + 1, "workers": n, "first": order[0], "rows": one["rows"],
                   "one_wall_s": one["wall_s"], "one_cpu_s": one["cpu_s"],
                   "n_wall_s": many["wall_s"], "n_cpu_s": many["cpu_s"],
                   "speedup_wall": round(one["wall_s"] / many["wall_s"], 2),
                   "cpu_ratio_n_over_one": round(many["cpu_s"] / one["cpu_s"], 2),
                   "one_rows_per_s": one["rows_per_s"], "n_rows_per_s": many["rows_per_s"],
                   "n_rows_per_s_per_worker": many["rows_per_s_per_worker"],
                   "one_rows_per_cpu_s": one["rows_per_cpu_s"], "n_rows_per_cpu_s": many["rows_per_cpu_s"],
                   "parts": [{k: p[k] for k in ("worker", "files", "rows", "wall_s", "cpu_s", "rows_per_s")}
                             for p in many["parts"]]}
            runs.append(row)
            if not args.json:
                print(f"pair {row['pair']} ({order[0]} first): 1 worker {one['wall_s']} s / "
                      f"{one['cpu_s']} CPU-s, {one['rows_per_s']:,} rows/s; {n} workers "
                      f"{many['wall_s']} s / {many['cpu_s']} CPU-s, {many['rows_per_s']:,} rows/s "
                      f"({many['rows_per_s_per_worker']:,} per worker); speed-up "
                      f"{row['speedup_wall']}x, CPU {row['cpu_ratio_n_over_one']}x", flush=True)
                for p in row["parts"]:
                    print(f"    worker {p['worker']}: {p['files']} files, {p['rows']:,} rows in "
                          f"{p['wall_s']} s ({p['cpu_s']} CPU-s), {p['rows_per_s']:,} rows/s", flush=True)
    if args.json:
        print(json.dumps({"pairs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
