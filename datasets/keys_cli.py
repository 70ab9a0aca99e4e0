"""``enclave keys …``: the master key from which every release / case key is derived (D1)."""
from __future__ import annotations

import typer

from enclave.cli.output import JSON_HELP, console, emit_json

keys_app = typer.Typer(help="The pseudonymisation master key (steward/admin; D1).", no_args_is_help=True)


@keys_app.command("init")
def init_cmd(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Create the master key (random, mode 0600) at $ENCLAVE_KEYS/master.key; never overwrites.

    Replacing an existing key would silently change every future pseudonym, so an existing key
    file is refused; the key directory may not lie inside the warehouse or the projects.
    """
    from datasets import keyring
    from deidentify import keys as K
    from enclave.settings import get_settings

    settings = get_settings()
    path = keyring.master_key_path(settings)
    error = None
    try:
        if path.exists():
            raise K.KeyFileError(f"master key {path} already exists; it is never overwritten "
                                 f"(every pseudonym depends on it)")
        inside = [d for d in (settings.warehouse_dir, settings.projects_dir)
                  if path.resolve().is_relative_to(type(path)(d).resolve())]
        if inside:
            raise K.KeyFileError(f"keys directory {settings.keys_dir} is inside the data ({inside[0]}); "
                                 f"move it out")
        K.create_master_key(path)
    except (K.KeyFileError, FileExistsError) as e:
        error = str(e) if isinstance(e, K.KeyFileError) else f"master key {path} already exists"
    if as_json:
        emit_json({"ok": error is None, "path": str(path), **({"error": error} if error else {})})
    elif error:
        console.print(f"[red]refused:[/red] {error}")
    else:
        console.print(f"master key created at {path} (mode 0600); back it up offline")
    if error:
        raise typer.Exit(1)


@keys_app.command("seal-stores")
def seal_stores_cmd(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Encrypt at rest the egress and import store blobs written before encryption was on
    (each re-sealed under its own name, atomically; already sealed blobs are left alone)."""
    from egress_review.ingress.workflow import import_store
    from egress_review.store import service_store
    from enclave.settings import get_settings

    settings = get_settings()
    done = {"egress": service_store(settings.egress_store_dir).seal_legacy(),
            "ingress": import_store().seal_legacy()}
    if as_json:
        emit_json({k: len(v) for k, v in done.items()})
    else:
        console.print(f"sealed {len(done['egress'])} egress and {len(done['ingress'])} import "
                      "blobs")
