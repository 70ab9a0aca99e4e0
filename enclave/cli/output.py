"""Shared output helpers: ``--json`` for scripts, rich tables and progress for people."""
from __future__ import annotations

import contextlib
import json
import sys
from typing import Any, Iterable, Iterator

from rich.console import Console

console = Console(stderr=True)

JSON_HELP = "Print machine-readable JSON on stdout."


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def progress(disable: bool = False):
    """A progress bar on stderr (so ``--json`` stdout stays clean)."""
    # imported here: the researcher's pre-check never shows one and must start fast
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                    console=console, disable=disable or not console.is_terminal, transient=False)


def table(rows: Iterable[dict[str, Any]], title: str | None = None) -> None:
    from rich.table import Table

    rows = list(rows)
    t = Table(title=title)
    for col in (rows[0].keys() if rows else []):
        t.add_column(str(col))
    for r in rows:
        t.add_row(*[str(v) for v in r.values()])
    Console().print(t)


@contextlib.contextmanager
def refusing(*errors: type[BaseException], prefix: str = "") -> Iterator[None]:
    """An error of these types ends the command: ``prefix`` and its message on stderr, exit 1."""
    import typer

    try:
        yield
    except errors as e:
        typer.echo(f"{prefix}{e}", err=True)
        raise typer.Exit(1)
