"""D1, tenth round of unseen DICOM files (tests/deidentify/dicom_round10_files.py builds them): a
study's date left in a value that is not a date - a label, a device value, a code string, a
number, SR text, RT/waveform/per-frame/DICOMDIR/nested places - in the shapes devices and people
write them (``2023_05_14``, ``14MAY2023``, ``20230514101500``, ``1120514``, ``5月14日``).  The
profile empties every date attribute, so one left elsewhere gives the study's day back.  Each
member goes through the real entry (``deidentify_dicom``) and the round-3 search in every
encoding.  The safe counterparts (versions, kernels, window values, series numbers, SNOMED
codes) stay as written; with the retain-dates option the dates stay."""
from __future__ import annotations

import io

import pydicom
import pytest

from deidentify.dicom import deidentify_dataset, value_dates
from tests.deidentify import dicom_round10_files as files
from tests.deidentify import dicom_suite as suite
from tests.deidentify.dicom_round3_files import _code, base, to_bytes
from tests.deidentify.dicom_round8_files import _place
from tests.deidentify.dicom_round9_files import _sr
from tests.deidentify.test_dicom_unseen_round3 import NO_PIXELS, pseudonymise

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values

MEMBERS = suite.load_members(files)


@pytest.mark.parametrize("member", MEMBERS, ids=suite.member_ids(MEMBERS))
def test_nothing_planted_leaves(member):
    suite.assert_nothing_leaves(member)


def test_the_classes_are_all_there():
    """The generator stays as wide as it was written (a member list cut short passes vacuously)."""
    suite.assert_classes(MEMBERS, 300, {100: {"date-label"}, 60: {"date-code"}, 35: {"date-number", "date-adjacent"},
                                        40: {"date-sr", "date-wide"}})


def _clean(ds, options=()):
    read = pydicom.dcmread(io.BytesIO(to_bytes(ds)))
    report = deidentify_dataset(read, pseudonymise=pseudonymise, options=NO_PIXELS, profile_options=options)
    return read, report


@pytest.mark.parametrize("shape", files.TEXT_SHAPES)
def test_every_shape_in_a_label_goes_with_its_reason(shape):
    day = files._day(__import__("random").Random(shape))
    value = "CT " + files._written(shape, day)
    ds = base()
    _place(ds, "SegmentLabel", value)
    read, report = _clean(ds)
    assert read.SegmentSequence[0].get("SegmentLabel") is None
    assert "a date in a value that is not a date" in report.reasons.values() or report.residual_removed


SAFE_LABELS = ["T2 FLAIR 3mm", "Vitrea 7.14", "WL 40/400", "ADC 0-3000", "Series 1001", "DWI b1000", "Liver",
               "Brain Stem", "Rt Kidney", "Q2 2023 protocol", "Lesion 1", "3D T1 MPRAGE", "120 kV", "1.5T",
               "may be artefact", "Phase 2", "C1-C7"]
SAFE_DEVICES = {"SoftwareVersions": "syngo MR XA30", "ConvolutionKernel": "B30f", "SequenceName": "*tfl3d1_16ns",
                "AlgorithmVersion": "5.6.1"}


@pytest.mark.parametrize("value", SAFE_LABELS)
def test_labels_without_a_date_stay(value):
    assert not value_dates.in_text(value)
    ds = base()
    _place(ds, "ContentDescription", value)
    read, _ = _clean(ds)
    assert read.get("ContentDescription") == value


def test_devices_numbers_and_codes_without_a_date_stay():
    ds = base()
    for kw, v in SAFE_DEVICES.items():
        setattr(ds, kw, v)
    ds.SeriesNumber, ds.InstanceNumber, ds.AcquisitionNumber = "1001", "20", "3"
    ds.SliceLocation, ds.WindowCenter, ds.WindowWidth = "-125.5", "40", "400"
    code = _code("1231004", "Neck", "SCT")    # a SNOMED code of a Minguo date's shape
    ds.AnatomicRegionSequence = pydicom.sequence.Sequence([code])
    read, _ = _clean(ds)
    for kw, v in SAFE_DEVICES.items():
        assert read.get(kw) == v, kw
    assert (read.SeriesNumber, read.InstanceNumber, read.AcquisitionNumber) == (1001, 20, 3)
    assert float(read.SliceLocation) == -125.5 and float(read.WindowCenter) == 40
    kept = read.AnatomicRegionSequence[0]
    assert kept.CodeValue == "1231004" and kept.CodeMeaning == "Neck"


