"""The load's engine: one DuckDB scan per source file into a typed temp table, the Python work
(free-text scrubbing, DICOM cleaning) in a worker thread, and the writer thread that joins the
keyed maps and writes Parquet (the flow is described in :mod:`datasets.load.loader`)."""
from __future__ import annotations

import csv
import time
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from datasets import keyring
from datasets import dicom_crypto as DC
from datasets import parquet_crypto as PC
from datasets.load import residual
from datasets.load import sql as S
from datasets.load.ranges import readable
from datasets.load.files import (LoadError, SourceFile, encoding_error)
from datasets.schemas.model import Family
from deidentify import keys as K

from datasets.load.reports import FileReport

# de-identification refusals whose message the project composes (no file content in it)
_OWN_REASONS = {"HeldForReview", "OcrUnavailable"}


@dataclass
class _Scanned:
    """A file scanned into its temp table ``a<n>``, waiting for its Python-side work."""
    sf: SourceFile
    rep: FileReport
    n: int
    header_lines: int
    recode: list
    texts: list
    dicoms: list
    rejects: list               # the reader's rejects: (line, column, error type, message)
    job: Future | None = None   # scrubbing / DICOM in the worker thread; None: nothing to do

    def ready(self) -> bool:
        return self.job is None or self.job.done()


