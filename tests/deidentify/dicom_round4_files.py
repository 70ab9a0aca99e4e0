"""Round 4 of unseen DICOM files (D1): romanised Chinese, Japanese, Korean, Vietnamese and
Indonesian person names (which the free-text scrubber's name score does not know) in every text
value a cleaned object keeps or might keep, in every order and spelling, plus IDs, phones and
birth dates in those values, UIDs, file IDs, presentation-state text, key-object and SR items,
segment labels, RT ROI names, encapsulated documents, waveform channels, per-frame groups,
vendors' private blocks, character sets, over-long values and names split across two elements.

Deterministic, built with pydicom.  Each member is ``Member(cls, name, data, secrets)`` (the
round-3 shape): nothing in ``secrets`` may be anywhere in the cleaned file.  The people are new
to this round."""
from __future__ import annotations

import struct

import numpy as np
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from tests.deidentify.dicom_round3_files import Member, _code, base, to_bytes

PID = "0084417263"          # the patient's chart number (the PatientID of these files)
BIRTH = "19361014"
PHONE = "02-2875-7000"

# (value as written, secrets it must not leave) — names in every script's romanisation and order
NAMES: list[tuple[str, tuple[str, ...]]] = [
    ("YAMADA^TARO", ("YAMADA",)), ("Tanaka Hanako", ("Tanaka",)), ("Hanako TANAKA", ("Tanaka",)),
    ("SUZUKI Ichiro", ("SUZUKI",)), ("Kobayashi Yui", ("Kobayashi",)), ("ITO^KENJI", ("KENJI",)),
    ("Watanabe Sakura", ("Watanabe",)), ("KIM MIN-JUN", ("MIN-JUN",)), ("MIN-JUN KIM", ("MIN-JUN",)),
    ("Lee Seo-yeon", ("Seo-yeon",)), ("Park Ji-hoon", ("Ji-hoon",)), ("Choi Hyun-woo", ("Hyun-woo",)),
    ("JUNG^EUN-JI", ("EUN-JI",)), ("Nguyen Van An", ("Nguyen",)), ("Nguyễn Văn An", ("Nguyễn",)),
    ("Tran Thi Mai", ("Tran Thi",)), ("Le Van Tam", ("Le Van",)), ("Pham Minh Chau", ("Pham Minh",)),
    ("Ho Van Nam", ("Ho Van",)), ("Budi Santoso", ("Santoso",)), ("Siti Rahayu", ("Rahayu",)),
    ("Dewi Lestari", ("Lestari",)), ("Agus Setiawan", ("Setiawan",)), ("Wang Xiaoming", ("Xiaoming",)),
    ("Zhang Wei", ("Zhang",)), ("Liu Yang", ("Liu Yang",)), ("Chen's tumour", ("Chen's",)),
    ("Dr.Lin", ("Dr.Lin",)), ("Dr. Ho", ("Dr. Ho",)), ("by Wu", ("by Wu",)), ("Lin Mei-Hua", ("Mei-Hua",)),
    ("Kuo Chia-Hui", ("Chia-Hui",)), ("Hsieh Ming", ("Hsieh",)), ("ＹＡＭＡＤＡ", ("ＹＡＭＡＤＡ",)),
]

