"""Round 3 of unseen DICOM files (D1): a generator of attack files, built with pydicom (and raw
bytes where pydicom will not write the shape), deterministic.  Each member is
``Member(cls, name, data, secrets)``: ``data`` the Part 10 bytes, ``secrets`` the strings that
must not be anywhere in the cleaned file (or the file is refused with a clear reason).

The people and places are new to this round (round 1 and 2 used others): the patient
Chang Wei-Lun (張偉倫, チャン), third persons Huang Chih-Hao (黃志豪) and Tsai Ya-Ting (蔡雅婷),
a chart number, the patient's national ID, a hospital."""
from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

import numpy as np
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (CTImageStorage, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian,
                         ExplicitVRLittleEndian, ImplicitVRLittleEndian)

PATIENT = "Chang^Wei-Lun=張^偉倫=チャン^ウェイルン"
PID = "F126385474"            # a national ID of the right shape and check digit
CHART = "0083321457"          # a chart number
BIRTH = "19371122"           # over the policy's open age band (89+)
OTHER = "Huang Chih-Hao"
OTHER_ZH = "黃志豪"
THIRD = "Tsai Ya-Ting"
THIRD_ZH = "蔡雅婷"
HOSPITAL = "Changhua Christian Hospital"
SECRETS = [OTHER, OTHER_ZH, THIRD, THIRD_ZH, PID, CHART, HOSPITAL, "Wei-Lun", "偉倫", "ウェイルン"]


@dataclass
class Member:
    cls: str
    name: str
    data: bytes
    secrets: tuple[str, ...]


def base(syntax=ExplicitVRLittleEndian, charset: str | None = "ISO_IR 192") -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.1.1"
    ds.file_meta.TransferSyntaxUID = syntax
    if charset:
        ds.SpecificCharacterSet = charset
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.1.1"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.1.2"
    ds.PatientName = PATIENT if charset in ("ISO_IR 192",) else "Chang^Wei-Lun"
    ds.PatientID = PID
    ds.OtherPatientIDs = CHART
    ds.PatientBirthDate = BIRTH
    ds.Modality = "CT"
    ds.SliceThickness = "2.5"
    ds.PixelSpacing = ["0.7", "0.7"]
    return ds


