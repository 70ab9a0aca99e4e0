"""Round 9 of unseen DICOM files (D1): the gaps round 8 left, each as a class with many members.

- **word-names**: a given name and a frequent surname that are both English words ("Rose Young",
  "Hope Young", "Grace White", "Joy Price") alone in a label, in five spellings;
- **short-name**: a name of three letters alone as a label or a label-like code string ("Ayo",
  "Amy", "Kim", "Ong"; the two-letter ones, Li and Ng, are too short for the byte search and are
  read back by the test file instead);
- **beside-words**: a name no list holds, or a romanised Asian surname, beside ordinary words and
  no word that introduces a person ("Wanjiru follow up", "review Tsai", "Delayed Nguyen");
- **poj-bare**: a Hokkien given name in POJ without tone marks alone ("Bi-le", "Siu-lan"), in
  labels, a code string and SR text;
- **sr-text**: the same as an SR TEXT value, alone or introduced ("Seen by Rose Young.");
- **adjacent**: the same values where the outside tester goes next: RT structure set ROI names
  and observation labels, waveform annotations, per-frame functional groups of a multi-frame
  object, DICOMDIR records, items nested four deep, an icon image's pixel bytes, and private groups
  of the well-known vendors.

Seeded (``random.Random(9)``) so the members are the same on every run.  Each member is
``Member(cls, name, data, secrets)``: nothing in ``secrets`` may be anywhere in the cleaned file."""
from __future__ import annotations

import random

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.deidentify.dicom_round3_files import Member, _code, base, to_bytes
from tests.deidentify.dicom_round8_files import LABEL_PLACES, LONE, _place

# given names that are English words, and frequent census surnames that are English words too
GIVEN_WORDS = ["Rose", "Hope", "Faith", "Grace", "Joy", "June", "Will", "Bill", "Mark", "Dawn", "Ivy", "Pearl", "Ruby",
               "Summer", "Amber", "Jack", "Holly", "Crystal", "Destiny", "Victoria"]
SURNAME_WORDS = ["Young", "Long", "White", "Brown", "Green", "King", "Hall", "Wood", "Stone", "Price", "Black",
                 "Gray", "Hill", "Bell", "Cook", "West", "Rose", "Wells", "Little", "Love", "Fox", "Lane", "Page"]
FORMS = ["{g} {f}", "{G} {F}", "{f}, {g}", "{F}^{G}", "{g} J. {f}"]

SHORT3 = ["Ayo", "Obi", "Eze", "Amy", "Bob", "Ann", "Kim", "Lee", "Lim", "Ong", "Goh", "Yap", "Kuo", "Hsu", "Liu",
          "Ted", "Jim", "Dan", "Ada", "Ken"]
SHORT2 = ["Li", "Ng", "Wu", "Ho", "Yu", "Xu", "Lu", "Ma", "Ko", "Su"]
ASIAN = ["Tsai", "Chen", "Nguyen", "Hsieh", "Huang", "Chiang", "Wang", "Zhang", "Kuo", "Hsu", "Liu"]
BESIDE = ["{n} follow up", "review {n}", "{n} phase 2", "arterial {n}", "{n} key images", "see {n}", "{n} ok",
          "copy {n} series", "Delayed {n}", "{n} thin slab", "final - {n}", "{n}/draft", "please check {n}",
          "{n} again", "post contrast {n}"]
POJ_BARE = ["Bi-le", "Siu-lan", "Bun-hiong", "Kok-hui", "Su-beng", "Hok-tik", "Giok-lan", "Chun-hoa", "Bi-hoa",
            "Siok-hun", "Kim-hoa", "Bi-giok", "Chun-bi", "Hui-lan", "Siok-bi", "Kok-beng"]
CASES = [str, str.upper, str.lower]


def word_name_members(rng: random.Random) -> list[Member]:
    out = []
    pairs = [(g, f) for g in GIVEN_WORDS for f in SURNAME_WORDS if g != f]
    for k, (g, f) in enumerate(rng.sample(pairs, 60)):
        form = FORMS[k % len(FORMS)]
        value = form.format(g=g, f=f, G=g.upper(), F=f.upper())
        where = LABEL_PLACES[k % len(LABEL_PLACES)]
        ds = base()
        _place(ds, where, value)
        out.append(Member("word-names", f"{where}:{value}", to_bytes(ds), (f,)))
    return out


