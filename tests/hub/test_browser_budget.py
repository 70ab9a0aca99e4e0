"""S1/D4 on a real session (JupyterHub + proxy + sandbox, on-site): what the browser channel
shows over a whole session is bounded, and files that came in by import review open.

* alice's kernel prints a few new rows per execution, many times: the rows her browser
  receives stop at the session's budget (a small one here), with a note saying why.
* bob's kernel names thousands of files after rows: his directory listings stop showing new
  names at the budget; a listing polled again shows the same entries at no cost.
* erin's kernel hides rows where a notebook's cells keep them besides their source (tags,
  names, ids, execution counts, the notebook's kernelspec) and in files' sizes and times (set
  with os.utime): what her browser sees of them stops at the budget too.
* gina's browser saves file after file of new rows and notebooks with made-up outputs: the
  saves stop at the session's upload budget; outputs her kernel printed, saved back, are free.
* carol's case has imports delivered (root's, read-only): the browser opens them; the kernel
  reads but cannot change them; a copy elsewhere, a link into them, and a folder a member
  planted under the mount point's name get nothing.
"""
from __future__ import annotations

import os
import re

import pytest

from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

SESSION_BYTES, SESSION_LINES = 60_000, 600
UPLOAD_BYTES = 30_000
IMPORTED = {"7/codes.py": "ICD = ['E11', 'E119']  # imported code list\n",
            "7/dx_map.csv": "code,label\nE11,diabetes\n",
            "9/nested/readme.md": "# reference procedure\n"}


@pytest.fixture(scope="module")
def hub():
    h = HubHarness(sessions_yaml=f"output_max_session_bytes: {SESSION_BYTES}\n"
                                 f"output_max_session_lines: {SESSION_LINES}\n"
                                 f"saved_new_bytes_per_session: {UPLOAD_BYTES}\n")
    for name, case in (("alice", "C1"), ("bob", "C2"), ("carol", "C3"), ("dave", "C4"),
                       ("erin", "C5"), ("frank", "C6"), ("gina", "C7")):
        h.add_user(name)
        h.add_case(case, [name])
        h.book_now(name, case)
    # carol's case: deliveries as import review leaves them (root's, files 0444, folders 0555;
    # egress_review.ingress.workflow.deliver), and a folder carol planted as "imports"
    case = h.settings.projects_dir / "C3"
    for rel, text in IMPORTED.items():
        p = case / "imports" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        p.chmod(0o444)
    for d in sorted((case / "imports").rglob("*"), reverse=True):
        if d.is_dir():
            d.chmod(0o555)
    planted = case / "workspace" / "imports" / "7"
    planted.mkdir(parents=True)
    (planted / "codes.py").write_text("ROWS = 'planted by a member'\n")
    for p in (planted.parent, planted, planted / "codes.py"):
        os.chown(p, 54321, 54321)  # a member's, not root's
    with h.running(tail=6000):
        for name in ("alice", "bob", "carol", "dave", "erin", "frank", "gina"):
            u = h.session_user(name)
            u.kernel = u.start_kernel()
            setattr(h, name, u)
        yield h


def _rows(text: str) -> set[str]:
    return set(re.findall(r"ROW-\d{6}", text))


WAYS = [  # each prints rows a..b-1 in its own way; all share one session budget
    "print('\\n'.join(f'ROW-{{i:06d}},{{i*7919 % 10007}}' for i in range({a}, {b})))",
    "import IPython.display as d\nd.display(d.HTML('<table>' + ''.join("
    "f'<tr><td>ROW-{{i:06d}}</td></tr>' for i in range({a}, {b})) + '</table>'))",
    "import sys\nsys.stderr.write(''.join(f'ROW-{{i:06d}}\\n' for i in range({a}, {b})))",
    "[f'ROW-{{i:06d}}' for i in range({a}, {b})]",
    "raise ValueError(' '.join(f'ROW-{{i:06d}}' for i in range({a}, {b})))",
]


