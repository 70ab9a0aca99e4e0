"""S1/D4: the browser channel of a real session (JupyterHub + proxy + sandbox), on-site mode.

alice is at her booked seat (this host), logged in like a browser, with a token; her kernel
plays the attacker inside: it writes query results into the workspace as every kind of file,
then the browser side tries every way the server has to hand bytes out or take them in.
Each attempt must fail; typed work (notebooks, code) still round-trips.  Kernel output reaching
the browser is capped by the policy.  (Remote mode: test_remote_desktop.py; seats:
test_seats.py.)
"""
from __future__ import annotations

import base64
import json
import os
import re
import time
import uuid

import pytest

from policies import load_policy
from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

SESS = load_policy(None).sessions
MARK = "SECRETROW"
N_ROWS = 2000


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()  # on_site; every booked seat is this host
    h.add_user("alice")
    h.add_case("C1", ["alice"])
    h.book_now("alice", "C1")
    with h.running(tail=6000, logs_to=os.environ.get("ENCLAVE_TEST_HUB_LOG")):
        h.alice = h.session_user("alice")
        h.kernel = h.alice.start_kernel()
        out = h.alice.execute(PLANT, h.kernel, timeout=120)
        assert "PLANTED" in out, out
        yield h


@pytest.fixture(scope="module")
def alice(hub):
    return hub.alice


# The kernel (inside, same uid as the server) writes data in every shape it can think of.
PLANT = f"""
import os, json, zipfile, io, base64, pandas as pd, nbformat
os.chdir("/workspace")
rows = [f"{MARK}-{{i:05d}},{{i}},p{{i}}" for i in range({N_ROWS})]
text = "\\n".join(rows) + "\\n"
df = pd.DataFrame({{"row": [r.split(",")[0] for r in rows], "n": range({N_ROWS})}})
df.to_csv("q.csv", index=False); df.to_parquet("q.parquet"); df.to_excel("q.xlsx", index=False)
df.to_json("q.json"); open("q.txt", "w").write(text); open("q.sql", "w").write(text)
open("rows.py", "w").write("ROWS = " + repr(rows) + "\\n")
open("notes.md", "w").write(text)
with zipfile.ZipFile("q.zip", "w") as z: z.writestr("q.csv", text)
os.makedirs("sub/dir", exist_ok=True); open("sub/dir/q.csv", "w").write(text)
open(".hidden.csv", "w").write(text)
os.symlink("q.csv", "link.py")
nb = nbformat.v4.new_notebook()
nb.metadata["stash"] = text
nb.cells = [nbformat.v4.new_code_cell(text), nbformat.v4.new_markdown_cell(text)]
nb.cells[1].attachments = {{"x.png": {{"image/png": base64.b64encode(text.encode()).decode()}}}}
nb.cells[0].metadata["stash"] = text
nb.cells[0].outputs = [
    nbformat.v4.new_output("stream", text=text),
    nbformat.v4.new_output("display_data", data={{"text/html": df.to_html(max_rows=None),
                                                 "application/json": {{"rows": rows}}}}),
    nbformat.v4.new_output("execute_result", data={{"text/plain": text}}, execution_count=1),
]
nbformat.write(nb, "data.ipynb")
print("PLANTED")
"""

DATA_FILES = ["q.csv", "q.parquet", "q.xlsx", "q.json", "q.txt", "q.sql", "rows.py", "notes.md",
              "q.zip", "sub/dir/q.csv", "link.py", ".hidden.csv"]
QUERIES = ["", "?content=1", "?type=file", "?type=file&format=text", "?type=file&format=base64",
           "?format=base64", "?format=text", "?content=1&hash=1", "?type=notebook",
           "?type=directory"]


def _leaks(text: str) -> int:
    """How many distinct planted rows a response shows (base64 bodies decoded too)."""
    found = set(re.findall(rf"{MARK}-\d{{5}}", text))
    for blob in re.findall(r"[A-Za-z0-9+/]{200,}={0,2}", text):
        try:
            found |= set(re.findall(rf"{MARK}-\d{{5}}", base64.b64decode(blob).decode("latin-1")))
        except ValueError:
            pass
    return len(found)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("name", DATA_FILES)
def test_contents_api_never_returns_a_data_body(alice, name, query):
    r = alice.server("GET", f"/api/contents/{name}{query}")
    assert r.status_code in (400, 403, 404), (r.status_code, r.text[:300])
    assert _leaks(r.text) == 0


