"""Import review (D4): text in any Unicode encoding form is read as text.

A patient list saved as UTF-32 passed: its bytes were not UTF-8 or Big5 text, and the UTF-16
branch (a BOM FF FE, which UTF-32-LE starts with too) read it as UTF-16, NULs between the
letters, where no identifier matched.  Without a BOM a UTF-16 list went to review as "unknown
binary" instead of blocking.  Now UTF-16 and UTF-32, either byte order, BOM or not, are read as
text (egress_review/ingress/text_forms.py); a decoding is taken only when it gives printable text.
"""
from __future__ import annotations

import random

import pytest

from egress_review.ingress.checks import ImportItem, check_import
from egress_review.ingress.text_forms import decode_wide
from tests.ingress.conftest import national_ids, zip_of

IDS = national_ids(6, seed=57)
NAMES = ["陳美玲", "林志明", "黃小玲", "張家豪", "王淑芬", "李建國"]
PERSONS = "pid,name,sex\n" + "".join(f"{i},{n},{'MF'[k % 2]}\n" for k, (i, n) in enumerate(zip(IDS, NAMES)))
ID_LIST = "".join(f"{i}\n" for i in IDS)
LOOKUP = "icd10,chapter,中文\nE11,Endocrine,內分泌\nI10,Circulatory,循環系統\nJ45,Respiratory,呼吸系統\n"

# name -> (codec, BOM written first)
FORMS = {
    "utf-16 with BOM": ("utf-16", b""),
    "utf-16-le no BOM": ("utf-16-le", b""),
    "utf-16-be no BOM": ("utf-16-be", b""),
    "utf-16-be with BOM": ("utf-16-be", b"\xfe\xff"),
    "utf-32 with BOM": ("utf-32", b""),
    "utf-32-le no BOM": ("utf-32-le", b""),
    "utf-32-be no BOM": ("utf-32-be", b""),
    "utf-32-be with BOM": ("utf-32-be", b"\x00\x00\xfe\xff"),
}


def encoded(text: str, form: str) -> bytes:
    codec, bom = FORMS[form]
    return bom + text.encode(codec)


def run(policy, *items):
    return check_import([ImportItem(*it) for it in items], imaging=False, policy=policy.egress)


@pytest.fixture(scope="module")
def results(policy):
    """One import of every member (and its counterpart); verdicts by path."""
    items = []
    for form in FORMS:
        items += [(f"{form}/persons.csv", "reference", encoded(PERSONS, form)),
                  (f"{form}/ids.txt", "reference", encoded(ID_LIST, form)),
                  (f"{form}/lookup.csv", "reference", encoded(LOOKUP, form))]
    r = run(policy, *items)
    return {f.path: f for f in r.files}


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("what", ["persons.csv", "ids.txt"])
def test_a_person_list_in_any_unicode_form_blocks(results, form, what):
    f = results[f"{form}/{what}"]
    assert f.verdict == "block", [(x.check, x.message_en[:80]) for x in f.findings]
    assert any(x.check == "identifiers" for x in f.findings)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_clean_lookup_in_any_unicode_form_passes(results, form):
    f = results[f"{form}/lookup.csv"]
    assert f.verdict == "pass", [(x.check, x.message_en[:80]) for x in f.findings]


@pytest.mark.parametrize("form", ["utf-32 with BOM", "utf-16-le no BOM"])
def test_inside_an_archive_too(policy, form):
    r = run(policy, ("refs.zip", "reference", zip_of({"a/lookup.csv": encoded(LOOKUP, "utf-16 with BOM"),
                                                       "a/persons.csv": encoded(PERSONS, form)})))
    assert r.verdict == "block"


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("head", [b"", b"\xff\xfe", b"\xff\xfe\x00\x00", b"\xfe\xff"],
                         ids=["none", "utf16le", "utf32le", "utf16be"])
def test_binary_behind_a_byte_order_mark_is_not_text(head, seed):
    """Random bytes, even behind a BOM, do not decode to printable text: they stay binary
    (the import sends unknown binary to a person)."""
    data = head + random.Random(seed).randbytes(4096)
    assert decode_wide(data) is None


def test_binary_behind_a_bom_goes_to_a_person_not_through(policy):
    data = b"\xff\xfe\x00\x00" + random.Random(9).randbytes(4096)
    r = run(policy, ("blob.txt", "reference", data))
    assert r.verdict in ("review", "block")


# ----------------------------------------------------------------------------- RTF documents
def _rtf_hex(text: str, codec: str) -> str:
    return "".join(f"\\'{b:02x}" for b in text.encode(codec))


def _rtf_u(text: str) -> str:
    return "".join(f"\\u{ord(c)}?" for c in text)


RTF = {
    "big5 escapes": "{\\rtf1\\ansi\\ansicpg950 " + "\\par ".join(_rtf_hex(f"{i},{n}", "big5")
                                                                for i, n in zip(IDS, NAMES)) + "}",
    "unicode escapes": "{\\rtf1\\ansi " + "\\par ".join(_rtf_u(f"{i},{n}") for i, n in zip(IDS, NAMES)) + "}",
    "cp1252 escapes of ids": "{\\rtf1\\ansi " + "\\line ".join(_rtf_hex(i, "cp1252") for i in IDS) + "}",
    "control words between digits": "{\\rtf1\\ansi " + "\\par ".join(
        "{\\b " + i[:4] + "}{\\i " + i[4:] + "}" for i in IDS) + "}",
}
RTF_CLEAN = "{\\rtf1\\ansi\\ansicpg950 " + _rtf_hex("研究方法：以 ICD-10 E11 定義糖尿病。", "big5") + "\\par }"


@pytest.mark.parametrize("what", sorted(RTF))
def test_a_person_list_in_rtf_escapes_blocks(policy, what):
    r = run(policy, (f"{what}.rtf", "reference", RTF[what].encode("ascii")))
    assert r.verdict == "block", [(x.check, x.message_en[:80]) for x in r.findings]


def test_a_clean_rtf_passes(policy):
    r = run(policy, ("methods.rtf", "reference", RTF_CLEAN.encode("ascii")))
    assert r.verdict == "pass", [(x.check, x.message_en[:80]) for x in r.findings]