def _raw(user, code: str, timeout: float = 60) -> str:
    """Everything the browser receives for one execution, as JSON text."""
    import json

    return json.dumps([m["content"] for m in user.messages(code, user.kernel, timeout,
                                                           stop_on_error=False, until_reply=True)])


def test_many_small_executions_stop_at_the_session_budget(hub):
    alice = hub.alice
    seen: set[str] = set()
    after: set[str] = set()   # rows that arrived after the budget said it was spent
    spent_at, k = None, 0
    # 20 new rows an execution (each well inside one execution's cap), in turn every way of
    # printing, until the budget has said it is spent and 25 more executions (a full turn of
    # the ways five times) have run after that
    while k < 200 and (spent_at is None or k < spent_at + 25):
        a = 20 * k
        out = _raw(alice, WAYS[k % len(WAYS)].format(a=a, b=a + 20))
        rows = _rows(out)
        if spent_at is not None:
            after |= rows
        seen |= rows
        if spent_at is None and "session's output budget is spent" in out:
            spent_at = k
        k += 1
    assert seen, "no row reached the browser at all: the test would prove nothing"
    assert spent_at is not None, "a spent budget must say so"
    # without the session budget every row arrives; with it, what fits in its bytes, and
    # nothing new once it is spent
    assert after == set(), sorted(after)[:5]
    assert len(seen) * len("ROW-000000") <= SESSION_BYTES and len(seen) < 20 * k, len(seen)
    # what was shown before is shown again (the same output costs nothing twice)
    assert _rows(_raw(alice, WAYS[0].format(a=0, b=20))) == {f"ROW-{i:06d}" for i in range(20)}


def test_listings_stop_showing_new_names(hub):
    bob = hub.bob
    out = bob.execute("import os\nos.makedirs('/workspace/names', exist_ok=True)\n"
                      "for i in range(3000):\n"
                      "    open(f'/workspace/names/ROW-{i:06d}_{i*7919 % 10007}.py', 'w').close()\n"
                      "print('MADE')", bob.kernel, timeout=120)
    assert "MADE" in out
    r = bob.server("GET", "/api/contents/names")
    assert r.status_code == 200, r.text[:300]
    first = _rows(r.text)
    assert first and len(first) < 3000
    assert len(first) * 60 <= SESSION_BYTES + 4096
    again = bob.server("GET", "/api/contents/names")
    assert _rows(again.text) == first  # polling shows what was shown, nothing new
    other = bob.server("GET", "/api/contents/names?type=directory&content=1")
    assert _rows(other.text) <= first


def test_imported_files_open_in_the_browser(hub):
    carol = hub.carol
    for rel, text in IMPORTED.items():
        r = carol.server("GET", f"/api/contents/imports/{rel}?type=file&format=text")
        assert r.status_code == 200, (rel, r.status_code, r.text[:300])
        assert r.json()["content"] == text and r.json()["writable"] is False
    listing = carol.server("GET", "/api/contents/imports/7").json()
    assert {e["name"] for e in listing["content"]} == {"codes.py", "dx_map.csv"}


