"""E7: a column of single years of age, days or two-digit numbers in order is a number series,
not hex bytes.  The declarations round of 6 December found an honest table of persons by single
year of age and sex (20, 20, 21, 21 … 59) blocked as smuggling: read as hex pairs, 20-59 decode
to ASCII that reads as text.  Text written as bytes goes down about as often as up; a sorted
series hardly ever does.  Bytes that are text, written as digit-only hex pairs in their own
order, still block."""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, said, table


def _ages(order):
    return "".join(f"{a},{s},{30 + (a * 7 + len(s)) % 40}\n" for a, s in order)


SERIES = {
    "age then sex": _ages([(a, s) for a in range(20, 60) for s in ("M", "F")]),
    "sex then age": _ages([(a, s) for s in ("M", "F") for a in range(20, 60)]),
    "age falling": _ages([(a, s) for a in range(59, 19, -1) for s in ("M", "F")]),
    "ages 20-99": _ages([(a, "all") for a in range(20, 100)]),
}


@pytest.mark.parametrize("case", list(SERIES))
def test_a_table_by_single_year_of_age_is_no_smuggling(run, case):
    res = run({"t.csv": "age,sex,patients\n" + SERIES[case]},
              [table("t.csv", {"age": G, "sex": G, "patients": COUNT})])
    assert not by(res, check="smuggling"), said(res)


@pytest.mark.parametrize("payload", [b"A123456789 0912345678 1950 0311 Chen Mei-ling", b"2024 0912 345 678, 1950 0311 2468 9",
                                     b"PAY 3 DEATHS IN 1948 AT 21 HUALIEN 0912"])
def test_text_written_as_digit_hex_pairs_still_blocks(run, payload):
    pairs = " ".join(f"{b:02x}" for b in payload)
    res = run({"notes.txt": f"Run log\n{pairs}\n"}, [{"path": "notes.txt", "kind": "text", "description": "log"}])
    assert by(res, check="smuggling", severity="block"), said(res)
