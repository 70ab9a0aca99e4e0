"""Round 8 of unseen DICOM files (D1): the gaps round 7 left, each as a class with many members.

- a lone word no list holds (a person's name: Wanjiru, Kiprono, Tamatea …) as the whole value of
  a kept label, a code string, a device's value, an SR code's meaning or a label nested deep;
- a person's name beside an anatomical structure in the same label ("Brain Stem Wanjiru",
  "Parotid_L_Kiprono"): the structure alone stays (the test file's safe counterparts), the
  label with a name does not;
- Taiwanese names in Pe̍h-ōe-jī and Tâi-lô ("Tân Bí-lē", "Lîm Kim-tsuí", "Ng A-hok",
  "Tiuⁿ Chhun-hoa", tone numbers "Tan5 Bi2-le7") in labels, device values, code strings (their
  ASCII folding) and SR comments, alone and in a sentence;
- the neighbours an attacker tries next: the same in items nested three to eight deep, PN values
  with ideographic and phonetic groups under ISO 2022 IR 87 / IR 149, GB18030 and UTF-8, text
  in UN and OB values, overlay descriptions, graphic annotations and SR content trees.

Deterministic (no randomness needed: the members are the product of the lists), built with
pydicom.  Each member is ``Member(cls, name, data, secrets)``: nothing in ``secrets`` may be
anywhere in the cleaned file."""
from __future__ import annotations

import unicodedata

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.deidentify.dicom_round3_files import Member, _code, base, to_bytes
from tests.deidentify.dicom_round5_files import _pair

# Names no list here holds (East African, Polynesian, Mongolian, Southern African, Amharic …)
LONE = ["Wanjiru", "Kiprono", "Njeri", "Achieng", "Otieno", "Mwangi", "Chebet", "Wambui", "Aroha", "Tamatea",
        "Ngozi", "Chiamaka", "Tsegaye", "Bekele", "Alemayehu", "Tshepo", "Sipho", "Thandiwe", "Nomvula", "Kagiso",
        "Wairimu", "Nyambura", "Odhiambo", "Akinyi", "Kipchoge", "Tevita", "Losaline", "Ganbaatar", "Enkhjargal",
        "Tsetseg"]
# Surnames the romanised-name lists hold, alone (decided there, not by the word rule)
LISTED = ["Tsai", "Hsieh", "Chiang", "Tanaka", "Nguyen", "Santoso"]
LABEL_PLACES = ["SegmentLabel", "CodeMeaning", "ContentDescription", "GraphicLayerDescription"]
DEVICE_PLACES = ["Manufacturer", "ManufacturerModelName", "SoftwareVersions", "ConvolutionKernel", "SequenceName",
                 "ReceiveCoilName"]
CS_PLACES = ["ContentLabel", "BodyPartExamined", "ImageTypeValue"]
CASES = [str, str.upper, str.lower]


def _place(ds: Dataset, where: str, value: str) -> None:
    if where == "ImageTypeValue":
        ds.ImageType = ["DERIVED", "SECONDARY", value]
    elif where == "SRCode":
        item = Dataset()
        item.RelationshipType, item.ValueType = "CONTAINS", "CODE"
        item.ConceptNameCodeSequence = Sequence([_code("121071", "Finding", "DCM")])
        item.ConceptCodeSequence = Sequence([_code("99", value, "99LOCAL")])
        ds.ContentSequence = Sequence([item])
    else:
        _pair(ds, where, value)


def lone_members() -> list[Member]:
    """One word alone: every name in a third of the places, case rotating."""
    out = []
    places = LABEL_PLACES + DEVICE_PLACES + CS_PLACES + ["SRCode"]
    for i, word in enumerate(LONE + LISTED):
        for j, where in enumerate(places):
            if (i + j) % 3:
                continue
            value = CASES[(i + j) % 3](word)
            if where in CS_PLACES:
                value = value.upper()       # code strings are upper case
            ds = base()
            _place(ds, where, value)
            out.append(Member("lone-word", f"{where}:{value}", to_bytes(ds), (word,)))
    return out


# the word dressed so that it is no longer alone to a literal rule: numbers, brackets, titles, hyphens
DRESS = ["{w} 2", "({w})", "Dr {w}", "{w}-{v}", "{W}_1", "{w}'s", "{w}.", "{w}/{v}", "{v} 01", "{w} \u2713",
         "{w}-san", "#{w}", "{w}!", "[{W}]", "01 {w}", "Mr. {w}", "Scan for {w}", "Film to {W}", "Copy per {w}",
         "Liver by {w}"]


def dressed_members() -> list[Member]:
    out = []
    places = LABEL_PLACES + DEVICE_PLACES
    for i, form in enumerate(DRESS):
        for j, where in enumerate(places):
            if (i + j) % 2:
                continue
            w, v = LONE[(i + j) % len(LONE)], LONE[(i + 2 * j + 1) % len(LONE)]
            value = form.format(w=w, v=v, W=w.upper())
            ds = base()
            _place(ds, where, value)
            secrets = tuple(x for x in (w, v) if x.lower() in value.lower())
            out.append(Member("lone-dressed", f"{where}:{value}", to_bytes(ds), secrets))
    return out