# Names caught by their shape rather than a list entry (romaji pairs and endings, pinyin with x/q/zh,
# Javanese endings, Hokkien runs, Korean and Wade-Giles hyphen pairs), and names run together.
SHAPES: list[tuple[str, tuple[str, ...]]] = [
    ("Ikegami Ryota", ("Ikegami",)), ("Nishida Kaori", ("Nishida",)), ("Tsukamoto Yuzuru", ("Tsukamoto",)),
    ("Okabe Rintaro", ("Rintaro",)), ("Fumio Kishida", ("Kishida",)), ("KOIZUMI^JUNICHIRO", ("JUNICHIRO",)),
    ("Xiong Zhiqiang", ("Zhiqiang",)), ("Qiu Xinyi", ("Xinyi",)), ("Meng Fanyu", ("Fanyu",)),
    ("Cao Yupeng", ("Yupeng",)), ("Ong Boon Hock", ("Boon Hock",)), ("Tan Ah Kow", ("Ah Kow",)),
    ("Bui Tien Dung", ("Tien Dung",)), ("Megawati", ("Megawati",)), ("Prabowo Subianto", ("Subianto",)),
    ("Yudhoyono", ("Yudhoyono",)), ("Kusumawati", ("Kusumawati",)), ("Anwar Ibrahim", ("Ibrahim",)),
    ("Yu Shyi-kun", ("Shyi-kun",)), ("MOON^JAE-IN", ("JAE-IN",)), ("Ch'en Shui-pien", ("Shui-pien",)),
    ("TanakaHanako", ("TanakaHanako",)), ("TANAKAHANAKO", ("TANAKAHANAKO",)), ("CT-YAMADA", ("CT-YAMADA",)),
    ("nguyenvanan", ("nguyenvanan",)), ("MR_YamadaTaro_01", ("YamadaTaro",)),
    ("M.J. Kim", ("M.J. Kim",)), ("Kim MJ", ("Kim MJ",)), ("Lee, J.", ("Lee, J",)), ("RT:LIN", ("RT:LIN",)),
    ("Lin-san", ("Lin-san",)), ("Pak Chŏng-hŭi", ("Chŏng-hŭi",)), ("Tech=Kim", ("Tech=Kim",)),
    # written to slip past a word search: look-alike Cyrillic letters, letters one by one, combining marks
    ("Тanaka Наnako", ("anaka", "anako")), ("Y A M A D A", ("Y A M A D A",)), ("T.A.N.A.K.A", ("T.A.N.A.K.A",)),
    ("Ya\u0301mada Taro", ("mada Taro",)),
    # a common word for a surname: the caret of a person name, x/q/zh, three syllables in a row
    ("LI^NA", ("LI^NA",)), ("WU^LEI", ("WU^LEI",)), ("Li Xin", ("Li Xin",)), ("KURODA^SHIN", ("KURODA",)),
    ("Park Ji Hoon", ("Ji Hoon",)), ("Ly Quang Hai", ("Quang Hai",)), ("Abe Shinzo", ("Shinzo",)),
    ("KIMMINJUN", ("KIMMINJUN",)), ("LINMEIYUN", ("LINMEIYUN",)),   # round 2 left LINMEIYUN in ImageType
]
SHAPE_PLACES_CS = ["ImageTypeValue", "BodyPartExamined"]
SHAPE_PLACES = ["Manufacturer", "ManufacturerModelName", "SoftwareVersions", "ConvolutionKernel", "SequenceName",
                "CodeMeaning", "SegmentLabel"]

# Attributes a cleaned object keeps (the profile's technical values, code strings and labels) and
# attributes the profile removes or replaces (operators' and physicians' hiding places).
DIRECT = ["Manufacturer", "ManufacturerModelName", "SoftwareVersions", "ConvolutionKernel", "SequenceName",
          "ReceiveCoilName", "TransmitCoilName", "DetectorManufacturerName", "AlgorithmName", "BodyPartExamined",
          "StationName", "InstitutionalDepartmentName", "ProtocolName", "RequestedProcedureDescription",
          "ImageComments", "DerivationDescription", "AcquisitionDeviceProcessingDescription", "SeriesDescription",
          "StudyDescription", "PerformedProcedureStepDescription", "PatientPosition", "ScanOptions"]
NESTED = ["CodeMeaning", "SegmentLabel", "ContentLabel", "ContentDescription", "GraphicLayer", "ImageTypeValue"]
CONTEXTS = ["{}", "CT {} 3T", "{} / VA20", "MR_{}_01"]


def _set(ds: Dataset, where: str, value) -> None:
    """Put ``value`` in the attribute ``where`` names (nested labels inside their sequences)."""
    if where == "CodeMeaning":
        ds.AnatomicRegionSequence = Sequence([_code("T-D3000", value, "SRT")])
    elif where == "SegmentLabel":
        seg = Dataset()
        seg.SegmentNumber, seg.SegmentLabel, seg.SegmentAlgorithmType = 1, value, "MANUAL"
        ds.SegmentSequence = Sequence([seg])
    elif where == "GraphicLayer":
        layer = Dataset()
        layer.GraphicLayer, layer.GraphicLayerOrder = value, 1
        ds.GraphicLayerSequence = Sequence([layer])
    elif where == "ImageTypeValue":
        ds.ImageType = ["DERIVED", "SECONDARY", value]
    else:
        setattr(ds, where, value)


