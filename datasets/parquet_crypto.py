"""Parquet encrypted at rest: the warehouse's releases and the case extracts (SATRE encryption
at rest, issue 15; policy ``data.encrypt_at_rest``, rule O3).

Each file uses Parquet modular encryption (AES-GCM; footer and every column under one key)
with a fresh random 256-bit data key (DEK) made by pyarrow's ``CryptoFactory``.  The DEK is
kept in the file's footer, wrapped with AES-256-GCM under the key-encryption key (KEK) of its
*scope* - ``release:<id>`` or ``case:<code>`` - and the scope as associated data, so a file
moved into another release or case does not open there.  The KEK is HKDF-SHA256 of the master
key (``datasets.keyring``), which never sits beside the data.

DuckDB cannot write encrypted Parquet here (its writer needs an extension that cannot be
installed), and its reader of encrypted Parquet (``PRAGMA add_parquet_key`` +
``encryption_config``) fails on files pyarrow wrote as soon as a column chunk has more than one
page or a filter is pushed into the scan ("Computed AES tag differs"), and would need the key
in SQL text.  So DuckDB computes and pyarrow does the Parquet: :class:`ParquetSink` writes,
:func:`dataset` reads (pyarrow decrypts while it scans, with projections and filters pushed
down by DuckDB), and :func:`register` puts the dataset behind a DuckDB view.  No key enters
DuckDB.

Default deny: where the policy requires encryption, a plain file is refused (naming it), and a
file whose key does not unwrap with the scope's KEK is refused naming the file.
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pe

from datasets.defaults import policy_or_current, settings_or_current

ROW_GROUP = 122_880        # DuckDB's own row-group size: the same pruning as its COPY wrote
_KEK_INFO = "parquet-kek:aes-256-gcm:v1:"


class ParquetCryptoError(Exception):
    """A Parquet file of the warehouse or an extract cannot be opened as the policy requires."""


class PlainFileRefused(ParquetCryptoError):
    """A file is not encrypted although the policy requires encryption at rest."""


class WrongKeyError(ParquetCryptoError):
    """A file's data key does not unwrap with the scope's key (another release/case, altered)."""


def release_scope(release: str) -> str:
    return f"release:{release}"


def case_scope(case_code: str) -> str:
    return f"case:{case_code}"


def scope_kek(master: bytes, scope: str) -> bytes:
    """The key-encryption key of one release or case (HKDF-SHA256 of the master key)."""
    from deidentify.keys import hkdf

    return hkdf(master, _KEK_INFO + scope)


@dataclass(frozen=True)
class Scope:
    """Where files are written or read: ``name`` (``release:R1``), its KEK, and whether files
    are written encrypted / must be encrypted to be read."""
    name: str
    kek: bytes | None
    encrypt: bool = True

    def __post_init__(self):
        if self.encrypt and not self.kek:
            raise ParquetCryptoError(f"{self.name}: encryption at rest is required but no key "
                                     f"was given (is the master key available?)")



def scope_for(master: bytes | None, scope: str, policy) -> Scope:
    """The scope under ``policy``; without the master key, only plain files (policy off)."""
    on = bool(policy.data.encrypt_at_rest)
    return Scope(scope, scope_kek(master, scope) if master else None, on)


# ------------------------------------------------------------------ key wrapping (our "KMS")
class _Wrapper(pe.KmsClient):
    """Wraps each file's DEK with the scope's KEK; records the DEK it saw (the writer and the
    reader need it for DuckDB)."""

    def __init__(self, keks: dict[str, bytes], seen: list | None):
        super().__init__()
        self._keks, self._seen = keks, seen

    def _aes(self, scope: str):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if scope not in self._keks:
            raise WrongKeyError(f"the file is wrapped for {scope!r}, not for "
                                f"{', '.join(self._keks)}")
        return AESGCM(self._keks[scope])

    def wrap_key(self, key_bytes, master_key_identifier):
        nonce = os.urandom(12)
        ct = self._aes(master_key_identifier).encrypt(nonce, bytes(key_bytes),
                                                      master_key_identifier.encode())
        if self._seen is not None:
            self._seen.append(bytes(key_bytes))
        return base64.b64encode(nonce + ct).decode()

    def unwrap_key(self, wrapped_key, master_key_identifier):
        raw = base64.b64decode(wrapped_key)
        dek = self._aes(master_key_identifier).decrypt(raw[:12], raw[12:],
                                                       master_key_identifier.encode())
        if self._seen is not None:
            self._seen.append(dek)
        return dek


def _factory(scope: Scope, seen: list | None) -> pe.CryptoFactory:
    return pe.CryptoFactory(lambda _cfg: _Wrapper({scope.name: scope.kek}, seen))


_KMS = pe.KmsConnectionConfig()


class ParquetSink:
    """One Parquet file written from Arrow batches, encrypted when the scope says so.  Rows
    go out in DuckDB-sized row groups; ``close()`` returns the file's DEK (None when plain)."""

    def __init__(self, path: str | Path, schema: pa.Schema, scope: Scope):
        self.path, self.rows, self.dek = Path(path), 0, None
        props = None
        seen: list[bytes] = []
        if scope.encrypt:
            cfg = pe.EncryptionConfiguration(footer_key=scope.name, uniform_encryption=True,
                                             double_wrapping=False, data_key_length_bits=256,
                                             plaintext_footer=False)
            props = _factory(scope, seen).file_encryption_properties(_KMS, cfg)
            self.dek = seen[-1]
        self._w = pq.ParquetWriter(str(self.path), schema, compression="snappy",
                                   encryption_properties=props)

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        if batch.num_rows:
            self._w.write(batch, row_group_size=ROW_GROUP)
            self.rows += batch.num_rows

    def close(self) -> bytes | None:
        self._w.close()
        return self.dek

    def __enter__(self) -> "ParquetSink":
        return self

    def __exit__(self, *exc) -> None:
        self._w.close()


