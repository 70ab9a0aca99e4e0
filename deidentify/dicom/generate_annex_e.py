"""Generate ``deidentify/dicom/annex_e_table.json`` from the PS3.15 Annex E table (Table E.1-1).

    python -m deidentify.dicom.generate_annex_e            # rewrite the committed table
    python -m deidentify.dicom.generate_annex_e --check    # exit 1 if the committed table differs

Source: the ``dicom-anonymizer`` package (PyPI, maintained) ships Table E.1-1 of the standard,
scraped from the published PS3.15 HTML, one Python list per basic-profile action
(``dicomanonymizer/dicom_anonymization_databases/dicomfields_<edition>.py``).  This script
reads that file's *text* (the attribute names are only in its comments), checks every tag
against pydicom's data dictionary (names must agree where pydicom knows the tag), and writes
tag → (action, name, keyword) for every attribute.  The table is committed so that runtime
code does not depend on the package; the test suite regenerates it and compares.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import re
import sys
from pathlib import Path

EDITION = "dicomfields_2026c"
TARGET = Path(__file__).with_name("annex_e_table.json")
# The package's list names → the action codes of Table E.1-1.
_LISTS = {"D_TAGS": "D", "Z_TAGS": "Z", "X_TAGS": "X", "U_TAGS": "U", "Z_D_TAGS": "Z/D", "X_Z_TAGS": "X/Z",
          "X_D_TAGS": "X/D", "X_Z_D_TAGS": "X/Z/D", "X_Z_U_STAR_TAGS": "X/Z/U*"}
_LIST_START = re.compile(r"^([A-Z_]+)\s*=\s*\[")
_ENTRY = re.compile(r"^\s*\((0x[0-9A-Fa-f]{4}),\s*(0x[0-9A-Fa-f]{4})(?:,\s*(0x[0-9A-Fa-f]{4}),\s*(0x[0-9A-Fa-f]{4}))?\),"
                    r"\s*#\s*(.+?)\s*$")


def _source_file() -> tuple[Path, str]:
    spec = importlib.util.find_spec(f"dicomanonymizer.dicom_anonymization_databases.{EDITION}")
    if spec is None or spec.origin is None:
        raise SystemExit("generate_annex_e: the 'dicom-anonymizer' package is not installed "
                         "(pip install -e '.[test]')")
    return Path(spec.origin), importlib.metadata.version("dicom-anonymizer")


def parse(text: str) -> list[tuple[int, int, str, str]]:
    """(tag, mask, action, name) per entry; mask 0xFFFFFFFF for a single tag, else the
    repeating-group mask of the entry (curves 50xx, overlays 60xx)."""
    out, current, seen = [], None, set()
    for line_no, line in enumerate(text.splitlines(), 1):
        start = _LIST_START.match(line)
        if start:
            current = _LISTS.get(start.group(1))
            continue
        if line.startswith("]"):
            current = None
            continue
        m = _ENTRY.match(line)
        if not m:
            continue
        if current is None:
            raise ValueError(f"line {line_no}: tag outside a known action list: {line.strip()!r}")
        g, e, gm, em, name = m.groups()
        tag = (int(g, 16) << 16) | int(e, 16)
        mask = ((int(gm, 16) << 16) | int(em, 16)) if gm else 0xFFFFFFFF
        if (tag, mask) in seen:
            raise ValueError(f"line {line_no}: tag {tag:08X} listed under two actions")
        seen.add((tag, mask))
        out.append((tag, mask, current, name))
    return sorted(out)


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def render(entries, source_note: str) -> str:
    """The table as JSON, one attribute a line (readable diffs); data, not code: loaded by
    ``deidentify.dicom.annex_e_table``."""
    from pydicom.datadict import dictionary_description, dictionary_has_tag, keyword_for_tag

    rows = []
    for tag, mask, action, name in entries:
        keyword = ""
        if mask == 0xFFFFFFFF and dictionary_has_tag(tag):
            keyword = keyword_for_tag(tag)
            known = dictionary_description(tag)
            if _normal(known) != _normal(name) and not (_normal(name) in _normal(known) or _normal(known) in _normal(name)):
                # renamed between editions: keep the standard's name, note pydicom's
                name = f"{name} (pydicom: {known})"
        rows.append(json.dumps([f"0x{tag:08X}", f"0x{mask:08X}", action, name, keyword], ensure_ascii=False))
    head = {"generated_by": "python -m deidentify.dicom.generate_annex_e (do not edit)",
            "source": source_note,
            "columns": ["tag", "mask", "action", "name", "keyword"],
            "note": "a tag matches when tag_of_element & mask == tag; keyword '' where pydicom's "
                    "dictionary does not know the attribute yet"}
    lines = ["{"] + [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    lines.append('"entries": [')
    lines += [r + ("," if i < len(rows) - 1 else "") for i, r in enumerate(rows)]
    lines += ["]", "}"]
    return "\n".join(lines) + "\n"


def generate() -> str:
    path, version = _source_file()
    entries = parse(path.read_text("utf-8"))
    if len(entries) < 500:
        raise ValueError(f"{path}: only {len(entries)} attributes parsed; the source format changed?")
    note = (f"DICOM PS3.15 {EDITION.removeprefix('dicomfields_')} Table E.1-1 as shipped by dicom-anonymizer "
            f"{version} (dicomanonymizer/dicom_anonymization_databases/{EDITION}.py)")
    return render(entries, note)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed table, write nothing")
    args = ap.parse_args(argv)
    text = generate()
    if args.check:
        same = TARGET.exists() and TARGET.read_text("utf-8") == text
        print(f"{TARGET.name} is up to date" if same else f"{TARGET.name} differs from the source")
        return 0 if same else 1
    TARGET.write_text(text, "utf-8")
    print(f"wrote {TARGET} ({len(json.loads(text)['entries'])} attributes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
