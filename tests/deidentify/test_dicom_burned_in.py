"""D1: burned-in text, default deny, against DICOM images no other test has seen.

Before: an image with no BurnedInAnnotation (or NO) whose OCR read nothing passed untouched.
Now the classes that carry text whatever their header says (ultrasound, secondary capture,
OT, photographs XC, endoscopy ES, by modality, SOP class or ConversionType) must be read by
OCR and lose their known text regions (the borders) even when OCR reads nothing; some files
are held for a person (HeldForReview); OCR unavailable raises, never passes.

Most cases stub OCR to read nothing (the case that used to leak: low contrast, small fonts,
colours tesseract misses) and check, over modality × photometric interpretation × bit depth ×
frame index × text position × contrast, that the planted text region is blanked.  With the
protection off (``deidentify.dicom.burned_in:risk_reason`` returning None, the rule switch in
policies/rules_index.yaml) test_text_in_known_regions_blanked_when_ocr_reads_nothing fails.
A few cases run real tesseract (one batched run) for the new renderings (chroma, palette)."""
from __future__ import annotations

import hashlib
import hmac
import io
import itertools

import numpy as np
import pydicom
import pytest
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

from deidentify.dicom import PixelOptions, burned_in, deidentify_dataset, deidentify_dicom_many, pixels
from deidentify.dicom.burned_in import HeldForReview

ROWS, COLS = 120, 160
FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 9)
TEXT = "A123456789"

US, SC, VL_PHOTO, VL_ENDO, US_MF, SC_MF = ("1.2.840.10008.5.1.4.1.1.6.1", "1.2.840.10008.5.1.4.1.1.7",
                                           "1.2.840.10008.5.1.4.1.1.77.1.4", "1.2.840.10008.5.1.4.1.1.77.1.1",
                                           "1.2.840.10008.5.1.4.1.1.3.1", "1.2.840.10008.5.1.4.1.1.7.2")
# (label, modality, SOP class, extra header): each way an image is known to carry text
CLASSES = [
    ("US", "US", US, {}), ("SC-OT", "OT", SC, {}), ("XC", "XC", VL_PHOTO, {}),
    ("ES", "ES", VL_ENDO, {}), ("US-multiframe-class", "US", US_MF, {}),
    ("SC-class-as-CT", "CT", SC_MF, {}), ("CT-ConversionType", "CT", CTImageStorage, {"ConversionType": "WSD"}),
]
PHOTOMETRIC = ["MONO2-8", "MONO2-16", "MONO1-16", "RGB", "PALETTE", "YBR_FULL"]
# where vendors write: corners (horizontal) and the sides (written down the frame)
POSITIONS = ["top-left", "top-right", "bottom-left", "bottom-right", "left-side", "right-side"]


def pseudonymise(value: str) -> str:
    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


