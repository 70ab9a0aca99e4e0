"""Validation against the Kubernetes OpenAPI schemas (strict: unknown fields are errors), with
the schemas the ``kubernetes-validate`` package ships, so no cluster or network is needed."""
from __future__ import annotations

from typing import Any


def validate_all(objs: list[dict[str, Any]], version: str) -> list[str]:
    import kubernetes_validate.utils as kv

    problems = []
    for o in objs:
        where = f"{o.get('kind')}/{(o.get('metadata') or {}).get('namespace', '')}/" \
                f"{(o.get('metadata') or {}).get('name')}"
        try:
            kv.validate(o, version, strict=True)
        except kv.ValidationError as e:
            problems.append(f"{where}: {e.message} at {'/'.join(map(str, e.path))}")
        except Exception as e:  # noqa: BLE001 - an unknown kind or version is a failure too
            problems.append(f"{where}: {type(e).__name__}: {e}")
    return problems