def kept_text_members() -> list[Member]:
    """Each name in every attribute (context and order rotating): names × 28 attributes."""
    out = []
    places = DIRECT + NESTED
    for i, (name, secrets) in enumerate(NAMES):
        for j, where in enumerate(places):
            value = CONTEXTS[(i + j) % len(CONTEXTS)].format(name)
            if where in ("BodyPartExamined", "PatientPosition", "ScanOptions", "ImageTypeValue", "ContentLabel",
                         "GraphicLayer"):
                if not value.isascii():
                    continue              # code strings are ASCII (pydicom will not write others)
                value = value.upper()     # and upper case (CS)
            ds = base()
            _set(ds, where, value)
            out.append(Member("kept-text", f"{where}:{name}", to_bytes(ds), secrets))
    return out


def shape_name_members() -> list[Member]:
    out = []
    for i, (name, secrets) in enumerate(SHAPES):
        for j, where in enumerate(SHAPE_PLACES):
            ds = base()
            _set(ds, where, CONTEXTS[(i + j) % len(CONTEXTS)].format(name))
            out.append(Member("name-shape", f"{where}:{name}", to_bytes(ds), secrets))
        for where in SHAPE_PLACES_CS if name.isascii() else ():
            ds = base()
            _set(ds, where, name.upper())
            out.append(Member("name-shape", f"{where}:{name}", to_bytes(ds), tuple(x.upper() for x in secrets)))
    return out


def identifier_members() -> list[Member]:
    """IDs, phones and birth dates in the values kept."""
    out = []
    values = [(f"ext {PHONE}", (PHONE,)), (f"PID {PID}", (PID,)), (f"DOB {BIRTH}", (BIRTH,)),
              (f"{BIRTH[:4]}-{BIRTH[4:6]}-{BIRTH[6:]}", (f"{BIRTH[:4]}-{BIRTH[4:6]}-{BIRTH[6:]}",)),
              (f"call +886 2 2875 7000", ("2875 7000",)), (f"chart {PID}", (PID,)), (f"A{PID[1:]}", (PID[1:],))]
    for i, (value, secrets) in enumerate(values):
        for where in ("Manufacturer", "ManufacturerModelName", "SoftwareVersions", "CodeMeaning", "SegmentLabel",
                      "StationName", "ProtocolName", "ConvolutionKernel"):
            ds = base()
            ds.PatientID = PID
            _set(ds, where, value)
            out.append(Member("identifier", f"{where}:{value}", to_bytes(ds), secrets))
    return out


def uid_members() -> list[Member]:
    """The birth date or the patient's ID inside UIDs and file IDs."""
    out = []
    uids = [f"1.2.392.200036.9116.2.{BIRTH}.1", f"1.2.840.113619.2.{PID}.7", f"1.3.12.2.1107.5.1.4.{PID}{BIRTH}",
            f"1.2.840.10008.{BIRTH}.3", f"2.25.{PID}0000"]
    for uid in uids:
        for kw in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID", "ReferencedSOPInstanceUID"):
            ds = base()
            ds.PatientID = PID
            if kw == "ReferencedSOPInstanceUID":
                ref = Dataset()
                ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
                ref.ReferencedSOPInstanceUID = uid
                ds.ReferencedImageSequence = Sequence([ref])
            else:
                setattr(ds, kw, uid)
            out.append(Member("uid", f"{kw}:{uid}", to_bytes(ds), (BIRTH, PID)))
    for fid in (["DICOM", BIRTH, PID], ["IMAGES", "TANAKA", "HANAKO"], [f"P{PID}", "S1"]):
        ds = base()
        ds.PatientID = PID
        item = Dataset()
        item.ReferencedFileID = fid
        item.ReferencedSOPInstanceUIDInFile = f"1.2.3.{BIRTH}"
        ds.DirectoryRecordSequence = Sequence([item])
        ds.ReferencedFileID = fid
        out.append(Member("uid", f"ReferencedFileID:{'/'.join(fid)}", to_bytes(ds), (BIRTH, PID, "TANAKA")))
    return out


def _text_object(text: str) -> Dataset:
    t = Dataset()
    t.UnformattedTextValue = text
    t.AnchorPointAnnotationUnits, t.AnchorPoint, t.AnchorPointVisibility = "PIXEL", [10.0, 10.0], "Y"
    return t


def _content(value_type: str, meaning: str = "Finding", **values) -> Dataset:
    item = Dataset()
    item.RelationshipType, item.ValueType = "CONTAINS", value_type
    item.ConceptNameCodeSequence = Sequence([_code("R4-1", meaning)])
    for k, v in values.items():
        setattr(item, k, v)
    return item


