"""The broker's table service: safe_tables' aggregation run next to the data, then sealed.

The session sends a query (one SELECT: the relation it fetched its DataFrame with) and a table
spec (``egress_review.safe_tables.build``: grouping variables, value, statistics, person
column, margins).  The broker checks both, logs the query with the spec through the warden
before anything runs (A3), reads only the spec's columns of the query's result, builds the
table with the same code the kernel uses, and seals the sidecar (units, missing values,
contributions, the exact CSV bytes and cell texts) with the per-case key.  The session gets
the CSV text and the sealed sidecar - aggregates only, capped like any result - and never the
key, so a seal made in the kernel cannot verify (E6).
"""
from __future__ import annotations

from typing import Any

import duckdb

from hub_config.broker import QueryRefused


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sealed_aggregate(db, purpose: Any, sql: Any, params: Any, spec: Any,
                     figure: Any = None) -> dict:
    from egress_review.safe_tables.build import check_spec, needed_columns, sealed_table
    from egress_review.safe_tables.cube import HelperError
    from egress_review.safe_tables.models import MODEL_KINDS, model_columns, sealed_model

    if db.seal_key is None:
        raise QueryRefused("this broker has no sealing key for the case: tables cannot be "
                           "sealed (the table stays unsealed in the session)", 503)
    purpose = db.check_purpose(purpose)
    sql = db._check_sql(sql)
    with db.lock:
        stmts = db.con.extract_statements(sql)
    if len(stmts) != 1 or stmts[0].type.name != "SELECT":
        raise QueryRefused("a table is made from one SELECT statement")
    if params is not None and not isinstance(params, (list, dict)):
        raise QueryRefused("params must be a JSON list or object")
    is_model = isinstance(spec, dict) and spec.get("helper") in MODEL_KINDS
    try:
        if is_model:   # the formula's grammar is checked before any name reaches SQL or a fit
            cols = model_columns(spec)
        else:
            spec = check_spec(spec)
            cols = needed_columns(spec)
    except HelperError as e:
        raise QueryRefused(f"table spec: {e}") from e
    if not cols:
        raise QueryRefused("table spec: no variables")
    inner = sql.strip().rstrip(";").strip()
    wrapped = f"SELECT {', '.join(_ident(c) for c in cols)} FROM ({inner}) AS _safe_table_source"
    with db.lock:       # the wrapped text is checked too: a query cannot close the parenthesis
        try:
            wstmts = db.con.extract_statements(wrapped)
        except duckdb.Error as e:
            raise QueryRefused(f"SQL does not parse inside a table query: {e}") from e
    if len(wstmts) != 1 or wstmts[0].type.name != "SELECT":
        raise QueryRefused("a table is made from one SELECT statement")
    db.log.query(purpose, sql, {"params": params, "safe_table": spec})  # LogRefused: not run
    with db.lock:
        try:
            rel = db.con.sql(wrapped, params=params) if params is not None else db.con.sql(wrapped)
            # through Arrow, as the session's DataFrame was: the same dtypes, the same table
            frame = rel.to_arrow_table().to_pandas()
        except duckdb.Error as e:
            raise QueryRefused(f"{type(e).__name__}: {e}") from e
    try:
        out = (sealed_model if is_model else sealed_table)(frame, spec, db.seal_key, db.case_code)
    except HelperError as e:
        raise QueryRefused(f"table spec: {e}") from e
    except Exception as e:  # noqa: BLE001 - a model that does not fit is the caller's problem
        raise QueryRefused(f"the table could not be made ({type(e).__name__}: {e})") from e
    if figure is not None:
        if is_model:
            raise QueryRefused("figures are drawn from tables, not models")
        out.update(_sealed_figure(db, frame, spec, figure, out))
    rows = len(next(iter(out["sidecar"]["cells"].values()), []))
    cells = rows * max(len(out["sidecar"]["cells"]), 1)
    if cells > db.max_rows:
        raise QueryRefused(f"the table has {cells} cells, more than {db.max_rows} "
                           f"(query_max_result_rows, A3/S1)", 413)
    if len(out["csv"]) > db.max_bytes:
        raise QueryRefused(f"the table is larger than {db.max_bytes} bytes", 413)
    return out


def _sealed_figure(db, frame, spec: dict, figure: Any, table_out: dict) -> dict:
    """Draw the table's figure here and seal it to the table's exact bytes (figure_data, E5)."""
    import base64

    from egress_review.safe_tables.build import make_table
    from egress_review.safe_tables.figures import KINDS, render
    from egress_review.safe_tables.provenance import FORMAT, VERSION, seal, table_sha256

    if not isinstance(figure, dict) or set(figure) - {"kind", "column"} \
            or figure.get("kind", "bar") not in KINDS \
            or not isinstance(figure.get("column"), (str, type(None))):
        raise QueryRefused(f"figure: {{kind: {'|'.join(KINDS)}, column: name or null}}")
    t = make_table(frame, spec)
    try:
        png = render(t.table, t.roles, kind=figure.get("kind", "bar"), column=figure.get("column"))
    except ValueError as e:
        raise QueryRefused(f"figure: {e}") from e
    body = {"format": FORMAT, "version": VERSION, "table_sha256": table_sha256(png),
            "statistic": "figure", "units": {}, "case": db.case_code,
            "figure": {"data_sha256": table_sha256(table_out["csv"].encode("utf-8")),
                       "kind": figure.get("kind", "bar"), "column": figure.get("column")}}
    return {"png": base64.b64encode(png).decode("ascii"),
            "figure_sidecar": seal(body, db.seal_key, sealed_by="broker")}
