"""Round 5 of unseen DICOM files (D1): the gaps round 4 left, each as a class with many members,
and classes no earlier generator tried.

- a name split across two kept values whose given half is a common syllable ("WANG" in one
  value, "MEI" in another), or across two lines or two content items of an SR;
- a surname the scorer reads as a place or a word ("Kong Lingwei", "Hong Meiling");
- the author-year exemption carrying a name ("by Yamada 1990", "Kuo et al., 2019");
- Chinese, Japanese and Korean names in ideographs alone in a label (山田太郎, 美玲);
- the names of the file's own people (operators, physicians, observers: any person name in it)
  repeated in a kept value, whatever script or shape (a Western nickname no rule knows);
- ideographic names under ISO 2022 IR 87/149/58, GB18030, UTF-8 and Big5 bytes under other labels;
- NUL and backslash inside values, person-name component groups, second IDs with their issuer
  qualifiers, private creators, overlays, icons, JPEG comment/EXIF/XMP segments of encapsulated
  frames, PDF metadata and filters, CDA documents, DICOMDIR records, file-meta titles, dates in
  kept values, UIDs under the standard's root carrying a date or an accession number.

Deterministic, built with pydicom and Pillow.  Each member is ``Member(cls, name, data, secrets)``
(the round-3 shape): nothing in ``secrets`` may be anywhere in the cleaned file.  ``REFUSED``
names the members that must be refused with a reason instead."""
from __future__ import annotations

import io
import zlib

import numpy as np
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import JPEGBaseline8Bit

from tests.deidentify.dicom_round3_files import Member, _code, base, to_bytes
from tests.deidentify.dicom_round4_files import _set

ACCESSION = "A20230501778"
STUDY_DAY = "20230501"

# (surname written alone, given name written alone): the given half is a common syllable or
# a one-word given name no rule reads as a name by itself.
SPLITS = [("WANG", "MEI"), ("LIN", "Jun"), ("PARK", "Ling"), ("HONG", "Hua"), ("KONG", "Lingwei"),
          ("Chen", "Hui Min"), ("Lee", "Wei"), ("Kim", "Ting"), ("MIN", "Meiling"), ("Huang", "Yating"),
          ("TSAI", "Hsin"), ("Ho", "Yuan")]
SPLIT_PLACES = [("Manufacturer", "ManufacturerModelName"), ("SoftwareVersions", "ConvolutionKernel"),
                ("CodeMeaning", "SegmentLabel"), ("SequenceName", "ReceiveCoilName"),
                ("ImageTypeValue", "SoftwareVersions"), ("StationName", "ProtocolName"),
                ("ContentLabel", "ContentDescription"), ("GraphicLayer", "CodeMeaning")]

# Word or place surnames with a given name written as one word (round 4 missed "Kong Lingwei").
PLACE_SURNAMES = ["Kong Lingwei", "Hong Meiling", "Hong Yating", "Long Meiying", "Song Yuling", "Tong Weiming",
                  "Sun Liwei", "Fang Zhiwei", "Kong Xiangyu", "Lin Kouwei", "Ma Yuting", "Park Jiwon",
                  "Min Seojin", "Han Yuling", "Pan Weiting", "Tan Meiling"]
PLACE_CONTEXTS = ["{}", "CT {}", "{} 3T", "seen {}", "{} (ward 7)"]
PLACE_WHERE = ["Manufacturer", "ManufacturerModelName", "SoftwareVersions", "CodeMeaning", "SegmentLabel",
               "ConvolutionKernel"]

# Author-year and "et al." forms around a name no publication in the standard cites.
CITED_BY = ["by Yamada 1990", "BPD, Tanaka 1996", "(Lin 2001)", "Kuo et al., 2019", "EFW, Kong Lingwei 2003",
            "Chen et al. 2015", "Hsu & Lin 1999", "HC, Nakamura (1988)", "AC by Wang 2010", "Tanaka et al.",
            "Wu and Lee, 2004", "FL, Okafor 1994"]

