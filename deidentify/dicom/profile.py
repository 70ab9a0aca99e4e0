"""DICOM PS3.15 Annex E, Basic Application Level Confidentiality Profile: header actions.

The table itself (all attributes of Table E.1-1 with their action codes) is generated from the
standard by ``deidentify.dicom.generate_annex_e`` into ``annex_e_table.json`` (read by ``annex_e_table``); this module turns
the codes into one action per element:

- X remove, Z empty, D replace by a dummy value, U replace a UID by a consistent new one;
- where the table allows a choice the least informative one that keeps the object valid is
  taken: X/Z and X/Z/D and Z/D → Z, X/D → D (the attribute may be Type 1), X/Z/U* → U
  (sequences of references: their items are cleaned and their UIDs re-mapped);
- a sequence with D or U is kept and its items are cleaned recursively; with X removed, with Z
  emptied.

Options of the standard that *retain* information are policy (``data.dicom_profile_options``,
RULES.md D1); none is on by default:
- ``retain_longitudinal_full_dates``: dates and times (DA/DT/TM) are kept, except the
  patient's own (birth date and time);
- ``retain_uids``: UIDs are kept instead of re-mapped.

Attributes the table does not name get a default by value representation (``default_action``):
person names emptied, UIDs re-mapped, dates and times emptied, unknown-VR (UN) values, public
tags no dictionary names and long free text (LT/ST/UT/UC, e.g. an SR's TextValue) removed,
other binary values swept for identity by the caller.  Private tags are removed by the caller.

Short free strings the table does not name (LO, SH, UR, AE: a contact's display name, a hanging
protocol's creator, a birth date "in an alternative calendar", a retrieve URL with the patient's
ID, a printer at the ward) are removed too unless ``TECHNICAL`` lists them (device, acquisition,
coding and algorithm values a study needs); so are code strings (CS) whose keyword ends in "ID"
(file names, film session IDs).  Labels people type that a study needs (``LABELS``: code
meanings, layer and segment labels) are kept only if the free-text scrubber finds nothing in
them (the caller's sweep, ``text_values.flagged``).
"""
from __future__ import annotations

import functools
from typing import Iterable

from deidentify.dicom.annex_e_table import ENTRIES, SOURCE

OPTIONS = ("retain_longitudinal_full_dates", "retain_uids")
_CHOICE = {"X": "X", "Z": "Z", "D": "D", "U": "U", "Z/D": "Z", "X/Z": "Z", "X/D": "D", "X/Z/D": "Z",
           "X/Z/U*": "U"}
_DATE_VRS = {"DA", "DT", "TM"}
_UNLISTED_FREE_TEXT_VRS = {"LT", "ST", "UT", "UC"}
# Attributes the profile leaves alone although their VR would otherwise trigger a default action.
KEEP = {"SpecificCharacterSet", "PatientIdentityRemoved", "DeidentificationMethod",
        "BurnedInAnnotation", "TransferSyntaxUID", "ImplementationVersionName"}

_SHORT_FREE_VRS = {"LO", "SH", "UR", "AE"}
# Unlisted short strings kept as they are: what a device, an acquisition, a coding scheme or an
# algorithm is called.  Anything else of those VRs is removed (default deny, round 2).
TECHNICAL = frozenset("""
Manufacturer ManufacturerModelName SoftwareVersions ManufacturerRelatedModelGroup ModifyingDeviceManufacturer
SecondaryCaptureDeviceManufacturer SecondaryCaptureDeviceManufacturerModelName SecondaryCaptureDeviceSoftwareVersions
HardcopyDeviceManufacturer HardcopyDeviceManufacturerModelName HardcopyDeviceSoftwareVersion
DetectorManufacturerName DetectorManufacturerModelName ReceiveCoilManufacturerName TransmitCoilManufacturerName
ApplicationName ApplicationVersion ApplicationManufacturer AlgorithmName AlgorithmVersion SegmentAlgorithmName
CodeValue ExtendedCodeValue CodingSchemeDesignator CodingSchemeVersion CodingSchemeURL CodingSchemeRegistry
URNCodeValue MappingResourceName
SequenceName PulseSequenceName ConvolutionKernel ReceiveCoilName TransmitCoilName MultiCoilConfiguration
MultiCoilElementName ImagedNucleus Radionuclide Radiopharmaceutical RadiopharmaceuticalRoute ContrastBolusRoute
InterventionDrugName TriggerSourceOrType CardiacFramingType PVCRejection FilterType TypeOfFilters AcquisitionMode
DoseModeName PlateType PhosphorType ProcessingFunction PostprocessingFunction ImageFilter VideoImageFormatAcquired
DigitalImageFormatAcquired ImageGeometryType PositionReferenceIndicator RescaleType ModalityLUTType
WindowCenterWidthExplanation LUTExplanation EnergyWindowName AttenuationCorrectionMethod ReconstructionMethod
ScatterCorrectionMethod StageName ViewName PatientSpeciesDescription PatientBreedDescription StrainNomenclature
MIMETypeOfEncapsulatedDocument ListOfMIMETypes FontName CSSFontName DeidentificationMethod
ImplementationVersionName TimeSource
""".split())