def _glyphs(position: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A boolean text mask of the frame's shape and the text's box (y0, y1, x0, x1)."""
    canvas = Image.new("L", (70, 11), 0)
    ImageDraw.Draw(canvas).text((1, 0), TEXT, fill=255, font=FONT)
    glyph = np.asarray(canvas) > 96
    if position.endswith("side"):
        glyph = np.rot90(glyph, 1 if position.startswith("left") else 3)
    h, w = glyph.shape
    y0 = {"top": 2, "bottom": ROWS - h - 2}.get(position.split("-")[0], (ROWS - h) // 2)
    x0 = 2 if ("left" in position) else COLS - w - 2
    mask = np.zeros((ROWS, COLS), bool)
    mask[y0:y0 + h, x0:x0 + w] = glyph
    return mask, (y0, y0 + h, x0, x0 + w)


def _anatomy(seed: int, top: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:ROWS, 0:COLS]
    img = np.full((ROWS, COLS), 0.08 * top)
    body = ((yy - ROWS / 2) / (ROWS * 0.3)) ** 2 + ((xx - COLS / 2) / (COLS * 0.3)) ** 2 <= 1
    img[body] = 0.45 * top + rng.normal(0, 0.03 * top, body.sum())
    return img


def _image(modality, sop, extra, photometric, position, frames, text_frame, low_contrast) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop
    ds.file_meta.MediaStorageSOPInstanceUID = "2.25.11"
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = sop, "2.25.11", modality
    ds.PatientName, ds.PatientID = "CHEN^TA-MING", TEXT
    for k, v in extra.items():
        setattr(ds, k, v)
    ds.Rows, ds.Columns = ROWS, COLS
    bits = 16 if photometric.endswith("16") else 8
    top = 4095 if bits == 16 else 255
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits, (12 if bits == 16 else 8), (11 if bits == 16 else 7)
    ds.PixelRepresentation = 0
    mask, _ = _glyphs(position)
    stack = []
    for f in range(frames):
        img = _anatomy(f, top)
        if f == text_frame:   # low contrast: a few per cent above the air around it
            img[mask] = 0.14 * top if low_contrast else top
        stack.append(np.clip(img, 0, top))
    arr = np.stack(stack)
    if photometric.startswith("MONO"):
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME1" if photometric.startswith("MONO1") else "MONOCHROME2"
        if photometric.startswith("MONO1"):
            arr = top - arr
        data = arr.astype(np.uint16 if bits == 16 else np.uint8)
    elif photometric == "PALETTE":
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "PALETTE COLOR"
        lut = (np.arange(256) * 257).astype(np.uint16)
        for c in ("Red", "Green", "Blue"):
            setattr(ds, f"{c}PaletteColorLookupTableDescriptor", [256, 0, 16])
            setattr(ds, f"{c}PaletteColorLookupTableData", lut.tobytes())
        data = arr.astype(np.uint8)
    else:   # colour: text in red, anatomy grey
        rgb = np.stack([arr, arr, arr], axis=-1)
        if 0 <= text_frame < frames:   # only the text frame: tinting the glyphs of every frame
            rgb[text_frame, ..., 1][mask] *= 0.3    # wrote dark text into "text-free" images
            rgb[text_frame, ..., 2][mask] *= 0.3
        rgb = np.clip(rgb, 0, 255).astype(np.uint8)
        ds.SamplesPerPixel, ds.PlanarConfiguration = 3, 0
        ds.PhotometricInterpretation = "RGB"
        if photometric == "YBR_FULL":
            from pydicom.pixels import convert_color_space

            rgb = convert_color_space(rgb, "RGB", "YBR_FULL")
            ds.PhotometricInterpretation = "YBR_FULL"
        data = rgb
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = (data if frames > 1 else data[0]).tobytes()
    return ds


def _frames(ds: Dataset) -> np.ndarray:
    arr = ds.pixel_array
    return arr if int(ds.get("NumberOfFrames", 1) or 1) > 1 else arr[np.newaxis]


@pytest.fixture
def ocr_reads_nothing(monkeypatch):
    monkeypatch.setattr(pixels, "ocr_boxes_many", lambda frames, opts: [[] for _ in frames])


def _members():
    """7 classes × 6 photometric/bit depths × 6 positions = 252 images; frame count, the frame
    holding the text and the contrast vary along the product."""
    for n, (cls, photometric, position) in enumerate(itertools.product(CLASSES, PHOTOMETRIC, POSITIONS)):
        frames = (1, 3, 4)[n % 3]
        yield cls, photometric, position, frames, (n // 3) % frames, n % 2 == 0


def test_text_in_known_regions_blanked_when_ocr_reads_nothing(ocr_reads_nothing):
    opts = PixelOptions()
    leaks = []
    count = 0
    for (label, modality, sop, extra), photometric, position, frames, text_frame, low in _members():
        count += 1
        ds = _image(modality, sop, extra, photometric, position, frames, text_frame, low)
        report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=opts)
        out = pydicom.dcmread(io.BytesIO(_written(ds)))
        y0, y1, x0, x1 = _glyphs(position)[1]
        region = _frames(out)[text_frame][y0:y1, x0:x1]
        flat = region.reshape(-1, region.shape[-1]) if region.ndim == 3 else region.reshape(-1, 1)
        assert report.known_regions or report.burned_in_class == "", report
        if len(np.unique(flat, axis=0)) != 1:
            leaks.append((label, photometric, position, frames, text_frame, "low" if low else "bright"))
    assert count == 252
    assert not leaks, f"{len(leaks)}/{count} leaked: {leaks[:10]}"


def _written(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("photometric", PHOTOMETRIC)
def test_ordinary_ct_without_text_is_left_alone(ocr_reads_nothing, photometric):
    """False positives: a CT image with no text loses nothing."""
    ds = _image("CT", CTImageStorage, {}, photometric, "top-left", 1, -1, False)
    before = _frames(ds).copy()
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())
    assert not report.known_regions and not report.band_fallback
    assert np.array_equal(_frames(ds), before)


def test_scanned_document_held(ocr_reads_nothing):
    ds = _image("DOC", SC, {}, "MONO2-8", "top-left", 1, 0, False)
    with pytest.raises(HeldForReview, match="DOC"):
        deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())


@pytest.mark.parametrize("label,modality,sop,extra", CLASSES, ids=[c[0] for c in CLASSES])
def test_risky_class_without_ocr_is_held(label, modality, sop, extra):
    ds = _image(modality, sop, extra, "MONO2-8", "top-left", 1, 0, True)
    with pytest.raises(HeldForReview, match="OCR is off"):
        deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))


def test_page_of_text_held(monkeypatch):
    # OCR reads text over half the frame: a screenshot of a report, not annotations
    monkeypatch.setattr(pixels, "ocr_boxes_many",
                        lambda frames, opts: [[(0, 0, COLS, ROWS // 2)] for _ in frames])
    ds = _image("CT", CTImageStorage, {}, "MONO2-16", "top-left", 1, 0, False)
    with pytest.raises(HeldForReview, match="page of text"):
        deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())


@pytest.mark.parametrize("modality,sop", [("CT", CTImageStorage), ("US", US)])
def test_ocr_unavailable_never_passes(monkeypatch, modality, sop):
    from deidentify import ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    ds = _image(modality, sop, {}, "MONO2-8", "top-left", 1, 0, True)
    with pytest.raises(pixels.OcrUnavailable):   # the batch fails; the loader quarantines its files
        deidentify_dicom_many([_written(ds)], pseudonymise=pseudonymise, options=PixelOptions())
    with pytest.raises(pixels.OcrUnavailable):
        deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())


def test_overlay_in_unused_high_bits_is_dropped(ocr_reads_nothing):
    """An old-style overlay lives in bits above BitsStored; it used to be written back as read."""
    ds = _image("CT", CTImageStorage, {}, "MONO2-16", "top-left", 1, -1, False)
    mask, _ = _glyphs("top-left")
    raw = np.frombuffer(ds.PixelData, np.uint16).reshape(ROWS, COLS) | (mask.astype(np.uint16) << 15)
    ds.PixelData = raw.tobytes()
    ds.add_new(0x60000102, "US", 15)   # Overlay Bit Position
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())
    out = np.frombuffer(pydicom.dcmread(io.BytesIO(_written(ds))).PixelData, np.uint16)
    assert not (out >> 12).any()


def test_preamble_implementation_names_and_icons_carry_nothing(ocr_reads_nothing):
    ds = _image("CT", CTImageStorage, {}, "MONO2-8", "top-left", 1, -1, False)
    ds.preamble = b"CHEN TA-MING A123456789".ljust(128, b"\0")
    ds.file_meta.ImplementationClassUID = "1.2.158.99001.1"
    ds.file_meta.ImplementationVersionName = "KVGH_PACS"
    icon = Dataset()
    icon.Rows, icon.Columns, icon.SamplesPerPixel = 8, 8, 1
    icon.PhotometricInterpretation, icon.BitsAllocated, icon.BitsStored, icon.HighBit = "MONOCHROME2", 8, 8, 7
    icon.PixelRepresentation = 0
    icon.PixelData = b"CHEN TA-MING".ljust(64, b"\0")
    ds.IconImageSequence = Sequence([icon])
    data = _written(ds)
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())
    data = _written(ds)
    assert b"CHEN" not in data and b"A123456789" not in data and b"KVGH" not in data
    assert b"1.2.158.99001" not in data and data[:128] == b"\0" * 128


def test_private_text_at_depth_is_removed():
    """Private elements (and private sequences) inside kept public sequences, five deep."""
    ds = _image("CT", CTImageStorage, {}, "MONO2-8", "top-left", 1, -1, False)
    inner = Dataset()
    inner.CodeValue = "T-D0050"
    block = inner.private_block(0x0029, "SIEMENS CSA HEADER", create=True)
    block.add_new(0x10, "LO", "CHEN TA-MING")
    psq = Dataset()
    psq.add_new(0x00291020, "LT", "陳大明 A123456789")
    block.add_new(0x11, "SQ", Sequence([psq]))
    item = inner
    for _ in range(5):
        outer = Dataset()
        outer.ContentSequence = Sequence([item])
        item = outer
    ds.ContentSequence = Sequence([item])
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    data = _written(ds)
    assert b"CHEN TA" not in data and "陳大明".encode() not in data and b"SIEMENS" not in data


def _ocr_cases() -> list[tuple[str, Dataset, np.ndarray]]:
    """Text only the new renderings show: red on grey of the same luminance (RGB), and a
    palette whose text index sits among the background's noisy ones but maps to white."""
    canvas = Image.new("L", (COLS, 26), 0)
    ImageDraw.Draw(canvas).text((4, 4), "F223456786", fill=255,
                                font=ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 16))
    mask = np.zeros((ROWS, COLS), bool)
    mask[50:76] = np.asarray(canvas) > 96
    cases = []
    rgb = np.full((ROWS, COLS, 3), 100, np.uint8)
    rgb[mask] = (200, 50, 50)                  # mean 100: invisible in a grey rendering
    ds = _image("CT", CTImageStorage, {}, "RGB", "top-left", 1, -1, False)
    ds.PixelData = rgb.tobytes()
    cases.append(("red on grey", ds, mask))
    idx = np.random.default_rng(5).integers(30, 60, (ROWS, COLS)).astype(np.uint8)
    idx[idx == 41] = 42          # noisy indices: as indices the text is lost in the noise
    idx[mask] = 41
    ds = _image("CT", CTImageStorage, {}, "PALETTE", "top-left", 1, -1, False)
    lut = np.full(256, 9000, np.uint16)
    lut[41] = 65535
    for c in ("Red", "Green", "Blue"):
        setattr(ds, f"{c}PaletteColorLookupTableData", lut.tobytes())
    ds.PixelData = idx.tobytes()
    cases.append(("palette", ds, mask))
    return cases


