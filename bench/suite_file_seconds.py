"""Each test file's time from a pytest JUnit XML report, as tests/file_seconds.json (the order
tests/schedule.py starts files in).

    ./scripts/test.sh --junitxml=/tmp/suite.xml
    python3 bench/suite_file_seconds.py /tmp/suite.xml > tests/file_seconds.json
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import sys
import xml.etree.ElementTree as ET


def main(path: str) -> None:
    seconds: collections.Counter = collections.Counter()
    for case in ET.parse(path).iter("testcase"):
        # classname is the dotted module path (plus a class, if any): back to the file
        parts = case.get("classname", "").split(".")
        while parts and not parts[-1].startswith("test_"):
            parts.pop()
        if parts:
            seconds["/".join(parts) + ".py"] += float(case.get("time", 0))
    out = {"_measured": f"seconds per test file from {path}, {dt.date.today().isoformat()}"}
    out.update({k: round(v, 1) for k, v in seconds.most_common()})
    json.dump(out, sys.stdout, indent=0, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
