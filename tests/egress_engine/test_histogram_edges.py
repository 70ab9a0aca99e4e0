"""E2: a histogram published by its bin edges is held for what it discloses, not for its layout.

The probe found a histogram table of edges held for the wrong reasons: edge columns
(``bin_left``/``bin_right``) read as counts ("declared group but its values are counts", zero
edge = "zero cell"), and numpy's n + 1 edges beside n counts blocked as a "blank cell where a
count is due".  Now the edges are bins (`bins.py`): a small bin blocks as a small count; a
histogram of round edges passes; equal-width bins off the grid of their width (numpy's default
range: the outer edges are the data's minimum and maximum) go to review; a density over such
bins gives its counts (density × width × N).  Generated members with fixed ids.
"""
from __future__ import annotations

import random

import pytest

from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import by, said

G = {"role": "group"}
C = {"role": "count"}
_RNG = random.Random(61206)
_WIDTHS = [5, 10, 20, 2.5, 0.5, 1, 25, 100]
_EDGE_HEADS = ["edge", "bin_edge", "bin", "left_edge", "age_bin", "breaks", "lower"]
_PAIRS = [("bin_left", "bin_right"), ("lower", "upper"), ("age_from", "age_to"), ("left", "right"),
          ("cost_lower", "cost_upper"), ("bin_start", "bin_end"), ("下限", "上限")]


def _cases(small: bool, aligned: bool, n: int):
    out = []
    for i in range(n):
        w = _WIDTHS[i % len(_WIDTHS)]
        k = _RNG.randint(3, 8)
        start = w * _RNG.randint(0, 6) if aligned else w * _RNG.randint(0, 6) + w * _RNG.choice([0.3, 0.37, 0.71])
        edges = [round(start + w * j, 6) for j in range(k + 1)]
        counts = [_RNG.randint(6, 400) for _ in range(k)]
        if small:
            counts[_RNG.randrange(k)] = _RNG.randint(1, 5)
        out.append((i, edges, counts))
    return out


def _numpy_layout(edges, counts, head="edge"):
    rows = [f"{e:g},{c}" for e, c in zip(edges, counts)] + [f"{edges[-1]:g},"]
    return f"{head},persons\n" + "\n".join(rows) + "\n"


def _pair_layout(edges, counts, pair=("bin_left", "bin_right")):
    rows = [f"{a:g},{b:g},{c}" for a, b, c in zip(edges, edges[1:], counts)]
    return f"{pair[0]},{pair[1]},persons\n" + "\n".join(rows) + "\n"


def _run_numpy(run, edges, counts, head, **kw):
    return run({"h.csv": _numpy_layout(edges, counts, head)},
               [{"path": "h.csv", "kind": "table", "description": "histogram of age",
                 "columns": {head: G, "persons": C}}], **kw)


def _run_pair(run, edges, counts, pair, **kw):
    return run({"h.csv": _pair_layout(edges, counts, pair)},
               [{"path": "h.csv", "kind": "table", "description": "histogram of age",
                 "columns": {pair[0]: G, pair[1]: G, "persons": C}}], **kw)


ROUND = _cases(small=False, aligned=True, n=24)
SMALL = _cases(small=True, aligned=True, n=16)
DEFAULT = _cases(small=False, aligned=False, n=16)


@pytest.mark.parametrize("i,edges,counts", ROUND, ids=[f"round-{c[0]:02d}" for c in ROUND])
def test_a_histogram_of_round_edges_passes_in_both_layouts(run, i, edges, counts):
    r = _run_numpy(run, edges, counts, _EDGE_HEADS[i % len(_EDGE_HEADS)])
    assert r.verdict == "pass", said(r)
    r = _run_pair(run, edges, counts, _PAIRS[i % len(_PAIRS)])
    assert r.verdict == "pass", said(r)


@pytest.mark.parametrize("i,edges,counts", SMALL, ids=[f"small-{c[0]:02d}" for c in SMALL])
def test_a_small_bin_blocks_as_a_small_count_not_as_a_blank_or_an_edge(run, i, edges, counts):
    for r in (_run_numpy(run, edges, counts, _EDGE_HEADS[i % len(_EDGE_HEADS)]),
              _run_pair(run, edges, counts, _PAIRS[i % len(_PAIRS)])):
        assert r.verdict == "block" and by(r, check="threshold", severity="block"), said(r)
        assert not by(r, check="symbols") and not by(r, check="structure"), said(r)


@pytest.mark.parametrize("i,edges,counts", DEFAULT, ids=[f"default-{c[0]:02d}" for c in DEFAULT])
def test_numpys_default_range_shows_minimum_and_maximum(run, i, edges, counts):
    for r in (_run_numpy(run, edges, counts, _EDGE_HEADS[i % len(_EDGE_HEADS)]),
              _run_pair(run, edges, counts, _PAIRS[i % len(_PAIRS)])):
        hits = by(r, check="bins", severity="review")
        assert hits and r.verdict != "pass", said(r)
        assert f"{edges[0]:g}" in hits[0].message_en and f"{edges[-1]:g}" in hits[0].message_en


def test_the_default_range_setting_switches_it_off(run):
    i, edges, counts = DEFAULT[0]
    r = _run_numpy(run, edges, counts, "edge", policy=EgressPolicy(histogram_edges=False))
    assert not by(r, check="bins")


@pytest.mark.parametrize("k", range(8), ids=[f"density-{k}" for k in range(8)])
def test_a_density_over_numpy_edges_gives_its_bins_away(run, k):
    w = _WIDTHS[k]
    n = 250
    dens = [round(c / (n * w), 8) for c in (120, 3, 127)]
    text = "edge,persons,density\n" + "\n".join(
        f"{w * j:g},{n},{d}" for j, d in enumerate(dens)) + f"\n{w * 3:g},,\n"
    r = run({"h.csv": text}, [{"path": "h.csv", "kind": "table", "description": "density",
                               "columns": {"edge": G, "persons": C,
                                           "density": {"role": "statistic", "statistic": "rate",
                                                       "units_column": "persons"}}}])
    assert by(r, check="densities", severity="block"), said(r)


def test_cumulative_counts_headed_only_as_edges_stay_counts(run):
    """0-120, 120-123: whole-number edges of small unequal widths, headed from/to only."""
    r = run({"h.csv": "from,to,persons\n0,120,130\n120,123,140\n123,250,150\n"},
            [{"path": "h.csv", "kind": "table", "description": "d",
              "columns": {"from": G, "to": G, "persons": C}}])
    assert r.verdict != "pass", said(r)


def test_a_blank_in_the_middle_is_still_a_blank(run):
    r = run({"h.csv": "edge,persons\n0,120\n10,\n20,130\n30,\n"},
            [{"path": "h.csv", "kind": "table", "description": "d", "columns": {"edge": G, "persons": C}}])
    assert by(r, check="symbols", severity="block"), said(r)