class _Loader:
    SCRUB_CACHE = 2_000_000   # distinct texts kept between files (memory bound)
    MAX_HELD = 6              # scanned files not yet written (each holds its table in memory)
    MAX_WAITING = 3           # of which waiting for the worker, before others are scanned first

    def __init__(self, con, build: Path, src: Path, release: str, policy, actions, master: bytes,
                 quarantine: csv.writer, scope: PC.Scope):
        self.main_con, self.build, self.src, self.release = con, build, src, release
        self.scope = scope   # encrypted at rest (or not) with the release's key
        self._local = threading.local()   # each thread's DuckDB connection and step clock
        self._lock = threading.Lock()     # the step timings, shared by the two lanes
        self._cursors: list = []          # the writer's, closed with the loader
        self.policy, self.actions = policy, actions
        self.hex = policy.data.pseudonym_hex_chars
        self.rkey = K.release_key(master, release)
        self.q = quarantine
        self.maps: set[str] = set()
        self.scrubbed: dict[str, str] = {}   # source text -> scrubbed text, across files (worker)
        self.params: dict[str, dict[str, bytes]] = {}
        self.dicom_files = 0
        self.n = 0
        self.timings: dict[str, float] = {}
        self.cpu_timings: dict[str, float] = {}   # process CPU seconds (all threads) per step
        self.worker_timings: dict[str, float] = {}  # wall seconds the worker spent, overlapped
        self.worker_cpu: dict[str, float] = {}      # CPU seconds of the worker thread itself
        # One worker thread does the Python-side de-identification (free text, DICOM) of a
        # scanned file while the main thread has DuckDB (which frees the GIL) scan the next; it
        # gets values and returns tables, never touching DuckDB.  A writer thread, on a cursor
        # of its own, writes the scanned files that are ready while the main thread scans on:
        # two statements at a time fill the single-threaded ends of each other's pipelines.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deidentify")
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write",
                                         initializer=self._writer_cursor)
        self.quarantined: dict[str, list[list]] = {}   # unit -> rows, written in source order
        self.reader_rows: dict[str, int] = {}   # unit -> how many of them are reader rejects

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        return getattr(self._local, "con", None) or self.main_con

    def _writer_cursor(self) -> None:
        self._local.con = self.main_con.cursor()
        self._cursors.append(self._local.con)
        self._local.con.execute("SET enable_progress_bar = false")
        # the write sorts by rowid itself; elsewhere in the writer order is free
        self._local.con.execute("SET SESSION preserve_insertion_order = false")

    def close(self) -> None:
        self.worker.shutdown(wait=True, cancel_futures=True)
        self.writer.shutdown(wait=True, cancel_futures=True)
        for cur in self._cursors:   # the writer is done with it: free the in-memory tables
            cur.close()

    def scrubs_text(self, sf: SourceFile) -> bool:
        return self.policy.data.free_text_scrub and any(
            self.actions[sf.family.name][c.name] == "scrub" and c.type == "text" for c in sf.family.columns)

    def has_dicom(self, sf: SourceFile) -> bool:
        return self.policy.data.dicom_mask_burned_in_text and any(
            self.actions[sf.family.name][c.name] == "scrub" and c.type == "dicom"
            for c in sf.family.columns)

    def warm_up(self, files: list[SourceFile]) -> None:
        """Load the scrubber's models (~3 s of Python) in the worker while DuckDB parses."""
        if any(self.scrubs_text(sf) for sf in files):
            self.worker.submit(self._timed, "scrub", _warm_scrubber)

    def _timed(self, step: str, fn, *args):
        t, c = time.perf_counter(), time.thread_time()
        try:
            return fn(*args)
        finally:
            self.worker_timings[step] = round(self.worker_timings.get(step, 0.0)
                                              + time.perf_counter() - t, 3)
            self.worker_cpu[step] = round(self.worker_cpu.get(step, 0.0)
                                          + time.thread_time() - c, 3)

    def _tick(self, step: str) -> None:
        """Charge the time since this thread's last tick to ``step`` (the lanes overlap, so
        the steps' sums exceed the load's wall and CPU time)."""
        now, cpu = time.perf_counter(), time.process_time()
        t, c = getattr(self._local, "clock", (now, cpu))
        with self._lock:
            self.timings[step] = round(self.timings.get(step, 0.0) + now - t, 3)
            self.cpu_timings[step] = round(self.cpu_timings.get(step, 0.0) + cpu - c, 3)
        self._local.clock = (now, cpu)

    def _map(self, id_class: str) -> str:
        """Table ``map_<class>(v, ok, p)``: identifier, valid?, pseudonym; kept across files.
        Only the main thread adds to it; the writer reads it (an in-memory database: tables
        rather than temp tables, which only their own connection sees)."""
        t = f"map_{id_class}"
        if id_class not in self.maps:
            self.con.execute(f"CREATE TABLE {t} (v VARCHAR, ok BOOLEAN, p VARCHAR)")
            self.maps.add(id_class)
        return t

    def _pads(self, id_class: str) -> dict[str, bytes]:
        """The HMAC pads of one identifier class's key, as named query parameters."""
        if id_class not in self.params:
            i, o = keyring.hmac_pads(keyring.class_key(self.rkey, id_class))
            self.params[id_class] = {f"{id_class}_i": i, f"{id_class}_o": o}
        return self.params[id_class]

    def _source_sql(self, sf: SourceFile, rej: str) -> tuple[str, int]:
        """SQL of the validated source rows (all columns + ``_why``) and the header line count.

        CSV: decimals are typed by the reader, so a bad decimal is a reader reject
        with its line; everything else is text checked by ``_why`` (first failing check).
        """
        fam = sf.family
        common = (f"auto_detect=false, store_rejects=true, rejects_table='{rej}', "
                  f"rejects_scan='{rej}_scan', rejects_limit=0")
        path = S.lit(str(sf.readable))
        checks = []
        if sf.fixed_width:
            src = (f"read_csv({path}, columns={{'_line': 'VARCHAR'}}, header=false, delim='\\x1f', "
                   f"quote='', escape='', {common})")
            cols = ", ".join(f"NULLIF(trim(substr(_line, {start}, {c.width})), '') AS {S.q(c.name)}"
                             for c, start in fam.offsets())
            inner = f"SELECT length(_line) AS _len, {cols} FROM {src}"
            checks.append((f"_len <> {fam.line_width}",
                           f"(line)\tline has the wrong length for the fixed-width layout "
                           f"(expected {fam.line_width} characters)"))
            typed: set[str] = set()
            header_lines = 0
        else:
            # decimals typed by the reader; integers are text checked by a pattern, because the
            # reader's integer cast rounds ('1.5' -> 2) instead of rejecting
            typed = {c.name for c in fam.columns if c.type == "dec"}
            kinds = {c.name: c.sql_type if c.name in typed else "VARCHAR" for c in fam.columns}
            types = ", ".join(f"{S.lit(h)}: {S.lit(kinds.get(h, 'VARCHAR'))}" for h in sf.header or fam.names)
            src = (f"read_csv({path}, header=true, columns={{{types}}}, delim=',', quote='\"', "
                   f"escape='\"', {common})")
            inner = f"SELECT * FROM {src}"
            header_lines = 1
        for c in fam.columns:
            for cond, msg in S.problems(c, S.q(c.name)):
                if c.name in typed and msg != "required value missing":
                    continue  # the reader already enforced the type
                checks.append((cond, f"{c.name}\t{msg}"))
        acts = self.actions[fam.name]
        if self.policy.data.kept_text_identifier_check:   # D1: no identifier in a kept text column
            checks += [chk for c in fam.columns if c.type == "str" and acts[c.name] == "keep"
                       for chk in residual.checks(c.name, S.q(c.name))]
        # dropped columns are checked but never stored: less to materialise.  Each is still
        # referenced (a never-true test) so that the reader parses it and so validates its UTF-8:
        # the reader skips columns nobody reads.
        gone = [S.q(c.name) for c in fam.columns if acts[c.name] == "drop"]
        checks += [(f"strlen({g}) < 0", f"{g}\tunreadable") for g in gone]
        why = "CASE " + " ".join(f"WHEN {cond} THEN {S.lit(msg)}" for cond, msg in checks) + " END"
        # kept and generalised columns are stored as their warehouse values (typed numbers and
        # dates are cheaper to store and to write than text); identifiers, free text and DICOM
        # references stay raw for the maps, the scrubber and the quarantine checks
        cols = []
        for c in fam.columns:
            if acts[c.name] in ("recode", "scrub"):
                cols.append(S.q(c.name))
            elif acts[c.name] != "drop":
                cols.append(f"{S.output_expr(c, acts[c.name], S.q(c.name), self.policy, lenient=True)}"
                            f" AS {S.q(c.name)}")
        if fam.year_from:
            cols.append(f"substr({S.q(fam.year_from)}, 1, 4) AS _year")
        return f"SELECT {', '.join(cols)}, {why} AS _why FROM ({inner})", header_lines

    def scan(self, sf: SourceFile) -> _Scanned:
        """Parse the source once into temp table ``a<n>``, re-code its identifiers, and hand
        its distinct free texts and DICOM references to the worker.

        Parsing the CSV dominates a plain copy, so the source is parsed exactly once: the scan
        stores every kept column (kept and generalised ones already as their warehouse values)
        plus ``_why`` (the first failing check) in a temp table kept in insertion order, so
        ``rowid`` is the record number.  :meth:`finish` quarantines and
        writes from it once the worker is done with the file.
        """
        self.n += 1
        n = self.n
        fam: Family = sf.family
        acts = self.actions[fam.name]
        rep = FileReport(sf.name, fam.name, sf.year, sf.encoding,
                         "fixed-width" if sf.fixed_width else "csv", sf.sha256, sf.size)
        recode = [c for c in fam.columns if acts[c.name] == "recode"]
        texts = [c for c in fam.columns if acts[c.name] == "scrub" and c.type == "text"
                 and self.policy.data.free_text_scrub]
        dicoms = [c for c in fam.columns if acts[c.name] == "scrub" and c.type == "dicom"
                  and self.policy.data.dicom_mask_burned_in_text]
        self._tick("other")
        base, header_lines = self._source_sql(sf, f"rej_{n}")
        # SESSION: a plain SET would also make the writer's concurrent COPY keep row order
        self.con.execute("SET SESSION preserve_insertion_order = true")
        with readable(sf):   # a row range: its copy, while it is read
            self.con.execute(f"CREATE OR REPLACE TABLE a{n} AS {base}")
        self.con.execute("SET SESSION preserve_insertion_order = false")
        # the reader's rejects live in temp tables of this connection: read them here
        rejects = [(line + sf.line_offset, col, str(etype), emsg) for line, col, etype, emsg in self.con.execute(
            f"SELECT line, coalesce(column_name, '(row)'), error_type, error_message "
            f"FROM rej_{n} ORDER BY line").fetchall()]
        self.con.execute(f"DROP TABLE IF EXISTS rej_{n}")
        self.con.execute(f"DROP TABLE IF EXISTS rej_{n}_scan")
        if any(etype == "INVALID ENCODING" for _, _, etype, _ in rejects):
            raise encoding_error(sf)
        self._tick("read+check")
        # identifiers: checked and re-coded once per distinct value (far fewer than rows), joined
        # back in the write; measured cheaper than an inline HMAC per row once the data is typed
        for c in recode:
            t = self._map(c.id_class)
            h = keyring.hmac_sql("v", c.id_class, self.hex)
            self.con.execute(
                # values already mapped drop out first: probing the map is cheaper than grouping
                f"INSERT INTO {t} SELECT v, ok, CASE WHEN ok THEN {h} END FROM ("
                f"SELECT d.v, {S.id_ok(c, 'd.v')} AS ok FROM (SELECT DISTINCT x.{S.q(c.name)} AS v "
                f"FROM a{n} x ANTI JOIN {t} m ON x.{S.q(c.name)} = m.v "
                f"WHERE x.{S.q(c.name)} IS NOT NULL) d)",
                self._pads(c.id_class))
        self._tick("recode")
        job = None
        if texts or dicoms:
            values = {c.name: [r[0] for r in self.con.execute(
                f"SELECT DISTINCT {S.q(c.name)} FROM a{n} WHERE {S.q(c.name)} IS NOT NULL "
                f"AND _why IS NULL").fetchall()] for c in texts + dicoms}
            job = self.worker.submit(self._python_work, sf, [c.name for c in texts],
                                     [c.name for c in dicoms], values)
            self._tick("read+check")
        return _Scanned(sf, rep, n, header_lines, recode, texts, dicoms, rejects, job)

    def _python_work(self, sf: SourceFile, texts: list[str], dicoms: list[str],
                     values: dict[str, list[str]]) -> dict[str, pa.Table]:
        """Worker thread: scrubbed texts and de-identified DICOM files as Arrow tables."""
        out = {}
        for col in texts:
            out[f"scr_{col}"] = self._timed("scrub", self._scrub_values, values[col])
        for col in dicoms:
            out["dcm"] = self._timed("dicom", self._dicom_values, values[col], sf)
        return out

    def finish(self, s: _Scanned) -> FileReport:
        """Quarantine and write a scanned file once the worker has done its part."""
        sf, rep, n, fam = s.sf, s.rep, s.n, s.sf.family
        acts = self.actions[fam.name]
        self._local.clock = (time.perf_counter(), time.process_time())   # not the idle before
        tables = {}
        if s.job is not None:
            try:
                tables = s.job.result()
            except Exception as e:  # the whole load fails (nothing is kept), saying where -
                # not what: an exception's text can carry the value it failed on (a KeyError's
                # key, a codec's character), and a value here is raw free text
                raise LoadError(f"{sf.name}: de-identifying its free text / DICOM files failed: "
                                f"{type(e).__name__} (its message is not shown: it may quote "
                                f"the source's text)") from None
        self._tick("wait for worker")
        for name, tbl in tables.items():
            self.con.register(f"_{name}_{n}", tbl)
            self.con.execute(f"CREATE TEMP TABLE {name}_{n} AS SELECT * FROM _{name}_{n}")
            self.con.unregister(f"_{name}_{n}")
        a = f"a{n}"
        qrows = self.quarantined.setdefault(sf.key, [])
        # quarantine: reader rejects (wrong column count, bad numbers), then failed checks
        reject_lines = sorted({r[0] for r in s.rejects})
        qrows += [[sf.name, line, column, reason] for line, column, reason in _reader_rejects(s)]
        self.reader_rows[sf.key] = len(qrows)
        # the row count and years need no check; failing rows are listed after the write, and
        # only when it wrote fewer rows than there are (most files have none)
        year_sql = "list(DISTINCT _year) FILTER (WHERE _why IS NULL)" if fam.year_from else "NULL"
        n_a, years = self.con.execute(f"SELECT count(*), {year_sql} FROM {a}").fetchone()
        years = [y for y in years or [] if y is not None]
        rep.read = n_a + len(reject_lines)
        self._tick("quarantine")
        # write: the valid rows, de-identified, straight to Parquet (output order is free)
        joins, outs, ok = [], [], ["raw._why IS NULL"]
        for i, c in enumerate(fam.columns):
            act = acts[c.name]
            col = f"raw.{S.q(c.name)}"
            if act == "drop":
                continue
            if act == "recode":
                joins.append(f"LEFT JOIN map_{c.id_class} m{i} ON {col} = m{i}.v")
                outs.append(f"m{i}.p AS {S.q(c.name)}")
                ok.append(f"({col} IS NULL OR m{i}.ok)")
            elif c in s.texts:
                joins.append(f"LEFT JOIN scr_{c.name}_{n} s{i} ON {col} = s{i}.orig")
                outs.append(f"s{i}.val AS {S.q(c.name)}")
            elif c in s.dicoms:
                joins.append(f"LEFT JOIN dcm_{n} d{i} ON {col} = d{i}.file")
                outs.append(f"d{i}.path AS {S.q(c.name)}")
                ok.append(f"d{i}.err IS NULL")
            elif act == "scrub":
                continue  # free text / images the policy does not scrub are not released at all
            else:
                outs.append(f"{col} AS {S.q(c.name)}")  # its warehouse value since the scan
        select = f"SELECT {', '.join(outs)}"
        out_dir = self.build / "data" / fam.name
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = sf.stem
        if fam.year_from and len(years) != 1:
            select += ", raw._year AS year"   # split into year=<y>/ directories as written
        # rows in source order: the joins would emit them in the pseudonym maps' order, which
        # depends on which files a process loaded before; sorted, a release's files are the
        # same bytes whatever the number of workers (datasets.load.distributed)
        query = (f"{select} FROM {a} raw {' '.join(joins)} WHERE {' AND '.join(ok)} "
                 f"ORDER BY raw.rowid")
        # DuckDB computes, pyarrow writes (encrypted when the policy says so, O3)
        reader = PC.arrow_reader(self.con, query)
        try:
            if fam.year_from and len(years) == 1:
                ydir = out_dir / f"year={years[0]}"
                ydir.mkdir(exist_ok=True)
                rep.loaded = PC.write_reader(ydir / f"{stem}.parquet", reader, self.scope).rows
            elif fam.year_from:
                rep.loaded = _write_by_year(reader, out_dir, stem, self.scope)
            else:
                rep.loaded = PC.write_reader(out_dir / f"{stem}.parquet", reader, self.scope).rows
        finally:
            reader.close()
        self._tick("write")
        failed = self._failed_rows(s, reject_lines) if rep.loaded < n_a else []
        qrows += [[sf.name, line, column, msg] for line, column, msg in failed]
        rep.quarantined = len(failed) + len(reject_lines)
        self.con.execute(f"DROP TABLE {a}")
        self._tick("quarantine")
        for name in tables:
            self.con.execute(f"DROP TABLE IF EXISTS {name}_{n}")
        if not rep.reconciled:
            raise LoadError(f"{sf.name}: reconciliation failed: read {rep.read} != loaded "
                            f"{rep.loaded} + quarantined {rep.quarantined}")
        return rep

    def _failed_rows(self, s: _Scanned, reject_lines: list[int]) -> list[tuple[int, str, str]]:
        """(source line, column, reason) of each row of the scanned table that failed a check:
        its own (``_why``), an identifier's (checksum, format) or its DICOM file's."""
        n, a = s.n, f"a{s.n}"
        bad = []   # (condition on the table, message SQL)
        for c in s.recode:
            msg = ("not a valid national ID / resident certificate number (checksum)"
                   if c.type == "twid" else "identifier does not match its format")
            bad.append((f"{S.q(c.name)} IN (SELECT v FROM map_{c.id_class} WHERE NOT ok)",
                        S.lit(f"{c.name}\t{msg}")))
        for c in s.dicoms:
            bad.append((f"{S.q(c.name)} IN (SELECT file FROM dcm_{n} WHERE err IS NOT NULL)",
                        f"'{c.name}' || chr(9) || (SELECT any_value(err) FROM dcm_{n} "
                        f"WHERE dcm_{n}.file = {a}.{S.q(c.name)})"))
        reason_sql = ("coalesce(_why, " + "".join(f"CASE WHEN {cond} THEN {msg} END, " for cond, msg in bad)
                      + "NULL)")
        where_bad = " OR ".join(["_why IS NOT NULL"] + [cond for cond, _ in bad])
        out = []
        for rn, reason in self.con.execute(
                f"SELECT rowid + 1 AS rn, {reason_sql} FROM {a} WHERE {where_bad} ORDER BY rn").fetchall():
            line = rn + s.header_lines + s.sf.line_offset   # the table holds no reader rejects: skip their lines
            for r in reject_lines:
                if r <= line:
                    line += 1
                else:
                    break
            column, _, msg = reason.partition("\t")
            out.append((line, column, msg))
        return out

    def _scrub_values(self, texts: list[str]) -> pa.Table:
        """Scrub each distinct text once (clinical phrases repeat a lot); ``(orig, val)``."""
        from deidentify.text import ScrubOptions, scrub_texts

        # the same phrases recur across a family's yearly files: scrub each text once per load
        todo = [t for t in texts if t not in self.scrubbed]
        if todo:
            if len(self.scrubbed) + len(todo) > self.SCRUB_CACHE:
                self.scrubbed.clear()
            self.scrubbed.update(zip(todo, scrub_texts(
                todo, options=ScrubOptions.from_policy(self.policy))))
        clean = [self.scrubbed[t] for t in texts]
        return pa.table({"orig": pa.array(texts, pa.string()), "val": pa.array(clean, pa.string())})

    DICOM_BATCH = 16   # DICOM files per tesseract run (the OCR model loads once per run)

    def _dicom_values(self, rels: list[str], sf: SourceFile) -> pa.Table:
        """De-identify each referenced DICOM file once; ``(file, path, err)``."""
        from deidentify.dicom import PixelOptions, deidentify_dicom_many
        from deidentify.text import ScrubOptions

        person_key = keyring.class_key(self.rkey, "person")
        # the load's policy (D1 cut-offs), not the process-wide one
        pixel_opts = PixelOptions.from_policy(self.policy)
        header_opts = ScrubOptions.for_dicom_headers(self.policy)
        out_dir = self.build / "dicom"
        out_dir.mkdir(exist_ok=True)
        paths: dict[str, str | None] = {rel: None for rel in rels}
        errs: dict[str, str | None] = {rel: None for rel in rels}
        src_root = self.src.resolve()
        todo = []
        for rel in rels:
            p = (self.src / rel).resolve()
            if not p.is_relative_to(src_root):
                errs[rel] = "file path leaves the source directory"
            elif not p.is_file():
                errs[rel] = "DICOM file not found in the source directory"
            else:
                todo.append((rel, p))

        def clean(items: list[bytes]) -> list:
            return deidentify_dicom_many(
                items, pseudonymise=lambda s: keyring.py_pseudonym(person_key, s, self.hex),
                options=pixel_opts, header=header_opts, batch=len(items))

        for lo in range(0, len(todo), self.DICOM_BATCH):
            chunk = todo[lo:lo + self.DICOM_BATCH]   # only a batch of files in memory at once
            data = [p.read_bytes() for _, p in chunk]
            try:
                cleaned = clean(data)
            except Exception:  # noqa: BLE001 - the OCR run failed: find the file, one by one
                cleaned = []
                for d in data:
                    try:
                        cleaned += clean([d])
                    except Exception as e:  # noqa: BLE001
                        cleaned.append(e)
            for (rel, _), result in zip(chunk, cleaned):
                if isinstance(result, Exception):  # a broken DICOM file is a data problem
                    # (the exception's own text only where the project wrote it: a pydicom error
                    # may quote the file's values)
                    said = f" ({str(result)[:200]})" if type(result).__name__ in _OWN_REASONS else ""
                    errs[rel] = f"DICOM file could not be de-identified: {type(result).__name__}{said}"
                    continue
                # named by a keyed pseudonym of the source path: no source identifier in the name
                name = keyring.py_pseudonym(keyring.class_key(self.rkey, "file"),
                                            f"{sf.name}:{rel}", self.hex) + ".dcm"
                # sealed with the release's key when the policy says so (O3)
                DC.write_file(out_dir / name, result, self.scope, f"dicom/{name}")
                paths[rel] = f"dicom/{name}"
                self.dicom_files += 1
        return pa.table({"file": pa.array(rels, pa.string()),
                         "path": pa.array([paths[r] for r in rels], pa.string()),
                         "err": pa.array([errs[r] for r in rels], pa.string())})

    def load_all(self, files: list[SourceFile], on_loaded: Callable[[SourceFile], None],
                 before_scan: Callable[[], None] = lambda: None) -> dict:
        """Scan each file in the main thread; the writer thread writes a scanned file once its
        worker part is done while the main thread scans the next; returns name -> report.

        Files with Python-side work go first, so that work overlaps the DuckDB scans of the
        rest; while ``MAX_WAITING`` of them wait for the worker, files without such work are
        scanned (and written) first; at most ``MAX_HELD`` scanned files are held (memory)."""
        def needs_worker(f: SourceFile) -> bool:
            return self.has_dicom(f) or self.scrubs_text(f)

        queue = sorted(files, key=lambda f: (not self.has_dicom(f), not self.scrubs_text(f),
                                             -f.path.stat().st_size))
        pending: list[_Scanned] = []            # scanned, waiting for the worker
        writing: dict[Future, _Scanned] = {}    # handed to the writer
        reports = {}

        def hand_over(s: _Scanned) -> None:
            pending.remove(s)
            writing[self.writer.submit(self.finish, s)] = s

        def collect(block: bool) -> None:
            """Reports of written files; a failed write raises here, in the main thread."""
            if block and writing:
                self._tick("other")
                wait(list(writing), return_when=FIRST_COMPLETED)
                self._tick("scans wait for writes")
            for fut in [f for f in writing if f.done()]:
                s = writing.pop(fut)
                reports[s.sf.key] = fut.result()
                on_loaded(s.sf)

        while queue:
            sf = queue[0]
            if len(pending) >= self.MAX_WAITING and needs_worker(sf):
                sf = next((f for f in queue if not needs_worker(f)), sf)
            queue.remove(sf)
            before_scan()
            pending.append(self.scan(sf))
            while True:
                for s in [p for p in pending if p.ready()]:
                    hand_over(s)
                collect(block=False)
                if len(pending) + len(writing) <= self.MAX_HELD:
                    break
                if not writing:   # all held files wait for the worker: the writer waits instead
                    hand_over(pending[0])
                collect(block=True)
        for s in list(pending):
            hand_over(s)
        while writing:
            collect(block=True)
        for sf in files:  # the quarantine file lists files in source order
            for row in self.quarantined.get(sf.key, []):
                self.q.writerow(row)
        return reports


