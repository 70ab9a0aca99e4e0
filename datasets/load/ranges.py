"""Row ranges: a large source file cut at record boundaries into units of work (issue 18).

A file above the policy's ``data.load_part_bytes`` is cut into ranges of about that size, so
that a year's outpatient claims in one file load on several workers.  The cut points depend on
the file's bytes and the setting only, never on the number of workers, so the release is the
same from one process and from any cluster (each range writes ``<stem>.r<NNNN>.parquet``; a
file that is not cut keeps ``<stem>.parquet``).

Where to cut.  DuckDB's CSV reader is the authority on records, so a cut must fall where it
would end one: after a line end outside quotes.  The planner scans the bytes once, in blocks
(numpy finds the quotes, line ends and carriage returns; a block without a quote costs two
``bytes.count`` calls), tracking whether each byte is inside a quoted field.  Counting quote
parity is exactly the reader's state only for RFC 4180 quoting, so the file is cut only if its
layout is regular: every quote opens a field (after a delimiter, a line end or the file's
start), closes one (before a delimiter, a line end or its doubled escape), or is that escape;
no quoted field is open at the end; line ends outside quotes are all LF or all CRLF; no lone
CR and no empty line outside quotes (the reader skips empty lines but counts them).  Anything
else - a stray quote the reader keeps as data, mixed line ends - leaves the file whole, loaded
exactly as before: a wrong cut would split a record in two, a missed cut costs only time.
The same scan counts the records before each cut, which is what the reader numbers its lines
by (a quoted line end does not start a new line number), so each range knows the file line
its first record has.

Which files.  Delimited (CSV) files and fixed-width files (no quoting: every line end is a
record end) are cut; Big5 sources are cut in their staged UTF-8 transcode (the check writes it
line for line, so records and line numbers are those of the source).  Files with DICOM
references stay whole: each distinct image is de-identified once per file, and two ranges
would write the same image twice.

How a range is read.  DuckDB reads a file, not a byte range, so the part copies the range (the
file's header line first, for a CSV range after the first) into its staging directory just
before its scan (``os.copy_file_range``: in the kernel) and removes it after; the staging
directory goes with the load, whatever its outcome.
"""
from __future__ import annotations

import errno
import os
import re
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

from datasets.load.files import CHUNK, LoadError, RowRange, SourceFile

_QUOTE, _LF, _CR, _COMMA = 34, 10, 13, 44
_BOM = b"\xef\xbb\xbf"
# byte -> may a quote that opens a field follow it / a quote that closes one precede it
_OPEN_AFTER = np.zeros(256, bool)
_OPEN_AFTER[[_COMMA, _LF, _QUOTE]] = True
_CLOSE_BEFORE = np.zeros(256, bool)
_CLOSE_BEFORE[[_COMMA, _CR, _LF, _QUOTE]] = True


