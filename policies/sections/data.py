"""D: data and de-identification settings (RULES.md D1, D3)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from policies.fields import setting

ColumnAction = Literal["keep", "recode", "drop", "generalise", "scrub"]
# (first age, last age) of an age band; None as the last age = open-ended (85+).
AgeBand = tuple[int, int | None]

DEFAULT_AGE_BANDS: tuple[AgeBand, ...] = (
    (0, 14), (15, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74), (75, 84), (85, None))


def _show(band) -> str:
    return "[" + ", ".join("null" if a is None else str(a) for a in band) + "]"


def check_age_bands(bands) -> tuple[AgeBand, ...]:
    """Bands must start at age 0, follow each other without gap or overlap, and only the last
    may (and must) be open-ended, so every age falls in exactly one band."""
    bands = tuple(tuple(b) for b in bands)
    if not bands:
        raise ValueError("at least one age band is needed")
    for k, band in enumerate(bands):
        if len(band) != 2:
            raise ValueError(f"band {k} {_show(band)} must be [first age, last age]")
        lo, hi = band
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in (lo, hi) if a is not None):
            raise ValueError(f"band {k} {_show(band)}: ages must be whole numbers")
        if lo < 0:
            raise ValueError(f"band {k} {_show(band)} starts below age 0")
        if hi is None and k != len(bands) - 1:
            raise ValueError(f"band {k} {_show(band)} is open-ended but is not the last band")
        if hi is not None and hi < lo:
            raise ValueError(f"band {k} {_show(band)} ends before it starts")
        if k == 0 and lo != 0:
            raise ValueError(f"the first band {_show(band)} must start at age 0 (ages 0-{lo - 1} "
                             f"would have no band)")
        if k:
            prev_hi = bands[k - 1][1]
            if lo <= prev_hi:
                raise ValueError(f"band {k} {_show(band)} overlaps band {k - 1} {_show(bands[k - 1])} "
                                 f"(bands must be ascending and not overlap)")
            if lo > prev_hi + 1:
                raise ValueError(f"bands {k - 1} {_show(bands[k - 1])} and {k} {_show(band)} leave "
                                 f"ages {prev_hi + 1}-{lo - 1} without a band")
    if bands[-1][1] is not None:
        raise ValueError(f"the last band {_show(bands[-1])} must be open-ended ([{bands[-1][0]}, null]) "
                         f"so that every age has a band")
    return bands


class DataPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    recode_algorithm: Literal["hmac-sha256"] = setting(
        "hmac-sha256", rule="D1",
        description="Keyed re-coding of identifiers; a bare hash is never allowed.")
    pseudonym_hex_chars: int = setting(
        32, rule="D1", ge=16, le=64,
        description="Length of the hex pseudonym kept from the HMAC (≥16 = 64 bits).")
    birthday_granularity: Literal["year", "year_month"] = setting(
        "year_month", rule="D1", description="How far birthdays are generalised.")
    date_granularity: Literal["day", "month"] = setting(
        "day", rule="D1", description="Granularity kept for service dates.")
    free_text_scrub: bool = setting(
        True, rule="D1", description="Scan and mask personal data in free-text columns.")
    kept_text_identifier_check: bool = setting(
        True, rule="D1",
        description="Hold back (quarantine) a row whose kept text column - a lab result, unit, "
                    "item or drug name, body part - carries a national ID, phone number, e-mail "
                    "or web address (datasets.load.residual).")
    dicom_profile: Literal["ps3.15-basic"] = setting(
        "ps3.15-basic", rule="D1", description="DICOM header de-identification profile.")
    dicom_profile_options: tuple[Literal["retain_longitudinal_full_dates", "retain_uids"], ...] = setting(
        (), rule="D1",
        description="Options of the PS3.15 basic profile that retain information (dates and times "
                    "except the patient's, or UIDs); none by default.")
    dicom_mask_burned_in_text: bool = setting(
        True, rule="D1", description="Mask text burned into DICOM pixels; if false, imaging "
                                     "files are not released at all (never unmasked).")
    age_bands: tuple[AgeBand, ...] = setting(
        DEFAULT_AGE_BANDS, rule="D1",
        description="Age generalisation bands [first age, last age]; from 0, ascending, no gaps "
                    "or overlaps, the last open-ended ([85, null] → '85+').")
    # Free-text scrubbing: recognisers give each finding a score (IDs and phones passing their
    # checksum/structure check 1.0, e-mail 0.9, ID with separators 0.8, address and romanised
    # name 0.7, name with context 0.85, name or old-form resident ID without context 0.6).
    text_mask_min_score: float = setting(
        0.6, rule="D1", gt=0, le=1,
        description="A free-text ID, phone, e-mail, address, date of birth (0.9), record number "
                    "(0.85), NHI card number (0.9), number after an ID label (0.75), account, licence "
                    "plate, IP address or URL (0.85) finding is masked when its score is at least this.")
    text_name_mask_min_score: float = setting(
        0.6, rule="D1", gt=0, le=1,
        description="A free-text personal name (0.85 after a context word or before a title, 0.8 "
                    "dotted, 0.7 romanised, standing alone or opening a sentence before 主訴/因…, 0.6 "
                    "without context) "
                    "is masked when its score is at least this.")
    dicom_header_name_min_score: float = setting(
        0.6, rule="D1", gt=0, le=1,
        description="A name found in a kept DICOM text header element (a device or model name, a "
                    "code meaning, a label, letters in a binary value) removes the element when its "
                    "score is at least this (0.6: also a name without context, 'Siemens Lin Mei-Yun').")
    dicom_ocr_min_confidence: float = setting(
        30.0, rule="D1", ge=0, le=100,
        description="A word tesseract reads in DICOM pixels (confidence 0-100) is blacked out "
                    "when its confidence is at least this.")
    dicom_mask_margin: float = setting(
        0.3, rule="D1", ge=0, le=2,
        description="Margin blacked out around each burned-in text box, as a fraction of its height.")
    dicom_fallback_band: float = setting(
        0.12, rule="D1", gt=0, le=0.5,
        description="When BurnedInAnnotation = YES and no text was detected, the top and bottom "
                    "bands of this fraction of the rows are blacked out.")
    # Burned-in text default deny (D1): classes of image that carry text in their pixels.
    dicom_burned_in_modalities: tuple[str, ...] = setting(
        ("US", "IVUS", "SC", "OT", "XC", "ES", "GM", "DOC"), rule="D1",
        description="Modalities whose images carry burned-in text whatever their header says "
                    "(ultrasound, secondary capture, other, photographs, endoscopy, documents): "
                    "OCR must run and the known text regions are blanked; OCR off holds the file.")
    dicom_burned_in_sop_classes: tuple[str, ...] = setting(
        ("1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.6.", "1.2.840.10008.5.1.4.1.1.3.1",
         "1.2.840.10008.5.1.4.1.1.77.1."), rule="D1",
        description="SOP class UIDs (a value ending in '.' is a prefix) treated like the modalities "
                    "above: secondary capture (all bit depths), ultrasound, visible light.")
    dicom_burned_in_band_cols: float = setting(
        0.1, rule="D1", ge=0, le=0.5,
        description="For those classes the top and bottom dicom_fallback_band of the rows and the "
                    "left and right band of this fraction of the columns are always blanked.")
    dicom_hold_modalities: tuple[str, ...] = setting(
        ("DOC",), rule="D1",
        description="Modalities whose pixel data is held for a person, never released by "
                    "masking (a scanned document is text through and through).")
    dicom_hold_text_area: float = setting(
        0.15, rule="D1", gt=0, le=1,
        description="An image whose OCR text boxes cover more than this fraction of a frame is "
                    "held for a person (a page or screenshot of text, not annotations).")
    dicom_ocr_max_frames: int = setting(
        64, rule="D1", ge=1,
        description="OCR cost cap: a multi-frame image (cine) with more frames than this is "
                    "reduced to its per-pixel max/min/median and the frames around its change "
                    "points (deidentify/dicom/cine.py); when those images are more than this the "
                    "file is held for a person (nothing passes unread).")
    dicom_ocr_sure_confidence: float = setting(
        70.0, rule="D1", ge=0, le=100,
        description="In a reduced cine, a word of 3+ letters/digits OCR reads with at least this "
                    "confidence in a single frame and in no summary image (text that appears, "
                    "moves or changes) holds the file for a person; weaker reads are noise.")
    dicom_faint_text_hold: bool = setting(
        True, rule="D1",
        description="A text-like line (a chain of 4+ letter-sized blobs, tops and bottoms aligned) "
                    "in the noise-normalised local contrast of the stored values, either polarity, "
                    "across or turned 90 degrees, that OCR did not read holds the file for a "
                    "person (deidentify/dicom/local_contrast.py): faint text is never passed unread.")
    dicom_faint_text_contrast: float = setting(
        4.0, rule="D1", gt=0,
        description="A stroke of faint text reaches at least this many noise spreads (sigma) "
                    "from its local background (local_contrast.py; lower finds fainter text "
                    "and holds more anatomy).")
    dicom_faint_text_similar: bool = setting(
        True, rule="D1",
        description="Text-like lines are also looked for against a background of similar values "
                    "only (the mean of an 11x11 window's pixels within 2% of the frame's range of "
                    "each pixel, local_contrast.zmap_similar): faint text over lung vessels or "
                    "busy anatomy whose letters the median background breaks into specks.")
    dicom_faint_text_colour_planes: bool = setting(
        True, rule="D1",
        description="In a colour frame text-like lines are also looked for in each sample plane "
                    "(R, G, B), not only in their mean: text of another hue but the same "
                    "brightness as its background has contrast in a plane only.")
    dicom_faint_text_steps: bool = setting(
        True, rule="D1",
        description="Faint text over busy anatomy (cortex folds) is also looked for as a band of "
                    "small, sharp, paired one-pixel steps (a stroke's two edges) with more of them "
                    "than the bands above and below (deidentify/dicom/sharp_steps.py): burned-in "
                    "text is drawn on the pixel grid, anatomy ramps; OCR must read the band or "
                    "the file is held.")
    dicom_faint_text_step_count: int = setting(
        8, rule="D1", ge=1,
        description="A band holds at least this many more sharp paired steps than the bands "
                    "directly above and below it (lower finds fainter text and holds more "
                    "anatomy).")
    dicom_faint_text_read_share: float = setting(
        0.8, rule="D1", gt=0, le=1,
        description="A text-like line counts as read when OCR boxes (with their margin) cover "
                    "at least this share of its box; less holds the file.")
    dicom_scrub_text_attributes: tuple[str, ...] = setting(
        ("TextValue",), rule="D1",
        description="Free-text attributes kept after the free-text scrubber (identifiers, dates "
                    "unless retained, institutions replaced), at any depth (SR content items); "
                    "others the profile removes stay removed; a scrubber failure removes them.")
    k_anonymity_k: int = setting(
        5, rule="D1", ge=2,
        description="k of the extract's k-anonymity report on quasi-identifiers.")
    extract_enforce_k: bool = setting(
        True, rule="D3",
        description="An extract with a quasi-identifier class smaller than k is not published "
                    "unless a steward records an override with a reason (audited).")
    reprovide_given_up_data: bool = setting(
        False, rule="D5",
        description="Data a case gave up (its PI asked the centre to delete provided file "
                    "families) is provided again by a later build of the same case; off: "
                    "never again for that case - it is a new application.")
    encrypt_at_rest: bool = setting(
        True, rule="O3",
        description="SATRE encryption at rest (issue 15): warehouse releases and case extracts "
                    "are written as encrypted Parquet (a fresh AES-256 key per file, wrapped with "
                    "the release's or case's key derived from the master key); where it is on, "
                    "readers refuse a plain file.")
    columns: dict[str, dict[str, ColumnAction]] = setting(
        default_factory=dict, rule="D1",
        description="Per file family, per column: keep / recode / drop / generalise / scrub.")
    extract_only_requested_columns: bool = setting(
        True, rule="D3", description="A project extract holds only the approved columns.")
    extract_recode_per_case: bool = setting(
        True, rule="D3",
        description="Person identifiers are re-coded again with a per-case key in extracts.")
    load_workers: int = setting(
        1, rule="D1", ge=1, le=64,
        description="Worker processes of the steward load (enclave data load) when --workers is "
                    "not given: 1 loads in one process; more spread the files over a local Dask "
                    "cluster (datasets/load/distributed.py), with the same output.")
    load_part_bytes: int = setting(
        1 << 30, rule="D1", ge=1,
        description="Bytes of source file per unit of work of the steward load: a file above it "
                    "is cut at record boundaries into row ranges of about this size, loaded as "
                    "separate units (on different workers when the load is spread) and written "
                    "as <file>.rNNNN.parquet; a smaller file is one unit, <file>.parquet.  Cut "
                    "points depend on the file's bytes and this setting only, never on the "
                    "worker count (datasets/load/ranges.py).")

    @field_validator("age_bands", mode="after")
    @classmethod
    def _age_bands(cls, v: tuple[AgeBand, ...]) -> tuple[AgeBand, ...]:
        return check_age_bands(v)
