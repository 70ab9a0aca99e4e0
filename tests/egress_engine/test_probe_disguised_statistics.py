"""E2: statistics declared as something milder than their header says (red-team probe).

A probe (``PROBE`` below, run through ``check_request`` like every request) submitted outputs
that a researcher would use to take out one person's value or a small count, each declared
misleadingly so that the rule for what it is never ran.  Those that passed without review:
- a tail percentile headed ``p99_cost``, ``pct1``, ``q99``, ``99th_pct``, 「第99百分位」 but
  declared a median (120 persons: the p99 is the value of one or two);
- box-plot whiskers, fences, outliers and the earliest/latest value declared as medians;
- a rate whose header states its scale (``deaths_per_1000``, 每千人) declared a median or SD:
  rate × persons / scale is the number of deaths;
- a Kaplan-Meier or cumulative-incidence curve in a plain table, its curve declared a median,
  rate or SD beside the numbers at risk: each step gives its number of events.
Each class is tested with generated members (fixed seed, fixed ids), against ordinary
aggregates that must still pass.
"""
from __future__ import annotations

import random

import pytest

from tests.egress_engine.conftest import by, said

G = {"role": "group"}
C = {"role": "count"}


def stat(kind, **kw):
    return {"role": "statistic", "statistic": kind, "units_column": "persons", **kw}


def tab(path, columns, **kw):
    return {"path": path, "kind": "table", "description": "aggregate results", "columns": columns, **kw}


def one(run, text, columns, **kw):
    return run({"t.csv": text}, [tab("t.csv", columns, **kw)])


# ---- the probe: every member must not pass -------------------------------------------------
KM = "time,persons,surv\n0,120,1.0\n30,118,0.9833\n60,115,0.9583\n90,110,0.9167\n"
PROBE = {
    "p99 declared median": ("group,persons,p99_cost\nA,120,98000\nB,130,87000\n", "p99_cost", "median"),
    "p1 declared median": ("group,persons,p1_cost\nA,120,100\nB,130,120\n", "p1_cost", "median"),
    "第99百分位 declared median": ("group,persons,第99百分位\nA,120,98000\nB,130,87000\n", "第99百分位", "median"),
    "upper whisker declared median": ("group,persons,upper_whisker\nA,120,98000\nB,130,87000\n", "upper_whisker", "median"),
    "earliest year declared median": ("group,persons,earliest_year\nA,120,1998\nB,130,2001\n", "earliest_year", "median"),
    "deaths per 1000 declared median": ("region,persons,deaths_per_1000\nA,120,25\nB,130,200\n", "deaths_per_1000", "median"),
    "km surv declared median": (KM, "surv", "median"),
    "km surv declared rate": (KM, "surv", "rate"),
    "km surv declared std": (KM, "surv", "std"),
    "cumulative incidence declared median": (
        "month,persons,cum_incidence\n0,200,0.0\n6,200,0.01\n12,200,0.025\n18,200,0.05\n",
        "cum_incidence", "median"),
}


@pytest.mark.parametrize("name", list(PROBE), ids=list(PROBE))
def test_probe_disguised_statistics_do_not_pass(run, name):
    text, col, declared = PROBE[name]
    cols = {c: (G if i == 0 else C if c == "persons" else None)
            for i, c in enumerate(text.splitlines()[0].split(","))}
    cols[col] = stat(declared)
    r = one(run, text, cols)
    assert r.verdict == "block", said(r)


# ---- tail percentiles named by the header ---------------------------------------------------
_RNG = random.Random(20261206)
_PCT_HEADERS = ["p{p}_cost", "cost_p{p}", "pct{p}", "pctl_{p}", "percentile_{p}", "{p}th_pct",
                "q{p}", "P{p} LOS", "第{p}百分位", "{p}百分位數", "age (p{p})", "{p}%ile"]
PCT_SMALL = []
for _i in range(36):
    _h = _PCT_HEADERS[_i % len(_PCT_HEADERS)]
    _p = _RNG.choice([99, 1, 98, 2, 99.5, 0.5, 97, 95])
    _n = _RNG.randint(30, 110) if _p in (97, 95) else _RNG.randint(20, 250)
    _tail = _n * min(_p, 100 - _p) / 100
    if _tail >= 6:
        _n = int(5.9 * 100 / min(_p, 100 - _p))
    PCT_SMALL.append((f"pct-small-{_i:02d}", _h.format(p=f"{_p:g}"), _n,
                      _RNG.choice(["median", "sum", "std", "rate"])))


