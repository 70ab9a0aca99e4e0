"""The egress-request workflow end to end through the API, on SQLite and PostgreSQL (E4, E5, O2)."""
from __future__ import annotations

import io
import json

import pyzipper
import pytest
from sqlalchemy import select

from enclave.audit import verify_chain
from enclave.audit.models import AuditRecord
from enclave.db import session_scope
from egress_review.models import EgressRequest
from tests.egress_workflow.conftest import (COUNTS_OK, COUNTS_SMALL, manifest, nhi_policy, png_bytes,
                                            submit, table_spec)


def audit_actions(db_url, rid):
    with session_scope(db_url) as db:
        return [(r.actor, r.action) for r in db.execute(
            select(AuditRecord).where(AuditRecord.subject == f"egress_request:{rid}")
            .order_by(AuditRecord.seq)).scalars()]


def review(client, world, who, rid, decision, reason="ok"):
    return client.post(f"/api/requests/{rid}/reviews", headers=world.auth(who),
                       json={"decision": decision, "reason": reason})


def test_full_two_person_review_and_download(client, world):
    r = submit(client, world)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["state"] == "checked" and r.json()["verdict"] == "pass"

    # Reviewer 1 reviews and leaves a private note; reviewer 2 must see neither (blind review).
    assert review(client, world, "rev1", rid, "approve", "all cells >= 6").status_code == 200
    c = client.post(f"/api/requests/{rid}/comments", headers=world.auth("rev1"),
                    json={"body": "row 3 looked odd at first", "visibility": "private"})
    assert c.status_code == 201
    seen_by_2 = client.get(f"/api/requests/{rid}", headers=world.auth("rev2")).json()
    assert seen_by_2["state"] == "in_review"
    assert seen_by_2["reviews"] == [] and seen_by_2["comments"] == []
    assert seen_by_2["reviews_in"] == 1 and seen_by_2["can_review"] is True
    # The requester sees neither the private note nor reviews before the decision.
    seen_by_alice = client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()
    assert seen_by_alice["comments"] == [] and seen_by_alice["reviews"] == []

    assert review(client, world, "rev2", rid, "approve", "fine").status_code == 200
    done = client.get(f"/api/requests/{rid}", headers=world.auth("rev2")).json()
    assert done["state"] == "released"
    assert {rv["reviewer"] for rv in done["reviews"]} == {"rev1", "rev2"}
    assert [c["body"] for c in done["comments"]] == ["row 3 looked odd at first"]
    # A third review is refused: the request is no longer in review.
    assert review(client, world, "rev3", rid, "approve").status_code == 409

    rel = client.get("/api/releases", headers=world.auth("alice")).json()
    (entry,) = [x for x in rel if x["request_id"] == rid]
    assert entry["status"] == "available"
    fid = entry["files"][0]["id"]
    got = client.get(f"/api/releases/{rid}/files/{fid}", headers=world.auth("alice"))
    assert got.status_code == 200 and got.content == COUNTS_OK
    rel = client.get("/api/releases", headers=world.auth("alice")).json()
    assert [x for x in rel if x["request_id"] == rid][0]["files"][0]["downloads"] == 1

    actions = [a for _, a in audit_actions(world.db_url, rid)]
    for expected in ("egress.draft", "egress.submitted", "egress.checked", "egress.review.approve",
                     "egress.in_review", "egress.approved", "egress.released", "egress.download"):
        assert expected in actions, (expected, actions)
    assert actions.index("egress.submitted") < actions.index("egress.checked") < actions.index("egress.approved")
    with session_scope(world.db_url) as db:
        assert verify_chain(db) == []