# Names in ideographs alone, and Chinese given names alone, in a label people type.
CJK_NAMES = ["陳美玲", "山田太郎", "田中花子", "佐藤健", "美玲", "志豪", "雅婷", "王小明", "鈴木一郎", "林志明",
             "歐陽娜娜", "家豪", "淑芬", "高橋由美", "小林美穂"]
CJK_PLACES = ["CodeMeaning", "SegmentLabel", "GraphicLayerDescription", "ContentDescription"]
CJK_CONTEXTS = ["{}", "{} 胸部", "肝 {}", "{}的影像", "CT {}"]

# The file's own people (any person name in it) repeated in a kept value: names no rule knows.
PEOPLE = [("OperatorsName", "OKAFOR^CHIDI", "Chidi"), ("PerformingPhysicianName", "MUELLER^JOSEPHINE", "Josephine"),
          ("ReferringPhysicianName", "ABERNATHY^QUINN", "Abernathy"), ("OperatorsName", "KONG^LINGWEI", "Lingwei"),
          ("NameOfPhysiciansReadingStudy", "ROSSI^GIULIA", "Giulia"), ("OperatorsName", "PETROV^IVAN", "Petrov"),
          ("PhysiciansOfRecord", "NAKAMURA^EMI=中村^恵美", "恵美"), ("OperatorsName", "Hong^Mei=洪^美", "洪美"),
          ("VerifyingObserverName", "SANTOS^MARIA", "Santos")]
PEOPLE_PLACES = ["Manufacturer", "SoftwareVersions", "CodeMeaning", "SegmentLabel", "ConvolutionKernel"]


def _pair(ds: Dataset, where: str, value: str) -> None:
    """``_set`` for the places round 4's did not reach (the second code meaning is elsewhere)."""
    if where == "ContentDescription":
        ds.ContentDescription = value
    elif where == "GraphicLayerDescription":
        layer = Dataset()
        layer.GraphicLayer, layer.GraphicLayerOrder, layer.GraphicLayerDescription = "L1", 1, value
        ds.GraphicLayerSequence = Sequence([layer])
    else:
        _set(ds, where, value)


def _cs(where: str, value: str) -> str:
    return value.upper() if where in ("ImageTypeValue", "ContentLabel", "GraphicLayer", "BodyPartExamined") else value


def split_members() -> list[Member]:
    out = []
    for i, (sur, given) in enumerate(SPLITS):
        for j, (a, b) in enumerate(SPLIT_PLACES):
            first, second = (a, b) if (i + j) % 2 == 0 else (b, a)
            ds = base()
            _pair(ds, first, _cs(first, sur))
            _pair(ds, second, _cs(second, given))
            out.append(Member("split-syllable", f"{first}+{second}:{sur}/{given}", to_bytes(ds), (sur, given)))
    return out


def _text_item(text: str) -> Dataset:
    item = Dataset()
    item.RelationshipType, item.ValueType, item.TextValue = "CONTAINS", "TEXT", text
    item.ConceptNameCodeSequence = Sequence([_code("121071", "Finding", "DCM")])
    return item


def sr_split_members() -> list[Member]:
    """The name broken across two lines of one TextValue or two content items (also nested)."""
    out = []
    for sur, given in SPLITS:
        for sep in ("\n", "\r\n", " \n  "):
            ds = base()
            ds.ContentSequence = Sequence([_text_item(f"Nodule 6 mm. Reviewed by {sur}{sep}{given} today.")])
            out.append(Member("sr-split", f"lines{sep!r}:{sur}/{given}", to_bytes(ds), (sur, given)))
        ds = base()
        ds.ContentSequence = Sequence([_text_item(f"Nodule 6 mm. Reviewed by {sur}"), _text_item(f"{given} agreed.")])
        out.append(Member("sr-split", f"items:{sur}/{given}", to_bytes(ds), (sur, given)))
        ds = base()
        box = _text_item("x")
        del box.TextValue
        box.ValueType, box.ContinuityOfContent = "CONTAINER", "SEPARATE"
        box.ContentSequence = Sequence([_text_item(f"{given} measured it")])
        ds.ContentSequence = Sequence([_text_item(f"Signed: {sur}"), box])
        out.append(Member("sr-split", f"nested:{sur}/{given}", to_bytes(ds), (sur, given)))
    return out


