"""Round 5: the query broker as a file reader or writer (A3, S1).

The broker's own code (``CaseDatabase`` behind ``broker_http`` on a real unix socket, the
session's own client ``enclave.session.connect``), an encrypted extract of case C1 and a second
case's extract beside it.  Every member asserts the refusal and that nothing was written or
read, and every class has an ordinary counterpart that still answers.  The broker runs in the
test's working directory (a temporary one) so DuckDB's temp directory - which DuckDB adds to
``allowed_directories`` by itself - is ``<tmp>/.tmp``, as ``/tmp/.tmp`` is in its sandbox.

Found this round and closed in ``hub_config.broker_statements``: ``EXPLAIN ANALYZE`` runs what
it explains and its kind was only EXPLAIN, so ``EXPLAIN ANALYZE COPY (SELECT * FROM patients)
TO '.tmp/x.csv'`` wrote the decrypted extract to a file; ``CREATE SECRET`` passed the filter as a
CREATE; ``UPDATE EXTENSIONS`` made the filter raise a ValueError (500 instead of a refusal).
"""
from __future__ import annotations

import os

import pandas as pd
import pyarrow as pa
import pytest

from datasets import parquet_crypto as PC
from enclave.session import QueryError, connect
from hub_config.broker import CaseDatabase
from tests.services.broker import ListLog, broker_on_socket

AUTH = "token round5-session-token-7f3a"
KEY = PC.scope_kek(b"r" * 32, PC.case_scope("C1"))
OTHER_SECRET = "zz-other-case-secret-pid-5"


def _write(df, path, case="C1", key=KEY):
    PC.write_table(pa.Table.from_pandas(df, preserve_index=False), path,
                   PC.Scope(PC.case_scope(case), key))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("r5")
    data = root / "C1" / "data"
    data.mkdir(parents=True)
    _write(pd.DataFrame({"pid": ["a", "b", "c"], "age": [30, 40, 50]}), data / "patients.parquet")
    (data / "dictionary.json").write_text("{}")
    other = root / "C2" / "data"
    other.mkdir(parents=True)
    (other / "secret.csv").write_text(f"pid\n{OTHER_SECRET}\n")
    # a link in the extract to a file outside it (a delivery mistake): DuckDB must not follow
    os.symlink(other / "secret.csv", data / "link.csv")
    cwd = os.getcwd()
    os.chdir(root)   # DuckDB's temp directory '.tmp' is relative to it, as in the sandbox
    try:
        log = ListLog()
        db = CaseDatabase(data, log, max_rows=1000, max_bytes=1_000_000, purpose_min_length=10,
                          case_code="C1", data_key=KEY)
    finally:
        os.chdir(cwd)
    with broker_on_socket(db, AUTH, root / "broker.sock") as url:
        yield {"url": url, "log": log, "db": db, "data": data, "other": other, "root": root,
               "tmp": root / ".tmp"}


@pytest.fixture
def con(world):
    return connect("round five probes of the broker", url=world["url"], authorization=AUTH)


def _files(world) -> set[str]:
    out = set()
    for base in (world["root"],):
        for dirpath, _dirs, files in os.walk(base):
            out |= {os.path.join(dirpath, f) for f in files}
    return out


def _fmt(sql: str, world) -> str:
    return sql.format(data=world["data"], other=world["other"], tmp=world["tmp"],
                      root=world["root"])


def _refused(con, world, sql, match):
    before = _files(world)
    n = len(world["log"].records)
    with pytest.raises(QueryError, match=match) as e:
        con.sql(_fmt(sql, world)).fetchall()
    assert _files(world) == before, "a refused statement wrote a file"
    assert OTHER_SECRET not in str(e.value)
    # the views still answer (nothing unlocked, nothing dropped)
    assert con.sql("select count(*) from patients").fetchall() == [(3,)]
    return e.value, world["log"].records[n:]