def test_imports_are_read_only_and_only_the_mount_counts(hub):
    carol = hub.carol
    out = carol.execute(
        "import os, shutil\n"
        "print(open('/workspace/imports/7/dx_map.csv').read())\n"
        "for f in ('/workspace/imports/7/new.py', '/workspace/imports/7/codes.py'):\n"
        "    try:\n        open(f, 'a').write('x')\n        print('WROTE', f)\n"
        "    except OSError as e:\n        print('REFUSED', e.errno)\n"
        "try:\n    os.rename('/workspace/imports', '/workspace/moved')\n    print('MOVED')\n"
        "except OSError as e:\n    print('REFUSED', e.errno)\n"
        "shutil.copyfile('/workspace/imports/7/dx_map.csv', '/workspace/copy.csv')\n"
        "open('/workspace/copy.csv', 'a').write('ROW-000001,extra\\n')\n"
        "os.symlink('/workspace/copy.csv', '/workspace/link.csv')\n"
        "os.makedirs('/workspace/imports2/7', exist_ok=True)\n"
        "open('/workspace/imports2/7/x.py', 'w').write('ROW-000002\\n')\n"
        "print('DONE')", carol.kernel, timeout=60)
    assert "E11,diabetes" in out and "WROTE" not in out and "MOVED" not in out, out
    assert out.count("REFUSED") == 3 and "DONE" in out, out
    for path in ("copy.csv", "link.csv", "imports2/7/x.py"):
        r = carol.server("GET", f"/api/contents/{path}?type=file&format=text")
        assert r.status_code == 403 and "ROW-" not in r.text, (path, r.status_code)
    r = carol.server("PUT", "/api/contents/imports/7/codes.py",
                     json={"type": "file", "format": "text", "content": "x = 1\n"})
    assert r.status_code in (400, 403, 500) and r.status_code != 200
    ws = hub.settings.projects_dir / "C3" / "workspace"
    moved = [p for p in ws.iterdir() if p.name.startswith("imports.moved-")]
    assert len(moved) == 1 and (moved[0] / "7" / "codes.py").read_text().startswith("ROWS")
    r = carol.server("GET", f"/api/contents/{moved[0].name}/7/codes.py?type=file&format=text")
    assert r.status_code == 403


def test_a_restarted_server_gets_half_the_budget(hub):
    """Stopping and starting the server again is no way to a fresh output budget."""
    import time

    dave = hub.dave
    read = "import os, json; print('BUDGET', json.loads(os.environ['ENCLAVE_BROWSER_GUARD'])['caps']['session_bytes'])"
    assert f"BUDGET {SESSION_BYTES}" in dave.execute(read, dave.kernel)
    for k in (1, 2):
        r = dave.hub_api("DELETE", "/users/dave/server")
        assert r.status_code in (202, 204), r.text
        deadline = time.monotonic() + 60
        while dave.hub_api("GET", "/users/dave").json().get("servers", {}).get("") \
                and time.monotonic() < deadline:
            time.sleep(0.5)
        dave.spawn()
        dave.kernel = dave.start_kernel()
        out = dave.execute(read, dave.kernel)
        assert f"BUDGET {SESSION_BYTES >> k}" in out, (k, out)


def test_notebook_fields_and_file_times_stop_at_the_budget(hub):
    """Every field of a model a kernel can set is charged: cell metadata, ids and execution
    counts, notebook metadata."""
    erin = hub.erin
    out = erin.execute("""
import nbformat, os
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                             "display_name": " ".join(f"ROW-{i:06d}" for i in range(9000, 9150))}
for c in range(600):
    cell = nbformat.v4.new_code_cell("")
    cell.metadata["tags"] = [f"ROW-{c * 10 + j:06d}" for j in range(10)]
    cell.metadata["name"] = f"ROW-{100000 + c:06d}"
    cell.id = f"ROW-{200000 + c:06d}"
    cell.execution_count = 300000 + c
    nb.cells.append(cell)
nbformat.write(nb, "/workspace/hidden_rows.ipynb")
print("MADE")
""", erin.kernel, timeout=120)
    assert "MADE" in out
    r = erin.server("GET", "/api/contents/hidden_rows.ipynb")
    assert r.status_code == 200, r.text[:300]
    shown = _rows(r.text)
    assert shown, "nothing of the metadata reached the browser: the test would prove nothing"
    assert len(shown) < 6000 + 600 + 150 and len(shown) * len("ROW-000000") <= SESSION_BYTES
    cells = r.json()["content"]["cells"]
    assert all(c["id"] == f"cell-{i}" for i, c in enumerate(cells))  # never the kernel's ids
    counts = [c["execution_count"] for c in cells if c["execution_count"] is not None]
    assert len(counts) < 600


