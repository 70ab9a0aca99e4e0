"""Egress engine vs ACRO on the same 1,000,000-row data: a 200×47 crosstab with suppression.

This engine: safe_tables.crosstab (with margins) → CSV + sealed provenance → check_request with
every rule, including the exact interval audit and a complementary (secondary) suppression
pattern.  ACRO 1.0.2: ``acro.crosstab(..., margins=True)`` with suppression, threshold set to
the policy's ``min_units_per_cell``; ACRO does primary suppression only.

ACRO pins pandas<=2.3.3 while this project runs pandas 3, so ACRO runs in its own virtualenv
(``ACRO_PYTHON``, default /opt/enclave-acro/bin/python as scripts/setup.sh makes it from the
``acro-oracle`` extra) on the very same Parquet file, timed inside that process around the
crosstab call only.  Imports (Presidio, ACRO) are warmed up before timing in both.

Also printed: a bare ``pandas.crosstab`` of the same data with margins (what any check costs at
least: target, the full check within 3x of it), and the start-up of the researcher's pre-check
``enclave egress check <table>`` in a fresh process (target under 1 s), next to a bare
``python -c pass`` and ``python -c "import pandas"`` on the same machine at the same time (the
machine's load moves all three alike; the ratios are what to compare).

    python bench/egress_vs_acro.py [--rows 1000000] [--diag-skew 1.1] [--region-skew 0.8]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ACRO_SCRIPT = r"""
import json, sys, time, warnings, logging
warnings.filterwarnings("ignore"); logging.disable(logging.CRITICAL)
import pandas as pd
from acro import ACRO
df = pd.read_parquet(sys.argv[1])
threshold = int(sys.argv[2])
acro = ACRO(suppress=True)
acro.sdc_checks.risk_appetite["safe_threshold"] = threshold if hasattr(acro, "sdc_checks") else None
t0 = time.perf_counter()
tab = acro.crosstab(df["diag"], df["region"], margins=True)
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "shape": list(tab.shape),
                  "suppressed": int(tab.isna().sum().sum())}))
