"""What the disclosure engine needs to know about a case beyond the files themselves.

- ``case_pseudonyms`` (E7): every pseudonym in the case's extract (any re-coded identifier
  column), so a released file that carries one is caught even though it is not a real ID;
- ``original_images_dir`` (E5): the case's own images, to catch an original in a figure;
- ``provenance_key`` (E6): the per-case key with which the query broker seals safe_tables
  provenance sidecars (never given to a session); the service verifies seals with it.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

import duckdb


def _recoded_columns(family: str) -> list[str]:
    from datasets.schemas import FAMILIES

    fam = FAMILIES.get(family)
    return [c.name for c in fam.columns if c.action == "recode"] if fam else []


@lru_cache(maxsize=64)
def _pseudonyms(data_dir: str, stamp: float, case_code: str = "", settings=None) -> frozenset[str]:
    # ``stamp`` (the extract's mtime) keys the cache so a rebuilt extract is read again.  The
    # files are encrypted at rest with the case's key (O3): read through parquet_crypto.
    from datasets import parquet_crypto as PC
    from datasets.extract.builder import extract_scope

    out: set[str] = set()
    scope = extract_scope(case_code, settings) if settings is not None else \
        PC.Scope(PC.case_scope(case_code), None, False)
    con = duckdb.connect()
    for pq in sorted(Path(data_dir).glob("*.parquet")):
        PC.register(con, "t", PC.dataset([pq], scope))
        cols = {r[0] for r in con.execute("DESCRIBE t").fetchall()}
        for col in _recoded_columns(pq.stem):
            if col in cols:
                rows = con.execute(f'SELECT DISTINCT "{col}" FROM t WHERE "{col}" IS NOT NULL').fetchall()
                out.update(str(r[0]) for r in rows)
    con.close()
    return frozenset(out)


def enclave_case_context(settings=None) -> Callable[[str], dict]:
    """The production ``case_context`` for :func:`egress_review.api.create_app`."""
    if settings is None:
        from enclave.settings import get_settings
        settings = get_settings()

    def context(case_code: str) -> dict:
        from datasets.keyring import master_key
        from deidentify.keys import KeyFileError
        from egress_review.safe_tables.provenance import case_provenance_key

        out: dict = {}
        try:
            out["provenance_key"] = case_provenance_key(master_key(settings, create=False), case_code)
        except KeyFileError:
            pass  # no master key here: sealed sidecars then fail verification and go to review
        data = Path(settings.projects_dir) / case_code / "data"
        if data.is_dir():
            out["case_pseudonyms"] = _pseudonyms(str(data), data.stat().st_mtime, case_code, settings)
            images = data / "dicom"  # where datasets.extract puts the case's images
            if images.is_dir():
                out["original_images_dir"] = images
        return out

    return context
