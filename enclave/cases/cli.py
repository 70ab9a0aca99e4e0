"""``enclave case``: applications, approval, payment, extensions, changes, handover (P1-P12)."""
from __future__ import annotations

import json
from pathlib import Path

import typer

from enclave.cases.clikit import ACTOR_HELP, control
from enclave.cli.output import JSON_HELP, emit_json, table

case_app = typer.Typer(help="Cases (projects): apply, approve, pay, extend, change (P1-P12).",
                       no_args_is_help=True)


def _row(db, c) -> dict:
    from enclave.accounts.models import User

    a = db.get(User, c.applicant_id) if c.applicant_id else None
    return {"code": c.code, "title": c.title, "type": c.case_type, "imaging": c.imaging,
            "status": c.status, "applicant": a.username if a else None, "fees_due": c.fees_due,
            "period_end": c.period_end.isoformat() if c.period_end else None,
            "reason": c.status_reason}


@case_app.command("list")
def case_list(actor: str = typer.Option(None, "--as", help=ACTOR_HELP),
              as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List the cases the acting account may see."""
    from enclave.cases.service import visible_cases

    with control(actor) as (db, policy, user, now):
        rows = [_row(db, c) for c in visible_cases(db, user)]
    emit_json(rows) if as_json else table(rows, title="cases")


@case_app.command("create")
def case_create(title: str = typer.Option(..., help="Case title."),
                case_type: str = typer.Option("research", "--type", help="government or research (P1)."),
                applicant: str = typer.Option(None, help="Applicant account (default: the acting one)."),
                imaging: bool = typer.Option(False, help="Imaging case (P3, P7)."),
                priority: str = typer.Option("independent", help="Scheduling priority class (P6)."),
                irb_number: str = typer.Option("", help="IRB certificate number (research, P1)."),
                irb_role: str = typer.Option("pi", help="Applicant's role on the IRB certificate: pi or co_pi."),
                spec: Path = typer.Option(None, help="JSON file with the extract specification (D3)."),
                actor: str = typer.Option(None, "--as", help=ACTOR_HELP),
                as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """File an application for a case."""
    from enclave.cases.service import create_case, get_user

    extract = json.loads(spec.read_text(encoding="utf-8")) if spec else None
    with control(actor) as (db, policy, user, now):
        who = get_user(db, applicant) if applicant else user
        irb = {"number": irb_number, "investigators": [{"name": who.username, "role": irb_role}]} \
            if irb_number else None
        c = create_case(db, policy, user, applicant=who, title=title, case_type=case_type, imaging=imaging,
                        priority_class=priority, irb_certificate=irb, extract_spec=extract, now=now)
        row = _row(db, c)
    emit_json(row) if as_json else typer.echo(f"case {row['code']} filed (draft)")


@case_app.command("approve")
def case_approve(code: str = typer.Argument(..., help="Case code."),
                 months: int = typer.Option(None, help="Imaging period in months (P3)."),
                 working_days: float = typer.Option(None, help="Approved working days (government, P4)."),
                 seats: int = typer.Option(None, help="Seats approved (S4)."),
                 actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Approve a draft case: fees from the schedule, payment deadline (P10)."""
    from enclave.cases.service import approve_case, get_case

    with control(actor) as (db, policy, user, now):
        c = approve_case(db, policy, user, get_case(db, code), now=now, period_months=months,
                         working_days=working_days, seats=seats)
        typer.echo(f"{c.code} approved; {c.fees_due} TWD due by {c.payment_due_at:%Y-%m-%d}")


@case_app.command("pay")
def case_pay(code: str = typer.Argument(..., help="Case code."),
             amount: int = typer.Option(..., help="Amount received (TWD)."),
             actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Record a payment; after the deadline the case is void instead (P10)."""
    from enclave.cases.service import get_case, record_payment

    with control(actor) as (db, policy, user, now):
        c = record_payment(db, policy, user, get_case(db, code), amount=amount, now=now)
        status, reason = c.status, c.status_reason
    if status == "void":
        typer.echo(f"{code} is void: {reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{code} paid and active")


@case_app.command("extend")
def case_extend(code: str = typer.Argument(..., help="Case code."),
                days: int = typer.Option(..., help="Days asked (P4, P9)."),
                actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Ask for an extension with retention (at least N days before the end)."""
    from enclave.cases.service import get_case, request_extension

    with control(actor) as (db, policy, user, now):
        e = request_extension(db, policy, user, get_case(db, code), days=days, now=now)
        typer.echo(f"extension request {e.id} for {days} days is pending")


@case_app.command("decide-extension")
def case_decide_extension(ext_id: int = typer.Argument(..., help="Extension request id."),
                          approve: bool = typer.Option(True, "--approve/--refuse", help="Decision."),
                          actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Approve or refuse an extension request."""
    from enclave.cases.models import Extension
    from enclave.cases.service import decide_extension
    from enclave.core.rows import get_row

    with control(actor) as (db, policy, user, now):
        e = get_row(db, Extension, ext_id, "extension request")
        decide_extension(db, policy, user, e, approve=approve, now=now)
        typer.echo(f"extension {ext_id} {e.status}")


@case_app.command("change")
def case_change(code: str = typer.Argument(..., help="Case code."),
                kind: str = typer.Option(..., help="staff, files or columns (P7)."),
                payload: str = typer.Option(..., help='JSON, e.g. \'{"add": ["bob"]}\'.'),
                actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Ask for a change of staff, files (incl. years) or columns (P7)."""
    from enclave.cases.service import get_case, request_change

    try:
        body = json.loads(payload)
    except json.JSONDecodeError as e:
        typer.echo(f"--payload is not JSON: {e.msg} at column {e.colno}", err=True)
        raise typer.Exit(2)
    with control(actor) as (db, policy, user, now):
        cr = request_change(db, policy, user, get_case(db, code), kind=kind, payload=body, now=now)
        typer.echo(f"change request {cr.id} ({kind}) is pending")


@case_app.command("decide-change")
def case_decide_change(change_id: int = typer.Argument(..., help="Change request id."),
                       approve: bool = typer.Option(True, "--approve/--refuse", help="Decision."),
                       note: str = typer.Option(None, help="Decision note."),
                       actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Approve (and apply) or refuse a change request."""
    from enclave.cases.models import ChangeRequest
    from enclave.cases.service import decide_change
    from enclave.core.rows import get_row

    with control(actor) as (db, policy, user, now):
        cr = get_row(db, ChangeRequest, change_id, "change request")
        decide_change(db, policy, user, cr, approve=approve, note=note, now=now)
        typer.echo(f"change {change_id} {cr.status}")


@case_app.command("handover")
def case_handover(code: str = typer.Argument(..., help="Case code."),
                  new_officer: str = typer.Option(None, help="Successor; omit to expire the old officer's password."),
                  actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Hand the designated officer role over: new first, then the old is revoked (A7)."""
    from enclave.cases.service import get_case, get_user, handover_officer

    with control(actor) as (db, policy, user, now):
        new = get_user(db, new_officer) if new_officer else None
        handover_officer(db, policy, user, get_case(db, code), new, now=now)
        typer.echo(f"{code}: officer handed over" if new else f"{code}: old officer must change password")


@case_app.command("software-approved")
def case_software_approved(code: str = typer.Argument(..., help="Case code."),
                           name: str = typer.Argument(..., help="Software name."),
                           version: str = typer.Option(None, help="Version.")):
    """Exit 0 if the software was declared and approved for the case (P11), else 1."""
    from enclave.cases.service import software_approved

    with control("-") as (db, policy, _user, now):
        ok = software_approved(db, code, name, version)
    typer.echo("approved" if ok else "not approved (P11)")
    raise typer.Exit(0 if ok else 1)
