"""Round 7 of unseen DICOM files (D1): the gaps round 6 left, each as a class with many members.

- names on no list (invented or rare surnames and given names) in kept values, by shape: "Given
  Surname" in any case, "Surname, Given", "Surname X.", "X. Surname", a caret, and in SR TEXT
  items whose concept is a person's role (the value alone, even one word);
- a second value of a multi-valued (or single-valued) kept element hiding a name;
- the file's own people whose given names are ordinary words (Grace, Joy, Hope, Rose, Will, Mark,
  Faith, Iris, Harmony …) in kept values;
- a person named in Latin letters whose given name a label writes in characters (CHEN^DA-MING,
  大明) and one named in characters whose given name a label romanises (陳大明, "Ta-Ming");
- the attacker's own members: encapsulated PDF and CDA documents, icon images, overlay planes,
  SR text nested deep, waveform channel labels, UIDs with a birth date or a chart number in them,
  vendors' private blocks (GEMS_IDEN_01, Philips Imaging DD 001, SIEMENS CSA HEADER).

Colour pixels in a grey modality are pixel members (``colour_members``), not leak members: with
OCR off they are held, which is what they test.  Deterministic, built with pydicom and numpy.
Each member is ``Member(cls, name, data, secrets)``: nothing in ``secrets`` may be anywhere in
the cleaned file."""
from __future__ import annotations

import zlib

import numpy as np
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.deidentify.dicom_round3_files import Member, _code, base, to_bytes
from tests.deidentify.dicom_round5_files import _pair

# Names no list here holds: (given, surname).
UNLISTED = [("Xochitl", "Bzdok"), ("Zbigniew", "Qwertzki"), ("Tshilidzi", "Mbeki"), ("Adaeze", "Okonkwo"),
            ("Oluwaseun", "Adebayo"), ("Siosaia", "Taufahema"), ("Bolormaa", "Tserendorj"),
            ("Nkechinyere", "Uzoigwe"), ("Teodolinda", "Prskalo"), ("Wirihana", "Ngatai")]
SHAPES = ["{G} {S}", "{S} {G}", "{G_} {S_}", "{g} {s}", "{S}, {G}", "{S} {I}.", "{I}. {S}", "{S}^{G}", "{S_}^{G_}"]
PLACES = ["SegmentLabel", "CodeMeaning", "ContentDescription", "GraphicLayerDescription", "SoftwareVersions",
          "ConvolutionKernel", "Manufacturer", "ManufacturerModelName", "SequenceName", "ReceiveCoilName"]


def _shape(shape: str, given: str, surname: str) -> str:
    return shape.format(G=given, S=surname, G_=given.upper(), S_=surname.upper(), g=given.lower(),
                        s=surname.lower(), I=given[0])


def _secrets(value: str, given: str, surname: str) -> tuple[str, ...]:
    return tuple(w for w in (given, surname) if w.lower() in value.lower())


def unlisted_members() -> list[Member]:
    out = []
    for i, (given, surname) in enumerate(UNLISTED):
        for j, shape in enumerate(SHAPES):
            for k, where in enumerate(PLACES):
                if (i + j + k) % 2:
                    continue    # every shape in half the places, rotating
                value = _shape(shape, given, surname)
                ds = base()
                _pair(ds, where, value)
                out.append(Member("unlisted", f"{where}:{value}", to_bytes(ds), _secrets(value, given, surname)))
    return out


def _sr(text: str, meaning: str, depth: int = 1) -> Dataset:
    ds = base()
    item = Dataset()
    item.RelationshipType, item.ValueType, item.TextValue = "CONTAINS", "TEXT", text
    item.ConceptNameCodeSequence = Sequence([_code("99", meaning, "99LOCAL")])
    for _ in range(depth - 1):
        outer = Dataset()
        outer.RelationshipType, outer.ValueType = "CONTAINS", "CONTAINER"
        outer.ConceptNameCodeSequence = Sequence([_code("98", "Section", "99LOCAL")])
        outer.ContentSequence = Sequence([item])
        item = outer
    ds.ContentSequence = Sequence([item])
    return ds


