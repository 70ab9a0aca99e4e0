"""The first check of a fresh process, with the built tables' cache cold (an empty cache
directory: jieba's dictionary and the name tables built from their sources) and warm (the same
directory after that run; ``deidentify.warm_cache``).  Two workloads, each a whole process:

- ``egress``: ``enclave egress check`` of a small request (a 40-row table with Han labels and
  a two-line note with a name and an e-mail address);
- ``deid``: ``find_identifiers`` and ``scrub_texts`` on three short notes.

Wall and CPU time (user + system of the child), several pairs since this machine is shared.
``--before DIR``: also run each workload from an older checkout of the project (put first on
``PYTHONPATH``; its own caches as they are), interleaved with the warm runs.

    python bench/first_check.py [--pairs 3] [--only egress|deid] [--before /tmp/old-checkout]
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

DEID = ("from deidentify.text import find_identifiers, scrub_texts\n"
        "notes = ['病患王小明，住台北市大安區，電話0912-345-678，由陳醫師看診。',\n"
        "         '家屬吳淑珍表示病人昨晚發燒。', 'Dr. Lin saw the patient, ID A123456789.']\n"
        "print([find_identifiers(t) for t in notes], scrub_texts(notes))\n")


def _request(d: Path) -> None:
    rnd = random.Random(1)
    regions = ["臺北市", "新北市", "桃園市", "臺中市", "臺南市"]
    rows = ["region,age,sex,n"] + [f"{r},{a * 20}-{a * 20 + 19},{s},{rnd.randint(10, 500)}"
                                   for r in regions for a in range(4) for s in ("男", "女")]
    (d / "t.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (d / "note.txt").write_text("本研究分析糖尿病患者共計1,234人，平均年齡62.3歲。感謝陳教授協助。\n"
                                "Contact: analyst@example.org\n", encoding="utf-8")
    g = {"role": "group"}
    yaml.safe_dump({"version": 1, "case_code": "C1", "purpose": "bench", "files": [
        {"path": "t.csv", "kind": "table", "description": "counts",
         "columns": {"region": g, "age": g, "sex": g, "n": {"role": "count"}}},
        {"path": "note.txt", "kind": "text", "description": "summary"}]},
        (d / "manifest.yaml").open("w", encoding="utf-8"), allow_unicode=True)


def _run(cmd: list[str], cwd: Path, cache: Path, before: str | None = None) -> tuple[float, float, str]:
    env = {**os.environ, "NHI_ENCLAVE_CACHE_DIR": str(cache)}
    if before:
        env["PYTHONPATH"] = before + os.pathsep + env.get("PYTHONPATH", "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0, 3, 4):          # pass, review, block
        sys.exit(f"{cmd} failed:\n{out.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--only", choices=("egress", "deid"))
    ap.add_argument("--before", help="an older checkout of the project, to compare with")
    args = ap.parse_args()
    enclave = shutil.which("enclave") or sys.exit("the enclave command is not installed")
    workloads = {"egress": [enclave, "egress", "check", "manifest.yaml"],
                 "deid": [sys.executable, "-c", DEID]}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _request(d)
        print(f"{'workload':>8} {'pair':>4} {'cold wall':>9} {'cold cpu':>8} {'warm wall':>9} "
              f"{'warm cpu':>8} {'cpu warm/cold':>13} {'same output':>11}"
              + (f" {'before cpu':>10} {'warm/before':>11}" if args.before else ""))
        for name, cmd in workloads.items():
            if args.only and name != args.only:
                continue
            for k in range(args.pairs):
                cache = d / f"cache-{name}-{k}"
                cw, cc, cold_out = _run(cmd, d, cache)       # empty directory: built, written
                ww, wc, warm_out = _run(cmd, d, cache)       # read back
                line = (f"{name:>8} {k + 1:>4} {cw:>8.2f}s {cc:>7.2f}s {ww:>8.2f}s {wc:>7.2f}s "
                        f"{wc / cc:>13.2f} {str(cold_out == warm_out):>11}")
                if args.before:
                    _, bc, _ = _run(cmd, d, cache, args.before)
                    line += f" {bc:>9.2f}s {wc / bc:>11.2f}"
                print(line)


if __name__ == "__main__":
    main()
