"""``enclave backup`` and ``enclave restore`` (SATRE 2.4.05)."""
from __future__ import annotations

import getpass
import os
from pathlib import Path

import typer

from enclave.cli.output import JSON_HELP, console, emit_json

PASSPHRASE_HELP = ("File holding the passphrase that seals the keys (default: $ENCLAVE_BACKUP_PASSPHRASE, "
                   "else asked for).")


def _passphrase(path: Path | None, confirm: bool) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8").rstrip("\n")
    if os.environ.get("ENCLAVE_BACKUP_PASSPHRASE"):
        return os.environ["ENCLAVE_BACKUP_PASSPHRASE"]
    return typer.prompt("backup passphrase", hide_input=True, confirmation_prompt=confirm)


def backup_cmd(out: Path = typer.Argument(..., help="Directory to write the backup into (a new "
                                                    "enclave-backup-<time> directory is made there)."),
               passphrase_file: Path = typer.Option(None, help=PASSPHRASE_HELP),
               as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Back up the state database, the keys (sealed with a passphrase), the audit checkpoint
    journal and the warehouse/extract manifests."""
    from enclave.backup import BackupError, create_backup

    try:
        path = create_backup(out, _passphrase(passphrase_file, confirm=True), actor=getpass.getuser())
    except (BackupError, OSError) as e:
        console.print(f"[red]backup refused:[/red] {e}")
        raise typer.Exit(1)
    if as_json:
        emit_json({"ok": True, "path": str(path)})
    else:
        console.print(f"backup written to {path}; keep the passphrase apart from it")


def restore_cmd(src: Path = typer.Argument(..., help="An enclave-backup-<time> directory."),
                passphrase_file: Path = typer.Option(None, help=PASSPHRASE_HELP),
                replace: bool = typer.Option(False, "--replace", help="Overwrite a non-empty target "
                                                                      "database and differing key files."),
                db_url: str = typer.Option(None, help="Target database (default: $ENCLAVE_DB_URL)."),
                as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Restore a backup (services stopped); every check runs before anything changes, and the
    audit chain and its checkpoints are verified at the end."""
    from enclave.backup import BackupError, restore_backup

    try:
        report = restore_backup(src, _passphrase(passphrase_file, confirm=False), target_url=db_url,
                                replace=replace, actor=getpass.getuser())
    except (BackupError, OSError) as e:
        console.print(f"[red]restore refused:[/red] {e}")
        raise typer.Exit(1)
    if as_json:
        emit_json({"ok": True, **report})
    else:
        console.print(f"restored backup {report['backup']} into {report['database']}; audit chain and "
                      f"checkpoints verified (head at record {report['audit_head']['seq']} of the backup)")
        if report["manifests"].get("store_error"):
            console.print(f"[yellow]{report['manifests']['store_error']}[/yellow]")
        if report["manifests"].get("not_in_store"):
            console.print(f"[yellow]{len(report['manifests']['not_in_store'])} release manifests "
                          f"of the backup are not in the object store[/yellow] (not written back: "
                          f"a manifest without its data would pass for a release)")
        if report["data_files_missing"]:
            console.print(f"[yellow]{len(report['data_files_missing'])} warehouse/extract data files are not "
                          f"on disk[/yellow] (rebuild them or restore them from storage snapshots)")