def test_requester_and_case_members_cannot_review(client, world):
    # carol holds the reviewer role but is a member of C1; she submits a request herself.
    rid = submit(client, world, who="carol").json()["id"]
    r = review(client, world, "carol", rid, "approve")
    assert r.status_code == 403 and "their own request" in r.json()["detail"]
    rid2 = submit(client, world, who="alice").json()["id"]
    r = review(client, world, "carol", rid2, "approve")
    assert r.status_code == 403 and "member of case C1" in r.json()["detail"]
    # A researcher without the reviewer role cannot review, nor see another's request.
    assert review(client, world, "bob", rid2, "approve").status_code == 404
    assert client.get(f"/api/requests/{rid2}", headers=world.auth("bob")).status_code == 404
    # Reviewing twice is refused.
    assert review(client, world, "rev1", rid2, "approve").status_code == 200
    assert review(client, world, "rev1", rid2, "approve").status_code == 409
    # No review was recorded by carol.
    with session_scope(world.db_url) as db:
        req = db.get(EgressRequest, rid2)
        assert [r.reviewer_id for r in req.reviews] == [world.ids["rev1"]]
    # The refused attempts are in the audit log, with why.
    assert ("carol", "egress.review.refused") in audit_actions(world.db_url, rid)
    assert ("carol", "egress.review.refused") in audit_actions(world.db_url, rid2)


def test_block_verdict_cannot_be_approved(client, world):
    man = manifest(files=[table_spec("small.csv", groups=("age_group",))])
    r = submit(client, world, man=man, files={"small.csv": COUNTS_SMALL})
    assert r.status_code == 201 and r.json()["verdict"] == "block"
    rid = r.json()["id"]
    r = review(client, world, "rev1", rid, "approve")
    assert r.status_code == 409 and "cannot be approved" in r.json()["detail"]
    assert review(client, world, "rev1", rid, "changes", "").status_code == 400  # reason required
    # the reason reaches the requester, outside too: the blocked cell's value may not (E7)
    assert review(client, world, "rev1", rid, "changes", "cell 20-39 has 3 persons").status_code == 422
    assert review(client, world, "rev1", rid, "changes", "a cell is below the threshold; merge age bands").status_code == 200
    assert review(client, world, "rev2", rid, "reject", "below threshold (E2)").status_code == 200
    d = client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()
    assert d["state"] == "rejected" and "below threshold" in d["decision_reason"]
    # The requester now sees the decided reviews; nothing is downloadable.
    assert len(d["reviews"]) == 2
    rel = [x for x in client.get("/api/releases", headers=world.auth("alice")).json() if x["request_id"] == rid]
    assert rel[0]["status"] == "rejected"
    fid = d["files"][0]["id"]
    assert client.get(f"/api/releases/{rid}/files/{fid}", headers=world.auth("alice")).status_code == 409


def test_disagreement_sends_back_for_changes_then_resubmission(client, world):
    rid = submit(client, world).json()["id"]
    assert review(client, world, "rev1", rid, "approve").status_code == 200
    assert review(client, world, "rev2", rid, "changes", "explain the 2018 drop").status_code == 200
    d = client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()
    assert d["state"] == "changes_requested" and d["decision_reason"] == "explain the 2018 drop"
    r2 = submit(client, world, supersedes=str(rid),
                man=manifest(purpose="Visits by age and sex; the 2018 drop is the coding change"))
    assert r2.status_code == 201
    # bob cannot supersede alice's request.
    r3 = submit(client, world, who="bob", supersedes=str(rid))
    assert r3.status_code == 400 and "supersedes" in r3.json()["detail"]


def test_committee_path_for_figures(client, world):
    man = manifest(case="IMG1", files=[
        table_spec("counts.csv"),
        {"path": "fig/roc.png", "kind": "figure", "description": "ROC curve of the model"}])
    r = submit(client, world, man=man, files={"counts.csv": COUNTS_OK, "fig/roc.png": png_bytes()})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    d = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()
    assert d["needs_committee"] is True and d["verdict"] == "review"
    assert [f["path"] for f in d["files"]] == ["counts.csv", "fig/roc.png"]
    # The committee cannot decide before the reviewers (its role is not 'reviewer').
    assert review(client, world, "com1", rid, "approve").status_code == 403
    # E4: over 'review' findings an approval needs the reviewer's reason, on record
    r = review(client, world, "rev1", rid, "approve", "ok")
    assert r.status_code == 400 and "reason" in r.json()["detail"]
    why = "counts all >= 6; the ROC figure shows curves only"
    assert review(client, world, "rev1", rid, "approve", why).status_code == 200
    assert review(client, world, "rev2", rid, "approve", why).status_code == 200
    d = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()
    assert d["state"] == "in_review" and d["stage"] == "committee"
    # A reviewer without the committee role cannot approve at this stage.
    r = review(client, world, "rev3", rid, "approve")
    assert r.status_code == 403 and "committee" in r.json()["detail"]
    assert review(client, world, "com1", rid, "approve", "the figure shows no individual").status_code == 200
    d = client.get(f"/api/requests/{rid}", headers=world.auth("com1")).json()
    assert d["state"] == "released"
    assert ("com1", "egress.review.approve") in audit_actions(world.db_url, rid)
    assert ("egress-workflow", "egress.committee") in audit_actions(world.db_url, rid)


