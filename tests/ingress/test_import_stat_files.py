"""Import review (D4): statistical packages' files and the text a PDF keeps off its pages.

Before, a Stata, SAS or SPSS file was an "unknown binary": its raw bytes were searched for
national IDs and the file went to a person with nothing said about what it held, and a PDF's
bookmarks, form fields, annotation authors and strings in compressed object streams were not
read at all (a blank page with a patient's ID in its outline passed).  Now what pandas reads
(.dta, .sas7bdat, .xpt) goes through the CSV checks, what cannot be read here (.sav without
pyreadstat, R files, several datasets in one transport file, damaged files) goes to a person
with the reason, and every object of a PDF is read with pypdf.  Real files: pandas' to_stata,
a SAS transport file written to the XPORT v5 layout (pandas has no writer), pypdf's writer and
a PDF 1.5 file with an object stream written by hand.
"""
from __future__ import annotations

import io
import struct
import zlib

import pandas as pd
import pytest

from egress_review.ingress import stat_files
from egress_review.ingress.checks import ImportItem, check_import
from tests.ingress.conftest import national_ids, zip_of

IDS = national_ids(12, seed=53)
NAMES = ["陳美玲", "林志明", "黃小玲", "張家豪", "王淑芬", "李建國"]
MAIL = "meiling.chen@example.com.tw"


def run(policy, name, data, kind="reference"):
    return check_import([ImportItem(name, kind, data)], imaging=False, policy=policy.egress)


def shown(r):
    return [(f.severity, f.check, f.location, f.message_en[:90]) for f in r.findings]


# ------------------------------------------------------------------ files as the packages write them

def dta(frame: pd.DataFrame, **kw) -> bytes:
    b = io.BytesIO()
    frame.to_stata(b, write_index=False, **kw)
    return b.getvalue()


def _ibm(v: float) -> bytes:
    """An IBM System/360 double, as SAS transport files keep numbers."""
    if v == 0:
        return bytes(8)
    sign, v, e = (0x80 if v < 0 else 0), abs(v), 0
    while v >= 1:
        v, e = v / 16, e + 1
    while v < 1 / 16:
        v, e = v * 16, e - 1
    return bytes([sign | (64 + e)]) + int(v * (1 << 56)).to_bytes(7, "big")


def _rec(text: str) -> bytes:
    return text.encode("ascii").ljust(80, b" ")


def xpt(columns: dict[str, list], members: int = 1) -> bytes:
    """A SAS XPORT v5 library: 80-byte header records, 140-byte namestr records, rows."""
    date = "01JAN20:00:00:00"
    out = _rec("HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000")
    out += _rec("SAS     SAS     SASLIB  9.4     X64_7PRO" + " " * 24 + date) + _rec(date)
    nrows = len(next(iter(columns.values())))
    for m in range(members):
        out += _rec("HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!000000000000000001600000000140")
        out += _rec("HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!000000000000000000000000000000")
        out += _rec("SAS     " + f"DS{m}".ljust(8) + "SASDATA 9.4     X64_7PRO" + " " * 24 + date)
        out += _rec(date + " " * 56 + "DATA    ")
        out += _rec(f"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000{len(columns):04d}00000000000000000000")
        specs, names, pos = [], b"", 0
        for i, (n, vals) in enumerate(columns.items()):
            text = isinstance(vals[0], str)
            length = max(len(v.encode()) for v in vals) if text else 8
            names += struct.pack(">hhhh8s40s8shhh2s8shhl52s", 2 if text else 1, 0, length, i + 1,
                                 n.encode().ljust(8), b" " * 40, b" " * 8, 0, 0, 0, b"  ", b" " * 8, 0, 0,
                                 pos, bytes(52))
            specs.append((vals, text, length))
            pos += length
        out += names + b" " * (-len(names) % 80)
        out += _rec("HEADER RECORD*******OBS     HEADER RECORD!!!!!!!000000000000000000000000000000")
        rows = b"".join(v[r].encode().ljust(ln) if t else _ibm(float(v[r]))
                        for r in range(nrows) for v, t, ln in specs)
        out += rows + b" " * (-len(rows) % 80)
    return out


