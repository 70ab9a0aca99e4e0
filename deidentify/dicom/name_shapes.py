"""Names on no list in the values a cleaned DICOM object keeps (D1, round 7): decided from
where the value sits and from its shape, not from a name list.

- **Person-bearing SR items** (``person_item``): a TEXT item whose concept name is a person's
  role (Person Observer Name, Operator, Reviewer, Verifying Observer, Reading Physician …) holds
  a person, whatever the value spells ("XOCHITL BZDOK", "Qwertzki"): the value is masked whole.
  Device and algorithm observers (Device Observer Name) are devices and stay.
- **A value shaped like a person name** (``name_shaped``): a kept label, code string, device
  value or SR text that is (or one of whose backslash parts is) nothing but a person name's
  shape: a caret between letters (a PN written where no PN goes), "Surname, Given", a word
  with an initial ("Bzdok X.", "X. Bzdok", "D.M. Chen"), or two or three words none of which
  the standard's code meanings, clinical English, device and vendor lists or imaging words
  hold ("Xochitl Bzdok", "xochitl bzdok", "ZBIGNIEW QWERTZKI").  In a vendor's or a model's
  value a known vendor word keeps it (Konica Minolta, Planmeca Viso).  One unknown word alone
  ("Bzdok", "syngo") is not decided here: codes and versions look like that.

Wrong guesses cost a label (removed whole) or an SR value (masked); a name missed costs a person.
"""
from __future__ import annotations

import functools
import re

from deidentify.dicom import person_forms as pf

MASK = "<NAME>"

# an SR concept name that is a person's role (the item's value is then the person)
_PERSON_CONCEPT = re.compile(
    r"(?i)\b(?:person|observer|operator|physician|radiologist|technologist|technician|radiographer|sonographer|"
    r"nurse|reader|reviewer|author|signer|signatory|verifier|verifying|performer|performing|surgeon|clinician|"
    r"practitioner|interpreter|dictated|transcribed|transcriptionist|attending|referring|requester|requesting|"
    r"consultant|resident|fellow|staff|user|owner|contact|witness|name|signed|[a-z]+ed\s+by)\b")
# ... unless the role is a device's or an algorithm's (Device Observer Name, Algorithm Name)
_THING_CONCEPT = re.compile(r"(?i)\b(?:device|algorithm|software|equipment|model|manufacturer|application|"
                            r"program|tracking|series|study|protocol|file)\b")


def _concept_meaning(item) -> str:
    seq = item.get("ConceptNameCodeSequence") if hasattr(item, "get") else None
    try:
        return " ".join(str(c.get("CodeMeaning", "")) for c in (seq or []))
    except TypeError:
        return ""


def person_item(item) -> bool:
    """Is ``item`` an SR content item whose concept name is a person's role?"""
    meaning = _concept_meaning(item)
    return bool(_PERSON_CONCEPT.search(meaning)) and not _THING_CONCEPT.search(meaning)


# vendors and imaging words the lists behind ``_unknown`` do not hold (utility: these stay)
_VENDORS = frozenset("""siemens philips toshiba canon hitachi fujifilm fuji agfa carestream kodak hologic samsung
esaote mindray shimadzu varian elekta accuray konica minolta planmeca sirona dentsply vatech carestream
sectra barco vital vitrea terarecon aycan orthanc dcmtk pydicom mevis brainlab medtronic stryker olympus pentax
zeiss topcon heidelberg optos nidek karl storz richard wolf bracco bayer guerbet ziehm orthoscan
trophy gendex soredex acteon newtom cefla myray kavo instrumentarium villa idetec swissray imaging dynamics
fonar esaote neusoft united uih mediso spectrum dynamics digirad positron naviscan gammex medrad nemoto ulrich
analogic bk ultrasonix supersonic zonare terason butterfly clarius sonosite chison sonoscape edan alpinion
medison fukuda denshi morita nihon kohden biosense webster abbott boston scientific volcano infraredx lightlab
gore cook""".split())


