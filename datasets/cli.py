"""``enclave data …`` (steward: generate, load, releases) and ``enclave extract …`` (D1, D3)."""
from __future__ import annotations

import getpass
from pathlib import Path

import typer

from enclave.cli.output import JSON_HELP, console, emit_json, progress, table

data_app = typer.Typer(help="Source files and warehouse releases (steward; D1, D2).", no_args_is_help=True)
extract_app = typer.Typer(help="Per-case minimum-necessary extracts (D3).", no_args_is_help=True)


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
               f"or pass --no-audit")
        if as_json:
            emit_json({"ok": False, "error": msg})
        else:
            console.print(f"[red]refused:[/red] {msg}")
        raise typer.Exit(1)


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


@data_app.command("load")
def load_cmd(
    src: Path = typer.Argument(..., help="Directory of source files (and optional MANIFEST.json)."),
    release: str = typer.Option(..., "--release", help="New release id, e.g. 2024A."),
    encoding: str = typer.Option(None, "--encoding", help="Source encoding (default: manifest or utf-8)."),
    no_audit: bool = typer.Option(False, "--no-audit", help="Do not write the audit log entry."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """Validate, de-identify and load SRC as a warehouse release (atomic; quarantine + report)."""
    from datasets.load import LoadError, load_release

    if not no_audit:
        _audit_ready(as_json)
    try:
        with progress(disable=as_json) as pb:
            task = pb.add_task("loading", total=1, rate="")

            def cb(what, done, total):
                pb.update(task, completed=done, total=total, description=what)

            rep = load_release(src, release, encoding=encoding, on_progress=cb,
                               actor=getpass.getuser(), audit=not no_audit)
    except LoadError as e:
        if as_json:
            emit_json({"ok": False, "error": str(e)})
        else:
            console.print(f"[red]load refused:[/red] {e}")
        raise typer.Exit(1)
    d = rep.to_dict()
    if as_json:
        emit_json(d)
    else:
        table([{"file": f["file"], "read": f["read"], "loaded": f["loaded"],
                "quarantined": f["quarantined"], "ok": f["reconciled"]} for f in d["files"]],
              title=f"release {rep.release}: {rep.rows_loaded} loaded, {rep.rows_quarantined} "
                    f"quarantined in {rep.seconds}s")
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
    case: str = typer.Argument(..., help="Case code."),
    spec: Path = typer.Option(..., "--spec", help="Approved extract spec (YAML or JSON)."),
    replace: bool = typer.Option(False, "--replace", help="Replace an existing extract."),
    no_audit: bool = typer.Option(False, "--no-audit", help="Do not write the audit log entry."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
):
    """Build projects/CASE/data from an approved spec (files, years, columns, cohort)."""
    import yaml

    from datasets.extract import ExtractError, build_extract_report

    if not no_audit:
        _audit_ready(as_json)
    try:
        data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        console.print(f"[red]cannot read spec {spec}:[/red] {e}")
        raise typer.Exit(1)
    try:
        with progress(disable=as_json) as pb:
            task = pb.add_task("extracting", total=len((data or {}).get("files") or {}) or 1, rate="")
            res = build_extract_report(data, case, replace=replace, actor=getpass.getuser(),
                                       audit=not no_audit,
                                       on_progress=lambda f, d, t: pb.update(task, completed=d, description=f))
    except ExtractError as e:
        if as_json:
            emit_json({"ok": False, "error": str(e)})
        else:
            console.print(f"[red]extract refused:[/red] {e}")
        raise typer.Exit(1)
    if as_json:
        emit_json(res.to_dict())
    else:
        table([{"file": k, "rows": v} for k, v in res.rows.items()],
              title=f"extract for {case} from release {res.release} at {res.path}")
        table([{"table": r["table"], "quasi-identifiers": ",".join(r["quasi_identifiers"]),
                "k_min": r["k_min"], "k": r["k"], "classes<k": r["classes_below_k"],
                f"{r['unit']}<k": r["units_below_k"]} for r in res.k_anonymity],
              title="k-anonymity on quasi-identifiers")
        console.print(f"picture of the class sizes: {res.path}/k_anonymity.svg")
