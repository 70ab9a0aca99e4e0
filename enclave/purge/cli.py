"""``enclave purge``: end-of-period purge (P9) and voiding unpaid cases (P10)."""
from __future__ import annotations

import typer

from enclave.cli.output import JSON_HELP, emit_json, table

purge_app = typer.Typer(help="End-of-period purge of access and files (P9); safe to re-run.",
                        no_args_is_help=True)


@purge_app.command("run")
def run(dry_run: bool = typer.Option(False, "--dry-run", help="Only list the cases due."),
        as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Purge every case whose period ended without an extension-and-retention request."""
    from enclave.db import session_scope, utcnow
    from enclave.purge.service import due_for_purge, run_purge
    from enclave.settings import get_settings
    from policies import current_policy

    settings, now = get_settings(), utcnow()
    if dry_run:
        with session_scope(settings.db_url) as db:
            rows = [{"case": c.code, "period_end": c.period_end.isoformat(), "status": c.status}
                    for c in due_for_purge(db, now)]
        emit_json(rows) if as_json else table(rows, title="due for purge (P9)")
        return
    done = run_purge(settings.db_url, current_policy(), now=now, projects_dir=settings.projects_dir)
    if as_json:
        emit_json(done)
    else:
        table([{"case": d["case"], "files": d["files"].get("file_count", len(d["files"].get("files", []))),
                "bytes": d["files"].get("bytes", 0), "accounts": ",".join(d.get("accounts_revoked", []))}
               for d in done], title="purged (P9)")
