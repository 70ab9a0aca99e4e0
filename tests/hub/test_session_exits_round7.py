"""Round 7: what repeats, order and structure carry through the browser channel (S1, D4).

The budgets charged content once: what the browser had been shown (or had sent) before was
free.  But which of those things comes next, in what order, and whether it comes at all is
information a kernel (or a browser script) chooses - so every channel below moved any amount
for nothing.  A real hub, proxy and sandboxed servers (on-site); each person's kernel plays the
attacker inside, their browser the accomplice outside.  Found open and closed here:

* OUT, ``status`` messages: free and outside jupyter_server's rate limit - a kernel sent
  thousands a second, each a state of five under a parent it picked among the browser's
  requests.  Now only the protocol's busy and idle of a browser request are free; any other
  costs a repeat (``kernelws.expected_status``; the policy's ``output_repeat_bytes``).
* OUT, output under a parent the browser never sent: each such parent got a fresh execution
  budget and its own free note.  Now they share the parentless budget.
* OUT, repeats: an output, listing entry, path or checkpoint shown once was free ever after
  (``outputs.SessionBudget.charge``); now a repeat costs ``output_repeat_bytes`` (a choice among
  fewer than 2**32 things), with a reserve past the budget so what was shown stays visible a
  while.
* OUT, a notebook of cells the browser saved, in an order the kernel chose (each cell's
  source shown free), or of withheld notes of three cell types: now a notebook laid out other
  than as the browser saved it costs a repeat a cell (``contents._skeleton_shown``).
* OUT, the kernels' state over REST: ``execution_state`` and ``last_activity`` (to the
  millisecond) are a kernel's to set, and polling ``/api/kernels``, ``/api/sessions`` or
  ``/api/status`` was free; now each answer costs ``output_state_poll_bytes`` a kernel.
* IN, the kernel websocket: the meter charged the envelope and the text lines not seen before;
  nulls, empty lists, numbers already seen and lines seen before in any order came in free.
  Now a message costs its whole frame less ``len - output_repeat_bytes`` for each line seen before
  (``kernelws.InboundMeter``).
"""
from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from hub_config.singleuser.kernelws import InboundMeter
from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(__import__("os").geteuid() != 0,
                                reason="the hub's sandbox spawner needs root")

OUT_BUDGET = 16 * 1024   # output_max_session_bytes here
IN_BUDGET = 64 * 1024    # saved_new_bytes_per_session here
SHOWN_MAX = OUT_BUDGET + OUT_BUDGET // 8    # the budget and the repeats' reserve (125 per mille)
# The hub here runs prices twice the policy's defaults, so the bounds below also show that the
# policy's settings reach the session's server (with the defaults, each would be exceeded).
REPEAT_BYTES = 8       # output_repeat_bytes here
STATE_BYTES = 32       # output_state_poll_bytes here
ACTION_BYTES = 128     # saved_action_bytes here
PEOPLE = {"ann": "C1", "bob": "C1", "cyd": "C2"}


@pytest.fixture(scope="module")
def hub():
    h = HubHarness(sessions_yaml=f"saved_new_bytes_per_session: {IN_BUDGET}\n"
                                 f"output_max_session_bytes: {OUT_BUDGET}\n"
                                 f"output_repeat_bytes: {REPEAT_BYTES}\n"
                                 f"output_state_poll_bytes: {STATE_BYTES}\n"
                                 f"saved_action_bytes: {ACTION_BYTES}\n"
                                 "output_repeat_reserve_permille: 125\n")
    for name in PEOPLE:
        h.add_user(name)
    h.add_case("C1", ["ann", "bob"])
    h.add_case("C2", ["cyd"])
    for name, case in PEOPLE.items():
        h.book_now(name, case)
    with h.running(tail=6000):
        h.people = {}
        for name in PEOPLE:
            u = h.session_user(name)
            u.kid = u.start_kernel()
            h.people[name] = u
        yield h


def _frame(code: str, user: str, **extra) -> str:
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": user,
                   "session": "s", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": False,
                    **extra}})


