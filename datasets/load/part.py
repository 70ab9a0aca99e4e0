"""One part of a load: a list of checked source files scanned, de-identified and written as
Parquet (and DICOM) into the build directory.  The one-process load runs a single part with
every file; ``datasets.load.distributed`` runs one part per worker process.  A part writes
nothing outside ``build`` and its own DuckDB temp directory, and returns what the coordinator
needs to finish the release: per-file reports and quarantine rows, never identifying values."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from datasets import parquet_crypto as PC
from datasets.load import ranges as RG
from datasets.load.files import LoadError, SourceFile
from datasets.load.reports import FileReport
from datasets.load.scan import _Loader
from datasets.schemas import effective_actions


@dataclass
class PartResult:
    reports: dict[str, FileReport]            # file name -> report
    quarantine: dict[str, list[list]]         # file name -> rows (file, line, column, reason)
    dicom_files: int = 0
    timings: dict = field(default_factory=dict)
    cpu_timings: dict = field(default_factory=dict)
    worker_timings: dict = field(default_factory=dict)
    worker_cpu: dict = field(default_factory=dict)
    wall_s: float = 0.0        # the part's own wall and CPU seconds (distributed runs report
    cpu_s: float = 0.0         # them per worker)
    worker: str = ""
    # a row range not yet joined to the rest of its file (datasets.load.ranges.join) is under
    # its unit key in reports and quarantine, and here: key -> (file name, index, ranges,
    # how many of its quarantine rows are reader rejects)
    pieces: dict[str, tuple[str, int, int, int]] = field(default_factory=dict)
    rows: int = 0      # rows read by this part
    units: int = 0     # files and row ranges it loaded
    files: int = 0     # distinct files among them


class _Rows(list):
    """Collects quarantine rows as a ``csv.writer`` would write them."""
    writerow = list.append


def add_timings(into: dict, more: dict) -> None:
    for k, v in more.items():
        into[k] = round(into.get(k, 0.0) + v, 3)


# DuckDB errors whose text names paths and sizes, never a row's values
_SAFE_SQL_ERRORS = (duckdb.IOException, duckdb.OutOfMemoryException, duckdb.InterruptException)


def sql_error(e: duckdb.Error) -> LoadError:
    """The load's SQL failed on raw rows: DuckDB's message may quote the value it failed on
    (a conversion's string, a constraint's key), so only its kind is said - the error goes
    to the steward's terminal, Dask's task records and the workers' logs.  Disk, memory and
    interruption errors keep their text (paths and sizes)."""
    if isinstance(e, _SAFE_SQL_ERRORS):
        return LoadError(f"the load's SQL failed: {type(e).__name__}: {e}")
    return LoadError(f"the load's SQL failed: {type(e).__name__} (its message is not shown: "
                     f"DuckDB quotes the values it failed on, and these are raw rows)")


def load_part(files: list[SourceFile], *, build: Path, src: Path, release: str, policy,
              master: bytes, temp_dir: Path, threads: int | None = None,
              memory_limit: str | None = None,
              on_loaded: Callable[[SourceFile], None] = lambda sf: None,
              before_scan: Callable[[], None] = lambda: None, cut: bool = True) -> PartResult:
    """Scan, de-identify and write ``files`` into ``build`` (see ``datasets.load.loader``).

    A file above the policy's ``data.load_part_bytes`` is loaded as its row ranges
    (:mod:`datasets.load.ranges`), each read from a copy beside ``temp_dir``, and the result
    has one report per file.  ``cut=False``: ``files`` were cut by the coordinator (a Dask
    part), and their ranges stay separate in the result, for the coordinator to join with the
    other parts' ranges of the same files.  ``on_loaded`` is called once per file, after its
    last range here."""
    import time

    t, c = time.perf_counter(), time.process_time()
    units = RG.with_copies(RG.expand(files, policy.data.load_part_bytes) if cut else files,
                           temp_dir.parent / f"{temp_dir.name}-rows")
    cut_s = (time.perf_counter() - t, time.process_time() - c)   # the planner's pass
    left: dict[str, int] = {}
    for u in units:
        left[u.name] = left.get(u.name, 0) + 1

    def unit_loaded(u: SourceFile) -> None:
        left[u.name] -= 1
        if not left[u.name]:
            on_loaded(u if u.rows is None else next(f for f in files if f.name == u.name))
    actions = effective_actions(policy)
    scope = PC.scope_for(master, PC.release_scope(release), policy)
    config = {"temp_directory": str(temp_dir)}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute("SET enable_progress_bar = false")
        # the joins to the pseudonym maps match nearly every row: the Bloom filters DuckDB
        # would push into the temp-table scan cost time and filter nothing
        con.execute("SET disabled_optimizers = 'join_filter_pushdown'")
        rows = _Rows()
        ld = _Loader(con, build, src, release, policy, actions, master, rows, scope)
        try:
            ld.warm_up(units)
            reports = ld.load_all(units, unit_loaded, before_scan)
        except duckdb.Error as e:
            raise sql_error(e) from None
        finally:
            ld.close()
    finally:
        con.close()
    quarantine = {u.key: ld.quarantined.get(u.key, []) for u in units}
    res = PartResult(reports, quarantine, ld.dicom_files, dict(ld.timings), dict(ld.cpu_timings),
                     dict(ld.worker_timings), dict(ld.worker_cpu),
                     round(time.perf_counter() - t, 3), round(time.process_time() - c, 3))
    res.pieces = {u.key: (u.name, u.rows.index, u.rows.count, ld.reader_rows.get(u.key, 0))
                  for u in units if u.rows is not None}
    res.rows, res.units = sum(r.read for r in reports.values()), len(units)
    res.files = len({u.name for u in units})
    if cut:
        RG.join([res])
    if any(u.rows is not None for u in units):
        add_timings(res.timings, {"cut into row ranges": cut_s[0]})
        add_timings(res.cpu_timings, {"cut into row ranges": cut_s[1]})
    return res


def part_figures(p: PartResult, by_file: dict[str, FileReport]) -> dict:
    """A part's throughput for the load report: rows read per wall second and per CPU second
    of its worker process (every thread; tesseract's child processes not included)."""
    rows = p.rows
    return {"worker": p.worker, "files": p.files, "units": p.units, "rows": rows, "wall_s": p.wall_s,
            "cpu_s": p.cpu_s, "rows_per_s": round(rows / p.wall_s) if p.wall_s else 0,
            "rows_per_cpu_s": round(rows / p.cpu_s) if p.cpu_s else 0}