def test_colour_palette_and_later_frame_text_read_by_real_ocr():
    """Only OCR can find these (no flag, text not saturated, away from the borders): through
    the chroma and palette renderings, and on the third frame of an ultrasound cine (one
    tesseract run for the three files)."""
    opts = PixelOptions(ocr_upscale_below=512)
    cases = _ocr_cases()
    cine = _image("US", US_MF, {}, "MONO2-8", "top-left", 3, -1, False)
    stack = cine.pixel_array.copy()
    mask = cases[0][2]
    stack[2][mask] = 225                       # unsaturated text mid-frame on frame 3 only
    cine.PixelData = stack.tobytes()
    cases.append(("US cine frame 3", cine, mask))
    out = deidentify_dicom_many([_written(ds) for _, ds, _ in cases], pseudonymise=pseudonymise,
                                options=opts)
    for (label, ds, mask), result in zip(cases, out):
        assert isinstance(result, bytes), (label, result)
        after = pydicom.dcmread(io.BytesIO(result)).pixel_array
        before = ds.pixel_array
        if label.startswith("US cine"):
            after, before = after[2], before[2]
        changed = (after != before).any(axis=-1) if after.ndim == 3 else after != before
        assert changed[mask].mean() > 0.95, label


def test_renderings_show_what_a_grey_rendering_hides():
    for label, ds, mask in _ocr_cases():
        main, extras = burned_in.renderings(ds, ds.pixel_array)
        shown = [main] + extras
        contrast = max(abs(float(r[mask].mean()) - float(r[~mask].mean())) for r in shown)
        assert contrast > 100, label


