"""Reviews sent at the same moment, over real HTTP (uvicorn, many connections), on SQLite and
PostgreSQL (E4: two independent reviews).

A review reads the request, sees whether the reviewer has reviewed it and whether the stage is
complete, then writes: two calls that both read before either writes would let one person count
twice, or decide a request twice.  The write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL
``FOR UPDATE`` on the request) makes them take turns; these tests race them."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from egress_review.models import EgressRequest, EgressReview
from tests.control import http_load_kit as K
from tests.egress_workflow.conftest import submit


@pytest.fixture
def base(world, dirs, clock):
    from egress_review.api import create_app

    app = create_app(world.db_url, world.policy, store_dir=dirs["store_dir"],
                     release_dir=dirs["release_dir"], clock=clock)
    with K.serve(app) as url:
        yield url


def _state(world, rid):
    with session_scope(world.db_url) as db:
        req = db.get(EgressRequest, rid)
        reviews = db.execute(select(EgressReview.reviewer_id, func.count()).where(
            EgressReview.request_id == rid).group_by(EgressReview.reviewer_id)).all()
        moves = db.execute(select(AuditRecord.action, func.count()).where(
            AuditRecord.subject == f"egress_request:{rid}").group_by(AuditRecord.action)).all()
        return req.state, dict(reviews), dict(moves)


def test_one_reviewer_approving_six_times_at_once_counts_once(client, world, base):
    rid = submit(client, world).json()["id"]
    token = world.tokens["rev1"]
    result = K.burst([("POST", f"{base}/api/requests/{rid}/reviews", token, {"decision": "approve"})] * 6)
    assert result.errors == [] and result.server_errors == 0, result.errors
    assert result.statuses[200] == 1 and result.statuses[409] == 5, result.statuses
    state, reviews, moves = _state(world, rid)
    assert state == "in_review" and list(reviews.values()) == [1]
    assert moves.get("egress.approved") is None


@pytest.mark.parametrize("decisions", [("approve",) * 3, ("approve", "reject", "approve")],
                         ids=["three-approvals", "approve-reject-approve"])
def test_three_reviewers_at_once_decide_the_request_once(client, world, base, decisions):
    rid = submit(client, world).json()["id"]
    reqs = [("POST", f"{base}/api/requests/{rid}/reviews", world.tokens[who],
             {"decision": d, "reason": "checked the cells and the purpose" if d != "approve" else ""})
            for who, d in zip(("rev1", "rev2", "rev3"), decisions)]
    result = K.burst(reqs)
    assert result.errors == [] and result.server_errors == 0, result.errors
    assert result.statuses[200] == 2 and result.statuses[409] == 1, result.statuses   # two reviews required
    state, reviews, moves = _state(world, rid)
    assert len(reviews) == 2 and set(reviews.values()) == {1}
    assert state in ("approved", "released", "rejected")
    decided = {a: n for a, n in moves.items() if a in ("egress.approved", "egress.rejected")}
    assert list(decided.values()) == [1], moves                  # decided once, audited once
