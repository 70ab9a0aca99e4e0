"""Table helpers for the research session that record provenance for egress checks.

Each helper returns a :class:`SafeTable`: the table as a DataFrame plus, for every value cell,
the number of distinct units (persons) behind it and, for magnitude statistics, the largest
contributions and the total (for dominance, E3).  ``SafeTable.save(path)`` writes the table as
CSV and a sealed sidecar ``<path>.provenance.json`` (see :mod:`.provenance`), and
``SafeTable.manifest_entry()`` gives the manifest entry describing it.  Extremes (min/max) are
deliberately not offered (E2: a single person's value).

Example::

    from egress_review.safe_tables import crosstab
    t = crosstab(df, index="age_band", columns="region", unit="ID")
    t.save("out/age_region.csv")
"""
from egress_review.safe_tables.tables import (SafeTable, count, crosstab, describe, mean, pivot,
                                              rate)

__all__ = ["SafeTable", "count", "crosstab", "describe", "mean", "pivot", "rate"]
