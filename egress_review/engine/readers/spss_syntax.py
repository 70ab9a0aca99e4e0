"""Counts typed into SPSS commands (E2/E7), beside DATA LIST/BEGIN DATA (``data_statements``):

- ``RECODE region ('North'=120) ('South'=3) INTO n_patients.``: a lookup of numbers by category;
- ``IF (region = 'South') n_patients = 3.``: a table typed one cell at a time;
- ``COMPUTE n_deaths = 3.``: a count-named number;
- ``MATRIX DATA VARIABLES = ROWTYPE_ x y.`` whose ``N`` row gives each variable's persons;
- a ``BEGIN DATA`` block no ``DATA LIST`` shapes (it was skipped): read as text, line by line.

Each becomes a unit the content checks already judge; category codes and settings stay code
(``RECODE age (0 thru 17=1) (18 thru 64=2) INTO age_group`` is a recode)."""
from __future__ import annotations

import re

from egress_review.engine.readers.code_literals import _is_count_name
from egress_review.engine.readers.model import TableUnit, TextUnit
from egress_review.engine.readers.sql_case import _unit

_RECODE = re.compile(r"^[ \t]*RECODE\b([^.]{0,2000}?)\bINTO\s+([A-Za-z@#$][\w.@#$]*)", re.I | re.M)
_PAIR = re.compile(r"\(\s*(?:'([^'\n]*)'|\"([^\"\n]*)\"|(-?\d+(?:\.\d+)?))\s*=\s*(-?\d+(?:\.\d+)?)\s*\)")
_IF = re.compile(r"^[ \t]*IF\s*\(?\s*[A-Za-z@#$][\w.@#$]*\s*(?:=|EQ)\s*(?:'([^'\n]*)'|\"([^\"\n]*)\"|"
                 r"(-?\d+(?:\.\d+)?))\s*\)?\s*([A-Za-z@#$][\w.@#$]*)\s*=\s*(-?\d+(?:\.\d+)?)\s*\.", re.I | re.M)
_COMPUTE = re.compile(r"^[ \t]*COMPUTE\s+([A-Za-z@#$][\w.@#$]*)\s*=\s*(\d+(?:\.\d+)?)\s*\.", re.I | re.M)
_MATRIX = re.compile(r"\bMATRIX\s+DATA\b[^.]{0,2000}?\bVARIABLES\s*=\s*([^/.]{1,2000})", re.I)
_BEGIN = re.compile(r"\bBEGIN\s+DATA\b[ \t.]*\n", re.I)
_END = re.compile(r"\n[ \t]*END\s+DATA\b", re.I)
_DATA_LIST = re.compile(r"\bDATA\s+LIST\b", re.I)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _label(groups) -> str:
    return next(g for g in groups if g is not None)


def _blocks(text: str):
    """(start, end, spec before) of each BEGIN DATA … END DATA block."""
    at = 0
    while (b := _BEGIN.search(text, at)) is not None:
        e = _END.search(text, b.end() - 1)
        if e is None:
            return
        yield b.end(), e.start(), text[max(at, b.start() - 2000):b.start()]
        at = e.end()


def _matrix_counts(text: str, start: int, end: int, spec: str) -> TableUnit | None:
    m = None
    for m in _MATRIX.finditer(spec):
        pass
    if m is None:
        return None
    names = [w for w in re.split(r"[\s,]+", m.group(1)) if w and w.upper() not in ("ROWTYPE_", "VARNAME_")]
    for ln in text[start:end].splitlines():
        f = ln.split()
        if f and f[0].upper() == "N" and len(f) - 1 == len(names):
            return TableUnit(rows=[["variable", "n"]] + [[n, v] for n, v in zip(names, f[1:])],
                             place={"line": _line(text, start), "part": "matrix data"}, caption="matrix data")
    return None


def spss_commands(text: str) -> list:
    units: list = []
    for m in _RECODE.finditer(text):
        pairs = [(_label(p[:3]), p[3]) for p in _PAIR.findall(m.group(1))]
        if (unit := _unit(text, m.start(), m.group(2), pairs, "recode into")):
            units.append(unit)
    cells: dict[str, list] = {}
    for m in _IF.finditer(text):
        cells.setdefault(m.group(4), []).append((m.start(), _label(m.groups()[:3]), m.group(5)))
    for target, found in cells.items():
        if (unit := _unit(text, found[0][0], target, [(k, v) for _, k, v in found], "if")):
            units.append(unit)
    for m in _COMPUTE.finditer(text):
        if _is_count_name(m.group(1)) and float(m.group(2)):
            units.append(TextUnit(f"{m.group(1)} (n): {m.group(2)}",
                                  {"line": _line(text, m.start()), "part": "literal", "labelled": True}))
    for start, end, spec in _blocks(text):
        if (unit := _matrix_counts(text, start, end, spec)) is not None:
            units.append(unit)
        elif not _DATA_LIST.search(spec) and text[start:end].strip():
            # data no DATA LIST shapes (INPUT PROGRAM, MATRIX DATA's other rows): its words
            units.append(TextUnit(text[start:end], {"line": _line(text, start), "part": "begin data"},
                                  file_lines=True))
    return units
