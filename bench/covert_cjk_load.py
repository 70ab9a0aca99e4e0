"""What the covert-Han check (E7, ``egress_review/engine/covert_cjk.py``) costs the first time
a text of at least ``covert_han_min_chars`` Han characters is checked (jieba's dictionary and
OpenCC load then) against a warm call on the same text, in the same fresh process; several
processes, since this machine is shared and noisy.  Short texts never load either tool.

    python bench/covert_cjk_load.py [--pairs 3]
"""
from __future__ import annotations

import argparse
import subprocess
import sys

_PROBE = r"""
import resource, time
from egress_review.engine import covert_cjk
txt = "本研究以全民健康保險資料庫分析糖尿病患者之門診利用情形，結果顯示不同地區間之差異具統計顯著性。" * 6
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
c = cpu(); covert_cjk.han_reading(txt, 150); first = cpu() - c
c = cpu()
for _ in range(20):
    covert_cjk.han_reading(txt, 150)
warm = (cpu() - c) / 20
print(first, warm)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()
    for i in range(args.pairs):
        out = subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True,
                             text=True).stdout.split()
        first, warm = float(out[0]), float(out[1])
        print(f"process {i + 1}: first check {first * 1000:.0f} ms CPU, warm check "
              f"{warm * 1000:.2f} ms CPU ({first / warm:.0f}x) on a 276-character text")


if __name__ == "__main__":
    main()