def _drain(ws, quiet: float = 3.0, limit: float = 90.0) -> list[dict]:
    """Every message until ``quiet`` seconds pass without one."""
    got, end = [], time.monotonic() + limit
    ws.settimeout(quiet)
    while time.monotonic() < end:
        try:
            got.append(json.loads(ws.recv()))
        except Exception:  # noqa: BLE001 - the quiet timeout (or a close) ends it
            break
    return got


# --- OUT: status floods, chosen parents, fresh parents -------------------------------------
FLOOD = """
import uuid as _u
_k = get_ipython().kernel
_p = _k.get_parent('shell')
_s, _io = _k.session, _k.iopub_socket
_bits = [(i * 7919 >> 3) & 1 for i in range({n})]
for _b in _bits:   # a state the kernel picks, under the browser's own request
    _s.send(_io, 'status', {{'execution_state': ('busy', 'idle')[_b]}}, parent=_p)
for _b in _bits:   # an output under a parent the browser never sent, then an 'idle' that
    _f = {{'msg_id': _u.uuid4().hex, 'msg_type': 'execute_request', 'session': 'x',
           'username': 'x', 'version': '5.3', 'date': ''}}   # resets the rate limit
    if _b:
        _s.send(_io, 'stream', {{'name': 'stdout', 'text': 'R7BIT\\n'}}, parent=_f)
    _s.send(_io, 'status', {{'execution_state': 'idle'}}, parent=_f)
print('FLOODED')
"""


def test_statuses_and_made_up_parents_carry_no_more_than_the_budget(hub):
    """S1: a kernel's statuses and outputs under parents of its choosing reach the browser
    only within the session's budget (each a repeat's price); an ordinary execution still
    shows its busy, output and idle."""
    ann = hub.people["ann"]
    ws = ann._kernel_socket(ann.kid, 60)
    try:
        ws.send(_frame("print(6 * 7)", "ann"))
        got = _drain(ws, quiet=2.0)
        types = [(m["msg_type"], m["content"].get("execution_state")) for m in got]
        assert ("status", "busy") in types and ("status", "idle") in types, types
        assert any(m["msg_type"] == "stream" and m["content"]["text"] == "42\n" for m in got)
        n = 6000
        ws.send(_frame(FLOOD.format(n=n), "ann"))
        got = _drain(ws)
    finally:
        ws.close()
    statuses = sum(m["msg_type"] == "status" for m in got)
    bits = sum("R7BIT" in json.dumps(m) for m in got)
    # the kernel sent 2n statuses and n/2 marked outputs; the browser may learn at most one
    # choice a repeat's price of the budget (plus the protocol's free busy/idle)
    assert statuses + bits <= SHOWN_MAX // REPEAT_BYTES + 4, (statuses, bits)
    # parents the browser never sent share the parentless execution budget (100 lines here)
    assert bits <= 101, bits


# --- OUT: a notebook of known cells in a chosen order; the kernels' state polled ------------
def _nb(cells: list[str]) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [],
                       "execution_count": None, "source": s} for i, s in enumerate(cells)]}


def test_a_notebook_of_known_cells_in_a_chosen_order_is_charged(hub):
    """S1: a kernel rewrites a notebook from cells the browser saved, in orders it picks (a
    bit a cell); each new layout costs a repeat a cell, so the browser sees no more than the
    budget allows; the browser's own notebook opens as it saved it, budget or not."""
    cyd = hub.people["cyd"]
    ws_dir = hub.settings.projects_dir / "C2" / "workspace"
    r = cyd.server("POST", "/api/contents", json={"type": "notebook"})
    assert r.status_code == 201, r.text[:300]
    own_path = r.json()["path"]
    own = _nb(["a = 1\n", "b = 2\n"])
    r = cyd.server("PUT", f"/api/contents/{own_path}", json={"type": "notebook", "content": own})
    assert r.status_code == 200, r.text[:300]
    assert cyd.server("GET", f"/api/contents/{own_path}").status_code == 200
    cells = 800
    shown = 0
    for k in range(12):   # twelve layouts, 800 bits each: 9.6 kbit > 16 KB / 4 bytes a cell
        order = [("a = 1\n", "b = 2\n")[(i * (k + 3) * 7919 >> 4) & 1] for i in range(cells)]
        (ws_dir / f"r7laid{k}.ipynb").write_text(json.dumps(_nb(order)))
        r = cyd.server("GET", f"/api/contents/r7laid{k}.ipynb")
        if r.status_code == 200:
            got = [c["source"] for c in r.json()["content"]["cells"]]
            assert got == order   # shown as it is, while the budget lasts
            shown += 1
        else:
            assert r.status_code == 403 and "budget" in r.json()["message"], r.text[:300]
    assert shown * cells * REPEAT_BYTES <= SHOWN_MAX, shown
    assert shown < 12
    # the browser's own notebook, as it saved it: still opened
    r = cyd.server("GET", f"/api/contents/{own_path}")
    assert r.status_code == 200 and [c["source"] for c in r.json()["content"]["cells"]] == \
        ["a = 1\n", "b = 2\n"], r.text[:300]