def to_bytes(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _code(value: str, meaning: str, scheme: str = "99LOCAL") -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, scheme, meaning
    return item


def _content(value_type: str, **values) -> Dataset:
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ValueType = value_type
    item.ConceptNameCodeSequence = Sequence([_code("R3-1", "Note")])
    for k, v in values.items():
        setattr(item, k, v)
    return item


def _nest(leaf: Dataset, keyword: str, depth: int) -> Dataset:
    for _ in range(depth):
        outer = Dataset()
        setattr(outer, keyword, Sequence([leaf]))
        leaf = outer
    return leaf


# --- nested sequences the profile keeps (K, U, D): items cleaned by the same table ----------

def nested_members() -> list[Member]:
    out = []
    leaves = {
        "code-meaning-name": lambda: _code("R3-2", f"CT ordered for {OTHER}"),
        "code-meaning-zh": lambda: _code("R3-3", f"{OTHER_ZH}的檢查"),
        "code-meaning-pn-groups": lambda: _code("R3-4", f"Huang^Chih-Hao={OTHER_ZH}"),
        "code-meaning-chart": lambda: _code("R3-5", f"chart {CHART}"),
        "code-meaning-hospital": lambda: _code("R3-6", f"transfer from {HOSPITAL}"),
        "code-value-id": lambda: _code(PID, "Local procedure"),
        "sr-text": lambda: _content("TEXT", TextValue=f"Told {OTHER} and {THIRD_ZH}; chart {CHART}"),
        "sr-pname": lambda: _content("PNAME", PersonName=f"Tsai^Ya-Ting={THIRD_ZH}"),
        "sr-uidref": lambda: _content("UIDREF", UID=f"1.2.158.{CHART}.1"),
        "sr-datetime": lambda: _content("DATETIME", DateTime="19371122083000+0800"),
    }
    paths = [
        ("ReferencedRequestSequence", "RequestedProcedureCodeSequence"),
        ("ProcedureCodeSequence", None),
        ("PerformedProtocolCodeSequence", "ProtocolContextSequence"),
        ("ScheduledProcedureStepSequence", "ScheduledProtocolCodeSequence"),
        ("RequestedProcedureCodeSequence", None),
        ("AnatomicRegionSequence", "AnatomicRegionModifierSequence"),
        ("ContentSequence", "ContentSequence"),
        ("ReferencedImageSequence", "PurposeOfReferenceCodeSequence"),
        ("SourceImageSequence", "DerivationCodeSequence"),
    ]
    for outer, inner in paths:
        for leaf_name, make in leaves.items():
            ds = base()
            leaf = make()
            if inner:
                leaf = _nest(leaf, inner, 3)
            setattr(ds, outer, Sequence([leaf]))
            out.append(Member("nested", f"{outer}>{inner or ''}>{leaf_name}", to_bytes(ds),
                              (OTHER, OTHER_ZH, THIRD_ZH, CHART, HOSPITAL, PID, "Tsai^Ya-Ting", "Ya-Ting", "192211")))
    # the SR tree nine deep with every value type a name can ride on
    ds = base()
    items = [_content("TEXT", TextValue=f"{THIRD} visited"), _content("PNAME", PersonName="Tsai^Ya-Ting"),
             _content("CODE", ConceptCodeSequence=Sequence([_code("R3-7", f"Informed {THIRD}")])),
             _content("NUM", MeasuredValueSequence=Sequence([_measure(f"{THIRD} units")])),
             _content("DATE", Date="19371122"), _content("TIME", Time="083000"),
             _content("CONTAINER", ContinuityOfContent="SEPARATE",
                      ContentTemplateSequence=Sequence([_template(f"{THIRD}")]))]
    ds.ContentSequence = Sequence([_nest(i, "ContentSequence", 9) for i in items])
    ds.AcquisitionContextSequence = Sequence([_content("TEXT", TextValue=f"{THIRD} held the child")])
    out.append(Member("nested", "sr-nine-deep-all-types", to_bytes(ds), (THIRD, "Ya-Ting", "Tsai^Ya", "19371122")))
    return out


def _measure(units: str) -> Dataset:
    m = Dataset()
    m.NumericValue = "12"
    m.MeasurementUnitsCodeSequence = Sequence([_code("mm", units, "UCUM")])
    return m


def _template(label: str) -> Dataset:
    t = Dataset()
    t.MappingResource = "DCMR"
    t.TemplateIdentifier = label
    return t


# --- private blocks of several vendors ------------------------------------------------------

def _csa(text: str) -> bytes:
    """A Siemens CSA-like header: SV10 magic, then an element name and a value."""
    body = b"SV10\x04\x03\x02\x01" + struct.pack("<II", 1, 77)
    name = b"PatientsName".ljust(64, b"\0")
    value = text.encode("latin-1", "replace")
    return body + name + struct.pack("<i4sIII", 1, b"PN\0\0", 0, 1, 77) + struct.pack("<4I", len(value), len(value), 77, len(value)) + value.ljust(len(value) + (-len(value)) % 4, b"\0")


def private_members() -> list[Member]:
    out = []
    for syntax in (ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian):
        ds = base(syntax)
        b = ds.private_block(0x0029, "SIEMENS CSA HEADER", create=True)
        b.add_new(0x10, "OB", _csa(f"Huang^Chih-Hao {CHART}"))
        b.add_new(0x20, "OB", f"### ASCCONV BEGIN ###\nsPatient.tName = \"{OTHER}\"\n".encode())
        g = ds.private_block(0x0011, "GEMS_PATI_01", create=True)
        g.add_new(0x10, "SS", 1)
        g.add_new(0x11, "PN", "Huang^Chih-Hao")
        g.add_new(0x12, "LO", PID)
        p = ds.private_block(0x2001, "Philips Imaging DD 001", create=True)
        inner = Dataset()
        ip = inner.private_block(0x2005, "Philips MR Imaging DD 005", create=True)
        ip.add_new(0x10, "LO", OTHER_ZH)
        ip.add_new(0x11, "DA", "19371122")
        p.add_new(0x10, "SQ", Sequence([inner]))
        t = ds.private_block(0x7005, "TOSHIBA_MEC_CT3", create=True)
        t.add_new(0x10, "UN", f"{THIRD} {HOSPITAL}".encode())
        t.add_new(0x11, "UT", f"{THIRD_ZH} 由 {OTHER} 送達")
        f = ds.private_block(0x0009, "FUJI PHOTO FILM Co., ltd.", create=True)
        f.add_new(0x10, "OW", THIRD_ZH.encode("utf-16-le").ljust(16, b"\0"))
        f.add_new(0x11, "DT", "19371122101010")
        # a private element inside a public, kept sequence item
        ref = Dataset()
        ref.ReferencedSOPClassUID = CTImageStorage
        ref.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.1.9"
        rb = ref.private_block(0x0043, "GEMS_PARM_01", create=True)
        rb.add_new(0x10, "LO", OTHER)
        ds.ReferencedImageSequence = Sequence([ref])
        out.append(Member("private", f"vendors-{syntax.name}", to_bytes(ds), tuple(SECRETS) + ("19371122",)))
    return out


# --- text in binary VRs: UN, OB, OW, and numeric VRs holding bytes of text -------------------

def binary_members() -> list[Member]:
    out = []
    text_forms = {"utf-8": f"{OTHER} {CHART}".encode(), "utf-16-le": f"{OTHER_ZH} {OTHER}".encode("utf-16-le"),
                  "big5": f"{OTHER_ZH}{THIRD_ZH}".encode("big5"), "gb18030": f"{OTHER_ZH}{THIRD_ZH}".encode("gb18030"),
                  "iso2022": f"{THIRD_ZH}".encode("iso2022_jp_2")}
    for form, raw in text_forms.items():
        raw = raw.ljust(len(raw) + len(raw) % 2, b"\0")
        for label, tag, vr in [("unknown public UN", 0x00F31010, "UN"), ("ICCProfile OB", 0x00282000, "OB"),
                               ("LUT OW", 0x00281201, "OW"), ("trailing padding", 0xFFFCFFFC, "OB"),
                               ("AT values", 0x00209165, "AT"), ("US values", 0x00181310, "US"),
                               ("FL values", 0x00189219, "FL"), ("OF values", 0x00720067, "OF")]:
            ds = base()
            if vr in ("AT", "US", "FL", "OF"):
                raw4 = raw.ljust(len(raw) + (-len(raw)) % 4, b"\0")
                ds.add(_numbers(tag, vr, raw4))
            else:
                ds.add(DataElement(tag, vr, raw))
            out.append(Member("binary", f"{label}/{form}", to_bytes(ds), (OTHER, OTHER_ZH, THIRD_ZH, CHART)))
    return out


def _numbers(tag: int, vr: str, raw: bytes) -> DataElement:
    """An element of a numeric VR whose bytes, as written, are ``raw`` (text smuggled as numbers)."""
    if vr == "OF":
        return DataElement(tag, vr, raw)
    if vr == "AT":
        pairs = np.frombuffer(raw, "<u2").reshape(-1, 2)
        return DataElement(tag, vr, [int(g) << 16 | int(e) for g, e in pairs])
    return DataElement(tag, vr, [x.item() for x in np.frombuffer(raw, "<u2" if vr == "US" else "<f4")])


# --- character sets: labelled one thing, written in another ---------------------------------

def charset_members() -> list[Member]:
    out = []
    cases = [
        ("ISO_IR 192", "iso2022_jp", "チャン ウェイルン"),    # JIS escapes under UTF-8: all ASCII bytes
        ("ISO_IR 192", "iso2022_jp_2", OTHER_ZH),
        (None, "iso2022_jp", "ウェイルン"),
        ("ISO_IR 100", "iso2022_jp", "ウェイルン"),
        ("GB18030", "big5", OTHER_ZH),                       # Big5 bytes read as GB18030 garbage
        ("GB18030", "big5", THIRD_ZH),
        ("ISO_IR 100", "gb18030", OTHER_ZH),
        ("ISO 2022 IR 58", "big5", THIRD_ZH),
        ("ISO_IR 13", "big5", OTHER_ZH),
        ("\\ISO 2022 IR 149", "big5", OTHER_ZH),
        ("ISO_IR 192", "utf-16-le", OTHER_ZH),
        ("ISO_IR 6", "utf-8", THIRD_ZH),
    ]
    kept = [("ManufacturerModelName", 0x00081090, "LO"), ("CodeMeaning", 0x00080104, "LO"),
            ("SoftwareVersions", 0x00181020, "LO"), ("ConvolutionKernel", 0x00181210, "SH"),
            ("BodyPartExamined", 0x00180015, "CS"), ("ImageType", 0x00080008, "CS")]
    for charset, codec, text in cases:
        for kw, tag, vr in kept:
            ds = base(charset=charset)
            raw = (text.encode(codec) if not codec.startswith("utf-16") else text.encode(codec))
            raw = raw + b" " * (len(raw) % 2)
            holder = b"Q" * len(raw)     # pydicom will not store undecodable bytes: patched in
            ds.add(DataElement(tag, vr, holder.decode()))
            data = to_bytes(ds)
            assert data.count(holder) == 1
            out.append(Member("charset", f"{charset}/{codec}/{kw}/{text}", data.replace(holder, raw), (text,)))
    return out


# --- multi-valued and very long values ------------------------------------------------------

def multi_members() -> list[Member]:
    out = []
    for kw, vr, values in [("SoftwareVersions", "LO", ["VA20", OTHER]), ("ImageType", "CS", ["ORIGINAL", "PRIMARY", "TSAI YA TING"]),
                           ("ConvolutionKernel", "SH", ["B30f", THIRD]), ("ManufacturerModelName", "LO", ["Aquilion", THIRD_ZH]),
                           ("SoftwareVersions", "LO", ["VA20"] * 40 + [CHART]), ("WindowCenterWidthExplanation", "LO", ["WINDOW1", f"set by {OTHER}"]),
                           ("ImageType", "CS", ["DERIVED", "SECONDARY", PID]), ("CodeMeaning", "LO", [f"x {OTHER}"])]:
        ds = base()
        ds.add(DataElement(kw, vr, values))
        out.append(Member("multi", f"{kw}-{len(values)}", to_bytes(ds), (OTHER, THIRD, THIRD_ZH, CHART, PID, "TSAI YA TING")))
    for size in (5000, 60000):
        for kw in ("ManufacturerModelName", "CodeMeaning", "SoftwareVersions"):
            ds = base()
            setattr(ds, kw, ("A" * size) + f" {OTHER}")
            out.append(Member("long", f"{kw}-{size}", to_bytes(ds), (OTHER,)))
    ds = base()
    ds.ContentSequence = Sequence([_content("TEXT", TextValue=("Normal study. " * 8000) + f"Told {OTHER}.")])
    out.append(Member("long", "sr-text-110k", to_bytes(ds), (OTHER,)))
    return out


# --- dates, times, ages, UIDs ---------------------------------------------------------------

def date_uid_members() -> list[Member]:
    out = []
    uids = [f"1.2.158.{CHART}.1.1", "1.2.158.19371122.1", f"1.2.410.200.{PID[1:]}.5", "1.2.840.10008.1937.1122"]
    for uid in uids:
        for kw in ("SeriesInstanceUID", "FrameOfReferenceUID", "IrradiationEventUID", "ConcatenationUID",
                   "SynchronizationFrameOfReferenceUID"):
            ds = base()
            setattr(ds, kw, uid)
            out.append(Member("uid", f"{kw}={uid}", to_bytes(ds), (CHART, "19371122", PID[1:], "1937.1122")))
        ds = base()
        ds.file_meta.MediaStorageSOPClassUID = uid
        out.append(Member("uid", f"meta-class={uid}", to_bytes(ds), (CHART, "19371122", PID[1:], "1937.1122")))
    for age in ("096Y", "101Y", "1150M", "5000W"):
        ds = base()
        ds.PatientAge = age
        ds.add_new(0x0072005F, "AS", age)      # SelectorASValue
        item = Dataset()
        item.add_new(0x0072005F, "AS", age)
        ds.add_new(0x00720022, "SQ", Sequence([item])) if False else None
        out.append(Member("age", f"AS={age}", to_bytes(ds), (age,)))
    for kw, vr, v in [("AcquisitionDateTime", "DT", "19371122083000.000000+0800"), ("StudyTime", "TM", "083000.123456"),
                      ("ContentDate", "DA", "19371122"), ("DateOfSecondaryCapture", "DA", "19371122"),
                      ("TimezoneOffsetFromUTC", "SH", "+0800"), ("PatientBirthDateInAlternativeCalendar", "LO", "26.11.22")]:
        ds = base()
        ds.add(DataElement(kw, vr, v))
        out.append(Member("date", f"{kw}={v}", to_bytes(ds), (v,)))
    return out


# --- file meta, preamble, trailing data, transfer syntaxes ---------------------------------

def meta_members() -> list[Member]:
    out = []
    ds = base()
    ds.file_meta.FileMetaInformationVersion = f"{OTHER} {CHART}".encode().ljust(32, b"\0")
    out.append(Member("meta", "version-bytes", to_bytes(ds), (OTHER, CHART)))
    ds = base()
    ds.file_meta.MediaStorageSOPClassUID = f"{CTImageStorage}.{CHART}"
    out.append(Member("meta", "class-uid-chart", to_bytes(ds), (CHART,)))
    ds = base()
    ds.preamble = (b"MZ" + f" {THIRD} {PID} ".encode()).ljust(128, b"\0")
    out.append(Member("meta", "preamble", to_bytes(ds), (THIRD, PID)))
    data = to_bytes(base())
    out.append(Member("meta", "trailing-text", data + f"{OTHER} {CHART}".encode(), (OTHER, CHART)))
    out.append(Member("meta", "trailing-zeros", data + b"\0" * 64, ()))
    for syntax in (DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ImplicitVRLittleEndian):
        ds = base(syntax)
        ds.add_new(0x00F31010, "LO", OTHER)
        ds.ContentSequence = Sequence([_content("TEXT", TextValue=f"for {THIRD}")])
        ds.add_new(0x00189219, "FL", 1.0)
        out.append(Member("syntax", f"{syntax.name}", to_bytes(ds), (OTHER, THIRD)))
    return out


# --- raw shapes pydicom does not write: duplicated tags, a wrong VR -------------------------

def _el(group: int, elem: int, vr: str, value: bytes) -> bytes:
    value += b" " * (len(value) % 2)
    if vr in ("OB", "OW", "UN", "UT", "SQ", "UC", "UR", "OF"):
        return struct.pack("<HH2sHI", group, elem, vr.encode(), 0, len(value)) + value
    return struct.pack("<HH2sH", group, elem, vr.encode(), len(value)) + value


def _splice(ds: Dataset, extra: bytes) -> bytes:
    """``extra`` elements appended after the dataset's last one (they must sort after it)."""
    return to_bytes(ds) + extra


def raw_members() -> list[Member]:
    out = []
    small = base()
    for name, extra, secrets in [
        ("duplicate-manufacturer", _el(0x0008, 0x0070, "LO", b"GE") + _el(0x0008, 0x0070, "LO", OTHER.encode()), (OTHER,)),
        ("wrong-vr-as-modality-like", _el(0x0018, 0x0015, "AS", b"TSAI YA TING"), ("TSAI YA TING",)),
        ("wrong-vr-da-kernel", _el(0x0018, 0x1210, "DA", THIRD.encode()), (THIRD,)),
        ("wrong-vr-tm", _el(0x0018, 0x1020, "TM", CHART.encode()), (CHART,)),
        ("wrong-vr-ui", _el(0x0018, 0x1030, "UI", f"1.2.{CHART}".encode()), (CHART,)),
        ("wrong-vr-cs-on-lo", _el(0x0018, 0x1030, "CS", b"HUANG CHIH HAO"), ("HUANG CHIH HAO",)),
        ("wrong-vr-is", _el(0x0020, 0x0011, "IS", CHART.encode()), (CHART,)),
        ("wrong-vr-us-bytes", _el(0x0028, 0x0010, "OB", THIRD.encode()), (THIRD,)),
        ("retired-recognition", _el(0x0008, 0x0010, "SH", b"TsaiYaTing"), ("TsaiYaTing",)),
    ]:
        ds = base()
        for tag in list(ds.keys()):
            pass
        data = _tail_splice(ds, extra)
        out.append(Member("raw", name, data, secrets))
    return out


def _tail_splice(ds: Dataset, extra: bytes) -> bytes:
    """Insert raw elements in tag order: write the dataset without elements after the first
    spliced tag's group, then the splice, then the rest (kept simple: the base holds nothing
    between group 0008 and 0028 that the splices collide with)."""
    group, elem = struct.unpack("<HH", extra[:4])
    first = (group << 16) | elem
    tail = Dataset()
    for t in [t for t in ds.keys() if int(t) > first]:
        tail.add(ds[t])
        del ds[t]
    head = to_bytes(ds)
    rest = io.BytesIO()
    from pydicom.filewriter import write_dataset
    from pydicom.filebase import DicomFileLike
    fp = DicomFileLike(rest)
    fp.is_little_endian, fp.is_implicit_VR = True, False
    write_dataset(fp, tail)
    return head + extra + rest.getvalue()


def retired_members() -> list[Member]:
    out = []
    for tag, vr in [(0x00080010, "SH"), (0x00184000, "LT"), (0x00204000, "LT"), (0x00284000, "LT"), (0x40000010, "LT"),
                    (0x40004000, "LT"), (0x00084000, "LT"), (0x00400310, "ST"), (0x00181400, "LO"),
                    (0x00203406, "LO"), (0x00080041, "LO"), (0x00280040, "CS"), (0x00280060, "CS"),
                    (0x0040A132, "UL"), (0x00402001, "LO"), (0x00321030, "LO"), (0x00200070, "LO")]:
        ds = base()
        ds.add_new(tag, vr, THIRD if vr not in ("CS", "UL") else ("TSAI YA TING" if vr == "CS" else 7))
        out.append(Member("retired", f"{tag:08X}-{vr}", to_bytes(ds), (THIRD, "TSAI YA TING")))
    return out


def image_members() -> list[Member]:
    out = []
    for where in ("top", "nested"):
        ds = base()
        icon = Dataset()
        icon.Rows, icon.Columns, icon.SamplesPerPixel, icon.BitsAllocated = 4, 8, 1, 8
        icon.PhotometricInterpretation = "MONOCHROME2"
        icon.PixelData = OTHER.encode().ljust(32, b"\0")
        if where == "top":
            ds.IconImageSequence = Sequence([icon])
        else:
            ref = Dataset()
            ref.ReferencedSOPClassUID = CTImageStorage
            ref.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.1.9"
            ref.IconImageSequence = Sequence([icon])
            ds.ReferencedImageSequence = Sequence([ref])
        out.append(Member("icon", where, to_bytes(ds), (OTHER,)))
    for grp in (0x6000, 0x601E):
        ds = base()
        ds.add_new((grp << 16) | 0x0022, "LO", OTHER)
        ds.add_new((grp << 16) | 0x3000, "OW", THIRD.encode().ljust(16, b"\0"))
        item = Dataset()
        item.add_new((grp << 16) | 0x1500, "LO", OTHER_ZH)
        ds.ReferencedImageSequence = Sequence([item])
        out.append(Member("overlay", f"{grp:04X}", to_bytes(ds), (OTHER, THIRD, OTHER_ZH)))
    for mime, doc in [("application/pdf", _pdf(f"{OTHER} {CHART}")), ("text/xml", f"<name>{THIRD}</name>".encode()),
                      ("application/pdf", _pdf(f"{THIRD} {PID}").replace(b"/FlateDecode", b"/FlateDecode "))]:
        for where in ("top", "nested", "un"):
            ds = base()
            if where == "top":
                ds.MIMETypeOfEncapsulatedDocument = mime
                ds.EncapsulatedDocument = doc + b"\0" * (len(doc) % 2)
                ds.DocumentTitle = f"{THIRD} report"
            elif where == "nested":
                item = Dataset()
                item.MIMETypeOfEncapsulatedDocument = mime
                item.EncapsulatedDocument = doc + b"\0" * (len(doc) % 2)
                ds.ContentSequence = Sequence([item])
            else:
                ds.add(DataElement(0x00420011, "UN", doc + b"\0" * (len(doc) % 2)))
            out.append(Member("document", f"{mime}/{where}", to_bytes(ds), (OTHER, THIRD, CHART, PID)))
    ds = base()
    wf = Dataset()
    wf.WaveformBitsAllocated = 16
    wf.WaveformSampleInterpretation = "SS"
    wf.NumberOfWaveformChannels = 1
    ch = Dataset()
    ch.ChannelLabel = f"II {THIRD}"
    ch.ChannelSourceSequence = Sequence([_code("5.6.3-9-1", f"Lead II by {OTHER}", "SCPECG")])
    wf.ChannelDefinitionSequence = Sequence([ch])
    wf.WaveformData = (np.arange(64, dtype=np.int16) * 3).tobytes()
    ds.WaveformSequence = Sequence([wf])
    ann = Dataset()
    ann.UnformattedTextValue = f"{THIRD_ZH} pressed"
    ann.ConceptNameCodeSequence = Sequence([_code("R3-9", f"note by {OTHER}")])
    ann.ReferencedWaveformChannels = [1, 1]
    ds.WaveformAnnotationSequence = Sequence([ann])
    out.append(Member("waveform", "labels-annotations", to_bytes(ds), (OTHER, THIRD, THIRD_ZH)))
    return out


def _pdf(text: str) -> bytes:
    stream = zlib.compress(f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode())
    return (b"%PDF-1.4\n1 0 obj << /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + stream + b"\nendstream endobj\n%%EOF\n")


def nested_too_deep(depth: int) -> bytes:
    """A ContentSequence nested ``depth`` times, written by hand (pydicom's writer recurses and
    stops near a thousand), undefined lengths, a name at the bottom."""
    open_sq = struct.pack("<HH2sHI", 0x0040, 0xA730, b"SQ", 0, 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    close_sq = struct.pack("<HHI", 0xFFFE, 0xE00D, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    leaf = _el(0x0040, 0xA160, "UT", f"seen by {OTHER}".encode())
    return to_bytes(base()) + open_sq * depth + leaf + close_sq * depth


def hidden_members() -> list[Member]:
    """Names split from matchers (zero-width and soft-hyphen characters, NUL inside a value),
    a URL a coding scheme keeps, numbers of an unbounded VM, retired variable pixel data, and a
    second ID only an item holds, repeated in a kept label."""
    out = []
    for label, value in [("zero-width", "Huang\u200bChih\u200cHao"), ("soft-hyphen", "Tsai Ya\u00adTing"),
                         ("bom", "\ufeffTsai Ya-Ting"), ("nul-inside", "Aquilion\0Tsai Ya-Ting"),
                         ("word-joiner", "黃\u2060志\u2060豪")]:
        for kw in ("ManufacturerModelName", "CodeMeaning", "SoftwareVersions"):
            ds = base()
            setattr(ds, kw, value)
            out.append(Member("hidden", f"{label}/{kw}", to_bytes(ds),
                              tuple(p for p in value.replace("\0", "\u200b").split("\u200b")[-1:]) + ("Tsai", "Huang", "黃")))
    for url in (f"https://codes.example.org/{OTHER.replace(' ', '.')}", f"urn:chart:{CHART}"):
        ds = base()
        item = _code("R3-10", "Chest")
        item.CodingSchemeURL = url
        ds.AnatomicRegionSequence = Sequence([item])
        out.append(Member("hidden", f"url/{url[:12]}", to_bytes(ds), (OTHER.replace(" ", "."), CHART)))
    for vr, dtype in (("US", "<u2"), ("OW", None)):
        ds = base()
        lut = Dataset()
        lut.LUTDescriptor = [8, 0, 16]
        raw = f"{OTHER} {THIRD}".encode().ljust(32, b"\0")
        lut.add(DataElement(0x00283006, vr, [x.item() for x in np.frombuffer(raw, dtype)] if dtype else raw))
        ds.ModalityLUTSequence = Sequence([lut])
        out.append(Member("hidden", f"lut-data-{vr}", to_bytes(ds), (OTHER, THIRD)))
    for label, packed in [("pdf-in-icc", _pdf(f"{OTHER} {CHART}")), ("zlib-in-lut", zlib.compress(f"{THIRD} {OTHER}".encode())),
                          ("gzip-in-icc", __import__("gzip").compress(f"{THIRD_ZH} {OTHER}".encode("utf-8"), mtime=0))]:
        ds = base()
        packed += b"\0" * (len(packed) % 2)
        if "lut" in label:
            ds.RedPaletteColorLookupTableData = packed
        else:
            ds.ICCProfile = packed
        out.append(Member("hidden", label, to_bytes(ds), (OTHER, THIRD, THIRD_ZH, CHART)))
    ds = base()
    ds.add_new(0x7F020010, "OW", f"{OTHER} {THIRD}".encode().ljust(32, b"\0"))
    out.append(Member("hidden", "variable-pixel-data", to_bytes(ds), (OTHER, THIRD)))
    for second in ("B209876543", "0099887766"):
        ds = base()
        other = Dataset()
        other.PatientID = second
        other.IssuerOfPatientID = "OLD HIS"
        ds.OtherPatientIDsSequence = Sequence([other])
        ds.AnatomicRegionSequence = Sequence([_code("R3-11", f"old {second}")])
        ds.SoftwareVersions = second
        out.append(Member("hidden", f"second-id-{second}", to_bytes(ds), (second,)))
    return out


def all_members() -> list[Member]:
    return (nested_members() + private_members() + binary_members() + charset_members() + multi_members()
            + date_uid_members() + meta_members() + raw_members() + retired_members() + image_members()
            + hidden_members())
