"""``enclave audit sample``: draw, show, mark anomalies, sign off (A6)."""
from __future__ import annotations

import datetime as dt

import typer

from enclave.cases.clikit import ACTOR_HELP, control, parse_when
from enclave.cli.output import JSON_HELP, emit_json, table

sample_app = typer.Typer(help="The six-monthly audit sample and its sign-off (A6).", no_args_is_help=True)


@sample_app.command("create")
def create(start: str = typer.Option(None, help="Window start (default: one interval back)."),
           end: str = typer.Option(None, help="Window end (default: now)."),
           seed: int = typer.Option(None, help="Random seed (recorded; default random)."),
           actor: str = typer.Option(None, "--as", help=ACTOR_HELP),
           as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Draw a sample: ≥ the policy share of accounts, N records each, spread over time."""
    from enclave.audit.sampling.service import create_sample, report

    with control(actor) as (db, policy, me, now):
        s = create_sample(db, policy, me, now=now, seed=seed,
                          window_start=parse_when(start, "--start", dt.timezone.utc),
                          window_end=parse_when(end, "--end", dt.timezone.utc))
        rep = report(db, s)
    if as_json:
        emit_json(rep)
    else:
        typer.echo(f"sample {rep['sample_id']}: {rep['accounts_sampled']}/{rep['accounts_total']} accounts")
        table([{"account": a["username"], "records": len(a["records"]), "available": a["records_available"]}
               for a in rep["accounts"]])


@sample_app.command("show")
def show(sample_id: int = typer.Argument(..., help="Sample id."),
         as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Print the sample report."""
    from enclave.audit.sampling.service import get_sample, report

    with control("-") as (db, policy, _u, now):
        s = get_sample(db, sample_id)
        rep = {**report(db, s), "status": s.status, "signed_by": s.signed_by, "report_sha256": s.report_sha256}
    if as_json:
        emit_json(rep)
    else:
        for a in rep["accounts"]:
            table([{k: r[k] for k in ("seq", "ts", "action", "case_code", "subject")} for r in a["records"]],
                  title=f"{a['username']} ({len(a['records'])}/{a['records_available']})")
        typer.echo(f"status {rep['status']} {rep['signed_by'] or ''}")


@sample_app.command("anomaly")
def anomaly(sample_id: int = typer.Argument(..., help="Sample id."),
            note: str = typer.Option(..., help="What was found and what was done."),
            username: str = typer.Option(None, help="Account concerned."),
            record: int = typer.Option(None, help="Audit record seq concerned."),
            actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Record an anomaly found in the sample."""
    from enclave.audit.sampling.service import get_sample, record_anomaly

    with control(actor) as (db, policy, me, now):
        record_anomaly(db, policy, me, get_sample(db, sample_id), note=note, username=username,
                       record_seq=record, now=now)
    typer.echo("anomaly recorded")


@sample_app.command("sign")
def sign(sample_id: int = typer.Argument(..., help="Sample id."),
         note: str = typer.Option("", help="Supervisor's note."),
         actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Supervisor sign-off (recorded in the audit log with the report's SHA-256)."""
    from enclave.audit.sampling.service import get_sample, sign_off

    with control(actor) as (db, policy, me, now):
        s = sign_off(db, policy, me, get_sample(db, sample_id), note=note, now=now)
        digest = s.report_sha256
    typer.echo(f"sample {sample_id} signed; report sha256 {digest}")


@sample_app.command("list")
def list_samples(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List samples and whether a new one is due."""
    from enclave.audit.sampling.service import sample_due, samples

    with control("-") as (db, policy, _u, now):
        rows = [{"id": s.id, "window_start": s.window_start.isoformat(), "window_end": s.window_end.isoformat(),
                 "accounts": f"{s.accounts_sampled}/{s.accounts_total}", "status": s.status,
                 "signed_by": s.signed_by} for s in samples(db)]
        due = sample_due(db, policy, now)
    if as_json:
        emit_json({"due": due, "samples": rows})
    else:
        table(rows, title="audit samples" + (" (a new sample is due)" if due else ""))
