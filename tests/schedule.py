"""The order test files start in: the longest first.

``scripts/test.sh`` hands whole files to three workers (``--dist loadfile``) in collection order
(``--no-loadscope-reorder``; xdist's own order is by number of tests, which put the files of one
long test - a whole bring-up, a container deployment, browser walk-throughs - last, where one
of them ran on alone for minutes).  Started first, they overlap the many short files instead.
``tests/file_seconds.json`` holds each file's measured time; a file not in it counts a fifth of
a second per test.  Within a file the order is unchanged.
"""
from __future__ import annotations

import json
from pathlib import Path

SECONDS = Path(__file__).with_name("file_seconds.json")
UNKNOWN_PER_TEST = 0.2


def heaviest_first(items: list) -> list:
    try:
        known = {k: float(v) for k, v in json.loads(SECONDS.read_text()).items()
                 if not k.startswith("_")}
    except (OSError, ValueError):
        return items   # no figures: the collection order
    files: dict[str, list] = {}
    for it in items:
        files.setdefault(it.nodeid.split("::", 1)[0], []).append(it)
    order = sorted(files, key=lambda f: -known.get(f, UNKNOWN_PER_TEST * len(files[f])))
    return [it for f in order for it in files[f]]