class _Planner:
    """Feeds on a file's blocks; collects the cuts, or the first irregularity."""

    def __init__(self, size: int, part_bytes: int, quoted: bool, header: bool):
        self.size, self.part, self.quoted, self.header = size, part_bytes, quoted, header
        self.pos = 0               # offset of the next block
        self.inside = 0            # 1 inside a quoted field
        self.prev = 0              # last byte of the previous block (none: NUL)
        self.records = 0           # line ends outside quotes so far
        self.last_end = -1         # offset of the last of them
        self.crlf = self.lf = 0
        self.close_pending = False  # the previous block ended with a closing quote
        self.cr_pending = False     # ... with a CR outside quotes
        self.data_start = 0
        self.target = part_bytes
        self.cuts: list[tuple[int, int]] = []   # (offset, records before it)
        self.header_end = 0
        self.bad = ""

    def _fail(self, offset: int, what: str) -> None:
        if not self.bad:
            self.bad = f"{what} at byte offset {offset}"

    def feed(self, block: bytes) -> None:
        if self.bad or not block:
            return
        a = np.frombuffer(block, np.uint8)
        n, pos = len(a), self.pos
        if self.close_pending and a[0] not in (_COMMA, _CR, _LF, _QUOTE):
            self._fail(pos, "a closing quote followed by other data")
        if self.cr_pending and a[0] != _LF:
            self._fail(pos, "a carriage return without a line feed")
        self.close_pending = self.cr_pending = False
        isq = a == _QUOTE if self.quoted else None
        q = np.flatnonzero(isq) if isq is not None and isq.any() else np.empty(0, np.int64)

        inside = self.inside   # at the block's start

        def outside(at: np.ndarray) -> np.ndarray:
            if not len(q):
                return at if not inside else at[:0]
            return at[((inside + np.searchsorted(q, at)) & 1) == 0]

        if len(q):
            # quotes alternate: opening (outside before it), closing (inside before it)
            opens, closes = (q[0::2], q[1::2]) if not inside else (q[1::2], q[0::2])
            ok = _OPEN_AFTER[a[opens - 1]]   # at 0: -1 is the block's last byte, fixed below
            if len(opens) and opens[0] == 0:
                ok[0] = _OPEN_AFTER[self.prev] or pos == self.data_start
            if pos <= self.data_start < pos + n:   # the block holding the file's first field
                ok |= opens + pos == self.data_start
            if not ok.all():
                self._fail(pos + int(opens[~ok][0]), "a quote inside an unquoted field")
            inner = closes[closes + 1 < n]
            ok = _CLOSE_BEFORE[a[inner + 1]]
            if not ok.all():
                self._fail(pos + int(inner[~ok][0]), "a closing quote followed by other data")
            self.close_pending = bool(len(closes)) and int(closes[-1]) == n - 1
            self.inside = (inside + len(q)) & 1   # at its end
        iscr = a == _CR
        if iscr.any():
            cr = outside(np.flatnonzero(iscr))
            inner = cr[cr + 1 < n]
            if not (a[inner + 1] == _LF).all():
                self._fail(pos + int(inner[a[inner + 1] != _LF][0]),
                           "a carriage return without a line feed")
            self.cr_pending = bool(len(cr)) and int(cr[-1]) == n - 1
        ends = outside(np.flatnonzero(a == _LF))
        if len(ends):
            crlf = np.where(ends > 0, a[np.maximum(ends - 1, 0)], self.prev) == _CR
            self.crlf += int(crlf.sum())
            self.lf += len(ends) - int(crlf.sum())
            at = ends + pos
            gap = np.diff(np.concatenate(([self.last_end], at)))
            empty = (gap == 1) | ((gap == 2) & crlf)
            if empty.any():
                self._fail(int(at[empty][0]), "an empty line")
            if self.records == 0:
                self.header_end = int(at[0]) + 1
            # a cut follows a record end at or after the target, never at the end of the file
            # nor, in a CSV, right after its header line (a range of no records)
            first = 2 if self.header else 1
            k = 0
            while True:
                k += int(np.searchsorted(at[k:] + 1, self.target))
                if k >= len(at):
                    break
                cut, before = int(at[k]) + 1, self.records + k + 1
                if cut >= self.size:
                    break
                if before >= first:
                    self.cuts.append((cut, before))
                    self.target = cut + self.part
                k += 1
            self.records += len(at)
            self.last_end = int(at[-1])
        self.prev = int(a[-1])
        self.pos += n

    def finish(self) -> None:
        if self.inside:
            self._fail(self.pos, "a quoted field still open at the end of the file")
        if self.crlf and self.lf:
            self._fail(self.pos, "line ends mixing LF and CRLF")
        if self.pos != self.size or self.prev != _LF:
            self._fail(self.pos, "no line end at the end of the file")


def plan(sf: SourceFile, part_bytes: int) -> tuple[list[RowRange], str]:
    """The row ranges of ``sf`` (of its UTF-8 transcode if it has one), or ``[]`` and why it
    stays whole.  Reads the file once unless it is no larger than ``part_bytes``."""
    if sf.rows is not None:
        raise LoadError(f"{sf.key}: already a row range")
    source = sf.readable
    size = source.stat().st_size
    if size <= part_bytes:
        return [], "not larger than the part size"
    if any(c.type == "dicom" for c in sf.family.columns):
        return [], "it references DICOM files (each is de-identified once per file)"
    p = _Planner(size, part_bytes, quoted=not sf.fixed_width, header=not sf.fixed_width)
    with open(source, "rb") as f:
        if f.read(len(_BOM)) == _BOM:
            p.data_start = len(_BOM)   # a quote may open the header's first field after it
        f.seek(0)
        while not p.bad and (block := f.read(CHUNK)):
            p.feed(block)
    if not p.bad:
        p.finish()
    if p.bad:
        return [], f"its layout is not regular enough to cut safely: {p.bad}"
    if not p.cuts:
        return [], "no record end after the part size"
    header = 1 if not sf.fixed_width else 0
    starts = [(0, 0)] + p.cuts
    ends = [c for c, _ in p.cuts] + [size]
    return [RowRange(source, start, end, p.header_end if header else 0, i, len(starts),
                     0 if i == 0 else before - header)
            for i, ((start, before), end) in enumerate(zip(starts, ends))], ""