PERSON_CONCEPTS = ["Person Observer Name", "Recording Observer", "Verifying Observer Name", "Operator", "Reviewer",
                   "Reading Physician", "Technologist", "Author", "Performing Physician", "Signed by",
                   "Sonographer", "Referring Physician"]
PERSON_FORMS = ["{G} {S}", "{S_}", "{S}", "{s}, {g}", "{S_}^{G_}"]


def person_item_members() -> list[Member]:
    """SR TEXT items whose concept is a person's role: the value is the person, even one word."""
    out = []
    for i, concept in enumerate(PERSON_CONCEPTS):
        for j, (given, surname) in enumerate(UNLISTED):
            form = PERSON_FORMS[(i + j) % len(PERSON_FORMS)]
            value = _shape(form, given, surname)
            out.append(Member("person-item", f"{concept}:{value}", to_bytes(_sr(value, concept, 1 + (i + j) % 7)),
                              _secrets(value, given, surname)))
    # a whole SR TEXT value that is a name's shape under an ordinary concept, nested 1 to 8 deep
    for j, (given, surname) in enumerate(UNLISTED):
        for k, shape in enumerate(["{G} {S}", "{S}, {G}", "{I}. {S}", "{S}"]):
            value = _shape(shape, given, surname)
            out.append(Member("person-item", f"Finding:{value}", to_bytes(_sr(value, "Finding", 1 + (j + k) % 8)),
                              _secrets(value, given, surname)))
    return out


MULTI_PLACES = ["SoftwareVersions", "ConvolutionKernel", "Manufacturer", "ManufacturerModelName", "SegmentLabel",
                "CodeMeaning", "ContentDescription", "SequenceName"]
MULTI_FIRSTS = ["SIEMENS", "VA20", "B30f", "Ingenia", "Liver", "syngo CT 2012"]
MULTI_FORMS = ["{G} {S}", "{S}", "{S}, {G}", "{S_}", "{I}. {S}"]


def multi_members() -> list[Member]:
    """A name as the second (or third) value of a kept element, whatever the element's VM."""
    out = []
    for i, where in enumerate(MULTI_PLACES):
        for j, (given, surname) in enumerate(UNLISTED):
            form = MULTI_FORMS[(i + j) % len(MULTI_FORMS)]
            name = _shape(form, given, surname)
            first = MULTI_FIRSTS[(i + j) % len(MULTI_FIRSTS)]
            value = f"{first}\\{name}" if j % 3 else f"{first}\\{first}\\{name}"
            ds = base()
            _pair(ds, where, value)
            out.append(Member("multi", f"{where}:{value}", to_bytes(ds), _secrets(name, given, surname)))
    return out


# The file's own people whose given names are words (and device or code words).
WORD_GIVEN = [("OperatorsName", "HOLMES^GRACE"), ("PatientName", "SMITH^JOY"), ("ReferringPhysicianName", "BAKER^HOPE"),
              ("PerformingPhysicianName", "TAYLOR^ROSE"), ("OperatorsName", "JONES^WILL"),
              ("PatientName", "EVANS^MARK"), ("OperatorsName", "PRICE^FAITH"), ("PatientName", "KENT^IRIS"),
              ("OperatorsName", "COLE^HARMONY"), ("PatientName", "REED^VICTORIA"), ("OperatorsName", "WEST^DAWN"),
              ("PatientName", "FOX^AMBER"), ("NameOfPhysiciansReadingStudy", "HART^RUBY"),
              ("OperatorsName", "LANE^MAY"), ("PatientName", "STONE^SUMMER"), ("OperatorsName", "BELL^JUNE")]
WORD_PLACES = ["SegmentLabel", "CodeMeaning", "ContentDescription", "SoftwareVersions", "ManufacturerModelName",
               "ConvolutionKernel", "GraphicLayerDescription"]
WORD_CONTEXTS = ["{}", "for {}", "{} 2", "by {}", "{} (op)", "{}"]


