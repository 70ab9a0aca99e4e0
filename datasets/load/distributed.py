"""The steward load spread over worker processes with Dask ``distributed`` (issue 18).

Pseudonyms are keyed HMACs of the value alone, so any process holding the release's keys
computes the same pseudonym for the same identifier: source files load independently, and
their free-text scrubbing and DICOM OCR (one Python thread per process) run in parallel.

What runs where:

- the coordinator (``load_release`` with ``workers`` > 1) takes the load lock, checks every
  source file (hash, manifest, truncation, duplicates, Big5 transcodes) before any part starts,
  splits the files into one part per worker (:func:`split`) and, once all parts are back,
  writes the quarantine file, catalog, dictionary, ``release.json``, the report and the
  manifest last, then publishes with the one atomic publish (``releases.publish``);
- each worker runs :func:`datasets.load.part.load_part` - the same code as the one-process
  load - on its files, writing Parquet and DICOM files into the build directory, and returns
  reports and quarantine rows (no identifying values).

Keys: the task graph carries no key.  Each worker reads the master key from the keyring
(``settings.keys_dir``, which it must be able to read, as the coordinator does) and derives the
release and class keys itself; only the paths cross the scheduler.  Passing a derived release
key instead would still put key material in clear in the scheduler's memory and its logs of
task arguments.

A part that fails (a bad file, an exception, a killed worker: ``allowed-failures`` is 0 in
:func:`local_cluster`, so Dask does not retry it elsewhere) fails the load: the other parts
stop before their next file (a Dask ``Event``), the coordinator waits until none of them can
still write, and the build directory and staging are removed - nothing is published.
"""
from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from datasets import keyring
from datasets.load import ranges as RG
from datasets.load.files import LoadError, SourceFile
from datasets.load.part import PartResult, load_part
from datasets.schemas import effective_actions

# a file whose free text the scrubber reads costs more CPU per byte than one it only parses;
# used only to balance the parts (a wrong factor costs time, never output).  At 4 the parts of
# bench/data_load_workers.py (300 k claim rows) were 287 k and 96 k rows, 25 and 36 us of CPU
# a row: about 1.5 fits
TEXT_WEIGHT = 1.5


def local_cluster(workers: int, *, memory_limit: str | int = "auto"):
    """A ``distributed.LocalCluster`` of ``workers`` processes (one task thread each: a part
    runs its own DuckDB and scrubber threads); a failed or killed worker fails its task
    instead of having it run again."""
    import dask
    from distributed import LocalCluster

    if workers < 1:
        raise LoadError(f"workers must be at least 1, not {workers}")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=None, memory_limit=memory_limit,
                            silence_logs=logging.ERROR)


def split(files: list[SourceFile], n: int, policy) -> list[list[SourceFile]]:
    """``files`` (whole files and row ranges: ``datasets.load.ranges``) in at most ``n`` parts
    of similar weight (largest first to the lightest part); each part keeps the source order."""
    acts = effective_actions(policy)

    def weight(sf: SourceFile) -> float:
        text = policy.data.free_text_scrub and any(
            acts[sf.family.name][c.name] == "scrub" for c in sf.family.columns)
        size = sf.size if sf.rows is None else sf.rows.end - sf.rows.start
        return max(size, 1) * (TEXT_WEIGHT if text else 1)

    load = [0.0] * max(1, min(n, len(files)))
    owner: dict[str, int] = {}
    for sf in sorted(files, key=weight, reverse=True):
        i = min(range(len(load)), key=load.__getitem__)
        owner[sf.key] = i
        load[i] += weight(sf)
    return [[sf for sf in files if owner[sf.key] == i] for i in range(len(load))]


def _run_part(files: list[SourceFile], number: int, stop_name: str, keys: SimpleNamespace,
              temp_root: Path, **part) -> PartResult:
    """On a worker: the release's keys from the keyring, then the one-process part."""
    from distributed import Event, get_worker

    worker = get_worker()
    stop = Event(stop_name)

    def before_scan() -> None:
        if stop.is_set():
            raise LoadError("stopped: another part of the load failed")

    limit = getattr(getattr(worker, "memory_manager", None), "memory_limit", None)
    master = keyring.master_key(keys, create=False)
    res = load_part(files, master=master, temp_dir=temp_root / f"duckdb-part{number}",
                    before_scan=before_scan, cut=False,
                    # DuckDB's buffers within the worker's share, leaving room for Python
                    memory_limit=f"{int(limit * 0.6) >> 20}MB" if limit else None, **part)
    res.worker = str(worker.name)
    return res


def run_parts(files: list[SourceFile], *, workers: int | None, client, settings, stage: Path,
              on_loaded: Callable[[SourceFile], None], **part) -> list[PartResult]:
    """Load ``files`` as parts on Dask workers (``client``'s cluster, or a local cluster of
    ``workers`` processes for this load); the results in part order, or the first failure."""
    try:
        from distributed import Client, Event, as_completed, wait
    except ImportError:
        raise LoadError("loading with several workers needs Dask distributed: "
                        "pip install 'nhi-enclave[cluster]'") from None

    own = client is None
    cluster = local_cluster(workers or 1) if own else None
    try:
        if own:
            client = Client(cluster)
        n = workers or len(client.scheduler_info()["workers"])
        # large files as row ranges, cut here once (every file is checked by now): the cuts
        # follow the file and the policy, not the number of workers
        t, c = time.perf_counter(), time.process_time()
        units = RG.expand(files, part["policy"].data.load_part_bytes)
        cut_s = (round(time.perf_counter() - t, 3), round(time.process_time() - c, 3))
        parts = split(units, n, part["policy"])
        left = {sf.name: sum(u.name == sf.name for u in units) for sf in files}
        # paths only: each worker reads the master key itself (module docstring)
        keys = SimpleNamespace(keys_dir=str(settings.keys_dir),
                               warehouse_dir=str(settings.warehouse_dir),
                               projects_dir=str(settings.projects_dir))
        stop_name = f"load-stop-{part['release']}-{uuid.uuid4().hex}"
        stop = Event(stop_name, client=client)
        futures = [client.submit(_run_part, p, i, stop_name, keys, stage, key=f"{stop_name}-part{i}",
                                 pure=False, **part) for i, p in enumerate(parts)]
        results: list[PartResult | None] = [None] * len(futures)
        failure: BaseException | None = None
        for fut in as_completed(futures):
            i = futures.index(fut)
            if fut.status != "finished":
                failure = _part_error(fut, i, parts[i])
                break
            results[i] = fut.result()
            for u in parts[i]:
                left[u.name] -= 1
                if not left[u.name]:   # the file's last range
                    on_loaded(next(sf for sf in files if sf.name == u.name))
        if failure is not None:
            stop.set()
            # the others stop before their next file; none may write once the build is removed
            wait(futures)
            raise failure
        RG.join(results)
        if any(u.rows is not None for u in units):   # the coordinator's planner pass
            results[0].timings["cut into row ranges"] = cut_s[0]
            results[0].cpu_timings["cut into row ranges"] = cut_s[1]
        return results
    finally:
        if own:
            client.close()
            cluster.close()


def _part_error(fut, i: int, files: list[SourceFile]) -> BaseException:
    from distributed import CancelledError

    try:
        err = fut.exception()
    except CancelledError:
        err = None
    if isinstance(err, LoadError):
        return err
    names = ", ".join(sf.key for sf in files)
    return LoadError(f"part {i + 1} of the load ({names}) failed: "
                     f"{type(err).__name__ if err else 'cancelled'}: {err}")
