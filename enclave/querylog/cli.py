"""``enclave querylog``: browse and export the session query log, approve or flag queries (A3)."""
from __future__ import annotations

from pathlib import Path

import typer

from enclave.cases.clikit import ACTOR_HELP, control, parse_when
from enclave.cli.output import JSON_HELP, emit_json, table

querylog_app = typer.Typer(help="The session query log and its supervisor approval (A3).",
                           no_args_is_help=True)


def _filter(account, case, since, until, purpose, status):
    from enclave.core.errors import BadInput
    from enclave.querylog.service import TAIPEI, QueryFilter

    try:
        return QueryFilter(account=account, case=case, since=parse_when(since, "--since", TAIPEI),
                           until=parse_when(until, "--until", TAIPEI), purpose=purpose, status=status)
    except BadInput as e:
        typer.echo(f"refused: {e.message}", err=True)
        raise typer.Exit(2)


ACCOUNT = typer.Option(None, "--account", help="Only this account's queries.")
CASE = typer.Option(None, "--case", help="Only this case's queries.")
SINCE = typer.Option(None, "--since", help="From (ISO date/time; Taipei time unless a zone is given).")
UNTIL = typer.Option(None, "--until", help="Before (ISO date/time; Taipei time unless a zone is given).")
PURPOSE = typer.Option(None, "--purpose", help="Purpose text contains this (case-insensitive).")
STATUS = typer.Option(None, "--status", help="pending, approved or flagged.")


@querylog_app.command("list")
def list_cmd(account: str = ACCOUNT, case: str = CASE, since: str = SINCE, until: str = UNTIL,
             purpose: str = PURPOSE, status: str = STATUS,
             limit: int = typer.Option(50, "--limit", min=1, max=500),
             offset: int = typer.Option(0, "--offset", min=0),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Logged queries, newest first, with their approval state."""
    from enclave.querylog.service import list_queries

    f = _filter(account, case, since, until, purpose, status)
    with control("-") as (db, _policy, _u, _now):
        rows, total = list_queries(db, f, limit=limit, offset=offset)
    if as_json:
        emit_json({"total": total, "offset": offset, "queries": rows})
        return
    table([{"#": r["seq"], "time (Taipei)": r["ts_taipei"], "account": r["account"], "case": r["case"],
            "purpose": r["purpose"][:40], "sql": r["sql"][:60], "status": r["status"]} for r in rows],
          title=f"queries {offset + 1}-{offset + len(rows)} of {total}")


@querylog_app.command("export")
def export_cmd(out: Path = typer.Option(..., "--out", help="CSV file to write."),
               account: str = ACCOUNT, case: str = CASE, since: str = SINCE, until: str = UNTIL,
               purpose: str = PURPOSE, status: str = STATUS):
    """Every matching query as CSV for auditors (UTC ISO and Taipei time)."""
    from enclave.querylog.service import export_csv

    f = _filter(account, case, since, until, purpose, status)
    with control("-") as (db, _policy, _u, _now):
        text = export_csv(db, f)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    typer.echo(f"{text.count(chr(10)) - 1} queries written to {out}")


def _decide(decision: str, seqs: list[int], note: str | None, actor: str | None, as_json: bool):
    from enclave.querylog.service import decide

    with control(actor) as (db, policy, me, now):
        done = decide(db, policy, me, seqs, decision, note=note, now=now)
    if as_json:
        emit_json({"decision": decision, "queries": done})
    else:
        typer.echo(f"{decision}: {', '.join(map(str, done))}")


@querylog_app.command("approve")
def approve_cmd(seqs: list[int] = typer.Argument(..., help="Query numbers (#)."),
                note: str = typer.Option(None, "--note"),
                actor: str = typer.Option(None, "--as", help=ACTOR_HELP),
                as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Approve queries as within the case's approved purpose (not your own)."""
    _decide("approved", seqs, note, actor, as_json)


@querylog_app.command("flag")
def flag_cmd(seqs: list[int] = typer.Argument(..., help="Query numbers (#)."),
             note: str = typer.Option(..., "--note", help="What is wrong with them."),
             actor: str = typer.Option(None, "--as", help=ACTOR_HELP),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Flag queries as outside the case's lawful scope (the note is kept with them)."""
    _decide("flagged", seqs, note, actor, as_json)