PEOPLE = pd.DataFrame({"pid": IDS[:8], "age": [34, 51, 47, 29, 62, 45, 38, 70],
                       "sex": ["M", "F"] * 4, "icd10": ["E11", "I10", "J45", "E11", "C50", "I10", "K21", "E78"]})
NO_KEY = pd.DataFrame({"visit": pd.to_datetime([f"2021-0{m}-1{d}" for m in range(1, 5) for d in (2, 5)]),
                       "sex": ["M", "F"] * 4, "icd10": ["E11", "I10", "J45", "E11", "C50", "I10", "K21", "E78"]})
AGGREGATE = pd.DataFrame({"year": [2019, 2020, 2021, 2022], "region": ["北區", "中區", "南區", "東區"],
                          "n": [1520, 1488, 1610, 1702], "mean_age": [61.2, 60.8, 62.0, 61.5]})


# ------------------------------------------------------------------ Stata and SAS files read as tables

@pytest.mark.parametrize("fmt", ["dta-114", "dta-118", "xpt", "dta-in-zip"])
def test_a_file_of_persons_blocks(policy, fmt):
    if fmt.startswith("dta"):
        data = dta(PEOPLE, version=int(fmt[-3:]) if fmt[-1].isdigit() else 114)
        name = "cohort.dta"
        if fmt == "dta-in-zip":
            data, name = zip_of({"cohort.dta": data}), "cohort.zip"
    else:
        data, name = xpt({c: PEOPLE[c].tolist() for c in PEOPLE.columns}), "cohort.xpt"
    r = run(policy, name, data)
    assert r.verdict == "block", shown(r)
    assert any(f.check == "microdata" and f.location.get("column") == "pid" for f in r.findings), shown(r)
    assert not any(f.check in ("binary", "stat_file") for f in r.findings), shown(r)


@pytest.mark.parametrize("fmt", ["dta", "xpt"])
def test_rows_of_persons_without_a_key_block(policy, fmt):
    """Exact dates beside sex and diagnosis codes: one row per visit, as in a CSV."""
    if fmt == "dta":
        data = dta(NO_KEY, version=118)
    else:   # SAS keeps dates as numbers: written here as ISO text, as a SAS user exporting would
        data = xpt({"visit": NO_KEY["visit"].dt.strftime("%Y-%m-%d").tolist(), "sex": NO_KEY["sex"].tolist(),
                    "icd10": NO_KEY["icd10"].tolist()})
    r = run(policy, f"visits.{fmt}", data)
    assert r.verdict == "block" and any(f.check == "microdata" for f in r.findings), shown(r)


def test_sas_ages_kept_as_doubles_are_ages(policy):
    """SAS stores 34 as 34.0: read as 34, so sex beside ages and diagnoses is a person."""
    data = xpt({"age": PEOPLE["age"].tolist(), "sex": PEOPLE["sex"].tolist(), "icd10": PEOPLE["icd10"].tolist()})
    r = run(policy, "ages.xpt", data)
    assert r.verdict == "block" and any(f.check == "microdata" for f in r.findings), shown(r)


@pytest.mark.parametrize("fmt", ["dta", "xpt"])
def test_an_aggregate_table_passes(policy, fmt):
    data = dta(AGGREGATE, version=118) if fmt == "dta" else xpt({c: AGGREGATE[c].tolist() for c in ("year", "n", "mean_age")})
    r = run(policy, f"counts.{fmt}", data)
    assert r.verdict == "pass", shown(r)


@pytest.mark.parametrize("where", ["variable-label", "value-label", "dataset-label"])
def test_identifiers_in_stata_labels_are_found(policy, where):
    frame = AGGREGATE.copy()
    kw: dict = {"version": 118}
    # an e-mail address: the raw-byte search finds national IDs only, so only reading finds it
    if where == "variable-label":
        kw["variable_labels"] = {"n": f"counted by {NAMES[0]} {MAIL}"}
    elif where == "dataset-label":
        kw["data_label"] = f"from {MAIL}"
    else:
        frame["grp"] = pd.Categorical.from_codes([0, 1, 0, 1], [f"{NAMES[1]} {MAIL}", "other"])
    r = run(policy, "labelled.dta", dta(frame, **kw))
    assert r.verdict == "block", shown(r)
    assert any(f.check == "identifiers" and f.severity == "block" for f in r.findings), shown(r)


