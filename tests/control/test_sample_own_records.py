"""A6 separation of duties: a supervisor whose own audit records were drawn into a sample does
not sign that sample off while those records are unreviewed - reviewing them is refused to them
(mark_reviewed), and before, signing off the whole sample was not, so their records were passed
by the one person they are about.  Another supervisor reviews them first; then the sign-off is
theirs to give."""
from __future__ import annotations

import datetime as dt

import pytest

from enclave.audit import AuditEntry, append
from enclave.audit.sampling import service as sampling
from enclave.core.errors import Forbidden
from enclave.db import session_scope
from tests.control.conftest import T0, load, mk_user



def _log(db, names):
    for name in names:
        for i in range(3):
            append(db, AuditEntry("session", name, "query", reason="x"), now=T0 - dt.timedelta(days=3, hours=i))


@pytest.fixture
def every_account(policy):
    """Every account sampled, so the supervisor's own records are surely drawn."""
    return policy.model_copy(update={"accounts": policy.accounts.model_copy(update={"audit_sample_fraction": 1.0})})


@pytest.fixture
def sample(url, every_account):
    policy = every_account
    with session_scope(url) as db:
        mk_user(db, "admin", "admin")
        mk_user(db, "boss", "committee")
        mk_user(db, "boss2", "committee")
        mk_user(db, "alice")
        _log(db, ["boss", "alice"])
        s = sampling.create_sample(db, policy, load(db, "admin"), now=T0, seed=1)
        names = {i.username for i in s.items}
        return url, s.id, names


@pytest.mark.parametrize("first_reviewed", [False, True], ids=["own-unreviewed", "reviewed-by-another"])
def test_a_supervisor_signs_off_own_records_only_after_another_reviewed_them(sample, policy, first_reviewed):
    url, sid, names = sample
    assert "boss" in names
    with session_scope(url) as db:
        s = sampling.get_sample(db, sid)
        boss, boss2 = load(db, "boss", "boss2")
        own = next(i for i in s.items if i.username == "boss")
        with pytest.raises(Forbidden):
            sampling.mark_reviewed(db, policy, boss, s, own.id)
        if first_reviewed:
            sampling.mark_reviewed(db, policy, boss2, s, own.id)
            sampling.sign_off(db, policy, boss, s, now=T0)
            assert s.status == "signed"
        else:
            with pytest.raises(Forbidden, match="own audit records"):
                sampling.sign_off(db, policy, boss, s, now=T0)
            sampling.sign_off(db, policy, boss2, s, now=T0)   # someone with no records in it may
            assert s.status == "signed" and s.signed_by == "boss2"
