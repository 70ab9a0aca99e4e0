"""``enclave hub …``: run the hub, register overnight runs (S5)."""
from __future__ import annotations

import typer

from enclave.cli.output import JSON_HELP, console, emit_json

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

    try:
        with session_scope() as s:
            job = register(s, booking_id, notebook, purpose, by, current_policy())
            out = {"job": job.id, "booking": booking_id, "notebook": job.notebook,
                   "status": job.status}
    except RegistrationError as e:
        console.print(f"[red]refused[/] {e}")
        raise typer.Exit(1)
    if as_json:
        emit_json(out)
    else:
        console.print(f"registered overnight job {out['job']} for booking {booking_id}: "
                      f"{out['notebook']}")
