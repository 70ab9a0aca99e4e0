"""The case a running server serves, kept in the hub's spawner state (S3).

A researcher may book a slot of one case straight after a slot of another.  The gate then lets
her work, but for the other case: the session of the first case must end with its own slot.
The warden reads the case from the server's state (scope ``admin:server_state``) and compares
it with the case of the booking that lets her work now.  The state is the hub's own (written
at spawn from the pre-spawn hook's booking, kept across a hub restart), never the user's
``user_options``."""
from __future__ import annotations

STATE_KEY = "enclave_case"


class CaseState:
    """Spawner mixin: ``get_state``/``load_state``/``clear_state`` carry the session's case."""

    _state_case: str | None = None

    def get_state(self):
        state = super().get_state()
        case = (getattr(self, "enclave", None) or {}).get("case_code") or self._state_case
        if case:
            state[STATE_KEY] = case
        return state

    def load_state(self, state):
        super().load_state(state)
        self._state_case = state.get(STATE_KEY)

    def clear_state(self):
        super().clear_state()
        self._state_case = None


def server_case(server: dict) -> str | None:
    """The case of a server model from the hub's REST API (None: not known)."""
    return (server.get("state") or {}).get(STATE_KEY)


def other_case(session_case: str | None, booked_case: str) -> str | None:
    """Why a session must end although a booking lets its researcher work now (None: it may
    go on): the booking is another case's, or the session's case is not known."""
    if session_case is None:
        return "the session's case is not known to the hub (S3): it ends, start it again"
    if session_case != booked_case:
        return (f"this session is case {session_case}'s and its slot has ended; the slot booked "
                f"now is case {booked_case}'s (S3): start a new session for it")
    return None


def server_must_end(server: dict, booked_case: str) -> str | None:
    """``other_case`` for a server model from the hub's REST API.  A server still starting
    (or stopping) is left to the next sweep: its case is written by the pre-spawn hook, which
    the warden may see running before (a spawn cut off for an "unknown" case at load)."""
    if server.get("pending"):
        return None
    return other_case(server_case(server), booked_case)
