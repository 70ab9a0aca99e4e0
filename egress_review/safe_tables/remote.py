"""Asking the query broker to make (and seal) a table the kernel also made.

A DataFrame fetched with ``con.sql(...).df()`` carries its query in ``df.attrs``
(``enclave_source``: connection id, SQL, parameters).  A helper given such a frame sends the
table spec and the query to the broker, which runs the aggregation on the case's data and
seals it.  The kernel keeps the broker's table only if it is exactly the table it computed
itself from the frame: a frame changed in the kernel after the query (filtered, recoded) makes
another table, which then stays unsealed with the reason - never a sealed table of other data.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

SOURCE_ATTR = "enclave_source"


def source_of(*objs: Any) -> dict | None:
    """The query behind these frames/series, if they all come from the same one."""
    found = None
    for o in objs:
        attrs = getattr(o, "attrs", None)
        src = attrs.get(SOURCE_ATTR) if isinstance(attrs, dict) else None
        if not isinstance(src, dict):
            return None
        if found is not None and src != found:
            return None
        found = src
    return found


def _connection(src: dict):
    try:
        from enclave.session.query import connection_by_id
    except ImportError:
        return None
    return connection_by_id(src.get("conn"))


def try_seal(table, frame: pd.DataFrame, src: dict | None) -> None:
    """Attach the broker's sealed copy to ``table`` when the broker makes the same table."""
    from egress_review.safe_tables.frame import csv_bytes

    if src is None:
        table.note = ("computed in the kernel from a DataFrame that did not come from a query: "
                      "unsealed, so a reviewer must confirm the units")
        return
    con = _connection(src)
    if con is None:
        table.note = "the query's connection is closed: unsealed"
        return
    try:
        got = con.aggregate(src["sql"], table.spec, params=src.get("params"))
    except Exception as e:  # noqa: BLE001 - the table stays usable, unsealed, with the reason
        table.note = f"the query broker could not make this table ({e}): unsealed"
        return
    mine = csv_bytes(table.table, table.decimals).decode("utf-8")
    if got.get("csv") != mine:
        table.note = ("the DataFrame differs from its query's result (changed in the kernel "
                      "after the query): unsealed - make the change in SQL to get a sealed table")
        return
    table.sealed = got
    table.source = src


def figure_from_broker(table, figure: dict) -> dict | None:
    """The broker draws the table's figure and seals it with its data (None: cannot)."""
    src = getattr(table, "source", None)
    con = _connection(src) if src else None
    if con is None:
        return None
    try:
        got = con.aggregate(src["sql"], table.spec, params=src.get("params"), figure=figure)
    except Exception:  # noqa: BLE001 - drawn in the kernel instead, unsealed (committee)
        return None
    return got if got.get("csv") == table.sealed["csv"] and "png" in got else None


def verify_with_broker(sidecar: dict) -> bool | None:
    """Inside a session: ask the case's broker whether the seal verifies (None: no broker)."""
    import os

    if not os.environ.get("ENCLAVE_BROKER_URL") or not (
            os.environ.get("JUPYTERHUB_API_TOKEN") or os.environ.get("ENCLAVE_JOB_TOKEN")):
        return None
    try:
        from enclave.core.http import Client
    except ImportError:
        return None
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    auth = f"token {token}" if token else f"job {os.environ['ENCLAVE_JOB_TOKEN']}"
    try:
        with Client(os.environ["ENCLAVE_BROKER_URL"], {"Authorization": auth}, timeout=30) as c:
            r = c.post("/api/verify-seal", json={"sidecar": sidecar})
    except Exception:  # noqa: BLE001 - unreachable: the pre-check says it could not verify
        return None
    if r.status_code != 200:
        return None if r.status_code == 503 else False
    return bool(r.json().get("valid"))
