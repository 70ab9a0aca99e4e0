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
# The helpers load on first use (PEP 562): the engine reads only ``.provenance`` from this
# package, and the researcher's pre-check must not pay for the helpers and the models.
_WHERE = {"crosstab": "api", "pivot_table": "api", "describe": "api", "value_counts": "api",
          "histogram": "api", "bar_data": "api", "HelperError": "cube", "SafeTable": "frame",
          "count": "legacy", "mean": "legacy", "pivot": "legacy", "rate": "legacy",
          "ols": "models", "logit": "models", "poisson": "models", "cox": "models",
          "kaplan_meier": "models"}

__all__ = ["SafeTable", "HelperError", "crosstab", "pivot_table", "describe", "value_counts",
           "histogram", "bar_data", "count", "mean", "pivot", "rate", "ols", "logit", "poisson",
           "cox", "kaplan_meier"]


def __getattr__(name: str):
    if name in _WHERE:
        import importlib

        value = getattr(importlib.import_module(f"egress_review.safe_tables.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'egress_review.safe_tables' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
