"""Round 6 of unseen DICOM files (D1): the gaps round 5 left, each as a class with many members,
and classes no earlier generator tried.

- a given name alone in a kept value, no surname next to it ("Jennifer", "Xiaoming", "Mei-Ling");
- the file's own people (patient, operator, physicians) in a kept value by initials ("Kong L.",
  "K.L.W.", "Wang XM", "WXM"), by a Western short form (Bill for William, Liz, Peggy) or in
  another romanisation (Xu for Hsu, Zhang for Chang, Cai for Tsai), in any order and case;
- names in RT structure sets, segmentations, presentation states, waveform annotations, key
  object notes, request and scheduled-step sequences, ReferencedPatientSequence, per-frame
  functional groups, private sequences nested deep, multi-valued values, values written as UN
  or under a VR their tag does not have, public tags no dictionary knows and retired ones;
- dates and times that re-link (an acquisition date-time with its offset, the study day inside
  a label or a frame label).

Deterministic, built with pydicom.  Each member is ``Member(cls, name, data, secrets)`` (the
round-3 shape): nothing in ``secrets`` may be anywhere in the cleaned file.  ``CAPTURES`` are
images whose pixels must be assumed to carry text (``burned_in.risk_reason``)."""
from __future__ import annotations

import struct

import numpy as np
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.deidentify.dicom_round3_files import Member, _code, base, to_bytes
from tests.deidentify.dicom_round5_files import _cs, _pair

STUDY_DAY = "20230501"

# Given names alone (no surname anywhere in the object): Western first names and East Asian
# given names in every spelling a typist uses.
GIVEN_ALONE = ["Jennifer", "Michael", "Sarah", "Jessica", "Christopher", "Brittany", "Stephanie", "Kimberly",
               "Matthew", "Heather", "Xiaoming", "Mei-Ling", "Hiroshi", "Ji-woo", "Meiling", "Yating", "Shu-Fen",
               "Chia-Hui", "Minjun", "Siew Ling"]
GIVEN_PLACES = ["Manufacturer", "ManufacturerModelName", "SoftwareVersions", "ConvolutionKernel", "CodeMeaning",
                "SegmentLabel", "GraphicLayer", "ContentLabel", "ImageTypeValue", "ContentDescription",
                "SequenceName", "ReceiveCoilName"]
GIVEN_CONTEXTS = ["{}", "{} 2", "({})", "for {}", "{}'s"]

# (PN attribute, the person's name, the written forms of them planted in a kept value)
PEOPLE_FORMS = [
    ("PatientName", "KONG^LINGWEI", ["Kong L.", "L. Kong", "K.L.W.", "KLW", "L.W. Kong", "kong lw"]),
    ("PatientName", "WANG^XIAOMING", ["Wang XM", "WXM", "X.M. Wang", "Xiao-Ming W.", "XM WANG", "W. Xiaoming"]),
    ("OperatorsName", "SMITH^WILLIAM", ["Bill", "Billy", "Will S.", "W. Smith", "BILL"]),
    ("PerformingPhysicianName", "BROWN^ELIZABETH", ["Liz", "Beth", "Betty", "Lizzie", "E. Brown"]),
    ("ReferringPhysicianName", "JONES^MARGARET", ["Peggy", "Maggie", "Meg J.", "M. Jones"]),
    ("OperatorsName", "DAVIS^JAMES", ["Jim", "Jimmy", "JIM D", "J. Davis"]),
    ("OperatorsName", "MILLER^ROBERT", ["Bob", "Bobby", "Rob M.", "Bert"]),
    ("PatientName", "HSU^MEI-HUA", ["Xu Meihua", "Hsü Mei-Hua", "Xu MH", "Meihua Xu", "Hsu M.H."]),
    ("PhysiciansOfRecord", "CHANG^CHIH-WEI", ["Zhang Zhiwei", "Zhang ZW", "Zhiwei ZHANG", "Chang C.W."]),
    ("OperatorsName", "TSAI^YI-TING", ["Cai Yiting", "Cai YT", "Yiting Cai", "Tsai Y.T."]),
    ("NameOfPhysiciansReadingStudy", "CHOU^CHIA-HAO", ["Zhou Jiahao", "Jiahao Zhou", "Chou CH"]),
    ("PatientName", "KUO^CHUN-HUNG", ["Guo Junhong", "Kuo C.H.", "Junhong Guo"]),
    # a person named in characters only: the surname romanised
    ("PatientName", "王^小明", ["Wang", "Ong XM", "WANG"]),
    ("OperatorsName", "蔡^依婷", ["Tsai", "Cai", "Dr Choi"]),
    ("PerformingPhysicianName", "=許^美華", ["Hsu", "Xu M.", "Dr. Hui"]),
    ("ReferringPhysicianName", "歐陽娜娜", ["Ouyang", "Au-Yeung"]),
]
FORM_PLACES = ["Manufacturer", "SoftwareVersions", "CodeMeaning", "SegmentLabel", "ConvolutionKernel",
               "ContentDescription", "ReceiveCoilName"]