def place_surname_members() -> list[Member]:
    out = []
    for i, name in enumerate(PLACE_SURNAMES):
        for j, where in enumerate(PLACE_WHERE):
            ds = base()
            _set(ds, where, PLACE_CONTEXTS[(i + j) % len(PLACE_CONTEXTS)].format(name))
            out.append(Member("place-surname", f"{where}:{name}", to_bytes(ds), (name, name.split()[1])))
        ds = base()
        ds.ContentSequence = Sequence([_text_item(f"Discussed with {name} on the ward.")])
        out.append(Member("place-surname", f"sr:{name}", to_bytes(ds), (name.split()[1],)))
        sur, given = name.split()
        for form in (f"{given} {sur.upper()}", f"{sur}-{given}"):   # given name first; hyphen-joined
            for where in ("CodeMeaning", "SoftwareVersions"):
                ds = base()
                _set(ds, where, form)
                out.append(Member("place-surname", f"{where}:{form}", to_bytes(ds), (given,)))
    return out


def citation_members() -> list[Member]:
    out = []
    for i, value in enumerate(CITED_BY):
        name = [w for w in value.replace(",", " ").replace("(", " ").split()
                if w[:1].isupper() and w not in ("BPD", "EFW", "HC", "AC", "FL")][0]
        for where in ("CodeMeaning", "SegmentLabel", "ManufacturerModelName", "SoftwareVersions"):
            for operator in (True, False):   # the operator's own name, and a name the file does not hold
                ds = base()
                if operator:
                    ds.OperatorsName = f"{name.upper()}^TARO"
                _set(ds, where, value)
                out.append(Member("citation", f"{where}:{value}:{'operator' if operator else 'other'}",
                                  to_bytes(ds), (value, name)))
    return out


def cjk_label_members() -> list[Member]:
    out = []
    for i, name in enumerate(CJK_NAMES):
        for j, where in enumerate(CJK_PLACES):
            ds = base()
            _pair(ds, where, CJK_CONTEXTS[(i + j) % len(CJK_CONTEXTS)].format(name))
            out.append(Member("cjk-label", f"{where}:{name}", to_bytes(ds), (name,)))
    return out


def people_members() -> list[Member]:
    out = []
    for kw, pn, part in PEOPLE:
        for where in PEOPLE_PLACES:
            ds = base()
            if kw == "VerifyingObserverName":
                obs = Dataset()
                obs.VerifyingObserverName = pn
                obs.VerificationDateTime = "20230501120000"
                ds.VerifyingObserverSequence = Sequence([obs])
            else:
                setattr(ds, kw, pn)
            _set(ds, where, f"{part}" if where != "CodeMeaning" else f"Chest {part}")
            out.append(Member("people", f"{kw}/{where}:{part}", to_bytes(ds), (part,)))
        ds = base()   # a private person name (kept nowhere, but its person is)
        blk = ds.private_block(0x0019, "ACME WORKLIST 1", create=True)
        blk.add_new(0x10, "PN", pn)
        ds.SoftwareVersions = part
        out.append(Member("people", f"private-pn:{part}", to_bytes(ds), (part,)))
    return out


_CHARSET_CASES = [("ISO 2022 IR 87", "山田太郎"), ("\\ISO 2022 IR 87", "田中花子"), ("\\ISO 2022 IR 149", "김민준"),
                  ("ISO 2022 IR 149", "이서연"), ("\\ISO 2022 IR 58", "王小明"), ("ISO 2022 IR 58", "陈美玲"),
                  ("GB18030", "陈美玲"), ("GB18030", "美玲"), ("ISO_IR 192", "山田太郎"), ("ISO_IR 192", "志豪")]