def test_file_times_and_existence_stop_at_the_budget(hub):
    """Sizes and times (os.utime sets any) and whether a path exists at all: each path asked
    for costs a line, found or not."""
    frank = hub.frank
    out = frank.execute("""
import os
open("/workspace/opened_first.py", "w").close()
os.makedirs("/workspace/stamped", exist_ok=True)
for i in range(800):
    p = f"/workspace/stamped/f{i:03d}.py"
    open(p, "w").close()
    os.utime(p, (1_600_000_000 + i * 7919, 1_600_000_000 + i * 7919))
print("MADE")
""", frank.kernel, timeout=120)
    assert "MADE" in out
    assert frank.server("GET", "/api/contents/opened_first.py").status_code == 200
    # file times: each path and each model shown is charged; once spent, a path not asked for
    # before gets the same refusal whether it exists or not, and times are never the kernel's
    answers = []
    for i in range(800):
        r = frank.server("GET", f"/api/contents/stamped/f{i:03d}.py?content=0")
        answers.append((r.status_code, r.json().get("last_modified") if r.status_code == 200
                        else r.json().get("message")))
    shown = [t for code, t in answers if code == 200 and not t.startswith("1970-01-01")]
    assert shown, "nothing was shown: the test would prove nothing"
    assert len(shown) < 800
    first = next(i for i, (code, t) in enumerate(answers)
                 if code != 200 or t.startswith("1970-01-01"))
    assert all(code == 403 or t.startswith("1970-01-01") for code, t in answers[first:])
    missing = frank.server("GET", "/api/contents/stamped/no-such-file.py?content=0")
    unseen = frank.server("GET", "/api/contents/stamped/f799.py?content=0")
    assert missing.status_code == unseen.status_code == 403
    assert missing.json()["message"] == unseen.json()["message"]
    # what was opened before still opens
    assert frank.server("GET", "/api/contents/opened_first.py").status_code == 200


def test_saves_stop_at_the_upload_budget(hub):
    """D4: each save is small, but together they would be an upload."""
    gina = hub.gina
    msgs = gina.messages("print('mean age 54.2')", gina.kernel)
    printed = next(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")
    r = gina.server("POST", "/api/contents", json={"type": "notebook"})
    nb_path = r.json()["path"]
    # the kernel's own output saved back is not new, however often
    nb = {"cells": [{"cell_type": "code", "source": "print('mean age 54.2')", "metadata": {},
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}],
                     "execution_count": 1}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    for _ in range(5):
        assert gina.server("PUT", f"/api/contents/{nb_path}",
                           json={"type": "notebook", "content": nb}).status_code == 200
    saved, statuses, start = 0, [], 0
    for k in range(40):
        rows = "".join(f"ROW-{i:06d},{i * 7919 % 10007}\n" for i in range(start, start + 100))
        start += 100
        if k % 2:
            r = gina.server("POST", "/api/contents", json={"type": "file", "ext": ".py"})
            if r.status_code == 201:  # (creating a file is an act charged too: round 7)
                r = gina.server("PUT", f"/api/contents/{r.json()['path']}",
                                json={"type": "file", "format": "text", "content": rows})
        else:  # the rows as a made-up output of a notebook
            fake = {**nb, "cells": nb["cells"] + [{
                "cell_type": "code", "source": "", "metadata": {}, "execution_count": 2,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": rows}]}]}
            r = gina.server("PUT", f"/api/contents/{nb_path}",
                            json={"type": "notebook", "content": fake})
        statuses.append(r.status_code)
        if r.status_code == 200:
            saved += len(rows)
        else:
            assert r.status_code == 403 and "upload" in r.json()["message"], r.text[:300]
    assert 200 in statuses and 403 in statuses
    assert saved <= UPLOAD_BYTES
    assert statuses[statuses.index(403):] == [403] * (40 - statuses.index(403))
    ws = hub.settings.projects_dir / "C7" / "workspace"
    found = sum(len(p.read_text(errors="replace")) for p in ws.rglob("*.py"))
    assert found <= UPLOAD_BYTES
