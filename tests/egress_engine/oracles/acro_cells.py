"""ACRO as an oracle, run in ACRO's own virtualenv (it pins pandas<=2.3.3; this project runs
pandas 3).  Reads a Parquet file and a JSON list of table specs, makes each table with ACRO
(crosstab or pivot_table, suppression off, the given risk appetite) and prints, per table, the
flags of every cell: ``{"row": [...], "col": [...], "flags": [...]}``.

    <acro python> acro_cells.py data.parquet specs.json appetite.json
"""
import json
import logging
import sys
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import pandas as pd  # noqa: E402
from acro import ACRO  # noqa: E402


def _labels(key):
    key = key if isinstance(key, tuple) else (key,)
    return [str(k) for k in key]


def run(df, spec, appetite, missing):
    acro = ACRO(suppress=False)
    acro.sdc_checks.risk_appetite.update(appetite)
    acro.sdc_checks.risk_appetite["check_missing_values"] = missing
    idx = [df[c] for c in spec["index"]]
    col = [df[c] for c in spec["columns"]]
    agg = spec["aggfunc"]
    if spec["kind"] == "crosstab":
        if agg is None:
            acro.crosstab(idx, col)
        else:
            acro.crosstab(idx, col, values=df[spec["value"]], aggfunc=agg)
    else:
        acro.pivot_table(df, values=spec["value"], index=spec["index"],
                         columns=spec["columns"] or None, aggfunc=agg)
    rec = list(acro.results.results.values())[-1]
    out = rec.outcome
    cells = []
    for r in out.index:
        for c in out.columns:
            text = str(out.loc[r, c])
            flags = [f.strip() for f in text.replace(";", " ").split() if f.strip() and f != "ok"]
            cells.append({"row": _labels(r), "col": _labels(c), "flags": flags})
    return cells


def main():
    df = pd.read_parquet(sys.argv[1])
    specs = json.loads(open(sys.argv[2]).read())
    appetite = json.loads(open(sys.argv[3]).read())
    result = []
    for spec in specs:
        plain = run(df, spec, appetite, False)
        # ACRO 1.0.2 fails on a frequency table with check_missing_values on ("column used for
        # values has incompatible length"); missing values only concern statistics anyway.
        miss = run(df, spec, appetite, True) \
            if spec["value"] and df[spec["value"]].isna().any() else []
        result.append({"cells": plain, "missing_cells": miss})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