def test_download_window_expires_with_410(one_review_client, world, clock, dirs):
    client = one_review_client
    rid = submit(client, world).json()["id"]
    assert review(client, world, "rev1", rid, "approve").json()["state"] == "released"
    d = client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()
    fid = d["files"][0]["id"]
    # Only the requester downloads; reviewers and other researchers do not.
    assert client.get(f"/api/releases/{rid}/files/{fid}", headers=world.auth("bob")).status_code == 404
    assert client.get(f"/api/releases/{rid}/files/{fid}", headers=world.auth("rev1")).status_code == 404
    clock.advance(days=13, hours=23)
    assert client.get(f"/api/releases/{rid}/files/{fid}", headers=world.auth("alice")).status_code == 200
    clock.advance(hours=2)  # now 14 days + 1 hour after approval
    r = client.get(f"/api/releases/{rid}/files/{fid}", headers=world.auth("alice"))
    assert r.status_code == 410 and "14 days" in r.json()["detail"]
    assert client.post(f"/api/releases/{rid}/zip", headers=world.auth("alice"),
                       json={"password": "a-long-password"}).status_code == 410
    assert not (dirs["release_dir"] / f"r{rid}").exists()
    rel = [x for x in client.get("/api/releases", headers=world.auth("alice")).json() if x["request_id"] == rid]
    assert rel[0]["status"] == "expired"
    actions = [a for _, a in audit_actions(world.db_url, rid)]
    assert actions.count("egress.download") == 1 and "egress.release.expired" in actions