def test_polling_the_kernels_state_is_charged(hub):
    """S1: /api/kernels, /api/sessions, /api/status show execution_state and last_activity
    (a kernel sets both at will) within the budget, and withhold them beyond it - the answers
    themselves still come (JupyterLab's own polls, two every 10 s, cost ~200 KB in eight hours
    of the default 16 MB)."""
    bob = hub.people["bob"]
    r = bob.server("POST", "/api/sessions", json={"path": "r7.ipynb", "type": "notebook",
                                                  "name": "r7.ipynb", "kernel": {"id": bob.kid}})
    assert r.status_code == 201, r.text[:200]
    answers = {"/api/kernels": [], "/api/sessions": [], "/api/status": []}
    for _ in range(250):   # 750 answers x 2 kernels' worth > the budget and its reserve
        for path in answers:
            r = bob.server("GET", path)
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
            answers[path].append(r.json())

    def shown(model) -> bool:
        times = re.findall(r'"last_activity": "([^"]*)"', json.dumps(model))
        assert times, model
        return any(not t.startswith("1970") for t in times)

    first = {p: v[0] for p, v in answers.items()}
    assert first["/api/kernels"][0]["execution_state"] != "unknown", first
    assert all(shown(m) for m in first.values()), first        # within the budget: as before
    count = sum(shown(m) for v in answers.values() for m in v)
    assert count * STATE_BYTES <= SHOWN_MAX, count
    last = {p: v[-1] for p, v in answers.items()}
    assert last["/api/kernels"][0]["execution_state"] == "unknown", last
    assert not any(shown(m) for m in last.values()), last
    # starting a kernel still works once the budget is spent (its state withheld)
    r = bob.server("POST", "/api/kernels", json={"name": "python3"})
    assert r.status_code == 201 and r.json()["execution_state"] == "unknown", r.text[:200]


# --- IN: structure, numbers and reordered lines into the kernel -----------------------------
HOOK_IN = """
import json as _j
_k = get_ipython().kernel
_orig = _k.shell_handlers['execute_request']
async def _r7_in(stream, ident, parent):
    c = parent.get('content') or {}
    bits = 8 * sum(1 for ln in c.get('code', '').splitlines() if ln.startswith('#R7'))
    bits += len(c.get('s') or []) + len(c.get('n') or [])
    with open('/workspace/.r7in', 'a') as f:
        f.write(str(bits) + '\\n')
    r = _orig(stream, ident, parent)
    return (await r) if hasattr(r, '__await__') else r
_k.shell_handlers['execute_request'] = _r7_in
open('/workspace/.r7hooked', 'w').write('HOOKED')
"""


def _members(n: int) -> list[tuple[str, dict]]:
    """A message of each carrier: code of lines seen before (a byte a line, 256 of them),
    a list of [] and [null] (a bit each), a list of 0 and 1 (a bit each)."""
    lines = "\n".join(f"#R7{(i * 7919 + n) % 256:02x}" for i in range(6000))
    bits = [(i * 7919 + n >> 2) & 1 for i in range(40_000)]
    return [("pass\n" + lines, {}), ("pass", {"s": [[None] if b else [] for b in bits]}),
            ("pass", {"n": bits})]


