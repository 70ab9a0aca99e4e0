"""S1: what a whole session may show a browser is bounded, not only each execution.

A kernel that prints a few rows per execution, fills completion/inspection replies, fakes
execute_input or execute_reply payloads, or names files after rows, must stop at the session's
budget (``output_max_session_bytes`` / ``_lines``); content already shown is free to show
again (a notebook re-opened, a listing polled).  These run the server's own message filter
(:func:`hub_config.singleuser.kernelws.cap_message`) on the messages a kernel can send; the
real hub path is tests/hub/test_browser_budget.py."""
from __future__ import annotations

import dataclasses
import uuid

import pytest

from hub_config.singleuser.config import from_policy
from hub_config.singleuser import kernelws
from hub_config.singleuser.kernelws import ExecutionBudgets, RequestHeaders, cap_message
from hub_config.singleuser.outputs import SessionBudget, cap_notebook_outputs
from policies import load_policy

CAPS = dataclasses.replace(from_policy(load_policy(None).sessions).caps,
                           session_bytes=20_000, session_lines=200)
REPEAT_BYTES = CAPS.repeat_bytes   # the policy's price of a repeat (output_repeat_bytes)


def _msg(mtype, content, channel="iopub", parent=None):
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": mtype},
            "parent_header": {"msg_id": parent or uuid.uuid4().hex}, "channel": channel,
            "content": content, "metadata": {}, "buffers": []}


def _row(i):
    return f"ROW-{i:06d},{i * 7919 % 1000003},clinic-{i % 97}\n"


def _shown_rows(messages) -> set[str]:
    import re

    return set(re.findall(r"ROW-\d{6}", repr(messages)))


# Each family sends row i (3 rows per execution, each execution a new parent) in its own way.
FAMILIES = {
    "stream": lambda i: _msg("stream", {"name": "stdout", "text": _row(i)}),
    "stderr": lambda i: _msg("stream", {"name": "stderr", "text": _row(i)}),
    "display_text": lambda i: _msg("display_data", {"data": {"text/plain": _row(i)},
                                                    "metadata": {}}),
    "display_html": lambda i: _msg("display_data", {"data": {"text/html":
                                   f"<table><tr><td>{_row(i)}</td></tr></table>"},
                                   "metadata": {}}),
    "execute_result": lambda i: _msg("execute_result", {"data": {"text/plain": _row(i)},
                                                        "metadata": {}, "execution_count": i}),
    "error": lambda i: _msg("error", {"ename": "E", "evalue": _row(i), "traceback": [_row(i)]}),
    "update_display": lambda i: _msg("update_display_data", {"data": {"text/plain": _row(i)},
                                     "metadata": {}, "transient": {"display_id": "x"}}),
    "fake_execute_input": lambda i: _msg("execute_input", {"code": _row(i),
                                                           "execution_count": i}),
    "execute_reply_payload": lambda i: _msg("execute_reply", {
        "status": "ok", "execution_count": i,
        "payload": [{"source": "page", "data": {"text/plain": _row(i)}, "start": 0}],
        "user_expressions": {}}, channel="shell"),
    "user_expressions": lambda i: _msg("execute_reply", {
        "status": "ok", "execution_count": i, "payload": [],
        "user_expressions": {"x": {"status": "ok", "data": {"text/plain": _row(i)}}}},
        channel="shell"),
    "complete_reply": lambda i: _msg("complete_reply", {"status": "ok", "matches": [_row(i)],
                                                        "cursor_start": 0, "cursor_end": 0,
                                                        "metadata": {}}, channel="shell"),
    "inspect_reply": lambda i: _msg("inspect_reply", {"status": "ok", "found": True,
                                                      "data": {"text/plain": _row(i)},
                                                      "metadata": {}}, channel="shell"),
    "comm_msg": lambda i: _msg("comm_msg", {"comm_id": "c", "data": {"row": _row(i)}}),
    "comm_open": lambda i: _msg("comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "t",
                                              "data": {"row": _row(i)}}),
    "input_prompt": lambda i: _msg("input_request", {"prompt": _row(i), "password": False},
                                   channel="stdin"),
    "kernel_info": lambda i: _msg("kernel_info_reply", {"status": "ok", "banner": _row(i)},
                                  channel="shell"),
    "status_extra": lambda i: _msg("status", {"execution_state": "idle", "row": _row(i)}),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_many_small_executions_stop_at_the_session_budget(family):
    session, budgets = SessionBudget(CAPS), ExecutionBudgets(CAPS)
    sent = []
    for i in range(5000):  # 5000 rows × ~40 bytes = 200 kB, ten times the session's budget
        out = cap_message(FAMILIES[family](i), CAPS, budgets, session)
        if out is not None:
            sent.append(out)
    rows = _shown_rows(sent)
    per_row = len(_row(0))
    assert len(rows) * per_row <= CAPS.session_bytes, (family, len(rows))
    assert len(rows) < 5000 // 5
    if family != "status_extra":  # a status carries the state only: no row at all
        assert rows, f"{family}: nothing at all was shown - the test would prove nothing"
        assert session.spent
    else:
        assert not rows


