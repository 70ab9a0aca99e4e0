"""Hub-side ``GET /hub/api/enclave/slot``: when the caller's session must end, now (issue 16).

The spawner gives the session its slot's end once, at start; a booking can change while the
session runs - the next slot of the same case booked back to back (the warden lets the session
run on), or an admin shortening or cancelling it.  The session's JupyterLab clock asks its own
server (:mod:`hub_config.singleuser.slot_handler`), which asks here with its hub token.

The answer is computed from the same booking rows and gate the warden enforces
(``enclave.bookings.gate``): the caller's live booking now, followed through back-to-back live
bookings of the same case, never past the case's period; no live booking means no end to show
(the warden stops the session at its next sweep).  A token answers only for its own user.
Registered by ``EnclaveAuthenticator.get_handlers`` (JupyterHub puts ``/hub`` in front).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json

from jupyterhub.apihandlers.base import APIHandler
from sqlalchemy import select
from tornado import web

from enclave.bookings import gate
from enclave.bookings.models import Booking
from enclave.cases.models import Case
from enclave.db import session_scope, utcnow
from hub_config.singleuser.slot_clock import describe

SLOT_API_PATH = r"/api/enclave/slot"
MAX_CHAIN = 32        # back-to-back bookings followed (a day holds far fewer slots)


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def session_end(db, username: str, now: dt.datetime) -> dt.datetime | None:
    """When ``username``'s interactive session must end as the bookings stand now, or None
    when no booking lets them work now."""
    b = gate.check(db, username, now).booking
    if b is None:
        return None
    end = _utc(b.ends_at)
    for _ in range(MAX_CHAIN):
        nxt = db.execute(select(Booking).where(
            Booking.user_id == b.user_id, Booking.case_id == b.case_id,
            Booking.kind == b.kind, Booking.status.in_(gate.LIVE_BOOKING_STATUSES),
            Booking.starts_at <= end, Booking.ends_at > end)
            .order_by(Booking.ends_at.desc()).limit(1)).scalar_one_or_none()
        if nxt is None:
            break
        end = _utc(nxt.ends_at)
    case = db.get(Case, b.case_id)
    if case is not None and case.period_end is not None:
        end = min(end, _utc(case.period_end))   # the gate refuses after the period (P3)
    return end


def slot_answer(db_url: str, policy, username: str, now: dt.datetime) -> dict:
    with session_scope(db_url) as db:
        end = session_end(db, username, now)
    return describe(end, policy.sessions.slot_end_warning_minutes, now,
                    booked=end is not None,
                    # the clock re-reads a few warden sweeps apart (30 s under the default)
                    pollSeconds=min(max(policy.sessions.slot_end_check_seconds * 3, 6), 90))


class SlotAPIHandler(APIHandler):
    async def get(self):
        from jupyterhub.user import User

        user = self.current_user
        if not isinstance(user, User):
            raise web.HTTPError(403, "the slot end is answered to a user's own token only")
        auth = self.authenticator
        answer = await asyncio.to_thread(slot_answer, auth.db_url, auth.policy, user.name,
                                         utcnow())
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(answer))