@pytest.mark.parametrize("hid,header,n,declared", PCT_SMALL, ids=[x[0] for x in PCT_SMALL])
def test_a_tail_percentile_named_by_its_header_blocks(run, hid, header, n, declared):
    r = one(run, f"group,persons,{header}\nA,{n},98000\nB,{n + 500},87000\n",
            {"group": G, "persons": C, header: stat(declared)})
    hits = [f for f in by(r, check="header_meaning", severity="block")
            if f.location.get("row") == 1 or "percentile" in f.message_en]
    assert hits, said(r)


PCT_LARGE = [(f"pct-large-{i:02d}", h.format(p=p), n)
             for i, (h, p, n) in enumerate(
                 (h, p, n) for h in _PCT_HEADERS[:10] for p, n in ((90, 400), (10, 1000), (50, 200)))]


@pytest.mark.parametrize("hid,header,n", PCT_LARGE, ids=[x[0] for x in PCT_LARGE])
def test_a_percentile_of_a_large_group_still_passes(run, hid, header, n):
    r = one(run, f"group,persons,{header}\nA,{n},98000\nB,{n + 50},87000\n",
            {"group": G, "persons": C, header: stat("median")})
    assert r.verdict == "pass", said(r)


def test_the_header_percentile_is_read_as_written():
    from egress_review.engine.header_meaning import header_percentile as h
    assert [h(x) for x in ("p99_cost", "pct1", "q99", "第99百分位", "99th_pct", "q1", "q3")] \
        == [0.99, 0.01, 0.99, 0.99, 0.99, 0.25, 0.75]
    assert [h(x) for x in ("median", "cost_2019", "p_value", "q_stat", "top1pct", "pct_female")] \
        == [None] * 6


# ---- box plots and other extremes named by the header ---------------------------------------
EXTREME_HEADERS = ["upper_whisker", "whisker_low", "lower_fence", "upper fence", "outlier_value",
                   "outliers", "earliest_year", "latest_admission_age", "extreme_cost", "上鬚",
                   "離群值", "cost (whisker)"]


@pytest.mark.parametrize("header", EXTREME_HEADERS, ids=EXTREME_HEADERS)
@pytest.mark.parametrize("declared", ["median", "percentile", "std"])
def test_box_plot_ends_and_extremes_block_whatever_declared(run, header, declared):
    r = one(run, f"group,persons,{header}\nA,1200,98000\nB,1300,87000\n",
            {"group": G, "persons": C, header: stat(declared, percentile=0.5) if declared ==
             "percentile" else stat(declared)})
    assert by(r, check="header_meaning", severity="block"), said(r)


ORDINARY = ["q1_cost", "iqr_cost", "median_los", "p50_age", "mean_age_first_visit", "cost_2019",
            "follow_up_years", "lab_value", "bmi", "visits_per_person", "age_at_diagnosis",
            "first_visit_age", "survey_score", "heart_failure_share_of_admissions_median"]


@pytest.mark.parametrize("header", ORDINARY, ids=ORDINARY)
def test_ordinary_medians_of_large_groups_pass(run, header):
    r = one(run, f"group,persons,{header}\nA,1200,41.5\nB,1300,39.0\nC,900,44.0\n",
            {"group": G, "persons": C, header: stat("median")})
    assert r.verdict == "pass", said(r)


# ---- a rate's stated scale, whatever it was declared as -------------------------------------
_RATE_HEADERS = [("deaths_per_1000", 1000), ("deaths per 1,000", 1000), ("rate_per_100k", 100_000),
                 ("incidence per 10,000", 10_000), ("每千人死亡率", 1000), ("每十萬人發生率", 100_000),
                 ("mortality ‰", 1000), ("cases per 1000 persons", 1000)]
RATE_SMALL, RATE_LARGE = [], []
for _i in range(32):
    _h, _scale = _RATE_HEADERS[_i % len(_RATE_HEADERS)]
    _n = _RNG.randint(80, 3000)
    _k = _RNG.randint(1, 5)
    _big = _RNG.randint(40, 400)
    _d = _RNG.choice(["median", "std", "sum"])
    RATE_SMALL.append((f"rate-small-{_i:02d}", _h, _n, round(_k * _scale / _n, 4), _d))
    RATE_LARGE.append((f"rate-large-{_i:02d}", _h, _n * 10, round(_big * _scale / (_n * 10), 4), _d))