def charset_members() -> list[Member]:
    out = []
    for charset, name in _CHARSET_CASES:
        for where in ("CodeMeaning", "SegmentLabel", "ContentDescription", "GraphicLayerDescription"):
            ds = base(charset=charset)
            _pair(ds, where, name)
            out.append(Member("charset", f"{charset}/{where}:{name}", to_bytes(ds), (name,)))
    # bytes in one set declared as another, or declared as nothing
    for charset, codec, name in [("ISO_IR 100", "big5", "陳美玲"), ("ISO_IR 100", "big5", "志豪"), (None, "utf-8", "山田太郎"),
                                 (None, "utf-8", "美玲"), ("ISO_IR 100", "utf-8", "雅婷"), ("ISO_IR 6", "gb18030", "王小明"),
                                 ("ISO_IR 192", "big5", "林志明"), ("ISO 2022 IR 87", "shift_jis", "鈴木一郎")]:
        for kw, tag, vr in (("CodeMeaning", 0x00080104, "LO"), ("ContentDescription", 0x00700081, "LO")):
            ds = base(charset=charset)
            raw = name.encode(codec)
            raw += b" " * (len(raw) % 2)
            holder = "Q" * len(raw)
            if kw == "CodeMeaning":
                ds.AnatomicRegionSequence = Sequence([_code("T-D3000", holder, "SRT")])
            else:
                ds.add(DataElement(tag, vr, holder))
            data = to_bytes(ds)
            assert data.count(holder.encode()) == 1
            out.append(Member("charset", f"{charset}/{codec}/{kw}:{name}", data.replace(holder.encode(), raw), (name,)))
    return out


def nul_multi_members() -> list[Member]:
    out = []
    for name in ("Hong Meiling", "Kong Lingwei", "山田太郎", "Chidi"):
        for kw, value in (("Manufacturer", f"SIEMENS\0{name}"), ("SoftwareVersions", f"VA20\\{name}"),
                          ("ManufacturerModelName", f"Ingenia\\{name.replace(' ', chr(92))}"),
                          ("ConvolutionKernel", f"B30f\0\0{name}"), ("CodeMeaning", f"Chest\\{name}")):
            ds = base()
            ds.OperatorsName = "OKAFOR^CHIDI"
            _set(ds, kw, value)
            out.append(Member("nul-multi", f"{kw}:{name}", to_bytes(ds), (name.split()[-1],)))
    return out


def pn_group_members() -> list[Member]:
    """Alphabetic = ideographic = phonetic groups; each group's parts repeated in a kept label."""
    out = []
    for pn, parts in [("YAMADA^TARO=山田^太郎=やまだ^たろう", ("山田", "太郎", "やまだ")),
                      ("KONG^LINGWEI=孔^令偉", ("孔令偉", "LINGWEI")), ("HONG^GILDONG=洪^吉童=홍^길동", ("吉童", "길동", "GILDONG")),
                      ("=陳^美玲", ("陳美玲", "美玲")), ("==チン^ミレイ", ("チン", "ミレイ"))]:
        for part in parts:
            for kw in ("PatientName", "OperatorsName"):
                ds = base()
                setattr(ds, kw, pn)
                ds.AnatomicRegionSequence = Sequence([_code("T-D3000", part, "SRT")])
                out.append(Member("pn-group", f"{kw}:{part}", to_bytes(ds), (part,)))
    return out


def other_id_members() -> list[Member]:
    out = []
    for second, issuer in [("0099887766", "NTUH"), ("B223344556", "TVGH CHART"), ("MRN-55120", "CGMH LINKOU")]:
        ds = base()
        item = Dataset()
        item.PatientID, item.IssuerOfPatientID = second, issuer
        qual = Dataset()
        qual.UniversalEntityID, qual.UniversalEntityIDType = f"urn:tw:{issuer.split()[0]}:{second}", "URI"
        qual.IdentifierTypeCode = "MR"
        fac = Dataset()
        fac.LocalNamespaceEntityID = f"{issuer} {second}"
        qual.AssigningFacilitySequence = Sequence([fac])
        item.IssuerOfPatientIDQualifiersSequence = Sequence([qual])
        ds.OtherPatientIDsSequence = Sequence([item])
        ds.IssuerOfPatientIDQualifiersSequence = Sequence([qual])
        out.append(Member("other-id", f"seq:{second}", to_bytes(ds), (second,)))
        for kw in ("SoftwareVersions", "CodeMeaning", "SegmentLabel"):
            ds = base()
            ds.OtherPatientIDsSequence = Sequence([item])
            _set(ds, kw, f"ref {second[-6:]}")   # the second ID's tail alone, in a kept value
            out.append(Member("other-id", f"{kw}:{second}", to_bytes(ds), (second[-6:],)))
    return out


