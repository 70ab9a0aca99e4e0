"""P13/A1: sharing a case's released outputs with a later case is for a current member of the
source case.  Before, having been the requester of the released egress request was enough: a
researcher removed from the case kept pushing its outputs into another case."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from enclave.cases.models import Case, CaseMember
from enclave.db import session_scope, utcnow
from tests.ingress.test_workflow import _released_egress, share


def _set_alice(world, removed: bool):
    with session_scope(world.db_url) as db:
        c1 = db.execute(select(Case).where(Case.code == "C1")).scalar_one()
        m = db.execute(select(CaseMember).where(CaseMember.case_id == c1.id,
                                                CaseMember.user_id == world.ids["alice"])).scalar_one()
        m.removed_at = utcnow() - dt.timedelta(minutes=1) if removed else None


@pytest.mark.parametrize("removed", [False, True], ids=["current-member", "former-member"])
def test_only_a_current_member_shares(client, world, removed):
    src = _released_egress(world, client)
    _set_alice(world, removed)
    r = share(client, world, "alice", src, ["normalise.py"])
    assert r.status_code == (403 if removed else 201), r.text
