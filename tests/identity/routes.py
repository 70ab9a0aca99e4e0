"""Enumerate every HTTP route of an app (API routers and pages, nested includes too)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    int_path: tuple[str, ...]
    str_path: tuple[str, ...]
    int_query: tuple[str, ...]
    in_schema: bool


def _annotation(p) -> Any:
    return getattr(p.field_info, "annotation", None) or getattr(p, "type_", None)


def _is_int(p) -> bool:
    ann = getattr(p, "annotation", None)
    if ann is None:
        ann = getattr(getattr(p, "field_info", None), "annotation", None)
    return ann is int or str(ann) in ("int | None", "typing.Optional[int]")


def _walk(routes, prefix: str = ""):
    for r in routes:
        if isinstance(r, APIRoute):
            yield prefix, r
        elif hasattr(r, "original_router"):
            yield from _walk(r.original_router.routes, prefix + r.include_context.prefix)


def routes_of(app) -> list[RouteInfo]:
    out = []
    for prefix, r in _walk(app.router.routes):
        d = r.dependant
        params = _all_params(d)
        path_params = [p for p in params if p[0] == "path"]
        out.append(RouteInfo(path=prefix + r.path, methods=frozenset(r.methods or ()),
                             int_path=tuple(n for k, n, i in path_params if i),
                             str_path=tuple(n for k, n, i in path_params if not i),
                             int_query=tuple(n for k, n, i in params if k == "query" and i),
                             in_schema=r.include_in_schema))
    return out


def _all_params(dep, seen=None):
    seen = seen if seen is not None else set()
    res = []
    for p in dep.path_params:
        res.append(("path", p.alias or p.name, _is_int(p)))
    for p in dep.query_params:
        res.append(("query", p.alias or p.name, _is_int(p)))
    for sub in dep.dependencies:
        if id(sub) not in seen:
            seen.add(id(sub))
            res += _all_params(sub, seen)
    uniq, names = [], set()
    for k, n, i in res:
        if (k, n) not in names:
            names.add((k, n))
            uniq.append((k, n, i))
    return uniq
