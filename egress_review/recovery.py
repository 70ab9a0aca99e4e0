"""Start-up recovery of the egress workflow: finish what a crash interrupted (requests left
``submitted`` are checked, ``approved`` ones released, temporary files dropped, missing blobs
reported), each request in a transaction of its own."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select

from egress_review.models import EgressFile, EgressRequest
from egress_review.store import BlobStore
from egress_review.workflow import _audit, check, expire_releases, release


@dataclass
class RecoveryReport:
    temp_files_removed: int = 0
    rechecked: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    missing_blobs: list[tuple[int, str]] = field(default_factory=list)
    orphan_blobs_removed: int = 0
    expired: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def _each_left_in(db_url: str, state: str):
    """Each request in ``state`` when asked, locked and still in that state, in a transaction of
    its own (what one request raises rolls back that request only)."""
    from enclave.db import session_scope

    with session_scope(db_url) as db:
        ids = db.execute(select(EgressRequest.id).where(EgressRequest.state == state)).scalars().all()
    for rid in ids:
        with session_scope(db_url) as db:
            req = db.get(EgressRequest, rid, with_for_update=True)
            if req is not None and req.state == state:
                yield db, req


def recover(db_url: str, store: BlobStore, area, *, policy,
            case_context: Callable[[str], dict] = lambda code: {},
            orphan_grace_s: float = 3600.0, now: dt.datetime | None = None) -> RecoveryReport:
    """Finish what a crash interrupted: drop temporary files, check requests left
    ``submitted``, release requests left ``approved``, and report any request whose blob is
    missing (which the write order makes impossible short of disk loss or tampering)."""
    from enclave.db import session_scope

    rep = RecoveryReport(temp_files_removed=len(store.recover()) + len(area.recover()))
    with session_scope(db_url) as db:
        referenced = set()
        for f in db.execute(select(EgressFile)).scalars():
            referenced.add(f.sha256)
            if not store.exists(f.sha256):
                rep.missing_blobs.append((f.request_id, f.path))
        rep.orphan_blobs_removed = len(store.collect_orphans(referenced, older_than_s=orphan_grace_s))
    for db, req in _each_left_in(db_url, "submitted"):
        check(db, store, req, policy=policy, case_context=case_context(req.case_code), now=now)
        rep.rechecked.append(req.id)
    for db, req in _each_left_in(db_url, "approved"):
        release(db, store, area, req, now=now)
        rep.released.append(req.id)
    with session_scope(db_url) as db:
        rep.expired = expire_releases(db, area, policy=policy, now=now)
    if rep.missing_blobs or rep.rechecked or rep.released or rep.temp_files_removed:
        with session_scope(db_url) as db:
            _audit(db, "egress-recovery", "egress.recovery", None, now=now, **{
                k: v for k, v in rep.to_dict().items()})
    return rep
