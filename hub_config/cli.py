"""``enclave hub …``: run the hub, register overnight runs (S5)."""
from __future__ import annotations

import typer

from enclave.cli.output import JSON_HELP, console, emit_json, refusing

hub_app = typer.Typer(help="The session hub: JupyterHub, sandboxes, slot-end cut-off.",
                      no_args_is_help=True)


@hub_app.command("run")
def run(port: int = typer.Option(8000, help="Public (proxy) port on 127.0.0.1."),
        backend: str = typer.Option("local", help="Identity: local accounts or ldap."),
        egress_url: str = typer.Option("", help="Egress service for sessions (http+unix://…)."),
        policy: str = typer.Option("", help="Policy directory (default: $ENCLAVE_POLICY).")):
    """Run the hub in the foreground (needs root); Ctrl-C stops it and every session."""
    from hub_config.launch import main

    args = ["--port", str(port), "--backend", backend, "--policy", policy]
    if egress_url:
        args += ["--egress-url", egress_url]
    raise typer.Exit(main(args))


@hub_app.command("overnight")
def overnight(booking_id: int = typer.Argument(..., help="An overnight booking's id."),
              notebook: str = typer.Argument(..., help="Notebook path inside the case workspace."),
              purpose: str = typer.Option(..., help="Purpose of the run (A3)."),
              by: str = typer.Option(..., help="Account registering the run."),
              as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Register the notebook an overnight booking will run unattended (S5)."""
    from enclave.db import session_scope
    from hub_config.overnight import RegistrationError, register
    from policies import current_policy

    with refusing(RegistrationError, prefix="refused "):
        with session_scope() as s:
            job = register(s, booking_id, notebook, purpose, by, current_policy())
            out = {"job": job.id, "booking": booking_id, "notebook": job.notebook,
                   "status": job.status}
    if as_json:
        emit_json(out)
    else:
        console.print(f"registered overnight job {out['job']} for booking {booking_id}: "
                      f"{out['notebook']}")


seat_app = typer.Typer(help="On-site seats: which workstation each seat number is (S1, S4).",
                       no_args_is_help=True)
hub_app.add_typer(seat_app, name="seat")


@seat_app.command("register")
def seat_register(number: int = typer.Argument(..., help="Seat number (1..centre_seats)."),
                  address: list[str] = typer.Option(..., "--address",
                                                    help="Client address of the workstation "
                                                         "(repeat for several)."),
                  label: str = typer.Option("", help="Where the seat is, e.g. 'room 3, left'."),
                  by: str = typer.Option(..., "--as", help="Administrator registering the seat."),
                  as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Register (or move) a seat: in on_site mode its bookings are served only there."""
    from enclave.db import session_scope
    from hub_config.seats.service import SeatError, register_seat, seat_dict
    from policies import current_policy

    with refusing(SeatError, prefix="refused "):
        with session_scope() as s:
            _need_admin(s, by)
            out = seat_dict(register_seat(s, number, address, label, by,
                                          max_number=current_policy().sessions.centre_seats))
    if as_json:
        emit_json(out)
    else:
        console.print(f"seat {out['number']} ({out['label']}): {', '.join(out['addresses'])}")


@seat_app.command("retire")
def seat_retire(number: int = typer.Argument(...), reason: str = typer.Option(...),
                by: str = typer.Option(..., "--as", help="Administrator retiring the seat.")):
    """Take a seat out of service: none of its bookings is served until it is registered again."""
    from enclave.db import session_scope
    from hub_config.seats.service import SeatError, retire_seat

    with refusing(SeatError, prefix="refused "):
        with session_scope() as s:
            _need_admin(s, by)
            retire_seat(s, number, by, reason)
    console.print(f"seat {number} retired")


@seat_app.command("list")
def seat_list(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Every registered seat, its addresses and whether it is in service."""
    from enclave.db import session_scope
    from hub_config.seats.service import list_seats, seat_dict

    with session_scope() as s:
        rows = [seat_dict(x) for x in list_seats(s)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        state = "in service" if r["active"] else "retired"
        console.print(f"{r['number']:>3}  {state:<10}  {', '.join(r['addresses']):<30}  {r['label']}")


def _need_admin(s, username: str) -> None:
    from sqlalchemy import select

    from enclave.accounts.models import User
    from hub_config.seats.service import SeatError

    user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or user.status != "active" or not user.has_role("admin"):
        raise SeatError(f"{username!r} is not an active centre administrator (S1)")
