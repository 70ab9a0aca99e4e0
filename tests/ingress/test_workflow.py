"""Import requests through the HTTP router (real token auth), on SQLite and PostgreSQL:
checks before review, reviewer + committee, read-only atomic delivery, P13 sharing, audit."""
from __future__ import annotations

import hashlib
import json
import os
import stat

from sqlalchemy import select

from tests.ingress.conftest import CLEAN_CODE, patient_csv


def submit(client, world, who, case, files, purpose="Pre-processing code for the chest X-ray model"):
    specs = [{"path": p, "kind": k, "description": f"{p} for {case}"} for p, k, _ in files]
    return client.post("/api/imports", headers=world.auth(who),
                       data={"case_code": case, "purpose": purpose, "files_json": json.dumps(specs)},
                       files=[("uploads", (p, d, "application/octet-stream")) for p, _, d in files])


def review(client, world, who, rid, decision="approve", reason="checked the code: no data inside"):
    return client.post(f"/api/imports/{rid}/review", headers=world.auth(who),
                       json={"decision": decision, "reason": reason})


def audit_actions(world, rid):
    from enclave.audit.models import AuditRecord
    from enclave.db import session_scope

    with session_scope(world.db_url) as db:
        return [(r.actor, r.action) for r in db.execute(
            select(AuditRecord).where(AuditRecord.subject == f"import_request:{rid}")
            .order_by(AuditRecord.seq)).scalars()]


def test_clean_code_reviewed_and_delivered_read_only(client, world):
    r = submit(client, world, "alice", "C1", [("prep/normalise.py", "code", CLEAN_CODE)])
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["state"] == "in_review" and req["verdict"] == "pass"
    rid = req["id"]
    # the requester may not approve their own import; nor may a reviewer who works on the case
    assert review(client, world, "alice", rid).status_code == 403
    assert review(client, world, "carol", rid).status_code == 403
    # a researcher of another case does not even see it; no decision without a reason
    assert review(client, world, "bob", rid).status_code == 404
    assert review(client, world, "rev1", rid, reason="  ").status_code == 400
    # reviewers read the files (audited); the requester and other researchers do not
    r = client.get(f"/api/imports/{rid}/files/prep/normalise.py", headers=world.auth("rev1"))
    assert r.status_code == 200 and r.content == CLEAN_CODE
    assert r.headers["content-type"] == "application/octet-stream"
    assert client.get(f"/api/imports/{rid}/files/prep/normalise.py", headers=world.auth("alice")).status_code == 403
    assert client.get(f"/api/imports/{rid}/files/nope.py", headers=world.auth("rev1")).status_code == 404
    target = world.projects / "C1" / "imports" / str(rid)
    assert not target.exists()
    r = review(client, world, "rev1", rid)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "delivered"
    f = target / "prep" / "normalise.py"
    assert f.read_bytes() == CLEAN_CODE
    assert stat.S_IMODE(f.stat().st_mode) == 0o444
    assert stat.S_IMODE(target.stat().st_mode) == 0o555
    assert stat.S_IMODE((target / "prep").stat().st_mode) == 0o555
    # no temporary directory is left next to it
    assert [p.name for p in target.parent.iterdir()] == [str(rid)]
    # a second decision on a delivered request is refused
    assert review(client, world, "rev2", rid).status_code == 409
    acts = audit_actions(world, rid)
    assert ("alice", "import.submitted") in acts and ("ingress-checks", "import.in_review") in acts
    assert ("alice", "import.review.refused") in acts
    assert ("rev1", "import.file.read") in acts and ("rev1", "import.approved") in acts and ("ingress-workflow", "import.delivered") in acts


def test_disclosive_import_is_blocked_before_any_reviewer(client, world):
    r = submit(client, world, "alice", "C1", [("cohort.csv", "reference", patient_csv())])
    assert r.status_code == 201
    req = r.json()
    assert req["state"] == "blocked" and req["verdict"] == "block"
    findings = req["check_result"]["findings"]
    assert any(f["rule"] == "D4" and f["check"] == "microdata" for f in findings)
    assert review(client, world, "rev1", req["id"]).status_code == 409
    assert not (world.projects / "C1" / "imports" / str(req["id"])).exists()
    # the forbidden file is not kept in the store either; only its checksum is recorded
    sha = req["files"][0]["sha256"]
    assert sha == hashlib.sha256(patient_csv()).hexdigest()
    assert not client.app_state.ingress_store.exists(sha)
    assert client.get(f"/api/imports/{req['id']}/files/cohort.csv", headers=world.auth("rev1")).status_code == 410