def short_name_members() -> list[Member]:
    out = []
    places = LABEL_PLACES + ["ContentLabel", "BodyPartExamined"]
    for i, word in enumerate(SHORT3):
        for j, where in enumerate(places):
            if (i + j) % 2:
                continue
            value = word.upper() if where in ("ContentLabel", "BodyPartExamined") else CASES[(i + j) % 2](word)
            ds = base()
            _place(ds, where, value)
            out.append(Member("short-name", f"{where}:{value}", to_bytes(ds), (word,)))
    return out


def beside_members(rng: random.Random) -> list[Member]:
    out = []
    names = LONE + ASIAN
    for i, form in enumerate(BESIDE):
        for j, where in enumerate(LABEL_PLACES):
            name = rng.choice(names)
            value = form.format(n=name)
            ds = base()
            _place(ds, where, value)
            out.append(Member("beside-words", f"{where}:{value}", to_bytes(ds), (name,)))
    return out


def _sr(text: str) -> Dataset:
    ds = base()
    item = Dataset()
    item.RelationshipType, item.ValueType, item.TextValue = "CONTAINS", "TEXT", text
    item.ConceptNameCodeSequence = Sequence([_code("121106", "Comment", "DCM")])
    ds.ContentSequence = Sequence([item])
    return ds


def poj_bare_members() -> list[Member]:
    out = []
    places = LABEL_PLACES + ["ContentLabel", "SRText"]
    for i, name in enumerate(POJ_BARE):
        for j, where in enumerate(places):
            if (i + j) % 2:
                continue
            value = name.upper() if where == "ContentLabel" else CASES[(i + j) % 3](name)
            if where == "SRText":
                ds = _sr(value)
            else:
                ds = base()
                _place(ds, where, value)
            out.append(Member("poj-bare", f"{where}:{value}", to_bytes(ds), (name,)))
    return out


SR_FORMS = ["{v}", "{v}.", "Seen by {v}.", "Discussed with {v} today", "Copy to {v}"]