def test_with_the_retain_dates_option_the_dates_stay():
    """The option keeps dates (RULES.md D1): a label's date is then no leak of a removed one."""
    ds = base()
    ds.StudyDate = "20230514"
    ds.SeriesNumber = "20230514"
    _place(ds, "ContentDescription", "CT 2023_05_14")
    read, _ = _clean(ds, ("retain_longitudinal_full_dates",))
    assert read.StudyDate == "20230514" and read.SeriesNumber == 20230514
    assert read.ContentDescription == "CT 2023_05_14"


@pytest.mark.parametrize("shape", files.TEXT_SHAPES)
def test_sr_text_keeps_its_words_and_loses_the_date(shape):
    """Masked where it stands: the report stays readable (without the mask the sweep removes the
    whole text for the date in it)."""
    date = files._written(shape, files._day(__import__("random").Random(shape)))
    read, _ = _clean(_sr(f"Compared with {date}: stable nodule"))
    text = read.ContentSequence[0].get("TextValue")
    assert text and date not in text and "stable nodule" in text and "<DATE>" in text, text


@pytest.mark.parametrize("value,expected", [("20230514", True), ("202305141015", True), ("20230514101500", True),
                                            ("1120514", True), ("0991021", True), ("20230514.1015", True),
                                            ("1001", False), ("12345678", False), ("99999999", False),
                                            ("1.5", False), ("0120101", False), ("-20230514", False)])
def test_a_number_is_a_date_only_in_a_date_shape(value, expected):
    assert value_dates.in_number(value) is expected


# --- burned-in text written at a slant (round 10) -------------------------------------------------
# OCR reads frames upright and in quarter turns, the line finder along rows and columns, and the
# stroke finder took a saturated cluster as text only while its box was as low as a line: a name
# at 20-70° passed (50-100 % of its glyph pixels released on CT, MR and X-ray phantoms).

import itertools  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from deidentify.dicom import PixelOptions, deidentify_dicom, local_contrast, oblique_text, phantoms, pixels  # noqa: E402
from deidentify.dicom.burned_in import HeldForReview  # noqa: E402

SLANTS = [20, 35, 50, 65, -25, -40, -55, -70]
SLANT_TEXT = ["TSAI YA-TING F2234567", "CHEN TA-MING 19650704", "WANG HSIAO-MING A12345"]


def _slanted_mask(text: str, font: str, size: int, angle: float) -> np.ndarray:
    face = ImageFont.truetype(phantoms.FONTS[font], size)
    x0, y0, x1, y1 = face.getbbox(text)
    canvas = Image.new("L", (x1 + 6, y1 + 6), 0)
    ImageDraw.Draw(canvas).text((3, 3), text, fill=255, font=face)
    mask = np.asarray(canvas.rotate(angle, expand=True, resample=Image.BILINEAR)) > 96
    ys, xs = np.nonzero(mask)
    return mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def _slanted(kind: str, seed: int, angle: float, size: int, font: str, corner: bool):
    frame = phantoms.phantom(kind, seed, noise=2.0)
    mask = _slanted_mask(SLANT_TEXT[seed % len(SLANT_TEXT)], font, size, angle)
    h, w = mask.shape
    at = (8, 8) if corner else (frame.shape[0] - h - 8, frame.shape[1] - w - 8)
    glyphs = np.zeros(frame.shape, bool)
    glyphs[at[0]:at[0] + h, at[1]:at[1] + w] = mask
    return frame, glyphs, at


SATURATED = [(k, a, s, f) for (k, a), s, f in zip(itertools.product(["ct", "mr", "xr"], SLANTS),
                                                  itertools.cycle([9, 12, 14]), itertools.cycle(["sans", "sans-bold", "mono"]))]


@pytest.mark.parametrize("kind,angle,size,font", SATURATED, ids=[f"{k}-{a}-{s}-{f}" for k, a, s, f in SATURATED])
def test_saturated_text_at_a_slant_is_blanked(kind, angle, size, font):
    """The stroke pass as clean_pixels runs it: the letters' boxes, not the line's square box."""
    seed = 500 + SLANTS.index(angle) + 10 * size
    frame, glyphs, _ = _slanted(kind, seed, angle, size, font, corner=seed % 2 == 0)
    frame[glyphs] = 4095
    opts = PixelOptions.from_policy()
    cleaned = frame.copy()
    pixels.blackout(cleaned, pixels.stroke_boxes(frame, 4095, opts), frame.min(), opts.box_margin)
    assert (cleaned[glyphs] == frame[glyphs]).mean() < 0.02
    assert (cleaned != frame).mean() < 0.35, "the letters go, not the frame"