@pytest.mark.parametrize("hid,header,n,rate,declared", RATE_SMALL, ids=[x[0] for x in RATE_SMALL])
def test_a_rate_named_by_its_scale_gives_its_count_away(run, hid, header, n, rate, declared):
    r = one(run, f'region,persons,"{header}"\nA,{n},{rate}\nB,{n * 40},{rate}\n',
            {"region": G, "persons": C, header: stat(declared)})
    assert [f for f in by(r, check="header_meaning", severity="block") if f.location.get("row") == 1], said(r)


@pytest.mark.parametrize("hid,header,n,rate,declared", RATE_LARGE, ids=[x[0] for x in RATE_LARGE])
def test_a_rate_of_many_events_still_passes_the_header_rule(run, hid, header, n, rate, declared):
    r = one(run, f'region,persons,"{header}"\nA,{n},{rate}\nB,{n * 2},{rate}\n',
            {"region": G, "persons": C, header: stat(declared)})
    assert not by(r, check="header_meaning"), said(r)


# ---- survival curves in plain tables ---------------------------------------------------------
_CURVE_COLS = [("surv", "survival"), ("survival_prob", "survival"), ("km_estimate", "survival"),
               ("S(t)", "survival"), ("存活率", "survival"), ("overall survival %", "survival"),
               ("cum_incidence", "incidence"), ("cuminc", "incidence"), ("累積發生率", "incidence"),
               ("hazard", "hazard"), ("cumulative risk", "incidence")]


def _curve(kind, n0, steps, percent=False):
    """Rows time, persons at risk, curve value for steps of the given event counts."""
    rows, s, n = [], 1.0, n0
    for t, d in enumerate([0] + steps):
        if d:
            s *= 1 - d / n
        value = {"survival": s, "incidence": 1 - s, "hazard": d / n}[kind]
        rows.append(f"{t * 30},{n},{round(value * (100 if percent else 1), 4)}")
        n -= d
    return rows


CURVE_SMALL, CURVE_LARGE = [], []
for _i in range(33):
    _c, _kind = _CURVE_COLS[_i % len(_CURVE_COLS)]
    _n0 = _RNG.randint(200, 900)
    _steps = [_RNG.randint(8, 30) for _ in range(4)]
    _j = _RNG.randrange(4)
    _small = list(_steps)
    _small[_j] = _RNG.randint(1, 5)
    _pc = "%" in _c
    _d = _RNG.choice(["median", "rate", "std", "mean", "percent"])
    CURVE_SMALL.append((f"curve-small-{_i:02d}", _c, _kind, _curve(_kind, _n0, _small, _pc), _d))
    CURVE_LARGE.append((f"curve-large-{_i:02d}", _c, _kind, _curve(_kind, _n0 + 200, _steps, _pc), _d))


def _curve_request(run, col, rows, declared, strata=False):
    head = "time,persons," + col
    body = rows + rows if strata else rows
    spec = stat(declared, denominator_column="persons") if declared in ("rate", "percent") else stat(declared)
    return one(run, "\n".join([head, *body]) + "\n", {"time": G, "persons": C, col: spec})


@pytest.mark.parametrize("hid,col,kind,rows,declared", CURVE_SMALL, ids=[x[0] for x in CURVE_SMALL])
def test_a_curve_in_a_plain_table_blocks_on_a_small_step(run, hid, col, kind, rows, declared):
    r = _curve_request(run, col, rows, declared)
    assert by(r, check="survival", severity="block"), said(r)


@pytest.mark.parametrize("hid,col,kind,rows,declared", CURVE_SMALL[:8], ids=[x[0] for x in CURVE_SMALL[:8]])
def test_a_curve_per_stratum_restarts_at_each_stratum(run, hid, col, kind, rows, declared):
    r = _curve_request(run, col, rows, declared, strata=True)
    assert by(r, check="survival", severity="block"), said(r)


@pytest.mark.parametrize("hid,col,kind,rows,declared", CURVE_LARGE, ids=[x[0] for x in CURVE_LARGE])
def test_a_curve_of_large_steps_is_not_held_by_the_step_rule(run, hid, col, kind, rows, declared):
    r = _curve_request(run, col, rows, declared)
    assert not by(r, check="survival"), said(r)


