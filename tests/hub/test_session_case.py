"""S3: the case a server serves travels in the hub's spawner state, and the warden ends a
session whose case is not the case of the booking that lets its researcher work now
(hub_config.session_case).  The real hub and warden: tests/hub/test_hub.py::
test_a_session_ends_with_its_slot_when_the_next_slot_is_another_cases."""
from __future__ import annotations

import pytest

from hub_config import session_case
from hub_config.session_case import STATE_KEY, CaseState


class _Base:   # what JupyterHub's Spawner does with state
    def __init__(self):
        self.pid = 0

    def get_state(self):
        return {"pid": self.pid} if self.pid else {}

    def load_state(self, state):
        self.pid = state.get("pid", 0)

    def clear_state(self):
        self.pid = 0


class _Spawner(CaseState, _Base):
    enclave: dict | None = None


def test_the_state_carries_the_case_and_survives_a_hub_restart():
    sp = _Spawner()
    sp.pid = 42
    sp.enclave = {"case_code": "C7"}
    state = sp.get_state()
    assert state == {"pid": 42, STATE_KEY: "C7"}
    again = _Spawner()          # a restarted hub: no pre-spawn hook ran, the state is loaded
    again.load_state(state)
    assert again.get_state()[STATE_KEY] == "C7"
    again.clear_state()
    assert STATE_KEY not in again.get_state()


def test_a_spawner_that_never_had_a_booking_names_no_case():
    assert STATE_KEY not in _Spawner().get_state()


@pytest.mark.parametrize("server, booked, ends", [
    ({"state": {STATE_KEY: "C1"}}, "C1", False),
    ({"state": {STATE_KEY: "C1"}}, "C2", True),
    ({"state": {STATE_KEY: "c1"}}, "C1", True),        # codes are compared exactly
    ({"state": {}}, "C1", True),                       # unknown: default deny
    ({}, "C1", True),                                  # no state scope: unknown
    ({"state": None}, "C1", True),
    ({"state": {STATE_KEY: "C1"}, "user_options": {STATE_KEY: "C2"}}, "C2", True),  # not the user's say
])
def test_the_warden_ends_a_session_of_another_case_or_an_unknown_one(server, booked, ends):
    why = session_case.other_case(session_case.server_case(server), booked)
    assert (why is not None) == ends, why
    if ends:
        assert "S3" in why


def test_the_warden_may_read_the_state():
    import pathlib
    import re

    text = pathlib.Path(session_case.__file__).with_name("jupyterhub_config.py").read_text()
    role = re.search(r'"name": "enclave-warden",\s*"scopes": \[([^\]]*)\]', text).group(1)
    assert '"admin:server_state"' in role


@pytest.mark.parametrize("server, ends", [
    ({"pending": "spawn", "ready": False, "state": {}}, False),   # before the pre-spawn hook ran
    ({"pending": "stop", "ready": False, "state": {STATE_KEY: "C1"}}, False),
    ({"pending": None, "ready": True, "state": {}}, True),
    ({"pending": None, "ready": True, "state": {STATE_KEY: "C2"}}, True),
    ({"pending": None, "ready": True, "state": {STATE_KEY: "C1"}}, False),
])
def test_a_server_still_starting_is_left_to_the_next_sweep(server, ends):
    assert (session_case.server_must_end(server, "C1") is not None) == ends