def private_creator_members() -> list[Member]:
    out = []
    for creator in ("YAMADA TARO 0099887766", "KONG LINGWEI PACS", "陳美玲 WS", "OKAFOR CHIDI"):
        for group in (0x0009, 0x0029, 0x7FDF):
            ds = base()
            blk = ds.private_block(group, creator, create=True)
            blk.add_new(0x01, "LO", "x")
            out.append(Member("private-creator", f"{group:04X}:{creator}", to_bytes(ds), (creator,)))
    return out


def _bitmap(text: str, rows: int = 16, cols: int = 64) -> bytes:
    """A packed 1-bit overlay whose bytes also spell ``text`` (burned text and bytes both)."""
    bits = np.zeros(rows * cols, dtype=np.uint8)
    raw = text.encode("utf-8")
    bits[: len(raw) * 8] = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")
    return np.packbits(bits, bitorder="little").tobytes()


def image_members() -> list[Member]:
    out = []
    for name in ("Kong Lingwei", "Hong Meiling", "山田太郎"):
        for grp in (0x6000, 0x6002, 0x601E):
            ds = base()
            g = grp << 16
            ds.add_new(g | 0x0010, "US", 16)
            ds.add_new(g | 0x0011, "US", 64)
            ds.add_new(g | 0x0040, "CS", "G")
            ds.add_new(g | 0x0050, "SS", [1, 1])
            ds.add_new(g | 0x0100, "US", 1)
            ds.add_new(g | 0x0022, "LO", name)
            ds.add_new(g | 0x1500, "LO", name)
            ds.add_new(g | 0x3000, "OW", _bitmap(name))
            out.append(Member("overlay", f"{grp:04X}:{name}", to_bytes(ds), (name,)))
        for where in ("top", "referenced", "directory"):
            ds = base()
            icon = Dataset()
            icon.Rows, icon.Columns, icon.SamplesPerPixel, icon.BitsAllocated, icon.BitsStored = 4, 16, 1, 8, 8
            icon.HighBit, icon.PixelRepresentation, icon.PhotometricInterpretation = 7, 0, "MONOCHROME2"
            icon.PixelData = name.encode("utf-8").ljust(64, b"\0")[:64]
            if where == "top":
                ds.IconImageSequence = Sequence([icon])
            else:
                holder = Dataset()
                holder.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
                holder.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.1.7"
                holder.IconImageSequence = Sequence([icon])
                if where == "referenced":
                    ds.ReferencedImageSequence = Sequence([holder])
                else:
                    holder.DirectoryRecordType = "IMAGE"
                    ds.DirectoryRecordSequence = Sequence([holder])
            out.append(Member("icon", f"{where}:{name}", to_bytes(ds), (name,)))
    return out


def _jpeg(comment: bytes = b"", app1: bytes = b"") -> bytes:
    from PIL import Image

    img = Image.fromarray((np.arange(32 * 32) % 200).astype(np.uint8).reshape(32, 32))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, comment=comment)
    data = buf.getvalue()
    if app1:   # an APP1 segment (EXIF or XMP) right after SOI
        seg = b"\xff\xe1" + (len(app1) + 2).to_bytes(2, "big") + app1
        data = data[:2] + seg + data[2:]
    return data


def encapsulated_members() -> list[Member]:
    """JPEG frames whose comment, EXIF or XMP segment holds a name (pixels decoded: rewritten)."""
    out = []
    for name in ("Kong Lingwei", "OKAFOR CHIDI", "山田太郎"):
        raw = name.encode("utf-8")
        for label, frame in (("com", _jpeg(comment=raw)),
                             ("exif", _jpeg(app1=b"Exif\0\0MM\0*\0\0\0\x08" + raw)),
                             ("xmp", _jpeg(app1=b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><dc:creator>" + raw
                                                + b"</dc:creator></x:xmpmeta>"))):
            ds = base(JPEGBaseline8Bit)
            ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.BitsAllocated, ds.BitsStored = 32, 32, 1, 8, 8
            ds.HighBit, ds.PixelRepresentation, ds.PhotometricInterpretation = 7, 0, "MONOCHROME2"
            ds.Modality = "MR"
            ds.PixelData = encapsulate([frame])
            ds["PixelData"].VR = "OB"
            out.append(Member("encapsulated", f"{label}:{name}", to_bytes(ds), (name,)))
    return out


