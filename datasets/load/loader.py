"""The steward loader: validate → de-identify → Parquet release, atomically (RULES.md D1, D2).

Flow per release:

1. every source file's name and header are checked before anything is read; the full check
   (sha256, manifest, truncation, duplicates of files already loaded) runs in a thread beside
   DuckDB for UTF-8 sources - DuckDB's reader validates their UTF-8 - and before anything else
   for Big5 sources, whose UTF-8 transcode it writes.  Any failed check refuses the load and is
   the error reported;
2. refuse a release id that exists;
3. for each file, one DuckDB scan parses the source into a typed temp table (numbers typed by
   the reader, whose rejects carry their line) with ``_why``, the first failing check of the row
   (required values, code domains, dates, formats); the table keeps insertion order, so its
   ``rowid`` numbers the records.  Identifiers are checked (Taiwan ID checksum, code formats) and
   re-coded once per distinct value into a keyed map (HMAC-SHA256 computed in SQL, the pads bound
   as parameters).  Each distinct free text goes through ``deidentify.text.scrub_texts`` and each
   DICOM file (16 to a tesseract run) through ``deidentify.dicom.deidentify_dicom_many`` in a
   worker thread, while DuckDB (which frees the GIL) scans the next file; when the worker is
   done with a file, a writer thread on its own DuckDB cursor writes its valid rows from the
   temp table, joined to those maps, straight to Parquet, while the main thread scans on.
   The CSV is parsed once: parsing dominates a plain copy, and joins against the in-memory
   table cost little;
4. rows failing a check go to ``_load/quarantine.csv`` (file, line, column, reason - never the
   identifying value); the rest are written as Parquet partitioned by family and year, DuckDB
   computing and pyarrow writing, encrypted with the release's key when the policy says so
   (``datasets.parquet_crypto``, O3);
5. a DuckDB catalog of views, the data dictionary, ``release.json``, ``_load/report.json``
   (read = loaded + quarantined per file) and its picture ``_load/report.svg`` are written, and
   last ``MANIFEST.json`` (every file, its size and SHA-256); everything is fsynced in a build
   directory beside the target and renamed into place in one step (``releases.publish``; with
   ``settings.releases_url`` the same publish uploads it to the object store, manifest last:
   ``datasets.load.store``).  A killed load leaves only a ``.build-*`` directory (or objects
   without a manifest) that the next load removes.

Step 3 is one unit of work, ``datasets.load.part.load_part``, over a list of files: the whole
list in this process, or with ``workers`` > 1 one part per Dask worker process
(``datasets.load.distributed``), every file checked before any part starts.  The rows are
written in source order, so the files are the same whatever the number of workers.

Raw identifiers only ever exist in the source files, in the staging directory under
``settings.run_dir`` (Big5 transcodes, DuckDB spill files; removed after each load) and in memory.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import duckdb

from datasets import keyring
from datasets import parquet_crypto as PC
from datasets.defaults import policy_or_current, settings_or_current
from datasets.load import sql as S
from datasets.load.report_chart import write_report_svg
from datasets.load.files import (LoadError, SourceFile, check, check_header, discover,
                                 read_manifest)
from datasets.schemas import FAMILIES, effective_actions
from datasets.schemas.dictionary import dictionary, output_type, to_markdown
from datasets.schemas.model import Family

from datasets.load.part import add_timings, load_part, part_figures
from datasets.load.releases import (RELEASE_RE, _cleanup_stale, _lock, _rmtree, list_releases,
                                    publish, release_target, releases_dir, staging_dir,
                                    target_exists)
from datasets.load.reports import LoadReport


def _empty_family(con, build: Path, fam: Family, acts: dict, policy, scope: PC.Scope) -> None:
    """A zero-row Parquet file so the family's view exists even if every row was quarantined."""
    cols = []
    for c in fam.columns:
        t = output_type(c, acts[c.name], policy)
        if t is None:
            continue
        cols.append(f"CAST(NULL AS {t}) AS {S.q(c.name)}")
    d = build / "data" / fam.name / ("year=none" if fam.year_from else "")
    d.mkdir(parents=True, exist_ok=True)
    reader = PC.arrow_reader(con, f"SELECT {', '.join(cols)} WHERE false")
    PC.write_reader(d / "empty.parquet", reader, scope)