def test_structure_and_repeated_lines_into_the_kernel_are_charged(hub):
    """D4: what the kernel can read of a browser's messages - nulls, empty lists, numbers,
    lines it has seen before in a chosen order - costs the upload budget; a browser script
    pushing 150 KB that way is cut off with no more than the budget received.  Ordinary
    re-runs of a cell still pass (run first)."""
    from websocket import WebSocketConnectionClosedException

    bob = hub.people["bob"]
    bob.execute(HOOK_IN, bob.kid)   # (its output is withheld: the polls spent the budget)
    assert (hub.settings.projects_dir / "C1" / "workspace" / ".r7hooked").read_text() == "HOOKED"
    ws = bob._kernel_socket(bob.kid, 60)
    try:
        for _ in range(40):   # safe counterpart: the same cell re-run is cheap
            ws.send(_frame("counter = globals().get('counter', 0) + 1", "bob"))
        # (read from the workspace: bob's output budget was spent by the polls above)
        ws.send(_frame("open('/workspace/.r7runs', 'w').write(str(counter))", "bob"))
        _drain(ws, quiet=2.0)
        runs = hub.settings.projects_dir / "C1" / "workspace" / ".r7runs"
        assert runs.read_text() == "40"
        # priming: the 256 lines once (a browser would pay for them once, as new lines)
        ws.send(_frame("pass\n" + "\n".join(f"#R7{i:02x}" for i in range(256)), "bob"))
        closed = None
        for n in range(12):   # 12 x 3 messages, ~15 KB of choices each
            for code, extra in _members(n):
                try:
                    ws.send(_frame(code, "bob", **extra))
                except (WebSocketConnectionClosedException, BrokenPipeError,
                        ConnectionError) as e:
                    closed = e
                    break
            if closed:
                break
            _drain(ws, quiet=0.3, limit=5)
    finally:
        ws.close()
    time.sleep(2)
    f = hub.settings.projects_dir / "C1" / "workspace" / ".r7in"
    received_bits = sum(int(x) for x in f.read_text().split()) if f.exists() else 0
    assert received_bits // 8 <= IN_BUDGET, received_bits // 8
    assert closed is not None or received_bits < 12 * 3 * 40_000, "never cut off"
    assert "upload budget is spent" in hub.settings.run_dir.joinpath(
        "sandbox", "logs", "bob.log").read_text(errors="replace")


# --- the meter, member by member (no hub) ---------------------------------------------------
def _msg(content: dict, mtype: str = "comm_msg") -> str:
    return json.dumps({"header": {"msg_id": "m", "msg_type": mtype, "session": "s",
                                  "username": "u", "version": "5.3", "date": ""},
                       "parent_header": {}, "metadata": {}, "channel": "shell",
                       "content": content, "buffers": []})


BITS = [(i * 7919 >> 3) & 1 for i in range(20_000)]
CARRIERS = {
    "nulls_in_lists": lambda: {"data": [[None] if b else [] for b in BITS]},
    "nested_empty_dicts": lambda: {"data": [{} if b else [] for b in BITS]},
    "booleans": lambda: {"data": [bool(b) for b in BITS]},
    "small_ints": lambda: {"data": BITS},
    "floats_as_exponents": lambda: {"data": [1e9 if b else 1e8 for b in BITS]},
    "list_lengths": lambda: {"data": [[None] * (1 + b) for b in BITS]},
    "repeated_lines_reordered": lambda: {"code": "".join(
        ("#R7 one line seen before\n", "#R7 another line seen!\n")[b] for b in BITS)},
    "repeated_keys": lambda: {"data": [{"k": 0} if b else {"j": 0} for b in BITS]},
    "repeated_strings": lambda: {"data": ["#R7 one line seen before" if b else
                                          "#R7 another line seen!" for b in BITS]},
}


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_each_carrier_costs_at_least_what_it_tells(carrier):
    """D4: a message whose content encodes 20 000 bits by structure or by the order of things
    seen before costs at least 2 500 bytes (and the same message again as much)."""
    meter = InboundMeter(_caps().repeat_bytes)
    meter.cost(_msg({"code": "#R7 one line seen before\n#R7 another line seen!\n",
                     "data": ["#R7 one line seen before", "#R7 another line seen!"]}))
    for _ in range(2):
        assert meter.cost(_msg(CARRIERS[carrier]())) >= len(BITS) // 8


def test_a_repeat_never_earns_budget():
    """D4: no frame costs less than nothing, whatever its numbers' Python text."""
    meter = InboundMeter(_caps().repeat_bytes)
    for _ in range(3):
        assert meter.cost(_msg({"x": [1e300] * 5000, "y": ["#R7 long line here"] * 50})) > 0


