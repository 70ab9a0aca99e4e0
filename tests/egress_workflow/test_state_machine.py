"""One state machine for reviewed requests (issue 17): the egress and import workflows move
only along their transition tables, and a move the table lacks is refused, not written."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from egress_review import review_stages, workflow
from egress_review.ingress import workflow as ingress
from egress_review.request_input import Conflict
from enclave.core.state_machine import StateMachine, table
from tests.egress_workflow.conftest import submit


@pytest.mark.parametrize("machine", [review_stages.STATES, ingress.STATES], ids=["egress", "import"])
def test_every_move_not_in_the_table_is_refused(machine):
    for frm in machine.states:
        for to in machine.states:
            req = SimpleNamespace(id=7, state=frm)
            if to in machine.transitions[frm]:
                assert machine.move(req, to) == frm and req.state == to
            else:
                with pytest.raises(Conflict, match=f"is {frm}: it cannot become {to}"):
                    machine.move(req, to)
                assert req.state == frm        # nothing written


def test_final_and_withdrawable_states_come_from_the_table():
    assert set(review_stages.STATES.final) == {"released", "rejected", "changes_requested", "withdrawn"}
    assert set(workflow.WITHDRAWABLE) == {"draft", "submitted", "checked", "in_review"}
    assert set(ingress.STATES.final) == {"blocked", "rejected", "delivered"}


def test_a_table_naming_an_unknown_state_is_refused_when_declared():
    with pytest.raises(ValueError, match="not in the table"):
        StateMachine("x", "a", table(a="b"))


def test_the_egress_workflow_moves_through_its_table(client, world, monkeypatch):
    # switch off one transition (checked → in_review): the first review is refused and the
    # request stays checked, so the workflow cannot move around the table
    edges = dict(review_stages.STATES.transitions, checked=frozenset({"withdrawn"}))
    monkeypatch.setattr(workflow, "STATES", StateMachine("egress request", "draft", edges, error=Conflict))
    r = submit(client, world)
    assert r.status_code == 201 and r.json()["state"] == "checked", r.text
    rid = r.json()["id"]
    refused = client.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                          json={"decision": "approve", "reason": "all cells >= 6"})
    assert refused.status_code == 409 and "cannot become in_review" in refused.text
    assert client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()["state"] == "checked"