def test_flagged_image_loses_its_bands_even_when_ocr_finds_other_text(monkeypatch):
    """BurnedInAnnotation YES on an ordinary class: a box found in the middle no longer
    spares the top and bottom bands (OCR may have missed the header line)."""
    monkeypatch.setattr(pixels, "ocr_boxes_many", lambda frames, opts: [[(60, 50, 90, 60)] for _ in frames])
    ds = _image("CT", CTImageStorage, {"BurnedInAnnotation": "YES"}, "MONO2-16", "bottom-right", 1, 0, True)
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())
    y0, y1, x0, x1 = _glyphs("bottom-right")[1]
    assert report.band_fallback and len(np.unique(ds.pixel_array[y0:y1, x0:x1])) == 1


def test_screen_capture_image_type_is_a_risky_class(ocr_reads_nothing):
    ds = _image("CT", CTImageStorage, {"ImageType": ["DERIVED", "SECONDARY", "SCREEN SAVE"]},
                "MONO2-8", "top-right", 1, 0, True)
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())
    y0, y1, x0, x1 = _glyphs("top-right")[1]
    assert report.known_regions and len(np.unique(ds.pixel_array[y0:y1, x0:x1])) == 1


def test_pixel_data_nested_in_a_sequence_is_not_released(ocr_reads_nothing):
    ds = _image("CT", CTImageStorage, {}, "MONO2-8", "top-left", 1, -1, False)
    item = Dataset()
    item.Rows, item.Columns = 8, 8
    item.PixelData = b"CHEN TA-MING".ljust(64, b"\0")
    ds.add_new(0x00F31010, "SQ", Sequence([item]))   # an unknown public sequence, kept by default
    ds.ReferencedImageSequence = Sequence([item])
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions())
    assert b"CHEN" not in _written(ds)


def test_16_bit_text_squeezed_by_an_outlier_is_shown_by_the_stretch_and_the_window():
    """One pixel at 65535 makes a min-max rendering show text at CT value 76 HU as 1-2 grey
    levels; the percentile stretch and the header's window show it."""
    ds = _image("CT", CTImageStorage, {}, "MONO2-16", "top-left", 1, -1, False)
    ds.BitsStored, ds.HighBit = 16, 15
    ds.WindowCenter, ds.WindowWidth, ds.RescaleIntercept, ds.RescaleSlope = "40", "400", "-1024", "1"
    arr = ds.pixel_array.astype(np.uint16).copy()
    mask = _ocr_cases()[0][2]
    arr[mask] = 1100
    arr[0, 0] = 65535
    main, extras = burned_in.renderings(ds, arr)
    contrast = [abs(float(r[mask].mean()) - float(r[~mask].mean())) for r in [main] + extras]
    assert contrast[0] < 5 and len(extras) == 2 and min(contrast[1:]) > 40, contrast
