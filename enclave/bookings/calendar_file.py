"""Bookings as an iCalendar file (RFC 5545) for a researcher's own calendar program, written by
the `icalendar` library (escaping, line folding and CRLF are its job, not ours)."""
from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from enclave.bookings.models import Booking
from enclave.cases.models import Case


def to_ics(bookings: list[Booking], cases: dict[int, Case], *, now: dt.datetime,
           name: str = "Enclave bookings 預約") -> str:
    """One VEVENT per booking, times in UTC (every calendar program shows them in its own
    zone; the pages show Asia/Taipei)."""
    cal = Calendar()
    cal.add("prodid", "-//nhi-enclave//control plane//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    utc = dt.timezone.utc
    for b in bookings:
        c = cases.get(b.case_id)
        what = "Overnight run 夜間執行" if b.kind == "overnight" else "Work area seat 座位"
        ev = Event()
        ev.add("uid", f"booking-{b.id}@nhi-enclave")
        ev.add("dtstamp", now.astimezone(utc))
        ev.add("dtstart", b.starts_at.astimezone(utc))
        ev.add("dtend", b.ends_at.astimezone(utc))
        ev.add("summary", f"{what} {c.code if c else b.case_id} seat {b.seat_no}")
        ev.add("description", f"{b.slot_name} ({b.status})")
        cal.add_component(ev)
    return cal.to_ical().decode("utf-8")