# --- statements a query or scratch table cannot be: refused before anything is logged or run
WRITES_AND_SETTINGS = {
    "explain_analyze_copy_tmp": "EXPLAIN ANALYZE COPY (SELECT * FROM patients) TO '{tmp}/x.csv'",
    "explain_analyze_copy_relative": "EXPLAIN ANALYZE COPY (SELECT * FROM patients) TO '.tmp/y.csv'",
    "explain_analyze_copy_data": "EXPLAIN ANALYZE COPY (SELECT * FROM patients) TO '{data}/x.csv'",
    "explain_options_copy": "EXPLAIN (ANALYZE, FORMAT json) COPY patients TO '{tmp}/z.parquet'",
    "explain_comments_copy": "/* a */ EXPLAIN -- b\n ANALYSE /* c */ COPY patients TO '{tmp}/c.csv'",
    "explain_lower_copy": "explain analyze copy patients to '{tmp}/l.csv' (format csv)",
    "explain_plain_copy": "EXPLAIN COPY patients TO '{tmp}/p.csv'",
    "explain_analyze_install": "EXPLAIN ANALYZE INSTALL httpfs",
    "explain_analyze_set": "EXPLAIN ANALYZE SET threads = 1",
    "explain_analyze_call": "EXPLAIN ANALYZE CALL pragma_version()",
    "after_select_explain_copy": "SELECT 1; EXPLAIN ANALYZE COPY patients TO '{tmp}/s.csv'",
    "create_temporary_secret": "CREATE TEMPORARY SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "create_persistent_secret": "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "create_or_replace_secret": "CREATE OR REPLACE SECRET s (TYPE s3)",
    "create_comment_secret": "CREATE /* x */ TEMP SECRET s (TYPE s3)",
    "drop_secret": "DROP SECRET s",
    "drop_persistent_secret": "DROP PERSISTENT SECRET s",
    "update_extensions": "UPDATE EXTENSIONS",
    "force_install": "FORCE INSTALL httpfs",
    "copy": "COPY patients TO '{tmp}/k.csv'",
    "copy_from": "COPY patients FROM '{other}/secret.csv'",
    "export": "EXPORT DATABASE '{tmp}/exp'",
    "import": "IMPORT DATABASE '{tmp}'",
    "attach": "ATTACH '{tmp}/a.duckdb'",
    "attach_memory": "ATTACH ':memory:' AS m2",
    "detach": "DETACH memory",
    "use": "USE memory",
    "set_access": "SET enable_external_access = true",
    "set_dirs": "SET allowed_directories = ['/']",
    "set_temp": "SET temp_directory = '{root}'",
    "reset": "RESET allowed_directories",
    "set_variable": "SET VARIABLE v = 1",
    "pragma": "PRAGMA enable_profiling",
    "call": "CALL pragma_version()",
    "checkpoint": "CHECKPOINT",
    "vacuum": "VACUUM",
    "analyze": "ANALYZE",
    "prepare_copy": "PREPARE p AS COPY patients TO '{tmp}/q.csv'",
    "prepare_select": "PREPARE p AS SELECT 1",
    "execute": "EXECUTE p",
    "deallocate": "DEALLOCATE p",
    "alter_view": "ALTER VIEW patients RENAME TO p2",
    "comment_on": "COMMENT ON VIEW patients IS 'x'",
    "begin": "BEGIN TRANSACTION",
    "merge": "MERGE INTO t USING patients s ON t.pid = s.pid WHEN MATCHED THEN DELETE",
    "load": "LOAD httpfs",
}


@pytest.mark.parametrize("sql", WRITES_AND_SETTINGS.values(), ids=WRITES_AND_SETTINGS.keys())
def test_statements_that_are_not_queries_are_refused_before_the_record(con, world, sql):
    err, logged = _refused(con, world, sql, r"not allowed|refused")
    assert str(err).endswith("(403)")
    # refused before the record: nothing of it was logged, so nothing of it ran
    assert not any(r[0] == "query" and r[2] == _fmt(sql, world) for r in logged)


