"""Test worlds whose accounts were made straight in the DB (tests.control.conftest.mk_user):
seal their creation as the accounts service would (``account.created`` with the roles), so
``audit verify``'s people index (A1/A5, audit round 8) bears them out."""
from __future__ import annotations

from sqlalchemy import select

from enclave.audit import AuditEntry, append


def seal_people(db, actor: str = "test") -> int:
    """One ``account.created`` record per account with roles that none names yet; how many."""
    from enclave.accounts.models import User
    from enclave.audit.models import AuditRecord

    named = set(db.execute(select(AuditRecord.subject).where(AuditRecord.action == "account.created")).scalars())
    n = 0
    for u in db.execute(select(User).order_by(User.id)).scalars():
        if u.username not in named and u.role_names:
            append(db, AuditEntry("control", actor, "account.created", subject=u.username,
                                  detail={"roles": sorted(u.role_names)}))
            n += 1
    db.flush()
    return n
