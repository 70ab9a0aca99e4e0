"""De-identify one DICOM object: headers per PS3.15 Annex E basic profile, pixels cleaned."""
from __future__ import annotations

import hashlib
import io
import re
import struct
from dataclasses import dataclass, field
from collections import abc
from typing import Callable

import numpy as np
import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.charset import python_encoding
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.sequence import Sequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID_dictionary

from deidentify.dicom import (asian_names, burned_in, cine, han_readings, label_names, label_people, label_terms,
                              name_shapes, person_forms, pixel_pass, pixels, poj_names, report_words, sr_scripts,
                              text_values,
                              value_dates)
from deidentify.dicom.profile import LABELS, action_for
from deidentify.dicom.raw_vrs import MAX_DEPTH, check_complete, check_depth, mistyped
from deidentify.dicom.sweep import (BINARY_VRS, NUMERIC_VRS, age_over_band, decoded_binary, dummy_value,
                                    encoded_readings, identity_strings, numeric_bytes, other_readings,
                                    too_many_values,
                                    unreadable, value_leaks)
from deidentify.dicom.text_values import text_runs
from deidentify.text import ScrubOptions

_TEXT_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UR", "UT"}
_FREE_TEXT_VRS = {"LO", "LT", "SH", "ST", "UC", "UT"}
_REGISTERED_ROOT = "1.2.840.10008."


@dataclass
class DicomReport:
    """What ``deidentify_dicom_report`` did (for the loader's reconciliation report)."""
    removed: list[str] = field(default_factory=list)
    emptied: list[str] = field(default_factory=list)
    uids_remapped: int = 0
    residual_removed: list[str] = field(default_factory=list)
    scrubbed: list[str] = field(default_factory=list)   # free text kept after the scrubber
    ocr_boxes: int = 0
    stroke_boxes: int = 0
    band_fallback: bool = False
    known_regions: bool = False     # borders blanked: a class that burns text in (burned_in.py)
    burned_in_class: str = ""       # why the image counted as one of those classes
    frames: int = 0
    reasons: dict[str, str] = field(default_factory=dict)   # why a kept value was removed, where a rule says


def _new_uid(uid: str, pseudonymise: Callable[[str], str]) -> str:
    """A consistent replacement UID under 2.25 (UUID-derived root), keyed via pseudonymise."""
    digest = hashlib.sha256(("dicom-uid:" + pseudonymise("dicom-uid:" + uid)).encode()).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big") >> 1)


def _standard_uid(value: str) -> bool:
    """A UID the standard defines (kept): known to pydicom, or under the standard's root with
    components as short as the standard's (≤ 4 digits; its longest has 3).  An instance UID
    written under that root with a date or an ID in it (1.2.840.10008.19500304…) is re-mapped."""
    if value in UID_dictionary:
        return True
    return value.startswith(_REGISTERED_ROOT) and all(len(c) <= 4 for c in value.split("."))


