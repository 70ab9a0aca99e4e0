"""E7/D4: characters written as numbers in a program, and CSS escapes, are encoded data.

Code carrying national IDs as ``chr(65)+chr(49)+...``, ``String.fromCharCode(65, 49, ...)``,
``intToUtf8(c(65, 49, ...))`` or ``''.join(map(chr, [...]))`` passed the egress checks (and the
import checks, which share ``encoded_runs``): no base64, no hex, no escape form matched, and a
list of ten numbers is below the decimal-bytes form's length.  A program spelling printable
text by code points is now encoded data from 8 characters (one ID); CSS escapes (``\\41 \\31``)
count when they decode to data.  Ordinary number lists, byte values and icon-font escapes pass.
"""
from __future__ import annotations

import pytest

from egress_review.engine import encoded_runs
from tests.egress_engine.conftest import by, make_request

ID = "A123456789"
TWO = "A123456789,F223456780"


def _chr_chain(s: str, sep: str = "+", fn: str = "chr") -> str:
    return sep.join(f"{fn}({ord(c)})" for c in s)


def _list(s: str, hexa: bool = False) -> str:
    return ", ".join(hex(ord(c)) if hexa else str(ord(c)) for c in s)


MEMBERS = {
    "python chr chain": f"pid = {_chr_chain(ID)}\n",
    "python chr chain, spaced": f"pid = {_chr_chain(ID, ' + ')}\n",
    "vb ChrW chain": f"pid = {_chr_chain(ID, ' & ', 'ChrW')}\n",
    "sql CHAR chain": f"SELECT {_chr_chain(ID, ' || ', 'CHAR')};\n",
    "javascript fromCharCode": f"const pid = String.fromCharCode({_list(ID)});\n",
    "javascript fromCodePoint hex": f"const pid = String.fromCodePoint({_list(ID, True)});\n",
    "r intToUtf8": f"pid <- intToUtf8(c({_list(ID)}))\n",
    "python map chr": f"pid = ''.join(map(chr, [{_list(ID)}]))\n",
    "python bytes list": f"pid = bytes([{_list(ID)}]).decode()\n",
    "two ids in one list": f"ids = bytearray([{_list(TWO)}])\n",
    "chinese name by code points": f"name = String.fromCharCode({_list('陳美玲住台北市')});\n",
}

HONEST = {
    "a small numeric list": "weights = bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])\n",
    "png signature": "MAGIC = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])\n",
    "ages": "ages = [23, 35, 47, 51, 62, 70, 81, 88]\nprint(sum(ages))\n",
    "one chr": "sep = chr(9)\nprint(sep.join(['a', 'b']))\n",
    "icon font css": ".icon-home::before { content: \"\\f015\"; }\n.icon-user::before { content: \"\\f007\"; }\n",
}


def _run(tmp_path, text: str, name: str = "analysis.py", kind: str = "code"):
    return make_request(tmp_path, {name: text}, [{"path": name, "kind": kind, "description": "analysis code"}])


@pytest.mark.parametrize("what", sorted(MEMBERS))
def test_characters_written_as_numbers_block(tmp_path, what):
    r = _run(tmp_path, MEMBERS[what])
    assert r.verdict == "block", [(f.check, f.message_en[:80]) for f in r.findings]
    assert by(r, check="smuggling", severity="block")


@pytest.mark.parametrize("what", sorted(HONEST))
def test_ordinary_numbers_and_escapes_pass_this_check(tmp_path, what):
    name = "style.css" if "css" in what else "analysis.py"
    r = _run(tmp_path, HONEST[what], name)
    assert not [f for f in by(r, check="smuggling") if "once decoded" in f.message_en], \
        [(f.check, f.message_en[:80]) for f in r.findings]


@pytest.mark.parametrize("sep", [" ", ""])
def test_css_escapes_of_a_person_list_block(tmp_path, sep):
    rows = "\n".join([TWO, "陳美玲,林志明", "F223456780,B123456780"])
    css = ".x::after { content: \"" + sep.join(f"\\{ord(c):x} " for c in rows) + "\"; }\n"
    r = _run(tmp_path, css, "style.css", "text")
    assert r.verdict == "block"
    assert any("CSS escapes" in f.message_en for f in by(r, check="smuggling"))


def test_the_forms_decode_to_what_was_written():
    runs = encoded_runs.find(MEMBERS["r intToUtf8"], 20)
    assert [r.decoded for r in runs] == [ID.encode()]
    runs = encoded_runs.find(MEMBERS["python chr chain"], 20)
    assert [r.decoded for r in runs] == [ID.encode()]
