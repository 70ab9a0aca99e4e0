"""D4: what a browser sends the kernels is measured against the upload budget.

The browser's saves were budgeted (``uploads.py``), but a message on the kernel websocket was
not: a script in the browser (or a paste) could push any amount of data into the kernel as
cell code, comm data, input replies, completion requests, header fields or binary buffers.
``kernelws.InboundMeter`` prices each message; the hub test
(``tests/hub/test_boundary_reach.py::test_browser_cannot_push_an_extract_into_the_kernel``)
runs it behind the real proxy.  Here each carrier pushes 256 KB of lines never seen before and
must cost at least that; ordinary typing (the same cell re-run, a cell growing line by line,
completions) costs little.
"""
from __future__ import annotations

import base64
import json

import pytest

from hub_config.singleuser.kernelws import InboundMeter
from policies import load_policy

REPEAT_BYTES = load_policy(None).sessions.output_repeat_bytes   # the policy's price of a repeat
ACTION_BYTES = load_policy(None).sessions.saved_action_bytes

PAYLOAD = "".join(f"{i:06d},A1{i:08d},{i * 7919 % 100003}\n" for i in range(10_000))  # ~256 KB
SIZE = len(PAYLOAD.encode())


def _msg(mtype="execute_request", content=None, header=None, parent=None, metadata=None,
         buffers=None, channel="shell"):
    h = {"msg_id": "4f1c2d", "msg_type": mtype, "session": "s", "username": "u",
         "version": "5.3", "date": ""}
    h.update(header or {})
    return json.dumps({"header": h, "parent_header": parent or {}, "metadata": metadata or {},
                       "content": content or {}, "channel": channel,
                       "buffers": buffers or []})


CARRIERS = {
    "execute_code": lambda p: _msg(content={"code": p}),
    "execute_code_one_line": lambda p: _msg(content={"code": p.replace("\n", ";")}),
    "user_expressions": lambda p: _msg(content={"code": "", "user_expressions": {"x": p}}),
    "user_expression_keys": lambda p: _msg(content={"code": "", "user_expressions": {
        ln: "1" for ln in p.splitlines()}}),
    "comm_msg_data": lambda p: _msg("comm_msg", {"comm_id": "c", "data": {"rows": p}}),
    "comm_msg_list": lambda p: _msg("comm_msg", {"comm_id": "c", "data": {
        "rows": p.splitlines()}}),
    "comm_open": lambda p: _msg("comm_open", {"comm_id": "c", "target_name": "t",
                                              "data": {"v": p}}),
    "input_reply": lambda p: _msg("input_reply", {"value": p}, channel="stdin"),
    "complete_request": lambda p: _msg("complete_request", {"code": p, "cursor_pos": 0}),
    "inspect_request": lambda p: _msg("inspect_request", {"code": p, "cursor_pos": 0}),
    "is_complete": lambda p: _msg("is_complete_request", {"code": p}),
    "history_request": lambda p: _msg("history_request", {"pattern": p}),
    "header_msg_id": lambda p: _msg(header={"msg_id": p}),
    "header_extra_field": lambda p: _msg(header={"x": p}),
    "parent_header": lambda p: _msg(parent={"msg_id": p}),
    "metadata": lambda p: _msg(metadata={"cellId": p}),
    "json_buffers": lambda p: _msg("comm_msg", {"comm_id": "c", "data": {}},
                                   buffers=[base64.b64encode(p.encode()).decode()]),
    "binary_frame": lambda p: p.encode(),
    "not_json": lambda p: "{" + p,
    "numbers": lambda p: _msg(content={"code": "", "x": [int(x.split(",")[2])
                                                         for x in p.splitlines()]}),
}


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_every_carrier_costs_what_it_brings(carrier):
    meter = InboundMeter(REPEAT_BYTES)
    frame = CARRIERS[carrier](PAYLOAD)
    cost = meter.cost(frame)
    if carrier == "numbers":
        # the integers themselves: about 5 bytes each, all new
        assert cost >= 10_000 * 4, cost
    else:
        assert cost >= SIZE * 0.95, (carrier, cost, SIZE)