STRUCTURES = ["Brain Stem", "BrainStem", "Spinal Cord", "SpinalCord", "Left Lung", "Lung_L", "Heart", "Parotid L",
              "Parotid_R", "Cochlea L", "OpticNrv_L", "Femur_Head_R", "Esophagus", "Bladder", "Kidney_L", "PTV_7000"]
BESIDE = ["{t} {n}", "{n} {t}", "{t} ({n})", "{t} - {n}", "{t}_{n}", "{t} by {n}", "{n}'s {t}"]


def beside_members() -> list[Member]:
    """A structure and a name in one label: the label goes (the structure alone stays)."""
    out = []
    for i, term in enumerate(STRUCTURES):
        for j, form in enumerate(BESIDE):
            name = LONE[(i * 7 + j) % len(LONE)]
            value = form.format(t=term, n=name)
            where = LABEL_PLACES[(i + j) % len(LABEL_PLACES)]
            ds = base()
            _place(ds, where, value)
            out.append(Member("term-beside-name", f"{where}:{value}", to_bytes(ds), (name,)))
    return out


# (written form, the words that must not remain); POJ with tone marks, ⁿ and o͘, Tâi-lô, digits
POJ = [("Tân Bí-lē", ("Tân", "Bí-lē")), ("Lîm Kim-tsuí", ("Lîm", "Kim-tsuí")), ("Ng A-hok", ("A-hok",)),
       ("Tiuⁿ Chhun-hoa", ("Tiuⁿ", "Chhun-hoa")), ("Tiunn Tshun-hue", ("Tiunn", "Tshun-hue")),
       ("Gô͘ Bûn-hiông", ("Gô͘", "Bûn-hiông")), ("Gôo Bûn-hiông", ("Gôo", "Bûn-hiông")),
       ("Chhòa Siù-lân", ("Chhòa", "Siù-lân")), ("Tshuà Siù-lân", ("Tshuà", "Siù-lân")),
       ("Iûⁿ Gio̍k-lân", ("Iûⁿ", "Gio̍k-lân")), ("Khó͘ Kok-hui", ("Khó͘", "Kok-hui")), ("Ông A-bīn", ("Ông", "A-bīn")),
       ("Lâu Sù-bêng", ("Lâu", "Sù-bêng")), ("Tēnn Hok-tik", ("Tēnn", "Hok-tik")), ("Tan Bi-le", ("Bi-le",)),
       ("Lim Kim-tsui", ("Kim-tsui",)), ("Chhoa Siu-lan", ("Chhoa", "Siu-lan")), ("Bí-lē", ("Bí-lē",)),
       ("Kim-tsuí", ("Kim-tsuí",)), ("A-hok", ("A-hok",)), ("Tân", ("Tân",)), ("Tan5 Bi2-le7", ("Bi2-le7",)),
       ("Lim5 Kim1-tsui2", ("Lim5", "Kim1-tsui2")), ("Ng5 A1-hok8", ("A1-hok8",))]
POJ_PLACES = LABEL_PLACES + ["Manufacturer", "SoftwareVersions", "ContentLabel", "SRText", "SRSentence"]
SENTENCES = ["Reviewed with {} at the bedside; nodule 5 mm.", "Comment: {} agreed.", "{} 看過", "Tech {}, 2 views"]


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.replace("ⁿ", "nn")) if c.isascii())


def _sr_text(text: str, depth: int) -> Dataset:
    ds = base()
    item = Dataset()
    item.RelationshipType, item.ValueType, item.TextValue = "CONTAINS", "TEXT", text
    item.ConceptNameCodeSequence = Sequence([_code("121106", "Comment", "DCM")])
    for _ in range(depth - 1):
        outer = Dataset()
        outer.RelationshipType, outer.ValueType = "CONTAINS", "CONTAINER"
        outer.ContentSequence = Sequence([item])
        item = outer
    ds.ContentSequence = Sequence([item])
    return ds


def poj_members() -> list[Member]:
    out = []
    for i, (name, words) in enumerate(POJ):
        for j, where in enumerate(POJ_PLACES):
            if (i + j) % 2 or (where == "ContentLabel" and " " not in name and "-" not in name):
                continue    # a lone surname folded to ASCII ("TAN") is a word too: not decidable
            if where == "SRText":
                ds, value = _sr_text(name, 1 + (i + j) % 4), name
            elif where == "SRSentence":
                value = SENTENCES[(i + j) % len(SENTENCES)].format(name)
                ds = _sr_text(value, 1 + (i + j) % 4)
            else:
                value = _ascii(name).upper() if where == "ContentLabel" else name
                ds = base()
                _place(ds, where, value)
            secrets = tuple(w for w in words if len(_ascii(w)) >= 3)
            if where == "ContentLabel":     # the code string holds the ASCII folding
                secrets = tuple(_ascii(w) for w in secrets)
            out.append(Member("poj", f"{where}:{value}", to_bytes(ds), secrets))
    return out