# --- the same mechanisms in this process (what the switches turn off) -----------------------
def _caps():
    import dataclasses

    from hub_config.singleuser.config import from_policy
    from policies import load_policy

    return dataclasses.replace(from_policy(load_policy(None).sessions).caps,
                               session_bytes=OUT_BUDGET)


def _caps_price() -> int:
    from policies import load_policy

    return load_policy(None).sessions.saved_action_bytes


def _kmsg(mtype: str, content: dict, parent: str) -> dict:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": mtype},
            "parent_header": {"msg_id": parent}, "channel": "iopub", "content": content,
            "metadata": {}, "buffers": []}


def test_a_status_flood_under_the_browsers_request_stops_at_the_budget():
    """S1: 20 000 statuses of the kernel's choosing under the browser's own request: the
    protocol's busy and idle pass free, the rest cost a repeat each."""
    from hub_config.singleuser.kernelws import ExecutionBudgets, RequestHeaders, cap_message
    from hub_config.singleuser.outputs import SessionBudget

    caps = _caps()
    session, budgets, requests = SessionBudget(caps), ExecutionBudgets(caps), RequestHeaders()
    requests.record({"msg_id": "browser-1", "msg_type": "execute_request"})
    first = [cap_message(_kmsg("status", {"execution_state": s}, "browser-1"), caps, budgets,
                         session, requests) for s in ("busy", "idle")]
    assert all(m is not None for m in first) and session.bytes == 0   # the protocol's: free
    passed = sum(cap_message(_kmsg("status", {"execution_state": ("busy", "idle")[b]},
                                   "browser-1"), caps, budgets, session, requests) is not None
                 for b in BITS)
    assert passed * caps.repeat_bytes <= SHOWN_MAX, passed


def test_outputs_under_made_up_parents_share_one_budget():
    """S1: a fresh made-up parent per message got a fresh execution budget (and repeats were
    free): now they share the parentless budget."""
    from hub_config.singleuser.kernelws import ExecutionBudgets, RequestHeaders, cap_message
    from hub_config.singleuser.outputs import SessionBudget

    caps = _caps()
    session, budgets, requests = SessionBudget(caps), ExecutionBudgets(caps), RequestHeaders()
    shown = sum("R7BIT" in json.dumps(cap_message(
        _kmsg("stream", {"name": "stdout", "text": "R7BIT\n"}, uuid.uuid4().hex), caps, budgets,
        session, requests)) for _ in range(5000))
    assert shown <= caps.text_lines + 1, shown


def test_repeats_cost_a_repeat_and_stop_past_the_reserve():
    """S1: a listing entry, a path or an output shown before costs a repeat again; the
    browser learns at most the budget's worth of which ones come."""
    from hub_config.singleuser.outputs import SessionBudget

    caps = _caps()
    session = SessionBudget(caps)
    keys = [b"dir\0r7\0" + bytes([i]) for i in range(2)]
    assert all(session.charge(k, 1, len(k)) for k in keys)
    passed = sum(session.charge(keys[b], 1, 9) for b in BITS)
    assert passed * caps.repeat_bytes <= SHOWN_MAX, passed
    assert passed > 1000   # not refused at once: the reserve lets what was shown stay a while


def test_a_notebook_layout_costs_a_repeat_a_cell(tmp_path):
    """S1: layouts of known cells (as contents.get makes them) within the budget; a layout
    the browser saved is free."""
    import types

    from hub_config.singleuser.contents import GuardedContentsManager, skeleton
    from hub_config.singleuser.ledger import Ledger
    from hub_config.singleuser.outputs import SessionBudget

    fake = types.SimpleNamespace(ledger=Ledger(b"k" * 32, tmp_path, "u"),
                                 session_budget=SessionBudget(_caps()))
    own = [f"code:{'a' * 32}:0", f"code:{'b' * 32}:0"] * 400
    fake.ledger.record("skeleton", skeleton(own))
    shown = 0
    for k in range(20):
        bits = __import__("random").Random(k).getrandbits(800)
        parts = [own[bits >> i & 1] for i in range(800)]
        shown += GuardedContentsManager._skeleton_shown(fake, f"n{k}.ipynb", parts)
    assert shown * 800 * fake.session_budget.caps.repeat_bytes <= SHOWN_MAX, shown
    assert all(GuardedContentsManager._skeleton_shown(fake, "own.ipynb", own) for _ in range(50))