def sr_members(rng: random.Random) -> list[Member]:
    """The classes above as an SR TEXT value, alone or introduced in a sentence."""
    out = []
    pairs = [(g, f) for g in GIVEN_WORDS for f in SURNAME_WORDS if g != f]
    for k in range(40):
        g, f = rng.choice(pairs)
        lone, asian, short = rng.choice(LONE), rng.choice(ASIAN), rng.choice(SHORT3)
        value, secret = [(f"{g} {f}", f), (f"{lone} follow up", lone), (f"review {asian}", asian), (short, short),
                         (f"{g.upper()} {f.upper()}", f)][k % 5]
        form = SR_FORMS[(k // 5) % len(SR_FORMS)]
        if form != "{v}" and " " in value and value.split()[0].islower():
            form = "{v}"   # a lower-case phrase is no person to introduce
        text = form.format(v=value)
        out.append(Member("sr-text", text, to_bytes(_sr(text)), (secret,)))
    return out


def _values(rng: random.Random) -> list[tuple[str, tuple[str, ...]]]:
    """One member of each class above, for the adjacent places."""
    g, f = rng.choice(GIVEN_WORDS), rng.choice(SURNAME_WORDS)
    lone, asian = rng.choice(LONE), rng.choice(ASIAN)
    return [(f"{g} {f}", (f,)), (rng.choice(SHORT3), ()), (f"{lone} follow up", (lone,)),
            (f"review {asian}", (asian,)), (rng.choice(POJ_BARE), ())]


def _adjacent(where: str, value: str) -> Dataset:
    ds = base()
    if where in ("ROIName", "ROIDescription", "ROIObservationLabel"):
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.3"
        ds.Modality = "RTSTRUCT"
        roi = Dataset()
        roi.ROINumber, roi.ReferencedFrameOfReferenceUID = 1, "1.2.826.0.1.3680043.8.498.1.3"
        obs = Dataset()
        obs.ObservationNumber, obs.ReferencedROINumber, obs.RTROIInterpretedType = 1, 1, "ORGAN"
        if where == "ROIObservationLabel":
            roi.ROIName = "Liver"
            obs.ROIObservationLabel = value
        else:
            setattr(roi, where, value)
        ds.StructureSetROISequence = Sequence([roi])
        ds.RTROIObservationsSequence = Sequence([obs])
    elif where == "WaveformAnnotation":
        note = Dataset()
        note.UnformattedTextValue = value
        note.ReferencedWaveformChannels = [1, 1]
        ds.WaveformAnnotationSequence = Sequence([note])
    elif where == "PerFrameFrameLabel":
        frames = []
        for n in range(3):
            content = Dataset()
            content.FrameLabel = value if n == 1 else f"Frame {n}"
            group = Dataset()
            group.FrameContentSequence = Sequence([content])
            frames.append(group)
        ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
    elif where == "DicomdirRecord":
        ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
        rec = Dataset()
        rec.DirectoryRecordType = "SERIES"
        rec.SeriesDescription = value
        rec.Modality = "SEG"
        seg = Dataset()
        seg.SegmentNumber, seg.SegmentLabel, seg.SegmentAlgorithmType = 1, value, "MANUAL"
        rec.SegmentSequence = Sequence([seg])
        ds.DirectoryRecordSequence = Sequence([rec])
    elif where == "IconImage":   # the name's letters as an icon's pixel bytes, and its label
        icon = Dataset()
        icon.Rows, icon.Columns, icon.SamplesPerPixel, icon.BitsAllocated, icon.BitsStored = 8, 8, 1, 8, 8
        icon.HighBit, icon.PixelRepresentation, icon.PhotometricInterpretation = 7, 0, "MONOCHROME2"
        icon.PixelData = value.encode("utf-8").ljust(64, b"\0")[:64]
        ds.IconImageSequence = Sequence([icon])
        ds.ContentLabel = "ICON"
    elif where == "Nested4":
        inner = Dataset()
        inner.CodeValue, inner.CodingSchemeDesignator, inner.CodeMeaning = "99", "99LOCAL", value
        for kw in ("AnatomicRegionSequence", "SourceImageSequence", "ReferencedSeriesSequence"):
            outer = Dataset()
            setattr(outer, kw, Sequence([inner]))
            inner = outer
        ds.ReferencedImageSequence = Sequence([inner])
    else:   # a vendor's private group: (creator, group)
        creator, group = {"SiemensCSA": ("SIEMENS CSA HEADER", 0x0029), "GEPrivate": ("GEMS_IDEN_01", 0x0009),
                          "PhilipsPrivate": ("Philips Imaging DD 001", 0x2001)}[where]
        block = ds.private_block(group, creator, create=True)
        block.add_new(0x10, "LO", value)
        block.add_new(0x20, "OB", ("SV10\x04\x03\x02\x01" + value).encode().ljust(32, b"\0"))
    return ds


ADJACENT = ["ROIName", "ROIDescription", "ROIObservationLabel", "WaveformAnnotation", "PerFrameFrameLabel",
            "DicomdirRecord", "Nested4", "IconImage", "SiemensCSA", "GEPrivate", "PhilipsPrivate"]


def adjacent_members(rng: random.Random) -> list[Member]:
    out = []
    for where in ADJACENT:
        for value, secrets in _values(rng):
            secrets = secrets or (value,)
            out.append(Member("adjacent", f"{where}:{value}", to_bytes(_adjacent(where, value)), secrets))
    return out


def all_members() -> list[Member]:
    rng = random.Random(9)
    return (word_name_members(rng) + short_name_members() + beside_members(rng) + poj_bare_members()
            + adjacent_members(rng) + sr_members(rng))


__all__ = ["ADJACENT", "ASIAN", "BESIDE", "FORMS", "GIVEN_WORDS", "POJ_BARE", "SHORT2", "SHORT3", "SURNAME_WORDS",
           "all_members"]