# --- reads outside the extract: DuckDB's lock-down (external access, allowed directories)
READS = {
    "read_csv_passwd": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text_environ": "SELECT * FROM read_text('/proc/self/environ')",
    "read_blob_other": "SELECT * FROM read_blob('{other}/secret.csv')",
    "read_blob_dotdot": "SELECT * FROM read_blob('{data}/../../C2/data/secret.csv')",
    "read_text_link_in_extract": "SELECT * FROM read_text('{data}/link.csv')",
    "read_csv_link_in_extract": "SELECT * FROM read_csv('{data}/link.csv')",
    "glob_root": "SELECT * FROM glob('/*')",
    "glob_other": "SELECT * FROM glob('{other}/*')",
    "file_url": "SELECT * FROM parquet_scan('file://{other}/secret.csv')",
    "http_url": "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
    "s3_url": "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
    "replacement_scan": "SELECT * FROM '{other}/secret.csv'",
    "query_table_path": "SELECT * FROM query_table('{other}/secret.csv')",
    "query_string": "SELECT * FROM query('SELECT * FROM read_text(''{other}/secret.csv'')')",
    "query_string_copy": "SELECT * FROM query('COPY patients TO ''{tmp}/w.csv''')",
    "cte": "WITH x AS (SELECT * FROM read_text('{other}/secret.csv')) SELECT * FROM x",
    "subquery_in": "SELECT * FROM patients WHERE pid IN (SELECT content FROM read_text('/etc/hostname'))",
    "read_duckdb": "SELECT * FROM read_duckdb('{other}/secret.csv')",
    "sniff_csv": "SELECT * FROM sniff_csv('{other}/secret.csv')",
    "parquet_metadata_other": "SELECT * FROM parquet_metadata('{other}/secret.csv')",
    "secrets": "SELECT * FROM duckdb_secrets()",
    "which_secret": "SELECT * FROM which_secret('s3://b/x', 's3')",
    "extensions": "SELECT * FROM duckdb_extensions()",
    "getenv": "SELECT getenv('ENCLAVE_DATA_KEY')",
    "fullwidth_keyword": "ＣＯＰＹ patients TO '{tmp}/f.csv'",
    "comment_split": "CO/**/PY patients TO '{tmp}/g.csv'",
}


@pytest.mark.parametrize("sql", READS.values(), ids=READS.keys())
def test_reads_outside_the_extract_are_refused(con, world, sql):
    _refused(con, world, sql, r"Permission|not allowed|does not exist|not in the catalog|"
                              r"parse|Parser|syntax|Catalog|single SELECT")


MACROS = {
    "table_macro": ("CREATE OR REPLACE MACRO m5() AS TABLE SELECT * FROM read_text('{other}/secret.csv')",
                    "SELECT * FROM m5()"),
    "scalar_macro": ("CREATE OR REPLACE MACRO s5(p) AS (SELECT content FROM read_text(p))",
                     "SELECT s5('{other}/secret.csv')"),
    "view": ("CREATE OR REPLACE VIEW v5 AS SELECT * FROM read_blob('/etc/passwd')",
             "SELECT * FROM v5"),
    "ctas": ("CREATE OR REPLACE TABLE t5 AS SELECT * FROM read_csv('{other}/secret.csv')",
             "SELECT * FROM t5"),
    "insert": ("CREATE OR REPLACE TABLE i5 (c VARCHAR)",
               "INSERT INTO i5 SELECT content FROM read_text('{other}/secret.csv')"),
}


@pytest.mark.parametrize("make, use", MACROS.values(), ids=MACROS.keys())
def test_a_macro_view_or_table_does_not_hide_a_read(con, world, make, use):
    try:
        con.sql(_fmt(make, world))   # a macro binds lazily: making it may pass
    except QueryError as e:
        assert "Permission" in str(e)
        return
    _refused(con, world, use, r"Permission|does not exist")


# --- what the broker says about itself names no key, token or other case
LISTINGS = ["duckdb_settings()", "duckdb_databases()", "duckdb_views()", "duckdb_tables()",
            "duckdb_functions()", "duckdb_memory()", "duckdb_indexes()",
            "duckdb_schemas()", "duckdb_types()", "pragma_database_size()"]