def _nested(depth: int, keyword: str, value: str) -> Dataset:
    ds = base()
    inner = Dataset()
    setattr(inner, keyword, value)
    if keyword == "CodeMeaning":
        inner.CodeValue, inner.CodingSchemeDesignator = "99", "99LOCAL"
    for d in range(depth - 1):
        outer = Dataset()
        setattr(outer, ("ReferencedSeriesSequence", "SourceImageSequence", "AnatomicRegionSequence")[d % 3],
                Sequence([inner]))
        inner = outer
    ds.ReferencedImageSequence = Sequence([inner])
    return ds


PN_GROUPS = [("Yamada^Tarou=山田^太郎=やまだ^たろう", ("Yamada", "Tarou", "山田", "太郎", "やまだ", "たろう")),
             ("Hong^Gildong=洪^吉洞=홍^길동", ("Gildong", "吉洞", "길동")),
             ("Kamau^Wanjiru=^=", ("Kamau", "Wanjiru")),
             ("Tân^Bí-lē=陳^美麗", ("Bí-lē", "美麗"))]
CHARSETS = [["", "ISO 2022 IR 87"], ["", "ISO 2022 IR 149"], "ISO_IR 192", "GB18030", ["ISO 2022 IR 6", "ISO 2022 IR 87",
                                                                                      "ISO 2022 IR 149"]]


def adjacent_members() -> list[Member]:
    """Deep items, PN groups in other character sets, text in UN/OB, overlays, annotations, SR trees."""
    out = []
    for depth in range(3, 9):
        for k, kw in enumerate(("CodeMeaning", "Manufacturer", "ContentDescription", "PersonName")):
            word = LONE[(depth * 4 + k) % len(LONE)]
            value = f"Kamau^{word}" if kw == "PersonName" else word
            out.append(Member("adjacent", f"nested{depth}:{kw}:{value}", to_bytes(_nested(depth, kw, value)),
                              (word,)))
    for pn, secrets in PN_GROUPS:
        for cs in CHARSETS:
            if "홍" in pn and cs in ("GB18030", ["", "ISO 2022 IR 87"]):
                continue     # hangul is not in those sets
            if ("やまだ" in pn or "山田" in pn) and cs == ["", "ISO 2022 IR 149"]:
                continue
            ds = base(charset=None)
            ds.SpecificCharacterSet = cs
            ds.PatientName = pn
            ds.OperatorsName = pn
            ds.ContentDescription = "CT"
            seg = Dataset()
            seg.SegmentNumber, seg.SegmentLabel, seg.SegmentAlgorithmType = 1, "Liver", "MANUAL"
            obs = Dataset()
            obs.PersonName = pn
            seg.ContributingEquipmentSequence = Sequence([obs])
            ds.SegmentSequence = Sequence([seg])
            out.append(Member("adjacent", f"pn-groups:{cs}:{pn}", to_bytes(ds), secrets))
    for k, word in enumerate(LONE[:8]):
        text = f"{word} Kamau ".encode()
        for where in ("private-UN", "public-UN", "OB", "overlay", "annotation", "creator", "sr-pname"):
            ds = base()
            if where == "private-UN":
                ds.add(DataElement(0x00091010, "UN", text))
            elif where == "public-UN":
                ds.add(DataElement(0x00181030, "UN", text))       # ProtocolName written as UN
            elif where == "OB":
                ds.add(DataElement(0x00420011, "OB", b"%PDF-1.4 (" + text + b")"))
                ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
            elif where == "overlay":
                ds.add(DataElement(0x60000022, "LO", word))
                ds.add(DataElement(0x60003000, "OW", b"\0" * 8))
            elif where == "annotation":
                obj = Dataset()
                obj.UnformattedTextValue, obj.AnchorPointAnnotationUnits = word, "PIXEL"
                ann = Dataset()
                ann.GraphicLayer, ann.TextObjectSequence = "L1", Sequence([obj])
                ds.GraphicAnnotationSequence = Sequence([ann])
            elif where == "creator":
                ds.add(DataElement(0x00110010, "LO", word))       # a private creator block named after a person
                ds.add(DataElement(0x00111001, "LO", "x"))
            else:
                item = Dataset()
                item.RelationshipType, item.ValueType, item.PersonName = "CONTAINS", "PNAME", f"Kamau^{word}"
                item.ConceptNameCodeSequence = Sequence([_code("121008", "Person Observer Name", "DCM")])
                box = Dataset()
                box.ValueType, box.ContentSequence = "CONTAINER", Sequence([item])
                top = Dataset()
                top.ValueType, top.ContentSequence = "CONTAINER", Sequence([box])
                ds.ContentSequence = Sequence([top])
            out.append(Member("adjacent", f"{where}:{word}", to_bytes(ds), (word,)))
    return out


def all_members() -> list[Member]:
    return lone_members() + dressed_members() + beside_members() + poj_members() + adjacent_members()
