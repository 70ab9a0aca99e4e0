"""D1, twelfth round of unseen DICOM values, through the real header pass (``deidentify_dataset``).

- A name of three capitals beside a vendor's or model's word ("Toshiba AYO", "GE-OBI", "Siemens
  ADE 2"): round 11 read every three capitals as a model's acronym (VCT, HDX) and kept them.
  Now three capitals spelt as a name is (consonant-vowel-consonant, vowel-consonant-vowel,
  consonant-vowel-vowel) that the short-name rule takes and no acronym of ``device_words.ACRONYMS``
  are a person (``device_words.capitals_name``); acronyms of consonants and the listed ones stay.
- Over-removal: a short SR value about a line, a tube or a drain ("NG tube in place", "PICC line
  in place", "Chest drain in situ") was masked whole as <NAME>: "place", "drain" were on no word
  list.  ``report_words.REPORT_WORDS`` holds that report English; names in the same values (after
  "by", a word no list holds alone or beside them) are still masked.
"""
from __future__ import annotations

import io
import itertools

import pydicom
import pytest

from deidentify.dicom import deidentify_dataset, device_words, label_terms, report_words
from deidentify.identifiers.western_names import _census
from tests.deidentify.dicom_round3_files import base, to_bytes
from tests.deidentify.dicom_round9_files import _sr
from tests.deidentify.test_dicom_unseen_round3 import NO_PIXELS, pseudonymise

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values


def _clean(ds):
    read = pydicom.dcmread(io.BytesIO(to_bytes(ds)))
    report = deidentify_dataset(read, pseudonymise=pseudonymise, options=NO_PIXELS)
    return read, report


# --- three capitals beside a device word -----------------------------------------------------------

SHORT_NAMES = ["AYO", "OBI", "EZE", "IFE", "ADE", "OLA", "UMA", "KEN", "BOB", "TED", "AMY", "ABY", "EDO", "IDA"]
VENDORS = ["Toshiba", "SIEMENS", "GE", "Philips", "Canon", "Aquilion", "Lumify", "Hologic", "Varian", "Carestream"]
SHAPES = ["{v} {n}", "{n} {v}", "{v} {n} 2", "{v}-{n}", "{v} ({n})", "{v}, {n}", "{v} {n} v3.1", "{n}-{v}"]
KEYWORDS = ["ManufacturerModelName", "Manufacturer", "ReceiveCoilName", "TransmitCoilName",
            "SecondaryCaptureDeviceManufacturer", "DetectorManufacturerName", "ApplicationName"]


def _device_members():
    combos = list(itertools.product(SHORT_NAMES, VENDORS, SHAPES))
    return [(SHAPES[k % len(SHAPES)].format(v=v, n=n), KEYWORDS[k % len(KEYWORDS)], n)
            for k, (n, v, _) in enumerate(combos) if k % 4 == 0]


DEVICE_MEMBERS = _device_members()


@pytest.mark.parametrize("value,keyword,name", DEVICE_MEMBERS, ids=[f"{k}:{v}" for v, k, _ in DEVICE_MEMBERS])
def test_three_capitals_spelt_as_a_name_beside_a_device_word_go(value, keyword, name):
    ds = base()
    setattr(ds, keyword, value)
    read, report = _clean(ds)
    assert read.get(keyword) is None, f"{keyword}={value!r} kept"
    assert "a name is assumed" in report.reasons.get(keyword, ""), report.reasons


ACRONYM_MODELS = ["GE LightSpeed VCT", "Toshiba HDX", "Carestream DRX-Evolution", "Siemens DRX", "Philips EVO",
                  "Canon DUO", "GE PRO 2", "Toshiba Aquilion ONE", "Siemens MAX", "Hologic LUX", "Philips VUE",
                  "Agfa DXR", "Fujifilm FDR", "Konica KDR", "Samsung GXR", "Siemens XPR", "GE OEC", "Siemens ION",
                  "Philips CXR", "GE SRS", "Toshiba DSA", "EOS Imaging EOS", "Varian ECLIPSE", "Toshiba CTA 2",
                  "GE-VCT", "SYNTH-CT", "PET-MR", "Siemens NEO 2"]


@pytest.mark.parametrize("value", ACRONYM_MODELS)
def test_model_acronyms_stay(value):
    assert label_terms.device_person(value, "ManufacturerModelName") is None
    ds = base()
    ds.ManufacturerModelName = value
    read, _ = _clean(ds)
    assert read.get("ManufacturerModelName") == value


def test_the_acronym_list_holds_no_short_name_of_the_members():
    assert not {n.lower() for n in SHORT_NAMES} & device_words.ACRONYMS


# --- short SR values about lines, tubes and drains -----------------------------------------------

DEVICES = ["NG tube", "OG tube", "ET tube", "ETT", "PICC line", "Central line", "IJ line", "Chest drain", "JP drain",
           "PEG tube", "G tube", "Pigtail catheter", "Nephrostomy tube", "Foley catheter", "Pacemaker", "ICD leads",
           "Tracheostomy tube", "Swan-Ganz catheter", "Feeding tube", "Dobhoff tube", "Sternotomy wires",
           "Biliary stent", "IVC filter", "Intercostal drain", "Hickman line", "Arterial line", "Drainage catheter",
           "Nasogastric tube", "Orogastric tube", "Chest tube", "Dialysis catheter", "Gastrostomy tube",
           "NG tube tip", "PICC tip", "ECMO cannula", "Impella device"]
STATES = ["in place", "in situ", "in satisfactory position", "removed", "unchanged", "in good position", "noted",
          "tip in stomach", "repositioned", "satisfactorily sited", "in expected position", "appropriately positioned",
          "withdrawn", "present", "coiled", "not seen", "kinked", "malpositioned", "advanced", "in stable position"]