def _write_by_year(reader: pa.RecordBatchReader, out_dir: Path, stem: str, scope: PC.Scope) -> int:
    """A file spanning several years: one ``year=<y>/<stem>.parquet`` per year (hive layout,
    the year in the path only, as DuckDB's ``PARTITION_BY`` wrote it)."""
    schema = reader.schema.remove(reader.schema.get_field_index("year"))
    sinks: dict[str, PC.ParquetSink] = {}
    rows = 0
    try:
        for batch in reader:
            year = batch.column("year")
            rest = batch.drop_columns(["year"])
            for y in pc.unique(year).to_pylist():
                part = rest.filter(pc.is_null(year) if y is None else pc.equal(year, y))
                key = "NULL" if y is None else str(y)
                if key not in sinks:
                    ydir = out_dir / f"year={key}"
                    ydir.mkdir(exist_ok=True)
                    sinks[key] = PC.ParquetSink(ydir / f"{stem}.parquet", schema, scope)
                sinks[key].write(part)
                rows += part.num_rows
    finally:
        for sink in sinks.values():
            sink.close()
    return rows


_FIELD_COUNT = ("MISSING COLUMNS", "TOO MANY COLUMNS")


def _reader_rejects(s: _Scanned) -> list[tuple[int, str, str]]:
    """(line, column, reason) of the rows the CSV reader rejected.  A row with the wrong field
    count has its later fields shifted: their cast errors are consequences, so that line is
    reported once, as the field-count problem."""
    kind = {c.name: c.type for c in s.sf.family.columns}
    shifted = {line for line, _, etype, _ in s.rejects if etype in _FIELD_COUNT}
    out = []
    for line, column, etype, emsg in s.rejects:
        if line in shifted and etype not in _FIELD_COUNT:
            continue
        if etype in _FIELD_COUNT:
            # the reader names the column it expected next, not the one that is missing
            column, reason = "(row)", f"{etype.lower()}: {str(emsg).split(chr(10))[0]}"
        elif etype == "CAST":
            reason = "not an integer" if kind.get(column) == "int" else "not a number"
        else:
            reason = etype.lower()
        out.append((line, column, reason))
    return out


def _warm_scrubber() -> None:
    from deidentify.text import scrub_texts

    try:
        scrub_texts(["王小明 0912345678"])
    except Exception:  # noqa: BLE001 - the real call reports any problem with its context
        pass
