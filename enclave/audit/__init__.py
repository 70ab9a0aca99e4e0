"""One append-only, keyed audit chain for every component (RULES.md A3, A5, A6), with signed
checkpoints of its head outside the database (journal.py) and a verifier of both (verify.py)."""
from enclave.audit.log import AuditEntry, ChainProblem, append, verify_chain

__all__ = ["AuditEntry", "append", "verify_chain", "ChainProblem"]