# Names the new hiding places carry: a third person, a given name alone, an initials form.
THIRD = "Okonkwo Adaeze"
HIDDEN = [THIRD, "Jennifer", "Mei-Ling", "Xiaoming", "Hiroshi"]


def given_alone_members() -> list[Member]:
    out = []
    for i, name in enumerate(GIVEN_ALONE):
        for j, where in enumerate(GIVEN_PLACES):
            value = GIVEN_CONTEXTS[(i + j) % len(GIVEN_CONTEXTS)].format(name)
            if where in ("ContentLabel", "GraphicLayer", "ImageTypeValue"):
                value = value.upper().replace("'", "").replace("(", "").replace(")", "")
                if not all(c.isalnum() or c in " _" for c in value):
                    value = name.upper().replace("-", "_").replace(" ", "_")
            ds = base()
            _pair(ds, where, value)
            out.append(Member("given-alone", f"{where}:{value}", to_bytes(ds), (name.replace("_", "-"),)))
    return out


# A person after a word that introduces one, in the case a code string or a typist writes.
LEAD_FORMS = ["scan for jennifer", "DRAWN BY OKONKWO ADAEZE", "contoured by Dr Adaeze", "Mary-Jane", "for Mary-Jane",
              "read with Okonkwo Adaeze", "REVIEWED BY ADAEZE", "by matthew", "Lead I Jennifer", "Jennifer chest",
              "Okonkwo Adaeze chest"]
LEAD_PLACES = ["CodeMeaning", "SegmentLabel", "ContentDescription", "GraphicLayerDescription", "ConvolutionKernel",
               "SoftwareVersions"]


def lead_members() -> list[Member]:
    out = []
    for value in LEAD_FORMS:
        secrets = tuple(w for w in ("Jennifer", "Okonkwo", "Adaeze", "Mary-Jane", "Matthew") if w.lower() in value.lower())
        for where in LEAD_PLACES:
            ds = base()
            _pair(ds, where, value)
            out.append(Member("lead", f"{where}:{value}", to_bytes(ds), secrets))
    return out


def people_form_members() -> list[Member]:
    out = []
    for i, (attr, pn, forms) in enumerate(PEOPLE_FORMS):
        for j, form in enumerate(forms):
            for k, where in enumerate(FORM_PLACES):
                if (j + k) % 2 and where != "Manufacturer":
                    continue   # every form in half the places, rotating
                ds = base()
                setattr(ds, attr, pn)
                _pair(ds, where, form)
                out.append(Member("people-form", f"{attr}:{pn}>{where}:{form}", to_bytes(ds), (form,)))
    return out


# --- the objects whose labels people type -----------------------------------------------------

def _item(**values) -> Dataset:
    item = Dataset()
    for k, v in values.items():
        setattr(item, k, v)
    return item