def test_imaging_model_needs_reviewer_then_committee(client, world):
    weights = b"\x08\x07\x12\x04onnx" + bytes(range(256)) * 4
    # the same weights for a non-imaging case are blocked by the checks
    r = submit(client, world, "alice", "C1", [("net.onnx", "model", weights)])
    assert r.json()["state"] == "blocked"
    r = submit(client, world, "alice", "IMG1", [("net.onnx", "model", weights),
                                                ("prep.py", "code", CLEAN_CODE)])
    req = r.json()
    assert req["state"] == "in_review" and req["needs_committee"] and req["verdict"] == "review"
    rid = req["id"]
    # the committee cannot jump the reviewer stage
    assert review(client, world, "com1", rid).status_code == 403
    r = review(client, world, "rev1", rid)
    assert r.json()["state"] == "in_review" and r.json()["stage"] == "committee"
    assert not (world.projects / "IMG1" / "imports" / str(rid)).exists()
    # a second reviewer is not the committee
    assert review(client, world, "rev2", rid).status_code == 403
    # a committee member who already reviewed it is not a second person
    from enclave.accounts.models import UserRole
    from enclave.db import session_scope

    with session_scope(world.db_url) as db:
        db.add(UserRole(user_id=world.ids["rev1"], role="committee"))
    r = review(client, world, "rev1", rid)
    assert r.status_code == 403 and "another person" in r.text
    r = review(client, world, "com1", rid, reason="model from the published ResNet; approved")
    assert r.json()["state"] == "delivered"
    got = world.projects / "IMG1" / "imports" / str(rid) / "net.onnx"
    assert hashlib.sha256(got.read_bytes()).hexdigest() == hashlib.sha256(weights).hexdigest()
    assert ("ingress-workflow", "import.committee") in audit_actions(world, rid)


def test_reject_with_reason(client, world):
    rid = submit(client, world, "alice", "C1", [("a.py", "code", CLEAN_CODE)]).json()["id"]
    r = review(client, world, "rev1", rid, "reject", "purpose does not match the approved study")
    assert r.json()["state"] == "rejected"
    assert r.json()["decision_reason"] == "purpose does not match the approved study"
    assert not (world.projects / "C1" / "imports" / str(rid)).exists()


def test_only_members_of_open_cases_submit_and_see(client, world):
    assert submit(client, world, "bob", "C1", [("a.py", "code", CLEAN_CODE)]).status_code == 403
    assert submit(client, world, "alice", "NOPE", [("a.py", "code", CLEAN_CODE)]).status_code == 404
    r = submit(client, world, "alice", "C1", [("../escape.py", "code", CLEAN_CODE)])
    assert r.status_code == 400 and "escape.py" in r.text
    r = submit(client, world, "alice", "C1", [("a.py", "weights", CLEAN_CODE)])
    assert r.status_code == 400 and "kind" in r.text
    assert client.post("/api/imports", data={"case_code": "C1", "purpose": "x", "files_json": "[]"},
                       files=[("uploads", ("a", b"", "text/plain"))]).status_code == 401
    rid = submit(client, world, "alice", "C1", [("a.py", "code", CLEAN_CODE)]).json()["id"]
    assert client.get(f"/api/imports/{rid}", headers=world.auth("bob")).status_code == 404
    assert client.get(f"/api/imports/{rid}", headers=world.auth("rev1")).status_code == 200
    assert [x["id"] for x in client.get("/api/imports", headers=world.auth("bob")).json()] == []
    assert rid in [x["id"] for x in client.get("/api/imports?case=C1", headers=world.auth("rev2")).json()]


