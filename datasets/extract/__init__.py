"""Per-case, minimum-necessary, re-keyed extracts (RULES.md D3)."""
from datasets.extract.builder import (ExtractError, ExtractResult, KAnonymityError, build_extract,
                                      build_extract_report, connect_extract, validate_spec)

__all__ = ["ExtractError", "ExtractResult", "KAnonymityError", "build_extract",
           "build_extract_report", "connect_extract", "validate_spec"]