# Kept, but removed when the free-text scrubber would mask anything in them (deid's sweep).
LABELS = frozenset({"CodeMeaning", "GraphicLayer", "GraphicLayerDescription", "SegmentLabel", "ContentLabel",
                    "ContentDescription"})

__all__ = ["LABELS", "OPTIONS", "TECHNICAL", "SOURCE", "action_for", "default_action", "profile_table"]


@functools.lru_cache(maxsize=8)
def profile_table(options: frozenset[str] = frozenset()) -> tuple[dict[int, str], tuple[tuple[int, int, str], ...]]:
    """(tag → action for single tags, ((tag, mask, action), …) for repeating groups)."""
    from pydicom.datadict import dictionary_VR, dictionary_has_tag

    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise ValueError(f"unknown DICOM profile option(s) {sorted(unknown)}; known: {list(OPTIONS)}")
    single: dict[int, str] = {}
    groups: list[tuple[int, int, str]] = []
    for tag, mask, code, name, _keyword in ENTRIES:
        action = _CHOICE[code]
        if mask != 0xFFFFFFFF:
            groups.append((tag, mask, action))
            continue
        vr = dictionary_VR(tag) if dictionary_has_tag(tag) else ""
        if ("retain_longitudinal_full_dates" in options and vr in _DATE_VRS
                and "birth" not in name.lower()):
            action = "K"
        if "retain_uids" in options and action == "U":
            action = "K"
        single[tag] = action
    return single, tuple(groups)


def action_for(tag: int, keyword: str, vr: str, options: Iterable[str] = ()) -> str:
    """The action for one element (table first, then the default by VR)."""
    single, groups = profile_table(frozenset(options))
    action = single.get(int(tag))
    if action is None:
        action = next((a for t, m, a in groups if int(tag) & m == t), None)
    if action is None:
        action = default_action(keyword, vr)
        if action == "U" and "retain_uids" in options:
            action = "K"
        if vr in _DATE_VRS and action == "Z" and "retain_longitudinal_full_dates" in options \
                and "Birth" not in keyword:
            action = "K"
    return action


def default_action(keyword: str, vr: str, value: object = None) -> str:
    """Action for an attribute Table E.1-1 does not name."""
    if keyword in KEEP:
        return "K"
    if vr == "PN":
        return "Z"     # any person name goes, whatever it looks like
    if vr == "UI":
        return "U"
    if vr in _DATE_VRS:
        return "Z"
    if vr == "UN":
        return "X"     # unknown meaning: cannot be judged, so not released
    if not keyword:
        return "X"     # a public tag no dictionary names: its meaning cannot be judged
    if vr in _UNLISTED_FREE_TEXT_VRS:
        return "X"     # long free text the table does not name (SR TextValue...): may say anything
    if vr in _SHORT_FREE_VRS and keyword not in TECHNICAL and keyword not in LABELS:
        return "X"     # a name, a place, a date in another calendar: not judged, not released
    if vr == "CS" and keyword.endswith("ID"):
        return "X"     # file and session identifiers written as codes
    return "K"
