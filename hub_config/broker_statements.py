"""Which statements the query broker runs (A3, S1): queries and in-memory scratch objects only.

DuckDB's parser names each statement's kind; the kind alone hid two exits (round 5):

* ``EXPLAIN ANALYZE`` runs the statement it explains, and its kind is ``EXPLAIN`` whatever
  that statement is - ``EXPLAIN ANALYZE COPY (SELECT * FROM claims) TO '/tmp/.tmp/x.csv'``
  wrote the decrypted extract to a file (DuckDB adds its temp directory, ``/tmp/.tmp`` in the
  broker, to ``allowed_directories``; ``/case/data`` is writable to DuckDB too and only the
  read-only mount stopped it).  The explained statement is now parsed on its own and must be
  a query or scratch statement itself.
* ``CREATE``/``DROP`` cover ``CREATE [PERSISTENT] SECRET`` (credentials, a file in the
  secret directory) as well as tables and macros: the object after the keyword is read, and
  only scratch objects pass.

A statement whose kind this DuckDB cannot name (``UPDATE EXTENSIONS`` raised ValueError, a
500) is refused like any other kind not listed.  Tokens come from ``duckdb.tokenize``, so a
comment or odd spacing between keywords is skipped the way the parser skips it.
"""
from __future__ import annotations

import duckdb

ALLOWED = frozenset({"SELECT", "EXPLAIN", "CREATE", "INSERT", "UPDATE", "DELETE", "DROP"})
# what CREATE/DROP may make or remove: objects of the broker's in-memory database
SCRATCH_OBJECTS = frozenset({"TABLE", "VIEW", "MACRO", "FUNCTION", "TYPE", "SEQUENCE",
                             "INDEX", "SCHEMA"})
# words that may stand between CREATE/DROP and the object's kind
_MODIFIERS = frozenset({"OR", "REPLACE", "TEMP", "TEMPORARY", "UNIQUE", "IF", "NOT", "EXISTS"})


class Refused(ValueError):
    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


def _words(text: str) -> list[tuple[int, str]]:
    """(offset, upper-cased token) of every token but comments."""
    toks = duckdb.tokenize(text)
    out = []
    for i, (pos, kind) in enumerate(toks):
        if kind == duckdb.token_type.comment:
            continue
        end = toks[i + 1][0] if i + 1 < len(toks) else len(text)
        out.append((pos, text[pos:end].strip().upper()))
    return out


def _kind(st) -> str:
    try:
        return st.type.name
    except ValueError:   # a kind newer than the Python binding's list
        return "UNKNOWN"


def _not_allowed(kind: str) -> Refused:
    return Refused(f"{kind} statements are not allowed through the case connection (only "
                   f"queries and in-memory scratch tables)")


def _object_kind(words: list[tuple[int, str]]) -> str:
    for _pos, w in words[1:]:
        if w not in _MODIFIERS:
            return w
    return ""


def _explained(con, text: str):
    """The statement an EXPLAIN statement explains (parsed), or Refused."""
    words = _words(text)
    i = 1 if words and words[0][1] == "EXPLAIN" else None
    if i is None:
        raise Refused("EXPLAIN statement not understood: refused")
    if i < len(words) and words[i][1] in ("ANALYZE", "ANALYSE"):
        i += 1
    if i < len(words) and words[i][1] == "(":   # EXPLAIN (ANALYZE, FORMAT json) ...
        depth = 0
        while i < len(words):
            depth += {"(": 1, ")": -1}.get(words[i][1], 0)
            i += 1
            if depth == 0:
                break
    if i >= len(words):
        raise Refused("EXPLAIN of nothing: refused")
    inner = con.extract_statements(text[words[i][0]:])
    if len(inner) != 1:
        raise Refused("EXPLAIN of more than one statement: refused")
    return inner[0]


def check(con, statement) -> str:
    """The statement's kind if the broker may run it, else Refused (403)."""
    kind = _kind(statement)
    if kind not in ALLOWED:
        raise _not_allowed(kind)
    if kind == "EXPLAIN":
        inner = _explained(con, statement.query)
        inner_kind = _kind(inner)
        if inner_kind == "EXPLAIN":
            raise Refused("EXPLAIN of an EXPLAIN: refused")
        check(con, inner)   # EXPLAIN ANALYZE runs it: the same rules as run alone
    elif kind in ("CREATE", "DROP"):
        obj = _object_kind(_words(statement.query))
        if obj not in SCRATCH_OBJECTS:
            raise Refused(f"{kind} {obj or '?'} is not allowed through the case connection "
                          f"(only in-memory scratch tables, views and macros)")
    return kind


def kinds(con, sql: str) -> list[str]:
    """Every statement's kind, or Refused naming the first one not allowed.  ``con`` is only
    parsed with (the caller holds its lock)."""
    try:
        stmts = con.extract_statements(sql)
    except duckdb.Error as e:
        raise Refused(f"SQL does not parse: {e}", 400) from e
    if not stmts:
        raise Refused("no SQL statement", 400)
    try:
        return [check(con, st) for st in stmts]
    except duckdb.Error as e:   # the explained part does not parse on its own
        raise Refused(f"SQL does not parse: {e}", 400) from e