def _rt(name: str) -> dict[str, Dataset]:
    """Where a name rides in RT, SEG, presentation states, waveforms and key objects."""
    rois = {}
    ds = base()
    ds.StructureSetROISequence = Sequence([_item(ROINumber=1, ROIName=f"PTV {name}", ROIGenerationAlgorithm="MANUAL")])
    rois["roi-name"] = ds
    ds = base()
    ds.RTROIObservationsSequence = Sequence([_item(ObservationNumber=1, ROIObservationLabel=name,
                                                   RTROIInterpretedType="ORGAN", ROIInterpreter="")])
    rois["roi-observation"] = ds
    ds = base()
    ds.StructureSetLabel, ds.StructureSetName = name[:16], f"plan of {name}"
    rois["structure-set"] = ds
    ds = base()
    ds.RTPlanLabel, ds.RTPlanName = name[:16], name
    ds.BeamSequence = Sequence([_item(BeamNumber=1, BeamName=name, BeamDescription=f"arc for {name}")])
    rois["rt-plan"] = ds
    ds = base()
    ds.SegmentSequence = Sequence([_item(SegmentNumber=1, SegmentLabel="Liver", SegmentDescription=f"drawn by {name}",
                                         SegmentAlgorithmType="MANUAL", SegmentAlgorithmName=name)])
    rois["segment"] = ds
    ds = base()
    ds.GraphicAnnotationSequence = Sequence([_item(
        GraphicLayer="TEXT", TextObjectSequence=Sequence([_item(UnformattedTextValue=f"{name} lesion",
                                                                BoundingBoxAnnotationUnits="PIXEL")]))])
    ds.ContentLabel, ds.ContentCreatorName = "ANNOTATION", "OKONKWO^ADAEZE"
    rois["presentation"] = ds
    ds = base()
    ds.WaveformAnnotationSequence = Sequence([_item(UnformattedTextValue=f"paced, {name} present",
                                                    ReferencedWaveformChannels=[1, 1])])
    ds.WaveformSequence = Sequence([_item(MultiplexGroupLabel=name, ChannelDefinitionSequence=Sequence([
        _item(ChannelLabel=name, ChannelSourceSequence=Sequence([_code("5.6.3-9-1", f"Lead I {name}", "MDC")]))]))])
    rois["waveform"] = ds
    ds = base()
    ds.ConceptNameCodeSequence = Sequence([_code("113000", "Of Interest", "DCM")])
    ds.ContentSequence = Sequence([_item(RelationshipType="CONTAINS", ValueType="TEXT", TextValue=f"for {name}",
                                         ConceptNameCodeSequence=Sequence([_code("113012", "Key Object Description",
                                                                                 "DCM")]))])
    rois["key-object"] = ds
    ds = base()
    ds.ContentLabel, ds.ContentDescription = "REVIEW", f"read with {name}"
    rois["content-label"] = ds
    return rois


def object_members() -> list[Member]:
    out = []
    for name in HIDDEN:
        for where, ds in _rt(name).items():
            out.append(Member("objects", f"{where}:{name}", to_bytes(ds), (name, "Okonkwo", "Adaeze")))
    return out


def request_members() -> list[Member]:
    """Request attributes, scheduled steps and ReferencedPatientSequence carrying a person."""
    out = []
    for name in HIDDEN:
        shapes = {}
        ds = base()
        ds.RequestAttributesSequence = Sequence([_item(
            RequestedProcedureID="RP1", ScheduledProcedureStepID="SP1",
            ScheduledProcedureStepDescription=f"CT for {name}", RequestedProcedureDescription=name,
            ReasonForTheRequestedProcedure=f"asked by {name}",
            RequestedProcedureCodeSequence=Sequence([_code("CT1", f"CT chest {name}")]))])
        shapes["request-attributes"] = ds
        ds = base()
        ds.ScheduledProcedureStepSequence = Sequence([_item(
            ScheduledStationName=name[:16], ScheduledProcedureStepLocation=name,
            ScheduledPerformingPhysicianName="OKONKWO^ADAEZE", ScheduledProcedureStepDescription=name,
            ScheduledProtocolCodeSequence=Sequence([_code("P1", f"protocol {name}")]))])
        shapes["scheduled-step"] = ds
        ds = base()
        ref = _item(ReferencedSOPClassUID="1.2.840.10008.3.1.2.1.1", ReferencedSOPInstanceUID="1.2.3.4")
        ref.PatientName, ref.PatientID, ref.PatientComments = "OKONKWO^ADAEZE", "0099887766", name
        ds.ReferencedPatientSequence = Sequence([ref])
        shapes["referenced-patient"] = ds
        ds = base()
        ds.ReferencedStudySequence = Sequence([_item(ReferencedSOPClassUID="1.2.840.10008.3.1.2.3.1",
                                                     ReferencedSOPInstanceUID="1.2.3.5",
                                                     ProcedureCodeSequence=Sequence([_code("X", name)]))])
        shapes["referenced-study-code"] = ds
        for where, ds in shapes.items():
            out.append(Member("request", f"{where}:{name}", to_bytes(ds), (name, "Okonkwo", "Adaeze", "0099887766")))
    return out