@pytest.mark.parametrize("name", DATA_FILES[:-1])
def test_hashes_are_no_oracle_on_data(alice, hub, name):
    """?hash=1 with content=0 answers, but never with the file's real hash."""
    import hashlib

    real = hashlib.sha256((hub.settings.projects_dir / "C1" / "workspace" / name)
                          .read_bytes()).hexdigest()
    r = alice.server("GET", f"/api/contents/{name}?content=0&hash=1")
    assert r.status_code == 200, r.text[:300]
    assert r.json()["hash"] == "withheld" and real not in r.text


@pytest.mark.parametrize("path", [
    "/files/q.csv", "/files/q.csv?download=1", "/files/sub/dir/q.csv", "/view/q.csv",
    "/nbconvert/html/data.ipynb?download=true", "/nbconvert/script/data.ipynb",
    "/nbconvert/notebook/data.ipynb", "/api/nbconvert", "/kernelspecs/python3/../../q.csv",
    "/kernelspecs/python3/kernel.json", "/api/contents/.enclave", "/api/contents/.enclave/ledger",
    "/api/contents/.hidden.csv", "/api/notebooks/q.csv", "/api/config/notebook",
    "/lab/api/licenses/", "/lab/api/extensions", "/lsp/status", "/lsp/ws/pylsp",
    "/api/terminals", "/metrics", "/static/../q.csv", "/lab/extensions/../../q.csv",
    "/api/contents/q.csv/checkpoints", "/api/contents/sub?content=1",
])
def test_other_handlers_hand_out_no_data(alice, path):
    r = alice.server("GET", path)
    if r.status_code in (301, 302):  # e.g. /api/notebooks/ -> /api/contents/: follow it
        r = alice.http.get(r.headers["location"],
                           headers={"Authorization": f"token {alice.token}"})
    assert _leaks(r.text) == 0, (path, r.status_code, r.text[:300])
    if not path.startswith(("/api/contents/q.csv/checkpoints", "/api/contents/sub")):
        assert r.status_code in (400, 403, 404), (path, r.status_code)


@pytest.mark.parametrize("method, path, body", [
    ("PUT", "/lab/api/settings/@jupyterlab/apputils-extension:themes", {"raw": "{}"}),
    ("PUT", "/lab/api/workspaces/default", {"data": {}, "metadata": {"id": "default"}}),
    ("PATCH", "/api/config/notebook", {"x": 1}),
    ("POST", "/lab/api/extensions", {"cmd": "install", "extension_name": "x"}),
    ("POST", "/lab/api/plugins", {"cmd": "enable", "plugin_name": "x"}),
    ("POST", "/lab/api/build", {}),
    ("POST", "/api/terminals", {}),
    ("POST", "/api/contents/q.csv/trust", {}),
    ("POST", "/nbconvert/html", {"content": {}}),
])
def test_write_side_channels_refused(alice, method, path, body):
    r = alice.server(method, path, json=body)
    assert r.status_code in (400, 403, 404, 405), (method, path, r.status_code, r.text[:200])


def test_kernel_written_notebook_shows_no_sources_metadata_or_attachments(alice):
    r = alice.server("GET", "/api/contents/data.ipynb")
    assert r.status_code == 200, r.text[:300]
    nb = r.json()["content"]
    assert nb["metadata"].get("stash") is None
    for cell in nb["cells"]:
        assert MARK not in cell["source"] and "withheld" in cell["source"]
        assert "attachments" not in cell and "stash" not in cell["metadata"]
    outs = nb["cells"][0]["outputs"]
    assert all("application/json" not in o.get("data", {}) for o in outs)
    assert json.dumps(outs).count("<tr") <= SESS.output_max_table_rows + 1
    # what the stored outputs show is bounded by the caps, not the file
    assert _leaks(r.text) <= 2 * SESS.output_max_text_lines + SESS.output_max_table_rows
    assert r.json()["writable"] is False  # saving would destroy the withheld sources


