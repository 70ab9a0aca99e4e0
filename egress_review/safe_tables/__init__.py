"""Table helpers for the research session: pandas' calls, checked and with sealed provenance.

Change the import, not the code::

    from egress_review.safe_tables import crosstab, pivot_table, describe   # was: pandas
    df = con.sql("SELECT ID, sex, age_band, region, cost FROM opd").df()
    t = crosstab(index=[df.sex, df.age_band], columns=df.region, margins=True)
    t.save("out/sex_age_region.csv")          # CSV + <file>.provenance.json
    manifest_files.append(t.manifest_entry("out/sex_age_region.csv", "persons by ..."))

Each helper returns a :class:`SafeTable`.  When the frame came from the case connection
(``con.sql(...).df()``) the query broker - outside the sandbox, with the data - makes the same
table and seals its units and contributions with the case key; the kernel never sees the key.
A table computed from anything else is saved with an unsealed sidecar and goes to a reviewer.
See docs/researcher-workflow.md.
"""
from egress_review.safe_tables.api import (bar_data, crosstab, describe, histogram, pivot_table,
                                           value_counts)
from egress_review.safe_tables.cube import HelperError
from egress_review.safe_tables.frame import SafeTable
from egress_review.safe_tables.legacy import count, mean, pivot, rate
from egress_review.safe_tables.models import cox, kaplan_meier, logit, ols, poisson

__all__ = ["SafeTable", "HelperError", "crosstab", "pivot_table", "describe", "value_counts",
           "histogram", "bar_data", "count", "mean", "pivot", "rate", "ols", "logit", "poisson",
           "cox", "kaplan_meier"]
