"""Kept for older imports: the errors live in :mod:`enclave.core.errors`."""
from enclave.core.errors import BadInput, ControlError, Forbidden, NotFound, Refused  # noqa: F401
