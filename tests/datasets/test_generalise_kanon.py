"""Generalisation helpers and the k-anonymity report on a hand-made table."""
from __future__ import annotations

import duckdb
import pytest

from deidentify import generalise as G
from deidentify.kanon import k_anonymity


def test_birthday_and_age_bands():
    assert G.birthday("19520803", "year_month") == "195208"
    assert G.birthday("19520803", "year") == "1952"
    assert [G.age_band(a) for a in (0, 14, 15, 64, 65, 101)] == ["0-14", "0-14", "15-24", "55-64", "65-74", "85+"]
    with pytest.raises(ValueError):
        G.age_band(-1)
    con = duckdb.connect()
    got = [r[0] for r in con.execute(f"SELECT {G.age_band_sql('a')} FROM (VALUES (3), (40), (90)) t(a)").fetchall()]
    assert got == ["0-14", "35-44", "85+"]
    assert con.execute(f"SELECT {G.date_sql(repr('20200131'), 'month')}").fetchone()[0] == "202001"


def test_k_anonymity_counts_distinct_persons():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES "
                "('p1','F','1950'), ('p1','F','1950'), ('p2','F','1950'), ('p3','M','1960'),"
                "('p4','M','1970'), ('p5','M','1970'), ('p6','M','1970')) v(ID, SEX, BIRTH_Y)")
    r = k_anonymity(con, "t", ["SEX", "BIRTH_Y"], 3, "ID")
    assert (r.classes, r.k_min, r.classes_below_k, r.units_below_k, r.units) == (3, 1, 2, 3, 6)
    assert not r.satisfied and r.smallest[0]["n"] == "1"
    # classes of 1 and 2 persons (below k = 3), then one of 3 in the [3, 5] bucket
    assert r.histogram == [
        {"size_from": 1, "size_to": 1, "classes": 1, "below_k": True},
        {"size_from": 2, "size_to": 2, "classes": 1, "below_k": True},
        {"size_from": 3, "size_to": 5, "classes": 1, "below_k": False}]
    rows = k_anonymity(con, "t", ["SEX"], 3)
    assert rows.unit == "rows" and rows.k_min == 3 and rows.satisfied
