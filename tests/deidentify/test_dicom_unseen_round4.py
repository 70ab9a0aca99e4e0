"""D1, fourth round of unseen DICOM files (tests/deidentify/dicom_round4_files.py builds them):
romanised Chinese, Japanese, Korean, Vietnamese and Indonesian person names the free-text
scrubber's name score does not know, in every text value a cleaned object keeps (device and
coil names, kernels, code strings, code meanings, segment and layer labels, SR text) and in the
ones the profile removes, in every order and spelling, run together, split across two elements,
over-long, multi-valued, under other character sets; IDs, phones and birth dates in those values,
in UIDs and file IDs; presentation-state text, key objects, segmentations, RT structures,
documents, waveforms, per-frame groups and vendors' private blocks.  Each member goes through
the real entry (``deidentify_dicom``); the round-3 search looks for what was planted in every
encoding.  The values a study needs stay (a vendor's, a model's, a kernel's, a code's)."""
from __future__ import annotations

import re

import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from deidentify.dicom import asian_names
from tests.deidentify import dicom_round4_files as files
from tests.deidentify import dicom_suite as suite
from tests.deidentify.dicom_round3_files import _code, base

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values

MEMBERS = suite.load_members(files)


@pytest.mark.parametrize("member", MEMBERS, ids=suite.member_ids(MEMBERS))
def test_nothing_planted_leaves(member):
    suite.assert_nothing_leaves(member)


def test_the_classes_are_all_there():
    """The generator stays as wide as it was written (a member list cut short passes vacuously)."""
    suite.assert_classes(MEMBERS, 1400, {10: {
        "kept-text", "name-shape", "identifier", "uid", "presentation", "key-object", "sr", "segmentation",
        "rt-structure", "document", "waveform", "per-frame", "private", "charset", "long", "multi", "split"}})


_cleaned = suite.cleaned   # the shared reader (dicom_suite)


# --- what a study needs stays -----------------------------------------------------------------

@pytest.mark.parametrize("kw", sorted(files.ORDINARY))
def test_ordinary_device_and_code_values_stay(kw):
    """Real vendors' names (some are Japanese surnames: Fukuda Denshi, J. Morita), models, kernels,
    coils, sequences, body parts and code meanings (eponyms: Hashimoto's thyroiditis) are kept."""
    for value in files.ORDINARY[kw]:
        ds = base()
        files._set(ds, kw, value)
        read = _cleaned(ds)
        got = read.AnatomicRegionSequence[0].CodeMeaning if kw == "CodeMeaning" else read.get(kw)
        assert got == value, f"{kw} {value!r} became {got!r}"


def test_code_meanings_of_the_standard_mostly_stay():
    """Of pydicom's ~18 500 code meanings, the name rules take under 0.5 %: animal breeds named
    after Chinese places, and eponyms (Chang method, Hsieh projection).  Fetal biometry tables cited
    by author and year (Shinozuka 1996, Osaka 1989) stay."""
    from pydicom.sr._concepts_dict import concepts

    meanings = {m for scheme in concepts.values() for by_name in scheme.values() for m, _ in by_name.values()}
    taken = [m for m in meanings if asian_names.names_in(m)]
    assert len(meanings) > 15000 and len(taken) < len(meanings) * 0.005
    assert not [m for m in taken if not re.search(r"breed|dog|Chow|Hsieh|Sano|Chang method", m)]
    assert not [m for m in meanings if "Shinozuka" in m and asian_names.names_in(m)]


def test_sr_text_keeps_its_findings_and_loses_the_name():
    """SR TextValue is kept after the scrubber (policy default): the name is masked, the words stay."""
    ds = base()
    item = Dataset()
    item.RelationshipType, item.ValueType, item.TextValue = "CONTAINS", "TEXT", \
        "Nodule 8 mm in the right upper lobe, shown to Nguyen Van An and Dr.Lin; KIM MIN-JUN agreed."
    item.ConceptNameCodeSequence = Sequence([_code("121071", "Finding", "DCM")])
    ds.ContentSequence = Sequence([item])
    text = _cleaned(ds).ContentSequence[0].TextValue
    assert "Nodule 8 mm in the right upper lobe" in text and "agreed" in text
    for part in ("Nguyen", "Van An", "Lin", "MIN-JUN", "KIM"):
        assert part not in text


@pytest.mark.parametrize("value", ["SIEMENS", "Aquilion ONE", "Ingenia", "LightSpeed VCT", "HeadNeck_20",
                                   "Hong Kong", "Long axis", "MIN IP", "DR Chest", "Takayasu arteritis",
                                   "BPD, Shinozuka 1996", "Clements-Nakayama projection", "by an operator",
                                   "ORIGINAL\\PRIMARY\\AXIAL", "CHAN 1", "Separate image", "Moderate noise"])
def test_words_that_look_like_names_are_not(value):
    assert not asian_names.names_in(value)


@pytest.mark.parametrize("value", ["YAMADA^TARO", "Tanaka Hanako", "Nguyen Van An", "Nguyễn Văn An", "KIM MIN-JUN",
                                   "Dr.Lin", "Chen's tumour", "Lee Seo-yeon", "Le Van Tam", "Budi Santoso",
                                   "Hoshino Aiko", "Xiong Zhiqiang", "Tan Ah Kow", "Sukarno", "LIN",
                                   "ＹＡＭＡＤＡ", "TanakaHanako", "CT-YAMADA", "Tanaka 2003 table"])
def test_names_are_found(value):
    assert asian_names.names_in(value)


def test_masking_keeps_the_rest_of_a_sentence():
    assert (asian_names.mask_names("Seen by Dr.Lin and Tanaka Hanako; lung clear.")
            == "Seen by Dr.<NAME> and <NAME> <NAME>; lung clear.")


def test_sample_bytes_do_not_read_as_names():
    """Letter runs of a binary value (ECG samples, noise) spell short words and accented letters
    ("ÿù" folds to "yu"): only a listed or name-shaped word of five letters counts there, so
    waveforms stay; a name written into the samples still goes."""
    import numpy as np

    from deidentify.dicom.sweep import decoded_binary
    from deidentify.dicom.text_values import text_runs

    t = np.arange(5000)
    wave = (300 * np.sin(t / 9) + (t % 17) * 5).astype(np.int16).tobytes()
    ds = base()
    item = Dataset()
    item.WaveformBitsAllocated, item.WaveformSampleInterpretation = 16, "SS"
    item.WaveformData = wave
    ds.WaveformSequence = Sequence([item])
    assert "WaveformData" in _cleaned(ds).WaveformSequence[0]
    # noise: the name rule alone (the scrubber's own reading of noise is round 2's business)
    text_rule_hits = 0
    for seed in range(16):
        runs = text_runs(decoded_binary(np.random.default_rng(seed).integers(0, 256, 4096, dtype=np.uint8).tobytes()))
        assert len(runs) > 100 and not [r for r in runs if asian_names.names_in(r, binary=True)]
        text_rule_hits += sum(asian_names.names_in(r) for r in runs)
    assert text_rule_hits > 0     # the rules for text would have taken some: the binary rule is the one tested
    ds = base()
    item = Dataset()
    item.WaveformBitsAllocated, item.WaveformSampleInterpretation = 16, "SS"
    item.WaveformData = wave[:64] + b"Ikegami Ryota" + b"\0" + wave[64:128]
    ds.WaveformSequence = Sequence([item])
    assert "WaveformData" not in _cleaned(ds).WaveformSequence[0]