def word_given_members() -> list[Member]:
    out = []
    for i, (attr, pn) in enumerate(WORD_GIVEN):
        given = pn.split("^")[1].title()
        for j, where in enumerate(WORD_PLACES):
            value = WORD_CONTEXTS[(i + j) % len(WORD_CONTEXTS)].format(given)
            ds = base()
            setattr(ds, attr, pn)
            _pair(ds, where, value)
            out.append(Member("word-given", f"{attr}={pn}>{where}:{value}", to_bytes(ds), (given,)))
    return out


# (PN in Latin letters, the given name in characters) and (PN in characters, romanised forms)
HAN_REVERSE = [("CHEN^DA-MING", "大明"), ("LIN^CHIH-HAO", "志豪"), ("WANG^MEI-LING", "美玲"), ("HUANG^YA-TING", "雅婷"),
               ("TSAI^CHIA-HUI", "佳慧"), ("KUO^TSUNG-HAN", "宗翰"), ("LEE^SHU-FEN", "淑芬"), ("HSU^CHUN-CHIEH", "俊傑"),
               ("CHANG^YU-HSUAN", "宇軒"), ("WU^HSIN-YI", "欣怡")]
HAN_CONTEXTS = ["{}", "{}的影像", "CT {}", "給{}", "{}醫師"]
HAN_PLACES = ["SegmentLabel", "ContentDescription", "CodeMeaning", "GraphicLayerDescription"]
HAN_FORWARD = [("陳^大明", ["Chen Da Ming", "Chen Ta-Ming", "Tan Tua-Bing", "D.M. Chen", "Da-Ming", "Ta-Ming", "Daming"]),
               ("林志豪", ["Lin Chih-Hao", "Chih-Hao", "Zhihao", "C.H. Lin", "Lim Chi-Ho"]),
               ("=王^美玲", ["Wang Mei-Ling", "Mei-Ling", "Meiling", "Ong Bi-Leng"]),
               ("黃雅婷", ["Huang Ya-Ting", "Ya-Ting", "Yating", "Y.T. Huang", "Ng Ya Ting"])]


def han_members() -> list[Member]:
    out = []
    for i, (pn, chars) in enumerate(HAN_REVERSE):
        for j, where in enumerate(HAN_PLACES):
            value = HAN_CONTEXTS[(i + j) % len(HAN_CONTEXTS)].format(chars)
            ds = base()
            ds.PatientName = pn
            _pair(ds, where, value)
            out.append(Member("han-given", f"{pn}>{where}:{value}", to_bytes(ds), (chars,)))
    for pn, forms in HAN_FORWARD:
        for k, form in enumerate(forms):
            for where in ("SegmentLabel", "SoftwareVersions", "ContentDescription")[k % 2:]:
                ds = base()
                ds.PatientName = pn
                _pair(ds, where, form)
                secrets = tuple(w for w in form.replace(".", " ").split() if len(w) >= 3 and not w.isupper())
                out.append(Member("han-given", f"{pn}>{where}:{form}", to_bytes(ds), secrets or (form,)))
    return out


THIRD = ("Adaeze", "Okonkwo")


