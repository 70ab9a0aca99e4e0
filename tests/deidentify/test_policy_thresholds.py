"""RULES.md D1: the de-identification cut-offs and bands are policy settings, and each one
really changes what is masked or generalised (policies written to disk and loaded, as a
deployment would)."""
from __future__ import annotations

import io
import random
from pathlib import Path

import duckdb
import numpy as np
import pydicom
import pytest
import yaml

from deidentify import generalise as G
from deidentify.dicom import PixelOptions, deidentify_dataset
from deidentify.dicom.burned_in import HeldForReview
from deidentify.dicom.synthetic import make_dicom
from deidentify.text import ScrubOptions, find_identifiers, find_identifiers_batch, scrub_texts
from policies import load_policy
from policies.loader import POLICY_ROOT

NO_CONTEXT = "陳大明今天回診"        # name without context: scored 0.6
WITH_CONTEXT = "病患陳大明發燒"      # after 病患: 0.85
ROMANISED = "CHEN TA-MING follow-up"  # 0.7


def policy_dir(tmp_path: Path, name: str = "pol", **data) -> Path:
    """A policy extending the NHI centre's, with ``data`` settings overridden."""
    d = tmp_path / name
    d.mkdir()
    (d / "policy.yaml").write_text(f"name: {name}\nextends: {POLICY_ROOT / 'nhi_centre'}\n")
    (d / "data.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return d


def masked(texts, policy) -> list[bool]:
    out = scrub_texts(texts, options=ScrubOptions.from_policy(policy))
    return [a != b for a, b in zip(texts, out)]


# --- free text ---------------------------------------------------------------------------------

def test_name_cut_off_decides_which_names_are_masked(tmp_path):
    texts = [NO_CONTEXT, WITH_CONTEXT, ROMANISED]
    assert masked(texts, load_policy(POLICY_ROOT / "nhi_centre")) == [True, True, True]
    raised = load_policy(policy_dir(tmp_path, "raised", text_name_mask_min_score=0.75))
    assert masked(texts, raised) == [False, True, False]
    assert scrub_texts([NO_CONTEXT], options=ScrubOptions.from_policy(raised)) == [NO_CONTEXT]
    strict_only = load_policy(policy_dir(tmp_path, "ctx", text_name_mask_min_score=0.9))
    assert masked(texts, strict_only) == [False, False, False]
    lowered = load_policy(policy_dir(tmp_path, "lowered", text_name_mask_min_score=0.5))
    assert masked(texts, lowered) == [True, True, True]
    assert scrub_texts([NO_CONTEXT], options=ScrubOptions.from_policy(lowered)) == ["<NAME>今天回診"]


def test_identifier_cut_off_is_separate_from_the_name_cut_off(tmp_path):
    texts = ["FA12345670 回診",                      # old resident form, no context: 0.6
             "住臺北市大安區復興南路一段100號",          # address: 0.7
             "A123-456-789",                          # ID written with separators: 0.8
             "test@example.com",                      # e-mail: 0.9
             "電話 0912-345-678", "身分證 A123456789",  # structure/checksum valid: 1.0
             NO_CONTEXT]
    default = load_policy(POLICY_ROOT / "nhi_centre")
    assert all(masked(texts, default))
    mid = load_policy(policy_dir(tmp_path, "mid", text_mask_min_score=0.75))
    assert masked(texts, mid) == [False, False, True, True, True, True, True]
    high = load_policy(policy_dir(tmp_path, "high", text_mask_min_score=0.95))
    assert masked(texts, high) == [False, False, False, False, True, True, True]


def test_default_options_come_from_the_deployment_policy(tmp_path, monkeypatch):
    texts = [NO_CONTEXT, WITH_CONTEXT]
    assert scrub_texts(texts) == ["<NAME>今天回診", "病患<NAME>發燒"]
    monkeypatch.setenv("ENCLAVE_POLICY", str(policy_dir(tmp_path, text_name_mask_min_score=0.8)))
    assert scrub_texts(texts) == [NO_CONTEXT, "病患<NAME>發燒"]
    assert [h.text for h in find_identifiers(NO_CONTEXT)] == []
    assert [[h.text for h in hs] for hs in find_identifiers_batch(texts)] == [[], ["陳大明"]]


def test_find_batch_and_scrub_agree_under_any_cut_off(tmp_path):
    texts = [NO_CONTEXT, WITH_CONTEXT, ROMANISED, "AC01234567 回診", "病患黃雅婷，電話 0912-345-678",
             "住臺北市大安區復興南路一段100號 陳大明", "咳嗽三天，上呼吸道感染"]
    for cut, name_cut in ((0.6, 0.6), (0.65, 0.8), (0.95, 0.9), (1.0, 1.0)):
        opts = ScrubOptions(mask_min_score=cut, name_mask_min_score=name_cut)
        one = [find_identifiers(t, options=opts) for t in texts]
        assert find_identifiers_batch(texts, options=opts) == one
        for hits in one:
            assert all(h.score >= (name_cut if h.kind == "NAME" else cut) for h in hits)
        assert [t != s for t, s in zip(texts, scrub_texts(texts, options=opts))] == [bool(h) for h in one]


def test_extra_terms_are_masked_whatever_the_cut_offs():
    hits = find_identifiers("pseudonym ab12cd seen", extra_terms=["AB12CD"],
                            options=ScrubOptions(mask_min_score=1.0, name_mask_min_score=1.0))
    assert [(h.kind, h.text) for h in hits] == [("TERM", "ab12cd")]


@pytest.mark.parametrize("bad", [0, -0.1, 1.01, "0.7", True])
def test_bad_cut_off_in_code_is_named(bad):
    with pytest.raises(ValueError, match="ScrubOptions.name_mask_min_score"):
        ScrubOptions(mask_min_score=0.6, name_mask_min_score=bad)


# --- age bands ---------------------------------------------------------------------------------

def test_age_bands_from_the_policy_change_the_generalised_value(tmp_path, monkeypatch):
    ages = [0, 14, 17, 18, 40, 64, 65, 90, 120]
    default = [G.age_band(a) for a in ages]
    assert default == ["0-14", "0-14", "15-24", "15-24", "35-44", "55-64", "65-74", "85+", "85+"]
    custom = load_policy(policy_dir(tmp_path, "bands", age_bands=[[0, 17], [18, 64], [65, None]]))
    got = [G.age_band(a, custom.data.age_bands) for a in ages]
    assert got == ["0-17", "0-17", "0-17", "18-64", "18-64", "18-64", "65+", "65+", "65+"]
    # SQL and Python give the same label for every age, under both band sets
    con = duckdb.connect()
    for bands in (None, custom.data.age_bands):
        sql = [r[0] for r in con.execute(f"SELECT {G.age_band_sql('a', bands)} FROM range(0, 121) t(a) "
                                         "ORDER BY a").fetchall()]
        assert sql == [G.age_band(a, bands) for a in range(121)]
    # and the default (no bands given) follows $ENCLAVE_POLICY
    monkeypatch.setenv("ENCLAVE_POLICY", str(policy_dir(tmp_path, "env", age_bands=[[0, 49], [50, None]])))
    assert [G.age_band(a) for a in (49, 50)] == ["0-49", "50+"]
    assert "'50+'" in G.age_band_sql("a")


def test_bad_bands_given_in_code_are_refused():
    with pytest.raises(ValueError, match=r"age bands: band 1 \[10, null\] overlaps band 0 \[0, 14\]"):
        G.age_band(3, [(0, 14), (10, None)])
    with pytest.raises(ValueError, match="ages 15-19 without a band"):
        G.age_band_sql("a", [(0, 14), (20, None)])
    with pytest.raises(ValueError, match="must be open-ended"):
        G.age_band(3, [(0, 14), (15, 99)])
    with pytest.raises(ValueError, match="out of range"):
        G.age_band(-1)


# --- DICOM -------------------------------------------------------------------------------------

def _read(data: bytes):
    return pydicom.dcmread(io.BytesIO(data))


def _pseudo(value: str) -> str:
    import hashlib
    import hmac

    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


def _dataset():
    return _read(make_dicom(random.Random(5), "王^小明", "B223456780", "19600101", "20200202",
                            "WANG HSIAO-MING"))


def test_header_name_cut_off_decides_which_elements_are_swept(tmp_path):
    # (ideographs in a device's values go whatever the cut-off since round 3, a Chinese name in
    # ideographs in any kept label since DICOM round 5, and first names or two unknown title-case
    # words since round 6; in a label, an unknown word beside a structure and a census given name
    # with a surname since round 8; in a device value without a number, a surname beside
    # ordinary words since round 9, and an unknown capitalised word in a device's name since
    # DICOM round 11 - so the probe is a device's value with a version number and a surname
    # that is also an English word, which only the cut-off decides)
    def swept(policy) -> set[str]:
        out = set()
        for what, value in (("no context", "BRAIN MILLER 3"),    # a name without context: 0.6
                            ("with context", "技術員黃雅婷")):    # with context: 0.85 and above
            ds = _dataset()
            ds.Manufacturer = value
            rep = deidentify_dataset(ds, pseudonymise=_pseudo, options=PixelOptions(use_ocr=False),
                                     header=ScrubOptions.for_dicom_headers(policy))
            if "Manufacturer" in rep.residual_removed:
                out.add(what)
        return out

    # 0.6 (the centre's): a name without context in a label goes too
    assert swept(load_policy(POLICY_ROOT / "nhi_centre")) == {"no context", "with context"}
    assert swept(load_policy(policy_dir(tmp_path, "mid", dicom_header_name_min_score=0.85))) == {
        "with context"}


def _grey_text_dataset():
    """Burned-in text at mid-grey (no saturated strokes, no header flag): only OCR finds it."""
    ds = _read(make_dicom(random.Random(1), "陳^大明", "A123456789", "19700312", "20240105",
                          "CHEN TA-MING\nID A123456789\nDOB 1970-03-12"))
    arr = ds.pixel_array.copy()
    glyphs = arr == 4095
    arr[glyphs] = 2600
    ds.PixelData = arr.tobytes()
    ds.BurnedInAnnotation = "NO"
    return ds, glyphs


def test_ocr_confidence_cut_off_decides_which_words_are_blacked_out(tmp_path):
    ds, glyphs = _grey_text_dataset()
    opts = PixelOptions.from_policy(load_policy(POLICY_ROOT / "nhi_centre"), use_strokes=False)
    rep = deidentify_dataset(ds, pseudonymise=_pseudo, options=opts)
    assert rep.ocr_boxes > 0 and (ds.pixel_array[glyphs] == 2600).mean() < 0.05
    # tesseract reads this clean text at 90-96 % confidence: a 99 % cut-off keeps every word
    # (with the hold for text-like lines no word covers switched off, to see the cut-off alone)
    ds, glyphs = _grey_text_dataset()
    strict = load_policy(policy_dir(tmp_path, "c99", dicom_ocr_min_confidence=99,
                                    dicom_faint_text_hold=False))
    rep = deidentify_dataset(ds, pseudonymise=_pseudo,
                             options=PixelOptions.from_policy(strict, use_strokes=False))
    assert rep.ocr_boxes == 0 and (ds.pixel_array[glyphs] == 2600).all()
    # and with that hold on (the default), the words left unread hold the file for a person
    ds, _ = _grey_text_dataset()
    held = load_policy(policy_dir(tmp_path, "c99h", dicom_ocr_min_confidence=99))
    with pytest.raises(HeldForReview, match="could not read"):
        deidentify_dataset(ds, pseudonymise=_pseudo,
                           options=PixelOptions.from_policy(held, use_strokes=False))


def test_mask_margin_widens_the_blacked_out_area(tmp_path):
    def blacked(policy) -> int:
        ds = _dataset()
        arr = np.maximum(ds.pixel_array, 100)
        arr[-1, -1] = 0  # the fill value: only masking writes it elsewhere
        ds.PixelData = arr.tobytes()
        deidentify_dataset(ds, pseudonymise=_pseudo, options=PixelOptions.from_policy(policy, use_ocr=False))
        return int((ds.pixel_array == 0).sum()) - 1

    none = blacked(load_policy(policy_dir(tmp_path, "m0", dicom_mask_margin=0)))
    default = blacked(load_policy(POLICY_ROOT / "nhi_centre"))
    wide = blacked(load_policy(policy_dir(tmp_path, "m2", dicom_mask_margin=1.5)))
    assert 0 < none < default < wide


def test_fallback_band_height_follows_the_policy(tmp_path, monkeypatch):
    def band_rows(options=None) -> int:
        # Text at tissue brightness, OCR off: nothing is detected, only the header flag is left.
        ds = _read(make_dicom(random.Random(6), "王^小明", "B223456780", "19600101", "20200202", "SECRET"))
        arr = ds.pixel_array.copy()
        arr[arr == 4095] = 1064
        arr = np.maximum(arr, 100)
        arr[-1, -1] = 0  # the fill value; no row of the top half holds it before masking
        ds.PixelData = arr.tobytes()
        rep = deidentify_dataset(ds, pseudonymise=_pseudo, options=options or PixelOptions(use_ocr=False))
        assert rep.band_fallback
        out = ds.pixel_array
        return int(np.all(out[: out.shape[0] // 2] == 0, axis=1).sum())

    def expected(fraction: float, margin: float = 0.3) -> int:
        band = round(256 * fraction)  # the band, then blacked out with the usual margin
        return band + int(np.ceil(band * margin)) + 1

    assert band_rows() == expected(0.12)
    low = load_policy(policy_dir(tmp_path, "b5", dicom_fallback_band=0.05))
    assert band_rows(PixelOptions.from_policy(low, use_ocr=False)) == expected(0.05)
    # PixelOptions() without the policy's keys set takes them from $ENCLAVE_POLICY
    monkeypatch.setenv("ENCLAVE_POLICY", str(policy_dir(tmp_path, "b30", dicom_fallback_band=0.3)))
    assert band_rows() == expected(0.3)


# --- the loader passes its own policy down ------------------------------------------------------

def _plant_complaints(src: Path, texts: list[str]) -> None:
    """Put ``texts`` into the first rows' CHIEF_COMPLAINT and fix the manifest's size/sha256."""
    import csv
    import hashlib
    import json

    f = src / "H_NHI_OPDTE_2019.csv"
    with open(f, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("CHIEF_COMPLAINT")
    for row, text in zip(rows[1:], texts):
        row[col] = text
    with open(f, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    manifest = json.loads((src / "MANIFEST.json").read_text())
    for entry in manifest["files"]:
        if entry["file"] == f.name:
            entry["bytes"] = f.stat().st_size
            entry["sha256"] = hashlib.sha256(f.read_bytes()).hexdigest()
    (src / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))


def _plant_dicom(path: Path) -> None:
    """A no-context name in a kept header element; background lifted off the fill value so
    that every pixel at 0 afterwards was blacked out."""
    ds = _read(path.read_bytes())
    ds.Manufacturer = "BRAIN MILLER 3"   # a word-like surname in a versioned device value: the cut-off decides
    arr = np.maximum(ds.pixel_array, 100)
    arr[-1, -1] = 0
    ds.PixelData = arr.tobytes()
    ds.save_as(path, enforce_file_format=True)


def test_loader_uses_the_load_policy_cut_offs(tmp_path):
    from datasets.dicom_crypto import release_dicom
    from datasets.load import connect_release, load_release
    from datasets.synthetic import generate
    from enclave.settings import EnclaveSettings

    src = tmp_path / "src"
    generate(src, 300, seed=11, images=1)
    _plant_complaints(src, [NO_CONTEXT, WITH_CONTEXT])
    _plant_dicom(next((src / "dicom").glob("*.dcm")))

    def load(release: str, policy):
        # a warehouse each: the same source files may not be loaded twice into one
        settings = EnclaveSettings(home=tmp_path / f"home-{release}")
        load_release(src, release, settings, policy=policy)
        con = connect_release(release, settings)
        texts = {r[0] for r in con.execute("SELECT CHIEF_COMPLAINT FROM H_NHI_OPDTE "
                                           "WHERE CHIEF_COMPLAINT LIKE '%今天回診' "
                                           "OR CHIEF_COMPLAINT LIKE '病患%發燒'").fetchall()}
        f = next((settings.warehouse_dir / "releases" / release / "dicom").glob("*.dcm"))
        dcm = _read(release_dicom(release, f"dicom/{f.name}", settings))   # sealed at rest
        return texts, dcm.get("Manufacturer"), int((dcm.pixel_array == 0).sum())

    texts, manufacturer, black = load("T1", load_policy(POLICY_ROOT / "nhi_centre"))
    assert texts == {"<NAME>今天回診", "病患<NAME>發燒"}
    assert manufacturer is None and black > 1      # header name cut-off 0.6: a name in it goes
    # the load's own policy decides, not $ENCLAVE_POLICY (the NHI centre's here)
    other = load_policy(policy_dir(tmp_path, text_name_mask_min_score=0.85, dicom_mask_margin=1.5,
                                   dicom_header_name_min_score=0.9))
    texts2, manufacturer2, black2 = load("T2", other)
    assert texts2 == {NO_CONTEXT, "病患<NAME>發燒"}
    assert manufacturer2 == "BRAIN MILLER 3" and black2 > black
