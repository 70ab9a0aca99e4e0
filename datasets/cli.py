"""``enclave data …`` (steward: generate, load, releases) and ``enclave extract …`` (D1, D3)."""
from __future__ import annotations

import getpass
from pathlib import Path
from typing import NoReturn

import typer

from enclave.cli.output import JSON_HELP, console, emit_json, progress, table

data_app = typer.Typer(help="Source files and warehouse releases (steward; D1, D2).", no_args_is_help=True)
extract_app = typer.Typer(help="Per-case minimum-necessary extracts (D3).", no_args_is_help=True)


def _refuse(as_json: bool, label: str, error) -> NoReturn:
    """Exit 1 saying why: a JSON object under --json, else a line in red."""
    if as_json:
        emit_json({"ok": False, "error": str(error)})
    else:
        console.print(f"[red]{label}[/red] {error}" if label else f"[red]{error}[/red]")
    raise typer.Exit(1)


def _audit_ready(as_json: bool) -> None:
    """Refuse before any work when the audit log cannot be written (A3: every load is logged)."""
    from sqlalchemy import select

    from enclave.audit.models import AuditRecord
    from enclave.db import session_scope

    try:
        with session_scope() as s:
            s.execute(select(AuditRecord.seq).limit(1)).all()
    except Exception as e:  # any DB problem: say so and stop
        msg = (f"the audit log is not available ({type(e).__name__}: {str(e).splitlines()[0][:200]}); run `enclave db upgrade` "
               f"first")
        _refuse(as_json, "refused:", msg)


def _years(s: str) -> tuple[int, ...]:
    if "-" in s:
        a, b = s.split("-", 1)
        return tuple(range(int(a), int(b) + 1))
    return tuple(int(x) for x in s.split(","))