def _catalog(build: Path, families: list[Family], dic: dict, release: str, scope: PC.Scope) -> None:
    con = duckdb.connect(str(build / "catalog.duckdb"))
    try:
        con.execute(f"SET file_search_path = {S.lit(str(build))}")
        for fam in families:
            if scope.encrypt:
                continue   # views over encrypted files need the keys: connect_release makes them
            if fam.year_from:
                con.execute(f"CREATE VIEW {fam.name} AS SELECT * FROM read_parquet("
                            f"'data/{fam.name}/*/*.parquet', hive_partitioning = true)")
            else:
                con.execute(f"CREATE VIEW {fam.name} AS SELECT * FROM read_parquet("
                            f"'data/{fam.name}/*.parquet')")
        con.execute("CREATE TABLE _dictionary (family VARCHAR, column_name VARCHAR, "
                    "warehouse_type VARCHAR, action VARCHAR, description VARCHAR)")
        # one statement for all rows: an INSERT per column cost ~1 ms of CPU each, a few
        # hundred a load
        rows = [(name, c["column"], c["warehouse_type"], c["action"], c["description"])
                for name, f in dic.items() for c in f["columns"]]
        if rows:
            con.execute("INSERT INTO _dictionary SELECT * FROM (VALUES "
                        + ", ".join(["(?, ?, ?, ?, ?)"] * len(rows)) + ")",
                        [v for row in rows for v in row])
        con.execute("CREATE TABLE _release AS SELECT ? AS release", [release])
    finally:
        con.close()


