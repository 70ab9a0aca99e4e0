"""Import-check benchmark (D4): how fast the automatic checks clear benign imports.

- a reference table (lookup-like CSV) of --rows rows: rows/s through ``check_import`` vs a plain
  pandas read of the same bytes (the baseline, same process);
- an imaging training set: a zip of --images small PNGs plus a labels CSV: images/s;
- a code bundle: a zip of --modules Python modules: MB/s.

    python bench/ingress_check.py [--rows 50000] [--images 500] [--modules 200]

Prints figures; asserts only correctness (the benign inputs do not block).
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from egress_review.ingress.checks import ImportItem, check_import  # noqa: E402
from policies import load_policy  # noqa: E402
from policies.loader import POLICY_ROOT  # noqa: E402


def reference_csv(n: int, rng: random.Random) -> bytes:
    lines = ["code,chapter,weight"]
    for i in range(n):
        lines.append(f"{chr(65 + i % 26)}{i % 100:02d}.{i % 10},chapter {i % 22},{rng.random():.3f}")
    return ("\n".join(lines) + "\n").encode()


def training_zip(n: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        labels = ["file,label"]
        for i in range(n):
            b = io.BytesIO()
            Image.new("L", (64, 64), i % 255).save(b, "PNG")
            z.writestr(f"img/{i:05d}.png", b.getvalue())
            labels.append(f"img/{i:05d}.png,{i % 2}")
        z.writestr("labels.csv", "\n".join(labels) + "\n")
    return buf.getvalue()


def code_zip(n: int) -> bytes:
    body = '''import numpy as np


def step_{i}(x: np.ndarray, k: int = 3) -> np.ndarray:
    """Smooth with a box filter of width k."""
    w = np.ones(k) / k
    return np.convolve(x, w, mode="same")
'''
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            z.writestr(f"pkg/mod_{i}.py", body.replace("{i}", str(i)))
    return buf.getvalue()


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--modules", type=int, default=200)
    a = ap.parse_args()
    pol = load_policy(POLICY_ROOT / "nhi_centre").egress
    rng = random.Random(1)

    csv = reference_csv(a.rows, rng)
    _, base = timed(lambda: pd.read_csv(io.BytesIO(csv), dtype=str))
    r, t = timed(lambda: check_import([ImportItem("lookup.csv", "reference", csv)], imaging=False, policy=pol))
    assert r.verdict != "block", [f.message_en for f in r.findings][:3]
    print(f"reference CSV: {a.rows} rows, {len(csv) / 1e6:.1f} MB: {t:.2f} s, {a.rows / t:,.0f} rows/s "
          f"(pandas read alone {base:.3f} s; checks {t / base:.0f}x the read) verdict {r.verdict}")

    ts = training_zip(a.images)
    r, t = timed(lambda: check_import([ImportItem("xray.zip", "training_set", ts)], imaging=True, policy=pol))
    assert r.verdict == "review" and r.committee
    print(f"training set: {a.images} PNGs + labels, {len(ts) / 1e6:.1f} MB zip: {t:.2f} s, "
          f"{a.images / t:,.0f} images/s verdict {r.verdict} (committee)")

    cz = code_zip(a.modules)
    r, t = timed(lambda: check_import([ImportItem("pkg.zip", "code", cz)], imaging=False, policy=pol))
    assert r.verdict == "pass", [f.message_en for f in r.findings][:3]
    print(f"code bundle: {a.modules} modules: {t:.2f} s, {a.modules / t:,.0f} modules/s verdict {r.verdict}")


if __name__ == "__main__":
    main()
