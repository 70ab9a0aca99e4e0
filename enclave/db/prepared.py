"""Core statements compiled once and run on the DB-API cursor of a SQLAlchemy connection.

The warden writes a record before every session query (issue 18), and each Core ``execute``
spent several times SQLite's own time in SQLAlchemy's per-call machinery (execution context,
parameter coercion, result metadata).  A :class:`Prepared` statement is compiled by SQLAlchemy
once per dialect and set of columns - the same SQL text, binds and type conversions Core would
send - and then run on the connection's driver cursor, inside the connection's own transaction.
The drivers keep the statement prepared (sqlite3's statement cache; psycopg prepares a query
it has run a few times on a connection).

Only what can be compiled ahead is accepted: an expanding ``IN`` (its placeholder count is
known only per call) is refused when the statement is first compiled.
"""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy.engine import Connection


class _Compiled:
    def __init__(self, stmt, dialect, keys: Sequence[str] | None) -> None:
        c = stmt.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        if any(b.expanding for b in c.binds.values()):
            raise ValueError("a prepared statement cannot hold an expanding IN: "
                             "write the constants as separate comparisons")
        self.sql = c.string
        # per placeholder: (the caller's key or None, processor, constant already processed)
        self.names = tuple(c.positiontup if c.positional else dict.fromkeys(c.bind_names.values()))
        self.slots = []
        for name in self.names:
            b = c.binds[name]
            proc = b.type.dialect_impl(dialect).bind_processor(dialect)
            if b.required:
                self.slots.append((b.key, proc, None))
            else:
                v = b.effective_value
                self.slots.append((None, None, proc(v) if proc else v))
        self.positional = c.positional
        cols = getattr(stmt, "selected_columns", None)
        self.fields = tuple(col.key for col in cols) if stmt.is_select else ()
        self.results = tuple(col.type.dialect_impl(dialect).result_processor(dialect, None)
                             for col in cols) if stmt.is_select else ()

    def params(self, values: dict[str, Any]):
        try:
            got = [const if key is None else proc(values[key]) if proc else values[key]
                   for key, proc, const in self.slots]
        except KeyError as e:
            raise ValueError(f"no value for the statement's parameter {e.args[0]!r}") from None
        return tuple(got) if self.positional else dict(zip(self.names, got))


class Prepared:
    """One Core statement, compiled per dialect (and, for INSERT/UPDATE, per set of columns
    given): ``execute`` runs it, ``rows`` returns its result rows converted as Core would."""

    def __init__(self, stmt) -> None:
        self.stmt = stmt
        self._compiled: dict[tuple, _Compiled] = {}

    def _for(self, conn: Connection, values: dict[str, Any]) -> _Compiled:
        # per engine's dialect (its settings shape the SQL and the conversions); a process that
        # makes many engines (tests) forgets the old ones' forms
        dialect = conn.dialect
        keys = None if self.stmt.is_select else tuple(values)
        got = self._compiled.get((dialect, keys))
        if got is None:
            if len(self._compiled) >= 16:
                self._compiled.clear()
            got = self._compiled[(dialect, keys)] = _Compiled(self.stmt, dialect, keys)
        return got

    @staticmethod
    def _cursor(conn: Connection):
        # the driver's cursor bypasses Core's autobegin: begin as Core would, so the statement
        # is in the connection's transaction (on SQLite: BEGIN IMMEDIATE, the write lock)
        if not conn.in_transaction():
            conn.begin()
        return conn.connection.driver_connection.cursor()

    def execute(self, conn: Connection, values: dict[str, Any] | None = None) -> int:
        """Run in ``conn``'s transaction (begun if none is); the number of rows it changed."""
        c = self._for(conn, values or {})
        cur = self._cursor(conn)
        try:
            cur.execute(c.sql, c.params(values or {}))
            return cur.rowcount
        finally:
            cur.close()

    def rows(self, conn: Connection, values: dict[str, Any] | None = None) -> list[tuple]:
        """The SELECT's rows as plain tuples in its column order, values converted by their
        column types (``fields`` names them)."""
        c = self._for(conn, values or {})
        cur = self._cursor(conn)
        try:
            cur.execute(c.sql, c.params(values or {}))
            got = cur.fetchall()
        finally:
            cur.close()
        procs = c.results
        if not any(procs):
            return [tuple(r) for r in got]
        return [tuple(p(v) if p else v for p, v in zip(procs, r)) for r in got]

    def fields(self, conn: Connection) -> tuple[str, ...]:
        return self._for(conn, {}).fields