def test_a_saturated_wire_or_edge_at_a_slant_is_no_text():
    """One long mark (a guide wire, a needle, a bone edge) or a thick bar is no line of letters."""
    opts = PixelOptions.from_policy()
    for angle in SLANTS:
        frame = phantoms.phantom("xr", 700, noise=2.0)
        line = np.zeros(frame.shape, np.uint8)
        img = Image.fromarray(line)
        ImageDraw.Draw(img).line([(20, 128), (236, 128)], fill=255, width=3)
        wire = np.asarray(img.rotate(angle)) > 96
        frame[wire] = 4095
        assert pixels.stroke_boxes(frame, 4095, opts) == [], angle


FAINT_SLANTS = [(k, a) for k, a in itertools.product(["ct", "mr"], [20, 35, 50, -25, -40])]


@pytest.mark.parametrize("kind,angle", FAINT_SLANTS, ids=[f"{k}-{a}" for k, a in FAINT_SLANTS])
def test_faint_text_at_a_slant_is_a_line_to_read(kind, angle):
    """Not saturated (400 values over its background): found as a slanted text-like line, which
    burned_in.check_read holds unless OCR read it."""
    seed = 600 + SLANTS.index(angle) if angle in SLANTS else 600 + angle
    frame, glyphs, at = _slanted(kind, seed, angle, 12, "sans-bold", corner=True)
    img = frame.astype(np.float64)
    img[glyphs] += 400
    img = np.clip(img, 0, 4095).astype(frame.dtype)
    ys, xs = np.nonzero(glyphs)
    lines = local_contrast.find_lines(img)
    assert any(x0 <= xs.max() and x1 >= xs.min() and y0 <= ys.max() and y1 >= ys.min() for x0, y0, x1, y1 in lines)


@pytest.mark.parametrize("kind", ["ct", "mr", "xr", "us"])
def test_clean_phantoms_show_no_slanted_line(kind):
    """False holds: 12 clean frames a kind, both maps the line finder reads."""
    held = []
    for seed in range(100, 112):
        f = local_contrast._grey(np.asarray(phantoms.phantom(kind, seed, ruler=seed % 4 == 0), np.float32))
        if any(oblique_text.slanted_lines(z) for z in (local_contrast.zmap(f), local_contrast.zmap_similar(f))):
            held.append(seed)
    assert len(held) <= 1, f"{kind}: slanted lines in clean seeds {held}"


# (kind, slant, stored value over the background or saturated, size): slanted, and small upright
PIPELINE = [("ct", 35, "sat", 12), ("xr", -55, "sat", 12), ("mr", 50, 400, 12), ("ct", -25, 400, 12),
            ("ct", 0, "sat", 8), ("mr", 0, 600, 9)]


@pytest.mark.parametrize("kind,angle,delta,size", PIPELINE, ids=[f"{k}-{a}-{d}-{s}" for k, a, d, s in PIPELINE])
def test_slanted_or_small_text_through_the_real_pipeline_is_blanked_or_held(kind, angle, delta, size):
    """The real entry with tesseract (upright only, as the faint-text tests: slanted text is not
    read at any quarter turn): the glyphs are blanked, or the file is held with the reason."""
    from deidentify.dicom.synthetic import make_cine

    frame, glyphs, _ = _slanted(kind, 800 + abs(angle) + size, angle, size, "sans", corner=size != 8)
    img = frame.astype(np.float64)
    img[glyphs] = 4095 if delta == "sat" else img[glyphs] + delta
    img = np.clip(img, 0, 4095).astype(frame.dtype)
    data = make_cine(__import__("random").Random(angle), img[np.newaxis], {"xr": "DX"}.get(kind, kind.upper()))
    try:
        out = deidentify_dicom(data, pseudonymise=pseudonymise, options=PixelOptions.from_policy(ocr_all_orientations=False))
    except HeldForReview as exc:
        assert "text" in str(exc)
        return
    cleaned = pydicom.dcmread(io.BytesIO(out)).pixel_array
    assert (cleaned[glyphs] == img[glyphs]).mean() < 0.05
