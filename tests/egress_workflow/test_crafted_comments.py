"""Words crafted to make a reader back off badly (a run of digits, of blank lines, of Han
numerals, a long Latin word before a bracket, ...) are checked within the deployed budget
(``egress.words_cpu_seconds``): each comment is answered at once, refused for what it says or
taken, never a server error or a worker lost for minutes (the API fuzzer found the first)."""
from __future__ import annotations

import pytest

from tests.egress_workflow.conftest import submit

# Inputs that made a reader back off badly, and their neighbours: each is answered at once,
# refused or taken, never a server error or a lost worker.
PATHOLOGICAL = {
    "digits": "1" * 20000, "full-width digits": "３" * 20000, "circled digits": "③" * 20000,
    "arabic-indic digits": "٣" * 20000, "year run": "2020" * 5000, "ratio then digits": "ratio " + "1" * 19000,
    "blank lines": "\n" * 20000, "spaces": " " * 20000, "spaces and newlines": " \n" * 10000,
    "latin word before a bracket": "a" * 20000, "han numerals": "一" * 20000,
    "digits and commas": "1," * 10000, "thousands groups": ",000" * 5000, "n equals": "n=" * 10000,
    "model title": " " * 19000 + "Regression Results", "stata bar": "|" * 20000,
}


@pytest.mark.parametrize("text", list(PATHOLOGICAL.values()), ids=list(PATHOLOGICAL))
def test_a_crafted_comment_is_answered_not_a_lost_worker(client, world, text):
    rid = submit(client, world).json()["id"]
    r = client.post(f"/api/requests/{rid}/comments", headers=world.auth("alice"),
                    json={"body": text, "visibility": "public"})
    assert r.status_code in (201, 400, 422), r.text
    if r.status_code == 400:
        assert "empty" in r.text            # white space only
    if r.status_code == 422:
        assert "CPU" not in r.text          # refused for what it says, not for its cost


@pytest.mark.parametrize("run", ["7" * 40, "1,000" * 9, "一二三四五六七八九十" * 4, "٣" * 600],
                         ids=["digits", "thousands-groups", "han-numerals", "arabic-indic"])
@pytest.mark.parametrize("who", ["alice", "rev1"])
def test_words_that_leave_refuse_a_run_too_long_to_be_a_number(client, world, run, who):
    """A requester reads their comments outside once the request is decided, and a reviewer's
    public ones: a run of digits no number has would carry data out (E7), so it is not taken."""
    rid = submit(client, world).json()["id"]
    r = client.post(f"/api/requests/{rid}/comments", headers=world.auth(who),
                    json={"body": f"the reference is {run} as agreed", "visibility": "public"})
    assert r.status_code == 422, r.text
    assert "not read" in r.text
    assert client.get(f"/api/requests/{rid}", headers=world.auth("alice")).json()["comments"] == []