@pytest.mark.parametrize("listing", LISTINGS)
def test_catalog_listings_name_no_key_token_or_other_case(con, world, listing):
    # every row as text, searched in the broker (duckdb_functions() is over the row cap)
    total = con.sql(f"SELECT count(*) FROM {listing} t").fetchall()[0][0]
    assert total >= 1 or listing in ("duckdb_indexes()", "duckdb_types()")
    if listing == "duckdb_views()":   # the search finds what is there: the extract's view
        assert con.execute("SELECT count(*) FROM duckdb_views() t WHERE position(? IN "
                           "CAST(t AS VARCHAR)) > 0", ["_pq_patients"]).fetchall() != [(0,)]
    for secret in (KEY.hex(), AUTH, "round5-session-token", str(world["other"]), OTHER_SECRET):
        hits = con.execute(f"SELECT count(*) FROM {listing} t WHERE "
                           f"position(? IN CAST(t AS VARCHAR)) > 0", [secret]).fetchall()
        assert hits == [(0,)], f"{listing} shows {secret[:12]}…"


# --- ordinary use keeps working
ORDINARY = {
    "explain": ("EXPLAIN SELECT * FROM patients", None),
    "explain_analyze": ("EXPLAIN ANALYZE SELECT count(*) FROM patients", None),
    "explain_options": ("EXPLAIN (FORMAT json) SELECT age FROM patients", None),
    "explain_comment": ("/* plan */ EXPLAIN ANALYZE -- the cost\n SELECT 1", None),
    "explain_create": ("EXPLAIN ANALYZE CREATE OR REPLACE TABLE e5 AS SELECT 1 AS x", None),
    "create_table": ("CREATE OR REPLACE TEMP TABLE o5 AS SELECT * FROM patients", None),
    "create_view": ("CREATE OR REPLACE VIEW ov5 AS SELECT age FROM patients", None),
    "create_macro": ("CREATE OR REPLACE MACRO twice(x) AS x * 2", None),
    "create_table_macro": ("CREATE OR REPLACE MACRO old() AS TABLE SELECT * FROM patients "
                           "WHERE age > 35", None),
    "create_type": ("CREATE TYPE IF NOT EXISTS band AS ENUM ('young', 'old')", None),
    "create_sequence": ("CREATE SEQUENCE IF NOT EXISTS seq5", None),
    "create_schema": ("CREATE SCHEMA IF NOT EXISTS scratch5", None),
    "drop_table": ("CREATE OR REPLACE TABLE d5 AS SELECT 1; DROP TABLE d5", None),
    "insert_update_delete": ("CREATE OR REPLACE TABLE u5 (x INT); INSERT INTO u5 VALUES (1);"
                             " UPDATE u5 SET x = 2; DELETE FROM u5", None),
    "own_blob": ("SELECT size FROM read_blob('{data}/dictionary.json')", [(2,)]),
    "own_glob": ("SELECT count(*) FROM glob('{data}/*.parquet')", [(1,)]),
    "own_text": ("SELECT content FROM read_text('{data}/dictionary.json')", [("{}",)]),
    "summarize": ("SUMMARIZE patients", None),
    "describe": ("DESCRIBE patients", None),
    "show": ("SHOW TABLES", None),
    "cte": ("WITH y AS (SELECT age FROM patients) SELECT max(age) FROM y", [(50,)]),
    "query_table": ("SELECT count(*) FROM query_table('patients')", [(3,)]),
    "query_string": ("SELECT * FROM query('SELECT count(*) FROM patients')", [(3,)]),
    "settings_read": ("SELECT current_setting('threads') > 0", [(True,)]),
}


@pytest.mark.parametrize("sql, want", ORDINARY.values(), ids=ORDINARY.keys())
def test_ordinary_queries_and_scratch_work(con, world, sql, want):
    rel = con.sql(_fmt(sql, world))
    got = rel.fetchall() if rel is not None else None
    if want is not None:
        assert got == want
    assert con.sql("SELECT twice(21)").fetchall() == [(42,)] if sql.startswith(
        "CREATE OR REPLACE MACRO twice") else True