def per_frame_members() -> list[Member]:
    out = []
    for name in HIDDEN:
        for where in ("FrameLabel", "FrameComments", "DerivationDescription", "FrameAnatomy", "Shared",
                      "PlaneLabel"):
            ds = base()
            frame = Dataset()
            if where in ("FrameLabel", "FrameComments"):
                frame.FrameContentSequence = Sequence([_item(FrameAcquisitionNumber=1, **{where: name})])
            elif where == "DerivationDescription":
                frame.DerivationImageSequence = Sequence([_item(DerivationDescription=f"MPR by {name}")])
            elif where == "FrameAnatomy":
                frame.FrameAnatomySequence = Sequence([_item(FrameLaterality="R", AnatomicRegionSequence=Sequence(
                    [_code("T-1", f"{name} chest")]))])
            elif where == "PlaneLabel":
                frame.PlanePositionSequence = Sequence([_item(ImagePositionPatient=["1", "2", "3"])])
                frame.FrameContentSequence = Sequence([_item(FrameAcquisitionNumber=1,
                                                             DimensionIndexValues=[1, 2], FrameLabel=f"{name} 1")])
            if where == "Shared":
                ds.SharedFunctionalGroupsSequence = Sequence([_item(FrameVOILUTSequence=Sequence([
                    _item(WindowCenter="40", WindowWidth="400", WindowCenterWidthExplanation=name)]))])
            else:
                ds.PerFrameFunctionalGroupsSequence = Sequence([frame, frame])
            out.append(Member("per-frame", f"{where}:{name}", to_bytes(ds), (name,)))
    return out


def private_deep_members() -> list[Member]:
    """Private blocks nested three to five deep inside public and private sequences."""
    out = []
    for depth in (3, 4, 5):
        for name in HIDDEN:
            leaf = Dataset()
            leaf.add_new(0x00290010, "LO", "ACME 1.0")
            leaf.add_new(0x00291001, "LO", name)
            leaf.add_new(0x00291002, "UN", name.encode("utf-8"))
            for level in range(depth):
                outer = Dataset()
                outer.add_new(0x00290010, "LO", "ACME 1.0")
                if level % 2:
                    outer.ReferencedImageSequence = Sequence([leaf])
                else:
                    outer.add_new(0x00291010, "SQ", Sequence([leaf]))
                leaf = outer
            ds = base()
            ds.SourceImageSequence = Sequence([leaf])
            out.append(Member("private-deep", f"{depth}:{name}", to_bytes(ds), (name,)))
    return out


def multiplicity_members() -> list[Member]:
    """A name as one value of a multi-valued element (backslash multiplicity)."""
    out = []
    for name in HIDDEN:
        for where, values in (("SoftwareVersions", ["VA20", name]), ("ConvolutionKernel", ["B30f", name, "HEAD"]),
                              ("ImageType", ["DERIVED", "SECONDARY", name.upper().replace(" ", "_").replace("-", "_")]),
                              ("SequenceName", ["*tfl3d1", name]),
                              ("WindowCenterWidthExplanation", ["WINDOW1", name])):
            ds = base()
            setattr(ds, where, values)
            out.append(Member("multiplicity", f"{where}:{name}", to_bytes(ds), (name.replace("_", "-"),)))
    return out


def _explicit(group: int, elem: int, vr: str, value: bytes) -> bytes:
    value += b" " * (len(value) % 2)
    if vr in ("OB", "OW", "UN", "SQ", "UT", "UC", "UR"):
        return struct.pack("<HH2sHI", group, elem, vr.encode(), 0, len(value)) + value
    return struct.pack("<HH2sH", group, elem, vr.encode(), len(value)) + value


_LONG_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT"}


