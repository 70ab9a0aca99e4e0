"""``enclave announce``: publish and list announcements (O1)."""
from __future__ import annotations

import mimetypes
from pathlib import Path

import typer

from enclave.cases.clikit import ACTOR_HELP, control
from enclave.cli.output import JSON_HELP, emit_json, table

announce_app = typer.Typer(help="Centre-wide and regional announcements (O1).", no_args_is_help=True)


@announce_app.command("publish")
def publish(title: str = typer.Option(..., help="Title."),
            body: Path = typer.Option(None, help="HTML body file (sanitised)."),
            region: str = typer.Option(None, help="Region (omit for centre-wide)."),
            keywords: str = typer.Option("", help="Search keywords."),
            attach: list[Path] = typer.Option([], help="Attachment file(s)."),
            actor: str = typer.Option(None, "--as", help=ACTOR_HELP)):
    """Publish an announcement."""
    from enclave.announcements.service import publish as do_publish

    html = body.read_text(encoding="utf-8") if body else ""
    files = [(p.name, mimetypes.guess_type(p.name)[0] or "application/octet-stream", p.read_bytes())
             for p in attach]
    with control(actor) as (db, policy, me, now):
        a = do_publish(db, policy, me, title=title, body=html, region=region, keywords=keywords,
                       attachments=files, now=now)
        aid = a.id
    typer.echo(f"announcement {aid} published")


@announce_app.command("list")
def list_announcements(q: str = typer.Option("", help="Keyword search."),
                       page: int = typer.Option(1, help="Page."),
                       as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List announcements newest first (all regions)."""
    from enclave.announcements.service import listing

    with control("-") as (db, policy, _u, now):
        res = listing(db, policy, None, q=q, page=page)
        rows = [{"id": a.id, "date": a.published_at.date().isoformat(), "title": a.title,
                 "region": a.region or "centre-wide", "attachments": len(a.attachments)} for a in res["items"]]
    emit_json({**res, "items": rows}) if as_json else table(rows, title=f"page {res['page']}/{res['pages']}")
