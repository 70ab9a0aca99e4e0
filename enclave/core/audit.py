"""The one helper control-plane services use to write an audit record (A5)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from enclave.audit import AuditEntry, append


def audit(db: Session, actor: str, action: str, case=None, *, subject: str | None = None,
          reason: str | None = None, **detail: Any) -> None:
    """Append one control-plane record in the caller's transaction (it commits or rolls back
    with the change it describes)."""
    append(db, AuditEntry("control", actor, action, case_code=case.code if case else None,
                          subject=subject, reason=reason, detail=detail or None))