def test_kernel_state_answers_stop_at_the_budget():
    """S1: /api/kernels-like answers cost the state price a kernel (and one for the answer);
    past the budget the kernel-set fields are withheld."""
    import types

    from jupyter_server.services.api.handlers import APIStatusHandler
    from jupyter_server.services.contents.handlers import ContentsHandler
    from jupyter_server.services.kernels.handlers import MainKernelHandler

    from hub_config.singleuser.outputs import SessionBudget
    from hub_config.singleuser.routes import charge_kernel_state, withhold_state

    km = types.SimpleNamespace(list_kernel_ids=lambda: ["k1", "k2"])
    app = types.SimpleNamespace(settings={"kernel_manager": km})
    session = SessionBudget(_caps())
    answered = sum(charge_kernel_state(cls, app, session) is True
                   for _ in range(500) for cls in (MainKernelHandler, APIStatusHandler))
    assert answered * session.caps.state_bytes * 3 <= SHOWN_MAX, answered
    assert charge_kernel_state(MainKernelHandler, app, session) is False
    assert charge_kernel_state(ContentsHandler, app, session) is True   # not kernel state
    model = [{"id": "k1", "execution_state": "busy", "last_activity": "2026-12-07T17:00:00.123Z",
              "connections": 1}]
    assert withhold_state(model) == [{"id": "k1", "execution_state": "unknown", "connections": 1,
                                      "last_activity": "1970-01-01T00:00:00.000000Z"}]
    sessions = [{"id": "s", "kernel": model[0]}]
    assert withhold_state(sessions)[0]["kernel"]["execution_state"] == "unknown"


def test_acts_without_a_body_cost_the_upload_budget(hub):
    """D4: which of the kernel's files the browser deletes (or saves again unchanged, or which
    kernel it interrupts, and when) is a message into the kernel with no body to meter: each
    act now costs the policy's saved_action_bytes, so a script deleting planted files one by
    one is stopped within the budget.  The first deletes work as before."""
    ann = hub.people["ann"]
    ann.execute("import os; os.makedirs('/workspace/r7del', exist_ok=True)\n"
                "for i in range(1200): open(f'/workspace/r7del/f{i}.py', 'w').close()", ann.kid)
    folder = hub.settings.projects_dir / "C1" / "workspace" / "r7del"
    assert len(list(folder.glob("f*.py"))) == 1200
    codes = [ann.server("DELETE", f"/api/contents/r7del/f{i}.py").status_code
             for i in range(1200)]
    gone = 1200 - len(list(folder.glob("f*.py")))
    assert codes[0] == 204 and gone == codes.count(204), (gone, codes[:5])
    assert gone * ACTION_BYTES <= IN_BUDGET, gone
    assert codes[-1] == 403, codes[-5:]
    # opening the kernel's websocket greets the kernel: an act too, refused past the budget
    with pytest.raises(Exception, match="403"):
        ann._kernel_socket(ann.kid, 20)


def test_acts_are_charged_in_this_process():
    """D4: deletes, interrupts and unchanged saves each cost the act price; reads nothing."""
    from jupyter_server.services.contents.handlers import ContentsHandler
    from jupyter_server.services.kernels.handlers import KernelActionHandler

    from hub_config.singleuser.routes import decide_body
    from hub_config.singleuser.uploads import UploadBudget

    class Req:
        def __init__(self, method):
            self.method, self.headers = method, {}

    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    price = _caps_price()
    budget = UploadBudget(IN_BUDGET, price)
    acts = [(ContentsHandler, "DELETE"), (KernelActionHandler, "POST"), (ContentsHandler, "PUT"),
            (KernelWebsocketHandler, "GET")]
    done = sum(decide_body(cls, Req(m), budget) is None for _ in range(2000) for cls, m in acts)
    assert done * price <= IN_BUDGET, done
    assert decide_body(ContentsHandler, Req("GET"), budget) is None   # reads: free
