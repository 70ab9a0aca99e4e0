"""Unseen outputs, round 4 (E3), through the HTTP API (the engine's classes are in
tests/egress_engine/test_unseen_round4.py): a table of patients per ``hospital`` pseudonym is
blocked on submission, and a count up to a later date is blocked once the count up to the
earlier date has been released in the same case (the release history reaches differencing)."""
from __future__ import annotations

from tests.egress_workflow.conftest import manifest, submit


def _spec(path, group):
    return {"path": path, "kind": "table", "description": f"persons by {group}",
            "columns": {group: {"role": "group"}, "n": {"role": "count"}}}


def test_patients_per_hospital_pseudonym_are_blocked(client, world):
    r = submit(client, world, man=manifest(files=[_spec("by_hospital.csv", "hospital")]),
               files={"by_hospital.csv": b"hospital,n\nHP-7f3a,420\nHP-91bc,380\nHP-03d2,510\n"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["verdict"] == "block", body
    d = client.get(f"/api/requests/{body['id']}", headers=world.auth("rev1")).json()
    assert sum(f["check"] == "institutions" for f in d["check_result"]["findings"]) == 3


def test_a_count_up_to_a_later_date_is_blocked_after_the_earlier_one_left(one_review_client, world, clock):
    client = one_review_client
    first = submit(client, world, man=manifest(files=[_spec("asof.csv", "as_of")]),
                   files={"asof.csv": b"as_of,n\n2020-06-30,300\n"})
    assert first.json()["verdict"] == "pass", first.json()
    clock.advance(minutes=1)
    d = client.post(f"/api/requests/{first.json()['id']}/reviews", headers=world.auth("rev1"),
                    json={"decision": "approve", "reason": "ok"})
    assert d.json()["state"] == "released", d.text
    clock.advance(minutes=1)
    later = submit(client, world, man=manifest(files=[_spec("asof2.csv", "as_of")]),
                   files={"asof2.csv": b"as_of,n\n2020-07-31,302\n"})
    body = later.json()
    assert body["verdict"] == "block", body
    d = client.get(f"/api/requests/{body['id']}", headers=world.auth("rev1")).json()
    assert any(f["check"] == "differencing" and "2 unit" in f["message_en"]
               for f in d["check_result"]["findings"]), d["check_result"]["findings"]