def attacker_members() -> list[Member]:
    """The hiding places the brief names, each several ways."""
    out = []
    secrets = THIRD
    name = "Adaeze Okonkwo"
    pdfs = [b"%PDF-1.4\n1 0 obj<</Author (" + name.encode() + b")>>endobj\n%%EOF",
            b"%PDF-1.4\n1 0 obj<</Filter/FlateDecode/Length 40>>stream\n"
            + zlib.compress(f"BT (Patient {name}) Tj ET".encode()) + b"\nendstream\n%%EOF",
            b"%PDF-1.4\n<</Title <FEFF" + name.encode("utf-16-be").hex().upper().encode() + b">>>\n%%EOF",
            b"<?xml version='1.0'?><ClinicalDocument><recordTarget><patient><name><given>Adaeze</given>"
            b"<family>Okonkwo</family></name></patient></recordTarget></ClinicalDocument>",
            b"%PDF-1.4\n<x:xmpmeta><dc:creator>" + name.encode() + b"</dc:creator></x:xmpmeta>\n%%EOF"]
    for k, body in enumerate(pdfs):
        for mime in ("application/pdf", "text/xml"):
            ds = base()
            ds.EncapsulatedDocument = body + (b"\0" if len(body) % 2 else b"")
            ds.MIMETypeOfEncapsulatedDocument = mime
            ds.DocumentTitle = "Report"
            out.append(Member("attacker", f"encapsulated-{k}-{mime}", to_bytes(ds), secrets))
    for k, depth in enumerate((2, 4, 6, 8, 10, 12)):
        for text in (f"Reviewed by {name}", f"{name}", f"Dr {THIRD[1]}: nodule 6 mm"):
            out.append(Member("attacker", f"sr-depth-{depth}:{text}", to_bytes(_sr(text, "Comment", depth)),
                              tuple(w for w in secrets if w in text)))
    for k, label in enumerate([name, f"Lead I {THIRD[0]}", f"{THIRD[1]}, {THIRD[0]}", f"II\\{name}"]):
        ds = base()
        wave, ch = Dataset(), Dataset()
        ch.ChannelLabel = label
        ch.ChannelSourceSequence = Sequence([_code("5.6.3-9-1", "Lead I", "SCPECG")])
        wave.ChannelDefinitionSequence = Sequence([ch])
        wave.WaveformBitsAllocated, wave.WaveformSampleInterpretation = 16, "SS"
        wave.NumberOfWaveformChannels, wave.NumberOfWaveformSamples = 1, 32
        wave.WaveformData = (np.arange(32, dtype=np.int16) * 40).tobytes()
        ds.WaveformSequence = Sequence([wave])
        out.append(Member("attacker", f"channel-label:{label}", to_bytes(ds), tuple(w for w in secrets if w in label)))
    uids = ["1.2.840.113619.2.19371122.0083321457", "1.3.6.1.4.1.9590.100.1.2.0083321457.19371122",
            "2.16.886.101.20003.0083321457", "1.2.840.10008.19371122.1"]
    for k, uid in enumerate(uids):
        for kw in ("SeriesInstanceUID", "FrameOfReferenceUID", "StorageMediaFileSetUID"):
            ds = base()
            setattr(ds, kw, uid)
            out.append(Member("attacker", f"uid-{kw}:{uid}", to_bytes(ds), ("0083321457", "19371122")
                              if "0083321457" in uid else ("19371122",)))
    privates = [(0x0009, "GEMS_IDEN_01", "SH"), (0x2001, "Philips Imaging DD 001", "LO"),
                (0x0029, "SIEMENS CSA HEADER", "OB"), (0x0019, "SIEMENS MR HEADER", "LO"),
                (0x0043, "GEMS_PARM_01", "LO"), (0x2005, "Philips MR Imaging DD 001", "LO")]
    for group, creator, vr in privates:
        for value in (name, f"{THIRD[1]}^{THIRD[0]}", "0083321457"):
            ds = base()
            ds.add_new((group << 16) | 0x0010, "LO", creator)
            raw = value.encode() + (b"\0" if len(value) % 2 else b"")
            ds.add_new((group << 16) | 0x1002, vr, raw if vr == "OB" else value)
            out.append(Member("attacker", f"private-{creator}:{value}", to_bytes(ds),
                              (value,) if value.isdigit() else secrets))
    for k, (where, vr) in enumerate([(0x60000022, "LO"), (0x60020045, "LO"), (0x60003000, "OW"), (0x601E3000, "OW")]):
        ds = base()
        ds.add_new(where, vr, (name + "\0\0").encode() if vr == "OW" else name)
        out.append(Member("attacker", f"overlay-{where:08X}", to_bytes(ds), secrets))
    for k in range(4):
        ds = base()
        icon = Dataset()
        icon.Rows = icon.Columns = 8
        icon.SamplesPerPixel, icon.PhotometricInterpretation = 1, "MONOCHROME2"
        icon.BitsAllocated = icon.BitsStored = 8
        icon.HighBit, icon.PixelRepresentation = 7, 0
        icon.PixelData = (name.encode() + b"\0\0").ljust(64, b"\0")
        if k % 2:
            icon.ImageComments = name
        ds.IconImageSequence = Sequence([icon])
        out.append(Member("attacker", f"icon-{k}", to_bytes(ds), secrets))
    return out


