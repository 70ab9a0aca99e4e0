"""Which statements the broker may start while their audit record is still being written.

The broker runs a query only once the warden has its record durable (A3); to hide the record's
latency (issue 18) a statement may start at the same time *if and only if* it provably changes
nothing in the broker's DuckDB connection, so that interrupting it on a refused record leaves
the connection as if it had never been sent.  Default deny: anything this module cannot prove
read-only waits for the record, as every statement did before.

Proved read-only: one SELECT statement whose parse tree (DuckDB's ``json_serialize_sql``)
holds only select / set-operation / CTE nodes, base-table, join, subquery and VALUES
references, no sampling (it draws on the connection's random state), and calls only DuckDB's
own scalar, aggregate and window functions that DuckDB marks free of side effects (so not
``nextval``, ``setseed``, ``random``, nor the broker's ``dicom_file``, nor any researcher's
macro - and no built-in name a macro shadows).  A base table must be the extract's own view,
unchanged since the broker made it, or a researcher's plain table (reading a table calls
nothing; a researcher's view could, so views other than the extract's wait), or a CTE of the
statement itself whose name no view shadows.  Table functions (``query``, ``range``,
``read_parquet`` ...) and qualified names wait.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

NODES = {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"}
REFS = {"BASE_TABLE", "JOIN", "SUBQUERY", "EMPTY", "EXPRESSION_LIST"}
CACHE_MAX = 512


@dataclass(frozen=True)
class Catalog:
    """What a statement may call and read without changing anything; taken afresh after any
    statement that was not proved read-only (only those can change the catalog)."""
    functions: frozenset[str]
    tables: frozenset[str]
    names: frozenset[str]   # every view and table name, to refuse a CTE shadowing one


def own_views(con, names) -> dict[str, str]:
    """The extract's views as the broker made them (name -> definition)."""
    rows = con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall()
    return {n: s for n, s in rows if n in set(names)}


def builtin_functions(con) -> frozenset[str]:
    """DuckDB's own scalar, aggregate and window functions free of side effects in every
    overload (taken once: listing the functions costs ~15 ms of CPU)."""
    return frozenset(f for (f,) in con.execute(
        "SELECT function_name FROM duckdb_functions() WHERE internal GROUP BY function_name "
        "HAVING bool_and(has_side_effects IS NOT NULL AND NOT has_side_effects "
        "AND function_type IN ('scalar', 'aggregate', 'window'))").fetchall())


def user_functions(con) -> frozenset[str]:
    """Names of functions that are not DuckDB's (macros, the broker's own): a macro may shadow
    a built-in's name.  Only a CREATE statement can add one."""
    return frozenset(f for (f,) in con.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions() WHERE NOT internal").fetchall())


def catalog(con, own: dict[str, str], builtins: frozenset[str],
            user: frozenset[str]) -> Catalog:
    views: dict[str, list[str]] = {}
    for n, s in con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal"
                            ).fetchall():
        views.setdefault(n, []).append(s)
    tables = {n for (n,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    safe = {t for t in tables if t not in views}
    safe |= {n for n, s in own.items() if views.get(n) == [s] and n not in tables}
    return Catalog(builtins - user, frozenset(safe), frozenset(tables | set(views)))


def _ctes(tree) -> set[str]:
    out: set[str] = set()
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            for entry in (x.get("cte_map") or {}).get("map", []):
                out.add(entry.get("key"))
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return out


def _ok(tree, cat: Catalog, ctes: set[str]) -> bool:
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, list):
            stack.extend(x)
            continue
        if not isinstance(x, dict):
            continue
        if "function_name" in x:
            if x.get("schema") or x.get("catalog") or x["function_name"] not in cat.functions:
                return False
        if "sample" in x:   # a query node or a table reference
            if x["sample"] is not None:
                return False
            kind = x.get("type")
            if kind not in NODES and kind not in REFS:
                return False
            if kind == "BASE_TABLE":
                if x.get("schema_name") or x.get("catalog_name") or x.get("at_clause"):
                    return False
                name = x.get("table_name")
                if name not in cat.tables and not (name in ctes and name not in cat.names):
                    return False
        stack.extend(x.values())
    return True


def read_only(con, sql: str, cat: Catalog) -> bool:
    """True only if ``sql`` (already checked to be exactly one SELECT) is proved read-only."""
    out = con.execute("SELECT json_serialize_sql(?)", [sql]).fetchall()
    try:
        tree = json.loads(out[0][0])
    except (ValueError, IndexError, TypeError):
        return False
    stmts = tree.get("statements") if isinstance(tree, dict) else None
    if tree.get("error") or not isinstance(stmts, list) or len(stmts) != 1:
        return False
    return _ok(stmts[0], cat, _ctes(stmts[0]))