def object_members() -> list[Member]:
    """Presentation states, key objects, SR, segmentations, RT structures, documents,
    waveforms and per-frame groups, each with each of a few names."""
    out = []
    for name, secrets in NAMES[::3]:
        builds = {}
        ds = base()   # presentation state: the text drawn over the image and the layer names
        ann = Dataset()
        ann.GraphicLayer = "ANNOT"
        ann.TextObjectSequence = Sequence([_text_object(f"measured by {name}")])
        ds.GraphicAnnotationSequence = Sequence([ann])
        layer = Dataset()
        layer.GraphicLayer, layer.GraphicLayerOrder, layer.GraphicLayerDescription = "ANNOT", 1, f"{name} notes"
        ds.GraphicLayerSequence = Sequence([layer])
        ds.ContentLabel, ds.ContentDescription = "PS1", f"PR for {name}"
        builds["presentation"] = ds
        ds = base()   # key object selection: the title's code meaning and the note
        ds.ConceptNameCodeSequence = Sequence([_code("113000", f"Of interest to {name}", "DCM")])
        ds.ContentSequence = Sequence([_content("TEXT", "Key Object Description", TextValue=f"{name} flagged this"),
                                       _content("CODE", ConceptCodeSequence=Sequence([_code("R4-2", name)]))])
        builds["key-object"] = ds
        ds = base()   # SR: the text kept after the scrubber, code meanings, a container
        ds.ContentSequence = Sequence([
            _content("TEXT", TextValue=f"Findings discussed with {name} at 10:00."),
            _content("CONTAINER", f"Section by {name}", ContinuityOfContent="SEPARATE",
                     ContentSequence=Sequence([_content("TEXT", TextValue=f"Report read: {name}.")]))])
        builds["sr"] = ds
        ds = base()   # segmentation
        seg = Dataset()
        seg.SegmentNumber, seg.SegmentLabel, seg.SegmentAlgorithmType = 1, f"{name} lesion", "SEMIAUTOMATIC"
        seg.SegmentDescription, seg.SegmentAlgorithmName = f"drawn by {name}", "NNU 2.0"
        seg.SegmentedPropertyTypeCodeSequence = Sequence([_code("R4-3", f"{name} mass")])
        ds.SegmentSequence = Sequence([seg])
        builds["segmentation"] = ds
        ds = base()   # RT structure set
        roi = Dataset()
        roi.ROINumber, roi.ROIName, roi.ROIGenerationAlgorithm = 1, f"{name} GTV", "MANUAL"
        roi.ROIDescription = f"contoured by {name}"
        ds.StructureSetROISequence = Sequence([roi])
        ds.StructureSetLabel, ds.StructureSetName = f"{name} plan", f"SS {name}"
        obs = Dataset()
        obs.ObservationNumber, obs.ROIObservationLabel, obs.RTROIInterpretedType = 1, f"{name}", "GTV"
        ds.RTROIObservationsSequence = Sequence([obs])
        builds["rt-structure"] = ds
        ds = base()   # encapsulated PDF: its title, its code and the text inside
        ds.DocumentTitle = f"Referral for {name}"
        ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
        ds.ConceptNameCodeSequence = Sequence([_code("R4-4", f"Letter {name}")])
        ds.EncapsulatedDocument = (b"%PDF-1.4\n1 0 obj<<>>stream\nBT (" + name.encode("utf-8")
                                   + b") Tj ET\nendstream endobj\n%%EOF\n")
        builds["document"] = ds
        ds = base()   # waveform: channel labels, the source's code meaning, names in the samples
        wave = Dataset()
        chan = Dataset()
        chan.ChannelLabel = f"{name} I"
        chan.ChannelSourceSequence = Sequence([_code("5.6.3-9-1", f"Lead {name}", "SCPECG")])
        wave.ChannelDefinitionSequence = Sequence([chan])
        wave.NumberOfWaveformChannels, wave.NumberOfWaveformSamples = 1, 16
        wave.WaveformBitsAllocated, wave.WaveformSampleInterpretation = 16, "SS"
        wave.WaveformData = name.encode("utf-8").ljust(32, b"\0")[:32]
        ds.WaveformSequence = Sequence([wave])
        builds["waveform"] = ds
        ds = base()   # multi-frame: the fifth frame's groups carry the name
        frames = []
        for f in range(5):
            grp = Dataset()
            content = Dataset()
            content.FrameLabel = f"{name}" if f == 4 else f"F{f}"
            content.FrameComments = f"checked by {name}" if f == 4 else ""
            grp.FrameContentSequence = Sequence([content])
            der = Dataset()
            der.DerivationDescription = f"{name} resampled"
            der.DerivationCodeSequence = Sequence([_code("113076", f"Segmentation {name}" if f == 4 else "Segmentation", "DCM")])
            grp.DerivationImageSequence = Sequence([der])
            frames.append(grp)
        ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
        ds.NumberOfFrames = 5
        builds["per-frame"] = ds
        for kind, ds in builds.items():
            out.append(Member(kind, name, to_bytes(ds), secrets))
    return out


