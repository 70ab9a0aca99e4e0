"""How the free-text scrubber's cost grows with the length of a crafted note (D1, loads).

A steward's load scrubs every distinct text of the source files; one crafted or garbled note
whose patterns back off badly costs the square of its length and holds the whole load.  For
each member (a run of digits, of Latin letters before a bracket, of Han characters, of
"先生" ...) this prints ``scrub_texts``' CPU for a note of length n and 2n, in this process,
and their ratio: about 2 is linear, about 4 the square.  Several pairs are taken (the machine
is shared); the median ratio is reported.  Each member is also wrapped in ordinary clinical
words, so the finders that look around a name or a number see context.

    python bench/deid_growth.py [--n 4000] [--pairs 3] [--only digits,letters]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CONTEXT = "病人主訴頭痛三天，{}，建議門診追蹤。"
MEMBERS = {
    "digits": lambda n: "1" * n, "full-width digits": lambda n: "３" * n,
    "digits and dashes": lambda n: "12-" * (n // 3), "digits and spaces": lambda n: "1 " * (n // 2),
    "phone-like groups": lambda n: "0912 " * (n // 5), "letters": lambda n: "a" * n,
    "capitalised words": lambda n: "Wang " * (n // 5), "letters then bracket": lambda n: "a" * n + "(",
    "han": lambda n: "病" * n, "han names": lambda n: "王小明" * (n // 3),
    "surnames": lambda n: "陳" * n, "titles": lambda n: "先生" * (n // 2),
    "address words": lambda n: "路巷弄號樓" * (n // 5), "dates": lambda n: "112年3月5日" * (n // 9),
    "spaces": lambda n: " " * n, "newlines": lambda n: "\n" * n, "dots": lambda n: "." * n,
    "at signs": lambda n: "a@" * (n // 2), "slashes": lambda n: "1/" * (n // 2),
    "middle dots": lambda n: "瓦·" * (n // 2), "colons": lambda n: "姓名:" * (n // 3),
    "brackets": lambda n: "(" * n, "mixed latin han": lambda n: "a病" * (n // 2),
    "capital letters": lambda n: "AOISB" * (n // 5), "lower then capitals": lambda n: "aB" * (n // 2),
    # (round 11) Latin names beside Han acts, lunar dates, English headings before Han, humble names
    "latin words before han": lambda n: "Siti 來" * (n // 6), "coverb latin words": lambda n: "由 Siti Ami " * (n // 11),
    "lunar dates": lambda n: "農曆三月初二" * (n // 6), "english heading han": lambda n: "Dx: 古一心 " * (n // 8),
    "humble names saying": lambda n: "石頭說" * (n // 3), "compound surname openings": lambda n: "Dx: 上官東 " * (n // 8),
    "label values": lambda n: "姓名：蕭千里 " * (n // 7),
}


def cost(text: str) -> float:
    from deidentify.text import scrub_texts

    t0 = time.process_time()
    scrub_texts([text])
    return time.process_time() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000, help="the shorter length")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated member names")
    args = ap.parse_args()
    only = [m for m in args.only.split(",") if m]
    cost("王小明，電話0912345678。")   # warm: models, dictionaries, caches
    print(f"scrub_texts CPU for one note, n = {args.n} and 2n, {args.pairs} pairs; ratio ~2 linear, ~4 square")
    for name, make in MEMBERS.items():
        if only and name not in only:
            continue
        ratios, small, large = [], [], []
        for _ in range(args.pairs):
            a = cost(CONTEXT.format(make(args.n)))
            b = cost(CONTEXT.format(make(2 * args.n)))
            small.append(a)
            large.append(b)
            ratios.append(b / a if a > 0 else float("inf"))
        flag = "  <-- grows faster than linear" if statistics.median(ratios) > 3 else ""
        print(f"{name:>22}: {statistics.median(small):7.3f} s -> {statistics.median(large):7.3f} s"
              f"  ratio {statistics.median(ratios):5.2f}{flag}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
