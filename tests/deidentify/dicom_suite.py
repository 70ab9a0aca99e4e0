"""What the unseen-DICOM rounds 4 to 7 share: loading a generator's members, the leak check
each member goes through (the real entry, then the round-3 search in every encoding), the class
counts that keep a generator as wide as it was written, and reading a cleaned object back."""
from __future__ import annotations

import io
import warnings

import pydicom
from pydicom.dataset import Dataset

from tests.deidentify.dicom_round3_files import to_bytes
from tests.deidentify.test_dicom_unseen_round3 import _run, leaks


def load_members(files) -> list:
    """``files.all_members()`` with pydicom's warnings on the planted values silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return files.all_members()


def member_ids(members) -> list[str]:
    return [f"{m.cls}:{m.name}" for m in members]


def assert_nothing_leaves(member) -> None:
    out = _run(member.data)
    assert not leaks(out, member.secrets), f"{member.cls}:{member.name} left {leaks(out, member.secrets)}"


def assert_classes(members, total: int, wide: dict[int, set[str]]) -> None:
    """At least ``total`` members, and for each ``n`` in ``wide`` those classes with ≥ n members
    (a member list cut short passes vacuously)."""
    counts: dict[str, int] = {}
    for m in members:
        counts[m.cls] = counts.get(m.cls, 0) + 1
    assert len(members) >= total, len(members)
    for n, classes in wide.items():
        assert {c for c, k in counts.items() if k >= n} >= classes, (n, classes - {c for c, k in counts.items() if k >= n})


def cleaned(ds: Dataset) -> Dataset:
    return pydicom.dcmread(io.BytesIO(_run(to_bytes(ds))))


def value(read: Dataset, kw: str):
    """The value a generator's ``_pair`` planted, read back (None when removed)."""
    if kw == "CodeMeaning":
        return read.AnatomicRegionSequence[0].CodeMeaning if "AnatomicRegionSequence" in read else None
    if kw == "SegmentLabel":
        return read.SegmentSequence[0].get("SegmentLabel") if "SegmentSequence" in read else None
    return read.get(kw)