def arrow_reader(con, query: str) -> pa.RecordBatchReader:
    """Stream a DuckDB query's rows in row-group-sized batches (no copy of the whole result)."""
    con.complete()   # a result left half-read by fetchone() would block the next statement
    return con.sql(query).to_arrow_reader(ROW_GROUP)


def write_reader(path: str | Path, reader: pa.RecordBatchReader, scope: Scope) -> ParquetSink:
    """Write everything ``reader`` yields (e.g. ``duckdb ... .fetch_record_batch()``)."""
    try:
        with ParquetSink(path, reader.schema, scope) as sink:
            for batch in reader:
                sink.write(batch)
    finally:
        reader.close()   # a DuckDB connection refuses new statements while a result is open
    return sink


def write_table(table: pa.Table, path: str | Path, scope: Scope) -> ParquetSink:
    with ParquetSink(path, table.schema, scope) as sink:
        sink.write(table)
    return sink


def write_case_table(table: pa.Table, path: str | Path, case_code: str, settings=None,
                     policy=None) -> ParquetSink:
    """One table of a case's extract, encrypted with the case's key as the policy says (for
    fixtures and tools that place a table beside a built extract)."""
    from datasets import keyring

    settings = settings_or_current(settings)
    policy = policy_or_current(policy)
    return write_table(table, path, scope_for(keyring.master_key(settings), case_scope(case_code),
                                              policy))


# ------------------------------------------------------------------ reading
def _open(path: str | Path, filesystem):
    return filesystem.open_input_file(str(path)) if filesystem else open(path, "rb")


def is_encrypted(path: str | Path, filesystem=None) -> bool:
    """Encrypted-footer Parquet ends with ``PARE``, plain Parquet with ``PAR1``.
    ``filesystem``: a pyarrow filesystem the path is on (the release store), else local."""
    with _open(path, filesystem) as f:
        f.seek(0, os.SEEK_END)
        if f.tell() < 8:
            raise ParquetCryptoError(f"{path}: not a Parquet file (too short)")
        f.seek(-4, os.SEEK_END)
        tail = f.read(4)
    if tail not in (b"PARE", b"PAR1"):
        raise ParquetCryptoError(f"{path}: not a Parquet file")
    return tail == b"PARE"


def _decryption(scope: Scope, seen: list | None):
    return _factory(scope, seen).file_decryption_properties(_KMS, pe.DecryptionConfiguration())