@pytest.mark.parametrize("carrier", ["execute_code", "comm_msg_data", "input_reply",
                                     "complete_request"])
def test_the_same_data_again_costs_a_repeat_a_line_but_new_data_costs_again(carrier):
    """A line seen before costs REPEAT_BYTES (which line, in what order: round 7), far less
    than its size; new lines cost their size."""
    meter = InboundMeter(REPEAT_BYTES)
    meter.cost(CARRIERS[carrier](PAYLOAD))
    again = meter.cost(CARRIERS[carrier](PAYLOAD))
    assert 10_000 * REPEAT_BYTES <= again < SIZE // 4, again
    other = PAYLOAD.replace(",A1", ",B2")
    assert meter.cost(CARRIERS[carrier](other)) >= SIZE * 0.95


def test_ordinary_typing_is_cheap():
    meter = InboundMeter(REPEAT_BYTES)
    total = 0
    for _ in range(500):  # one cell re-run
        total += meter.cost(_msg(content={"code": "df.groupby('age').size()"}))
    cell = ""
    for i in range(60):  # a cell written line by line, completed and run at each step
        cell += f"x{i} = con.sql('select count(*) from visits where year = {2000 + i}')\n"
        total += meter.cost(_msg("complete_request", {"code": cell, "cursor_pos": len(cell)}))
        total += meter.cost(_msg(content={"code": cell}))
    assert total < 200_000, total  # a half-day's 4 MB budget is far away


def test_envelopes_are_bounded():
    meter = InboundMeter(REPEAT_BYTES)
    big = _msg(header={"msg_id": "x" * 10_000})
    assert meter.cost(big) >= 10_000


# --- request bodies outside the contents API's saves (routes.decide_body)
class _Req:
    def __init__(self, method, headers):
        self.method, self.headers = method, headers


def _handler(name):
    import importlib

    mod, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(mod), cls)


SESSIONS = "jupyter_server.services.sessions.handlers.SessionRootHandler"
SESSION = "jupyter_server.services.sessions.handlers.SessionHandler"
ACTION = "jupyter_server.services.kernels.handlers.KernelActionHandler"
CONTENTS = "jupyter_server.services.contents.handlers.ContentsHandler"


@pytest.mark.parametrize("cls,method", [(SESSIONS, "POST"), (SESSION, "PATCH"),
                                        (ACTION, "POST"), (CONTENTS, "PATCH"),
                                        (CONTENTS, "POST")],
                         ids=["new_session", "rename_session", "kernel_action",
                              "rename_file", "copy_file"])
def test_bodies_are_charged_and_bounded(cls, method):
    from hub_config.singleuser.routes import BODY_MAX, decide_body
    from hub_config.singleuser.uploads import UploadBudget

    budget = UploadBudget(200_000, ACTION_BYTES)
    h = _handler(cls)
    assert decide_body(h, _Req(method, {"Content-Length": "300"}), budget) is None
    assert budget.used == 300
    assert decide_body(h, _Req(method, {"Transfer-Encoding": "chunked"}), budget)[0] == 411
    assert decide_body(h, _Req(method, {"Content-Length": str(BODY_MAX + 1)}), budget)[0] == 413
    refused = [decide_body(h, _Req(method, {"Content-Length": "60000"}), budget)
               for _ in range(5)]
    assert refused[:3] == [None] * 3 and refused[3][0] == 403, refused
    assert budget.used <= 200_000


def test_saves_bodies_and_reads_are_not_charged_here():
    from hub_config.singleuser.routes import decide_body
    from hub_config.singleuser.uploads import UploadBudget

    budget = UploadBudget(1000, ACTION_BYTES)
    h = _handler(CONTENTS)
    # a save's body is metered by contents.py by what is new (here only the act: round 7);
    # GETs carry no body and change nothing
    assert decide_body(h, _Req("PUT", {"Content-Length": "50000"}), budget) is None
    assert decide_body(h, _Req("GET", {}), budget) is None
    assert budget.used == ACTION_BYTES