def _released_egress(world, client, state="released"):
    """An egress request of case C1 (alice's) in ``state`` with one code output and one table."""
    from egress_review.models import EgressFile, EgressRequest
    from enclave.db import session_scope, utcnow

    store = client.app_state.egress.store
    code_blob = store.put_bytes(CLEAN_CODE)
    table = b"age_group,n\n20-39,120\n40-59,98\n"
    table_blob = store.put_bytes(table)
    with session_scope(world.db_url) as db:
        req = EgressRequest(case_code="C1", requester_id=world.ids["alice"], state=state,
                            purpose="results", manifest={"version": 1}, manifest_sha256="0" * 64,
                            released_at=utcnow() if state == "released" else None)
        req.files.append(EgressFile(ordinal=0, path="normalise.py", kind="code", description="procedure",
                                    sha256=code_blob.sha256, size=code_blob.size))
        req.files.append(EgressFile(ordinal=1, path="counts.csv", kind="table", description="counts",
                                    sha256=table_blob.sha256, size=table_blob.size))
        db.add(req)
        db.flush()
        return req.id


def share(client, world, who, src, paths, target="C2"):
    return client.post("/api/imports/share", headers=world.auth(who),
                       json={"source_request_id": src, "paths": paths, "target_case": target,
                             "purpose": "reuse the normalisation procedure in the follow-up study"})


def test_share_released_output_to_a_later_case(client, world):
    src = _released_egress(world, client)
    r = share(client, world, "alice", src, ["normalise.py", "counts.csv"])
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["source"] == "share" and req["source_case_code"] == "C1" and req["case_code"] == "C2"
    assert [f["kind"] for f in req["files"]] == ["code", "reference"]
    assert req["state"] == "in_review" and req["verdict"] == "pass"
    r = review(client, world, "rev1", req["id"])
    assert r.json()["state"] == "delivered"
    got = world.projects / "C2" / "imports" / str(req["id"]) / "normalise.py"
    assert got.read_bytes() == CLEAN_CODE and stat.S_IMODE(got.stat().st_mode) == 0o444


def test_share_refused_when_unreleased_foreign_or_wrong_target(client, world):
    pending = _released_egress(world, client, state="approved")
    r = share(client, world, "alice", pending, ["normalise.py"])
    assert r.status_code == 409 and "released" in r.text
    src = _released_egress(world, client)
    # bob does not work on C1: he cannot take its outputs
    assert share(client, world, "bob", src, ["normalise.py"]).status_code == 403
    # not an output of that request
    assert share(client, world, "alice", src, ["secret.csv"]).status_code == 404
    # the same case, an ended case
    assert share(client, world, "alice", src, ["normalise.py"], target="C1").status_code == 400
    assert share(client, world, "alice", src, ["normalise.py"], target="OLD").status_code == 409


def test_share_goes_through_the_same_checks(client, world):
    from egress_review.models import EgressFile, EgressRequest
    from enclave.db import session_scope

    src = _released_egress(world, client)
    blob = client.app_state.egress.store.put_bytes(patient_csv())
    with session_scope(world.db_url) as db:
        req = db.get(EgressRequest, src)
        req.files.append(EgressFile(ordinal=2, path="leak.csv", kind="table", description="x",
                                    sha256=blob.sha256, size=blob.size))
    r = share(client, world, "alice", src, ["leak.csv"])
    assert r.status_code == 201 and r.json()["state"] == "blocked"


def test_delivery_is_idempotent_and_never_overwrites(world, client, tmp_path):
    """A retry after a crash between the rename and the commit accepts the identical folder;
    a folder with other content is never overwritten."""
    from egress_review.ingress import workflow as wf
    from egress_review.ingress.models import ImportRequest
    from enclave.db import session_scope

    rid = submit(client, world, "alice", "C1", [("a.py", "code", CLEAN_CODE)]).json()["id"]
    store = client.app_state.ingress_store
    with session_scope(world.db_url) as db:
        req = db.get(ImportRequest, rid)
        req.state = "approved"
        first = wf.deliver(store, req, world.projects)
        assert wf.deliver(store, req, world.projects) == first
        other = world.projects / "C1" / "imports" / "999"
        other.mkdir(parents=True)
        (other / "a.py").write_bytes(b"something else")
        req.id = 999
        try:
            wf.deliver(store, req, world.projects)
            raise AssertionError("overwrote a foreign folder")
        except wf.Conflict as e:
            assert "refusing to overwrite" in str(e)
        db.rollback()
    assert os.path.exists(first / "a.py")
