"""Log and page injection through a request's words (A3, A5, E4): the review service refuses
terminal control, bidirectional overrides and line separators in a manifest (purpose,
descriptions, file names), in comments (API and page form) and in review reasons, before
anything is stored or audited; ordinary words in every script still pass.  The characters and
the control plane's side: tests/identity/test_hidden_controls.py."""
from __future__ import annotations

import json
import re

import pytest

from tests.egress_workflow.conftest import COUNTS_OK, manifest, submit, table_spec
from tests.identity.test_hidden_controls import HIDDEN, ORDINARY


@pytest.mark.parametrize("name", ["esc", "rlo", "rli", "line_sep", "csi", "backspace"])
def test_a_request_with_hidden_controls_is_refused(client, world, name):
    ch = HIDDEN[name]
    spec = table_spec("counts.csv")
    cases = {"purpose": manifest(purpose="Visits by age" + ch),
             "description": manifest(files=[{**spec, "description": "persons" + ch}]),
             "file_name": manifest(files=[{**spec, "path": "counts" + ch + "vsc.csv"}])}
    for what, man in cases.items():
        files = {man["files"][0]["path"]: COUNTS_OK}
        r = submit(client, world, man=man, files=files)
        assert r.status_code == 422 and "invisible control character" in r.text, (what, r.status_code, r.text)


@pytest.mark.parametrize("name", ["esc", "rlo", "lro", "para_sep", "del"])
def test_comments_and_reasons_with_hidden_controls_are_refused(client, world, name):
    ch, w = HIDDEN[name], world
    rid = submit(client, w).json()["id"]
    for who, url, body in [("alice", f"/api/requests/{rid}/comments", {"body": "see row" + ch, "visibility": "public"}),
                           ("rev1", f"/api/requests/{rid}/comments", {"body": "ok" + ch, "visibility": "private"}),
                           ("rev1", f"/api/requests/{rid}/reviews", {"decision": "changes", "reason": "merge" + ch})]:
        r = client.post(url, json=body, headers=w.auth(who))
        assert r.status_code == 422 and "invisible control character" in r.text, (who, url, r.status_code, r.text)
        # the same words as a form field of the pages
    r = client.post(f"/requests/{rid}/comment", data={"body": "x" + ch, "visibility": "public"},
                           headers=w.auth("alice"))
    assert r.status_code == 422, r.text
    got = client.get(f"/api/requests/{rid}", headers=w.auth("rev1")).json()
    assert got["comments"] == [] and got["reviews"] == []


def test_ordinary_words_are_taken_by_the_review_service(client, world):
    w = world
    man = manifest(purpose="門診就醫次數，依年齡與性別分組\n用於 2018-2020 論文 \u200e(draft)")
    r = submit(client, w, man=man)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    for words in ORDINARY:
        r = client.post(f"/api/requests/{rid}/comments", json={"body": words, "visibility": "private"},
                               headers=w.auth("rev1"))
        assert r.status_code == 201, (words, r.text)
    assert re.search("門診", client.get(f"/api/requests/{rid}", headers=w.auth("rev1")).text)
    assert json.loads(client.get(f"/api/requests/{rid}", headers=w.auth("rev1")).text)["state"] == "checked"