def test_repeats_cost_little_and_new_content_costs_its_size():
    """A repeat costs REPEAT_BYTES (its order and presence are all it can tell): a loop
    printing the same line is cheap but not free, and stops past the budget's reserve."""
    session, budgets = SessionBudget(CAPS), ExecutionBudgets(CAPS)
    same = {"name": "stdout", "text": "summary: 42 rows, 7 columns\n"}
    for _ in range(1000):  # a loop printing the same line costs it once, then 4 bytes each
        assert cap_message(_msg("stream", dict(same)), CAPS, budgets, session) is not None
    assert not session.spent and session.lines == 1
    assert session.bytes < 1000 * REPEAT_BYTES + 200
    # (parents the browser never sent share one execution budget: one note in all)
    shown = sum(cap_message(_msg("stream", dict(same)), CAPS, budgets, session,
                            RequestHeaders()) is not None for _ in range(20_000))
    assert shown * REPEAT_BYTES <= CAPS.session_bytes * 9 // 8, shown   # bounded, not free
    status = cap_message(_msg("status", {"execution_state": "idle", "rows": "x" * 500}), CAPS,
                         budgets)
    assert status["content"] == {"execution_state": "idle"}


def test_spent_session_says_why_once_per_execution_and_replies_fail_cleanly():
    caps = dataclasses.replace(CAPS, session_bytes=2000)
    session, budgets = SessionBudget(caps), ExecutionBudgets(caps)
    parent = uuid.uuid4().hex
    outs = [cap_message(_msg("stream", {"name": "stdout", "text": _row(i)}, parent=parent),
                        caps, budgets, session) for i in range(200)]
    notes = [o for o in outs if o and "session's output budget is spent" in o["content"]["text"]]
    assert len(notes) == 1 and outs[-1] is None
    reply = cap_message(_msg("complete_reply", {"status": "ok", "matches": [_row(9999)]},
                             channel="shell"), caps, budgets, session)
    assert reply["content"]["status"] == "error" and "ROW-" not in repr(reply)


def test_stored_notebook_outputs_share_the_session_budget():
    session = SessionBudget(CAPS)
    shown = []
    for cell in range(400):  # a kernel-written notebook of 400 cells, 2 rows each
        outputs = [{"output_type": "stream", "name": "stdout", "text": _row(2 * cell)},
                   {"output_type": "execute_result", "execution_count": cell, "metadata": {},
                    "data": {"text/plain": _row(2 * cell + 1)}}]
        shown += cap_notebook_outputs(outputs, CAPS, session)
    rows = _shown_rows(shown)
    assert rows and len(rows) <= CAPS.session_lines and session.spent
    assert any("session's output budget is spent" in o.get("text", "") for o in shown)
    # the same notebook again: what was shown is shown again, nothing new
    again = []
    for cell in range(400):
        outputs = [{"output_type": "stream", "name": "stdout", "text": _row(2 * cell)},
                   {"output_type": "execute_result", "execution_count": cell, "metadata": {},
                    "data": {"text/plain": _row(2 * cell + 1)}}]
        again += cap_notebook_outputs(outputs, CAPS, session)
    assert _shown_rows(again) == rows


def test_live_output_then_stored_costs_once():
    session, budgets = SessionBudget(CAPS), ExecutionBudgets(CAPS)
    text = "".join(_row(i) for i in range(50))
    cap_message(_msg("stream", {"name": "stdout", "text": text}), CAPS, budgets, session)
    spent = session.bytes
    stored = cap_notebook_outputs([{"output_type": "stream", "name": "stdout", "text": text}],
                                  CAPS, session)
    # shown again: a repeat's price (which of the things shown comes), not its size again
    assert session.bytes == spent + REPEAT_BYTES and _shown_rows(stored) == _shown_rows(text)


