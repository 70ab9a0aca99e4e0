"""What the hub's administration page (``/hub/admin``, ``templates/admin.html``) shows besides
the hub's REST API: today's booked slots, and when each running session must end.

The page replaces JupyterHub's own React admin app, which is English only and offers what an
enclave does not let an administrator do from the hub: add, rename or delete accounts (they come
from the enclave's identity records, A1/A2), start a researcher's session outside a booking or
open it (S1/S3).  Ours lists the hub's users and their servers (``GET /hub/api/users`` from the
browser, with the administrator's own log-in) and may stop a session, with a confirmation; the
slots come from the enclave's booking rows, read here with the same queries the gate and the
slot clock use (:func:`hub_config.slot_api.session_end`).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hub_config.hub_words import TAIPEI, taipei

MAX_ROWS = 500   # a day's slots at the centre's seats are far fewer


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def taipei_day(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Today in Asia/Taipei as a UTC range [start, end)."""
    local = now.astimezone(TAIPEI)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (start.astimezone(dt.timezone.utc),
            (start + dt.timedelta(days=1)).astimezone(dt.timezone.utc))


def admin_view(db, now: dt.datetime) -> dict:
    """``{"date": "YYYY-MM-DD", "bookings": [...], "ends": {user: "HH:MM"}}``: every booking
    overlapping today (Taipei), in start order, with its status in both languages; and for each
    account with a live booking now, when its session must end as the bookings stand."""
    from enclave.accounts.models import User
    from enclave.bookings.gate import LIVE_BOOKING_STATUSES
    from enclave.bookings.models import Booking
    from enclave.cases.models import Case
    from enclave.core.status_words import status_words
    from hub_config.slot_api import session_end

    start, end = taipei_day(now)
    rows = db.execute(
        select(Booking, Case.code, User.username)
        .join(Case, Case.id == Booking.case_id).join(User, User.id == Booking.user_id)
        .where(Booking.starts_at < end, Booking.ends_at > start)
        .order_by(Booking.starts_at, Booking.seat_no).limit(MAX_ROWS)).all()
    bookings, ends = [], {}
    for b, case, user in rows:
        live = b.status in LIVE_BOOKING_STATUSES and _utc(b.starts_at) <= now < _utc(b.ends_at)
        bookings.append({"user": user, "case": case, "slot": b.slot_name, "seat": b.seat_no,
                         "kind": "整夜 overnight" if b.kind == "overnight" else "互動 interactive",
                         "starts": taipei(b.starts_at, "%H:%M"), "ends": taipei(b.ends_at, "%H:%M"),
                         "status": status_words(b.status), "now": live})
        if live and b.kind == "interactive" and user not in ends:
            last = session_end(db, user, now)
            if last is not None:
                ends[user] = taipei(last, "%H:%M")
    return {"date": now.astimezone(TAIPEI).strftime("%Y-%m-%d"), "bookings": bookings,
            "ends": ends, "truncated": len(rows) >= MAX_ROWS}
