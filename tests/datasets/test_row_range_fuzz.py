"""Row ranges against DuckDB on generated files (issue 18, ``datasets.load.ranges``).

A wrong cut splits a record: its halves may pass as two rows whose values sit in the wrong
columns - free text where a code belongs, unscrubbed.  The crafted tests in
``test_row_range_parts.py`` try the cases we thought of; here hypothesis writes the files:
RFC 4180 CSV with quoted commas, line ends (LF, CRLF) and doubled quotes in any field, rows
of the wrong width, and irregular bytes (stray quotes, lone CRs, empty lines, mixed line
ends) dropped anywhere.  For every file and part size, either the planner leaves the file
whole, or DuckDB reading the ranges one by one - as the load's parts do, each range from its
own copy with the header in front - gives exactly the whole file's rows and reject lines.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings, strategies as st

from datasets.load import ranges as RG
from datasets.load.files import SourceFile
from datasets.schemas import FAMILIES

COLUMNS = 4
FAMILY = FAMILIES["H_NHI_OPDTE"]   # the planner reads only its kind (no DICOM column)

plain_text = st.text(alphabet="ab1 中", min_size=0, max_size=6)
quoted_text = st.text(alphabet='ab,"\n\r 中', min_size=0, max_size=8)


@st.composite
def field(draw) -> str:
    if draw(st.booleans()):
        return draw(plain_text)
    text = draw(quoted_text).replace("\r", "\r\n")   # a CR inside quotes comes as CRLF here
    return '"' + text.replace('"', '""') + '"'


@st.composite
def csv_file(draw) -> bytes:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    widths = st.integers(COLUMNS - 1, COLUMNS + 1) if draw(st.booleans()) else st.just(COLUMNS)
    rows = draw(st.lists(st.builds(lambda n, fs: fs[:n], widths,
                                   st.lists(field(), min_size=COLUMNS + 1,
                                            max_size=COLUMNS + 1)),
                         min_size=1, max_size=25))
    header = ",".join(f"c{i}" for i in range(COLUMNS))
    text = newline.join([header] + [",".join(r) for r in rows]) + newline
    data = text.encode()
    # now and then something irregular, anywhere (the planner must then leave the file whole
    # or still cut only where the reader ends a record)
    for junk in draw(st.lists(st.sampled_from([b'"', b"\r", b"\n", b"\r\n", b",", b'""']),
                              max_size=2)):
        at = draw(st.integers(len(header) + 1, len(data)))
        data = data[:at] + junk + data[at:]
    if not data.endswith(b"\n"):
        data += b"\n"
    return data


def _read(path: Path, line_offset: int = 0) -> tuple[list, list]:
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(COLUMNS))
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT * FROM read_csv(?, header=true, columns={{{cols}}}, delim=',', quote='\"', "
            f"escape='\"', auto_detect=false, store_rejects=true, rejects_limit=0)",
            [str(path)]).fetchall()
        rejects = [(line + line_offset, kind) for line, kind in con.execute(
            "SELECT line, error_type FROM reject_errors ORDER BY line, error_type").fetchall()]
    finally:
        con.close()
    return rows, rejects


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=csv_file(), part=st.integers(1, 120))
def test_ranges_read_as_the_whole_file_or_it_stays_whole(data, part):
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        path = tmp / "H_NHI_OPDTE_2019.csv"
        path.write_bytes(data)
        sf = SourceFile(path, FAMILY, "2019", "utf-8", False, size=len(data))
        try:
            whole = _read(path)
        except duckdb.Error:
            return   # the reader refuses the file whole: the load fails either way
        units = RG.with_copies(RG.expand([sf], part), tmp / "rows")
        if len(units) == 1:
            return   # left whole (too small, or not regular enough to cut)
        rows, rejects = [], []
        for u in units:
            with RG.readable(u):
                r, j = _read(u.readable, u.line_offset)
            rows += r
            rejects += j
        assert (rows, sorted(rejects)) == (whole[0], sorted(whole[1])), \
            [(u.rows.start, u.rows.end) for u in units]
