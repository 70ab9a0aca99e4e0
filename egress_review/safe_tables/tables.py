"""Earlier module path of the helpers (``from egress_review.safe_tables import tables``)."""
from egress_review.safe_tables.api import crosstab, describe, pivot_table, value_counts  # noqa: F401
from egress_review.safe_tables.frame import SafeTable  # noqa: F401
from egress_review.safe_tables.legacy import count, mean, pivot, rate  # noqa: F401