class _Cleaner:
    def __init__(self, pseudonymise: Callable[[str], str], report: DicomReport,
                 header: ScrubOptions | None = None, profile_options: frozenset[str] = frozenset(),
                 scrub_keywords: frozenset[str] = frozenset()):
        self.pseudonymise = pseudonymise
        self.report = report
        self.header = header
        self.options = profile_options
        self.scrub_keywords = scrub_keywords
        self.to_scrub: list[tuple[Dataset, int]] = []   # free text kept once scrubbed (text_values)
        self.uid_map: dict[str, str] = {}
        self.suspects: list[tuple[Dataset, int, str, str]] = []   # (item, tag, name, text) to scrub
        self.binary_runs: set[str] = set()   # suspects read from binary values (asian_names' binary rule)
        self.forms: set[str] = set()   # the file's people as initials, short forms, romanisations (round 6)
        self.long_forms: set[str] = set()
        self.givens: set[str] = set()   # their romanised given names, joined (han_readings, round 7)
        self.mistyped: set[tuple[int, int]] = set()   # (id(item), tag) read under another VR
        self.no_dates = "retain_longitudinal_full_dates" not in profile_options

    def uid(self, value: str) -> str:
        value = str(value).strip()
        if not value or _standard_uid(value):
            return value  # SOP classes, transfer syntaxes, coding schemes: not identifying
        if value not in self.uid_map:
            self.uid_map[value] = _new_uid(value, self.pseudonymise)
            self.report.uids_remapped += 1
        return self.uid_map[value]

    def clean(self, ds: Dataset, path: str = "") -> None:
        for elem in list(ds):
            tag = elem.tag
            name = f"{path}{elem.keyword or str(tag)}"
            if (id(ds), int(tag)) in self.mistyped:
                # written under a VR its tag does not have (a model name as UN, a code meaning as
                # UN, a series number as LO): not what it claims, so not judged (round 6)
                del ds[tag]
                self.report.removed.append(name)
                continue
            if (tag.is_private or 0x5000 <= tag.group <= 0x50FF or 0x6000 <= tag.group <= 0x60FF
                    or tag.group in (0x0000, 0x0002) or tag.element == 0):
                # private tags, curves, overlay planes (may hold burned-in text); command and
                # file-meta elements that do not belong in a dataset (a command's ErrorComment,
                # a source AE title); group lengths, which no longer hold once values go
                del ds[tag]
                self.report.removed.append(name)
                continue
            if elem.keyword == "PixelData" or tag.group == 0x7FE0:
                # pixels inside a sequence item are never read by OCR, nor other 7FE0 values
                # (retired coefficients): not released.  Float pixels were held before.
                if path or elem.keyword not in ("PixelData", "ExtendedOffsetTable", "ExtendedOffsetTableLengths"):
                    del ds[tag]
                    self.report.removed.append(name)
                continue
            if elem.keyword == "SegmentAlgorithmName" and str(ds.get("SegmentAlgorithmType", "")).upper() == "MANUAL":
                # a segment drawn by hand has no algorithm (PS3.3 C.8.20.2): the name there is the person's
                del ds[tag]
                self.report.removed.append(name)
                continue
            if elem.keyword in self.scrub_keywords and elem.VR in text_values.TEXT_VRS:
                self.to_scrub.append((ds, tag))
                continue
            action = action_for(tag, elem.keyword, elem.VR, self.options)
            if elem.VR == "SQ":
                if action == "X":
                    del ds[tag]
                    self.report.removed.append(name)
                elif action == "Z":
                    elem.value = Sequence([])
                    self.report.emptied.append(name)
                else:   # K, D, U: the items stay, each cleaned by the same table
                    for i, item in enumerate(elem.value):
                        self.clean(item, f"{name}[{i}].")
                continue
            if action == "X":
                del ds[tag]
                self.report.removed.append(name)
            elif action == "Z":
                elem.value = None
                self.report.emptied.append(name)
            elif action == "D":
                elem.value = dummy_value(elem.VR, self.uid)
                self.report.emptied.append(name)
            elif action == "U":
                if elem.VR != "UI":   # a UI-listed attribute written with another VR: cannot map it
                    del ds[tag]
                    self.report.removed.append(name)
                elif elem.VM > 1:
                    elem.value = [self.uid(v) for v in elem.value]
                elif elem.value:
                    elem.value = self.uid(elem.value)

    def sweep(self, ds: Dataset, identity: list[str], path: str = "", plain: bool | None = None) -> None:
        """Remove any remaining element that still names the patient or holds an identifier:
        text values, and binary values (OB/OW/UN…) decoded as text.  Values that cannot be read
        as what they claim go (``sweep.unreadable``; ``plain``: no character set declared).
        Labels, code strings and the letter runs of binary values are read by the free-text
        scrubber afterwards (``sweep_suspects``)."""
        charset = ds.get("SpecificCharacterSet")
        if charset or plain is None:
            values = [charset] if isinstance(charset, str) else list(charset or [])
            plain = all(str(v).strip() in ("", "ISO_IR 6", "ISO 2022 IR 6") for v in values)
        encodings = list(getattr(ds, "_character_set", None) or [])
        for elem in list(ds):
            name = f"{path}{elem.keyword or str(elem.tag)}"
            if elem.VR == "SQ":
                for i, item in enumerate(elem.value):
                    self.sweep(item, identity, f"{name}[{i}].", plain)
                continue
            if elem.keyword == "SpecificCharacterSet":
                _known_charsets(elem)   # a defined term or nothing: no words in it
                continue
            # set by this module at the top level only; an item's copy is like any other value
            if elem.value in (None, "", b"") or (elem.keyword in _SWEEP_EXEMPT and not path):
                continue
            readings: list[str] = []
            # a study's date in a label, a code string or a number (round 10): the profile empties dates
            if self.no_dates and value_dates.dated(elem):
                del ds[elem.tag]
                self.report.residual_removed.append(name)
                self.report.reasons[name] = "a date in a value that is not a date"
                continue
            if elem.VR in BINARY_VRS:
                if elem.keyword == "PixelData" or elem.tag.group == 0x7FE0:
                    continue
                text = decoded_binary(elem.value)
            elif elem.VR in NUMERIC_VRS:
                # numbers are bytes too: more values than the attribute takes, or letters in
                # them, are text written where a number goes (round 3: a name as US, AT, FL)
                if too_many_values(elem.tag, elem.VM):
                    del ds[elem.tag]
                    self.report.residual_removed.append(name)
                    continue
                text = decoded_binary(numeric_bytes(elem.value, elem.VR))
            elif elem.VR in _TEXT_VRS:
                if too_many_values(elem.tag, elem.VM):   # a second value where one goes ("SIEMENS\\<name>")
                    del ds[elem.tag]
                    self.report.residual_removed.append(name)
                    continue
                parts = list(elem.value) if elem.VM > 1 else [elem.value]
                # values joined as written: a list's repr ("['VA20', 'Huang Chih-Hao']") hid a
                # second value from the scrubber (round 3)
                text = "\\".join(str(v) for v in parts)
                if (unreadable(elem.value, elem.VR, plain) or (elem.VR == "AS" and age_over_band(elem.value, _top_age()))
                        or label_names.foreign_script(elem.keyword, text)):
                    del ds[elem.tag]
                    self.report.residual_removed.append(name)
                    continue
                # the bytes read in the other character sets a label may lie about
                readings = [r for v in parts for r in other_readings(str(v), encodings)]
                if elem.VR in _FREE_TEXT_VRS or elem.VR == "CS":   # base64 or hex a tool wrote
                    readings += encoded_readings(text)
            else:
                continue
            # every short text kept (a model name, a code string, a label) and the letter runs of
            # a binary value are read by the scrubber at the end: a third person's name need not
            # reach the header's name score ("Siemens Lin Mei-Yun" in Manufacturer did not)
            binary = elem.VR in BINARY_VRS or elem.VR in NUMERIC_VRS
            if (elem.VR in _FREE_TEXT_VRS or binary or elem.VR in ("CS", "UR") or elem.keyword in LABELS
                    or readings) and elem.keyword not in self.scrub_keywords \
                    and not value_dates.scheme_version(elem.keyword, text):
                runs = text_runs(text) if binary else [text] + readings
                if elem.VR == "UR":   # read as words: the scrubber takes a whole URL for one
                    runs = [re.sub(r"[/:.?=&_#%+~@]+", " ", r) for r in runs]
                self.suspects += [(ds, elem.tag, name, r) for r in runs]
                if binary:
                    self.binary_runs.update(runs)
            if elem.VR == "PN" and text.strip(" ^="):
                del ds[elem.tag]     # any person name left by the table goes, no score asked
                self.report.residual_removed.append(name)
                continue
            # the file's people by initials, a short form or another romanisation ("K.L.W.", "Bill",
            # "Xu MH"); a binary value's letter runs only by its longer forms (samples spell short ones)
            if (self.forms and any(person_forms.forms_in(t, self.long_forms if binary else self.forms, not binary)
                                   for t in [text] + readings)) or (
                    # their given name in characters (CHEN^DA-MING, "大明" in a label: round 7)
                    self.givens and not binary and han_readings.given_in(text, self.givens)):
                del ds[elem.tag]
                self.report.residual_removed.append(name)
                continue
            if self.header is None:
                self.header = ScrubOptions.for_dicom_headers()
            # a label that is wholly a structure or a standard term is not read for a name's score
            # (the header score took "Brain Stem" for one: round 8); the patient's strings still are
            scan = (elem.VR in _FREE_TEXT_VRS or binary) and not (
                (elem.keyword in LABELS or elem.keyword in self.scrub_keywords) and label_terms.standard_term(text)) \
                and not (elem.keyword in self.scrub_keywords and report_words.report_value(text))   # round 12
            if any(value_leaks(t, identity, self.header if scan else None, binary) for t in [text] + readings):
                del ds[elem.tag]
                self.report.residual_removed.append(name)

    def sweep_suspects(self) -> None:
        """Remove each label or binary value in which the free-text scrubber masks anything
        (one scrubber call for the object)."""
        unique = list(dict.fromkeys(text for _, _, _, text in self.suspects))   # per-frame groups repeat
        if self.header is None:
            self.header = ScrubOptions.for_dicom_headers()
        # the load's policy decides (data.dicom_header_name_min_score), not the process's
        # a binary value's run where Latin-1 signs are most of it is sample bytes ("ÿ_ÿNÿ", which
        # the scrubber's handle finder reads as an account): the signs are not given to it
        probes = [_SAMPLE_SIGNS.sub(" ", t) if t in self.binary_runs and _mostly_signs(t) else t for t in unique]
        hit_of = dict(zip(unique, text_values.flagged(probes, self.header)))
        # romanised East and Southeast Asian names the scrubber's score does not know (round 4)
        hit_of = {t: hit or asian_names.names_in(t, binary=t in self.binary_runs) for t, hit in hit_of.items()}
        # names in ideographs alone, author-year forms no standard table cites (round 5)
        hit_of = {t: hit or (t not in self.binary_runs and label_names.names_in(t)) for t, hit in hit_of.items()}
        # Taiwanese names in POJ or Tâi-lô ("Tân Bí-lē", "Ng A-hok", "Tan5 Bi2-le7": round 8)
        hit_of = {t: hit or (t not in self.binary_runs and poj_names.names_in(t)) for t, hit in hit_of.items()}
        # a surname alone in one kept value and a given name alone in another (round 5)
        texts = [t for t in unique if t not in self.binary_runs]
        for k in label_names.split_pairs(texts):
            hit_of[texts[k]] = True
        given: dict[tuple[str, bool], bool] = {}
        for (ds, tag, name, text) in self.suspects:
            hit = hit_of[text]
            if text not in self.binary_runs and tag in ds:
                # a structure or a code meaning written whole stays whatever a name rule read in it
                # ("Brain Stem", "Cochlea L"); any other word beside it is no term (round 8)
                elem = ds[tag]
                if (elem.keyword in LABELS or elem.VR == "CS") and label_terms.standard_term(text):
                    continue
                written = "\\".join(str(v) for v in elem.value) if elem.VM > 1 else str(elem.value)
                # the value as written (not its readings in other character sets or decoded runs)
                reason = None if hit or text != written else (label_terms.unknown_word(text, elem.keyword, elem.VR)
                                                              or label_terms.device_person(text, elem.keyword))
                if reason:   # default deny by the attribute's kind: a word no list holds (round 8)
                    hit = True
                    self.report.reasons[name] = reason
            if not hit and text not in self.binary_runs and tag in ds:
                # a given name alone, no surname anywhere ("Jennifer", "Meiling", "Siew Ling"), and
                # outside device values a first name or a name's shape beside other words (round 6)
                key = (text, person_forms.product_field(ds[tag].keyword))
                if key not in given:   # or a name's shape no list holds ("Xochitl Bzdok", "Bzdok X.": round 7)
                    given[key] = person_forms.lone_given(*key) or name_shapes.name_shaped(*key)
                hit = given[key]
            if hit and tag in ds:
                del ds[tag]
                self.report.residual_removed.append(name)
        self.suspects = []


