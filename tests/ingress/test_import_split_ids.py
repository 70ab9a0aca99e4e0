"""Import review (D4): a national ID cut over lines or down a column.

Each line of a text and each cell of a table was read on its own, so ``A1234`` on one line
and ``56789`` on the next - or in the cells below one another - held no ID anywhere (an ID cut
over neighbouring cells of one row was already found).  Now two to four consecutive lines, and
two to four cells down a column, are read joined (``table_people.ids_over_lines``,
``split_ids_down``); only checksum-valid IDs count, so ordinary codes cut the same way pass.
"""
from __future__ import annotations

import io

import pandas as pd
import pytest

from egress_review.ingress.checks import ImportItem, check_import
from tests.ingress.conftest import national_ids

IDS = national_ids(5, seed=113)


def _cut(i: str, parts: int) -> list[str]:
    k = -(-len(i) // parts)
    return [i[n:n + k] for n in range(0, len(i), k)]


TEXTS = {
    "two lines": "\n".join(p for i in IDS for p in _cut(i, 2)),
    "three lines": "\n".join(p for i in IDS for p in _cut(i, 3)),
    "four lines": "\n".join(p for i in IDS for p in _cut(i, 4)),
    "crlf": "\r\n".join(p for i in IDS for p in _cut(i, 2)),
    "spaced pieces": "\n".join(" ".join(p) for i in IDS for p in _cut(i, 2)),
    "dashed pieces": "\n".join(f"{p}-" for i in IDS for p in _cut(i, 2)),
    "lower case": "\n".join(p for i in IDS for p in _cut(i.lower(), 2)),
    "between other lines": "\n".join(f"record {k}\n{_cut(i, 2)[0]}\n{_cut(i, 2)[1]}" for k, i in enumerate(IDS)),
}


def _down(parts: int) -> str:
    rows = ["field,value"]
    for i in IDS:
        rows += [f"part,{p}" for p in _cut(i, parts)]
    return "\n".join(rows) + "\n"


def _xlsx(csv: str) -> bytes:
    b = io.BytesIO()
    pd.read_csv(io.StringIO(csv), dtype=str).to_excel(b, index=False)
    return b.getvalue()


TABLES = {"down two rows.csv": _down(2).encode(), "down three rows.csv": _down(3).encode(),
          "down two rows.xlsx": _xlsx(_down(2))}

# the same cuts of codes that are not IDs (no valid checksum): must pass
PLAIN = {"codes.txt": "\n".join(["E1134", "56789", "I1023", "45678", "J4500", "12345"]).encode(),
         "codes.csv": b"field,value\npart,E1134\npart,56789\npart,I1023\npart,45678\n"}


@pytest.fixture(scope="module")
def results(policy):
    items = [ImportItem(f"{k}.txt", "reference", v.encode()) for k, v in TEXTS.items()]
    items += [ImportItem(k, "reference", v) for k, v in TABLES.items()]
    items += [ImportItem(k, "reference", v) for k, v in PLAIN.items()]
    items.append(ImportItem("cut.py", "code", ("ids = '''\n" + TEXTS["two lines"] + "\n'''\n").encode()))
    r = check_import(items, imaging=False, policy=policy.egress)
    return {f.path: f for f in r.files}


def _shown(f):
    return [(x.check, x.message_en[:90]) for x in f.findings]


@pytest.mark.parametrize("what", sorted(TEXTS))
def test_an_id_cut_over_lines_blocks(results, what):
    f = results[f"{what}.txt"]
    assert f.verdict == "block" and any("national ID" in x.message_en for x in f.findings), _shown(f)


def test_in_code_too(results):
    assert results["cut.py"].verdict == "block", _shown(results["cut.py"])


@pytest.mark.parametrize("what", sorted(TABLES))
def test_an_id_cut_down_a_column_blocks(results, what):
    f = results[what]
    assert f.verdict == "block" and any("down a column" in x.message_en for x in f.findings), _shown(f)


@pytest.mark.parametrize("what", sorted(PLAIN))
def test_codes_cut_the_same_way_pass(results, what):
    f = results[what]
    assert f.verdict == "pass", _shown(f)
