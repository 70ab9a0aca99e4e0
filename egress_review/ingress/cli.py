"""``enclave import check``: the import checks (D4) offline, before asking to bring files in."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from enclave.cli.output import JSON_HELP, emit_json

import_app = typer.Typer(help="Import review (D4): check files before asking to bring them into a case.",
                         no_args_is_help=True)
EXIT = {"pass": 0, "review": 3, "block": 4}


def _case_imaging(code: str) -> bool:
    from sqlalchemy import select

    from enclave.cases.models import Case
    from enclave.db import session_scope
    from enclave.settings import get_settings

    with session_scope(get_settings().db_url) as db:
        case = db.execute(select(Case).where(Case.code == code)).scalar_one_or_none()
        if case is None:
            typer.echo(f"error: case {code!r} not found in {get_settings().db_url}", err=True)
            raise typer.Exit(1)
        return bool(case.imaging)


@import_app.command("check")
def check(
    files: List[Path] = typer.Argument(..., help="Files (or archives) to bring in."),
    case: Optional[str] = typer.Option(None, "--case", help="Case code: takes its imaging flag from the state DB."),
    imaging: bool = typer.Option(False, "--imaging", help="Check as for an imaging case (models and "
                                 "training sets allowed, with committee review)."),
    kind: List[str] = typer.Option([], "--kind", help="FILE=KIND (training_set, model, code, reference); "
                                   "default guessed from the file name. Repeatable."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Run the import checks on FILES without submitting anything.

    Exit status: 0 pass, 3 review, 4 block (1: bad input)."""
    from egress_review.ingress.checks import KINDS, ImportInputError, ImportItem, check_import, guess_kind
    from policies import current_policy

    policy = current_policy().egress
    if case:
        imaging = imaging or _case_imaging(case)
    kinds: dict[str, str] = {}
    for k in kind:
        name, sep, value = k.partition("=")
        if not sep or value not in KINDS:
            typer.echo(f"error: --kind {k!r}: expected FILE=KIND with KIND one of {', '.join(KINDS)}", err=True)
            raise typer.Exit(1)
        kinds[name] = value
    items = []
    for f in files:
        if not f.is_file():
            typer.echo(f"error: {f}: not a file", err=True)
            raise typer.Exit(1)
        items.append(ImportItem(path=f.name, kind=kinds.get(str(f), kinds.get(f.name, guess_kind(f.name, policy, imaging))),
                                data=f.read_bytes()))
    try:
        result = check_import(items, imaging=imaging, policy=policy, case_code=case or "")
    except ImportInputError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        emit_json(result.to_dict())
    else:
        from rich.console import Console
        from rich.table import Table

        out = Console()
        colour = {"pass": "green", "review": "yellow", "block": "red"}
        for fr in result.files:
            out.print(f"[{colour[fr.verdict]}]{fr.verdict.upper():6}[/] {fr.path} ({fr.kind})")
            if fr.findings:
                t = Table(show_header=True, header_style="bold")
                for h in ("rule", "check", "severity", "where", "finding"):
                    t.add_column(h)
                for fd in fr.findings:
                    where = ", ".join(f"{k}={v}" for k, v in fd.location.items()
                                      if k in ("member", "row", "column", "cell", "line", "entry", "cell_index"))
                    t.add_row(fd.rule, fd.check, fd.severity, where, f"{fd.message_en}\n{fd.message_zh}")
                out.print(t)
        out.print(f"Import verdict: [{colour[result.verdict]}]{result.verdict}[/]"
                  + (" (committee path)" if result.committee else ""))
    raise typer.Exit(EXIT[result.verdict])