_SAMPLE_SIGNS = re.compile(r"[\u0080-\u00ff]")


def _mostly_signs(run: str) -> bool:
    return len(_SAMPLE_SIGNS.findall(run)) * 10 >= len(run) * 3


_SWEEP_EXEMPT = {"PatientID", "DeidentificationMethod", "PatientIdentityRemoved"}


def _top_age() -> int:
    from deidentify.identifiers.ages import top_age

    return top_age()


def _known_charsets(elem) -> None:
    """Keep only the character set terms pydicom knows (the first may be empty)."""
    values = [elem.value] if isinstance(elem.value, str) else list(elem.value or [])
    kept = [v for i, v in enumerate(values) if str(v).strip() in python_encoding or (i == 0 and not str(v).strip())]
    if kept != values:
        elem.value = kept[0] if len(kept) == 1 else kept



def deidentify_dataset(ds: Dataset, *, pseudonymise: Callable[[str], str],
                       options: pixels.PixelOptions | None = None,
                       ocr: list[list[pixels.Box]] | None = None,
                       header: ScrubOptions | None = None,
                       profile_options: abc.Iterable[str] | None = None,
                       scrub_attributes: abc.Iterable[str] | None = None) -> DicomReport:
    """Clean ``ds`` in place; see ``deidentify_dicom``.  ``ocr``: per-frame OCR boxes found
    beforehand (``deidentify_dicom_many`` batches tesseract over many files).
    ``profile_options``: retain options of the profile (default: the policy's
    ``data.dicom_profile_options``; see ``deidentify.dicom.profile``).  ``scrub_attributes``:
    free-text keywords kept after the scrubber (default: ``data.dicom_scrub_text_attributes``;
    see ``deidentify.dicom.text_values``).  Raises ``HeldForReview`` for pixels a person must
    see (see ``deidentify.dicom.burned_in``)."""
    report = DicomReport()
    opts = options or pixels.PixelOptions()
    identity = identity_strings(ds)
    original_id = str(ds.get("PatientID", "") or "")
    profile = _profile_options(profile_options)
    cleaner = _Cleaner(pseudonymise, report, header, profile, _scrub_keywords(scrub_attributes))
    cleaner.mistyped = getattr(ds, "_deid_mistyped", None) or mistyped(ds, MAX_DEPTH)
    cleaner.forms = person_forms.person_forms(person_forms.names_of(ds))
    cleaner.long_forms = {f for f in cleaner.forms if len(f.replace(" ", "")) >= 6}
    cleaner.givens = person_forms.given_syllables(person_forms.names_of(ds))
    pixels_cleaned = pixel_pass.clean_pixels(ds, opts, report, ocr)
    cleaner.clean(ds)
    # an SR text that is wholly a structure or a standard term ("Brain Stem") is kept as written:
    # the scrubber took it for a name (round 8)
    # so is a short report value of listed words about a line or a tube ("NG tube in place": round 12)
    terms = [(item, tag, item[tag].value) for item, tag in cleaner.to_scrub
             if isinstance(item[tag].value, str) and (label_terms.standard_term(item[tag].value)
                                                      or report_words.report_value(item[tag].value))
             and not name_shapes.person_item(item)]   # an observer's item holds a person, whatever it spells
    report.scrubbed, removed = text_values.scrub_in_place(
        cleaner.to_scrub, mask_dates="retain_longitudinal_full_dates" not in profile)
    report.removed += removed
    for item, tag in cleaner.to_scrub:   # first names and "by <unknown>" the scrubber left (round 6)
        if tag in item and isinstance(item[tag].value, str):
            if item[tag].value.strip() and (name_shapes.person_item(item) or name_shapes.name_shaped(item[tag].value, lone=True)):
                # an item whose concept is a person's role, or a value that is a name's shape (round 7)
                item[tag].value = name_shapes.MASK
            else:
                item[tag].value = person_forms.mask_named(item[tag].value)
            item[tag].value = poj_names.mask(item[tag].value)   # Taiwanese names in POJ/Tâi-lô (round 8)
            item[tag].value = sr_scripts.mask(item[tag].value, name_shapes.MASK)   # scripts no rule reads (round 12)
            if label_people.bare_poj_given(item[tag].value):   # a bare one alone ("Siu-lan": round 9)
                item[tag].value = name_shapes.MASK
            # a short value the label rules take, a given name and surname introduced (round 9)
            item[tag].value = label_people.mask_sr(item[tag].value, name_shapes.MASK)
            if cleaner.no_dates:   # the shapes of dates devices and labels write (round 10)
                item[tag].value = value_dates.mask(item[tag].value)
    for item, tag, term in terms:
        if tag in item:
            item[tag].value = term
    pseudo = pseudonymise(original_id) if original_id else ""
    ds.PatientID = pseudo
    cleaner.sweep(ds, identity)
    cleaner.sweep_suspects()
    meta = ds.file_meta
    if "SOPInstanceUID" in ds:
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    # the meta's own values are rewritten, not trusted: the class as the dataset's (or re-mapped
    # like any UID), the version the two bytes the standard defines (it held text, round 3)
    sop_class = ds.get("SOPClassUID") or meta.get("MediaStorageSOPClassUID")
    if sop_class:
        meta.MediaStorageSOPClassUID = cleaner.uid(str(sop_class))
    meta.FileMetaInformationVersion = b"\x00\x01"
    for elem in list(meta):
        if elem.keyword not in ("MediaStorageSOPInstanceUID", "MediaStorageSOPClassUID", "TransferSyntaxUID",
                                "ImplementationClassUID", "FileMetaInformationVersion",
                                "FileMetaInformationGroupLength", "ImplementationVersionName"):
            del meta[elem.tag]  # source AE titles, private creators etc.
    # The source's implementation UID/name can sit under a hospital's own UID root; the
    # 128-byte preamble is free for any use (TIFF headers, text): neither is passed on.
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = "NHI_DEID"
    ds.preamble = b"\0" * 128
    ds.PatientIdentityRemoved = "YES"
    ds.LongitudinalTemporalInformationModified = "REMOVED"
    methods = ["PS3.15 E.1 Basic Application Level Confidentiality Profile",
               "PatientID replaced by keyed pseudonym", "UIDs re-mapped (2.25, keyed)"]
    codes = [("113100", "Basic Application Confidentiality Profile")]
    if pixels_cleaned:
        methods.append("burned-in text masked: OCR, strokes"
                       + (", bands" if report.band_fallback or report.known_regions else ""))
        codes.append(("113101", "Clean Pixel Data Option"))
        ds.BurnedInAnnotation = "NO"
    ds.DeidentificationMethod = methods
    items = []
    for value, meaning in codes:
        item = Dataset()
        item.CodeValue = value
        item.CodingSchemeDesignator = "DCM"
        item.CodeMeaning = meaning
        items.append(item)
    ds.DeidentificationMethodCodeSequence = Sequence(items)
    return report