def _csa2(text: str) -> bytes:
    """A Siemens CSA2 header (SV10) with one element whose value is ``text``."""
    value = text.encode("latin-1", "replace")
    value += b"\0" * ((-len(value)) % 4)
    return (b"SV10\x04\x03\x02\x01" + struct.pack("<II", 1, 77) + b"OperatorsName".ljust(64, b"\0")
            + struct.pack("<i4sIII", 1, b"PN\0\0", 0, 1, 77) + struct.pack("<4I", len(value), len(value), 77, len(value))
            + value)


def private_members() -> list[Member]:
    """Vendors' private blocks not tried before: Philips MR DD 005 sequences, GE acquisition and
    series blocks, a Siemens CSA2 series header, Canon, Hitachi, United Imaging, Fujifilm."""
    out = []
    for name, secrets in NAMES[1::4]:
        for syntax in (ExplicitVRLittleEndian, ImplicitVRLittleEndian):
            ds = base(syntax)
            p = ds.private_block(0x2005, "Philips MR Imaging DD 005", create=True)
            inner = Dataset()
            inner.add_new(0x00081030, "LO", f"{name} brain")
            p.add_new(0x10, "SQ", Sequence([inner]))
            p.add_new(0x11, "LO", f"Ingenia {name}")
            g = ds.private_block(0x0019, "GEMS_ACQU_01", create=True)
            g.add_new(0x9E, "SH", name[:16])
            g2 = ds.private_block(0x0025, "GEMS_SERS_01", create=True)
            g2.add_new(0x1B, "OB", f"{name}\0{PID}".encode("utf-8"))
            s = ds.private_block(0x0029, "SIEMENS CSA HEADER", create=True)
            s.add_new(0x20, "OB", _csa2(f"{name} {PID}"))
            c = ds.private_block(0x7005, "TOSHIBA_MEC_CT3", create=True)
            c.add_new(0x30, "LO", name)
            h = ds.private_block(0x0009, "HMC - CT - ID", create=True)
            h.add_new(0x20, "UN", name.encode("utf-8"))
            u = ds.private_block(0x0065, "Uih_Stage_1", create=True)
            u.add_new(0x10, "UT", f"operator {name}")
            out.append(Member("private", f"{syntax.name}:{name}", to_bytes(ds), secrets + (PID,)))
    return out


def charset_members() -> list[Member]:
    """The same romanised names under character sets not tried (JIS with full-width letters,
    Korean, Thai, Cyrillic, GBK, half-width katakana sets)."""
    out = []
    sets = ["ISO 2022 IR 87", "\\ISO 2022 IR 87", "ISO 2022 IR 149", "\\ISO 2022 IR 149", "ISO_IR 166",
            "ISO_IR 144", "GBK", "ISO_IR 13", "ISO 2022 IR 13\\ISO 2022 IR 87", "ISO_IR 101", "ISO_IR 192"]
    for charset in sets:
        for name, secrets in (("YAMADA^TARO", ("YAMADA",)), ("KIM MIN-JUN", ("MIN-JUN",)),
                              ("Budi Santoso", ("Santoso",)), ("Nguyen Van An", ("Nguyen",))):
            ds = base(charset=charset)
            ds.ManufacturerModelName = f"MX {name}"
            ds.AnatomicRegionSequence = Sequence([_code("T-D3000", f"Chest {name}", "SRT")])
            out.append(Member("charset", f"{charset}:{name}", to_bytes(ds), secrets))
    ds = base(charset="\\ISO 2022 IR 87")   # full-width romaji (JIS X 0208 row 3)
    ds.Manufacturer = "ＴＡＮＡＫＡ　ＨＡＮＡＫＯ"
    out.append(Member("charset", "jis-fullwidth", to_bytes(ds), ("ＴＡＮＡＫＡ",)))
    return out


