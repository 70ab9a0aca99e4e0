"""How the cost of the egress check grows with the length of crafted input (E4 budget).

A reader whose patterns back off badly costs the square of a run's length: the service's only
answer then is the CPU budget (``egress_review.bounded``).  For each member (a run of digits,
of blank lines with a space, of Han numerals ...) this prints the check's CPU for length n and
2n, measured in this process, and their ratio: about 2 is linear, about 4 is the square.
Several pairs are taken (the machine is shared) and the median ratio is reported.

    python bench/reading_growth.py [--n 10000] [--pairs 3] [--only digits,spaces]

Two surfaces: words (a comment, ``request_words.check_words``) and files (the whole engine on
one output of each kind, ``engine.check_request``, in this process: no budget, so a member that
grows badly shows as it is).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MEMBERS = {
    "digits": lambda n: "1" * n, "full-width digits": lambda n: "３" * n,
    "digits and commas": lambda n: "1," * (n // 2), "thousands": lambda n: ",000" * (n // 4),
    "digits and spaces": lambda n: "1 " * (n // 2), "digits per line": lambda n: "1\n" * (n // 2),
    "blank lines with a space": lambda n: " \n" * (n // 2), "spaces": lambda n: " " * n,
    "newlines": lambda n: "\n" * n, "letters": lambda n: "a" * n, "han numerals": lambda n: "三" * n,
    "han words": lambda n: "病人" * (n // 2), "model title": lambda n: " " * n + "Regression Results",
    "pipes and digits": lambda n: "1|" * (n // 2), "minus digits": lambda n: "-1" * (n // 2),
    "ratio then digits": lambda n: "ratio " + "1" * n,
}
FILES = {"txt": "text", "py": "code", "r": "code", "sql": "code", "html": "figure", "ipynb": "notebook"}


def _notebook(text: str) -> str:
    """A notebook whose one code cell printed ``text`` (a stream output) and holds it as source."""
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": text,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})


def _policy():
    from policies.sections.egress import EgressPolicy

    return EgressPolicy()


def words_cost(text: str) -> float:
    from egress_review.engine.context import Context
    from egress_review.engine.history import ReleaseHistory
    from egress_review.engine.request_words import check_words
    from egress_review.request_input import parse_manifest_json

    man = parse_manifest_json(json.dumps({"version": 1, "case_code": "C1", "purpose": "notes",
                                          "files": [{"path": "n.txt", "kind": "text",
                                                     "description": "a note"}]}))
    ctx = Context(manifest=man, root=Path("."), policy=_policy(), history=ReleaseHistory(),
                  pseudonyms=frozenset())
    t = time.process_time()
    check_words(ctx, text, {"request": "comment"})
    return time.process_time() - t


def file_cost(text: str, suffix: str) -> float:
    from egress_review.engine import check_request
    from egress_review.request_input import parse_manifest_json

    man = parse_manifest_json(json.dumps({
        "version": 1, "case_code": "C1", "purpose": "notes",
        "files": [{"path": f"out.{suffix}", "kind": FILES[suffix], "description": "a note"}]}))
    with tempfile.TemporaryDirectory() as d:
        Path(d, f"out.{suffix}").write_text(_notebook(text) if suffix == "ipynb" else text)
        t = time.process_time()
        check_request(man, Path(d), policy=_policy())
        return time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--surfaces", default="", help="e.g. comment,py,ipynb (default: all)")
    args = ap.parse_args()
    from egress_review.engine.warm import warm

    warm()                                   # tables loaded once, as in the service
    only = set(filter(None, args.only.split(",")))
    surfaces = [("comment", words_cost)] + [(f".{s} file", lambda t, s=s: file_cost(t, s)) for s in FILES]
    wanted = set(filter(None, args.surfaces.split(",")))
    surfaces = [(n, c) for n, c in surfaces if not wanted or n.split()[0].lstrip(".") in wanted]
    print(f"CPU seconds at n={args.n} and 2n, median of {args.pairs} pairs; ratio ~2 linear, ~4 square")
    print(f"{'member':26s} {'surface':10s} {'n':>8s} {'2n':>8s} {'ratio':>6s}")
    for name, make in MEMBERS.items():
        if only and name not in only:
            continue
        for surface, cost in surfaces:
            small, big, ratios = [], [], []
            for _ in range(args.pairs):
                a, b = cost(make(args.n)), cost(make(2 * args.n))
                small.append(a)
                big.append(b)
                ratios.append(b / max(a, 1e-4))
            print(f"{name:26s} {surface:10s} {statistics.median(small):8.3f} {statistics.median(big):8.3f} "
                  f"{statistics.median(ratios):6.2f}", flush=True)


if __name__ == "__main__":
    main()
