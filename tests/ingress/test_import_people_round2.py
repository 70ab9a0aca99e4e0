"""Import review (D4), round 2: persons brought in where no check looked.

Before, each of these passed the automatic checks of an import (verdict ``pass``):
- a CSV of persons attached to a notebook's Markdown cell, or carried as a ``data:`` URI in
  Markdown, HTML, SVG or JSON (notebooks were read as sources and text outputs only);
- a national ID split over neighbouring cells (``A`` | ``123456789``);
- personal numbers with no checksum under a column name that says what they are (card,
  passport, chart, phone, e-mail, account);
- a column of distinct long numbers under any name;
- a hashed person list of short digests (12-15 hex characters) in a text file;
- one row per person or visit with no key: exact dates beside sex and/or diagnosis codes.
Each member now blocks or goes to a person with the reason; the honest counterparts (lookup
tables, calendars, daily counts, notebooks with plots and tables) still pass.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid

import pytest

from egress_review.ingress.checks import ImportItem, check_import
from tests.ingress.conftest import national_ids, zip_of

IDS = national_ids(8, seed=21)
NAMES = ["陳美玲", "林志明", "黃小玲", "張家豪", "王淑芬", "李建國", "吳宗憲", "劉雅婷"]
PEOPLE_CSV = ("pid,name,birth\n" + "\n".join(f"{i},{n},1950-01-0{k + 1}"
                                            for k, (i, n) in enumerate(zip(IDS, NAMES)))).encode()


def run(policy, name, kind, data, imaging=False):
    return check_import([ImportItem(name, kind, data)], imaging=imaging, policy=policy.egress)


def shown(r):
    return [(f.severity, f.check, f.location, f.message_en[:90]) for f in r.findings]


# -- files carried inside text files --------------------------------------------------------

def _nb(cells):
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _png(text_chunk: str | None = None) -> bytes:
    from PIL import Image, PngImagePlugin

    b = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if text_chunk:
        info.add_text("Comment", text_chunk)
    Image.new("RGB", (8, 8), "white").save(b, "PNG", pnginfo=info)
    return b.getvalue()


CARRIERS = {
    "attachment csv": ("a.ipynb", lambda p: _nb([{"cell_type": "markdown", "source": "see ![x](attachment:p.csv)",
                                                  "attachments": {"p.csv": {"text/csv": _b64(p)}}}])),
    "attachment csv as lines": ("a.ipynb", lambda p: _nb([{"cell_type": "markdown", "source": "x",
                                                           "attachments": {"p.csv": {"text/csv": [
                                                               _b64(p)[:40], _b64(p)[40:]]}}}])),
    "attachment zip": ("a.ipynb", lambda p: _nb([{"cell_type": "markdown", "source": "x", "attachments": {
        "bundle.zip": {"application/zip": _b64(zip_of({"p.csv": p}))}}}])),
    "attachment octet": ("a.ipynb", lambda p: _nb([{"cell_type": "markdown", "source": "x", "attachments": {
        "p.csv": {"application/octet-stream": _b64(p)}}}])),
    "output csv mime": ("a.ipynb", lambda p: _nb([{"cell_type": "code", "source": "1", "execution_count": 1,
                                                  "metadata": {}, "outputs": [{"output_type": "execute_result",
                                                  "execution_count": 1, "metadata": {},
                                                  "data": {"application/x-csv-b64": _b64(p)}}]}])),
    "markdown data uri": ("a.ipynb", lambda p: _nb([{"cell_type": "markdown", "source":
                                                     f"[download](data:text/csv;base64,{_b64(p)})"}])),
    "html output data uri": ("a.ipynb", lambda p: _nb([{"cell_type": "code", "source": "1", "execution_count": 1,
                                                        "metadata": {}, "outputs": [{"output_type": "display_data",
                                                        "metadata": {}, "data": {"text/html":
                                                        f"<a href='data:text/csv;base64,{_b64(p)}'>x</a>"}}]}])),
    "md file data uri": ("readme.md", lambda p: f"# notes\n[x](data:text/csv;base64,{_b64(p)})\n".encode()),
    "html file data uri": ("page.html", lambda p: f"<a href=\"data:text/csv;base64,{_b64(p)}\">x</a>".encode()),
    "svg data uri": ("f.svg", lambda p: (f"<svg xmlns='http://www.w3.org/2000/svg'><image href="
                                         f"'data:application/octet-stream;base64,{_b64(p)}'/></svg>").encode()),
    "json escaped slashes": ("c.json", lambda p: json.dumps(
        {"file": f"data:text/csv;base64,{_b64(p)}".replace("/", "\\/")}).encode().replace(b"\\\\/", b"\\/")),
    "percent data uri": ("readme.md", lambda p: ("[x](data:text/csv," + "".join(f"%{c:02X}" for c in p) + ")").encode()),
    "png in attachment with text": ("a.ipynb", lambda p: _nb([{"cell_type": "markdown", "source": "x",
                                                               "attachments": {"f.png": {"image/png": _b64(
                                                                   _png(p.decode()))}}}])),
}


@pytest.mark.parametrize("kind", ["code", "reference"])
@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_a_person_list_carried_inside_a_text_file_blocks(policy, carrier, kind):
    name, build = CARRIERS[carrier]
    r = run(policy, name, kind, build(PEOPLE_CSV))
    assert r.verdict == "block", shown(r)
    assert any("!" in str(f.location.get("member", "")) for f in r.findings), shown(r)


def test_an_attachment_that_is_not_base64_is_read_as_the_text_it_is(policy):
    nb = _nb([{"cell_type": "markdown", "source": "x", "attachments": {"p.csv": {"text/csv": PEOPLE_CSV.decode()}}}])
    r = run(policy, "a.ipynb", "code", nb)
    assert r.verdict == "block", shown(r)
    assert any("attachment-0-p.csv" in str(f.location.get("member")) for f in r.findings), shown(r)


def test_a_percent_encoded_payload_that_does_not_decode_goes_to_a_person(policy):
    from egress_review.ingress.embedded import carried_files

    bad = "[x](data:text/csv;base64," + "QUJD" * 6 + "%ZZ" + "QUJD" * 6 + ")"
    assert [c.data for c in carried_files("n.md", bad.encode())] == [None]
    r = run(policy, "n.md", "reference", bad.encode())
    assert r.verdict in ("review", "block"), shown(r)


def test_a_notebook_with_plots_tables_and_widgets_passes(policy):
    png = _b64(_png())
    nb = _nb([
        {"cell_type": "markdown", "source": "# Cohort size by year\n![logo](attachment:logo.png)",
         "attachments": {"logo.png": {"image/png": png}}},
        {"cell_type": "code", "source": "df.groupby('year').size().plot()", "execution_count": 1, "metadata": {},
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/png": png, "text/plain": "<Figure size 640x480>"}},
                     {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                      "data": {"text/html": "<table><tr><th>year</th><th>n</th></tr>"
                                            "<tr><td>2019</td><td>12000</td></tr></table>",
                               "application/vnd.jupyter.widget-view+json": {"model_id": "ab", "version_major": 2}}}]},
    ])
    r = run(policy, "analysis.ipynb", "code", nb)
    assert r.verdict == "pass", shown(r)
    md = f"# Logo\n![i](data:image/png;base64,{png})\n".encode()
    assert run(policy, "README.md", "reference", md).verdict == "pass"


# -- persons no column name announces ---------------------------------------------------------

def _csv(header, rows):
    return (",".join(header) + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n").encode()


SPLITS = {
    "letter | digits": lambda i: [i[0], i[1:]],
    "letter | 4 | 5": lambda i: [i[0], i[1:5], i[5:]],
    "lower letter | digits": lambda i: [i[0].lower(), i[1:]],
    "two | eight": lambda i: [i[:2], i[2:]],
    "with other cells": lambda i: ["2020", i[0], i[1:], "E11"],
    "spaced digits": lambda i: [i[0], i[1:4] + " " + i[4:]],
}


@pytest.mark.parametrize("how", sorted(SPLITS))
def test_a_national_id_split_over_cells_blocks(policy, how):
    rows = [SPLITS[how](i) for i in IDS]
    header = [f"c{k}" for k in range(len(rows[0]))]
    r = run(policy, "codes.csv", "reference", _csv(header, rows))
    assert r.verdict == "block", shown(r)
    assert any("neighbouring cells" in f.message_en for f in r.findings), shown(r)
    text = "\n".join(";".join(row) for row in rows).encode()
    r = run(policy, "codes.txt", "reference", text)
    assert any("neighbouring cells" in f.message_en and f.severity == "block" for f in r.findings), shown(r)


NUMBER_COLUMNS = ["card_no", "nhi_card_number", "健保卡號", "passport", "passport_no", "護照號碼", "居留證號",
                  "arc_no", "mrn", "chart_no", "病歷號碼", "phone", "tel", "mobile_no", "電話", "手機",
                  "email", "e_mail", "address", "地址", "住址", "bank_account_no", "帳號", "車牌", "ip_addr"]


@pytest.mark.parametrize("col", NUMBER_COLUMNS)
def test_a_column_named_for_personal_numbers_blocks(policy, col):
    rows = [[f"row{k}", f"X{k:03d}"] for k in range(6)]
    r = run(policy, "t.csv", "reference", _csv(["label", col], rows))
    assert r.verdict == "block", shown(r)
    assert any(f.location.get("column") == col and f.check == "microdata" for f in r.findings), shown(r)


@pytest.mark.parametrize("shape", ["12 digits", "9 digits", "16 digits", "spaced 4-4-4", "dashed"])
@pytest.mark.parametrize("col", ["code", "k", "value"])
def test_distinct_long_numbers_under_any_name_go_to_a_person(policy, shape, col):
    make = {"12 digits": lambda k: f"0000{k:02d}345678", "9 digits": lambda k: f"3{k:02d}123456",
            "16 digits": lambda k: f"4111{k:04d}11112222", "spaced 4-4-4": lambda k: f"0000 {k:04d} 5678",
            "dashed": lambda k: f"1234-{k:04d}-9876"}[shape]
    rows = [["a" if k % 2 else "b", make(k)] for k in range(8)]
    r = run(policy, "t.csv", "reference", _csv(["group", col], rows))
    assert r.verdict in ("review", "block"), shown(r)
    assert any(f.location.get("column") == col for f in r.findings), shown(r)


@pytest.mark.parametrize("length", [12, 13, 14, 15, 20, 32])
@pytest.mark.parametrize("layout", ["one per line", "comma", "json list"])
def test_a_hashed_person_list_in_a_text_blocks(policy, length, layout):
    keys = [hashlib.sha256(i.encode()).hexdigest()[:length] for i in IDS]
    keys = [k if any(c.isalpha() for c in k) else "a" + k[1:] for k in keys]
    body = {"one per line": "\n".join(keys), "comma": ", ".join(keys), "json list": json.dumps(keys)}[layout]
    r = run(policy, "keys.txt" if layout != "json list" else "keys.json", "reference", body.encode())
    assert r.verdict == "block", shown(r)


RECORDS = {
    "renamed columns": (["d1", "s", "dx", "d2"], lambda k: [f"19{50 + k}-0{k % 9 + 1}-1{k % 9}", "MF"[k % 2], "E11",
                                                         f"2020-0{k % 9 + 1}-0{k % 9 + 1}"]),
    "visit, sex, icd": (["visit_date", "sex", "icd10"], lambda k: [f"2020-{k % 12 + 1:02d}-{k % 28 + 1:02d}",
                                                                  "男女"[k % 2], ["I10", "E11.9", "J45"][k % 3]]),
    "roc dates": (["日期", "性別", "診斷"], lambda k: [f"109/{k % 12 + 1:02d}/{k % 28 + 1:02d}", "MF"[k % 2], "C34.1"]),
    "compact dates": (["t0", "g", "code", "t1"], lambda k: [f"2019{k % 12 + 1:02d}{k % 28 + 1:02d}", "FM"[k % 2],
                                                            "K74.6", f"2020{k % 12 + 1:02d}{k % 27 + 1:02d}"]),
    "two dates and a code": (["admit", "discharge", "dx"], lambda k: [f"2021-{k % 12 + 1:02d}-{k % 28 + 1:02d}",
                                                                      f"2021-{k % 12 + 1:02d}-{k % 27 + 2:02d}",
                                                                      "I21.4"]),
    "counts all one": (["date", "sex", "icd", "n"], lambda k: [f"2020-{k % 12 + 1:02d}-{k % 28 + 1:02d}",
                                                               "MF"[k % 2], "I10", 1]),
}


@pytest.mark.parametrize("shape", sorted(RECORDS))
def test_rows_of_persons_without_a_key_block(policy, shape):
    header, make = RECORDS[shape]
    r = run(policy, "r.csv", "reference", _csv(header, [make(k) for k in range(40)]))
    assert r.verdict == "block", shown(r)
    assert any("one row per person" in f.message_en for f in r.findings), shown(r)


def test_dated_rows_with_only_a_sex_column_go_to_a_person(policy):
    rows = [[f"2020-{k % 12 + 1:02d}-{k % 28 + 1:02d}", "MF"[k % 2], 60 + k % 30] for k in range(30)]
    r = run(policy, "r.csv", "reference", _csv(["day", "sex", "weight"], rows))
    assert r.verdict == "review", shown(r)


HONEST = {
    "icd lookup": _csv(["icd10", "label"], [["E11", "diabetes"], ["I10", "hypertension"], ["J45", "asthma"],
                                           ["I21", "AMI"], ["C34", "lung cancer"], ["K74", "cirrhosis"]]),
    "holiday calendar": _csv(["date", "holiday"], [[f"2024-{m:02d}-01", f"h{m}"] for m in range(1, 13)]),
    "drug prices with dates": _csv(["drug_code", "price", "effective"],
                                   [[f"AC{k:05d}100", 10 + k, "2024-01-01"] for k in range(20)]),
    "daily counts by sex": _csv(["date", "sex", "n"], [[f"2020-01-{d:02d}", s, 100 + d]
                                                       for d in range(1, 29) for s in "MF"]),
    "zip codes": _csv(["zip", "district"], [[100 + k, f"d{k}"] for k in range(30)]),
    "exchange rates": _csv(["date", "twd_per_usd"], [[f"2023-{m:02d}-15", 30 + m / 10] for m in range(1, 13)]),
    "lab reference ranges": _csv(["test", "low", "high", "unit"], [["HbA1c", 4.0, 5.6, "%"], ["LDL", 0, 130, "mg/dL"],
                                                                  ["eGFR", 90, 120, "mL/min"], ["ALT", 7, 56, "U/L"],
                                                                  ["Cr", 0.6, 1.3, "mg/dL"]]),
    "order codes": _csv(["order_code", "points"], [[f"{k:05d}C", 100 + k] for k in range(20)]),
    "population by year": _csv(["year", "population"], [[y, 23_000_000 + y] for y in range(2010, 2024)]),
}


@pytest.mark.parametrize("what", sorted(HONEST))
def test_ordinary_reference_tables_pass(policy, what):
    r = run(policy, "ref.csv", "reference", HONEST[what])
    assert r.verdict == "pass", shown(r)


def test_ordinary_reference_texts_and_code_pass(policy):
    atc = "\n".join(["A10BA02", "A10BB01", "C09AA05", "C10AA05", "B01AC06", "N02BE01"])
    assert run(policy, "atc.txt", "reference", atc.encode()).verdict == "pass"
    uuids = "\n".join(str(uuid.uuid5(uuid.NAMESPACE_DNS, f"run{k}")) for k in range(10))
    assert run(policy, "runs.txt", "reference", uuids.encode()).verdict == "pass"
    code = b"import pandas as pd\n\ndef load(p):\n    return pd.read_csv(p, parse_dates=['visit'])\n"
    assert run(policy, "load.py", "code", code).verdict == "pass"


@pytest.mark.parametrize("code", ["df = pd.read_csv(p, dtype={'ID': str})", "schema = {'ID': int, 'phone': str}",
                                  "cols = {'mrn': object, 'birthday': 'datetime64[ns]'}",
                                  "df = df.astype({'ID': 'string', 'DOB': 'category'})"])
def test_program_text_naming_identifier_columns_passes(policy, code):
    """Before, the key-value finder read the bare word after "ID": as an ID number, and the
    honest line blocked an import; a value with no digit in it is program text."""
    r = run(policy, "load.py", "code", ("import pandas as pd\n" + code + "\n").encode())
    assert r.verdict == "pass", shown(r)
    r = run(policy, "load.py", "code", ("import pandas as pd\nrow = {'ID': A123456789}\n").encode())
    assert r.verdict == "block", shown(r)


AGE_ROWS = {
    "age sex icd": (["age", "sex", "icd10"], lambda k: [20 + k % 60, "MF"[k % 2], ["I10", "E11", "C34"][k % 3]]),
    "年齡 性別 診斷": (["年齡", "性別", "診斷"], lambda k: [30 + k % 50, "男女"[k % 2], "K74.6"]),
    "renamed codes": (["age_y", "g", "code"], lambda k: [40 + k % 40, "FM"[k % 2], ["I21.4", "N18.5"][k % 2]]),
}


@pytest.mark.parametrize("shape", sorted(AGE_ROWS))
def test_rows_of_age_sex_and_diagnosis_block(policy, shape):
    header, make = AGE_ROWS[shape]
    r = run(policy, "r.csv", "reference", _csv(header, [make(k) for k in range(30)]))
    assert r.verdict == "block", shown(r)


def test_age_and_sex_ranges_go_to_a_person_and_counts_of_them_pass(policy):
    ranges = _csv(["sex", "age", "low", "high"], [["MF"[k % 2], 20 + 10 * (k // 2), 4.0, 5.6] for k in range(10)])
    assert run(policy, "ranges.csv", "reference", ranges).verdict == "review"
    counts = _csv(["sex", "age", "icd10", "n"], [["MF"[k % 2], 20 + k, "I10", 100 + k] for k in range(30)])
    assert run(policy, "pop.csv", "reference", counts).verdict == "review"   # records dressed as counts? a person says
    plain = _csv(["sex", "age_group", "population"], [["MF"[k % 2], f"{k * 5}-{k * 5 + 4}", 500000 + k]
                                                       for k in range(16)])
    assert run(policy, "census.csv", "reference", plain).verdict == "pass"


def _encrypted_zip(body: bytes) -> bytes:
    """A zip whose member says it is encrypted (general-purpose flag bit 0 in both headers), as
    `zip -P` writes; zipfile then refuses to read it without a password."""
    z = bytearray(zip_of({"p.csv": body}))
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = z.find(sig)
        z[at + flag_at] |= 0x1
    return bytes(z)


def test_an_encrypted_or_damaged_archive_blocks_and_never_crashes(policy):
    """Before, an encrypted zip member raised out of the checks (RuntimeError): no verdict at all."""
    r = run(policy, "e.zip", "reference", _encrypted_zip(b"icd10,label\nE11,diabetes\n"))
    assert r.verdict == "block" and any("encrypted" in f.message_en for f in r.findings), shown(r)
    good = zip_of({"a.csv": PEOPLE_CSV})
    for damaged in (good[:len(good) // 2], good.replace(b"PK\x03\x04", b"PK\x03\x05", 1),
                    __import__("gzip").compress(PEOPLE_CSV)[:-12]):
        r = run(policy, "d.zip", "reference", damaged)
        assert r.verdict in ("block", "review"), shown(r)
