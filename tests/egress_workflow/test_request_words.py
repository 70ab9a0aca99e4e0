"""Issue 20 §5: the request's own words are output.  A purpose, description, file name or
comment carrying an identifier, a pseudonym, rows or a small count is never ``pass``; a
requester's comment after the decision is refused, and none written then is shown outside."""
from __future__ import annotations

import datetime as dt

import pytest

from egress_review.engine import check_request
from egress_review.manifest import parse_manifest
from egress_review.models import EgressComment, EgressRequest
from enclave.db import session_scope
from policies.sections.egress import EgressPolicy
from tests.egress_workflow.conftest import COUNTS_OK, manifest, submit, table_spec

# Words a requester could smuggle: each must stop the request.
CARRIERS = [
    "Follow-up of A123456789",                          # a national ID (checksum valid)
    "Outcome in the north: only 3 patients",            # a small count
    "本案共3人發生不良事件",                               # a small count, Chinese
    "region,n\nnorth,3\nsouth,1200",                    # rows pasted into the words
    "contact 0912-345-678 for the list",                # a phone number
]


def _check(purpose="Visits by age and sex", description="persons by age", path="counts.csv",
           pseudonyms=()):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        (Path(d) / path).parent.mkdir(parents=True, exist_ok=True)
        (Path(d) / path).write_bytes(COUNTS_OK)
        spec = table_spec(path)
        spec["description"] = description
        m = parse_manifest({"version": 1, "case_code": "C1", "purpose": purpose, "files": [spec]})
        return check_request(m, Path(d), policy=EgressPolicy(), case_pseudonyms=pseudonyms,
                             provenance_key=b"k" * 32)


def test_clean_words_pass():
    assert _check().verdict == "pass"


@pytest.mark.parametrize("words", CARRIERS)
@pytest.mark.parametrize("where", ["purpose", "description"])
def test_words_carrying_data_are_never_passed(words, where):
    r = _check(**{where: words})
    assert r.verdict != "pass", words
    assert any(f.location.get("request") == where for f in r.findings)
    assert all(f.file == "" for f in r.findings if f.location.get("request"))


@pytest.mark.parametrize("path", ["A123456789.csv", "north_3_patients.csv", "共3人.csv",
                                  "cohort/9f2c61aa0b7d4e11.csv"])
def test_file_names_carrying_data_are_never_passed(path):
    r = _check(path=path, pseudonyms=("9f2c61aa0b7d4e11",))
    assert r.verdict != "pass", path
    assert any(f.location.get("request") == "file name" and f.location.get("file") == path
               for f in r.findings)


@pytest.mark.parametrize("path", ["table_2.csv", "output_3.csv", "fig1_2019.csv", "t1.csv"])
def test_numbered_file_names_are_not_claims(path):
    assert _check(path=path).verdict == "pass"


def test_a_case_pseudonym_in_the_purpose_blocks():
    r = _check(purpose="Timeline of 9f2c61aa0b7d4e11", pseudonyms=("9f2c61aa0b7d4e11",))
    assert r.verdict == "block"


# ---- through the API: submission and comments ---------------------------------------------------

def test_submitted_purpose_with_an_identifier_is_blocked_and_never_approvable(client, world):
    r = submit(client, world, man=manifest(purpose="Follow-up of A123456789"))
    assert r.status_code == 201 and r.json()["verdict"] == "block"
    rid = r.json()["id"]
    d = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()
    assert any(f["location"].get("request") == "purpose" for f in d["check_result"]["findings"])


@pytest.mark.parametrize("body", ["patient A123456789 was the outlier", "the north cell is n = 3",
                                  "其中2人死亡"])
def test_a_requester_comment_carrying_data_is_refused(client, world, body):
    rid = submit(client, world).json()["id"]
    r = client.post(f"/api/requests/{rid}/comments", headers=world.auth("alice"),
                    json={"body": body, "visibility": "public"})
    assert r.status_code == 422, r.text
    d = client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()
    assert d["comments"] == []


def test_a_plain_requester_comment_is_taken(client, world):
    rid = submit(client, world).json()["id"]
    r = client.post(f"/api/requests/{rid}/comments", headers=world.auth("alice"),
                    json={"body": "The age groups follow the journal's table layout.",
                          "visibility": "public"})
    assert r.status_code == 201


def test_after_the_decision_no_requester_comment_reaches_outside(one_review_client, world, clock):
    client = one_review_client
    rid = submit(client, world).json()["id"]
    before = client.post(f"/api/requests/{rid}/comments", headers=world.auth("alice"),
                         json={"body": "Layout as in the protocol.", "visibility": "public"})
    assert before.status_code == 201
    clock.advance(minutes=1)
    assert client.post(f"/api/requests/{rid}/reviews", headers=world.auth("rev1"),
                       json={"decision": "approve", "reason": "ok"}).json()["state"] == "released"
    clock.advance(minutes=1)
    after = client.post(f"/api/requests/{rid}/comments", headers=world.auth("alice"),
                        json={"body": "Layout as in the protocol, again.", "visibility": "public"})
    assert after.status_code == 409
    # A comment stored after the decision by any other way (an older version of the service)
    # was never reviewed: the requester does not see it outside.
    with session_scope(world.db_url) as db:
        req = db.get(EgressRequest, rid)
        db.add(EgressComment(request_id=rid, author_id=req.requester_id, visibility="public",
                             body="smuggled B234567890",
                             created_at=req.decided_at + dt.timedelta(seconds=5)))
    for page in (client.get(f"/api/requests/{rid}", headers=world.auth("alice")).text,
                 client.get(f"/requests/{rid}", headers=world.auth("alice")).text):
        assert "smuggled" not in page
    shown = [c["body"] for c in client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()["comments"]]
    assert shown == ["Layout as in the protocol."]


def test_the_review_page_shows_where_each_finding_is(client, world):
    """Issue 20 §6: a notebook output's count and a purpose's words are shown with their place."""
    import pandas as pd

    from tests.egress_engine import formats_fixtures as fx

    nb = fx.notebook([fx.display(pd.DataFrame({"region": ["north", "south"], "n": [3, 1200]}))])
    man = manifest(purpose="Only 2 patients in the north", files=[
        {"path": "analysis.ipynb", "kind": "notebook", "description": "the analysis"}])
    rid = submit(client, world, man=man, files={"analysis.ipynb": nb.encode()}).json()["id"]
    page = client.get(f"/requests/{rid}", headers=world.auth("rev1")).text
    assert "筆記本第幾格 notebook cell: 0" in page and "輸出 output: 0" in page
    assert "欄 column: n" in page and "值 value: 3" in page
    general = page.split('id="general-findings"', 1)[1]
    assert "申請文字 request words: purpose" in general
    assert "Only 2 patients in the north" in general      # the marked sentence