def shape_members() -> list[Member]:
    """Over-long values, multi-valued ones, and one name split across two elements."""
    out = []
    for name, secrets in NAMES[::2]:
        ds = base()
        ds.ManufacturerModelName = "A" * 60 + " " + name     # over LO's 64, under twice that
        out.append(Member("long", f"ManufacturerModelName:{name}", to_bytes(ds), secrets))
        ds = base()
        ds.AnatomicRegionSequence = Sequence([_code("T-D3000", "Chest " * 11 + name, "SRT")])
        out.append(Member("long", f"CodeMeaning:{name}", to_bytes(ds), secrets))
        ds = base()
        ds.SoftwareVersions = ["VA20", "syngo", name]
        out.append(Member("multi", f"SoftwareVersions:{name}", to_bytes(ds), secrets))
        ds = base()
        ds.ConvolutionKernel = ["B30f", name.replace(" ", "\\")]
        out.append(Member("multi", f"ConvolutionKernel:{name}", to_bytes(ds), secrets))
    splits = [("YAMADA", "TARO"), ("KIM", "MIN-JUN"), ("Tanaka", "Hanako"), ("Nguyen", "Van An"),
              ("SANTOSO", "Budi"), ("LIN", "Mei-Hua"), ("Watanabe", "Sakura"), ("CHEN", "Xiaoming")]
    for a, b in splits:
        for first, second in (("Manufacturer", "ManufacturerModelName"), ("SequenceName", "ReceiveCoilName"),
                              ("CodeMeaning", "SoftwareVersions")):
            ds = base()
            _set(ds, first, a)
            _set(ds, second, b)
            secrets = tuple(s for s in (a, b) if s not in ("Van An",))
            out.append(Member("split", f"{first}+{second}:{a}/{b}", to_bytes(ds), secrets))
    return out


def all_members() -> list[Member]:
    return (kept_text_members() + shape_name_members() + identifier_members() + uid_members() + object_members()
            + private_members() + charset_members() + shape_members())


# Values a cleaned object keeps for research (utility): real vendors' devices, kernels, coils,
# sequences, body parts and code meanings.
ORDINARY = {
    "Manufacturer": ["SIEMENS", "Philips", "GE MEDICAL SYSTEMS", "TOSHIBA", "Canon Medical Systems", "FUJIFILM Corporation",
                     "Hitachi", "Shimadzu", "Samsung Medison", "Mindray", "United Imaging Healthcare", "Agfa",
                     "Carestream Health", "Hologic", "KONICA MINOLTA", "FUKUDA DENSHI", "J. MORITA MFG. CORP.",
                     "Neusoft Medical Systems", "Esaote", "NIHON KOHDEN"],
    "ManufacturerModelName": ["Ingenia", "Aquilion ONE", "SOMATOM Force", "Brilliance 64", "Discovery MR750",
                              "Optima CT660", "Revolution CT", "Signa HDxt", "Biograph mCT", "uMR 780",
                              "Vereos", "Achieva", "Skyra", "Prisma", "Vantage Titan", "ECHELON OVAL",
                              "Sonialvision G4", "CXDI-710C", "Lumify", "LOGIQ E9"],
    "ConvolutionKernel": ["B30f", "FC13", "STANDARD", "BONE", "LUNG", "Br40d", "YA", "FC08"],
    "SequenceName": ["*tfl3d1_16ns", "*fl2d1", "ep_b1000", "*tse2d1_15", "SE", "GR"],
    "ReceiveCoilName": ["HeadNeck_20", "Body_18", "SENSE-Head-8", "8HRBRAIN", "Spine_32"],
    "BodyPartExamined": ["CHEST", "HEAD", "ABDOMEN", "LSPINE", "KNEE", "HEART", "PELVIS"],
    "CodeMeaning": ["Chest", "Lung", "Liver", "Left ventricle", "Kawasaki disease", "Hashimoto thyroiditis",
                    "Hashimoto's thyroiditis", "Takayasu arteritis", "Computed Tomography", "Magnetic Resonance",
                    "Mass", "Nodule", "Hong Kong", "Long axis", "Min intensity projection"],
}
