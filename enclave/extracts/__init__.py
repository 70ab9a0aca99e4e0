"""Building a case's extract from its approved spec and recording it (D3, A3)."""
from enclave.extracts.service import ExtractRefused, approved_spec, build_case_extract

__all__ = ["ExtractRefused", "approved_spec", "build_case_extract"]