def test_a_transport_file_of_several_datasets_goes_to_a_person(policy):
    """pandas reads the first dataset only: the second would pass unread."""
    data = xpt({c: AGGREGATE[c].tolist() for c in ("year", "n")}, members=2)
    r = run(policy, "two.xpt", data)
    assert r.verdict == "review", shown(r)
    assert [f.check for f in r.findings] == ["stat_file"] and "2 datasets" in r.findings[0].message_en


# ------------------------------------------------------------------ what cannot be read goes to a person

def _truncated_dta() -> bytes:
    return dta(AGGREGATE, version=118)[:300]


@pytest.mark.parametrize("name, data, why", [
    ("survey.sav", b"$FL2@(#) IBM SPSS STATISTICS 64-bit" + bytes(200), "pyreadstat"),
    ("model.rds", zlib.compress(b"X\n\x00\x00\x00\x03" + bytes(64)), "R (.rds)"),
    ("gz.rds", b"\x1f\x8b\x08\x00" + bytes(40), "R (.rds)"),
    ("session.RData", b"RDX3\nX\n" + bytes(64), "R (.RData)"),
    ("inner", b"RDX2\nX\n" + bytes(64), "R data file"),
    ("broken.dta", b"<stata_dta><header><release>118</release>garbage", "cannot be read"),
    ("short.dta", "truncated", "cannot be read"),
    ("random.sas7bdat", bytes(range(256)) * 8, "cannot be read"),
    ("cport.xpt", b"**COMPRESSED** **COMPRESSED** " * 20, "not a SAS transport"),
    ("empty.xpt", b"", "not a SAS transport"),
], ids=["sav", "rds", "rds-gzip", "rdata", "r-magic-no-suffix", "dta-garbage", "dta-truncated",
        "sas7bdat-garbage", "xpt-cport", "xpt-empty"])
def test_what_cannot_be_read_goes_to_a_person_with_the_reason(policy, name, data, why):
    if data == "truncated":
        data = _truncated_dta()
    if name.endswith(".sav"):
        pytest.importorskip("pandas")   # the reason below is the one without pyreadstat
        try:
            import pyreadstat  # noqa: F401
            pytest.skip("pyreadstat is installed here: .sav files are read")
        except ImportError:
            pass
    r = run(policy, name, data)
    assert r.verdict == "review", shown(r)
    found = [f for f in r.findings if f.check == "stat_file"]
    assert found and why in found[0].message_en and found[0].message_zh, shown(r)


def test_an_unreadable_file_still_has_its_raw_ids_searched(policy):
    data = b"RDX3\nX\n" + b"\x00" * 8 + IDS[0].encode() + b"\x00" * 8
    r = run(policy, "people.rds", data)
    assert r.verdict == "block" and {f.check for f in r.findings} == {"identifiers", "stat_file"}, shown(r)


def test_a_statistical_training_set_is_refused_for_a_non_imaging_case(policy):
    r = run(policy, "train.dta", dta(AGGREGATE, version=118), kind="training_set")
    assert r.verdict == "block" and any(f.check == "kind" for f in r.findings), shown(r)


# ------------------------------------------------------------------ a PDF's text off its pages

def _blank_pdf(edit=None) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(200, 200)
    if edit:
        edit(w)
    b = io.BytesIO()
    w.write(b)
    return b.getvalue()


def _outline(w):
    w.add_outline_item(title=f"{NAMES[2]} {IDS[1]}", page_number=0)


def _field(w):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    f = DictionaryObject({NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("patient"),
                          NameObject("/V"): TextStringObject(f"{NAMES[4]} {IDS[2]}"), NameObject("/Type"): NameObject("/Annot"),
                          NameObject("/Subtype"): NameObject("/Widget"),
                          NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4)})
    ref = w._add_object(f)
    w.pages[0][NameObject("/Annots")] = ArrayObject([ref])
    w._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([ref])})