def file_dek(path: str | Path, scope: Scope, filesystem=None) -> bytes:
    """The DEK of an encrypted file, unwrapped with the scope's KEK (reads the footer only)."""
    if not scope.kek:
        raise ParquetCryptoError(f"{path} is encrypted but no key of {scope.name} was given")
    seen: list[bytes] = []
    # opened outside the try: a store that cannot be read is not a wrong key
    src = filesystem.open_input_file(str(path)) if filesystem else str(path)
    try:
        pq.ParquetFile(src, decryption_properties=_decryption(scope, seen)).close()
    except WrongKeyError as e:
        raise WrongKeyError(f"{path}: {e}") from None
    except Exception as e:  # noqa: BLE001 - InvalidTag from the callback, or pyarrow's OSError
        raise WrongKeyError(f"{path}: its data key does not open with the key of {scope.name} "
                            f"(wrong key, a file of another release or case, or altered): "
                            f"{type(e).__name__}") from None
    finally:
        if filesystem:
            src.close()
    if not seen:
        raise WrongKeyError(f"{path}: no data key was found in its footer")
    return seen[-1]


def check_plain_allowed(path: str | Path, scope: Scope) -> None:
    if scope.encrypt:
        raise PlainFileRefused(
            f"{path} is not encrypted, but the policy requires Parquet encrypted at rest "
            f"(data.encrypt_at_rest, O3; scope {scope.name}): rebuild it, or ask the steward")


def parquet_files(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*.parquet") if p.is_file())


def dataset(files: list[Path], scope: Scope, *, hive_root: Path | str | None = None,
            filesystem=None) -> ds.Dataset:
    """The files as one pyarrow dataset that decrypts as it scans (each file's DEK unwrapped
    with the scope's KEK).  Every file is checked first: a plain file where the policy requires
    encryption, or one whose key does not unwrap, is refused naming it.  ``filesystem``: a
    pyarrow filesystem holding the files (the release store: ``bucket/key`` paths)."""
    files = [str(f) for f in files] if filesystem else [Path(f) for f in files]
    if not files:
        raise ParquetCryptoError("no Parquet file to read")
    enc = [is_encrypted(f, filesystem) for f in files]
    for f, e in zip(files, enc):
        if e:
            file_dek(f, scope, filesystem)
        else:
            check_plain_allowed(f, scope)
    if any(enc) and not all(enc):
        plain = [str(f) for f, e in zip(files, enc) if not e]
        raise PlainFileRefused(f"{plain[0]} is plain beside encrypted files of {scope.name}: "
                               f"a file was replaced or added; rebuild the data")
    fmt = ds.ParquetFileFormat()
    if all(enc):   # a long-lived reader (the broker) unwraps on every scan: record nothing
        fmt = ds.ParquetFileFormat(default_fragment_scan_options=ds.ParquetFragmentScanOptions(
            decryption_properties=_decryption(scope, None)))
    kw = {"partitioning": "hive", "partition_base_dir": str(hive_root)} if hive_root else {}
    if filesystem:
        kw["filesystem"] = filesystem
    return ds.dataset([str(f) for f in files], format=fmt, **kw)


def register(con, name: str, data: ds.Dataset, schema: str | None = None) -> None:
    """A view ``[schema.]name`` in DuckDB over the dataset: DuckDB computes, pushing projections
    and filters into pyarrow's scan; no key ever enters DuckDB or its SQL text."""
    def q(x: str) -> str:
        return '"' + x.replace('"', '""') + '"'

    src = f"_pq_{schema}_{name}" if schema else f"_pq_{name}"
    con.complete()   # a result left half-read by fetchone() would block the registration
    con.register(src, data)
    target = f"{q(schema)}.{q(name)}" if schema else q(name)
    con.execute(f"CREATE OR REPLACE VIEW {target} AS SELECT * FROM {q(src)}")


def read_table(path: str | Path, scope: Scope, columns: list[str] | None = None) -> pa.Table:
    """The whole file as an Arrow table (encrypted or, where allowed, plain)."""
    return dataset([Path(path)], scope).to_table(columns=columns)
