"""Entry point of the ``enclave`` command.

Each area registers its own group here, in the order of the data flow:
steward load → project extract → session → egress request → review → release.
"""
from __future__ import annotations

import typer

from enclave.cli.core import audit_app, db_app, policy_app
from enclave.cli.up import up

app = typer.Typer(help="Trusted research environment for de-identified NHI data.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
app.add_typer(db_app, name="db")
app.add_typer(policy_app, name="policy")
app.add_typer(audit_app, name="audit")
app.command("up")(up)

# Areas add their command groups below (one line each).
from egress_review.cli import egress_app; app.add_typer(egress_app, name="egress")  # noqa: E402,E702
from datasets.cli import data_app, extract_app; app.add_typer(data_app, name="data"); app.add_typer(extract_app, name="extract")  # noqa: E402,E702

if __name__ == "__main__":
    app()