def test_a_curve_over_interval_labels_is_read_as_over_time(run):
    """Intervals as labels (0-30, 30-60) are the time axis (test_survival_time_labels.py)."""
    r = one(run, "interval,persons,survival\n0-30,120,0.9833\n30-60,118,0.9583\n60-90,115,0.9167\n",
            {"interval": G, "persons": C, "survival": stat("median")})
    assert [f.severity for f in by(r, check="survival")] == ["block"], said(r)


def test_a_curve_without_times_goes_to_review(run):
    r = one(run, "stage,persons,survival\nA,120,0.9833\nB,118,0.9583\nC,115,0.9167\n",
            {"stage": G, "persons": C, "survival": stat("median")})
    assert [f.severity for f in by(r, check="survival")] == ["review"], said(r)


@pytest.mark.parametrize("text", [
    "region,persons,five_year_survival\nA,120,0.9\nB,130,0.85\nC,140,0.7\n",
    "year,persons,survey_score\n2019,120,3.1\n2020,130,3.0\n2021,140,2.95\n",
    "region,persons,survival_median_months\nA,1200,41.5\nB,1300,39.0\n",
], ids=["survival by region", "survey score", "median survival time"])
def test_survival_words_in_ordinary_tables_pass(run, text):
    head = text.splitlines()[0].split(",")
    r = one(run, text, {head[0]: G, "persons": C, head[2]: stat("median")})
    assert r.verdict == "pass", said(r)


# ---- one person's value stated in words ------------------------------------------------------
_EXTREME_EN = [("The oldest of the {n} patients was {v} years old.", "oldest"),
               ("The youngest patient among {n} cases was aged {v}.", "youngest"),
               ("The longest stay among {n} patients lasted {v} days.", "longest"),
               ("Of {n} admissions, the most expensive cost NT${v}.", "expensive"),
               ("The maximum dose received by any of the {n} patients was {v} mg.", "maximum"),
               ("The earliest diagnosis among {n} patients was at {v} months of age.", "earliest"),
               ("The heaviest of the {n} newborns weighed {v} g.", "heaviest"),
               ("Among {n} patients, the highest HbA1c was {v}.", "highest"),
               ("{n}名病人中最年長者{v}歲。", "最年長"),
               ("{n}位住院病人中，住院最長者{v}天。", "最長"),
               ("{n}名病人中費用最高者為{v}元。", "最高")]
EXTREME_PROSE = []
for _i in range(33):
    _t, _w = _EXTREME_EN[_i % len(_EXTREME_EN)]
    EXTREME_PROSE.append((f"extreme-{_i:02d}-{_w}",
                          _t.format(n=_RNG.randint(60, 4000), v=_RNG.randint(12, 999))))


@pytest.mark.parametrize("hid,text", EXTREME_PROSE, ids=[x[0] for x in EXTREME_PROSE])
@pytest.mark.parametrize("name", ["report.txt", "report.md"])
def test_an_extreme_value_in_words_goes_to_review(run, hid, text, name):
    r = run({name: text}, [{"path": name, "kind": "text", "description": "results"}])
    assert r.verdict != "pass" and by(r, check="prose"), said(r)


ORDINARY_PROSE = [
    "Among 1,200 patients the mean age was 64.2 years (SD 11.3).",
    "The highest prevalence, 12.5%, was among 1,200 patients in the north.",
    "Mortality was highest in 2019 among 1,200 patients.",
    "Of the 1,200 patients, the largest group (n = 640) was in the north.",
    "We followed 1,200 patients for a median of 5.2 years.",
    "The oldest age group held 300 patients and the youngest 420 patients.",
    "最高的盛行率為12.5%，共1,200人。",
    "Costs were highest among 1,200 patients treated in 2020.",
    "The smallest region had 120 patients and the largest 1,400 patients.",
]


@pytest.mark.parametrize("text", ORDINARY_PROSE, ids=[f"ordinary-{i}" for i in range(len(ORDINARY_PROSE))])
def test_ordinary_sentences_with_extreme_words_pass(run, text):
    r = run({"r.txt": text}, [{"path": "r.txt", "kind": "text", "description": "results"}])
    assert r.verdict == "pass", said(r)


