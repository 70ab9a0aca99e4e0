"""Row ranges (issue 18): a source file above the policy's ``data.load_part_bytes`` loads as
several units of work, cut at record boundaries, in one process or on Dask workers - and the
release holds the same rows, quarantine lines and counts as the whole-file load."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import distributed
import duckdb
import pytest

from datasets import keyring
from datasets import parquet_crypto as PC
from datasets.load import load_release
from datasets.load import ranges as RG
from datasets.load.files import SourceFile, check, discover
from datasets.schemas import FAMILIES
from enclave.settings import EnclaveSettings
from policies import current_policy
from tests.datasets.shared_key import homes_sharing_a_key

WHOLE = 1 << 30
OPD = "H_NHI_OPDTE_2019.csv"


def _policy(part_bytes: int):
    p = current_policy()
    return p.model_copy(update={"data": p.data.model_copy(update={"load_part_bytes": part_bytes})})




def _content(settings: EnclaveSettings, rep) -> dict:
    """What a release holds, file names aside: per family and year directory the decrypted
    rows in file-name order, the quarantine file, and the report's per-file counts."""
    root = Path(rep.path)
    scope = PC.scope_for(keyring.master_key(settings), PC.release_scope(rep.release),
                         current_policy())
    rows: dict[str, list] = {}
    for f in PC.parquet_files(root):
        if f.name == "empty.parquet":
            continue
        rows.setdefault(f.parent.relative_to(root).as_posix(), []).extend(
            PC.read_table(f, scope).to_pylist())
    report = json.loads((root / "_load" / "report.json").read_text())
    meta = json.loads((root / "release.json").read_text())
    meta.pop("created")
    return {"rows": rows, "quarantine": (root / "_load" / "quarantine.csv").read_text(),
            "files": [{k: f[k] for k in ("file", "sha256", "bytes", "read", "loaded",
                                         "quarantined", "reconciled")} for f in report["files"]],
            "release": meta}


def _names(rep) -> set[str]:
    root = Path(rep.path)
    return {p.relative_to(root).as_posix() for p in PC.parquet_files(root)}


def _cut(rep) -> set[str]:
    return {n for n in _names(rep) if ".r0002." in n}


# ---- crafted sources -------------------------------------------------------------------------

