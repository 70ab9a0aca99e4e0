"""D4: what a browser's saves bring in is measured as new bytes and bounded per session
(:mod:`hub_config.singleuser.uploads`); the real hub path is
tests/hub/test_browser_budget.py::test_saves_stop_at_the_upload_budget."""
from __future__ import annotations

import json

import pytest

from hub_config.singleuser.uploads import UploadBudget, new_notebook_bytes, new_text_bytes
from policies import load_policy


def _row(i: int) -> str:
    return f"ROW-{i:06d},{i * 7919 % 1000003},clinic-{i % 97}\n"


def test_edits_cost_what_they_add():
    old = "import pandas as pd\nx = 1\n"
    assert new_text_bytes(old, old) == 0
    assert new_text_bytes(old, old + "y = 2\n") == len("y = 2\n")
    assert new_text_bytes(old, "x = 1\nimport pandas as pd\n") == 0  # moved lines are not new
    assert new_text_bytes("", "".join(_row(i) for i in range(100))) == \
        sum(len(_row(i)) for i in range(100))


def _nb(cells, metadata=None):
    return {"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}


def _code(src, outputs=(), metadata=None):
    return {"cell_type": "code", "source": src, "metadata": metadata or {},
            "outputs": list(outputs), "execution_count": None}


SHOWN = {"output_type": "stream", "name": "stdout", "text": "mean age 54.2\n"}


def _shown(o):
    return o == SHOWN


# every way a notebook save can carry rows in: sources, outputs made up in the browser,
# attachments, cell and notebook metadata
CARRIERS = {
    "source": lambda rows: _nb([_code(rows)]),
    "stream_output": lambda rows: _nb([_code("x", [{"output_type": "stream", "name": "stdout",
                                                     "text": rows}])]),
    "display_output": lambda rows: _nb([_code("x", [{"output_type": "display_data",
                                                      "data": {"text/plain": rows},
                                                      "metadata": {}}])]),
    "error_output": lambda rows: _nb([_code("x", [{"output_type": "error", "ename": "E",
                                                    "evalue": "", "traceback": [rows]}])]),
    "attachment": lambda rows: _nb([{"cell_type": "markdown", "source": "a", "metadata": {},
                                     "attachments": {"a.txt": {"text/plain": rows}}}]),
    "cell_metadata": lambda rows: _nb([_code("x", metadata={"tags": [rows]})]),
    "notebook_metadata": lambda rows: _nb([], metadata={"kernelspec": {"name": rows}}),
}


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_every_carrier_is_counted(carrier):
    rows = "".join(_row(i) for i in range(200))
    assert new_notebook_bytes(None, CARRIERS[carrier](rows), _shown) >= len(rows)
    # saved again unchanged: nothing new
    nb = CARRIERS[carrier](rows)
    assert new_notebook_bytes(json.loads(json.dumps(nb)), nb, _shown) == 0


def test_outputs_the_session_showed_are_not_new():
    nb = _nb([_code("df.age.mean()", [SHOWN])])
    assert new_notebook_bytes(None, nb, _shown) == len("df.age.mean()")


@pytest.mark.parametrize("rows_per_save", [40, 2_000, 90_000])
def test_the_budget_stops_many_saves(rows_per_save):
    """Save after save of new rows (each far under one file's limit): stopped at the
    session's limit, whatever the size of each."""
    limit = load_policy(None).sessions.saved_new_bytes_per_session
    budget, saved, refused, start = UploadBudget(limit, load_policy(None).sessions.saved_action_bytes), 0, False, 0
    for _ in range(5_000):
        n = new_text_bytes("", "".join(_row(j) for j in range(start, start + rows_per_save)))
        start += rows_per_save
        if not budget.admit(n):
            refused = True
            break
        saved += n
    assert refused and saved <= limit
    assert saved > limit - 2 * rows_per_save * len(_row(0))  # the limit, not earlier


def test_policy_reaches_the_server_settings():
    from hub_config.singleuser.config import from_policy

    sess = load_policy(None).sessions
    assert from_policy(sess).saved_session_bytes == sess.saved_new_bytes_per_session
    assert from_policy(sess, spawn_index=2).saved_session_bytes == \
        sess.saved_new_bytes_per_session >> 2