def _profile_options(given: abc.Iterable[str] | None) -> frozenset[str]:
    if given is None:
        from policies import current_policy

        given = getattr(current_policy().data, "dicom_profile_options", ())
    if isinstance(given, str):
        raise TypeError("profile_options must be an iterable of option names, not one string")
    return frozenset(given)


def _scrub_keywords(given: abc.Iterable[str] | None) -> frozenset[str]:
    if given is None:
        from policies import current_policy

        given = getattr(current_policy().data, "dicom_scrub_text_attributes", ())
    return frozenset(given)


def _read(data: bytes) -> Dataset:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"deidentify_dicom expects bytes, got {type(data).__name__}")
    try:
        return _read_checked(data)
    except RecursionError as exc:   # pydicom parses nested items recursively
        raise ValueError(f"DICOM file nests sequences deeper than {MAX_DEPTH} items") from exc


def _read_checked(data: bytes) -> Dataset:
    try:
        ds = pydicom.dcmread(io.BytesIO(bytes(data)))
    except InvalidDicomError as exc:
        raise ValueError(f"not a DICOM Part 10 file: {exc}") from exc
    except (EOFError, OSError, struct.error) as exc:
        raise ValueError(f"DICOM file cannot be read (truncated or malformed?): {exc}") from exc
    if len(ds) == 0 or not ds.file_meta.get("TransferSyntaxUID"):
        raise ValueError("DICOM file holds no data elements or no transfer syntax")
    check_complete(ds)
    last = ds._dict[max(ds._dict)] if ds._dict else None
    if (isinstance(last, RawDataElement) and last.length != 0xFFFFFFFF and last.value_tell is not None
            and not ds.file_meta.TransferSyntaxUID.is_deflated):   # deflated: offsets in the inflated stream
        rest = bytes(data[last.value_tell + last.length:])
        if rest.strip(b"\0"):   # a header cut short (pydicom stops there without a word) or junk
            raise ValueError(f"DICOM file has {len(rest)} bytes after its last element it cannot read")
    ds._deid_mistyped = mistyped(ds, MAX_DEPTH)   # before anything converts the raw elements
    check_depth(ds)   # after the checks above: reading the items converts the raw elements they look at
    return ds