def _annotation_author(w):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    a = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
                          NameObject("/T"): TextStringObject(f"{NAMES[5]} {IDS[3]}"),
                          NameObject("/Contents"): TextStringObject("see page"),
                          NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4)})
    w.pages[0][NameObject("/Annots")] = ArrayObject([w._add_object(a)])


def _hidden_form_xobject(w):
    """A form XObject no page draws, its text kerned into pieces."""
    from pypdf.generic import DecodedStreamObject, NameObject

    s = DecodedStreamObject()
    half = len(IDS[4]) // 2
    s.set_data(f"BT /F1 12 Tf [({IDS[4][:half]}) -20 ({IDS[4][half:]})] TJ ET".encode())
    s[NameObject("/Type")] = NameObject("/XObject")
    s[NameObject("/Subtype")] = NameObject("/Form")
    w._add_object(s.flate_encode())


def object_stream_pdf(secret: str) -> bytes:
    """A PDF 1.5 file whose objects sit in a compressed object stream (/ObjStm) with an
    cross-reference stream: a string in an object no page uses, invisible to a raw-byte search."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            4: f"<< /Note ({secret}) >>".encode()}
    head, body = b"", b""
    for n, o in objs.items():
        head += f"{n} {len(body)} ".encode()
        body += o + b"\n"
    packed = zlib.compress(head + body)
    out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    stm_at = len(out)
    out += (f"5 0 obj\n<< /Type /ObjStm /N {len(objs)} /First {len(head)} /Filter /FlateDecode "
            f"/Length {len(packed)} >>\nstream\n").encode() + packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)] + [struct.pack(">BIH", 2, 5, i) for i in range(4)] \
        + [struct.pack(">BIH", 1, stm_at, 0), struct.pack(">BIH", 1, xref_at, 0)]
    data = b"".join(rows)
    out += (f"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length {len(data)} >>\nstream\n").encode()
    out += data + b"\nendstream\nendobj\n" + f"startxref\n{xref_at}\n%%EOF\n".encode()
    return out


@pytest.mark.parametrize("edit", [_outline, _field, _annotation_author, _hidden_form_xobject],
                         ids=["bookmark", "form-field", "annotation-author", "hidden-form-xobject"])
def test_an_id_kept_off_the_pages_of_a_pdf_blocks(policy, edit):
    data = _blank_pdf(edit)
    if edit is not _hidden_form_xobject:   # written as UTF-16 beside a name: no raw-byte search sees it
        assert not any(i.encode() in data for i in IDS)
    r = run(policy, "report.pdf", data)
    assert r.verdict == "block", shown(r)
    assert any(f.check == "identifiers" and f.severity == "block" for f in r.findings), shown(r)


def test_an_id_in_a_compressed_object_stream_blocks(policy):
    data = object_stream_pdf(f"{IDS[5]} {NAMES[3]}")
    assert IDS[5].encode() not in data
    r = run(policy, "packed.pdf", data)
    assert r.verdict == "block" and any(f.check == "identifiers" for f in r.findings), shown(r)


def test_a_plain_pdf_with_ordinary_bookmarks_passes(policy):
    r = run(policy, "manual.pdf", _blank_pdf(lambda w: w.add_outline_item(title="Chapter 1 Methods",
                                                                           page_number=0)))
    assert r.verdict == "pass", shown(r)


def test_a_pdf_whose_objects_cannot_be_read_goes_to_a_person(policy):
    data = object_stream_pdf("nothing").replace(b"/FlateDecode", b"/LZWDecode ")
    r = run(policy, "odd.pdf", data)
    assert r.verdict != "pass", shown(r)
    assert any(f.check == "document" for f in r.findings), shown(r)


def test_the_stat_reader_names_the_formats_it_reads():
    assert {".dta", ".sas7bdat", ".xpt", ".sav", ".rds", ".rdata"} <= stat_files.SUFFIXES