"""


def make_data(rows: int, diag_skew: float, region_skew: float, seed: int = 2026) -> pd.DataFrame:
    """Diagnosis (200 codes) and region (47) with Zipf-like frequencies, so the tail is small."""
    rng = np.random.default_rng(seed)
    p_diag = 1.0 / np.arange(1, 201) ** diag_skew
    p_reg = 1.0 / np.arange(1, 48) ** region_skew
    diag = rng.choice(200, rows, p=p_diag / p_diag.sum())
    reg = rng.choice(47, rows, p=p_reg / p_reg.sum())
    return pd.DataFrame({
        "diag": np.array([f"D{d:03d}" for d in range(200)])[diag],
        "region": np.array([f"R{r:02d}" for r in range(47)])[reg]})


def run_engine(df: pd.DataFrame, workdir: Path) -> tuple[float, dict]:
    from egress_review.engine import check_request
    from egress_review.manifest import parse_manifest
    from egress_review.safe_tables import crosstab
    from policies import current_policy

    key = os.urandom(32)
    policy = current_policy().egress
    t0 = time.perf_counter()
    t = crosstab(df, "diag", "region", margins=True)
    t.save(workdir / "ct.csv", key=key)
    manifest = parse_manifest({"version": 1, "case_code": "BENCH", "purpose": "benchmark",
                               "files": [t.manifest_entry("ct.csv", "diagnosis by region")]})
    result = check_request(manifest, workdir, policy=policy, provenance_key=key)
    dt = time.perf_counter() - t0
    prop = [e.get("proposal") for e in result.suppression.get("ct.csv", []) if e.get("proposal")]
    info = {"verdict": result.verdict, "findings": len(result.findings)}
    if prop:
        p = prop[0]
        info.update(primary=sum(c["primary"] for c in p["cells"]),
                    secondary=sum(not c["primary"] for c in p["cells"]),
                    pattern_ok=p["ok"],
                    narrowest_interval=min((iv["interval"][1] if iv["interval"][1] is not None else 1e18)
                                           - iv["interval"][0] for iv in p["intervals"]))
    return dt, info


def bare_crosstab(df: pd.DataFrame) -> float:
    pd.crosstab(df["diag"].head(1000), df["region"].head(1000), margins=True)   # warm
    t0 = time.perf_counter()
    pd.crosstab(df["diag"], df["region"], margins=True)
    return time.perf_counter() - t0


def _median_run(cmd: list[str], cwd: Path, n: int = 3) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system of the child) of ``n`` runs: on a
    busy machine the CPU time is the steadier figure."""
    import resource

    walls, cpus = [], []
    for _ in range(n):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True)
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return sorted(walls)[n // 2], sorted(cpus)[n // 2]


def cli_startup(work: Path) -> dict:
    """Wall time of a fresh ``enclave egress check`` on a small table, with baselines."""
    table = work / "small.csv"
    table.write_text("age,sex,n\n20-29,M,30\n20-29,F,40\n30-39,M,50\n30-39,F,60\n")
    enclave = Path(sys.executable).with_name("enclave")
    cli = [str(enclave)] if enclave.exists() else [sys.executable, "-m", "enclave.cli.main"]
    return {"cli_check_s": _median_run(cli + ["egress", "check", str(table), "--root", str(work)], work),
            "python_pass_s": _median_run([sys.executable, "-c", "pass"], work),
            "python_import_pandas_s": _median_run([sys.executable, "-c", "import pandas"], work)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--diag-skew", type=float, default=1.1,
                    help="Zipf exponent of the 200 diagnoses (1.3 gives ~2,500 small cells)")
    ap.add_argument("--region-skew", type=float, default=0.8)
    args = ap.parse_args()
    acro_py = os.environ.get("ACRO_PYTHON", "/opt/enclave-acro/bin/python")
    df = make_data(args.rows, args.diag_skew, args.region_skew)
    from policies import current_policy

    threshold = current_policy().egress.min_units_per_cell
    import deidentify.text  # noqa: F401  warm the Presidio import outside the timing
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        data = work / "data.parquet"
        df.to_parquet(data)
        run_engine(df.sample(20_000, random_state=1), work)      # warm-up (imports, caches)
        ours, info = run_engine(df, work)
        print(f"rows={len(df):,}  table=200x47 (+margins)  threshold={threshold}  "
              f"skew={args.diag_skew}/{args.region_skew}")
        print(f"engine: {ours:.3f} s  {json.dumps(info, default=float)}")
        bare = bare_crosstab(df)
        print(f"bare pandas.crosstab(margins=True): {bare:.3f} s   "
              f"full check / bare crosstab: {ours / bare:.1f}x (target <= 3x)")
        st = cli_startup(work)
        (cw, cc), (pw, pc), (iw, ic) = st["cli_check_s"], st["python_pass_s"], st["python_import_pandas_s"]
        print(f"CLI pre-check, fresh process, small table: {cw:.2f} s wall / {cc:.2f} s CPU "
              f"(target < 1 s); python -c pass: {pw:.2f} / {pc:.2f} s; python -c 'import pandas': "
              f"{iw:.2f} / {ic:.2f} s; CLI / import pandas: {cw / iw:.1f}x wall, {cc / ic:.1f}x CPU")
        if not Path(acro_py).exists():
            print(f"ACRO: not run: {acro_py} missing (see the module docstring to create it)")
            return
        script = work / "acro_run.py"
        script.write_text(ACRO_SCRIPT)
        proc = subprocess.run([acro_py, str(script), str(data), str(threshold)],
                              capture_output=True, text=True, cwd=work)
        line = next((l for l in proc.stdout.splitlines() if l.startswith("{")), None)
        if proc.returncode != 0 or line is None:
            print("ACRO failed:", proc.stderr[-2000:])
            sys.exit(1)
        acro = json.loads(line)
        print(f"ACRO:   {acro['seconds']:.3f} s  shape={acro['shape']} suppressed={acro['suppressed']}")
        print(f"ratio ACRO/engine: {acro['seconds'] / ours:.1f}x (target >= 100x)")


if __name__ == "__main__":
    main()
