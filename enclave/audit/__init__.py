"""One append-only, hash-chained audit log for every component (RULES.md A3, A5, A6)."""
from enclave.audit.log import AuditEntry, append, verify_chain, ChainProblem

__all__ = ["AuditEntry", "append", "verify_chain", "ChainProblem"]