def _write(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def deidentify_dicom_many(items: abc.Sequence[bytes], *, pseudonymise: Callable[[str], str],
                          options: pixels.PixelOptions | None = None,
                          batch: int = 16, header: ScrubOptions | None = None) -> list[bytes | Exception]:
    """``deidentify_dicom`` over many files, with one tesseract run per ``batch`` files (the
    OCR model then loads once per batch: ~2.5× faster here).  Each result is the cleaned bytes
    or the exception that file raised, so one broken file does not stop the others."""
    opts = options or pixels.PixelOptions()
    header = header or ScrubOptions.for_dicom_headers()
    results: list[bytes | Exception] = []
    for lo in range(0, len(items), max(1, batch)):
        chunk: list[tuple[int, Dataset, cine.OcrPlan | None, list[np.ndarray]]] = []
        out: list[bytes | Exception] = []
        for k, data in enumerate(items[lo:lo + batch]):
            try:
                ds = _read(data)
                chunk.append((k, ds, *(pixel_pass.ocr_inputs(ds, opts) if opts.use_ocr else (None, []))))
                out.append(b"")
            except Exception as exc:  # noqa: BLE001 - returned per file, by design
                out.append(exc)
        flat = [g for _, _, _, images in chunk for g in images]
        sure: list[list[pixels.Box]] = []
        reduced = any(plan is not None and plan.reduced for _, _, plan, _ in chunk)
        boxes = (pixels.ocr_boxes_many(flat, opts, sure=sure) if reduced
                 else pixels.ocr_boxes_many(flat, opts)) if flat else []
        pos = 0
        for k, ds, plan, images in chunk:
            found, certain = boxes[pos:pos + len(images)], sure[pos:pos + len(images)]
            pos += len(images)
            try:
                found = burned_in.check_read(images, found, opts, shared=plan.shared(found)
                                             if plan is not None and plan.reduced else [])
                ocr = plan.spread(found, certain) if plan is not None else ([] if opts.use_ocr else None)
                deidentify_dataset(ds, pseudonymise=pseudonymise, options=opts, ocr=ocr, header=header)
                out[k] = _write(ds)
            except Exception as exc:  # noqa: BLE001
                out[k] = exc
        results.extend(out)
    return results


def deidentify_dicom(data: bytes, *, pseudonymise: Callable[[str], str],
                     options: pixels.PixelOptions | None = None,
                     header: ScrubOptions | None = None) -> bytes:
    """De-identified copy of a DICOM Part 10 file.

    Headers: PS3.15 Annex E basic profile (names, IDs, birth date, addresses, institution,
    physicians removed or emptied; UIDs re-mapped consistently through ``pseudonymise``; private
    tags, curves and overlays removed), PatientID = ``pseudonymise(original PatientID)``,
    PatientIdentityRemoved = YES, DeidentificationMethod(+CodeSequence) set, and a final sweep
    removing any text element still holding the patient's name, ID, birth date or an identifier.
    Pixels: burned-in text blacked out (OCR boxes + saturated-stroke clusters; annotation bands
    when BurnedInAnnotation=YES; the borders of the classes that burn text in, see
    ``burned_in``).  SR TextValue kept after the free-text scrubber (``text_values``).

    ``pseudonymise`` must be deterministic and keyed (e.g. HMAC with the release key): it is
    called with the original PatientID and with ``"dicom-uid:<uid>"`` for each UID, so the same
    key gives the same replacement UIDs across files (series stay together) and another key
    gives unlinkable ones.  Raises ValueError for bytes that are not DICOM Part 10 or pixel data
    in a transfer syntax that cannot be decoded here, OcrUnavailable when tesseract is missing
    (pass ``options=PixelOptions(use_ocr=False)`` to rely on strokes and bands only: images of
    the classes that burn text in are then held), HeldForReview for pixels a person must see.

    Policy (RULES.md D1): ``options`` carries the pixel masking cut-offs (OCR confidence, box
    margin, fallback band) and ``header`` the sweep's score cut-offs (a name must reach
    ``data.dicom_header_name_min_score``); both default to the current policy's, see
    ``PixelOptions.from_policy`` and ``ScrubOptions.for_dicom_headers``.
    """
    ds = _read(data)
    try:
        deidentify_dataset(ds, pseudonymise=pseudonymise, options=options, header=header)
        return _write(ds)
    except (AttributeError, KeyError, InvalidDicomError) as exc:   # what pydicom raises for a file
        # without meta, or without an element the pixels need: said as bad input, nothing written
        raise ValueError(f"DICOM file cannot be cleaned as read (missing or malformed element): {exc}") from exc


__all__ = ["DicomReport", "deidentify_dataset", "deidentify_dicom", "deidentify_dicom_many"]