def _report_members():
    combos = list(itertools.product(DEVICES, STATES))
    out = [f"{d} {s}" for k, (d, s) in enumerate(combos) if k % 3 == 0]
    return out + [v.lower() for v in out[::7]] + [v.upper() for v in out[3::7]] + [v + "." for v in out[5::9]]


REPORT_MEMBERS = _report_members()


@pytest.mark.parametrize("value", REPORT_MEMBERS)
def test_short_report_values_about_lines_and_tubes_stay(value):
    read, _ = _clean(_sr(value))
    assert read.ContentSequence[0].TextValue == value


NAMED = ["NG tube placed by Okonkwo", "PICC line in place, seen by Rose Young", "Wanjiru", "Okonkwo line in place",
         "Drain removed per Kiprotich", "Tube in place Wanjiru", "Seen by Tshabalala", "Line in situ Mwangi",
         "Chest drain Otieno", "Ayo", "ETT in place Adebayo"]


@pytest.mark.parametrize("value", NAMED)
def test_names_in_those_values_are_still_masked(value):
    read, _ = _clean(_sr(value))
    out = read.ContentSequence[0].TextValue
    assert "<NAME>" in out, out
    for word in ("Okonkwo", "Rose Young", "Wanjiru", "Kiprotich", "Tshabalala", "Mwangi", "Otieno", "Ayo", "Adebayo"):
        assert word not in out


def test_report_words_are_no_given_names_of_the_lists():
    """A word added to keep report English is no census given name, but the carina (a structure
    an ETT's tip is measured from); surnames hold many words (Place, Drain, Line) and are not asked."""
    firsts, _lasts = _census()
    assert {w for w in report_words.REPORT_WORDS if len(w) >= 4} & firsts == {"carina"}
    assert report_words.report_word("Place") and not report_words.report_word("Okonkwo")


@pytest.mark.parametrize("value", ["Rose Young", "Young line in place", "Jackson line in place", "Hickman removed",
                                   "Seen by Foley", "Ng tube in place", "Tsai tube in place", "Line in place Grace",
                                   "Tube in place 2023-05-14", "NG tube in place per Okonkwo", "Okonkwo line in place"])
def test_a_value_with_a_name_is_no_report_value(value):
    """Kept as written only when every word is listed and none is a name (an eponym only before a
    line's or tube's word)."""
    assert not report_words.report_value(value)


# --- SR text in a script no name rule reads ------------------------------------------------------
# Labels in these scripts were removed whole (round 5); SR text is kept after the free-text scrubber,
# which reads Latin letters and Chinese characters only.

from pydicom.dataset import Dataset  # noqa: E402
from pydicom.sequence import Sequence  # noqa: E402

from deidentify.dicom import sr_scripts  # noqa: E402
from tests.deidentify.dicom_round3_files import _code  # noqa: E402
from tests.deidentify.test_dicom_unseen_round3 import _run, leaks  # noqa: E402

SCRIPT_NAMES = {"hangul": ["김민준", "이서연", "박지훈"], "cyrillic": ["Иванов", "Петрова", "Сидоренко"],
                "greek": ["Παπαδόπουλος", "Νικολάου"], "kana": ["ヤマダ", "タロウ", "やまだ"],
                "arabic": ["محمد", "أحمد"], "hebrew": ["כהן", "לוי"], "thai": ["สมชาย", "ใจดี"],
                "devanagari": ["शर्मा", "राहुल"], "georgian": ["ბერიძე"], "armenian": ["Պետրոսյան"]}
SENTENCES = ["Seen by {n}", "{n}", "Discussed with {n} today.", "Reported: {n}, reviewed", "{n} 看過",
             "Copy to Dr {n}"]


def _sr_nested(text: str, depth: int) -> Dataset:
    ds = base()
    item = Dataset()
    item.RelationshipType, item.ValueType, item.TextValue = "CONTAINS", "TEXT", text
    item.ConceptNameCodeSequence = Sequence([_code("121106", "Comment", "DCM")])
    for _ in range(depth - 1):
        outer = Dataset()
        outer.RelationshipType, outer.ValueType = "CONTAINS", "CONTAINER"
        outer.ConceptNameCodeSequence = Sequence([_code("121070", "Findings", "DCM")])
        outer.ContentSequence = Sequence([item])
        item = outer
    ds.ContentSequence = Sequence([item])
    return ds


def _script_members():
    out, k = [], 0
    for script, names in SCRIPT_NAMES.items():
        for name in names:
            for shape in SENTENCES:
                if k % 2 == 0:
                    out.append((script, shape.format(n=name), name, 1 + k % 5))
                k += 1
    return out


SCRIPT_MEMBERS = _script_members()


@pytest.mark.parametrize("script,text,name,depth", SCRIPT_MEMBERS,
                         ids=[f"{s}-d{d}:{t}" for s, t, _, d in SCRIPT_MEMBERS])
def test_names_in_scripts_no_rule_reads_do_not_leave_sr_text(script, text, name, depth):
    out = _run(to_bytes(_sr_nested(text, depth)))
    assert not leaks(out, (name,)), f"{script}: {text!r} left {name}"


SCRIPT_SAFE = ["AFP 5 μg/L", "α-fetoprotein raised", "β-hCG negative", "肺結節 見到", "右下肺葉 結節 0.8 cm",
               "Nodule 5 mm, stable", "T2 hyperintense lesion", "SUVmax 4.2 at 60 min", "Δ 3 mm since prior"]


@pytest.mark.parametrize("value", SCRIPT_SAFE)
def test_units_greek_markers_and_chinese_report_text_stay(value):
    assert sr_scripts.mask(value, "<NAME>") == value
    read, _ = _clean(_sr(value))
    assert read.ContentSequence[0].TextValue == value