def all_members() -> list[Member]:
    return (unlisted_members() + person_item_members() + multi_members() + word_given_members() + han_members()
            + attacker_members())


# --- values a study needs (must stay) ----------------------------------------------------------

ORDINARY = {
    "Manufacturer": ["SIEMENS", "Philips", "Konica Minolta", "Planmeca", "Fukuda Denshi", "J. Morita",
                     "Samsung Medison", "Carestream Health", "FUJIFILM Corporation", "Ziehm Imaging"],
    "ManufacturerModelName": ["Ingenia", "Aquilion ONE", "SOMATOM Force", "Revolution Maxima", "LightSpeed VCT",
                              "Planmeca Viso", "Biograph mCT", "Signa Premier", "Optima MR450w", "Artis zee"],
    "SoftwareVersions": ["syngo CT VA48A", "VA20\\B30f", "syngo MR XA30\\NUMARIS/4", "Mark 2"],
    "ConvolutionKernel": ["B30f", "Br40d\\3", "STANDARD", "BONE"],
    "SegmentLabel": ["Liver", "Spinal Cord", "Left Parotid", "Grace period", "Rose Bengal", "Brainstem", "GTV"],
    "CodeMeaning": ["Hashimoto's thyroiditis", "Hodgkin Lymphoma", "Wilson disease", "Stein-Leventhal syndrome",
                    "Hope", "Will", "Mark", "Joy", "Grace"],
    "ContentDescription": ["Scout Topogram", "Hong Kong", "Long axis", "胸部", "左肺上葉", "大明"],
}


# --- colour pixels in a grey modality ----------------------------------------------------------

def _colour_image(modality: str, photometric: str, where: str) -> Dataset:
    """128×128: grey anatomy; colour text-like marks in a corner or down a side (``where``), a
    coloured middle (a fusion or dose map: "middle"), or none ("none")."""
    ds = base()
    ds.Modality = modality
    ds.Rows = ds.Columns = 128
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit, ds.PixelRepresentation = 7, 0
    grey = np.full((128, 128), 30, np.uint8)
    grey[30:100, 30:100] = 120
    marks = {"top-left": (slice(3, 11), slice(4, 44)), "bottom-right": (slice(116, 124), slice(80, 124)),
             "right-side": (slice(40, 90), slice(120, 126)), "middle": (slice(50, 80), slice(50, 80))}.get(where)
    if photometric == "RGB":
        rgb = np.stack([grey, grey, grey], axis=-1)
        if marks is not None:
            rgb[marks] = (255, 255, 0) if where != "middle" else (255, 60, 0)
        ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
        ds.PixelData = rgb.tobytes()
    else:   # a palette whose top two entries are colours
        idx = grey.copy()
        if marks is not None:
            idx[marks] = 255 if where != "middle" else 254
        luts = [(np.arange(256) * 257).astype(np.uint16) for _ in range(3)]
        if where != "none":
            luts[2][254:] = 0
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "PALETTE COLOR"
        for colour, lut in zip(("Red", "Green", "Blue"), luts):
            setattr(ds, f"{colour}PaletteColorLookupTableDescriptor", [256, 0, 16])
            setattr(ds, f"{colour}PaletteColorLookupTableData", lut.tobytes())
        ds.PixelData = idx.tobytes()
    return ds


COLOUR_MARKED = [(m, p, w) for m in ("CT", "MR", "CR", "DX", "MG", "XA") for p in ("RGB", "PALETTE")
                 for w in ("top-left", "bottom-right", "right-side")]
COLOUR_ORDINARY = [(m, p, w) for m in ("CT", "MR", "PT", "NM") for p in ("RGB", "PALETTE") for w in ("none", "middle")]
