"""``enclave booking``: slots, booking, cancelling, closing slots (no-shows), ICS (S2-S5, P6)."""
from __future__ import annotations

from pathlib import Path

import typer

from enclave.cases.clikit import ACTOR_HELP, control, parse_date
from enclave.cli.output import JSON_HELP, emit_json, table

booking_app = typer.Typer(help="Seat bookings by half or whole day; overnight runs (S2-S5).",
                          no_args_is_help=True)


@booking_app.command("slots")
def slots(start: str = typer.Option(None, help="First day (YYYY-MM-DD, default today)."),
          days: int = typer.Option(7, help="Number of days."),
          as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Open slots and free seats; closed days say why (weekend, holiday, closure)."""
    from enclave.bookings.calendar import local_date
    from enclave.bookings.service import slot_overview

    with control("-") as (db, policy, _u, now):
        first = parse_date(start, "--start") if start else local_date(now, policy)
        rows = slot_overview(db, policy, first, days)
    if as_json:
        emit_json(rows)
        return
    flat = []
    for d in rows:
        if d["closed"]:
            flat.append({"date": d["date"], "slot": "-", "free": "-", "note": d["closed"]})
        for s in d["slots"]:
            flat.append({"date": d["date"], "slot": s["name"], "free": f"{s['free']}/{s['seats']}", "note": ""})
    table(flat, title="slots")


@booking_app.command("book")
def book(code: str = typer.Argument(..., help="Case code."),
         date: str = typer.Argument(..., help="Day (YYYY-MM-DD)."),
         slot: str = typer.Argument(..., help="Slot name, or 'day' for the whole day."),
         user: str = typer.Option(None, help="Book for this member (officer/admin)."),
         overnight: bool = typer.Option(False, help="Register an overnight run after that day (S5)."),
         actor: str = typer.Option(None, "--as", help=ACTOR_HELP),
         as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Book a seat."""
    from enclave.bookings.service import book as do_book
    from enclave.cases.service import get_case, get_user

    day = parse_date(date, "DATE")
    with control(actor) as (db, policy, me, now):
        who = get_user(db, user) if user else None
        made = do_book(db, policy, me, get_case(db, code), day=day, slot=slot, user=who,
                       kind="overnight" if overnight else "interactive", now=now)
        rows = [{"id": b.id, "slot": b.slot_name, "starts_at": b.starts_at.isoformat(), "seat": b.seat_no,
                 "kind": b.kind} for b in made]
    emit_json(rows) if as_json else table(rows, title="booked")


@booking_app.command("cancel")
def cancel(booking_id: int = typer.Argument(..., help="Booking id."),
           actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Cancel a booking that has not started (its seat is freed)."""
    from enclave.bookings.models import Booking
    from enclave.bookings.service import cancel as do_cancel
    from enclave.core.rows import get_row

    with control(actor) as (db, policy, me, now):
        b = get_row(db, Booking, booking_id, "booking")
        do_cancel(db, policy, me, b, now=now)
    typer.echo(f"booking {booking_id} cancelled")


@booking_app.command("close-slots")
def close_slots(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Mark ended bookings attended or no-show (S3); run it after each slot."""
    from enclave.bookings.service import close_slots as do_close

    with control("-") as (db, policy, _u, now):
        counts = do_close(db, policy, now=now)
    emit_json(counts) if as_json else typer.echo(f"attended {counts['attended']}, no-show {counts['no_show']}")


@booking_app.command("ics")
def ics(out: Path = typer.Option(None, help="Write to this file (default stdout)."),
        actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Export the acting account's bookings as iCalendar."""
    from sqlalchemy import select

    from enclave.bookings.models import Booking
    from enclave.bookings.service import to_ics
    from enclave.cases.models import Case

    with control(actor) as (db, policy, me, now):
        rows = db.execute(select(Booking).where(Booking.user_id == me.id).order_by(Booking.starts_at)).scalars().all()
        cs = {c.id: c for c in db.execute(select(Case)).scalars()}
        body = to_ics(rows, cs, now=now)
    if out:
        out.write_text(body, encoding="utf-8", newline="")
        typer.echo(f"{len(rows)} bookings written to {out}")
    else:
        typer.echo(body, nl=False)
