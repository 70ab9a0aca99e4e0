"""The kernel websocket with output caps: every kernel message is capped before it is sent.

A browser gets kernel output only through this connection (``/api/kernels/<id>/channels``):
outputs are cut to the policy's lines/rows/bytes (:mod:`hub_config.singleuser.outputs`), each
message to ``message_bytes`` and everything one execution sends - outputs, widget messages,
input prompts - to ``execution_bytes``, so a loop that prints a table a row at a time stops at
the same cap as one print.  The legacy (JSON) wire protocol is used so every message is
decoded and re-encoded here; nothing is forwarded as opaque bytes.
"""
from __future__ import annotations

import collections
import datetime
import hashlib
import json
import uuid

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from traitlets import default

from hub_config.singleuser import outputs
from hub_config.singleuser.config import OutputCaps
from hub_config.singleuser.outputs import (OUTPUT_TYPES, Budget, SessionBudget,
                                           budget_note, cap_bundle, cap_output, cap_text, note,
                                           output_kind, session_note, size_of)

CAPS: OutputCaps | None = None  # set by the extension at load (one server, one policy)
SESSION: SessionBudget | None = None  # the whole session's budget, shared with the contents
_STATES = ("busy", "idle", "starting", "restarting", "dead")
_BUDGET_PARENTS = 2000


class ExecutionBudgets:
    """One :class:`Budget` per parent request (an execution), oldest forgotten first."""

    def __init__(self, caps: OutputCaps) -> None:
        self.caps = caps
        self._by_parent: collections.OrderedDict[str, Budget] = collections.OrderedDict()

    def __call__(self, parent: str) -> Budget:
        b = self._by_parent.get(parent)
        if b is None:
            b = self._by_parent[parent] = Budget(self.caps)
            while len(self._by_parent) > _BUDGET_PARENTS:
                self._by_parent.popitem(last=False)
        return b


def _buffers_size(msg: dict) -> int:
    return sum(len(memoryview(b)) for b in msg.get("buffers") or [])


# The Jupyter messaging protocol's message types (5.x), the only ones a browser is sent: a
# msg_type is a string a kernel chooses, so an unknown one would be a free channel.
MSG_TYPES = frozenset({
    "stream", "display_data", "execute_result", "update_display_data", "error", "status",
    "execute_input", "clear_output", "input_request", "comm_open", "comm_msg", "comm_close",
    "debug_event", "execute_reply", "inspect_reply", "complete_reply", "history_reply",
    "is_complete_reply", "comm_info_reply", "kernel_info_reply", "shutdown_reply",
    "interrupt_reply", "debug_reply", "usage_reply"})


class RequestHeaders:
    """The headers of requests the browser sent on this connection, by msg_id: a reply or an
    output is sent with its request's header as the browser wrote it, never with what the
    kernel put there."""

    def __init__(self, keep: int = _BUDGET_PARENTS) -> None:
        self.keep = keep
        self._by_id: collections.OrderedDict[str, dict] = collections.OrderedDict()

    def record(self, header) -> None:
        if isinstance(header, dict) and isinstance(header.get("msg_id"), str):
            self._by_id[header["msg_id"]] = header
            while len(self._by_id) > self.keep:
                self._by_id.popitem(last=False)

    def get(self, msg_id) -> dict:
        return self._by_id.get(msg_id, {}) if isinstance(msg_id, str) else {}