def _pdf(body: bytes, info: bytes = b"") -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Length " + str(len(body)).encode() + b" >>\nstream\n" + body
            + b"\nendstream endobj\n" + info + b"%%EOF\n")


def document_members() -> list[Member]:
    out = []
    for name in ("Kong Lingwei", "Hong Meiling", "Chidi Okafor"):
        utf16 = ("\ufeff" + name).encode("utf-16-be").hex().upper().encode()
        octal = "".join(f"\\{ord(c):03o}" for c in name).encode()
        a85 = __import__("base64").a85encode(f"BT ({name}) Tj ET".encode())
        ahx = f"BT ({name}) Tj ET".encode().hex().encode()
        lzwish = zlib.compress(f"BT ({name}) Tj ET".encode())
        docs = {
            "pdf-info-author": _pdf(b"BT (Report) Tj ET", b"2 0 obj << /Author (" + name.encode() + b") >> endobj\n"),
            "pdf-utf16-hex-title": _pdf(b"BT (Report) Tj ET", b"2 0 obj << /Title <" + utf16 + b"> >> endobj\n"),
            "pdf-octal": _pdf(b"BT (" + octal + b") Tj ET"),
            "pdf-ascii85": (b"%PDF-1.4\n1 0 obj << /Filter /ASCII85Decode >>\nstream\n" + a85
                            + b"~>\nendstream endobj\n%%EOF\n"),
            "pdf-asciihex": (b"%PDF-1.4\n1 0 obj << /Filter /ASCIIHexDecode >>\nstream\n" + ahx
                             + b">\nendstream endobj\n%%EOF\n"),
            "pdf-flate-then-hex": (b"%PDF-1.4\n1 0 obj << /Filter [/ASCIIHexDecode /FlateDecode] >>\nstream\n"
                                   + lzwish.hex().encode() + b">\nendstream endobj\n%%EOF\n"),
            "pdf-xmp": _pdf(b"<x:xmpmeta><rdf:li>" + name.encode("utf-16-le") + b"</rdf:li></x:xmpmeta>"),
            "cda": (b"<ClinicalDocument><recordTarget><patientRole><patient><name><given>" + name.split()[1].encode()
                    + b"</given><family>" + name.split()[0].encode() + b"</family></name></patient></patientRole>"
                    b"</recordTarget><component>Normal chest.</component></ClinicalDocument>"),
        }
        for label, doc in docs.items():
            ds = base()
            ds.MIMETypeOfEncapsulatedDocument = "text/XML" if label == "cda" else "application/pdf"
            ds.EncapsulatedDocument = doc + b"\0" * (len(doc) % 2)
            ds.DocumentTitle = "Report"
            out.append(Member("document", f"{label}:{name}", to_bytes(ds), tuple(name.split())))
    return out


def dicomdir_members() -> list[Member]:
    out = []
    for name, pid in (("KONG^LINGWEI", "0099887766"), ("HONG^MEILING", "B223344556"), ("山田^太郎", "JP0012345")):
        ds = base()
        ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
        ds.SOPClassUID = "1.2.840.10008.1.3.10"
        ds.FileSetID = pid
        ds.FileSetDescriptorFileID = ["README", pid]
        recs = []
        for rtype, fields in (("PATIENT", dict(PatientName=name, PatientID=pid, PatientBirthDate="19400101")),
                              ("STUDY", dict(StudyDescription=f"CT for {name}", AccessionNumber=ACCESSION,
                                             StudyDate=STUDY_DAY, StudyID=pid)),
                              ("SERIES", dict(SeriesDescription=name, Modality="CT")),
                              ("IMAGE", dict(ReferencedFileID=["P" + pid, "S1", "I1"], InstanceNumber="1"))):
            rec = Dataset()
            rec.DirectoryRecordType = rtype
            for k, v in fields.items():
                setattr(rec, k, v)
            recs.append(rec)
        ds.DirectoryRecordSequence = Sequence(recs)
        parts = tuple(p for p in name.replace("^", " ").split())
        out.append(Member("dicomdir", name, to_bytes(ds), parts + (pid, ACCESSION)))
    return out


