"""D1 OCR cost cap: data.dicom_ocr_max_frames limits the images OCR reads per file, not the
frames.  A long cine is reduced to a few images (cine.py, test_dicom_cine.py); when even those
exceed the cap the file is held for a person, never passed unread."""
import numpy as np
import pytest
from pydicom.dataset import Dataset

from deidentify.dicom import burned_in, cine, pixels
from deidentify.dicom.burned_in import HeldForReview


def _cine(frames: int, modality: str) -> Dataset:
    ds = Dataset()
    ds.Modality = modality
    ds.NumberOfFrames = frames
    return ds


def _stack(frames: int, flashes: int = 0) -> np.ndarray:
    stack = np.full((frames, 64, 64), 40, np.uint8)
    for k in range(flashes):               # a bright block in one frame: a change point each
        t = 3 + k * (frames // max(flashes, 1))
        stack[t, 8:24, 8:40] = 250
    return stack


@pytest.mark.parametrize("modality", ["US", "XA", "CT", "MR"])
@pytest.mark.parametrize("frames", [65, 300])
def test_long_cine_is_not_held_for_its_frame_count(frames, modality):
    """D1: the cap no longer holds a cine by its frame count: it is reduced and read."""
    opts = pixels.PixelOptions(ocr_max_frames=64)
    assert burned_in.hold_reason(_cine(frames, modality), opts, None) is None
    plan, images = cine.plan(_stack(frames), 64)
    assert plan.reduced and len(images) <= 6


@pytest.mark.parametrize("frames,flashes,cap", [(200, 12, 16), (300, 30, 64), (80, 3, 4)],
                         ids=["200f-12changes-cap16", "300f-30changes-cap64", "80f-3changes-cap4"])
def test_more_images_than_the_cap_are_held(frames, flashes, cap):
    """D1: too many change points for the cap -> held with the reason; fails with the cap off."""
    with pytest.raises(HeldForReview, match="OCR cap"):
        cine.plan(_stack(frames, flashes), cap)


@pytest.mark.parametrize("frames", [1, 64])
def test_short_cine_every_frame_read(frames):
    """D1: within the cap every frame is OCR-read."""
    plan, images = cine.plan(_stack(frames), 64)
    assert plan.sources == list(range(frames)) and len(images) == frames
