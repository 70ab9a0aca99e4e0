"""DICOM files of releases and case extracts encrypted at rest (SATRE, issue 15; policy
``data.encrypt_at_rest``, rule O3).

Each de-identified DICOM file (``dicom/<pseudonym>.dcm`` under a release or an extract) is a
sealed blob in the project's one format (:mod:`datasets.blob_crypto`, AES-256-GCM in 1 MiB
chunks).  Its key is derived from the key of its scope - the same ``release:<id>`` /
``case:<code>`` key-encryption key as the scope's Parquet files (:func:`parquet_crypto.scope_kek`),
so the query broker, which holds only its case's key, reads its case's images and nothing else -
and from the file's path in the scope; the scope and the path are also the associated data of
every chunk.  A file copied into another release or case, or renamed inside one, does not open.
A key per file also keeps each key far below GCM's random-nonce budget in a release of
millions of images.

Default deny: where the policy requires encryption, a plain file is refused naming it; a file
that does not open with the scope's key is refused naming it.  Decrypted bytes stay in memory.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from datasets import blob_crypto as B
from datasets import parquet_crypto as PC
from datasets.defaults import settings_or_current

_INFO = "sealed-file:aes-256-gcm:v1:"
# the path a row of H_IMG_INDEX names: dicom/<pseudonym>.dcm, nothing above or beside it
REL_RE = re.compile(r"dicom/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\.dcm")


class PlainDicomRefused(PC.PlainFileRefused):
    """A DICOM file is plain although the policy requires encryption at rest."""


class DicomKeyError(PC.WrongKeyError):
    """A DICOM file does not open with its scope's key (another release/case or name, altered)."""


def check_rel(rel: str) -> str:
    """``rel`` if it is a DICOM path of a release or extract (``dicom/<name>.dcm``)."""
    if not isinstance(rel, str) or not REL_RE.fullmatch(rel) or ".." in rel:
        raise PC.ParquetCryptoError(f"{rel!r} is not a DICOM file of this data "
                                    f"(expected dicom/<name>.dcm)")
    return rel


def _key_and_context(scope: PC.Scope, rel: str) -> tuple[bytes, bytes]:
    from deidentify.keys import hkdf

    return hkdf(scope.kek, _INFO + rel), f"{scope.name}\n{rel}".encode()


def write_file(path: str | Path, data: bytes, scope: PC.Scope, rel: str) -> None:
    """Write one DICOM file, sealed when the scope says so (the caller's publish fsyncs it)."""
    check_rel(rel)
    with open(path, "wb") as out:
        if scope.encrypt:
            key, ctx = _key_and_context(scope, rel)
            B.seal_stream(io.BytesIO(data), out, key, context=ctx)
        else:
            out.write(data)


def is_sealed(path: str | Path) -> bool:
    with open(path, "rb") as f:
        return B.is_sealed(f)


def read_file(path: str | Path, scope: PC.Scope, rel: str, filesystem=None) -> bytes:
    """The DICOM file's plaintext (in memory only).  Sealed files must open with the scope's
    key for ``rel``; a plain file is refused where the policy requires encryption.
    ``filesystem``: the pyarrow filesystem the path is on (the release store), else local."""
    check_rel(rel)
    with (filesystem.open_input_file(str(path)) if filesystem else open(path, "rb")) as f:
        if not B.is_sealed(f):
            if scope.encrypt:
                raise PlainDicomRefused(
                    f"{path} is not encrypted, but the policy requires DICOM files encrypted at "
                    f"rest (data.encrypt_at_rest, O3; scope {scope.name}): rebuild it, or ask "
                    f"the steward")
            return f.read()
        if not scope.kek:
            raise DicomKeyError(f"{path} is encrypted but no key of {scope.name} was given")
        key, ctx = _key_and_context(scope, rel)
        try:
            return B.read_sealed(f, key, str(path), ctx)
        except B.SealError as e:
            raise DicomKeyError(f"{path} does not open with the key of {scope.name} as {rel} "
                                f"(a file of another release, case or name, or altered): {e}"
                                ) from None


def release_dicom(release: str, rel: str, settings=None, policy=None) -> bytes:
    """One DICOM file of a warehouse release, decrypted (steward tools)."""
    from datasets.load.releases import release_root, release_scope

    settings = settings_or_current(settings)
    root = release_root(release, settings)
    return read_file(root.file(check_rel(rel)), release_scope(release, settings, policy), rel,
                     root.fs if root.store else None)


def extract_dicom(case_code: str, rel: str, settings=None, policy=None) -> bytes:
    """One DICOM file of a case's extract, decrypted (steward tools; sessions use the broker)."""
    from datasets.extract.builder import extract_scope

    settings = settings_or_current(settings)
    root = Path(settings.projects_dir) / case_code / "data"
    return read_file(root / check_rel(rel), extract_scope(case_code, settings, policy), rel)


def read_at(path: str | Path, settings=None, policy=None) -> bytes:
    """A DICOM file of a release (``releases/<id>/dicom/``) or an extract
    (``<projects>/<case>/data/dicom/``) by its place on disk, which names its scope; decrypted
    (for checks that compare against the originals, e.g. the egress engine's E5)."""
    settings = settings_or_current(settings)
    path = Path(path).resolve()
    rel = f"dicom/{path.name}"
    releases = (Path(settings.warehouse_dir) / "releases").resolve()
    projects = Path(settings.projects_dir).resolve()
    up = path.parent.parent   # the release's or the extract's directory
    if path.parent.name == "dicom" and up.parent == releases:
        return release_dicom(up.name, rel, settings, policy)
    if path.parent.name == "dicom" and up.name == "data" and up.parent.parent == projects:
        return extract_dicom(up.parent.name, rel, settings, policy)
    raise PC.ParquetCryptoError(f"{path} is not a DICOM file of a release or an extract here "
                                f"({releases}, {projects})")
