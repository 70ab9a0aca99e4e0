"""D1 OCR cost cap: a long cine is held for a person instead of being OCR-read frame by frame."""
import pytest
from pydicom.dataset import Dataset

from deidentify.dicom import burned_in, pixels


def _cine(frames: int, modality: str) -> Dataset:
    ds = Dataset()
    ds.Modality = modality
    ds.NumberOfFrames = frames
    return ds


@pytest.mark.parametrize("modality", ["US", "XA", "CT", "MR"])
@pytest.mark.parametrize("frames", [65, 300])
def test_long_cine_is_held(frames, modality):
    """D1: more frames than dicom_ocr_max_frames -> held with the reason; fails with the cap off."""
    opts = pixels.PixelOptions(ocr_max_frames=64)
    reason = burned_in.hold_reason(_cine(frames, modality), opts, burned_in.risk_reason(_cine(frames, modality), opts))
    assert reason and "OCR cap" in reason


@pytest.mark.parametrize("frames", [1, 64])
def test_short_cine_is_not_held(frames):
    """D1: within the cap the file is OCR-read, not held."""
    opts = pixels.PixelOptions(ocr_max_frames=64)
    assert burned_in.hold_reason(_cine(frames, "CT"), opts, None) is None