@data_app.command("generate")
def generate_cmd(
    out: Path = typer.Option(..., "--out", help="Empty directory for the source files."),
    rows: int = typer.Option(100_000, "--rows", help="Approximate number of claim rows."),
    seed: int = typer.Option(20240101, "--seed", help="Seed; the same seed gives the same files."),
    encoding: str = typer.Option("utf-8", "--encoding", help="utf-8 or big5."),
    fixed_width: bool = typer.Option(False, "--fixed-width", help="Fixed-width .txt instead of CSV."),
    years: str = typer.Option("2019-2021", "--years", help="Years, e.g. 2019-2021 or 2019,2021."),
    images: int = typer.Option(None, "--images", help="Number of DICOM studies (default scales)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """Write a seeded synthetic NHIRD-like source set (identifiers recorded in OUT/_truth/)."""
    from datasets.synthetic import generate

    with progress(disable=as_json) as pb:
        task = pb.add_task("generating claim rows", total=rows, rate="")
        res = generate(out, rows, seed=seed, encoding=encoding, fixed_width=fixed_width,
                       years=_years(years), images=images,
                       on_progress=lambda d, t: pb.update(task, completed=d))
    if as_json:
        emit_json(res.to_dict())
    else:
        table([{"file": f["file"], "rows": f["rows"], "bytes": f["bytes"]} for f in res.files],
              title=f"{res.claim_rows} claim rows, {res.persons} persons in {out}")


def load_workers(given: int | None) -> int:
    """The load's worker processes: ``--workers`` if given, else the policy's
    ``data.load_workers`` (D1)."""
    from policies import current_policy

    return given if given is not None else current_policy().data.load_workers


@data_app.command("load")
def load_cmd(
    src: Path = typer.Argument(..., help="Directory of source files (and optional MANIFEST.json)."),
    release: str = typer.Option(..., "--release", help="New release id, e.g. 2024A."),
    encoding: str = typer.Option(None, "--encoding", help="Source encoding (default: manifest or utf-8)."),
    no_audit: bool = typer.Option(False, "--no-audit", help="Do not write the audit log entry."),
    workers: int = typer.Option(None, "--workers", min=1,
                                help="Worker processes (Dask local cluster); 1: one process. "
                                     "Default: the policy's data.load_workers."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """Validate, de-identify and load SRC as a warehouse release (atomic; quarantine + report)."""
    from datasets.load import LoadError, load_release

    if not no_audit:
        _audit_ready(as_json)
    workers = load_workers(workers)
    try:
        with progress(disable=as_json) as pb:
            task = pb.add_task("loading", total=1, rate="")

            def cb(what, done, total):
                pb.update(task, completed=done, total=total, description=what)

            rep = load_release(src, release, encoding=encoding, on_progress=cb,
                               actor=getpass.getuser(), audit=not no_audit, workers=workers)
    except LoadError as e:
        _refuse(as_json, "load refused:", e)
    d = rep.to_dict()
    if as_json:
        emit_json(d)
    else:
        table([{"file": f["file"], "read": f["read"], "loaded": f["loaded"],
                "quarantined": f["quarantined"], "ok": f["reconciled"]} for f in d["files"]],
              title=f"release {rep.release}: {rep.rows_loaded} loaded, {rep.rows_quarantined} "
                    f"quarantined in {rep.seconds}s")
        if rep.parts:
            table(rep.parts, title="rows per worker process")
        if rep.rows_quarantined:
            console.print(f"quarantine: {rep.path}/_load/quarantine.csv")
        console.print(f"picture of the load: {rep.path}/_load/report.svg")


@data_app.command("releases")
def releases_cmd(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List the warehouse releases."""
    from datasets.load import list_releases

    rs = list_releases()
    if as_json:
        emit_json(rs)
    else:
        table([{"release": r["release"], "created": r["created"], "rows": r["rows_loaded"],
                "quarantined": r["rows_quarantined"], "years": ",".join(r["years"]),
                "families": len(r["families"])} for r in rs], title="warehouse releases")


@data_app.command("dictionary")
def dictionary_cmd(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Print the data dictionary (warehouse columns and actions) under the policy in force."""
    from datasets.schemas import FAMILIES, effective_actions
    from datasets.schemas.dictionary import dictionary, to_markdown
    from policies import current_policy

    pol = current_policy()
    d = dictionary(list(FAMILIES.values()), effective_actions(pol), pol)
    if as_json:
        emit_json(d)
    else:
        typer.echo(to_markdown(d, f"policy {pol.name}"))


@extract_app.command("build")
def extract_build(
    case: str = typer.Argument(..., help="Case code; the extract follows that case's approved spec."),
    replace: bool = typer.Option(False, "--replace", help="Replace an existing extract."),
    k_override: str = typer.Option(None, "--k-override-reason",
                                   help="Publish although a table is below the policy's k; the "
                                        "reason is recorded in the audit log and extract.json."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """Build projects/CASE/data from the case's approved spec (approved, paid, active case only)."""
    from datasets.extract import ExtractError, KAnonymityError
    from enclave.extracts import ExtractRefused, build_case_extract
    from enclave.settings import get_settings
    from policies import current_policy

    _audit_ready(as_json)
    try:
        with progress(disable=as_json) as pb:
            task = pb.add_task("extracting", total=1, rate="")
            res = build_case_extract(case, settings=get_settings(), policy=current_policy(),
                                     actor=getpass.getuser(), replace=replace, k_override=k_override,
                                     on_progress=lambda f, d, t: pb.update(task, completed=d, total=t,
                                                                           description=f))
    except (ExtractError, ExtractRefused) as e:
        if as_json:
            emit_json({"ok": False, "error": str(e),
                       "k_anonymity": getattr(e, "reports", None)})
        else:
            console.print(f"[red]extract refused:[/red] {e}")
            if isinstance(e, KAnonymityError):
                _k_table(e.reports)
        raise typer.Exit(1)
    if as_json:
        emit_json(res.to_dict())
    else:
        table([{"file": k, "rows": v} for k, v in res.rows.items()],
              title=f"extract for {case} from release {res.release} at {res.path}")
        _k_table(res.k_anonymity)
        if res.k_override:
            console.print(f"[yellow]published below k with the recorded reason:[/yellow] {res.k_override}")
        console.print(f"picture of the class sizes: {res.path}/k_anonymity.svg")


@extract_app.command("give-up")
def extract_give_up(
    case: str = typer.Argument(..., help="Case code."),
    files: str = typer.Option(None, "--files", help="Comma-separated file families (default: all)."),
    requested_by: str = typer.Option(..., "--requested-by", help="The case's PI, whose request this is."),
    reason: str = typer.Option(..., "--reason", help="Why (at least 10 characters; recorded)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """D5: delete file families of a case's extract at its PI's request; later builds leave them out."""
    from enclave.core.errors import ControlError
    from enclave.extracts.given_up import give_up
    from enclave.settings import get_settings
    from policies import current_policy

    _audit_ready(as_json)
    fams = [f.strip() for f in files.split(",") if f.strip()] if files else None
    try:
        out = give_up(case, fams, settings=get_settings(), policy=current_policy(),
                      actor=getpass.getuser(), requested_by=requested_by, reason=reason)
    except ControlError as e:
        if as_json:
            emit_json({"ok": False, "error": str(e)})
        else:
            console.print(f"[red]refused:[/red] {e}")
        raise typer.Exit(1)
    if as_json:
        emit_json({"ok": True, **out})
    else:
        console.print(f"case {case}: given up {', '.join(out['given_up'])}; the extract now holds "
                      f"{', '.join(out['kept']) or 'nothing'} (D5: not provided again)")


@extract_app.command("spec")
def extract_spec(case: str = typer.Argument(..., help="Case code."),
                 as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Show the approved extract spec of a case (what `extract build` will use)."""
    import datetime as dt

    from sqlalchemy import select

    from enclave.cases.models import Case
    from enclave.db import session_scope
    from enclave.extracts import ExtractRefused, approved_spec

    with session_scope() as db:
        c = db.execute(select(Case).where(Case.code == case)).scalar_one_or_none()
        try:
            spec = approved_spec(c, case, dt.datetime.now(dt.timezone.utc))
        except ExtractRefused as e:
            _refuse(as_json, "", e)
    if as_json:
        emit_json(spec)
    else:
        table([{"file": f, "years": ",".join(str(y) for y in (v.get("years") or [])) or "all",
                "columns": ",".join(v.get("columns") or [])} for f, v in spec["files"].items()],
              title=f"approved extract spec of {case}; cohort {spec.get('cohort') or 'all persons'}")


def _k_table(reports: list[dict]) -> None:
    table([{"table": r["table"], "quasi-identifiers": ",".join(r["quasi_identifiers"]),
            "k_min": r["k_min"], "k": r["k"], "classes<k": r["classes_below_k"],
            f"{r['unit']}<k": r["units_below_k"]} for r in reports],
          title="k-anonymity on quasi-identifiers")