def test_copy_rename_and_checkpoints_do_not_launder_data(alice):
    assert alice.server("POST", "/api/contents", json={"copy_from": "q.csv"}).status_code == 403
    r = alice.server("POST", "/api/contents/sub", json={"copy_from": "rows.py"})
    assert r.status_code == 201, r.text
    copied = r.json()["path"]
    assert alice.server("GET", f"/api/contents/{copied}").status_code == 403
    r = alice.server("PATCH", "/api/contents/q.txt", json={"path": "renamed.py"})
    assert r.status_code == 200, r.text
    r = alice.server("GET", "/api/contents/renamed.py")
    assert r.status_code == 403 and _leaks(r.text) == 0
    assert alice.server("POST", "/api/contents/renamed.py/checkpoints").status_code == 201
    cps = alice.server("GET", "/api/contents/renamed.py/checkpoints").json()
    assert cps and _leaks(json.dumps(cps)) == 0
    r = alice.server("POST", f"/api/contents/renamed.py/checkpoints/{cps[0]['id']}")
    assert r.status_code == 204
    assert alice.server("GET", "/api/contents/renamed.py").status_code == 403


UPLOADS = [
    ("up.py", {"type": "file", "format": "text", "content": "x = 1\n"}),
    ("up.csv", {"type": "file", "format": "text", "content": "pid,dx\nA123,I10\n"}),
    ("up.csv", {"type": "file", "format": "base64", "content": base64.b64encode(b"a,b\n").decode()}),
    ("up.xlsx", {"type": "file", "format": "base64", "content": base64.b64encode(b"PK\x03\x04").decode()}),
    ("up.ipynb", {"type": "notebook", "format": "json", "content": {
        "cells": [{"cell_type": "code", "source": "x", "metadata": {}, "outputs": [],
                   "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}}),
    ("up.py", {"type": "file", "format": "text", "content": "x", "chunk": 1}),
    ("up.zip", {"type": "file", "format": "base64", "content": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==",
                "chunk": -1}),
    ("sub/up.md", {"type": "file", "format": "text", "content": "# imported"}),
]


@pytest.mark.parametrize("name, model", UPLOADS)
def test_uploads_refused_and_leave_nothing(alice, hub, name, model):
    r = alice.server("PUT", f"/api/contents/{name}", json=model)
    assert r.status_code == 403, (r.status_code, r.text[:300])
    assert "import review" in r.json()["message"] or "upload" in r.json()["message"]
    assert not (hub.settings.projects_dir / "C1" / "workspace" / name).exists()


@pytest.mark.parametrize("name, model, status", [
    ("q.csv", {"type": "file", "format": "text", "content": "new,data\n"}, 403),   # not code
    ("rows.py", {"type": "file", "format": "base64",
                 "content": base64.b64encode(b"x=1").decode()}, 403),            # binary
    ("rows.py", {"type": "file", "format": "text",
                 "content": "#" * (SESS.saved_file_max_bytes + 1)}, 413),        # too big
    ("data.ipynb", {"type": "notebook", "format": "json", "content": {"cells": "nope"}}, 400),
])
def test_saves_over_existing_files_checked(alice, name, model, status):
    r = alice.server("PUT", f"/api/contents/{name}", json=model)
    assert r.status_code == status, (r.status_code, r.text[:300])


def test_typed_work_round_trips(alice):
    """Creating empty notebooks/files and saving what was typed still works, and only that
    comes back."""
    r = alice.server("POST", "/api/contents", json={"type": "notebook"})
    assert r.status_code == 201, r.text
    path = r.json()["path"]
    typed = f"print('typed {uuid.uuid4().hex}')"
    nb = {"cells": [{"cell_type": "code", "source": typed, "metadata": {}, "outputs": [],
                     "execution_count": None},
                    {"cell_type": "markdown", "source": "# 筆記 notes", "metadata": {}}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert alice.server("PUT", f"/api/contents/{path}",
                        json={"type": "notebook", "content": nb}).status_code == 200
    got = alice.server("GET", f"/api/contents/{path}").json()
    assert [c["source"] for c in got["content"]["cells"]] == [typed, "# 筆記 notes"]
    assert got["writable"] is True
    r = alice.server("POST", "/api/contents", json={"type": "file", "ext": ".py"})
    assert r.status_code == 201, r.text
    code_path = r.json()["path"]
    code = "import enclave.session\nx = 1  # typed\n"
    r = alice.server("PUT", f"/api/contents/{code_path}",
                     json={"type": "file", "format": "text", "content": code})
    assert r.status_code == 200, r.text
    got = alice.server("GET", f"/api/contents/{code_path}").json()
    assert got["content"] == code
    # the kernel rewrites the typed file with data: no longer what the browser sent
    alice.execute(f"open('/workspace/{code_path}', 'w').write({code!r} + 'R = ' + "
                  f"repr(open('/workspace/q.csv').read()))", alice.hub.kernel)
    r = alice.server("GET", f"/api/contents/{code_path}")
    assert r.status_code == 403 and _leaks(r.text) == 0


def test_ledger_cannot_be_forged_from_the_kernel(alice, hub):
    """The kernel sees neither the ledger key nor the server's memory; planted ledger lines
    verify nothing."""
    out = alice.execute("""
import os, glob, hashlib, hmac
print("ENV", "ENCLAVE_LEDGER_KEY" in os.environ)
found = []
for p in glob.glob("/proc/[0-9]*/environ"):
    try:
        if b"ENCLAVE_LEDGER_KEY" in open(p, "rb").read(): found.append(p)
    except OSError:
        pass
print("PROC", found)
body = open("/workspace/q.csv", "rb").read()
os.makedirs("/workspace/.enclave/ledger", exist_ok=True)
with open("/workspace/.enclave/ledger/alice", "a") as f:
    f.write(hashlib.sha256(body).hexdigest() + "\\n")
    f.write(hmac.new(b"", b"file\\0" + hashlib.sha256(body).digest(), hashlib.sha256).hexdigest() + "\\n")
    f.write(hmac.new(b"0" * 32, b"file\\0" + hashlib.sha256(body).digest(), hashlib.sha256).hexdigest() + "\\n")
print("FORGED")
""", hub.kernel)
    assert "ENV False" in out and "PROC []" in out and "FORGED" in out, out
    assert alice.server("GET", "/api/contents/q.csv").status_code == 403


# ------------------------------------------------------------------ kernel output caps
def _run(alice, hub, code: str, timeout: float = 60) -> list[dict]:
    return alice.messages(code, hub.kernel, timeout)


def _output_text(msgs) -> str:
    return json.dumps([m["content"] for m in msgs if m["msg_type"] != "status"],
                      ensure_ascii=False)


@pytest.mark.parametrize("code", [
    "print(open('/workspace/q.csv').read())",                                  # one big print
    "import sys\nfor l in open('/workspace/q.csv'): sys.stdout.write(l); sys.stdout.flush()",
    "import pandas as pd, IPython.display as d\n"
    "d.display(d.HTML(pd.read_csv('/workspace/q.csv').to_html(max_rows=None)))",
    "import pandas as pd\npd.set_option('display.max_rows', None)\npd.read_csv('/workspace/q.csv')",
    "import IPython.display as d\nd.display({'application/json': open('/workspace/q.csv').read(),"
    " 'text/csv': open('/workspace/q.csv').read()}, raw=True)",
    "import IPython.display as d, time\n"
    "for i in range(0, 2000, 10):\n"
    "    d.display(d.Markdown('\\n'.join(open('/workspace/q.csv').read().splitlines()[i:i+10])))",
    "raise ValueError(open('/workspace/q.csv').read())",
    "import sys\nsys.stderr.write(open('/workspace/q.csv').read())",
])
def test_kernel_output_to_the_browser_is_capped(alice, hub, code):
    msgs = _run(alice, hub, code, timeout=120)
    text = _output_text(msgs)
    assert msgs and msgs[-1]["msg_type"] == "status"  # the execution finished normally
    total = sum(len(json.dumps(m["content"])) for m in msgs if m["msg_type"] != "status")
    assert total <= SESS.output_max_execution_bytes + 4 * SESS.output_max_message_bytes
    assert _leaks(text) <= max(SESS.output_max_text_lines, SESS.output_max_table_rows) + 1, \
        _leaks(text)
    mimes = {k for m in msgs for k in (m["content"].get("data") or {})}
    assert mimes <= set(SESS.output_mime_types), mimes
    assert text.count("<tr") <= SESS.output_max_table_rows + 1


def test_small_output_untouched(alice, hub):
    msgs = _run(alice, hub, "print('hello 你好')\n1 + 1")
    text = _output_text(msgs)
    assert "hello 你好" in text and '"text/plain": "2"' in text and "withheld" not in text


# ------------------------------------------------------------------ the kernel as the browser
# The kernel runs as the session's uid beside the server, sees the server's unix socket and
# holds the server's own hub token: it must not be able to use the browser's API in any way -
# saving data as "typed" work (which the ledger would then hand to the browser), reading, or
# passing as the booked seat with a forged X-Forwarded-For.
KERNEL_AS_BROWSER = r'''
import os, glob, json, socket, http.client
tok = os.environ.get("JUPYTERHUB_API_TOKEN", "")
sock = glob.glob("/**/sessions/*/jupyter.sock", recursive=False) or [
    os.path.join(r, f) for top in os.listdir("/") if top not in ("proc", "sys", "dev", "usr")
    for r, _, fs in os.walk("/" + top) for f in fs if f == "jupyter.sock"]
class U(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(sock[0])
def call(method, path, body=None, headers=None):
    c = U("localhost", timeout=20)
    h = dict(headers or {})
    if body is not None:
        h["Content-Type"] = "application/json"
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse()
    return r.status
open("/workspace/laundered.py", "w").write("")
data = open("/workspace/q.csv").read()[:4000]
base = "/user/alice"
creds = [{"Authorization": f"token {tok}"}, {"Authorization": f"Bearer {tok}"}, {}]
forged = [{}, {"X-Forwarded-For": "127.0.0.1"}, {"X-Forwarded-For": "10.0.0.1, 127.0.0.1"},
          {"X-Real-Ip": "127.0.0.1"}]
calls = [("PUT", "/api/contents/laundered.py", {"type": "file", "format": "text",
                                                "content": "R = " + repr(data)}),
         ("GET", "/api/contents/q.csv", None), ("GET", "/api/contents", None),
         ("POST", "/api/kernels", {"name": "python3"}), ("GET", "/api/sessions", None),
         ("GET", "/lab", None), ("GET", "/api/status", None), ("GET", "/api", None),
         ("GET", f"/api/contents/laundered.py?token={tok}", None)]
out = {}
for i, c in enumerate(creds):
    for j, f in enumerate(forged):
        for m, p, b in calls:
            out[f"{m} {p[:40]} cred{i} fwd{j}"] = call(m, base + p, b, {**c, **f})
print("RESULT", json.dumps(out))
'''


def test_kernel_cannot_act_as_the_browser(alice, hub):
    out = alice.execute(KERNEL_AS_BROWSER, hub.kernel, timeout=120)
    line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
    assert line, out[-2000:]
    got = json.loads(line[len("RESULT "):])
    assert len(got) == 3 * 4 * 9
    assert set(got.values()) == {403}, {k: v for k, v in got.items() if v != 403}
    # and what the kernel tried to save is not served to the browser either
    r = alice.server("GET", "/api/contents/laundered.py")
    assert _leaks(r.text) == 0, r.text[:300]


def test_typed_metadata_comes_back_and_ids_are_positional(alice):
    """What the browser saved (tags, a cell name, the kernelspec) is shown again at no cost;
    cell ids are the server's own."""
    r = alice.server("POST", "/api/contents", json={"type": "notebook"})
    path = r.json()["path"]
    nb = {"cells": [{"cell_type": "code", "source": "x = 1", "id": "my-own-id",
                     "metadata": {"tags": ["typed-tag"], "name": "step1"}, "outputs": [],
                     "execution_count": None}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    assert alice.server("PUT", f"/api/contents/{path}",
                        json={"type": "notebook", "content": nb}).status_code == 200
    got = alice.server("GET", f"/api/contents/{path}").json()["content"]
    assert got["cells"][0]["metadata"] == {"tags": ["typed-tag"], "name": "step1"}
    assert got["cells"][0]["id"] == "cell-0"
    assert got["metadata"]["kernelspec"]["display_name"] == "Python 3"


def test_kernel_message_envelopes_carry_no_data(alice, hub):
    """The kernel sends messages itself with rows in their header, parent header and metadata,
    and of message types outside the protocol: the browser gets none of it."""
    code = f"""
import uuid
k = get_ipython().kernel
parent = k.get_parent()
rows = open('/workspace/q.csv').read().splitlines()[:300]
for i, row in enumerate(rows):
    hdr = k.session.msg_header("status")
    hdr["msg_id"] = row; hdr["date"] = row; hdr["username"] = row; hdr["rows"] = row
    k.session.send(k.iopub_socket, "status", {{"execution_state": "busy"}}, parent=dict(parent, extra=row),
                   header=hdr, metadata={{"row": row}})
    k.session.send(k.iopub_socket, "row_" + row.replace(",", "_"), {{"row": row}}, parent=parent)
print("SENT")
"""
    msgs = alice.messages(code, hub.kernel, timeout=120)
    text = json.dumps(msgs)
    assert "SENT" in text, text[-500:]
    assert _leaks(text) == 0, _leaks(text)
    assert all(m["msg_type"] in ("status", "stream", "execute_input", "execute_reply")
               for m in msgs), {m["msg_type"] for m in msgs}
