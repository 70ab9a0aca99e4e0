"""Source-file checks before anything is loaded: name, encoding, truncation, header, fingerprint.

Every problem here refuses the whole load with a :class:`LoadError` naming the file and, where it
applies, the byte offset / line; nothing has been written to the warehouse at that point.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from datasets.schemas import FAMILIES
from datasets.schemas.model import Family

CHUNK = 8 << 20
NAME_RE = re.compile(r"(?P<family>H_[A-Z]+_[A-Z]+)(?:_(?P<year>\d{4}))?(?:_part\d+)?\.(?P<ext>csv|txt)$")
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "big5": "big5", "big-5": "big5", "cp950": "cp950"}


class LoadError(RuntimeError):
    """A source file or release cannot be loaded; the message says which and why."""


@dataclass(frozen=True)
class RowRange:
    """Bytes ``[start, end)`` of ``source`` (the file, or its UTF-8 transcode), whole records;
    a range after the first is read with the file's first ``header_end`` bytes (its header
    line) put before it."""
    source: Path
    start: int
    end: int
    header_end: int
    index: int           # 0-based
    count: int           # ranges of the file
    line_offset: int     # file line of the range's line 1 (its header, if any), minus one


@dataclass
class SourceFile:
    path: Path
    family: Family
    year: str | None
    encoding: str
    fixed_width: bool
    size: int = 0
    sha256: str = ""
    staged: Path | None = None   # UTF-8 copy when the source is Big5 (a range's own copy)
    header: list[str] | None = None
    rows: RowRange | None = None   # one row range of the file (datasets.load.ranges)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def key(self) -> str:
        """The unit of work's name: the file's, or with ``#<range>`` for one of its ranges."""
        return self.name if self.rows is None else f"{self.name}#{self.rows.index + 1}"

    @property
    def stem(self) -> str:
        """Output file stem: the source's, ``.r<range>`` added when the file was cut."""
        return self.path.stem if self.rows is None else f"{self.path.stem}.r{self.rows.index + 1:04d}"

    @property
    def line_offset(self) -> int:
        """Added to a line number the reader gives for this unit: the file's line number."""
        return 0 if self.rows is None else self.rows.line_offset

    @property
    def readable(self) -> Path:
        return self.staged or self.path


def read_manifest(src: Path) -> dict:
    p = src / "MANIFEST.json"
    if not p.exists():
        return {}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise LoadError(f"{p}: unreadable manifest: {e}") from None


def discover(src: Path, encoding: str | None, manifest: dict) -> list[SourceFile]:
    if not src.is_dir():
        raise LoadError(f"source directory {src} does not exist")
    enc_name = (encoding or manifest.get("encoding") or "utf-8").lower()
    if enc_name not in ENCODINGS:
        raise LoadError(f"unsupported encoding {enc_name!r}; use utf-8 or big5")
    enc = ENCODINGS[enc_name]
    out = []
    for p in sorted(src.iterdir()):
        if p.name.startswith(("_", ".")) or p.is_dir() or p.name == "MANIFEST.json":
            continue
        m = NAME_RE.match(p.name)
        if not m:
            raise LoadError(f"{p.name}: not a recognised source file name "
                            f"(expected <FAMILY>[_<YYYY>].csv|.txt, e.g. H_NHI_OPDTE_2019.csv)")
        fam = m.group("family")
        if fam not in FAMILIES:
            raise LoadError(f"{p.name}: unknown file family {fam!r}; known: {', '.join(FAMILIES)}")
        out.append(SourceFile(p, FAMILIES[fam], m.group("year"), enc, m.group("ext") == "txt"))
    if not out:
        raise LoadError(f"{src}: no source files found")
    return out


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _read_plain(path: Path, h) -> tuple[int, bytes, bytes]:
    """Hash block by block, nothing to decode; (size, last byte, first line).  Lines are not
    counted: only the truncation message needs a line number (counted then, see ``_lines``)."""
    size = 0
    last = first_line = b""
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
            if size == 0:
                first_line = block.split(b"\n", 1)[0]
            size += len(block)
            last = block[-1:]
    return size, last, first_line


def _lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(CHUNK), b""))


def _read_decoding(sf: SourceFile, h, stage) -> tuple[int, bytes, bytes]:
    """Hash and decode line-aligned parts (writing the UTF-8 transcode to ``stage`` if given);
    a bad byte sequence raises with its offset and line."""
    size = lines = 0
    last = first_line = b""
    try:
        with open(sf.path, "rb") as f:
            carry = b""
            while True:
                block = f.read(CHUNK)
                if block:
                    h.update(block)
                data = carry + block
                if not block:
                    cut = len(data)
                else:
                    cut = data.rfind(b"\n") + 1
                    if cut == 0:
                        carry = data
                        continue
                part, carry = data[:cut], data[cut:]
                if part:
                    if not first_line:
                        first_line = part.split(b"\n", 1)[0]
                    try:
                        # pure-ASCII blocks (most order files) are valid in both encodings
                        if stage is None and part.isascii():
                            text = None
                        else:
                            text = part.decode(sf.encoding)
                    except UnicodeDecodeError as e:
                        off = size + e.start
                        hint = ""
                        for other in ("utf-8", "big5"):
                            if other != sf.encoding:
                                try:
                                    part.decode(other)
                                    hint = f"; the bytes decode as {other}: pass --encoding {other}"
                                except UnicodeDecodeError:
                                    pass
                        raise LoadError(f"{sf.name}: not valid {sf.encoding} at byte offset {off} "
                                        f"(line {lines + _line_of(part, e.start)}); expected encoding "
                                        f"{sf.encoding}{hint}") from None
                    if stage is not None:
                        stage.write(text.encode("utf-8"))
                    lines += part.count(b"\n")
                    size += len(part)
                    last = part[-1:]
                if not block:
                    break
    finally:
        if stage is not None:
            stage.close()
    return size, last, first_line


