"""What an import hides from the automatic checks (D4): rows written in an encoding, and rows
on a workbook's other sheets.  Before, a reference file holding a person list as base64, hex
or any other binary-to-text encoding passed the checks (only code was scanned for blobs), and
only a workbook's first sheet was read.  Now every text leaf gets the egress engine's blob and
encoding scans, and every sheet holding a value is a table of its own."""
from __future__ import annotations

import base64
import codecs
import io

import pandas as pd
import pytest

from egress_review.ingress.checks import ImportItem, check_import

IDS = ["A123456789", "F131104093", "B220546730", "N125773484", "T201383915"]
PERSONS = ("pid,birth,sex\n" + "\n".join(f"{i},1950-01-0{n + 1},M" for n, i in enumerate(IDS))).encode()

ENCODINGS = {
    "base64": lambda b: base64.b64encode(b).decode(),
    "base64-mime": lambda b: base64.encodebytes(b).decode(),
    "base32": lambda b: base64.b32encode(b).decode(),
    "hex": lambda b: b.hex(),
    "hex-spaced": lambda b: b.hex(" "),
    "percent": lambda b: "".join(f"%{x:02X}" for x in b),
    "uuencode": lambda b: codecs.encode(b, "uu").decode(),
    "base85": lambda b: base64.b85encode(b).decode(),
    "ascii85": lambda b: base64.a85encode(b, adobe=True).decode(),
    "decimal": lambda b: ",".join(str(x) for x in b),
    "escapes": lambda b: "".join(f"\\x{x:02x}" for x in b),
}


def _check(policy, *items):
    return check_import([ImportItem(*it) for it in items], imaging=False, policy=policy.egress)


@pytest.mark.parametrize("name", ["lookup.txt", "lookup.csv", "codes.json", "notes.md"])
@pytest.mark.parametrize("enc", sorted(ENCODINGS))
def test_a_person_list_encoded_in_a_reference_file_blocks(policy, enc, name):
    body = ENCODINGS[enc](PERSONS)
    if name.endswith(".csv"):
        body = 'code,label\n1,"' + body + '"\n'   # a quoted field keeps its line breaks
    elif name.endswith(".json"):
        body = '{"table": "' + body.replace("\n", "\\n") + '"}'
    r = _check(policy, (name, "reference", body.encode()))
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert any(f.check == "smuggling" and f.rule == "D4" and f.message_zh for f in r.findings)


def _workbook(**sheets) -> bytes:
    b = io.BytesIO()
    with pd.ExcelWriter(b, engine="openpyxl") as w:
        for title, df in sheets.items():
            df.to_excel(w, sheet_name=title, index=False)
        for title, state in (("hidden", "hidden"), ("veryhidden", "veryHidden")):
            if title in sheets:
                w.book[title].sheet_state = state
    return b.getvalue()


SAFE = pd.DataFrame({"icd10": ["E11", "I10", "J45"], "label": ["diabetes", "hypertension", "asthma"]})
PEOPLE = pd.DataFrame({"pid": IDS, "birth": ["1950-01-01"] * 5})


@pytest.mark.parametrize("sheet", ["second", "hidden", "veryhidden"])
def test_a_person_list_on_another_sheet_of_a_workbook_blocks(policy, sheet):
    r = _check(policy, ("codes.xlsx", "reference", _workbook(codes=SAFE, **{sheet: PEOPLE})))
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert any(f.location.get("sheet") == sheet and f.check in ("microdata", "identifiers")
               for f in r.findings)


def test_an_ordinary_workbook_and_reference_texts_pass(policy):
    r = _check(policy,
               ("codes.xlsx", "reference", _workbook(codes=SAFE, more=SAFE.assign(n=[10, 20, 30]))),
               ("areas.csv", "reference", b"area_code,area\n63,Taipei\n64,Kaohsiung\n66,Taichung\n"),
               ("years.txt", "reference", (" ".join(str(y) for y in range(1990, 2024)) + "\n").encode()),
               ("weights.csv", "reference",
                ("age,weight\n" + "\n".join(f"{20 + i},{(i * 37) % 200}" for i in range(60))).encode()))
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]