def _insert_raw(data: bytes, group: int, elem: int, vr: str, value: bytes) -> bytes:
    """``data`` (explicit VR little endian, no sequences at the top level) with one element
    written as given, in tag order: pydicom writes a known tag under its dictionary VR."""
    pos = 132
    while pos < len(data):
        g, e = struct.unpack_from("<HH", data, pos)
        v = data[pos + 4:pos + 6].decode()
        length, head = ((struct.unpack_from("<I", data, pos + 8)[0], 12) if v in _LONG_VRS
                        else (struct.unpack_from("<H", data, pos + 6)[0], 8))
        if g != 0x0002 and (g, e) > (group, elem):
            break
        pos += head + length
    return data[:pos] + _explicit(group, elem, vr, value) + data[pos:]


def vr_members() -> list[Member]:
    """UN holding a person name, and values written under a VR their tag does not have."""
    out = []
    for name in HIDDEN:
        raw = name.encode("utf-8")
        for tag, vr, label in ((0x00081070, "UN", "operators-as-UN"), (0x00080070, "UN", "manufacturer-as-UN"),
                               (0x00080070, "PN", "manufacturer-as-PN"), (0x00081090, "UT", "model-as-UT"),
                               (0x00181020, "PN", "software-as-PN"), (0x00080104, "UN", "meaning-as-UN"),
                               (0x00180015, "LO", "bodypart-as-LO"), (0x00200011, "LO", "series-number-as-LO"),
                               (0x00181030, "UN", "protocol-as-UN"), (0x00081090, "UN", "model-as-UN"),
                               (0x00080080, "UN", "institution-as-UN"), (0x00321032, "UN", "requesting-as-UN")):
            ds = base()
            out.append(Member("vr", f"{label}:{name}",
                              _insert_raw(to_bytes(ds), tag >> 16, tag & 0xFFFF, vr, raw), (name,)))
    return out


# public tags no dictionary knows (even groups) and retired ones with text
UNKNOWN_TAGS = [(0x00180001, "LO"), (0x00280001, "SH"), (0x00400001, "LT"), (0x00209999, "LO"), (0x7FD00010, "LO")]
RETIRED_TAGS = [(0x00080010, "SH"), (0x00181012, "DA"), (0x00205002, "LO"), (0x00284000, "LT"), (0x40080300, "ST"),
                (0x40080102, "PN"), (0x40080114, "PN"), (0x00080045, "CS")]


def tag_members() -> list[Member]:
    out = []
    for name in HIDDEN:
        for tag, vr in UNKNOWN_TAGS + RETIRED_TAGS:
            ds = base()
            value = STUDY_DAY if vr == "DA" else (name.upper().replace(" ", "_").replace("-", "_") if vr == "CS"
                                                  else name)
            ds.add(DataElement(tag, vr, value))
            out.append(Member("tags", f"{tag:08X}:{vr}:{name}", to_bytes(ds), (name.replace("_", "-"),)))
    return out


def date_members() -> list[Member]:
    """The study's day and time where they re-link: offsets, frame labels, kept labels, items."""
    out = []
    day, dotted, slashed = STUDY_DAY, "2023.05.01", "2023/05/01"
    places = {
        "acq-datetime-offset": lambda ds: setattr(ds, "AcquisitionDateTime", f"{day}101500.000+0800"),
        "frame-datetime": lambda ds: setattr(ds, "PerFrameFunctionalGroupsSequence", Sequence([_item(
            FrameContentSequence=Sequence([_item(FrameAcquisitionDateTime=f"{day}101500+0800",
                                                 FrameReferenceDateTime=f"{day}101500")]))])),
        "sr-datetime": lambda ds: setattr(ds, "ContentSequence", Sequence([_item(
            RelationshipType="CONTAINS", ValueType="DATETIME", DateTime=f"{day}101500+0800",
            ObservationDateTime=f"{day}101500")])),
        "frame-label": lambda ds: setattr(ds, "PerFrameFunctionalGroupsSequence", Sequence([_item(
            FrameContentSequence=Sequence([_item(FrameLabel=f"scan {dotted}")]))])),
        "segment-label": lambda ds: _pair(ds, "SegmentLabel", f"Tumour {slashed}"),
        "code-meaning": lambda ds: _pair(ds, "CodeMeaning", f"Follow-up {dotted}"),
        "software": lambda ds: setattr(ds, "SoftwareVersions", f"VA20 {slashed}"),
        "content-label": lambda ds: setattr(ds, "ContentLabel", f"SCAN_{day}"),
        "image-type": lambda ds: setattr(ds, "ImageType", ["DERIVED", "SECONDARY", f"D{day}"]),
        "series-time-at-depth": lambda ds: setattr(ds, "ReferencedSeriesSequence", Sequence([_item(
            SeriesInstanceUID="1.2.3.9", SeriesDate=day, SeriesTime="101500")])),
        "timezone-item": lambda ds: setattr(ds, "RequestAttributesSequence", Sequence([_item(
            ScheduledProcedureStepStartDate=day, ScheduledProcedureStepStartTime="101500")])),
    }
    for label, plant in places.items():
        ds = base()
        plant(ds)
        out.append(Member("date", label, to_bytes(ds), (day, dotted, slashed, "20230501101500")))
    return out


