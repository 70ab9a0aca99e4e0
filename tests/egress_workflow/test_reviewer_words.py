"""A reviewer's public words are an egress path too (E4, E7, E3): the requester reads public
comments and, once the request is decided, every review's reason - outside the enclave as
well (the release area's file threads).  So a reviewer's public comment (request or file
thread, API or page form) and any review reason are checked like the requester's own words:
an identifier, a pasted table, a small count is refused (422) and nothing is stored; the same
words in a private comment stay among the reviewers.  Ordinary review language still passes."""
from __future__ import annotations

import pytest

from tests.egress_workflow.conftest import submit

# each blocks a file in the engine's words check (identifiers, pasted table, small counts)
LEAKS = {
    "national_id": "patient A123456789 is in row 2",
    "id_with_name": "王小明 A223456781",
    "pasted_table": "age_group,n\n20-39,3\n40-59,2\n",
    "small_cell_en": "The 40-59 F cell is 3 persons, too small.",
    "small_cell_n": "Cell age 20-39 has n=3",
    "small_cell_zh": "第3列 20-39歲 只有2人",
    "rare_group": "only 2 patients aged 90+ in Lienchiang",
    "phone": "contact him at 0912-345-678",
    "birth_date": "born 1950-03-02, male, Hualien",
    "address": "lives at 台北市信義區松仁路100號",
    "email": "email wang.dawei@gmail.com about row 4",
}
ORDINARY = [
    "Looks fine: all cells are at least six persons; margins checked.",
    "Please merge the two oldest age groups before release.",
    "請將最高年齡的兩組合併後再送出。",
    "Approved: aggregate counts only, purpose matches the case.",
    "Please add a description of each column.",
    "The figure needs axis labels; resubmit with the plotting code.",
    "無個人資料，皆為彙總統計。",
    "Changes: round the percentages to one decimal.",
    "Rejected: this is row-level data, not aggregates (E1).",
    "Row 2: is 40-59 F a margin?",
    "Checked against the earlier release of this case; no differencing.",
]


def _state(client, world, rid):
    return client.get(f"/api/requests/{rid}", headers=world.auth("rev1")).json()


@pytest.mark.parametrize("leak", sorted(LEAKS), ids=sorted(LEAKS))
def test_a_reviewers_public_words_that_carry_data_are_refused(client, world, leak):
    words, w = LEAKS[leak], world
    rid = submit(client, w).json()["id"]
    fid = _state(client, w, rid)["files"][0]["id"]
    calls = [
        ("api comment", lambda: client.post(f"/api/requests/{rid}/comments", headers=w.auth("rev1"),
                                            json={"body": words, "visibility": "public"})),
        ("api file comment", lambda: client.post(f"/api/requests/{rid}/files/{fid}/comments",
                                                 headers=w.auth("rev1"),
                                                 json={"body": words, "visibility": "public"})),
        ("page comment", lambda: client.post(f"/requests/{rid}/comment", headers=w.auth("rev2"),
                                             data={"body": words, "visibility": "public"})),
        ("changes reason", lambda: client.post(f"/api/requests/{rid}/reviews", headers=w.auth("rev1"),
                                               json={"decision": "changes", "reason": words})),
        ("reject reason", lambda: client.post(f"/api/requests/{rid}/reviews", headers=w.auth("rev2"),
                                              json={"decision": "reject", "reason": words})),
        ("approve reason", lambda: client.post(f"/api/requests/{rid}/reviews", headers=w.auth("rev1"),
                                               json={"decision": "approve", "reason": words})),
        ("page review", lambda: client.post(f"/requests/{rid}/review", headers=w.auth("rev2"),
                                            data={"decision": "changes", "reason": words})),
    ]
    for what, call in calls:
        r = call()
        assert r.status_code == 422 and "refused" in r.text, (what, r.status_code, r.text[:200])
    seen = _state(client, w, rid)
    assert seen["comments"] == [] and seen["reviews"] == [] and seen["state"] == "checked"
    assert all(c["comments"] == [] for c in seen["threads"])
    # among the reviewers the same words may be said
    r = client.post(f"/api/requests/{rid}/comments", headers=w.auth("rev1"),
                    json={"body": words, "visibility": "private"})
    assert r.status_code == 201, r.text


def test_ordinary_review_language_passes_and_reaches_the_requester(client, world):
    w = world
    rid = submit(client, w).json()["id"]
    fid = _state(client, w, rid)["files"][0]["id"]
    for i, words in enumerate(ORDINARY):
        url = f"/api/requests/{rid}/files/{fid}/comments" if i % 2 else f"/api/requests/{rid}/comments"
        r = client.post(url, headers=w.auth("rev1"), json={"body": words, "visibility": "public"})
        assert r.status_code == 201, (words, r.text)
    for who, reason in (("rev1", ORDINARY[0]), ("rev2", ORDINARY[3])):
        r = client.post(f"/api/requests/{rid}/reviews", headers=w.auth(who),
                        json={"decision": "approve", "reason": reason})
        assert r.status_code == 200, (reason, r.text)
    seen = client.get(f"/api/requests/{rid}", headers=w.auth("alice")).json()
    assert seen["state"] == "released"
    said = [c["body"] for c in seen["comments"]] + [c["body"] for t in seen["threads"] for c in t["comments"]]
    assert sorted(said) == sorted(ORDINARY)
    assert {rv["reason"] for rv in seen["reviews"]} == {ORDINARY[0], ORDINARY[3]}


@pytest.mark.parametrize("i", range(len(ORDINARY)), ids=[f"reason{i}" for i in range(len(ORDINARY))])
def test_ordinary_reasons_for_changes_pass(client, world, i):
    w = world
    rid = submit(client, w).json()["id"]
    r = client.post(f"/api/requests/{rid}/reviews", headers=w.auth("rev1"),
                    json={"decision": "changes", "reason": ORDINARY[i]})
    assert r.status_code == 200, r.text
