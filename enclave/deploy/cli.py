"""``enclave deploy k8s``: write the cluster manifests rendered from the policy in force."""
from __future__ import annotations

from pathlib import Path

import typer

deploy_app = typer.Typer(help="Deployment manifests rendered from the policy.", no_args_is_help=True)


@deploy_app.command("k8s")
def k8s_cmd(out: Path = typer.Option(..., "--out", help="Directory for the manifests."),
            image: str = typer.Option("nhi-enclave:latest", "--image"),
            namespace: str = typer.Option("nhi-enclave", "--namespace"),
            sessions_namespace: str = typer.Option("nhi-sessions", "--sessions-namespace"),
            kubernetes_version: str = typer.Option("1.33", "--kubernetes-version")):
    """Render every object (and one example session) as YAML; validate them first."""
    import yaml
    from pydantic import ValidationError

    from enclave.deploy.k8s import K8sConfig, render_all
    from enclave.deploy.k8s.validate import validate_all
    from policies import current_policy

    try:
        cfg = K8sConfig(image=image, namespace=namespace, sessions_namespace=sessions_namespace,
                        kubernetes_version=kubernetes_version)
    except ValidationError as e:
        typer.echo(f"refused: {e}", err=True)
        raise typer.Exit(2)
    objs = render_all(current_policy(), cfg)
    problems = validate_all(objs, cfg.kubernetes_version)
    if problems:
        for p in problems:
            typer.echo(f"invalid: {p}", err=True)
        raise typer.Exit(1)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    for i, o in enumerate(objs):
        name = f"{i:02d}-{o['kind'].lower()}-{o['metadata'].get('namespace', '_')}-{o['metadata']['name']}.yaml"
        (out / name).write_text(yaml.safe_dump(o, sort_keys=False, allow_unicode=True), encoding="utf-8")
    typer.echo(f"{len(objs)} objects written to {out} (valid for Kubernetes {cfg.kubernetes_version})")