def test_encrypted_zip_opens_only_with_the_password(one_review_client, world):
    client = one_review_client
    man = manifest(files=[table_spec("counts.csv"),
                          {"path": "notes/readme.txt", "kind": "text", "description": "how to read"}])
    readme = "表格說明：依年齡與性別分組。\n".encode()
    rid = submit(client, world, man=man, files={"counts.csv": COUNTS_OK, "notes/readme.txt": readme}).json()["id"]
    assert review(client, world, "rev1", rid, "approve").status_code == 200
    r = client.post(f"/api/releases/{rid}/zip", headers=world.auth("alice"), json={"password": "short"})
    assert r.status_code == 400 and "at least 10" in r.json()["detail"]
    r = client.post(f"/api/releases/{rid}/zip", headers=world.auth("alice"),
                    json={"password": "Tea-and-Biscuits-7"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with pyzipper.AESZipFile(io.BytesIO(r.content)) as zf:
        assert sorted(zf.namelist()) == ["counts.csv", "notes/readme.txt"]
        with pytest.raises(RuntimeError):
            zf.read("counts.csv")  # no password
        zf.setpassword(b"wrong-password-123")
        with pytest.raises(RuntimeError):
            zf.read("counts.csv")
        zf.setpassword(b"Tea-and-Biscuits-7")
        assert zf.read("counts.csv") == COUNTS_OK and zf.read("notes/readme.txt") == readme
        assert all(i.flag_bits & 0x1 for i in zf.infolist())  # every entry encrypted
    with session_scope(world.db_url) as db:
        rec = db.execute(select(AuditRecord).where(AuditRecord.action == "egress.download")).scalars().one()
        assert rec.actor == "alice" and rec.detail["encrypted"] is True


def test_submission_errors_name_what_is_wrong(client, world):
    r = submit(client, world, files={"other.csv": COUNTS_OK})
    assert r.status_code == 400 and "counts.csv" in r.json()["detail"]
    r = submit(client, world, files={"counts.csv": COUNTS_OK, "extra.csv": COUNTS_OK})
    assert r.status_code == 400 and "extra.csv" in r.json()["detail"]
    r = client.post("/api/requests", headers=world.auth("alice"), data={"manifest": "{not json"},
                    files=[("files", ("counts.csv", COUNTS_OK))])
    assert r.status_code == 400 and "not valid JSON" in r.json()["detail"]
    bad = manifest()
    bad["files"][0]["kind"] = "spreadsheet"
    r = submit(client, world, man=bad)
    assert r.status_code == 400 and "files[0] (counts.csv).kind" in r.json()["detail"]
    trav = manifest(files=[table_spec("../../etc/counts.csv")])
    r = submit(client, world, man=trav, files={"../../etc/counts.csv": COUNTS_OK})
    assert r.status_code == 400 and ".." in r.json()["detail"]
    # Not a member of the case named in the manifest.
    r = submit(client, world, who="mallory")
    assert r.status_code == 403 and "not a member of case C1" in r.json()["detail"]
    r = submit(client, world, man=manifest(case="NOPE"))
    assert r.status_code == 404
    assert client.post("/api/requests", data={"manifest": "{}"}).status_code == 401
    with session_scope(world.db_url) as db:
        assert db.execute(select(EgressRequest)).scalars().all() == []


def test_idempotent_retry_draft_and_withdraw(client, world):
    a = submit(client, world, idempotency_key="k-1")
    b = submit(client, world, idempotency_key="k-1")
    assert a.status_code == 201 and b.status_code == 200 and a.json()["id"] == b.json()["id"]
    other = submit(client, world, idempotency_key="k-1", man=manifest(purpose="something else entirely"))
    assert other.status_code == 409
    d = submit(client, world, draft="true")
    assert d.json()["state"] == "draft"
    rid = d.json()["id"]
    # A draft is private to its author: reviewers neither list, see nor review it.
    assert review(client, world, "rev1", rid, "approve").status_code == 404
    assert client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).status_code == 404
    assert rid not in [x["id"] for x in client.get("/api/requests", headers=world.auth("rev1")).json()]
    assert client.post(f"/api/requests/{rid}/submit", headers=world.auth("bob")).status_code == 404
    s = client.post(f"/api/requests/{rid}/submit", headers=world.auth("alice"))
    assert s.status_code == 200 and s.json()["state"] == "checked"
    w = client.post(f"/api/requests/{rid}/withdraw", headers=world.auth("alice"), json={"reason": "typo"})
    assert w.status_code == 200 and w.json()["state"] == "withdrawn"
    assert client.post(f"/api/requests/{rid}/withdraw", headers=world.auth("alice"),
                       json={"reason": "again"}).status_code == 409
    assert ("alice", "egress.withdrawn") in audit_actions(world.db_url, rid)


def test_precheck_stores_nothing_and_matches_submission(client, world, dirs):
    man = manifest(files=[table_spec("small.csv", groups=("age_group",))])
    r = client.post("/api/precheck", headers=world.auth("alice"), data={"manifest": json.dumps(man)},
                    files=[("files", ("small.csv", COUNTS_SMALL))])
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["verdict"] == "block"
    assert any(x["rule"] == "E2" and x["location"].get("row") == 1 and x["location"].get("column") == "n"
               for x in res["findings"]), res["findings"]
    assert list((dirs["store_dir"] / "blobs").rglob("*")) == []
    with session_scope(world.db_url) as db:
        assert db.execute(select(EgressRequest)).scalars().all() == []
    r = client.post("/api/precheck", headers=world.auth("mallory"), data={"manifest": json.dumps(man)},
                    files=[("files", ("small.csv", COUNTS_SMALL))])
    assert r.status_code == 403


def test_files_only_reach_reviewers_not_the_requester(client, world):
    rid = submit(client, world).json()["id"]
    fid = client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()["files"][0]["id"]
    # The requester cannot use the reviewer endpoint as a way out before approval.
    assert client.get(f"/api/requests/{rid}/files/{fid}", headers=world.auth("alice")).status_code == 403
    assert client.get(f"/api/releases/{rid}/files/{fid}", headers=world.auth("alice")).status_code == 409
    r = client.get(f"/api/requests/{rid}/files/{fid}", headers=world.auth("rev1"))
    assert r.status_code == 200 and r.content == COUNTS_OK


def test_case_history_reaches_the_engine(one_review_client, world):
    """The second request of a case is checked against what the case released before (E3)."""
    client = one_review_client
    total = b"age_group,n\nAll,46\n"
    man1 = manifest(files=[{"path": "total.csv", "kind": "table", "description": "all persons",
                            "columns": {"age_group": {"role": "group"}, "n": {"role": "count"}}}])
    rid1 = submit(client, world, man=man1, files={"total.csv": total}).json()["id"]
    assert review(client, world, "rev1", rid1, "approve").json()["state"] == "released"
    part = b"age_group,n\n20-39,40\n"
    man2 = manifest(files=[{"path": "part.csv", "kind": "table", "description": "persons 20-39",
                            "columns": {"age_group": {"role": "group"}, "n": {"role": "count"}}}])
    r = client.post("/api/precheck", headers=world.auth("alice"), data={"manifest": json.dumps(man2)},
                    files=[("files", ("part.csv", part))])
    assert r.status_code == 200
    page = client.get(f"/requests/{submit(client, world, man=man2, files={'part.csv': part}).json()['id']}",
                      headers=world.auth("rev2"))
    assert page.status_code == 200 and f"#{rid1}" in page.text


def test_outside_the_enclave_the_requester_sees_no_unreviewed_content(one_review_client, world):
    """Purpose, file names, sizes, checksums, findings and the requester's own comments are
    written inside the enclave; before approval they are shown to the requester only inside a
    session (hub token), never to an enclave log-in from outside (E4, E7)."""
    client = one_review_client
    secret_purpose = manifest(purpose="A123456789 visited 3 times", files=[table_spec("A123456789.csv")])
    rid = submit(client, world, man=secret_purpose, files={"A123456789.csv": COUNTS_OK}).json()["id"]
    client.post(f"/api/requests/{rid}/comments", headers=world.auth("alice"),
                json={"body": "patient B234567890", "visibility": "public"})
    for body in (client.get(f"/api/requests/{rid}", headers=world.auth("alice")).text,
                 client.get("/api/requests", headers=world.auth("alice")).text,
                 client.get("/api/releases", headers=world.auth("alice")).text,
                 client.get(f"/requests/{rid}", headers=world.auth("alice")).text):
        assert "A123456789" not in body and "B234567890" not in body
    d = client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()
    assert d["redacted"] is True and d["check_result"] is None and d["verdict"] is None
    # The reviewer sees everything.
    d = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()
    assert d["redacted"] is False and d["files"][0]["path"] == "A123456789.csv"
    # The request's own words are output (issue 20): an ID in its purpose and file name blocks,
    # so it can never be approved into the requester's view outside.
    assert d["verdict"] == "block"
    assert review(client, world, "rev1", rid, "approve").status_code == 409
    # Once approved, the approved content is the requester's.
    clean = manifest(purpose="Visits by age group", files=[table_spec("visits.csv")])
    rid2 = submit(client, world, man=clean, files={"visits.csv": COUNTS_OK}).json()["id"]
    assert review(client, world, "rev1", rid2, "approve").status_code == 200
    d = client.get(f"/api/requests/{rid2}", headers=world.auth("alice")).json()
    assert d["redacted"] is False and d["files"][0]["path"] == "visits.csv"


def test_internal_and_external_modes_split_the_service(world, dirs):
    from fastapi.testclient import TestClient

    from egress_review.api import create_app

    inside = TestClient(create_app(world.db_url, world.policy, mode="internal", **dirs))
    outside = TestClient(create_app(world.db_url, world.policy, mode="external", **dirs))
    with inside, outside:
        assert inside.get("/api/releases", headers=world.auth("alice")).status_code == 404
        assert inside.get("/downloads", headers=world.auth("alice")).status_code == 404
        assert inside.get("/api/requests", headers=world.auth("alice")).status_code == 200
        assert outside.get("/api/requests", headers=world.auth("alice")).status_code == 404
        assert outside.post("/api/precheck", headers=world.auth("alice")).status_code == 404
        assert outside.get("/queue", headers=world.auth("rev1")).status_code == 404
        assert outside.get("/api/releases", headers=world.auth("alice")).status_code == 200
        assert outside.get("/", headers=world.auth("rev1"), follow_redirects=False).headers["location"] == "/downloads"
    with pytest.raises(ValueError, match="mode"):
        create_app(world.db_url, world.policy, mode="both", **dirs)


def test_provenance_sidecar_is_checked_but_never_released(world, dirs, clock, tmp_path):
    """A table made with egress_review.safe_tables travels with its sealed provenance sidecar:
    stored with the request for the checks (E6: an edited number is caught), never released."""
    import pandas as pd
    from fastapi.testclient import TestClient

    from egress_review.api import create_app
    from egress_review.safe_tables import tables as st

    key = b"k" * 32
    df = pd.DataFrame({"pid": [f"p{i}" for i in range(40)], "sex": ["F", "M"] * 20})
    t = st.count(df, "sex", unit="pid")
    side = t.save(tmp_path / "by_sex.csv", key=key)
    man = manifest(files=[t.manifest_entry("by_sex.csv", "persons by sex")])
    files = {"by_sex.csv": (tmp_path / "by_sex.csv").read_bytes(), "by_sex.csv.provenance.json": side.read_bytes()}
    app = create_app(world.db_url, nhi_policy(reviews_required=1), clock=clock,
                     case_context=lambda code: {"provenance_key": key}, **dirs)
    with TestClient(app) as client:
        r = submit(client, world, man=man, files=files)
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        d = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()
        assert [f["path"] for f in d["files"]] == ["by_sex.csv"]  # the sidecar is not an output
        assert not [x for x in d["check_result"]["findings"] if x["check"].startswith("provenance")], \
            d["check_result"]["findings"]
        with session_scope(world.db_url) as db:
            req = db.get(EgressRequest, rid)
            assert sorted((f.path, f.role) for f in req.files) == [
                ("by_sex.csv", "output"), ("by_sex.csv.provenance.json", "input")]
        assert review(client, world, "rev1", rid, "approve").status_code == 200
        released = sorted(p.name for p in (dirs["release_dir"] / f"r{rid}").iterdir())
        assert released == ["RELEASED.json", "by_sex.csv"]
        z = client.post(f"/api/releases/{rid}/zip", headers=world.auth("alice"),
                        json={"password": "Tea-and-Biscuits-7"})
        with pyzipper.AESZipFile(io.BytesIO(z.content)) as zf:
            assert zf.namelist() == ["by_sex.csv"]
        # An edited number no longer matches its sealed provenance (E6).
        edited = files["by_sex.csv"].replace(b"20", b"21", 1)
        r = submit(client, world, man=man, files={**files, "by_sex.csv": edited})
        d = client.get(f"/api/requests/{r.json()['id']}", headers=world.auth("rev1")).json()
        assert d["verdict"] == "block" and any(x["rule"] == "E6" for x in d["check_result"]["findings"])


def test_text_the_database_cannot_hold_is_refused_not_crashed(client, world):
    """NUL characters and over-long paths would make PostgreSQL fail with a 500."""
    r = submit(client, world, man=manifest(purpose="explained\x00hidden"))
    assert r.status_code == 400 and "NUL" in r.json()["detail"]
    long = "d/" * 200 + "t.csv"
    r = submit(client, world, man=manifest(files=[table_spec(long)]), files={long: COUNTS_OK})
    assert r.status_code == 400 and "longer than 400" in r.json()["detail"]
    rid = submit(client, world).json()["id"]
    # JSON and form bodies are filtered by the input filter both apps share (enclave.web.factory): 422.
    r = client.post(f"/api/requests/{rid}/comments", headers=world.auth("rev1"), json={"body": "a\x00b"})
    assert r.status_code == 422 and "NUL" in r.json()["detail"]
    r = review(client, world, "rev1", rid, "reject", "bad\x00")
    assert r.status_code == 422 and "NUL" in r.json()["detail"]
    r = client.post("/login", data={"username": "rev1\x00", "password": "x"})
    assert r.status_code == 422 and "NUL" in r.json()["detail"]


def test_bare_file_names_match_their_manifest_path(client, world):
    """A client that sends only file names (the session helper does) still matches paths with
    directories, unless the name is ambiguous."""
    man = manifest(files=[table_spec("tables/counts.csv"),
                          {"path": "notes/readme.txt", "kind": "text", "description": "how to read"}])
    r = submit(client, world, man=man, files={"counts.csv": COUNTS_OK, "readme.txt": b"read me\n"})
    assert r.status_code == 201, r.text
    d = client.get(f"/api/requests/{r.json()['id']}", headers=world.auth("rev1")).json()
    assert [f["path"] for f in d["files"]] == ["tables/counts.csv", "notes/readme.txt"]
    amb = manifest(files=[table_spec("a/counts.csv"), table_spec("b/counts.csv")])
    r = client.post("/api/requests", headers=world.auth("alice"), data={"manifest": json.dumps(amb)},
                    files=[("files", ("counts.csv", COUNTS_OK)), ("files", ("counts.csv", COUNTS_OK))])
    assert r.status_code == 400 and "twice" in r.json()["detail"]


@pytest.mark.parametrize("min_reason, reason, ok", [
    (20, "", False), (20, "ok", False), (20, "looked at it, fine", False),
    (20, "every count >= 6; figure shows curves only", True),
    (1, "ok", True),                       # the setting switched (almost) off: a word will do
])
def test_approving_over_review_findings_needs_a_reason(world, dirs, clock, min_reason, reason, ok):
    """E4: when the automatic check could not decide (verdict 'review'), an approval is the
    reviewer's judgement and must say what was checked; a pass needs none."""
    from fastapi.testclient import TestClient

    from egress_review.api import create_app

    app = create_app(world.db_url, nhi_policy(approve_over_review_min_reason=min_reason),
                     store_dir=dirs["store_dir"], release_dir=dirs["release_dir"], clock=clock)
    with TestClient(app) as client:
        man = manifest(case="IMG1", files=[
            table_spec("counts.csv"),
            {"path": "fig/roc.png", "kind": "figure", "description": "ROC curve of the model"}])
        r = submit(client, world, man=man, files={"counts.csv": COUNTS_OK, "fig/roc.png": png_bytes()})
        rid = r.json()["id"]
        assert client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()["verdict"] == "review"
        got = review(client, world, "rev1", rid, "approve", reason)
        assert (got.status_code == 200) is ok, got.text
        if not ok:
            assert "reason" in got.json()["detail"]
        # a plain pass needs no reason at all
        rid2 = submit(client, world).json()["id"]
        assert client.get(f"/api/requests/{rid2}", headers=world.auth("rev1")).json()["verdict"] == "pass"
        assert review(client, world, "rev1", rid2, "approve", "").status_code == 200


def test_the_requester_reads_outcome_reviews_and_resubmission_in_a_view(client, world):
    """Issue 16: the researcher's own view of their requests (what the session app answers,
    rendered for a notebook): state, check, decision, reasons and public comments once
    decided, files with their findings, and the request a resubmission replaces."""
    from egress_review.request_view import RequestsView, RequestView

    rid = submit(client, world, files={"counts.csv": COUNTS_SMALL}).json()["id"]
    assert review(client, world, "rev1", rid, "changes", "row 20-39 is under the threshold: merge bands").status_code == 200
    assert review(client, world, "rev2", rid, "changes", "merge the age bands").status_code == 200
    client.post(f"/api/requests/{rid}/comments", headers=world.auth("rev1"),
                json={"body": "please merge 20-39 with 40-59", "visibility": "public"})
    r2 = client.post("/api/requests", headers=world.auth("alice"),
                     files=[("files", ("counts.csv", COUNTS_OK, "text/csv"))],
                     data={"manifest": json.dumps(manifest()), "supersedes": str(rid)})
    assert r2.status_code == 201, r2.text
    rid2 = r2.json()["id"]
    mine = client.get("/api/requests", headers=world.auth("alice")).json()
    html = RequestsView(mine)._repr_html_()
    assert "請修改 changes requested" in html and f"<td>{rid2}</td>" in html
    assert html.index(f"<td>{rid2}</td>") < html.index(f"<td>{rid}</td>")       # newest first
    first = RequestView(client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json())._repr_html_()
    assert "merge the age bands" in first and "please merge 20-39" in first
    second = client.get(f"/api/requests/{rid2}", headers=world.auth("alice")).json()
    assert second["supersedes"] == rid
    assert f"replaces #{rid}" in RequestView(second)._repr_html_()
    assert list(RequestsView(mine).to_pandas()["#"]) == [rid2, rid]
