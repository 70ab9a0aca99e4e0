"""Checks on the raw elements of a DICOM file as read, before pydicom converts them (D1):
sequences nested too deep, values cut short, and (round 6) values written under a VR their tag
does not have.

pydicom reads an explicit-VR element under the VR written in the file, and an element written
as UN under the dictionary's VR: once read, a model name written as UN, a code meaning as UN or a
series number as LO looks like any other value, and the sweep judged it as what it claimed.  A
value whose written VR is not its tag's, where either is text or a person name, is not what it
says it is: it is removed, not judged.  Sequences, binary and number values written as UN (older
toolkits write tags they do not know that way) are read as before.
"""
from __future__ import annotations

from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

# VRs that can carry words; a value written as AS, DA, CS … is held to that VR's form by the sweep
_FREE_VRS = {"UN", "PN", "LO", "SH", "LT", "ST", "UT", "UC", "UR", "AE"}
_TEXT_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UR", "UT"}


def mistyped(ds: Dataset, max_depth: int, _depth: int = 0) -> set[tuple[int, int]]:
    """(id(item), tag) of the public elements whose explicit VR, as written, is not the
    dictionary's where either is text or a person name (a name as UN in Manufacturer, text as
    LO in a number).  Read from the raw elements: once converted, pydicom shows the
    dictionary's VR for UN and the mismatch is gone."""
    from pydicom.datadict import dictionary_VR, dictionary_has_tag

    out: set[tuple[int, int]] = set()
    if _depth > max_depth:
        return out
    for tag, elem in list(ds._dict.items()):
        raw_vr = elem.VR if isinstance(elem, RawDataElement) else None
        if raw_vr and not tag.is_private and dictionary_has_tag(tag):
            allowed = {v.strip() for v in dictionary_VR(tag).split(" or ")}
            if raw_vr not in allowed and raw_vr in _FREE_VRS and (allowed & _TEXT_VRS or raw_vr == "PN") \
                    and "SQ" not in allowed:
                out.add((id(ds), int(tag)))
        if (raw_vr == "SQ" or (raw_vr is None and getattr(elem, "VR", None) == "SQ")
                or (not tag.is_private and dictionary_has_tag(tag) and dictionary_VR(tag) == "SQ")):
            try:
                items = ds[tag].value or []
            except Exception:  # noqa: BLE001 - an item that cannot be read is the writer's to refuse
                continue
            for item in items if isinstance(items, Sequence) else []:
                out |= mistyped(item, max_depth, _depth + 1)
    return out



MAX_DEPTH = 64   # SR trees of real reports stay well under this; every pass here recurses


def check_depth(ds: Dataset) -> None:
    """Refuse sequences nested past ``MAX_DEPTH`` (walked without recursion): the cleaning and
    the writer recurse per level and would fail half-way."""
    stack = [(ds, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"DICOM file nests sequences deeper than {MAX_DEPTH} items")
        stack += [(sub, depth + 1) for elem in item if elem.VR == "SQ" for sub in elem.value or []]


def check_complete(ds: Dataset) -> None:
    """pydicom reads a value whose length runs past the end of the file as the bytes that are
    there, without a word: a truncated file would be cleaned and released as if whole.  Every
    value read must be as long as its header says (what is short was cut off: refused)."""
    for elem in ds._dict.values():   # raw elements, before pydicom converts them
        if isinstance(elem, RawDataElement):
            if elem.length != 0xFFFFFFFF and isinstance(elem.value, bytes) and len(elem.value) < elem.length:
                raise ValueError(f"DICOM file truncated: element {elem.tag} holds {len(elem.value)} "
                                 f"of its {elem.length} bytes")
        elif elem.VR == "SQ":
            for item in elem.value or []:
                check_complete(item)


__all__ = ["check_complete", "check_depth", "mistyped"]
