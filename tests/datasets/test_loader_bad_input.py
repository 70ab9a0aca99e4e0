"""Bad input: quarantine with file/line/column, clear refusals, no doubled or half-written load."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datasets.load import LoadError, list_releases, load_release


def _edit(path: Path, line_no: int, column: str, value: str | None = None, drop_field: bool = False) -> str:
    """Change one field of a CSV line (1-based line numbers, header = line 1)."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    header = lines[0].strip().split(",")
    row = next(csv.reader([lines[line_no - 1]]))
    i = header.index(column)
    old = row[i]
    if drop_field:
        del row[i]
    else:
        row[i] = value
    lines[line_no - 1] = ",".join(row) + "\n"
    path.write_text("".join(lines), "utf-8")
    return old


def _quarantine(settings, release) -> list[dict]:
    p = Path(settings.warehouse_dir) / "releases" / release / "_load" / "quarantine.csv"
    with open(p, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_malformed_rows_go_to_quarantine_with_file_line_column(tiny_source, settings):
    (tiny_source / "MANIFEST.json").unlink()  # the edits change sizes; no manifest to compare
    f = tiny_source / "H_NHI_OPDTE_2019.csv"
    bad_id = _edit(f, 3, "ID", "PLACEHOLDER")
    # a checksum-invalid national ID
    _edit(f, 3, "ID", bad_id[:-1] + str((int(bad_id[-1]) + 1) % 10))
    _edit(f, 5, "FUNC_DATE", "20190231")
    _edit(f, 7, "ICD9CM_CODE", "")
    _edit(f, 9, "ID_SEX", "X")
    _edit(f, 11, "T_DOT", "12a")
    _edit(f, 13, "CITY", "", drop_field=True)          # one field short
    _edit(f, 15, "ICD9CM_CODE", "U07")                 # U codes are not ICD-10-CM here
    _edit(f, 17, "HOSP_ID", "12345")
    n_rows = len(f.read_text("utf-8").splitlines()) - 1
    rep = load_release(tiny_source, "Q1", settings)
    q = [r for r in _quarantine(settings, "Q1") if r["file"] == f.name]
    got = {(int(r["line"]), r["column"]) for r in q}
    assert got == {(3, "ID"), (5, "FUNC_DATE"), (7, "ICD9CM_CODE"), (9, "ID_SEX"), (11, "T_DOT"),
                   (13, "(row)"), (15, "ICD9CM_CODE"), (17, "HOSP_ID")}, q
    reasons = {int(r["line"]): r["reason"] for r in q}
    assert "checksum" in reasons[3] and "date" in reasons[5] and "required" in reasons[7]
    assert "domain" in reasons[9] and "integer" in reasons[11] and "missing columns" in reasons[13]
    # the reason never carries the identifying value
    assert bad_id[:-1] not in Path(settings.warehouse_dir, "releases", "Q1", "_load", "quarantine.csv").read_text()
    fr = next(x for x in rep.files if x.file == f.name)
    assert (fr.read, fr.loaded, fr.quarantined) == (n_rows, n_rows - 8, 8)
    assert all(x.read == x.loaded + x.quarantined for x in rep.files)
    report = json.loads((Path(rep.path) / "_load" / "report.json").read_text())
    assert report["reconciled"] and report["rows_quarantined"] == 8
    # the steward's picture: one bar per file, the quarantined part red, reasons by column
    import xml.etree.ElementTree as ET

    svg = (Path(rep.path) / "_load" / "report.svg").read_text()
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert all(any(x.file == t for t in texts) for x in rep.files)
    red = [r for r in root.iter(f"{ns}rect") if r.get("class") == "quarantined"]
    assert len(red) == 1 and f.name in red[0].find(f"{ns}title").text
    assert any(t.startswith("ID_SEX: not in the code domain") for t in texts), texts
    assert bad_id[:-1] not in svg  # never a value from the data


def test_numbers_the_reader_would_round_are_quarantined(tiny_source, settings):
    """DuckDB casts '1.5' to 2, '1e3' to 1000 and '0x10' to 16: an integer column must refuse
    them (with the line), not load a rounded number."""
    (tiny_source / "MANIFEST.json").unlink()
    f = tiny_source / "H_NHI_OPDTE_2020.csv"
    for line, value in ((2, "1.5"), (4, "1e3"), (6, "0x10"), (8, " 7")):
        _edit(f, line, "T_DOT", value)
    _edit(f, 10, "T_DOT", "-42")                        # a negative integer is an integer
    rep = load_release(tiny_source, "R1", settings)
    q = [r for r in _quarantine(settings, "R1") if r["file"] == f.name]
    assert {(int(r["line"]), r["column"], r["reason"]) for r in q} == {
        (n, "T_DOT", "not an integer") for n in (2, 4, 6, 8)}, q
    fr = next(x for x in rep.files if x.file == f.name)
    assert fr.quarantined == 4 and fr.read == fr.loaded + 4


def test_wrong_encoding_names_file_offset_and_expected_encoding(tiny_source, settings):
    f = tiny_source / "H_NHI_ENROL_2020.csv"
    text = f.read_text("utf-8")
    f.write_bytes(text.encode("big5"))
    first_cjk = text.encode("utf-8").index(next(c for c in text if ord(c) > 127).encode("utf-8"))
    with pytest.raises(LoadError) as e:
        load_release(tiny_source, "E1", settings)
    msg = str(e.value)
    assert f.name in msg and "utf-8" in msg and f"byte offset {first_cjk}" in msg and "big5" in msg
    assert list_releases(settings) == []
    assert not any(Path(settings.warehouse_dir, "releases").iterdir())


def test_invalid_utf8_found_by_the_reader_is_refused_with_its_place(tiny_source, settings):
    """UTF-8 is validated by DuckDB's reader, not decoded twice: a bad byte sequence deep in a
    file that matches no manifest still refuses the whole load, naming file, offset and line."""
    (tiny_source / "MANIFEST.json").unlink()
    f = tiny_source / "H_NHI_OPDTE_2020.csv"
    data = f.read_bytes()
    lines = data.split(b"\n")
    at = sum(len(x) + 1 for x in lines[:5])          # start of line 6
    cjk = data.index("\u738b".encode("utf-8"), at) if "\u738b".encode("utf-8") in data[at:] \
        else next(i for i in range(at, len(data)) if data[i] >= 0xE0)
    f.write_bytes(data[:cjk] + b"\xff\xfe" + data[cjk + 2:])   # same length, invalid UTF-8
    line = data[:cjk].count(b"\n") + 1
    with pytest.raises(LoadError) as e:
        load_release(tiny_source, "U1", settings)
    msg = str(e.value)
    assert f"{f.name}: not valid utf-8 at byte offset {cjk} (line {line})" in msg, msg
    assert list_releases(settings) == []
    assert not any(Path(settings.warehouse_dir, "releases").iterdir())


def test_failed_big5_load_removes_its_staging_copy(tiny_source, settings):
    # declared Big5 but one file is UTF-8 with characters Big5 cannot decode the same way
    (tiny_source / "MANIFEST.json").unlink()
    for f in tiny_source.glob("*.csv"):
        if f.name != "H_NHI_OPDTE_2021.csv":
            f.write_bytes(f.read_text("utf-8").encode("big5"))
    (tiny_source / "H_NHI_OPDTE_2021.csv").write_bytes(
        (tiny_source / "H_NHI_OPDTE_2021.csv").read_bytes() + "0,\xe9\n".encode("latin-1"))
    with pytest.raises(LoadError, match=r"H_NHI_OPDTE_2021.csv: not valid big5 at byte offset \d+"):
        load_release(tiny_source, "E2", settings, encoding="big5")
    assert not (Path(settings.run_dir) / "data-staging").exists()


def test_big5_source_declared_big5_loads(tiny_source, settings):
    for f in tiny_source.glob("*.csv"):
        f.write_bytes(f.read_text("utf-8").encode("big5"))
    (tiny_source / "MANIFEST.json").unlink()
    rep = load_release(tiny_source, "B1", settings, encoding="big5")
    assert rep.rows_quarantined == 0 and rep.rows_loaded > 0
    # the Big5 transcode (raw identifiers) does not outlive the load
    assert not (Path(settings.run_dir) / "data-staging").exists()


def test_truncated_file_is_refused(tiny_source, settings):
    f = tiny_source / "H_NHI_OPDTO_2020.csv"
    data = f.read_bytes()
    f.write_bytes(data[: len(data) - 17])
    with pytest.raises(LoadError, match=r"H_NHI_OPDTO_2020.csv: truncated.*manifest says"):
        load_release(tiny_source, "T1", settings)
    (tiny_source / "MANIFEST.json").unlink()
    last_line = data[: len(data) - 17].count(b"\n") + 1   # the one cut short
    with pytest.raises(LoadError, match=r"H_NHI_OPDTO_2020.csv: truncated: the file ends mid-record "
                                        rf"at byte offset {len(data) - 17} \(line {last_line} has no line end\)"):
        load_release(tiny_source, "T1", settings)
    assert list_releases(settings) == []


def test_unknown_and_missing_columns_are_refused(tiny_source, settings):
    (tiny_source / "MANIFEST.json").unlink()
    f = tiny_source / "H_NHI_DRUGE_2019.csv"
    lines = f.read_text("utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace("PHAR_ID", "PHARMACIST")
    f.write_text("".join(lines), "utf-8")
    with pytest.raises(LoadError) as e:
        load_release(tiny_source, "C1", settings)
    assert "H_NHI_DRUGE_2019.csv" in str(e.value) and "unknown columns ['PHARMACIST']" in str(e.value)
    assert "missing columns ['PHAR_ID']" in str(e.value)
    (tiny_source / "H_NHI_FOO_2019.csv").write_text("A\n1\n")
    with pytest.raises(LoadError, match="unknown file family 'H_NHI_FOO'"):
        load_release(tiny_source, "C1", settings)


def _headerless_sources(src) -> list[str]:
    return sorted(p.name for p in src.glob("H_*.csv"))


@pytest.mark.parametrize("pick", range(6))
def test_a_file_without_its_header_is_refused_quoting_none_of_its_data(tiny_source, settings,
                                                                       pick):
    """A file delivered without its header line has a data row where the header belongs: the
    refusal says so by position and quotes none of the row (IDs, names, birthdays; D1)."""
    (tiny_source / "MANIFEST.json").unlink()
    names = _headerless_sources(tiny_source)
    f = tiny_source / names[pick * len(names) // 6]
    lines = f.read_text("utf-8").splitlines(keepends=True)
    f.write_text("".join(lines[1:]), "utf-8")
    row = lines[1].rstrip("\r\n")
    with pytest.raises(LoadError) as e:
        load_release(tiny_source, "H1", settings)
    msg = str(e.value)
    assert f.name in msg and "is the header line missing?" in msg, msg
    from datasets.schemas import FAMILIES

    layout = {n for fam in FAMILIES.values() for n in fam.names}
    for field in row.replace('"', "").split(","):
        if len(field.strip()) >= 3 and field.strip() not in layout:
            assert field.strip() not in msg, (field, msg)
    assert list_releases(settings) == []


def test_sql_failing_on_a_raw_value_is_refused_without_the_value(tiny_source, settings,
                                                                   monkeypatch):
    """A DuckDB error inside the load - here a cast of the raw ID column, the way a check or
    a re-coding statement could fail - quotes the value it failed on; the load's error says
    the kind of failure only, keeps no chained cause, and nothing is published (D1: no raw
    identifier leaves the load, not even in its error)."""
    import duckdb

    from datasets.load import scan

    seen = []
    original = scan._Loader.finish

    def failing_finish(self, s):
        if not s.recode:   # a file without identifiers: as it is
            return original(self, s)
        col = '"' + s.recode[0].name + '"'   # an identifier column, raw
        seen.extend(v for (v,) in self.con.execute(
            f"SELECT {col} FROM a{s.n} WHERE {col} IS NOT NULL LIMIT 3").fetchall())
        self.con.execute(f"SELECT CAST({col} AS INTEGER) FROM a{s.n}").fetchall()
        return original(self, s)
    monkeypatch.setattr(scan._Loader, "finish", failing_finish)
    with pytest.raises(duckdb.ConversionException) as raw:   # what DuckDB itself says
        c = duckdb.connect()
        c.execute("SELECT CAST('A123456789' AS INTEGER)")
    assert "A123456789" in str(raw.value)
    with pytest.raises(LoadError, match="ConversionException .its message is not shown") as e:
        load_release(tiny_source, "S1", settings)
    assert seen and not any(v in str(e.value) for v in seen if v), (seen, str(e.value))
    assert e.value.__cause__ is None and e.value.__suppress_context__
    assert list_releases(settings) == []
    assert not (Path(settings.run_dir) / "data-staging").exists()


def test_a_disk_error_in_the_load_keeps_its_text(tiny_source, settings, monkeypatch):
    import duckdb

    from datasets.load import scan

    def full(self, s):
        raise duckdb.IOException("could not write /tmp/x.parquet: No space left on device")
    monkeypatch.setattr(scan._Loader, "finish", full)
    with pytest.raises(LoadError, match="IOException: could not write /tmp/x.parquet: No space"):
        load_release(tiny_source, "S2", settings)
    assert list_releases(settings) == []


def test_duplicate_load_is_refused_never_doubled(tiny_source, settings, tmp_path):
    rep = load_release(tiny_source, "D1", settings)
    with pytest.raises(LoadError, match="already exists"):
        load_release(tiny_source, "D1", settings)
    with pytest.raises(LoadError, match=r"already loaded as H_[A-Z_0-9]+\.csv in release 'D1'"):
        load_release(tiny_source, "D2", settings)
    assert [r["release"] for r in list_releases(settings)] == ["D1"]
    from datasets.load import connect_release

    n = connect_release("D1", settings).execute("SELECT count(*) FROM H_NHI_OPDTE").fetchone()[0]
    assert n == sum(f.loaded for f in rep.files if f.family == "H_NHI_OPDTE")


def test_release_files_are_read_only(tiny_source, settings):
    rep = load_release(tiny_source, "RO", settings)
    for d, dirs, files in os.walk(rep.path):
        assert os.stat(d).st_mode & 0o777 == 0o555
        for f in files:
            assert os.stat(os.path.join(d, f)).st_mode & 0o777 == 0o444


KILL_SCRIPT = r"""
import sys, time
from pathlib import Path
from enclave.settings import EnclaveSettings
from datasets.load import load_release

def slow(what, done, total):
    if what.startswith("loaded"):
        Path(sys.argv[3]).write_text(what)
        time.sleep(30)   # hold the load mid-way so the parent can kill it

load_release(sys.argv[1], "K1", EnclaveSettings(home=Path(sys.argv[2])), on_progress=slow)
"""


def test_killed_load_leaves_nothing_half_written_and_rerun_works(tiny_source, settings, tmp_path):
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(tiny_source), str(settings.home),
                             str(marker)])
    try:
        deadline = time.time() + 120
        while not marker.exists():
            assert proc.poll() is None, "loader exited before it was killed"
            assert time.time() < deadline
            time.sleep(0.1)
        releases = Path(settings.warehouse_dir) / "releases"
        builds = [p for p in releases.iterdir() if p.name.startswith(".build-")]
        assert builds and any(builds[0].rglob("*.parquet"))  # really mid-way: data written
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not (releases / "K1").exists()
    assert list_releases(settings) == []
    rep = load_release(tiny_source, "K1", settings)
    assert [p.name for p in releases.iterdir()] == ["K1"]  # the stale build is gone
    assert rep.rows_read == rep.rows_loaded + rep.rows_quarantined
    assert not (Path(settings.run_dir) / "data-staging").exists()


@pytest.mark.parametrize("failure", [
    lambda t: RuntimeError("recogniser crashed"),
    lambda t: KeyError(t),                                  # a lookup that quotes its key
    lambda t: ValueError(f"cannot scrub {t!r}"),            # a message that quotes the text
    lambda t: UnicodeEncodeError("ascii", t, 0, 1, "not ascii"),
])
def test_scrubber_failure_in_the_worker_fails_the_load_and_keeps_nothing(tiny_source, settings,
                                                                         monkeypatch, failure):
    """Free text is scrubbed in a worker thread: its failure must still stop the whole load
    (never a release with unscrubbed or missing text) and say which file - and nothing of the
    raw text the exception may carry (the message reaches the steward's terminal and logs)."""
    import deidentify.text

    seen = []

    def broken(texts, options=None):
        seen.append(texts[0])
        raise failure(texts[0])
    monkeypatch.setattr(deidentify.text, "scrub_texts", broken)
    with pytest.raises(LoadError, match=r"H_\w+\.csv: de-identifying its free text") as e:
        load_release(tiny_source, "W1", settings)
    assert type(failure("x")).__name__ in str(e.value)
    assert seen and seen[0] not in str(e.value) and repr(seen[0])[1:-1] not in str(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__
    assert list_releases(settings) == []
    assert not any((Path(settings.warehouse_dir) / "releases").iterdir())
    assert not (Path(settings.run_dir) / "data-staging").exists()


def test_concurrent_load_is_refused_while_another_holds_the_lock(tiny_source, settings):
    import fcntl

    wh = Path(settings.warehouse_dir)
    wh.mkdir(parents=True)
    fd = os.open(wh / ".load.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(LoadError, match="another load is running"):
            load_release(tiny_source, "L1", settings)
    finally:
        os.close(fd)
    assert load_release(tiny_source, "L1", settings).rows_loaded > 0


def test_fixed_width_big5_source_loads_and_quarantines_short_lines(tmp_path, settings):
    from datasets.synthetic import generate

    src = tmp_path / "fw"
    generate(src, 300, seed=4, images=0, encoding="big5", fixed_width=True)
    (src / "MANIFEST.json").unlink()
    f = src / "H_NHI_OPDTO_2019.txt"
    lines = f.read_bytes().split(b"\n")
    lines[3] = lines[3][:-5]                       # line 4 is 5 characters short
    f.write_bytes(b"\n".join(lines))
    rep = load_release(src, "FW1", settings, encoding="big5")
    q = [r for r in _quarantine(settings, "FW1") if r["file"] == f.name]
    assert [(r["line"], r["column"]) for r in q] == [("4", "(line)")] and "fixed-width" in q[0]["reason"]
    assert rep.rows_read == rep.rows_loaded + rep.rows_quarantined and rep.rows_quarantined == 1
    from datasets.load import connect_release

    con = connect_release("FW1", settings)
    names = {r[0] for r in con.execute("SELECT DISTINCT ID_SEX FROM H_NHI_OPDTE").fetchall()}
    assert names <= {"M", "F"}
