"""``enclave account``: create (A1, A2), revoke, departures, yearly review (A6), passwords (A4)."""
from __future__ import annotations

import typer

from enclave.cases.clikit import ACTOR_HELP, control, parse_date
from enclave.cli.output import JSON_HELP, emit_json, table

account_app = typer.Typer(help="Accounts: delegated creation, revocation, yearly review (A1-A6).",
                          no_args_is_help=True)


@account_app.command("create")
def create(username: str = typer.Argument(..., help="User name."),
           password: str = typer.Option(..., prompt=True, hide_input=True, help="Initial password (A4)."),
           display_name: str = typer.Option("", help="Full name."),
           unit: str = typer.Option("", help="Organisation (P2)."),
           employment: str = typer.Option("permanent", help="permanent or contract (A2)."),
           region: str = typer.Option(None, help="Region for announcements (O1)."),
           role: list[str] = typer.Option(["researcher"], help="Role(s) to grant."),
           actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Create an account (admin: any; officer: researchers of its unit)."""
    from enclave.accounts.service import create_account

    from enclave.accounts.lifecycle import issue_enrolment_code

    with control(actor) as (db, policy, me, now):
        u = create_account(db, policy, me, username=username, password=password, display_name=display_name,
                           unit=unit, employment=employment, region=region, roles=role, now=now)
        code = issue_enrolment_code(db, policy, me, u, now=now, created=True)
    typer.echo(f"account {username} created")
    if code:
        typer.echo(f"second-factor enrolment code (give it in person, not with the password): {code}")


@account_app.command("enrolment-code")
def enrolment_code(username: str = typer.Argument(..., help="Account."),
                   actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """A new one-time code with which USERNAME enrols a second factor (A4; replaces the last)."""
    from enclave.accounts.lifecycle import issue_enrolment_code
    from enclave.cases.service import get_user

    with control(actor) as (db, policy, me, now):
        code = issue_enrolment_code(db, policy, me, get_user(db, username), now=now)
    if not code:
        typer.echo("this policy enrols second factors without a code")
        raise typer.Exit(1)
    typer.echo(code)


@account_app.command("accredit")
def accredit(username: str = typer.Argument(..., help="Account."),
             kind: str = typer.Option(..., help="training (data-security training) or undertaking "
                                                "(signed confidentiality undertaking)."),
             completed: str = typer.Option(..., help="Day it was completed or signed (YYYY-MM-DD, Taipei)."),
             note: str = typer.Option("", help="Certificate number or where the paper is kept."),
             actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Record USERNAME's training or undertaking (P11): the gate refuses sessions without both."""
    from enclave.accounts import accreditation
    from enclave.cases.service import get_user

    day = parse_date(completed, "--completed")
    with control(actor) as (db, policy, me, now):
        row = accreditation.record(db, policy, me, get_user(db, username), kind=kind,
                                   completed_at=accreditation.day_start(day), note=note, now=now)
        until = row.expires_at
    typer.echo(f"{kind} of {username} recorded; it counts until {until:%Y-%m-%d %H:%M} UTC")


@account_app.command("withdraw-accreditation")
def withdraw_accreditation(username: str = typer.Argument(..., help="Account."),
                           kind: str = typer.Option(..., help="training or undertaking."),
                           reason: str = typer.Option(..., help="Why (recorded in the audit log)."),
                           actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Withdraw USERNAME's current training or undertaking: the gate refuses from the next check."""
    from enclave.accounts import accreditation
    from enclave.cases.service import get_user

    with control(actor) as (db, policy, me, now):
        n = accreditation.withdraw(db, me, get_user(db, username), kind=kind, reason=reason, now=now)
    typer.echo(f"{n} {kind} record(s) of {username} withdrawn")


@account_app.command("list")
def list_accounts(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List every account with its roles and status."""
    from sqlalchemy import select

    from enclave.accounts.models import User

    with control("-") as (db, policy, _u, now):
        rows = [{"username": u.username, "name": u.display_name, "unit": u.unit, "employment": u.employment,
                 "roles": ",".join(u.role_names), "status": u.status,
                 "last_login": u.last_login_at.isoformat() if u.last_login_at else None}
                for u in db.execute(select(User).order_by(User.username)).scalars()]
    emit_json(rows) if as_json else table(rows, title="accounts")


@account_app.command("revoke")
def revoke(username: str = typer.Argument(..., help="Account to revoke."),
           reason: str = typer.Option(..., help="Why."),
           actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Revoke an account: sessions, memberships and future bookings go at once."""
    from enclave.accounts.service import revoke_account
    from enclave.cases.service import get_user

    with control(actor) as (db, policy, me, now):
        revoke_account(db, me, get_user(db, username), reason=reason, now=now)
    typer.echo(f"{username} revoked")


@account_app.command("left")
def left(username: str = typer.Argument(..., help="Account."),
         reason: str = typer.Option(..., help="departed, retired or reassigned."),
         when: str = typer.Option(None, help="Date (YYYY-MM-DD, default today)."),
         actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Record that a person left; the yearly review lists them for revocation."""
    import datetime as dt

    from enclave.accounts.service import mark_left
    from enclave.cases.service import get_user

    with control(actor) as (db, policy, me, now):
        t = dt.datetime.combine(parse_date(when, "--when"), dt.time(0), dt.timezone.utc) if when else now
        mark_left(db, me, get_user(db, username), reason=reason, when=t)
    typer.echo(f"{username}: {reason}")


@account_app.command("review")
def review(revoke: list[str] = typer.Option([], help="Revoke these listed accounts."),
           record: bool = typer.Option(False, help="Record the review in the audit log."),
           actor: str = typer.Option(None, "--as", help=ACTOR_HELP),
           as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Yearly review: duplicate, idle, reassigned, departed and retired accounts (A6)."""
    from enclave.accounts.service import account_review, record_review

    with control(actor) as (db, policy, me, now):
        found = record_review(db, policy, me, now, revoke)["found"] if (record or revoke) \
            else account_review(db, policy, now)
    if as_json:
        emit_json(found)
        return
    rows = [{"kind": k, **r} for k, v in found.items() for r in v]
    table(rows, title="account review (A6)")


@account_app.command("password")
def password(username: str = typer.Argument(..., help="Account."),
             old: str = typer.Option(..., prompt=True, hide_input=True, help="Current password."),
             new: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                     help="New password (A4).")):
    """Change a password (also when it has expired)."""
    from enclave.accounts.service import change_password

    with control("-") as (db, policy, _u, now):
        change_password(db, policy, username=username, old=old, new=new, now=now)
    typer.echo("password changed")
