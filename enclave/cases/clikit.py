"""Shared plumbing for the control plane's CLI groups: which account acts, errors as exit 1."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
from typing import Iterator

import typer

from enclave.cases.errors import ControlError

ACTOR_HELP = "Account the command acts as (default: $ENCLAVE_ACTOR or 'admin')."


def actor_name(actor: str | None) -> str:
    return actor or os.environ.get("ENCLAVE_ACTOR") or "admin"


@contextlib.contextmanager
def control(actor: str | None = None) -> Iterator[tuple]:
    """(db, policy, acting user, now) in one transaction; a refused rule exits 1 with its reason."""
    from enclave.cases.service import get_user
    from enclave.db import session_scope, utcnow
    from enclave.settings import get_settings
    from policies import current_policy

    try:
        with session_scope(get_settings().db_url) as db:
            user = get_user(db, actor_name(actor)) if actor != "-" else None
            yield db, current_policy(), user, utcnow()
    except ControlError as e:
        typer.echo(f"refused: {e.message}" + (f" [{e.rule}]" if e.rule else ""), err=True)
        raise typer.Exit(1)


def parse_date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{name}: {value!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2)


def parse_when(value: str | None, name: str, naive_zone: dt.tzinfo) -> dt.datetime | None:
    """An ISO date or date-time given to option ``name`` (None stays None); a value without a
    zone is read in ``naive_zone``.  Anything else exits 2 naming the option."""
    if value is None:
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        typer.echo(f"{name}: {value!r} is not an ISO date or date-time", err=True)
        raise typer.Exit(2)
    return t.replace(tzinfo=naive_zone) if t.tzinfo is None else t
