"""D1 DICOM round 12: the words of short radiology report values about lines, tubes and drains.

Round 9's default deny reads a short SR value (four words at most) like a label: a word no list
holds beside other words is a person.  The lists held no report English of where a device sits,
so "NG tube in place", "PICC line in place", "Chest drain in situ" were masked whole as <NAME>
("place", "drain", "satisfactory" were on no list).  The words below are what such values say:
devices and their acronyms, where a tip lies, and how it is (in place, unchanged, withdrawn).
None is a name of the census or romanised lists (``test_dicom_unseen_round12`` checks).  A word
missing from here still costs the value, never a person.
"""
from __future__ import annotations

import re

# lower case; inflections (positioned, draining, tubes) are read by label_people.english's stems
REPORT_WORDS = frozenset("""
place situ position positions positioned site sited satisfactory satisfactorily appropriate appropriately
expected optimal suboptimal adequate adequately unchanged stable stably present absent noted seen visible
withdrawn withdraw advanced advance removed remove removal inserted insertion reinserted replaced replacement
repositioned reposition malpositioned malposition misplaced displaced displacement migrated migration kinked kink
coiled coil looped loop curled fractured disconnected retracted intact patent blocked occluded
tip tips terminates terminating terminus ends ending projects projecting projection overlies overlying
overlie lies lying traverses traversing traversed courses coursing extends extending sits sitting
tube tubes drain drains drainage line lines catheter catheters cannula cannulae sheath stent stents wire wires
lead leads clip clips port ports reservoir pump balloon pacemaker pacing defibrillator generator monitor monitors
electrode electrodes filter filters shunt shunts valve valves graft grafts mesh staples sutures coils plug
nasogastric orogastric nasojejunal gastrostomy jejunostomy tracheostomy nephrostomy cholecystostomy
thoracostomy endotracheal intercostal pleural pericardial peritoneal biliary ureteric urethral suprapubic
epidural intrathecal arterial venous central peripheral tunnelled tunneled dialysis feeding pigtail mediport
picc ecmo cvad cvc impella iabp lvad aicd ett ngt ogt peg rig
carina bronchus stomach duodenum jejunum oesophagus esophagus atrium ventricle cavoatrial junction svc ivc
midline trachea hemithorax apex apices base bases
""".split())


# the device a value is about, after an eponym (Hickman line); and the eponyms of lines and tubes
DEVICE_NOUNS = frozenset("tube tubes line lines catheter catheters drain drains stent cannula sheath port valve "
                         "shunt filter wire wires lead leads clip clips balloon".split())
LINE_EPONYMS = frozenset("foley hickman swan ganz groshong broviac quinton permcath tenckhoff sengstaken "
                         "blakemore minnesota ryle dobhoff salem yankauer penrose malecot pezzer mickey "
                         "jackson-pratt".split())

# a procedure's word (sternotomy wires, gastrostomy tube, angioplasty balloon)
_PROCEDURE = re.compile(r"[a-z]{3,}(?:otomy|ostomy|ectomy|plasty|pexy|desis)$")


def report_word(word: str) -> bool:
    """A word short report values about lines, tubes and drains use (not a person's)."""
    low = word.lower()
    return low in REPORT_WORDS or _PROCEDURE.match(low) is not None


# the short words those values join with; no word that introduces a person (by, per, to, with, dr)
_JOINS = frozenset("in at of on the a an and or into within over from its is are has have been was were no not "
                   "now still since prior again left right lt rt upper lower mid".split())
# device acronyms written before a line's or tube's word (NG tube, IJ line, JP drain); in capitals, or in
# a value written all in lower case or all in capitals (the writer's case then says nothing)
_ACRONYMS = frozenset("ng og et nj ij jp g j pd ett ngt ogt picc cvc cvl ecmo icd aicd peg rig ivc svc "
                      "iabp lvad vp ppm crt pa ptc ptcd".split())
_TOKEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*|[^\sA-Za-z]")


def report_value(text: str) -> bool:
    """D1 round 12: is ``text`` a short report value made of the words above alone ("NG tube in
    place", "PICC line in satisfactory position", "Chest drain removed.")?  Such a value holds no
    person: every word is listed, none introduces one, and it has no digit.  The free-text
    scrubber read "NG TUBE" as a surname and a word; the value is kept as written."""
    from deidentify.dicom import label_people, label_terms

    text = str(text).strip()
    if not text or len(text) > 120 or re.search(r"\d", text):
        return False
    tokens = _TOKEN.findall(text)
    words = [t for t in tokens if t[0].isalpha()]
    if not words or any(not re.fullmatch(r"[.,;:()/-]", t) for t in tokens if not t[0].isalpha()):
        return False
    one_case = text == text.lower() or text == text.upper()
    for k, w in enumerate(words):
        low = w.lower()
        if low in _JOINS or (low in _ACRONYMS and (w.isupper() or one_case)):
            continue
        pieces = low.split("-")
        # an eponym right before a line's, tube's or catheter's word (Hickman line, Swan-Ganz catheter)
        after = words[k + 1].lower() if k + 1 < len(words) else ""
        if (low in LINE_EPONYMS or all(p in LINE_EPONYMS for p in pieces)) and after in DEVICE_NOUNS:
            continue
        if any(_a_name(p) and p not in REPORT_WORDS for p in pieces):
            return False    # a census or romanised name, even where it is a word (Young, Rose, Grace)
        if all(label_people.english(p) or report_word(p) for p in pieces):
            continue
        # another listed word (an organ, a side, a finding) that is no person's name of the lists
        if all(len(p) >= 3 and label_terms.known_word(p) and not _a_name(p) for p in pieces):
            continue
        return False
    return any(w.lower() in REPORT_WORDS for w in words)   # about a line, a tube or a drain


def _a_name(word: str) -> bool:
    from deidentify.dicom import label_people, label_terms

    firsts, lasts, asian = label_terms._census()
    return word in firsts or word in lasts or word in asian or label_people.asian_surname_word(word)


__all__ = ["REPORT_WORDS", "report_value", "report_word"]
