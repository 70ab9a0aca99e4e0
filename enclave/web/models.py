"""Kept for older imports: the session table lives in :mod:`enclave.identity.models`."""
from enclave.identity.models import WebSession  # noqa: F401
