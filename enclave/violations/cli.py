"""``enclave violation``: the violations register (A8)."""
from __future__ import annotations

import typer

from enclave.cases.clikit import ACTOR_HELP, control
from enclave.cli.output import JSON_HELP, emit_json, table

violation_app = typer.Typer(help="Violations register: record, list, lift (A8).", no_args_is_help=True)


@violation_app.command("record")
def record(username: str = typer.Argument(..., help="Person concerned."),
           kind: str = typer.Option(..., help="asked_to_leave, pi_notified, data_use_stopped, "
                                              "contract_ended or future_applications_refused."),
           reason: str = typer.Option(..., help="What happened."),
           case: str = typer.Option(None, help="Case code."),
           actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Record a violation; its effect applies at once."""
    from enclave.cases.service import get_case, get_user
    from enclave.violations.service import record_violation

    with control(actor) as (db, policy, me, now):
        v = record_violation(db, policy, me, get_user(db, username), get_case(db, case) if case else None,
                             kind=kind, reason=reason, now=now)
        vid = v.id
    typer.echo(f"violation {vid} recorded ({kind})")


@violation_app.command("list")
def list_violations(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List the register, newest first."""
    from enclave.accounts.models import User
    from enclave.cases.models import Case
    from enclave.violations.service import violations_of

    with control("-") as (db, policy, _u, now):
        rows = [{"id": v.id, "user": db.get(User, v.user_id).username,
                 "case": db.get(Case, v.case_id).code if v.case_id else None, "kind": v.kind,
                 "reason": v.reason, "recorded": v.created_at.isoformat(),
                 "lifted": v.lifted_at.isoformat() if v.lifted_at else None} for v in violations_of(db)]
    emit_json(rows) if as_json else table(rows, title="violations (A8)")


@violation_app.command("lift")
def lift(violation_id: int = typer.Argument(..., help="Violation id."),
         actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Lift a violation (a stopped case resumes; revoked accounts stay revoked)."""
    from enclave.core.rows import get_row
    from enclave.violations.models import Violation
    from enclave.violations.service import lift_violation

    with control(actor) as (db, policy, me, now):
        v = get_row(db, Violation, violation_id, "violation")
        lift_violation(db, me, v, now=now)
    typer.echo(f"violation {violation_id} lifted")