def meta_members() -> list[Member]:
    out = []
    for name in ("KONG_LW_WS", "YAMADA TARO", "CHIDI PC"):
        ds = base()
        ds.file_meta.SourceApplicationEntityTitle = name[:16]
        ds.file_meta.SendingApplicationEntityTitle = name[:16]
        ds.file_meta.ReceivingApplicationEntityTitle = name[:16]
        ds.file_meta.PrivateInformationCreatorUID = "1.2.3.4"
        ds.file_meta.PrivateInformation = f"{name} {ACCESSION}".encode().ljust(32, b"\0")
        ds.file_meta.SourcePresentationAddress = f"http://{name.split()[0].lower()}.pacs.example/"
        out.append(Member("meta", name, to_bytes(ds), (name[:10], ACCESSION)))
    return out


def date_members() -> list[Member]:
    """The study's day, in any written form, in kept values (a day re-links series and files)."""
    out = []
    forms = ["2023-05-01", "2023/05/01", "20230501", "01.05.2023", "112/05/01", "民國112年5月1日", "2023年5月1日",
             "May 1, 2023", "1 May 2023"]
    for form in forms:
        for where in ("CodeMeaning", "SegmentLabel", "SoftwareVersions", "ManufacturerModelName"):
            ds = base()
            ds.StudyDate = STUDY_DAY
            _set(ds, where, f"follow-up {form}")
            out.append(Member("date", f"{where}:{form}", to_bytes(ds), (form,)))
        ds = base()
        ds.ContentSequence = Sequence([_text_item(f"Compared with the study of {form}.")])
        out.append(Member("date", f"sr:{form}", to_bytes(ds), (form,)))
    return out


def uid_members() -> list[Member]:
    """UIDs under the standard's root whose components carry a date or an accession number."""
    out = []
    for uid, secret in [("1.2.840.10008.2023.501.778", "2023.501.778"), ("1.2.840.10008.5.1.2023.5.1", "5.1.2023.5.1"),
                        ("1.2.840.10008.1.2023.501", "1.2023.501"), ("1.2.840.10008.778.2023", "778.2023"),
                        ("1.2.840.10008.99.1940.101", "99.1940.101")]:
        for kw in ("SeriesInstanceUID", "FrameOfReferenceUID", "ReferencedSOPInstanceUID", "StudyInstanceUID"):
            ds = base()
            if kw == "ReferencedSOPInstanceUID":
                ref = Dataset()
                ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
                ref.ReferencedSOPInstanceUID = uid
                ds.ReferencedImageSequence = Sequence([ref])
            else:
                setattr(ds, kw, uid)
            out.append(Member("uid", f"{kw}:{uid}", to_bytes(ds), (uid, secret)))
    return out


def script_members() -> list[Member]:
    """Names written in a script a Taiwanese device or label does not use (Cyrillic, Greek, Thai,
    Arabic, Hebrew, Devanagari transliterations of the same people)."""
    out = []
    for name in ("Ван Сяомин", "Ким Мин Джун", "Κονγκ Λινγκγουέι", "ยามาดะ ทาโร่", "كونغ لينغوي", "יאמאדה טארו",
                 "यामादा तारो"):
        for where in ("Manufacturer", "ManufacturerModelName", "CodeMeaning", "SegmentLabel", "SoftwareVersions"):
            ds = base()
            _pair(ds, where, f"X1 {name}")
            out.append(Member("script", f"{where}:{name}", to_bytes(ds), (name.split()[-1],)))
    return out