def test_policy_reaches_the_server_settings():
    sess = load_policy(None).sessions
    caps = from_policy(sess).caps
    assert caps.session_bytes == sess.output_max_session_bytes
    assert caps.session_lines == sess.output_max_session_lines


def test_each_restart_of_a_bookings_server_gets_half_the_budget():
    """Restarting the server is no way to a fresh budget: the n-th server of a booking gets
    the budget halved n times, so all of them together show at most twice the budget."""
    sess = load_policy(None).sessions
    caps = [from_policy(sess, spawn_index=k).caps for k in range(40)]
    assert caps[0].session_bytes == sess.output_max_session_bytes
    assert caps[1].session_bytes == sess.output_max_session_bytes // 2
    assert sum(c.session_bytes for c in caps) <= 2 * sess.output_max_session_bytes + 40 * 1024
    assert sum(c.session_lines for c in caps) <= 2 * sess.output_max_session_lines + 40
    assert all(c.session_bytes >= 1024 and c.session_lines >= 1 for c in caps)


# ------------------------------------------------------------------ the message envelope
# The kernel writes the header, parent header and metadata of its messages as freely as their
# content; a status message was free whatever its envelope carried.
def _env(mtype, content, where, i, channel="iopub"):
    m = _msg(mtype, content, channel=channel)
    if where == "msg_id":
        m["header"]["msg_id"] = _row(i)
    elif where in ("date", "username", "session", "version"):
        m["header"][where] = _row(i)
    elif where == "header_extra":
        m["header"]["rows"] = _row(i)
    elif where == "parent":
        m["parent_header"] = {"msg_id": _row(i), "rows": _row(i)}
    elif where == "metadata":
        m["metadata"] = {"rows": _row(i)}
    elif where == "msg_type":
        m["header"]["msg_type"] = _row(i)
    return m


ENVELOPE = [(mtype, where) for mtype in ("status", "stream", "execute_reply", "comm_msg")
            for where in ("msg_id", "date", "username", "session", "version", "header_extra",
                          "parent", "metadata", "msg_type")]


def _content(mtype):
    return {"status": {"execution_state": "busy"}, "stream": {"name": "stdout", "text": "ok\n"},
            "execute_reply": {"status": "ok", "execution_count": 1},
            "comm_msg": {"comm_id": "c", "data": {}}}[mtype]


@pytest.mark.parametrize("mtype, where", ENVELOPE)
def test_envelope_fields_carry_nothing_of_the_kernels(mtype, where):
    session, budgets, requests = SessionBudget(CAPS), ExecutionBudgets(CAPS), RequestHeaders()
    sent = []
    for i in range(3000):
        out = cap_message(_env(mtype, _content(mtype), where, i,
                               "shell" if mtype == "execute_reply" else "iopub"),
                          CAPS, budgets, session)
        if out is not None:
            out = kernelws.rebuild_envelope(out, requests, "s")
        if out is not None:
            sent.append(out)
    envelopes = [{k: m.get(k) for k in ("header", "parent_header", "metadata", "msg_id",
                                        "msg_type")} for m in sent]
    rows = _shown_rows(envelopes)
    if where == "metadata" and mtype != "status":
        # metadata kept with the content is charged with it: bounded by the budget
        assert len(rows) * len(_row(0)) <= CAPS.session_bytes and len(rows) < 3000 // 5
    else:
        assert not rows, (mtype, where, sorted(rows)[:3])


def test_replies_carry_the_browsers_own_request_header():
    requests = RequestHeaders()
    asked = {"msg_id": "req-1", "msg_type": "execute_request", "session": "browser-tab",
             "username": "alice", "date": "2026-12-05T00:00:00Z", "version": "5.3"}
    requests.record(asked)
    m = _msg("stream", {"name": "stdout", "text": "hi\n"}, parent="req-1")
    m["parent_header"]["rows"] = _row(1)
    out = kernelws.rebuild_envelope(cap_message(m, CAPS, ExecutionBudgets(CAPS), SessionBudget(CAPS)),
                           requests, "s")
    assert out["parent_header"] == asked and out["header"]["msg_type"] == "stream"
    assert out["msg_id"] == out["header"]["msg_id"] != m["header"]["msg_id"]
    unknown = kernelws.rebuild_envelope(_msg("stream", {"name": "stdout", "text": "x"}), requests, "s")
    assert unknown["parent_header"] == {}
    assert kernelws.rebuild_envelope(_msg("made_up_type", {}), requests, "s") is None