def expand(files: list[SourceFile], part_bytes: int) -> list[SourceFile]:
    """``files`` with each file above ``part_bytes`` replaced by its ranges, in order."""
    out = []
    for sf in files:
        ranges = [] if sf.rows is not None else plan(sf, part_bytes)[0]
        out += [replace(sf, rows=r, staged=None) for r in ranges] or [sf]
    return out


def with_copies(units: list[SourceFile], copy_dir: Path) -> list[SourceFile]:
    """Ranges read from their own copy in ``copy_dir`` (made by :func:`readable`)."""
    return [replace(u, staged=copy_dir / f"{u.stem}.rows") if u.rows is not None else u
            for u in units]


def _copy(src, dst, offset: int, length: int) -> None:
    """Bytes ``[offset, offset + length)`` of ``src`` appended to ``dst``: in the kernel where
    it can (the same file system), else through a buffer (sources on another file system)."""
    while length > 0:
        try:
            done = os.copy_file_range(src.fileno(), dst.fileno(), length, offset)
        except OSError as e:
            if e.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                raise
            src.seek(offset)
            done = dst.write(src.read(min(length, CHUNK)))
        if done == 0:
            raise LoadError(f"{src.name}: ended before byte {offset + length}")
        offset += done
        length -= done


# DuckDB's "CSV Error on Line: N": the one part of a reader error that is kept
_LINE = re.compile(r"(?i)error on line:\s*(\d+)")


def reader_error(sf: SourceFile, e: Exception) -> LoadError:
    """A reader failure on a raw source, said without the reader's text: DuckDB's message
    quotes the offending line ("Original Line: ...") and values ("Could not convert string
    ..."), and a raw line holds national IDs, names and birthdays.  The error goes to the
    steward's terminal, the Dask scheduler's task records and workers' logs, so it keeps only
    the file, the range, the line of the whole file and the kind of error; the steward reads
    that line in the source itself."""
    r = sf.rows
    m = _LINE.search(str(e))
    line = int(m.group(1)) + (r.line_offset if r else 0) if m else None
    where = f" (row range {r.index + 1} of {r.count}, from byte {r.start})" if r else ""
    at = f"at line {line}" if line is not None else "(line not known)"
    return LoadError(f"{sf.name}{where}: the CSV reader failed {at} ({type(e).__name__}); "
                     f"its message is not shown because it quotes the source's text")


@contextmanager
def readable(sf: SourceFile):
    """The block that reads ``sf`` (a range: with its copy in place, removed after); a reader
    error becomes :func:`reader_error`, naming the file and its line, never the copy's path
    or the line's text."""
    import duckdb

    if sf.rows is None:
        try:
            yield
        except duckdb.Error as e:
            raise reader_error(sf, e) from None
        return
    r, copy = sf.rows, sf.staged
    copy.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        with open(r.source, "rb") as src, open(os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                                                       0o600), "wb") as dst:
            if r.index and r.header_end:
                _copy(src, dst, 0, r.header_end)
            _copy(src, dst, r.start, r.end - r.start)
        try:
            yield
        except duckdb.Error as e:
            raise reader_error(sf, e) from None
    finally:
        copy.unlink(missing_ok=True)


def join(results: list) -> None:
    """Put each cut file's ranges back together, in place: one report and one quarantine list
    under the file's name, held by the part that loaded its first range.  Reader rejects come
    before failed checks in a file's quarantine (as the whole-file load lists them), each in
    line order."""
    pieces: dict[str, list] = {}
    for res in results:
        for key, (name, index, count, reader_rows) in list(res.pieces.items()):
            pieces.setdefault(name, []).append((index, key, reader_rows, res, count))
    for name, items in pieces.items():
        items.sort(key=lambda t: t[0])
        if [t[0] for t in items] != list(range(items[0][4])):
            raise LoadError(f"{name}: row ranges {[t[0] + 1 for t in items]} came back, "
                            f"not all of them")
        head, tail, rep = [], [], None
        for _, key, reader_rows, res, _ in items:
            part = res.reports.pop(key)
            rows = res.quarantine.pop(key, [])
            del res.pieces[key]
            head += rows[:reader_rows]
            tail += rows[reader_rows:]
            if rep is None:
                rep = replace(part)
            else:
                rep.read += part.read
                rep.loaded += part.loaded
                rep.quarantined += part.quarantined
        owner = items[0][3]
        owner.reports[name] = rep
        owner.quarantine[name] = head + tail
