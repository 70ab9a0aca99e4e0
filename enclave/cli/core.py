"""Foundation commands: database, policy and audit-chain verification."""
from __future__ import annotations

import typer

from enclave.cli.output import JSON_HELP, emit_json, table

db_app = typer.Typer(help="The control-plane state database.", no_args_is_help=True)
policy_app = typer.Typer(help="The policy in force (rules with their RULES.md IDs).", no_args_is_help=True)
audit_app = typer.Typer(help="The append-only, hash-chained audit log (A3, A5, A6).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(url: str = typer.Option(None, help="Database URL (default: $ENCLAVE_DB_URL or SQLite in $ENCLAVE_HOME).")):
    """Create or migrate the state database to the newest schema."""
    from enclave.db import upgrade
    from enclave.settings import get_settings

    url = url or get_settings().db_url
    upgrade(url)
    typer.echo(f"database at newest schema: {url.split('@')[-1]}")


@policy_app.command("show")
def policy_show(path: str = typer.Option(None, help="Policy directory (default: $ENCLAVE_POLICY)."),
                as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List every setting with its value and the rule it implements."""
    from policies import load_policy

    p = load_policy(path)
    rows = [{"rule": r, "setting": f"{s}.{k}", "value": v, "why": d}
            for s, k, v, r, d in p.settings_with_rules()]
    if as_json:
        emit_json({"name": p.name, "demo": p.demo, "settings": rows})
    else:
        table(rows, title=f"policy {p.name}{' (DEMO)' if p.demo else ''}")


@policy_app.command("check")
def policy_check(path: str = typer.Argument(..., help="Policy directory to validate.")):
    """Validate a policy directory; exit 1 with file, key and reason if it is bad."""
    from policies import PolicyError, load_policy

    try:
        p = load_policy(path)
    except PolicyError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1)
    typer.echo(f"policy {p.name} is valid")


@audit_app.command("verify")
def audit_verify(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Verify the whole hash chain; exit 1 and name each edited, deleted or reordered record."""
    from enclave.audit import verify_chain
    from enclave.db import session_scope

    with session_scope() as s:
        problems = verify_chain(s)
    if as_json:
        emit_json({"ok": not problems, "problems": [p.__dict__ for p in problems]})
    else:
        for p in problems:
            typer.echo(f"record {p.seq}: {p.kind}: {p.message}", err=True)
        if not problems:
            typer.echo("audit chain intact")
    if problems:
        raise typer.Exit(1)
