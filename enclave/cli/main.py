"""Entry point of the ``enclave`` command.

Each area registers its own group here, in the order of the data flow:
steward load → project extract → session → egress request → review → release.
"""
from __future__ import annotations

import sys

import typer


def _egress_check_run() -> bool:
    """``enclave egress ...`` (the console script, or ``python -m enclave.cli.main``): the
    researcher's pre-check, which must start in under a second, so no other area (databases,
    hub, loaders) is imported for it.  Imported any other way, the module only builds ``app``."""
    as_script = __name__ == "__main__" or (__name__ == "enclave.cli.main"
                                           and sys.argv[0].endswith("enclave"))
    return as_script and sys.argv[1:2] == ["egress"]


if _egress_check_run():
    from egress_review.cli import egress_app as _egress_app

    _only = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False)
    _only.add_typer(_egress_app, name="egress")
    _only()                 # runs the command and exits the process (click standalone mode)

from enclave.cli.core import audit_app, db_app, policy_app  # noqa: E402
from enclave.cli.up import serve, up

app = typer.Typer(help="Trusted research environment for de-identified NHI data.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
app.add_typer(db_app, name="db")
app.add_typer(policy_app, name="policy")
app.add_typer(audit_app, name="audit")
app.command("up")(up)
app.command("serve")(serve)

# Areas add their command groups below (one line each).
from egress_review.cli import egress_app; app.add_typer(egress_app, name="egress")  # noqa: E402,E702
from datasets.cli import data_app, extract_app; app.add_typer(data_app, name="data"); app.add_typer(extract_app, name="extract")  # noqa: E402,E702
from enclave.cases.cli import case_app; app.add_typer(case_app, name="case")  # noqa: E402,E702
from enclave.bookings.cli import booking_app; app.add_typer(booking_app, name="booking")  # noqa: E402,E702
from enclave.accounts.cli import account_app; app.add_typer(account_app, name="account")  # noqa: E402,E702
from enclave.audit.sampling.cli import sample_app; audit_app.add_typer(sample_app, name="sample")  # noqa: E402,E702
from enclave.violations.cli import violation_app; app.add_typer(violation_app, name="violation")  # noqa: E402,E702
from enclave.announcements.cli import announce_app; app.add_typer(announce_app, name="announce")  # noqa: E402,E702
from enclave.purge.cli import purge_app; app.add_typer(purge_app, name="purge")  # noqa: E402,E702
from hub_config.cli import hub_app; app.add_typer(hub_app, name="hub")  # noqa: E402,E702
from egress_review.ingress.cli import import_app; app.add_typer(import_app, name="import")  # noqa: E402,E702
from datasets.keys_cli import keys_app; app.add_typer(keys_app, name="keys")  # noqa: E402,E702
from enclave.querylog.cli import querylog_app; app.add_typer(querylog_app, name="querylog")  # noqa: E402,E702
from enclave.deploy.cli import deploy_app; app.add_typer(deploy_app, name="deploy")  # noqa: E402,E702
from enclave.backup.cli import backup_cmd, restore_cmd; app.command("backup")(backup_cmd); app.command("restore")(restore_cmd)  # noqa: E402,E702

if __name__ == "__main__":
    app()