@functools.cache
def _known(word: str) -> bool:
    """A word the code meanings, clinical English, device, vendor or imaging lists hold, or a
    short one (a code), or one with a digit."""
    from deidentify.identifiers.western_names import ordinary_word

    if re.search(r"[a-z][A-Z]", word) or (word.isupper() and len(word) <= 3):
        return True     # a product's camel case (LightSpeed, iCAT) or a code in capitals (VCT, MIP)
    low = word.lower().strip("'\u2019.")
    parts = [p for p in re.split(r"[-'\u2019]", low) if p]
    if not parts or any(c.isdigit() for c in low):
        return True
    return all(len(p) <= 2 or p in pf._all_vocabulary() or ordinary_word(p) or p in pf._DEVICE_WORDS
               or p in _VENDORS or p in pf.IMAGING_WORDS for p in parts)


_WORD = r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'\u2019-]*"
_INITIALS = re.compile(r"(?:[A-Za-z]\.){1,3}|[A-Z]\.?(?:-[A-Z]\.?)?")
_LETTER = r"[A-Za-z\u00c0-\u024f\u3040-\u30ff\u4e00-\u9fff]"
_CARET = re.compile(rf"{_LETTER}\s*\^\s*{_LETTER}")


def _name_part(part: str, device: bool) -> bool:
    part = part.strip(" \t\r\n,;:()[]\"")
    if not part:
        return False
    if _CARET.search(part) and not re.search(r"\d", part):
        return True     # a person name's component separator, in a value that is no PN (Tc^99m^ is a mass)
    if "," in part:     # "Bzdok, Xochitl", "Bzdok, X."
        halves = [h.strip() for h in part.split(",")]
        if len(halves) == 2 and all(halves) and all(re.fullmatch(rf"{_WORD}(?: {_WORD})?|{_INITIALS.pattern}", h)
                                                    for h in halves):
            words = [w for h in halves for w in h.split() if not _INITIALS.fullmatch(w)]
            return bool(words) and all(not _known(w) or pf._first(w.lower()) for w in words) and not _vendor(words)
        return False
    tokens = part.split()
    if not 1 <= len(tokens) <= 3:
        return False
    inits = [t for t in tokens if _INITIALS.fullmatch(t) and (t.endswith(".") or len(t) == 1)]
    words = [t for t in tokens if t not in inits]
    if not words or not all(re.fullmatch(_WORD, w) for w in words):
        return False
    if any(len(w.strip("'-")) < 3 for w in words):
        return False
    if inits and len(words) == 1:   # "Bzdok X.", "X. Bzdok", "D.M. Chen": a word with an initial
        w = words[0]
        return not (device and _vendor(words)) and (not _known(w) or pf._first(w.lower()))
    if len(words) < 2:
        return False
    if device and _vendor(words):
        return False
    if any(re.search(r"['\u2019]s$", w) for w in words[:-1]) or pf._EPONYM_HEAD.match(part, len(words[0])):
        return False    # an eponym (Hashimoto's thyroiditis, Wilson disease)
    # two or three words no list holds (a first name counts as a name's word)
    return all(not _known(w) or pf._first(w.lower().removesuffix("'s")) for w in words) and \
        sum(not _known(w) for w in words) >= 1


def _vendor(words: list[str]) -> bool:
    return any(w.lower().strip(".,") in _VENDORS or w.lower() in pf._DEVICE_WORDS for w in words)


_LONE = re.compile(r"[A-Z][a-z\u00e0-\u024f]{3,}|[A-Z]{4,}")


def name_shaped(text: str, device: bool = False, lone: bool = False) -> bool:
    """Is ``text`` (or one of its backslash or NUL parts) nothing but a person name's shape?
    ``device``: a vendor's or model's value (a known vendor word keeps it).  One capitalised
    word no list holds counts as a second value of a multi-valued one ("B30f\\Bzdok": a list of
    codes) and, with ``lone``, as the whole value (an SR TEXT item's "Qwertzki")."""
    parts = [p.strip() for p in re.split(r"[\\\0]", str(text))]
    if any(_name_part(p, device) for p in parts):
        return True
    return any(_LONE.fullmatch(p) and not _known(p) and not (device and _vendor([p]))
               for k, p in enumerate(parts) if k or (lone and len(parts) == 1))


__all__ = ["MASK", "name_shaped", "person_item"]