def load_release(src: str | Path, release: str, settings=None, *, encoding: str | None = None,
                 policy=None, on_progress: Callable[[str, int, int], None] | None = None,
                 actor: str = "steward", audit: bool = False, threads: int | None = None,
                 workers: int | None = None, client=None) -> LoadReport:
    """Load the source directory ``src`` as warehouse release ``release``; see module docstring.

    ``workers`` > 1 (or a Dask ``client``) spreads the files over worker processes
    (:mod:`datasets.load.distributed`); absent or 1, one process loads them all."""
    t0 = time.time()
    settings = settings_or_current(settings)
    policy = policy_or_current(policy)
    if not RELEASE_RE.fullmatch(release or ""):
        raise LoadError(f"release id {release!r} is not valid (letters, digits, . _ -; max 64)")
    src = Path(src)
    actions = effective_actions(policy)
    rd = releases_dir(settings)
    with _lock(settings):
        try:
            _cleanup_stale(settings)
            rd.mkdir(parents=True, exist_ok=True)
            final = release_target(release, settings)   # a directory, or the release store
            where = getattr(final, "where", final)
            if target_exists(final):
                raise LoadError(f"release {release!r} already exists at {where}; loading it again is "
                                f"refused (choose a new release id)")
            manifest = read_manifest(src)
            files = discover(src, encoding, manifest)
            stage = staging_dir(settings)
            total_bytes = sum(f.path.stat().st_size for f in files)
            done = 0
            seen = {}
            for r in list_releases(settings):
                for s in r.get("sources", []):
                    seen[s["sha256"]] = (r["release"], s["file"])

            def verify(sf: SourceFile) -> None:
                t, c = time.perf_counter(), time.thread_time()
                check(sf, manifest, stage)
                if sf.sha256 in seen:
                    rel, name = seen[sf.sha256]
                    raise LoadError(f"{sf.name}: the same file (sha256 {sf.sha256[:12]}…) was already "
                                    f"loaded as {name} in release {rel!r}; a duplicate load is refused")
                check_times.append((time.perf_counter() - t, time.thread_time() - c))

            check_times: list[tuple[float, float]] = []   # (wall, thread CPU) per file
            checks: dict[str, Future] = {}
            checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="source-check")
            spread = client is not None or (workers or 1) > 1
            if spread or any(sf.encoding != "utf-8" for sf in files):
                # Big5: DuckDB reads the UTF-8 transcode, which the check writes: check first.
                # Workers: every file is checked before any part starts
                for sf in files:
                    verify(sf)
            else:
                # UTF-8: headers now (the reader needs them), hashes, truncation and duplicates
                # in a thread (hashlib frees the GIL) while DuckDB loads; a failed check stops
                # the load at the next file and is the error reported
                for sf in files:
                    check_header(sf)
                checks = {sf.name: checker.submit(verify, sf) for sf in files}

            def failed_check(wait: bool) -> LoadError | None:
                for sf in files:
                    fut = checks.get(sf.name)
                    if fut is None or not (wait or fut.done()):
                        continue
                    err = fut.exception()
                    if err is not None:
                        return err
                return None
            master = keyring.master_key(settings)
            scope = PC.scope_for(master, PC.release_scope(release), policy)
            build = rd / f".build-{release}-{os.getpid()}"
            build.mkdir()
            (build / "_load").mkdir()
            stage.mkdir(parents=True, exist_ok=True, mode=0o700)
            created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            report = LoadReport(release, str(where), created)

            def loaded(sf: SourceFile) -> None:
                nonlocal done
                done += sf.path.stat().st_size
                if on_progress:
                    on_progress(f"loaded {sf.name}", done, total_bytes)

            def before_scan() -> None:
                err = failed_check(wait=False)
                if err is not None:
                    raise err
            part = dict(build=build, src=src, release=release, policy=policy, threads=threads)
            try:
                if spread:
                    from datasets.load.distributed import run_parts

                    parts = run_parts(files, workers=workers, client=client, settings=settings,
                                      stage=stage, on_loaded=loaded, **part)
                else:
                    parts = [load_part(files, master=master, temp_dir=stage / "duckdb",
                                       on_loaded=loaded, before_scan=before_scan, **part)]
            except BaseException as e:
                # a source that fails its checks is the cause, whatever the reader made of it
                # (a truncated file, a duplicate)
                err = failed_check(wait=True)
                if err is not None and err is not e:
                    raise err from None
                raise
            finally:
                checker.shutdown(wait=True, cancel_futures=True)
            err = failed_check(wait=True)
            if err is not None:
                raise err
            by_file, quarantined = {}, {}
            for p in parts:
                by_file.update(p.reports)
                quarantined.update(p.quarantine)
                report.dicom_files += p.dicom_files
                add_timings(report.timings, p.timings)
                add_timings(report.cpu_timings, p.cpu_timings)
                add_timings(report.worker_timings, p.worker_timings)
                add_timings(report.worker_cpu_timings, p.worker_cpu)
            with open(build / "_load" / "quarantine.csv", "w", newline="", encoding="utf-8") as qf:
                qw = csv.writer(qf)
                qw.writerow(["file", "line", "column", "reason"])
                for sf in files:   # source order, whichever part loaded the file
                    qw.writerows(quarantined.get(sf.name, []))
            report.files = [by_file[sf.name] for sf in files]  # source order
            for fr, sf in zip(report.files, files):  # known once the checks are done
                fr.sha256, fr.bytes = sf.sha256, sf.size
            report.worker_timings["check_files"] = round(sum(w for w, _ in check_times), 3)
            report.worker_cpu_timings["check_files"] = round(sum(c for _, c in check_times), 3)
            if spread:
                report.parts = [part_figures(p, by_file) for p in parts]
            present = []
            con = duckdb.connect(":memory:", config={"temp_directory": str(stage / "duckdb")})
            try:
                for name, fam in FAMILIES.items():
                    if any(f.family.name == name for f in files):
                        present.append(fam)
                        d = build / "data" / name
                        if not any(d.rglob("*.parquet")):
                            _empty_family(con, build, fam, actions[name], policy, scope)
            finally:
                con.close()
            dic = dictionary(present, actions, policy)
            (build / "data_dictionary.json").write_text(json.dumps(dic, indent=2, ensure_ascii=False))
            (build / "DATA_DICTIONARY.md").write_text(to_markdown(dic, f"release {release}"))
            _catalog(build, present, dic, release, scope)
            report.seconds = round(time.time() - t0, 3)
            meta = {"release": release, "created": created, "policy": policy.name,
                    "families": [f.name for f in present],
                    "years": sorted({f.year for f in files if f.year}),
                    "pseudonyms": {"algorithm": policy.data.recode_algorithm,
                                   "key": "HKDF-SHA256(master, 'release:<id>'), per identifier class",
                                   "hex_chars": policy.data.pseudonym_hex_chars},
                    "encrypted_at_rest": scope.encrypt,
                    "birthday_granularity": policy.data.birthday_granularity,
                    "date_granularity": policy.data.date_granularity,
                    "rows_loaded": report.rows_loaded, "rows_quarantined": report.rows_quarantined,
                    "sources": [{"file": f.file, "sha256": f.sha256, "bytes": f.bytes} for f in report.files]}
            (build / "release.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
            (build / "_load" / "report.json").write_text(
                json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
            write_report_svg(build / "_load" / "report.svg", report,
                             build / "_load" / "quarantine.csv")
            publish(build, final)
            _rmtree(stage)
        except BaseException:
            # nothing half-written stays behind, and no raw-identifier staging either (a failed
            # upload has removed its objects; a store that cannot be reached is the next load's)
            _cleanup_stale(settings, store=False)
            raise
    if audit:
        from enclave.audit import AuditEntry, append
        from enclave.db import session_scope

        with session_scope(settings.db_url) as s:
            append(s, AuditEntry("datasets", actor, "data.load", subject=release,
                                 detail={"rows_loaded": report.rows_loaded,
                                         "rows_quarantined": report.rows_quarantined,
                                         "files": len(report.files)}))
    return report
