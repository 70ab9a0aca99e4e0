"""``enclave egress check``: the disclosure-control engine offline, for anyone to pre-check."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from enclave.cli.output import JSON_HELP, console, emit_json

egress_app = typer.Typer(help="Egress of results: check files before requesting their release.",
                         no_args_is_help=True)

TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm", ".parquet"}
KIND_BY_SUFFIX = {".png": "figure", ".jpg": "figure", ".jpeg": "figure", ".svg": "figure",
                  ".pdf": "figure", ".gif": "figure", ".py": "code", ".r": "code", ".sql": "code",
                  ".ipynb": "notebook", ".pt": "model", ".pth": "model", ".onnx": "model",
                  ".h5": "model", ".safetensors": "model", ".pkl": "model", ".joblib": "model"}
EXIT = {"pass": 0, "review": 3, "block": 4}


def _adhoc_manifest(files: list[Path], root: Path):
    """A manifest for bare files: tables get the strictest roles (every numeric column a count)."""
    from egress_review.engine.tables import parse_numbers, read_table
    from egress_review.manifest import ManifestFile, parse_manifest

    entries = []
    for f in files:
        rel = str(f.resolve().relative_to(root))
        suffix = f.suffix.lower()
        if suffix in TABLE_SUFFIXES:
            probe = read_table(root, ManifestFile(path=rel, kind="table", description="probe",
                                                  default_role={"role": "group"}))
            cols = {}
            for c in probe.columns:
                nums = parse_numbers(probe.text(c))
                texts = probe.text(c).str.strip()
                numeric_share = (~(nums != nums)).sum() / max(1, (texts != "").sum())
                cols[c] = {"role": "count"} if numeric_share >= 0.5 else {"role": "group"}
            entries.append({"path": rel, "kind": "table", "columns": cols,
                            "description": "checked without a manifest: numeric columns as counts"})
        else:
            entries.append({"path": rel, "kind": KIND_BY_SUFFIX.get(suffix, "text"),
                            "description": "checked without a manifest"})
    return parse_manifest({"version": 1, "case_code": "adhoc", "purpose": "pre-check",
                           "files": entries})


@egress_app.command("check")
def check(
    paths: List[Path] = typer.Argument(..., help="A manifest (YAML/JSON), or files to check."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    history: Optional[Path] = typer.Option(None, "--history",
                                           help="Directory of earlier released requests "
                                                "(one sub-directory each with its manifest)."),
    root: Optional[Path] = typer.Option(None, "--root",
                                        help="Directory the manifest's paths are relative to "
                                             "(default: the manifest's directory)."),
    pseudonyms: Optional[Path] = typer.Option(None, "--pseudonyms",
                                              help="File with the case's pseudonyms, one a line."),
    originals: Optional[Path] = typer.Option(None, "--originals",
                                             help="Directory of original images (E5)."),
) -> None:
    """Run every disclosure rule (E1-E7) on a request and print findings and the verdict.

    Exit status: 0 pass, 3 review, 4 block (1/2: bad input)."""
    from egress_review.engine import check_request
    from egress_review.engine.history import ReleaseHistory
    from egress_review.manifest import ManifestError, load_manifest

    for p in paths:
        if not p.exists():
            console.print(f"[red]{p}: no such file[/red]")
            raise typer.Exit(1)
    try:
        if len(paths) == 1 and paths[0].suffix.lower() in (".yaml", ".yml", ".json") \
                and not paths[0].name.endswith(".provenance.json"):
            manifest = load_manifest(paths[0])
            base = (root or paths[0].parent).resolve()
        else:
            base = (root or Path.cwd()).resolve()
            manifest = _adhoc_manifest(paths, base)
        hist = ReleaseHistory.from_dir(history) if history else None
    except (ManifestError, ValueError) as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(1)
    terms = []
    if pseudonyms:
        terms = [t.strip() for t in pseudonyms.read_text(encoding="utf-8").splitlines() if t.strip()]
    result = check_request(manifest, base, history=hist, case_pseudonyms=terms,
                           original_images_dir=originals)
    if as_json:
        emit_json(result.to_dict())
    else:
        from egress_review.cli_view import show

        show(result, manifest, base)
    raise typer.Exit(EXIT[result.verdict])
