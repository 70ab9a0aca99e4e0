"""Benchmark: what cutting a large CSV into row ranges costs (issue 18).

    python bench/row_ranges.py                  # ~400 MB outpatient file, part size 32 MB, 3 pairs
    python bench/row_ranges.py --mb 1000 --part-mb 128 --pairs 4

The file is the synthetic outpatient claims file repeated, quoted as the generator quotes
(every text field: ~30 quotes a row), with a chief complaint holding a quoted line end and
doubled quotes on every third row.  Baseline: the
SHA-256 pass the coordinator already makes over every source file (``files.check``).  Against
it, in the same process and alternating order: the planner's quote-aware pass
(``ranges.plan``) and the copies the parts make of their ranges (``ranges.readable``, in the
kernel).  CPU seconds of this process; the ratio is what the planner adds per byte checked.

    python bench/row_ranges.py --load-rows 200000 --load-part-mb 4

also loads a synthetic set of that many claim rows whole and cut at the given part size, in
this process, alternating which goes first (the first load pays the scrubber's imports once:
one warm-up load runs before the pairs): CPU and wall of each, their ratio, and the ranges.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _source(dst: Path, mb: int) -> Path:
    from datasets.synthetic import generate

    gen = dst / "gen"
    generate(gen, 20_000, seed=3, images=0)
    header, *lines = (gen / "H_NHI_OPDTE_2019.csv").read_bytes().split(b"\n")[:-1]
    # the generator's quoting (every text field quoted: ~30 quotes a row), and a chief
    # complaint with a quoted line end and doubled quotes on every third row that has none
    lines = [ln + b'"headache\nsince ""Monday"", worse at night"' if k % 3 == 0 and ln.endswith(b",")
             else ln for k, ln in enumerate(lines)]
    chunk = b"\n".join(lines) + b"\n"
    path = dst / "H_NHI_OPDTE_2019.csv"
    with open(path, "wb") as f:
        f.write(header + b"\n")
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
    ap.add_argument("--load-rows", type=int, default=0)
    ap.add_argument("--load-part-mb", type=float, default=4)
    args = ap.parse_args()
    if args.load_rows:
        _loads(args)
        return

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


def _loads(args) -> None:
    import shutil

    from datasets import keyring
    from datasets.load import load_release
    from datasets.synthetic import generate
    from enclave.settings import EnclaveSettings
    from policies import current_policy

    def policy(part: int):
        p = current_policy()
        return p.model_copy(update={"data": p.data.model_copy(update={"load_part_bytes": part})})

    part = int(args.load_part_mb * (1 << 20))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        generate(src, args.load_rows, seed=3, images=0)
        n = 0

        def load(part_bytes: int) -> tuple[float, float, int, int]:
            nonlocal n
            n += 1
            # a fresh home each time: a second load of the same files is refused as a duplicate
            home = EnclaveSettings(home=Path(tmp) / f"home{n}")
            keyring.master_key(home)
            t, c = time.perf_counter(), time.process_time()
            rep = load_release(src, "BENCH", home, policy=policy(part_bytes))
            cpu, wall = time.process_time() - c, time.perf_counter() - t
            files = sum(1 for _ in Path(rep.path).rglob("*.parquet"))
            for d in [Path(home.home)] + [x for x in Path(home.home).rglob("*") if x.is_dir()]:
                d.chmod(0o755)
            shutil.rmtree(home.home)
            return cpu, wall, rep.rows_read, files

        load(1 << 40)   # warm-up: imports, the scrubber's models
        print(f"{args.load_rows} claim rows; cut at {args.load_part_mb} MB")
        print("pair  whole CPU-s (wall)  cut CPU-s (wall)  cut/whole CPU  parquet files whole/cut")
        for k in range(args.pairs):
            order = [("whole", 1 << 40), ("cut", part)]
            if k % 2:
                order.reverse()
            r = {name: load(size) for name, size in order}
            assert r["whole"][2] == r["cut"][2]
            print(f"{k + 1:>4}  {r['whole'][0]:>11.2f} ({r['whole'][1]:.1f})  "
                  f"{r['cut'][0]:>9.2f} ({r['cut'][1]:.1f})  {r['cut'][0] / r['whole'][0]:>13.2f}"
                  f"  {r['whole'][3]}/{r['cut'][3]}")


if __name__ == "__main__":
    main()
