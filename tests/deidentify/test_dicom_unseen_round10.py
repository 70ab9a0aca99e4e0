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
    suite.assert_classes(MEMBERS, 270, {100: {"date-label"}, 60: {"date-code"}, 35: {"date-number", "date-adjacent"},
                                        40: {"date-sr"}})


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