def accession_members() -> list[Member]:
    """The accession number and order numbers (the RIS's key to the patient) in kept values and in
    UIDs written into a kept text."""
    out = []
    for kw, value in (("AccessionNumber", ACCESSION), ("AdmissionID", "ADM778812"),
                      ("PlacerOrderNumberImagingServiceRequest", "ORD-5501-778"),
                      ("RequestedProcedureID", "RP99018877")):
        for where in ("SoftwareVersions", "CodeMeaning", "SegmentLabel", "ManufacturerModelName"):
            for form in ("{}", "ref {}", "1.2.410.200.{}.1"):
                written = form.format(value if "{}" == form or "ref" in form else "".join(filter(str.isdigit, value)))
                ds = base()
                if kw == "RequestedProcedureID":
                    rq = Dataset()
                    rq.RequestedProcedureID = value
                    ds.RequestAttributesSequence = Sequence([rq])
                else:
                    setattr(ds, kw, value)
                _set(ds, where, written)
                secret = value if "1.2.410" not in form else "".join(filter(str.isdigit, value))
                out.append(Member("accession", f"{kw}/{where}:{written}", to_bytes(ds), (secret,)))
    return out


def document_cjk_members() -> list[Member]:
    """Names in ideographs inside encapsulated documents (UTF-8 text in a PDF, a CDA)."""
    out = []
    for name in ("山田太郎", "美玲", "志豪", "高橋由美"):
        for label, doc, mime in (("pdf", _pdf(f"BT (報告 {name}) Tj ET".encode("utf-8")), "application/pdf"),
                                 ("cda", f"<ClinicalDocument><title>報告</title><text>{name} 胸部正常</text>"
                                         f"</ClinicalDocument>".encode("utf-8"), "text/XML")):
            ds = base()
            ds.MIMETypeOfEncapsulatedDocument = mime
            ds.EncapsulatedDocument = doc + b"\0" * (len(doc) % 2)
            out.append(Member("document", f"{label}-cjk:{name}", to_bytes(ds), (name,)))
    return out


def pn_shape_members() -> list[Member]:
    """A person name written in PN syntax in a value that is not a person name (no rule knows
    the name: Western, given name only, with prefix)."""
    out = []
    for value, secret in (("OKAFOR^CHIDI", "CHIDI"), ("^MEILING", "MEILING"), ("MEILING^", "MEILING"),
                          ("ROSSI^GIULIA^^DR", "GIULIA"), ("Abernathy ^ Quinn", "Abernathy"),
                          ("=^LINGWEI", "LINGWEI")):
        for where in ("Manufacturer", "SoftwareVersions", "CodeMeaning", "SegmentLabel", "ConvolutionKernel"):
            ds = base()
            _set(ds, where, f"X {value}")
            out.append(Member("pn-shape", f"{where}:{value}", to_bytes(ds), (secret,)))
    return out


def all_members() -> list[Member]:
    return (split_members() + sr_split_members() + place_surname_members() + citation_members() + cjk_label_members()
            + people_members() + charset_members() + nul_multi_members() + pn_group_members() + other_id_members()
            + private_creator_members() + image_members() + encapsulated_members() + document_members()
            + dicomdir_members() + meta_members() + date_members() + uid_members() + script_members()
            + accession_members() + document_cjk_members() + pn_shape_members())


# Values that stay (utility): labels that look like the classes above and are not names.
ORDINARY = {
    "CodeMeaning": ["Hong Kong", "Hong Kong flu", "Linkou branch", "Long axis", "Hashimoto's thyroiditis",
                    "Hodgkin lymphoma", "BPD, Shinozuka 1996", "HC, Hadlock 1984", "Osaka 1989", "胸部", "肝臟腫瘤",
                    "高血壓", "白內障", "左心室", "甲狀腺結節", "黃斑部病變", "林口", "Kawasaki disease", "Song protocol",
                    "Min intensity projection", "α-fetoprotein", "β-HCG", "Dose 20 μSv"],
    "SegmentLabel": ["Liver", "左肺上葉", "Tumour 1", "肺結節", "Kidney L"],
    "Manufacturer": ["SIEMENS", "Philips", "GE MEDICAL SYSTEMS", "Canon Medical Systems", "FUJIFILM Corporation"],
    "ManufacturerModelName": ["Ingenia", "Aquilion ONE", "SOMATOM Force", "Revolution CT", "uMR 780"],
    "SoftwareVersions": ["VA20", "syngo MR E11", "5.1.2"],
}