def _crafted(src_dir: Path, dst: Path, *, newline: str = "\n", bom: bool = False,
             long_text: int = 3000) -> dict:
    """``dst`` with one outpatient file built from the synthetic one: chief complaints with
    quoted line ends (LF and CRLF), doubled quotes and commas on most rows, one text longer
    than ``long_text`` characters, and bad rows throughout - a reader reject (one field short),
    failed checks (sex, date, national-ID checksum) - ending in two bad rows.  Returns the
    bad rows' file line numbers and the byte offset where the bad tail starts."""
    with open(src_dir / OPD, encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    col = {c: i for i, c in enumerate(header)}
    texts = ["頭痛\n三天", 'says "dizzy", twice', "cough,\r\nfever\n\n(two days)", "\n", "x"]
    for k, row in enumerate(body):
        row[col["CHIEF_COMPLAINT"]] = texts[k % len(texts)] if k % 7 else row[col["CHIEF_COMPLAINT"]]
    body[len(body) // 2][col["CHIEF_COMPLAINT"]] = ("long\n" + "咳嗽 " * long_text)[:long_text]
    bad = {}
    for k in range(3, len(body) - 2, 9):
        row = body[k]
        kind = (k // 9) % 4
        if kind == 0:
            del row[col["CITY"]]
        elif kind == 1:
            row[col["ID_SEX"]] = "X"
        elif kind == 2:
            row[col["FUNC_DATE"]] = "20190231"
        else:
            row[col["ID"]] = row[col["ID"]][:-1] + str((int(row[col["ID"]][-1]) + 1) % 10)
        bad[k] = kind
    for k in (len(body) - 2, len(body) - 1):
        body[k][col["ID_SEX"]] = "Q"
        bad[k] = 1

    def text(rows) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator=newline).writerows(rows)
        return out.getvalue()

    dst.mkdir(parents=True, exist_ok=True)
    head = ("\ufeff" if bom else "") + text([header] + body[:-2])
    data = (head + text(body[-2:])).encode("utf-8")
    (dst / OPD).write_bytes(data)
    # line numbers count records (the reader's numbering): a quoted line end is not a new line
    return {"bad": {k + 2: kind for k, kind in bad.items()},
            "tail": len(head.encode("utf-8")), "size": len(data)}


def _source(path: Path) -> SourceFile:
    [sf] = [f for f in discover(path.parent, None, {}) if f.name == path.name]
    check(sf, {}, path.parent / "_stage")
    return sf


def _duck(path: Path, sf: SourceFile, line_offset: int = 0) -> tuple[list, list]:
    """The rows and reject lines DuckDB reads from ``path`` as the loader reads ``sf``."""
    con = duckdb.connect()
    if sf.fixed_width:
        src = "read_csv(?, columns={'l': 'VARCHAR'}, header=false, delim='\\x1f', quote='', escape=''"
    else:
        cols = ", ".join(f"'{c}': 'VARCHAR'" for c in sf.header)
        src = f"read_csv(?, header=true, columns={{{cols}}}, delim=',', quote='\"', escape='\"'"
    rows = con.execute(f"SELECT * FROM {src}, auto_detect=false, store_rejects=true, "
                       f"rejects_limit=0)", [str(path)]).fetchall()
    rejects = [(line + line_offset, kind) for line, kind in con.execute(
        "SELECT line, error_type FROM reject_errors ORDER BY line").fetchall()]
    con.close()
    return rows, rejects


def _by_ranges(sf: SourceFile, part_bytes: int, tmp: Path) -> tuple[list, list, list]:
    """The ranges of ``sf`` at ``part_bytes``, each read from its copy as a part reads it."""
    units = RG.with_copies(RG.expand([sf], part_bytes), tmp / "rows")
    rows, rejects = [], []
    for u in units:
        with RG.readable(u):
            r, j = _duck(u.readable, sf, u.line_offset)
        rows += r
        rejects += j
    return units, rows, rejects


@pytest.mark.parametrize("newline,bom", [("\n", False), ("\r\n", True)])
def test_every_cut_is_a_record_end(tmp_path, tiny_source, newline, bom):
    """With part size 1 every record end is a cut; each cut leaves DuckDB's reading of the
    file unchanged - rows (with their quoted line ends) and reject lines - and every other part
    size cuts only there.  The texts put quoted line ends at every distance from a target."""
    info = _crafted(tiny_source, tmp_path / "crafted", newline=newline, bom=bom)
    sf = _source(tmp_path / "crafted" / OPD)
    whole = _duck(sf.path, sf)
    assert len(whole[1]) >= 2 and any("\n" in str(v) for r in whole[0] for v in r)
    units, rows, rejects = _by_ranges(sf, 1, tmp_path)
    assert len(units) == len(whole[0]) + len({ln for ln, _ in whole[1]})   # a range a record
    assert (rows, rejects) == whole
    record_ends = {u.rows.start for u in units}
    sizes = set()
    for part in range(1, info["size"] + 2):
        cut = RG.expand([sf], part)
        starts = [u.rows.start for u in cut if u.rows is not None]
        assert set(starts) <= record_ends
        if len(cut) > 1:
            assert [u.rows.end for u in cut[:-1]] == starts[1:] and cut[-1].rows.end == info["size"]
            # each range but the last holds at least the part size; none is empty
            assert all(u.rows.end - u.rows.start >= part for u in cut[:-1])
            assert cut[-1].rows.end > cut[-1].rows.start
        sizes.add(len(cut))
    assert 1 in sizes and max(sizes) == len(units)


def test_a_cut_inside_a_quoted_field_would_show(tmp_path, tiny_source):
    """The comparison above is sharp: cutting at a line end inside a quoted field (as a
    newline-only splitter would) changes what DuckDB reads."""
    _crafted(tiny_source, tmp_path / "crafted")
    sf = _source(tmp_path / "crafted" / OPD)
    data = sf.path.read_bytes()
    whole = _duck(sf.path, sf)
    inside = data.index("頭痛\n".encode()) + len("頭痛\n".encode())
    header_end = data.index(b"\n") + 1
    for lo, hi, path in ((0, inside, "a.csv"), (inside, len(data), "b.csv")):
        (tmp_path / path).write_bytes((data[:header_end] if lo else b"") + data[lo:hi])
    a, b = _duck(tmp_path / "a.csv", sf), _duck(tmp_path / "b.csv", sf)
    assert a[0] + b[0] != whole[0]


IRREGULAR = [
    (b'H\n1,ab"c,3\n2,x,4\n', "a quote inside an unquoted field"),
    (b'H\n1,"ab"c,3\n2,x,4\n', "a closing quote followed by other data"),
    (b'H\n1,"ab,3\n2,x,4\n', "a quoted field still open"),
    (b'H\n1,a,3\r\n2,x,4\n', "line ends mixing LF and CRLF"),
    (b'H\n1,a\r,3\n2,x,4\n', "a carriage return without a line feed"),
    (b'H\n1,a,3\n\n2,x,4\n', "an empty line"),
    (b'H\r\n1,a,3\r\n\r\n2,x,4\r\n', "an empty line"),
]


@pytest.mark.parametrize("content,why", IRREGULAR)
def test_irregular_layouts_stay_whole(tmp_path, content, why):
    """Where quote parity might not be the reader's state, the file is not cut at all."""
    fam = FAMILIES["H_NHI_OPDTE"]
    path = tmp_path / OPD
    path.write_bytes(content.replace(b"H", ",".join(fam.names).encode()) * 1)
    sf = SourceFile(path, fam, "2019", "utf-8", False, size=path.stat().st_size)
    ranges, reason = RG.plan(sf, 1)
    assert ranges == [] and why in reason, reason


def test_files_with_dicom_references_stay_whole(tmp_path):
    fam = next(f for f in FAMILIES.values() if any(c.type == "dicom" for c in f.columns))
    path = tmp_path / f"{fam.name}.csv"
    path.write_text(",".join(fam.names) + "\n" + "\n".join("x" * 10 for _ in range(50)) + "\n")
    sf = SourceFile(path, fam, None, "utf-8", False)
    assert RG.plan(sf, 16)[0] == [] and "DICOM" in RG.plan(sf, 16)[1]


@pytest.mark.parametrize("newline,bom", [("\n", False), ("\r\n", True)])
def test_crafted_file_loads_the_same_cut_or_whole(tmp_path, tiny_source, newline, bom):
    """The crafted file (quoted line ends, a text longer than the part size, rejects in the
    second range and later, a last range whose rows are all quarantined) against the
    whole-file load: same rows, quarantine lines and counts."""
    info = _crafted(tiny_source, tmp_path / "crafted", newline=newline, bom=bom)
    src = tmp_path / "crafted"
    sf = _source(src / OPD)
    # a part size whose last range holds only the two bad rows at the end
    part = next(p for p in range(500, info["size"])
                if (c := RG.expand([sf], p))[-1].rows and c[-1].rows.start >= info["tail"])
    cut = RG.expand([sf], part)
    assert len(cut) >= 3
    second = (cut[1].rows.start, cut[1].rows.end)
    homes = homes_sharing_a_key(tmp_path, 2)
    whole = load_release(src, "C1", homes[0], policy=_policy(WHOLE))
    ranged = load_release(src, "C1", homes[1], policy=_policy(part))
    a, b = _content(homes[0], whole), _content(homes[1], ranged)
    assert a == b
    assert _names(whole) == {f"data/H_NHI_OPDTE/year=2019/{OPD[:-4]}.parquet"}
    # one file per range, but for the last: no row of it was loaded, none is written (as a
    # whole file with every row quarantined writes none)
    assert _names(ranged) == {f"data/H_NHI_OPDTE/year=2019/{u.stem}.parquet" for u in cut[:-1]}
    q = list(csv.DictReader(io.StringIO(b["quarantine"])))
    assert {int(r["line"]) for r in q} == set(info["bad"])
    assert {r["column"] for r in q} >= {"(row)", "ID_SEX", "FUNC_DATE", "ID"}
    # a reject in the second range, numbered as a line of the file
    assert any(_record_start(sf, int(r["line"])) in range(*second) for r in q)
    # the last range: every row quarantined, nothing loaded from it
    assert whole.files[0].read == ranged.files[0].read
    assert [f.loaded for f in ranged.files] == [f.loaded for f in whole.files]


def _record_start(sf: SourceFile, line: int) -> int:
    """Byte offset of the record the reader numbers ``line``."""
    units = RG.expand([sf], 1)
    return next(u.rows.start for u in units if u.line_offset + 2 == line)


@pytest.mark.parametrize("kind", ["csv", "big5", "fixed-width"])
def test_synthetic_set_cut_small_same_release(tmp_path, kind):
    """The synthetic set with a small part size (most files cut, several ranges each) holds
    what the whole-file load holds - UTF-8 CSV, Big5 (cut in its UTF-8 transcode) and fixed
    width; the files that were not cut keep their names."""
    from datasets.synthetic import generate

    src = tmp_path / "src"
    generate(src, 300, seed=5, images=0, encoding="big5" if kind == "big5" else "utf-8",
             fixed_width=kind == "fixed-width")
    homes = homes_sharing_a_key(tmp_path, 2)
    whole = load_release(src, "S1", homes[0], policy=_policy(WHOLE))
    ranged = load_release(src, "S1", homes[1], policy=_policy(1500))
    assert _content(homes[0], whole) == _content(homes[1], ranged)
    cut = _cut(ranged)
    assert len(cut) >= 5, sorted(_names(ranged))
    # a file not cut keeps its name; a cut one has .r0001, .r0002 ... instead
    for name in _names(whole):
        assert name in _names(ranged) or name.replace(".parquet", ".r0001.parquet") in cut | {
            n.replace(".r0002.", ".r0001.") for n in cut}, name
    assert _names(whole) & _names(ranged)


@pytest.fixture(scope="module")
def client():
    from datasets.load.distributed import local_cluster

    cluster = local_cluster(2)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_two_workers_load_ranges_of_one_file(tmp_path, tiny_source, small_source, client):
    """On a local cluster of two workers: the crafted file's ranges are loaded by both
    workers, and the synthetic set (with DICOM images, which stay whole) cut small is the
    same as its one-process load and as the whole-file load."""
    info = _crafted(tiny_source, tmp_path / "crafted")
    homes = homes_sharing_a_key(tmp_path, 3)
    src = tmp_path / "crafted"
    part = max(500, info["size"] // 6)
    one = load_release(src, "D1", homes[0], policy=_policy(part))
    two = load_release(src, "D1", homes[1], policy=_policy(part), client=client)
    whole = load_release(src, "D1", homes[2], policy=_policy(WHOLE))
    assert _content(homes[0], one) == _content(homes[1], two) == _content(homes[2], whole)
    assert _names(one) == _names(two) and len(_names(two)) >= 4
    assert [p["files"] for p in two.parts] == [1, 1] and sum(p["units"] for p in two.parts) >= 4
    assert sum(p["rows"] for p in two.parts) == two.rows_read
    assert "cut into row ranges" in two.cpu_timings and "cut into row ranges" in one.cpu_timings
    assert "cut into row ranges" not in whole.cpu_timings
    for f in ("rows", "quarantine"):
        assert _content(homes[1], two)[f] == _content(homes[2], whole)[f]

    homes = homes_sharing_a_key(tmp_path / "small", 2)
    one = load_release(small_source, "D2", homes[0], policy=_policy(WHOLE))
    two = load_release(small_source, "D2", homes[1], policy=_policy(20_000), client=client)
    assert _content(homes[0], one) == _content(homes[1], two)
    assert len(_cut(two)) >= 5
    assert not any(n.startswith("data/H_IMG_INDEX") and ".r0" in n for n in _names(two))


def test_errors_name_the_file_line_and_leave_nothing(tmp_path, tiny_source):
    """An invalid UTF-8 byte in a late range fails the load with the same message as the
    whole-file load (file, byte offset and line of the file), and leaves no release, build
    directory or staging (the range copies live there)."""
    from datasets.load import LoadError
    from datasets.load.releases import releases_dir, staging_dir

    _crafted(tiny_source, tmp_path / "crafted")
    path = tmp_path / "crafted" / OPD
    data = path.read_bytes()
    at = data.rindex("三天".encode())
    path.write_bytes(data[:at] + b"\xff" + data[at + 1:])
    sf = _source(path)
    assert at >= RG.expand([sf], 800)[2].rows.start
    errors = []
    for settings, part in zip(homes_sharing_a_key(tmp_path, 2), (WHOLE, 800)):
        with pytest.raises(LoadError) as e:
            load_release(path.parent, "E1", settings, policy=_policy(part))
        errors.append(str(e.value))
        rd = releases_dir(settings)
        assert not (rd / "E1").exists() and not any(p.name.startswith(".build-") for p in rd.iterdir())
        assert not staging_dir(settings).exists()
    assert errors[0] == errors[1]
    assert f"{OPD}: not valid utf-8 at byte offset {at}" in errors[1]
    line = data[:at].count(b"\n") + 1
    assert f"(line {line})" in errors[1]


def test_a_stray_quote_file_stays_whole_in_the_load(tmp_path, tiny_source):
    """A quote inside an unquoted field (DuckDB keeps it as data; parity would count it): the
    file is not cut, keeps its name and loads as it does whole."""
    _crafted(tiny_source, tmp_path / "crafted")
    path = tmp_path / "crafted" / OPD
    data = path.read_bytes()
    at = data.index(b",M,", len(data) // 3)
    path.write_bytes(data[:at] + b',M"x,' + data[at + 3:])
    homes = homes_sharing_a_key(tmp_path, 2)
    whole = load_release(path.parent, "W1", homes[0], policy=_policy(WHOLE))
    ranged = load_release(path.parent, "W1", homes[1], policy=_policy(500))
    assert _names(ranged) == _names(whole) == {f"data/H_NHI_OPDTE/year=2019/{OPD[:-4]}.parquet"}
    assert _content(homes[0], whole) == _content(homes[1], ranged)
    assert "a quote inside an unquoted field" in RG.plan(_source(path), 500)[1]


def _failing_read(path) -> None:
    """A reader error that quotes the offending line (DuckDB's 'Original Line: ...')."""
    duckdb.connect().execute(
        f"SELECT * FROM read_csv('{path}', columns={{'a': 'INTEGER'}}, header=true, "
        f"auto_detect=false, delim='\\x1f', quote='')")


def test_a_reader_error_in_a_range_names_the_file_and_its_line(tmp_path, tiny_source):
    """Should DuckDB fail while reading a range, the error names the source file, the range
    and the file's line, not the copy's - and none of the line's text, which DuckDB quotes
    (raw identifiers); the copy is gone afterwards."""
    from datasets.load import LoadError

    _crafted(tiny_source, tmp_path / "crafted")
    sf = _source(tmp_path / "crafted" / OPD)
    u = RG.with_copies(RG.expand([sf], 800), tmp_path / "rows")[3]
    with pytest.raises(duckdb.Error, match="Original Line"):   # what DuckDB itself says
        _failing_read(sf.path)
    with pytest.raises(LoadError) as e:
        with RG.readable(u):
            _failing_read(u.readable)
    msg = str(e.value)
    assert msg.startswith(f"{OPD} (row range 4 of ") and str(u.readable) not in msg
    assert f"the CSV reader failed at line {2 + u.line_offset} (" in msg, msg
    first_line = sf.path.read_bytes()[u.rows.start:].split(b"\n")[0].decode()
    for field in first_line.split(","):
        if len(field) >= 4:
            assert field not in msg, (field, msg)
    assert "Original Line" not in msg and e.value.__cause__ is None
    assert not u.readable.exists()


def test_a_reader_error_on_a_whole_file_quotes_nothing_of_it(tmp_path, tiny_source):
    """The same for a file that is not cut: the line number of the file, no text of it."""
    from datasets.load import LoadError

    _crafted(tiny_source, tmp_path / "crafted")
    sf = _source(tmp_path / "crafted" / OPD)
    assert sf.rows is None
    with pytest.raises(LoadError) as e:
        with RG.readable(sf):
            _failing_read(sf.path)
    msg = str(e.value)
    assert msg.startswith(f"{OPD}: the CSV reader failed at line 2 ("), msg
    line = sf.path.read_bytes().split(b"\n")[1].decode()
    for field in line.split(","):
        if len(field) >= 4:
            assert field not in msg, (field, msg)
    assert "Original Line" not in msg


@pytest.mark.parametrize("newline,bom", [("\n", False), ("\r\n", True)])
def test_cuts_do_not_depend_on_the_read_blocks(tmp_path, tiny_source, monkeypatch, newline, bom):
    """The planner reads in blocks; with blocks of a few bytes their edges fall between a
    quote and its escape, a CR and its LF, a closing quote and what follows, inside every
    quoted field: the cuts and line offsets are those of one block."""
    _crafted(tiny_source, tmp_path / "crafted", newline=newline, bom=bom)
    sf = _source(tmp_path / "crafted" / OPD)
    one = [RG.plan(sf, part)[0] for part in (1, 700, 2000)]
    assert all(len(r) > 1 for r in one)
    for chunk in (1, 2, 3, 7, 64, 1000):
        monkeypatch.setattr(RG, "CHUNK", chunk)
        assert [RG.plan(sf, part)[0] for part in (1, 700, 2000)] == one, chunk
    for content, why in IRREGULAR:
        path = tmp_path / "irregular" / OPD
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content.replace(b"H", ",".join(sf.family.names).encode()))
        bad = SourceFile(path, sf.family, "2019", "utf-8", False)
        for chunk in (1, 2, 3):
            monkeypatch.setattr(RG, "CHUNK", chunk)
            assert why in RG.plan(bad, 1)[1], (content, chunk)


def test_a_quoted_header_after_a_bom_is_regular(tmp_path, monkeypatch):
    fam = FAMILIES["H_NHI_OPDTE"]
    path = tmp_path / OPD
    header = ",".join(f'"{n}"' for n in fam.names).encode()
    path.write_bytes(b"\xef\xbb\xbf" + header + b"\r\n" + b'1,"a\r\nb",3\r\n' * 5)
    sf = SourceFile(path, fam, "2019", "utf-8", False)
    for chunk in (1, 2, 4, 1 << 20):
        monkeypatch.setattr(RG, "CHUNK", chunk)
        ranges, why = RG.plan(sf, 1)
        assert len(ranges) == 5 and ranges[1].header_end == len(header) + 5, (chunk, why)
        # range k (from 0) starts at record k + 1 of the data, file line k + 2 = its copy line 2 + offset
        assert [r.line_offset for r in ranges] == [0, 1, 2, 3, 4]


def test_range_copies_across_file_systems(tmp_path, tiny_source, monkeypatch):
    """Where the kernel cannot copy between the source's and the staging's file systems
    (EXDEV), the range is copied through a buffer: the same bytes."""
    import errno
    import os

    _crafted(tiny_source, tmp_path / "crafted")
    sf = _source(tmp_path / "crafted" / OPD)
    units = RG.with_copies(RG.expand([sf], 700), tmp_path / "rows")
    kernel = []
    for u in units:
        with RG.readable(u):
            kernel.append(u.readable.read_bytes())

    def refuse(*args):
        raise OSError(errno.EXDEV, "cross-device")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    monkeypatch.setattr(RG, "CHUNK", 100)
    for u, want in zip(units, kernel):
        with RG.readable(u):
            assert u.readable.read_bytes() == want
    data = sf.path.read_bytes()
    header = data[:units[0].rows.header_end]
    assert kernel[0] + b"".join(k[len(header):] for k in kernel[1:]) == data
