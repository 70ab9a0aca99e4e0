"""Test worlds' people have their training and undertaking on record (P11), as the centre's
would: the gate refuses anyone without them.  Written as rows, like the worlds' accounts; the
service that records them (who may, validity, audit) has its own tests
(tests/identity/test_accreditation.py)."""
from __future__ import annotations

import datetime as dt

from enclave.accounts.models import ACCREDITATION_KINDS, Accreditation

YEARS = dt.timedelta(days=3650)   # valid for the whole of any test's clock


def accredit(db, user, when: dt.datetime | None = None) -> None:
    """Give ``user`` (flushed, with an id) a current record of every kind."""
    when = when or dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    start = min(when, dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    for kind in ACCREDITATION_KINDS:
        db.add(Accreditation(user_id=user.id, kind=kind, completed_at=start,
                             expires_at=start + YEARS * 2, note="test world",
                             recorded_by="test", recorded_at=start))
    db.flush()