def rebuild_envelope(msg: dict, requests: RequestHeaders, session_id: str) -> dict | None:
    """Header, parent header and metadata made by the server: a kernel writes them as freely
    as content (a 'status' message with a megabyte in its metadata or msg_id was free).  The
    kernel's metadata is kept only where it is charged with the content."""
    header = msg.get("header") or {}
    mtype = header.get("msg_type")
    if mtype not in MSG_TYPES:
        return None
    parent = requests.get((msg.get("parent_header") or {}).get("msg_id"))
    msg_id = uuid.uuid4().hex
    return {**msg, "parent_header": parent, "msg_id": msg_id, "msg_type": mtype,
            "header": {"msg_id": msg_id, "msg_type": mtype, "session": session_id,
                       "username": "kernel", "version": "5.3",
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
            "metadata": {} if mtype == "status" else (msg.get("metadata") or {})}


def _reply_bundles(content: dict, caps: OutputCaps) -> dict:
    """An execute_reply with its payloads' and user expressions' mime bundles capped and made
    inert like outputs (a payload without a bundle keeps only its source and text fields)."""
    payloads = []
    for p in content.get("payload") or []:
        if isinstance(p, dict):
            p = {k: v for k, v in p.items() if k in ("source", "data", "start", "text",
                                                         "replace", "keepkernel")}
            if isinstance(p.get("data"), dict):
                p["data"] = cap_bundle(p["data"], caps)
            payloads.append(p)
    exprs = {}
    for k, v in (content.get("user_expressions") or {}).items():
        if isinstance(v, dict) and isinstance(v.get("data"), dict):
            v = {**v, "data": cap_bundle(v["data"], caps)}
        exprs[str(k)] = v
    out = dict(content)
    if "payload" in content:
        out["payload"] = payloads
    if "user_expressions" in content:
        out["user_expressions"] = exprs
    return out


def sent_by_browser(parent, requests: RequestHeaders) -> bool:
    """The parent id is a request the browser sent on this connection (not one a kernel
    made up: each made-up parent got a fresh execution budget and a free note of its own)."""
    return bool(requests.get(parent))


def expected_status(msg: dict, budgets: ExecutionBudgets, requests: RequestHeaders | None,
                    state: str) -> bool:
    """The one 'busy' and the one 'idle' after it that the protocol sends for a request the
    browser made on this connection: free.  Any other status - a kernel can send thousands a
    second, each a state of five and a parent of the browser's last 2000 requests, and the
    rate limit skips them - is a repeat of something shown and costs like one (S1)."""
    parent = (msg.get("parent_header") or {}).get("msg_id")
    if requests is None or not sent_by_browser(parent, requests):
        return False
    seen = budgets(parent).statuses
    if state == "busy" and not seen:
        seen.add("busy")
        return True
    if state == "idle" and seen == {"busy"}:
        seen.add("idle")
        return True
    return False


def cap_message(msg: dict, caps: OutputCaps, budgets: ExecutionBudgets,
                session: SessionBudget | None = None,
                requests: RequestHeaders | None = None) -> dict | None:
    """The message as the browser may see it, or None to send nothing.  ``requests``: the
    browser's requests on this connection (whose busy/idle statuses are free)."""
    header = msg.get("header") or {}
    mtype = header.get("msg_type", "")
    content = msg.get("content")
    if not isinstance(content, dict):
        content = {}
    if mtype == "status":
        msg = {**msg, "metadata": {}}  # free, so nothing of the kernel's rides along
    if mtype in OUTPUT_TYPES:
        content = cap_output(content, caps, kind="error" if mtype == "error" else
                             "stream" if mtype == "stream" else "display_data")
    elif mtype == "input_request":
        content = {**content, "prompt": cap_text(content.get("prompt", ""), caps, 1024)}
    elif mtype == "inspect_reply" and isinstance(content.get("data"), dict):
        content = {**content, "data": cap_bundle(content["data"], caps)}
    elif mtype == "execute_reply":
        # a 'page' payload is rendered as an output (trusted); user expressions are bundles
        content = _reply_bundles(content, caps)
    elif mtype == "status":
        # reduced to the state, nothing the kernel adds; free only as the protocol's own
        state = content.get("execution_state")
        content = {"execution_state": state if state in _STATES else "busy"}
        if session is not None and not expected_status(msg, budgets, requests,
                                                       content["execution_state"]):
            if not session.spend(outputs.repeat_cost(session.caps)):
                return None
    msg = {**msg, "content": content}
    size = size_of(content) + size_of(msg.get("metadata") or {}) + _buffers_size(msg)
    if size > caps.message_bytes:
        msg["buffers"] = []
        msg["metadata"] = {}
        if mtype in OUTPUT_TYPES:
            msg["header"] = {**header, "msg_type": "stream"}
            msg["content"] = {"name": "stderr", "text": note("an output larger than the "
                                                             "per-message cap") + "\n"}
        else:
            msg["content"] = {"status": "error", "ename": "EnclaveOutputCap",
                              "evalue": note(f"a {mtype} message larger than the cap"),
                              "traceback": [], "data": {}, "metadata": {},
                              **({"comm_id": content["comm_id"]} if "comm_id" in content else {})}
        size = size_of(msg["content"])
    # output without a parent (a thread's, a comm's) shares one budget: it never resets; so
    # does output under a parent the browser never sent - a kernel naming a fresh parent per
    # message got a fresh execution budget and one free note for each, without end
    parent = (msg.get("parent_header") or {}).get("msg_id") or ""
    if requests is not None and not sent_by_browser(parent, requests):
        parent = ""
    if msg.get("channel") == "iopub" and mtype not in ("status", "execute_input"):
        kind = msg["header"]["msg_type"]
        state = budgets(parent).admit(msg["content"], "stream" if kind == "stream" else
                                      "error" if kind == "error" else "display_data")
        if state == "over":
            return None
        if state == "last":
            msg["metadata"] = {}
            msg["header"] = {**msg["header"], "msg_type": "stream"}
            msg["content"] = {"name": "stderr", "text": budget_note()}
            msg["buffers"] = []
            return msg
    # everything else the kernel sends (execute_input and execute_reply too: a kernel can fill
    # their code, payload and user_expressions) is charged to the session
    if session is not None and mtype != "status" and not _session_admits(msg, session):
        budget = budgets(parent)
        if msg.get("channel") != "iopub" or budget.spent:
            return _withheld_reply(msg) if msg.get("channel") == "shell" else None
        budget.spent = True  # one note per execution, then nothing more of it
        msg["metadata"] = {}
        msg["header"] = {**msg["header"], "msg_type": "stream"}
        msg["content"] = {"name": "stderr", "text": session_note()}
        msg["buffers"] = []
    return msg


def _session_admits(msg: dict, session: SessionBudget) -> bool:
    mtype = msg["header"].get("msg_type", "")
    meta = msg.get("metadata") or {}
    if mtype in OUTPUT_TYPES:
        return session.charge_output(msg["content"], output_kind(mtype)) and (
            not meta or session.charge(b"meta\0" + size_key(meta), 0, size_of(meta)))
    key = f"msg\0{mtype}\0".encode() + size_key(msg["content"]) + b"\0" + size_key(meta)
    return session.charge(key, 0, size_of(msg["content"]) + size_of(meta) + _buffers_size(msg))


def size_key(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, default=str).encode("utf-8", "replace")


def _withheld_reply(msg: dict) -> dict:
    """A shell reply (completion, inspection, comm info) the session's budget cannot pay for:
    the browser gets an error reply instead, so nothing waits for an answer forever."""
    content = {"status": "error", "ename": "EnclaveOutputCap", "evalue": session_note().strip(),
               "traceback": []}
    return {**msg, "content": content, "buffers": [], "metadata": {}}


class InboundMeter:
    """What the browser brings into the kernels over the websocket (D4): the same upload
    budget as saves (``saved_new_bytes_per_session``, :class:`uploads.UploadBudget`).  Every
    message costs its whole frame - envelope, structure, numbers, nulls and binary buffers
    alike: a kernel can read all of it (a ``msg_id`` is any string; ``[null, [null, null]]``
    in a comm's data is as good a carrier as text) - less what its text repeats: a line of
    the content seen before on this server costs ``repeat_bytes`` (the policy's price of a
    repeat) instead of its length (it
    can tell only which of the lines seen before comes, and in what order), so re-running or
    completing a cell costs little and a pasted extract costs its size."""

    def __init__(self, repeat_bytes: int) -> None:
        self.repeat_bytes = repeat_bytes
        self._seen: set[bytes] = set()

    def cost(self, raw) -> int:
        if isinstance(raw, (bytes, bytearray, memoryview)):
            return len(raw)  # a binary frame: buffers the kernel receives as they are
        total = frame_cost(raw)
        try:
            msg = json.loads(raw)
        except ValueError:
            return total
        if not isinstance(msg, dict):
            return total
        for text in _texts(msg.get("content")):
            for line in text.splitlines(keepends=True):
                b = line.encode("utf-8", "replace")
                if len(b) <= self.repeat_bytes:
                    continue  # costs no more than a repeat anyway (and is not remembered)
                digest = hashlib.blake2b(b, digest_size=16).digest()
                if digest in self._seen:
                    # the frame holds the line at least this long (JSON escapes only add)
                    total -= len(b) - self.repeat_bytes
                else:
                    self._seen.add(digest)
        return max(total, 0)


def frame_cost(raw: str) -> int:
    """A text frame's full size: everything in it is the kernel's to read (D4)."""
    return len(str(raw).encode("utf-8", "replace"))


def _texts(v):
    """Every JSON string in a value, keys included - only strings: a number's Python text
    can be longer than its JSON (1e9 -> 1000000000.0), and a discount must not exceed what
    the frame holds."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from _texts(x)
    elif isinstance(v, list):
        for x in v:
            yield from _texts(x)


def connection_session_id(browser_id: str) -> str:
    """The session id the kernel sees for a connection: the server's, whatever the browser
    asked for (see CappedKernelWebsocketConnection.prepare)."""
    return uuid.uuid4().hex


INBOUND: InboundMeter | None = None  # set by the guard's setup, at the policy's repeat price
UPLOADS = None  # the server's UploadBudget, shared with saves (set by the guard's setup)


class CappedKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    @default("kernel_ws_protocol")
    def _legacy_protocol(self):
        return ""  # JSON messages: each one is decoded and capped here

    _budgets: ExecutionBudgets | None = None
    _requests: RequestHeaders | None = None

    def _request_headers(self) -> RequestHeaders:
        if self._requests is None:
            self._requests = RequestHeaders()
            self._envelope_session = uuid.uuid4().hex
        return self._requests

    async def prepare(self):
        # jupyter_server copied the browser's ?session_id= into this session: it becomes the
        # ZMQ routing identity of the connection's streams and the header of each
        # kernel_info_request - a string of the browser's choosing that the kernel reads on
        # every connection, free of any budget (D4).  The server makes it instead, fresh each
        # time (reusing one the browser picks would still be a choice the kernel sees); a
        # reconnect loses the replies buffered while it was away, as a restart would.
        self.session.session = connection_session_id(self.session.session)
        return await super().prepare()

    def handle_incoming_message(self, incoming_msg):
        if UPLOADS is None or INBOUND is None or not UPLOADS.admit(INBOUND.cost(incoming_msg)):
            reason = ("the session's upload budget is spent: data comes in through import "
                      "review (D4)" if UPLOADS is not None else "guard not configured")
            self.log.error("enclave guard: browser message to the kernel refused: %s", reason)
            self.websocket_handler.close(4003, reason)
            return None
        try:  # the JSON protocol is forced (above); remember what the browser asked
            self._request_headers().record(json.loads(incoming_msg).get("header"))
        except (ValueError, TypeError, AttributeError):
            pass
        return super().handle_incoming_message(incoming_msg)

    def handle_outgoing_message(self, stream, outgoing_msg):
        if CAPS is None or self.subprotocol:
            self.log.error("enclave guard: kernel output dropped (guard not configured or a "
                           "binary wire protocol was negotiated)")
            return
        if self._budgets is None:
            self._budgets = ExecutionBudgets(CAPS)
        _, fed = self.session.feed_identities(outgoing_msg)
        msg = self.session.deserialize(fed)
        if isinstance(stream, str):
            stream = self.channels[stream]
        channel = getattr(stream, "channel", None)
        parts = fed[1:]
        self._on_error(channel, msg, parts)
        if self._limit_rate(channel, msg, parts):
            return
        msg["channel"] = channel
        # caps and budgets by the kernel's parent id, then the envelope the server makes
        capped = cap_message(msg, CAPS, self._budgets, SESSION, self._request_headers())
        if capped is not None:
            capped = rebuild_envelope(capped, self._request_headers(), self._envelope_session)
        if capped is not None:
            self._on_zmq_reply(stream, capped)