# --- pixels that must be assumed to carry text -------------------------------------------------

def _image(ds: Dataset, rgb: bool = False) -> Dataset:
    ds.Rows = ds.Columns = 16
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit, ds.PixelRepresentation = 7, 0
    if rgb:
        ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
        ds.PixelData = np.zeros((16, 16, 3), np.uint8).tobytes()
    else:
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.PixelData = np.zeros((16, 16), np.uint8).tobytes()
    return ds


def capture_members() -> dict[str, Dataset]:
    """Images labelled as an ordinary class whose pixels are a capture: each must count as one."""
    out = {}
    ds = _image(base())
    ds.SequenceOfUltrasoundRegions = Sequence([_item(RegionSpatialFormat=1, RegionDataType=1, RegionFlags=0)])
    out["ultrasound-regions"] = ds
    ds = _image(base())
    ds.SecondaryCaptureDeviceManufacturer = "Screen Grabber"
    out["capture-device"] = ds
    ds = _image(base())
    ds.DateOfSecondaryCapture = STUDY_DAY
    out["capture-date"] = ds
    ds = _image(base())
    ds.ImageType = ["DERIVED", "SECONDARY", "CAPTURE"]
    out["image-type-capture"] = ds
    ds = _image(base())
    ds.ImageType = ["DERIVED", "SECONDARY", "SNAPSHOT"]
    out["image-type-snapshot"] = ds
    ds = _image(base())
    ds.RecognizableVisualFeatures = "YES"
    out["visual-features"] = ds
    ds = _image(base())
    ds.Modality = ""
    ds.VideoImageFormatAcquired = "NTSC"
    out["video-format"] = ds
    return out


def all_members() -> list[Member]:
    return (given_alone_members() + people_form_members() + lead_members() + object_members() + request_members()
            + per_frame_members() + private_deep_members() + multiplicity_members() + vr_members()
            + tag_members() + date_members())


# What a study needs: kept after the round-6 rules (devices that are also given names in
# other lists, labels, eponyms, the standard's code words).
ORDINARY = {
    "Manufacturer": ["SIEMENS", "Philips", "GE MEDICAL SYSTEMS", "Canon Medical Systems", "Hologic", "Esaote",
                     "Carestream Health", "Mindray"],
    "ManufacturerModelName": ["Ingenia", "Aquilion ONE", "SOMATOM Force", "Avanto", "Skyra", "Prisma", "Vida",
                              "Sola", "Harmony", "Symphony", "Sonata", "Aurora", "Lumina", "Aria", "Iris",
                              "Genesis", "Victoria", "Selenia Dimensions", "Artis zee", "Juniper", "Sequoia",
                              "Allegra", "Espree", "Trio", "Signa Premier", "Definition Edge"],
    "SoftwareVersions": ["VA20", "syngo MR E11", "5.1.2", "Apollo"],
    "CodeMeaning": ["Hashimoto's thyroiditis", "Hodgkin lymphoma", "Kawasaki disease", "Crohn disease",
                    "Bell palsy", "Addison disease", "Graves disease", "Wilson disease", "Parkinson disease",
                    "Down syndrome", "Baker cyst", "Morton neuroma", "Chest", "Liver", "Left kidney"],
    "SegmentLabel": ["Liver", "Tumour 1", "Kidney L", "Heart", "Spleen", "Aorta", "Gallbladder"],
    "ConvolutionKernel": ["B30f", "STANDARD", "BONE", "Br40", "FC13"],
    "ContentLabel": ["ANNOTATION", "REVIEW", "MEASUREMENTS"],
}
