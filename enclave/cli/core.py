"""Foundation commands: database, policy and audit-chain verification."""
from __future__ import annotations

import typer

from enclave.cli.output import JSON_HELP, emit_json, refusing, table

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

    with refusing(PolicyError):
        p = load_policy(path)
    typer.echo(f"policy {p.name} is valid")


@audit_app.command("verify")
def audit_verify(as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
                 witness: str = typer.Option(None, help="File of checkpoints an external witness kept "
                                                        "(lines printed by `enclave audit export-checkpoint`; "
                                                        "default: $ENCLAVE_AUDIT_WITNESS)."),
                 require_witness: bool = typer.Option(
                     None, "--require-witness/--no-require-witness",
                     help="Fail when no witness is set (default: $ENCLAVE_AUDIT_REQUIRE_WITNESS).")):
    """Verify the keyed chain against the signed checkpoints outside the database; exit 1 and
    name the first bad record (edited, deleted, reordered, rolled back, unkeyed).  Without a
    witness the chain is only as good as what the host keeps: the command says so."""
    import os
    from pathlib import Path

    from enclave.audit.verify import WITNESS_ENV, verify_audit
    from enclave.db import session_scope

    # an empty --witness is a path ("."), read and reported, never "no witness"
    path = Path(witness) if witness is not None else (Path(os.environ[WITNESS_ENV])
                                                      if os.environ.get(WITNESS_ENV) else None)
    with session_scope() as s:
        problems = verify_audit(s, witness=path, require_witness=require_witness)
    first = problems[0].seq if problems else None
    note = None if path is not None else (
        "no witness set: the chain was checked against the database, the journal and the anchor "
        "on this host only, and is only as good as they are - whoever can write all three can roll "
        "them back together; give --witness FILE (or $ENCLAVE_AUDIT_WITNESS) and --require-witness")
    if as_json:
        emit_json({"ok": not problems, "first_bad_record": first, "witness": str(path) if path else None,
                   "note": note, "problems": [p.__dict__ for p in problems]})
    else:
        if problems:
            typer.echo(f"first bad record: {first}", err=True)
        for p in problems:
            typer.echo(f"record {p.seq}: {p.kind}: {p.message}", err=True)
        if not problems:
            typer.echo("audit chain intact and matches its signed checkpoints"
                       + (f" and the witness {path}" if path else ""))
        if note:
            typer.echo(f"note: {note}", err=True)
    if problems:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint():
    """Sign a checkpoint of the current head, after a person checked why the newest records had
    none (a service stopped between commit and checkpoint); refused if the chain is broken."""
    from enclave.audit.verify import confirm_head
    from enclave.db import session_scope

    with session_scope() as s, refusing(ValueError):
        e = confirm_head(s)
    typer.echo(f"checkpoint of record {e.seq} written (journal line {e.n})")


@audit_app.command("export-checkpoint")
def audit_export_checkpoint():
    """Print the newest signed checkpoint and the public key to check it, as one JSON line for an
    external witness to keep (append it to the witness's file; verify with --witness)."""
    import json

    from enclave.audit.verify import latest_checkpoint
    from enclave.db import session_scope

    with session_scope() as s:
        cp = latest_checkpoint(s)
    if cp is None:
        typer.echo("no checkpoint yet (the audit log is empty or not keyed)", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(cp, ensure_ascii=False, sort_keys=True))
