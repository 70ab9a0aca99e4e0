"""Unseen outputs, round 6: the gaps a red team left open, closed as classes.

Each class is generated from fixed lists (no randomness), through ``check_request`` as every
request is, with safe counterparts that must not block:

- (d) person keys as group values: a table by IP address, chart number, national ID shape,
  phone number, date of birth or exact timestamp is a table of persons (``identifier_groups``);
- (a) a percent-only table whose total is printed in a title, a total row's label, a footnote or
  the header: its counts are share × total, for the small-cell check and for differencing;
- (b) a two-line table (a header and one row of counts) is a count table;
- (c) unnamed number vectors in programs and printouts: counts when the context says so, else a
  person decides, told why;
- (e) statistics and writings that give a small count back (cumulative columns, Roman numerals
  and bars of characters in a count column).
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table


def _text(run, body: str, ext: str = "md", kind: str = "text"):
    name = f"out.{ext}"
    return run({name: body}, [{"path": name, "kind": kind, "description": "results"}])


# ---- (d) person keys as group values -------------------------------------------------------
KEYS = {
    "ipv4": ["192.168.1.23", "10.0.4.7", "172.16.9.1"],
    "ipv6": ["2001:db8::1", "fe80::1ff:fe23:4567:890a", "2001:db8:0:1::7"],
    "chart": ["0045123", "0088134", "0012703"],
    "mrn": ["MRN004512", "MRN008813", "MRN001270"],
    "病歷號": ["病歷號 1234567", "病歷號 7654321", "病歷號 1122334"],
    "national_id": ["A123456789", "F223456781", "B187654320"],
    "resident_id": ["AB12345678", "CD23456789", "A800000001"],
    "mobile": ["0912-345-678", "0933456789", "+886 912 345 679"],
    "dob": ["1985-03-14", "1990-11-02", "1978-07-30"],
    "dob_slash": ["1985/03/14", "1990/11/02", "1978/07/30"],
    "dob_compact": ["19850314", "19901102", "19780730"],
    "timestamp": ["2020-03-14 08:31:22", "2020-03-14 09:02:51", "2020-03-15 13:45:10"],
    "iso_stamp": ["2020-03-14T08:31:22", "2020-03-14T09:02:51Z", "2020-03-15T13:45:10+08:00"],
    "minute": ["2020-03-14 08:31", "2020-03-14 09:07", "2020-03-15 13:44"],
}
KEY_CASES = [(k, h) for k in KEYS for h in ("group", "key")]


def _grouped(values, header="group", counts=(120, 130, 140)):
    return f"{header},n\n" + "".join(f"{v},{c}\n" for v, c in zip(values, counts))


@pytest.mark.parametrize("kind,header", KEY_CASES, ids=[f"{k}-{h}" for k, h in KEY_CASES])
def test_a_table_grouped_by_person_keys_blocks(run, kind, header):
    r = run({"t.csv": _grouped(KEYS[kind], header)}, [table("t.csv", {header: G, "n": COUNT})])
    assert by(r, check="identifier_groups", severity="block"), said(r)


@pytest.mark.parametrize("kind", ["ipv4", "chart", "dob", "timestamp", "national_id"])
def test_person_keys_in_a_markdown_table_block(run, kind):
    body = "| key | n |\n|---|---|\n" + "".join(f"| {v} | {c} |\n" for v, c in
                                                zip(KEYS[kind], (120, 130, 140)))
    r = _text(run, body)
    assert by(r, check="identifier_groups", severity="block"), said(r)


@pytest.mark.parametrize("header", ["date_of_birth", "birth_date", "出生日期", "DOB"])
def test_dates_under_a_birth_header_block_even_within_a_year(run, header):
    days = ["2019-03-14", "2019-03-15", "2019-03-16"]
    r = run({"t.csv": _grouped(days, header)}, [table("t.csv", {header: G, "n": COUNT})])
    assert by(r, check="identifier_groups", severity="block"), said(r)


SAFE_GROUPS = {
    "regions": ["North", "South", "East"],
    "years": ["2019", "2020", "2021"],
    "months": ["2020-01", "2020-02", "2020-03"],
    "days": ["2020-01-01", "2020-01-02", "2020-01-03"],
    "weeks_over_years": ["2019-12-23", "2019-12-30", "2020-01-06"],
    "month_starts": ["2018-01-01", "2019-01-01", "2020-01-01"],
    "hours": ["2020-03-14 08:00", "2020-03-14 09:00", "2020-03-14 10:00"],
    "quarter_hours": ["2020-03-14 08:15", "2020-03-14 08:30", "2020-03-14 08:45"],
    "icd": ["E11.9", "I10", "C34.1"],
    "zip": ["100", "220", "807"],
    "ages": ["0-17", "18-64", "65+"],
    "with_other": ["North", "Other", "Unknown"],
}


@pytest.mark.parametrize("name", list(SAFE_GROUPS))
def test_categories_dates_and_codes_are_no_person_keys(run, name):
    r = run({"t.csv": _grouped(SAFE_GROUPS[name])}, [table("t.csv", {"group": G, "n": COUNT})])
    assert not by(r, check="identifier_groups"), said(r)
    assert r.verdict == "pass", said(r)