def check(sf: SourceFile, manifest: dict, staging_dir: Path, *, verify_utf8: bool = False) -> None:
    """Hash, decode-check (transcoding Big5 to a UTF-8 staging copy), truncation and header.

    UTF-8 sources are not decoded here unless ``verify_utf8``: DuckDB's reader validates UTF-8
    anyway and reports the line of any invalid byte sequence, and the loader then calls
    :func:`encoding_error` for the full message (decoding in Python cost ~1.7 s per 1.5 GB)."""
    expected = {f["file"]: f for f in manifest.get("files", [])}.get(sf.name)
    h = hashlib.sha256()
    stage = None
    if sf.encoding != "utf-8":
        staging_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        sf.staged = staging_dir / (sf.name + ".utf8")
        stage = open(sf.staged, "wb")
    if stage is None and not verify_utf8:
        size, last, first_line = _read_plain(sf.path, h)
    else:
        size, last, first_line = _read_decoding(sf, h, stage)
    sf.size, sf.sha256 = size, h.hexdigest()
    mismatch = expected and ((expected.get("bytes") is not None and expected["bytes"] != size)
                             or (expected.get("sha256") and expected["sha256"] != sf.sha256))
    if stage is None and not verify_utf8 and (mismatch or last != b"\n"):
        # a file in the wrong encoding also differs from its manifest: say the real cause
        err = encoding_error(sf, quiet=True)
        if err is not None:
            raise err
    if size == 0:
        raise LoadError(f"{sf.name}: empty file (0 bytes)")
    if expected and expected.get("bytes") is not None and expected["bytes"] != size:
        raise LoadError(f"{sf.name}: truncated or altered: {size} bytes, the manifest says "
                        f"{expected['bytes']}")
    if last != b"\n":
        raise LoadError(f"{sf.name}: truncated: the file ends mid-record at byte offset {size} "
                        f"(line {_lines(sf.path) + 1} has no line end)")
    if expected and expected.get("sha256") and expected["sha256"] != sf.sha256:
        raise LoadError(f"{sf.name}: content differs from the manifest's sha256")
    if not sf.fixed_width:
        _check_header_line(sf, first_line)


def check_header(sf: SourceFile) -> None:
    """Only the header line (cheap): lets DuckDB start on a file while :func:`check` runs."""
    if sf.fixed_width:
        return
    with open(sf.path, "rb") as f:
        first_line = f.readline(1 << 20).rstrip(b"\r\n")
    try:
        _check_header_line(sf, first_line)
    except UnicodeDecodeError:
        raise encoding_error(sf) from None


_COLUMN_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


def _unknown_columns(header: list[str], unknown: list[str]) -> str:
    """The header's unknown fields, named only where line 1 is a header with a few wrong
    names.  A file delivered without its header has a data row there - an ID, a name, a
    birthday - and an error quoting it would carry raw identifiers to the steward's terminal
    and logs: such fields (not shaped like a column name, or most of the line unknown) are
    given by position only."""
    shaped = all(_COLUMN_NAME.fullmatch(c) and not re.search(r"\d{3}", c) for c in unknown)
    if shaped and 2 * len(unknown) <= len(header):
        return f"unknown columns {unknown}"
    at = [i + 1 for i, c in enumerate(header) if c in unknown]
    return (f"{len(unknown)} unknown columns at positions {at} (not shown: line 1 looks like "
            f"data, not a header - is the header line missing?)")


def _check_header_line(sf: SourceFile, first_line: bytes) -> None:
    header = first_line.decode(sf.encoding).strip().lstrip("\ufeff").split(",")
    header = [c.strip().strip('"') for c in header]
    want = sf.family.names
    unknown = [c for c in header if c not in want]
    missing = [c for c in want if c not in header]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(_unknown_columns(header, unknown))
        if missing:
            parts.append(f"missing columns {missing}")
        raise LoadError(f"{sf.name}: header (line 1) does not match the {sf.family.name} "
                        f"layout: {'; '.join(parts)}")
    if len(set(header)) != len(header):
        raise LoadError(f"{sf.name}: header (line 1) repeats a column name")
    sf.header = header


def encoding_error(sf: SourceFile, quiet: bool = False) -> LoadError | None:
    """The error for a UTF-8 source in which the reader found an invalid byte sequence: the
    byte offset, the line and which encoding the bytes do decode as.  ``quiet``: None when
    the file decodes (or fails for another reason)."""
    probe = SourceFile(sf.path, sf.family, sf.year, sf.encoding, sf.fixed_width)
    try:
        check(probe, {}, sf.path.parent, verify_utf8=True)
    except LoadError as e:
        if not quiet or ": not valid " in str(e):
            return e
        return None
    if quiet:
        return None
    return LoadError(f"{sf.name}: not valid {sf.encoding} (the reader found an invalid byte "
                     f"sequence)")
