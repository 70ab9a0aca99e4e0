"""Round 6 (S7, A3): the warden's answers as a signal between sessions.  The warden answers
each record with the audit log's sequence number - one count for the whole machine (every
session's queries, every login) - and its time.  A broker handing that on would tell one
session how much every other did between two of its queries.  The real broker process, a
stand-in warden answering with marked values: none of them reaches the session, on any route,
in any answer (results, errors, refusals but the refusal's own text)."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

import pytest

from enclave.core import http as wire
from hub_config.spawner import unix_url
from tests.services.unix_http import answer_json, serve
from tests.session.broker_case import extract, start_broker

AUTH = "token round6-broker"
MARKS = ("9876543210", "OTHER-CASE-R6", "2031-05-06T07:08:09")


class MarkedWarden(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer_json(self, 201, {"seq": int(MARKS[0]), "case": MARKS[1], "ts": MARKS[2]})

    def log_message(self, *a):
        pass


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("r6broker")
    data = tmp / "data"
    data.mkdir()
    extract(data)
    warden = serve(tmp / "warden.sock", MarkedWarden)
    proc, url = start_broker(tmp, data, unix_url(str(tmp / "warden.sock")), "broker", AUTH)
    client = wire.Client(url, {"Authorization": AUTH}, timeout=60)
    purpose = "round 6: the warden's answers"
    out = {}
    try:
        for name, path, body in (
                ("open", "/api/open", {"purpose": purpose}),
                ("query", "/api/query", {"purpose": purpose,
                                         "sql": "SELECT g, count(*) AS n FROM claims GROUP BY g",
                                         "params": None}),
                ("query_error", "/api/query", {"purpose": purpose,
                                               "sql": "SELECT nope FROM claims",
                                               "params": None}),
                ("dictionary", "/api/dictionary", {"purpose": purpose})):
            r = client.post(path, body)
            out[name] = (r.status_code, r.content)
    finally:
        proc.terminate()
        proc.wait(10)
        warden.shutdown()
    return out


@pytest.mark.parametrize("route", ["open", "query", "query_error", "dictionary"])
@pytest.mark.parametrize("mark", MARKS)
def test_no_warden_answer_reaches_the_session(answers, route, mark):
    status, content = answers[route]
    assert status in (200, 400, 403, 422), (status, content[:200])
    assert mark.encode() not in content


def test_the_ordinary_answers_still_come(answers):
    assert answers["open"][0] == 200 and "claims" in json.dumps(
        json.loads(answers["open"][1]))
    assert answers["query"][0] == 200