# ---- a histogram's density --------------------------------------------------------------------
_BIN_FORMS = ["{a}-{b}", "[{a}, {b})", "{a}–{b}", "{a}~{b}", "{a} to {b}", "{a}至{b}", "({a},{b}]"]
_DENSITY_HEADERS = ["density", "kde", "age_density", "pdf", "密度", "Density (per year)"]
DENSITY_SMALL, DENSITY_LARGE = [], []
for _i in range(28):
    _form = _BIN_FORMS[_i % len(_BIN_FORMS)]
    _h = _DENSITY_HEADERS[_i % len(_DENSITY_HEADERS)]
    _w = _RNG.choice([1, 5, 10, 20])
    _counts = [_RNG.randint(40, 300) for _ in range(4)]
    _big = list(_counts)
    _counts[_RNG.randrange(4)] = _RNG.randint(1, 5)
    _d = _RNG.choice(["median", "rate", "mean", "std"])

    def _rows(counts, form=_form, w=_w):
        n = sum(counts)
        return n, [f'"{form.format(a=j * w, b=(j + 1) * w)}",{n},{round(c / (n * w), 5)}'
                   for j, c in enumerate(counts)]
    DENSITY_SMALL.append((f"density-small-{_i:02d}", _h, *_rows(_counts), _d))
    DENSITY_LARGE.append((f"density-large-{_i:02d}", _h, *_rows([c * 20 for c in _big]), _d))


def _density_request(run, header, rows, declared):
    spec = stat(declared, denominator_column="persons") if declared == "rate" else stat(declared)
    return one(run, "\n".join([f'bin,persons,"{header}"', *rows]) + "\n",
               {"bin": G, "persons": C, header: spec})


@pytest.mark.parametrize("hid,header,n,rows,declared", DENSITY_SMALL, ids=[x[0] for x in DENSITY_SMALL])
def test_a_histogram_density_gives_a_small_bin_away(run, hid, header, n, rows, declared):
    r = _density_request(run, header, rows, declared)
    assert by(r, check="densities", severity="block"), said(r)


@pytest.mark.parametrize("hid,header,n,rows,declared", DENSITY_LARGE, ids=[x[0] for x in DENSITY_LARGE])
def test_a_histogram_density_of_large_bins_is_not_held(run, hid, header, n, rows, declared):
    r = _density_request(run, header, rows, declared)
    assert not by(r, check="densities"), said(r)


def test_a_density_without_its_n_goes_to_review_and_a_density_by_region_is_no_histogram(run):
    r = one(run, "bin,density\n0-10,0.04959\n10-20,0.00124\n20-30,0.04917\n",
            {"bin": G, "density": {"role": "statistic", "statistic": "mean"}})
    assert [f.severity for f in by(r, check="densities")] == ["review"], said(r)
    r = one(run, "region,persons,pop_density\nA,2420,95.1\nB,2420,12.3\n",
            {"region": G, "persons": C, "pop_density": stat("median")})
    assert r.verdict == "pass", said(r)


# ---- the rest of the probe: classes that were already held (kept so they stay held) ----------
HELD = {
    "latex tabular in a text file": ("r.txt", "\\begin{tabular}{lr}\nRegion & N \\\\\nA & 3 \\\\\nB & 120 \\\\\n\\end{tabular}\n"),
    "markdown table": ("r.md", "| region | n |\n|---|---|\n| A | 3 |\n| B | 120 |\n"),
    "nested json": ("r.json", '{"results": {"by_region": [{"region": "A", "stats": {"patients": 3}}, '
                              '{"region": "B", "stats": {"patients": 120}}]}}'),
    "html table": ("r.html", "<table><tr><th>region</th><th>patients</th></tr><tr><td>A</td><td>3</td>"
                             "</tr><tr><td>B</td><td>120</td></tr></table>"),
    "space-aligned text table": ("r.txt", "Region    Patients\nNorth     3\nSouth     120\nEast      98\n"),
    "chinese numerals": ("r.txt", "北區三人，南區一百二十人。"),
    "full-width digits": ("r.txt", "北區病人３人，南區１２０人。"),
    "svg data labels": ("f.svg", '<svg xmlns="http://www.w3.org/2000/svg"><text>North</text><text>3</text>'
                                 '<text>South</text><text>120</text></svg>'),
    "odds ratio in prose": ("r.txt", "The odds ratio for smoking was 6.0 (95% CI 0.55-65.3) among 120 patients."),
    "km in prose": ("r.txt", "Of 120 patients at risk, survival fell from 100% to 98.3% at 30 days."),
}


@pytest.mark.parametrize("name", list(HELD), ids=list(HELD))
def test_the_rest_of_the_probe_is_still_held(run, name):
    path, text = HELD[name]
    kind = "figure" if path.endswith(".svg") else "text"
    r = run({path: text}, [{"path": path, "kind": kind, "description": "results"}])
    assert r.verdict != "pass", said(r)
