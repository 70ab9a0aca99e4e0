"""RULES.md D1 policy settings for the de-identification cut-offs and age bands: a bad value
fails at load, naming the file, the key and the reason."""
from __future__ import annotations

import pytest

from policies import PolicyError, load_policy
from policies.loader import POLICY_ROOT
from policies.sections.data import DataPolicy


def overlay(tmp_path, yaml_text: str):
    """A policy extending the centre's with ``yaml_text`` as its data section."""
    d = tmp_path / "pol"
    d.mkdir(exist_ok=True)
    (d / "policy.yaml").write_text(f"name: t\nextends: {POLICY_ROOT / 'nhi_centre'}\n")
    (d / "data.yaml").write_text(yaml_text)
    return load_policy(d)


def test_the_centre_policy_is_the_typed_defaults_and_restates_nothing():
    # One source: the sections' defaults are the centre's rules; its directory holds only the
    # header, so a value cannot drift between code and YAML (issue 17).
    from policies.model import SECTIONS, Policy
    d = POLICY_ROOT / "nhi_centre"
    assert sorted(p.name for p in d.glob("*.yaml")) == ["policy.yaml"]
    loaded = load_policy(d)
    for section, cls in SECTIONS.items():
        assert getattr(loaded, section) == cls(), section
    assert loaded.model_dump(exclude={"name", "description"}) == Policy().model_dump(
        exclude={"name", "description"})
    assert DataPolicy().age_bands[0] == (0, 14)


@pytest.mark.parametrize("key, value, reason", [
    ("text_mask_min_score", "0", "greater than 0"),
    ("text_mask_min_score", "1.2", "less than or equal to 1"),
    ("text_name_mask_min_score", "-0.5", "greater than 0"),
    ("text_name_mask_min_score", "high", "valid number"),
    ("dicom_header_name_min_score", "2", "less than or equal to 1"),
    ("dicom_ocr_min_confidence", "101", "less than or equal to 100"),
    ("dicom_ocr_min_confidence", "-1", "greater than or equal to 0"),
    ("dicom_mask_margin", "-0.1", "greater than or equal to 0"),
    ("dicom_fallback_band", "0", "greater than 0"),
    ("dicom_fallback_band", "0.6", "less than or equal to 0.5"),
])
def test_bad_cut_off_fails_with_key_and_reason(tmp_path, key, value, reason):
    with pytest.raises(PolicyError) as e:
        overlay(tmp_path, f"{key}: {value}\n")
    msg = str(e.value)
    assert "data.yaml" in msg and f": {key}:" in msg and reason in msg, msg


@pytest.mark.parametrize("bands, reason", [
    ("[[0, 14], [10, 24], [25, null]]", "band 1 [10, 24] overlaps band 0 [0, 14]"),
    ("[[0, 14], [25, 34], [15, null]]", "ages 15-24 without a band"),        # not ascending
    ("[[0, 14], [20, null]]", "bands 0 [0, 14] and 1 [20, null] leave ages 15-19 without a band"),
    ("[[5, 14], [15, null]]", "must start at age 0"),
    ("[[0, 14], [15, 64]]", "must be open-ended"),
    ("[[0, null], [15, null]]", "open-ended but is not the last band"),
    ("[[0, 14], [30, 20], [31, null]]", "ends before it starts"),
    ("[]", "at least one age band"),
])
def test_bad_age_bands_fail_with_key_and_reason(tmp_path, bands, reason):
    with pytest.raises(PolicyError) as e:
        overlay(tmp_path, f"age_bands: {bands}\n")
    msg = str(e.value)
    assert "data.yaml" in msg and ": age_bands:" in msg and reason in msg, msg


def test_age_bands_of_the_wrong_shape_name_the_element(tmp_path):
    with pytest.raises(PolicyError, match=r"age_bands\.1\.0: .*valid integer"):
        overlay(tmp_path, "age_bands: [[0, 14], [teen, 24], [25, null]]\n")
    with pytest.raises(PolicyError, match=r"age_bands\.1"):
        overlay(tmp_path, "age_bands: [[0, 14], [15, 24, 34], [35, null]]\n")


def test_good_overlay_changes_only_what_it_sets(tmp_path):
    p = overlay(tmp_path, "age_bands: [[0, 17], [18, 64], [65, null]]\ntext_name_mask_min_score: 0.85\n")
    assert p.data.age_bands == ((0, 17), (18, 64), (65, None))
    assert p.data.text_name_mask_min_score == 0.85
    assert p.data.text_mask_min_score == load_policy(POLICY_ROOT / "nhi_centre").data.text_mask_min_score
