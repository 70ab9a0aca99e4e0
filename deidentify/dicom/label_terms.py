"""What a kept label may hold (D1, round 8): anatomical and standard terms that must survive the
name rules, and the lone unknown word that must not.

- **Terms** (``standard_term``): a segment, structure or layer label that is wholly an anatomical
  structure (TG-263 style: Brain Stem, BrainStem, Spinal_Cord, Parotid L, Lung_L, Femur_Head_R,
  OpticNrv_L), with laterality, numbers and the planning qualifiers (PTV, PRV, ring, eval, 5mm)
  around it, or a code meaning of the standard written whole, is kept whatever a name rule reads
  in it: the free-text scrubber took "Brain Stem" for a name and "Cochlea L" had a name's shape.
  A value with any other word in it (a person's name beside the structure) is not a term and
  goes through the name rules as before.
- **Unknown words** (``unknown_word``): default deny by the attribute's kind.  A label people
  type, a label-like code string (BodyPartExamined, ContentLabel, GraphicLayer) or a device's
  value (model, version, kernel) whose words are all words no list here holds (the standard's
  code meanings, clinical English, device, vendor, imaging, structure and planning words), one
  to three of them, is taken for a name and removed, the reason recorded: "Wanjiru",
  "(Wanjiru)", "Wanjiru 2", "Dr Wanjiru", "Wanjiru-Kamau".  Numbers, punctuation, titles and a
  possessive do not keep such a word company; codes (letters glued to digits: Br40d, CXDI-710C;
  a short code joined by a hyphen: SYNTH-CT) are no words.  In a label such a word beside an
  anatomical structure or a planning word ("Brain Stem Wanjiru", "PTV_7000 Kiprono") goes too,
  and in any of them such a word capitalised after for/by/to/with/per ("Scan for Wanjiru").
  Other code strings hold the standard's defined terms (MONOCHROME2, SEMIAUTOMATIC): not read.
  A label that is a census given name and a surname and nothing else goes even where both are
  English words ("Mark Smith", "SMITH^MARK"), unless both are on the term lists ("Max Dose").

A wrong guess costs one label; a name missed costs a person.
"""
from __future__ import annotations

import functools
import re

from deidentify.dicom import device_words, label_names, label_people, name_shapes, person_forms
from deidentify.dicom.profile import LABELS, TECHNICAL

# Anatomical structures and organs a contour, segment or region label names (TG-263 words
# included: Nrv, Glnd, Musc, Cavity_Oral …).  Lower case; plurals are read by stripping s/es.
STRUCTURES = frozenset("""
brain stem brainstem spinal cord canal cauda equina optic nerve nrv chiasm chiasma cochlea cochleae lens lenses
retina eye eyes globe orbit cornea lacrimal gland glnd parotid submandibular sublingual pituitary hypophysis
thyroid larynx glottis supraglottis pharynx constrictor constrictors esophagus oesophagus trachea bronchus bronchi
carina lung lungs heart pericardium atrium ventricle aorta artery arteries vein veins vessel vessels liver
spleen stomach duodenum jejunum ileum bowel colon sigmoid rectum anus anal kidney kidneys renal ureter ureters
bladder urethra prostate seminal vesicle vesicles penile bulb testis testes uterus cervix ovary ovaries vagina
vulva breast breasts chestwall chest wall skin body external outline patient mandible maxilla tongue lips lip oral
cavity mouth teeth tooth gingiva mucosa ear inner middle temporal lobe lobes frontal parietal occipital hippocampus
amygdala thalamus hypothalamus pons medulla midbrain cerebellum cerebrum cortex ventricles corpus callosum femur
femoral head neck humerus humeral tibia fibula pelvis pelvic hip hips bone bones marrow rib ribs sternum clavicle
scapula vertebra vertebrae spine cervical thoracic lumbar sacrum sacral coccyx joint knee shoulder elbow wrist ankle
brachial plexus lymph node nodes nodal level levels cauda muscle musc tendon ligament fat adipose gallbladder
pancreas adrenal adrenals diaphragm esophageal gastric hepatic portal biliary duct ducts cardiac valve coronary
lad lcx rca mitral tricuspid pulmonary pleura mediastinum thymus nasal nasopharynx oropharynx hypopharynx sinus
sinuses tympanic mastoid parotids cochleas lacrimals hippocampi whole total left right anterior posterior superior
inferior medial lateral upper lower proximal distal central peripheral submand bag ext crtx ln a v
""".split())
LATERALITY = frozenset("l r lt rt left right bilat bilateral both ant post sup inf med lat".split())
# planning and delineation words around a structure (PTV_7000, Lung_L-PTV, Ring_5mm, PRV_3mm)
QUALIFIERS = frozenset("""
gtv ctv itv ptv prv igtv opt zopt eval boost ring avoid avoidance hot cold hotspot coldspot dose low high mid
expansion exp margin minus plus sum union and or not tumor tumour bed mets met primary nodal node residual
contour contours structure structures roi region volume vol planning plan iso isocenter isocentre marker seed
clip clips fiducial fiducials artifact artefact bolus couch support table density override mm cm cc gy cgy
glioma lipoma myoma fibroma nevus naevus cyst mass lesion nodule
""".split())
# places written with a surname in them (asian_names' list) and the authors the standard cites
_PLACE_PHRASES = re.compile(r"(?i)\b(?:hong kong|long beach|ma anshan|sun moon)\b")
# the planning words that make a label a structure's (PTV_7000 beside a name is a contour label)
_PLANNING_HEADS = frozenset("gtv ctv itv ptv prv igtv opt zopt eval boost ring avoid hotspot coldspot bolus couch".split())
# Single-word models and product families the shared device lists do not hold.
_MODELS = frozenset("""lumify innova multix fluorospot dimensions optima revolution omni uroskop siremobil cios
arcadis orbic sonialvision cxdi mobilett polymobil axiom luminos digitaldiagnost proxi carestream drx kodak directview definium
brightspeed lightspeed hispeed prospeed sytec ct cathlab monaco visage ge""".split())

# clinical word endings (arteritis, fibrosis, anaemia, nephropathy, lobectomy …): no name ends so
_CLINICAL_ENDING = re.compile(r"(?:itis|osis|emia|aemia|pathy|ectomy|otomy|ostomy|plasty|graphy|scopy|algia|megaly|"
                              r"trophy|plasia|[a-z]{4,}omas?)$")
_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_TOKEN_CUT = re.compile(r"[\s_\-./,;:()\[\]+&^]+")


def _tokens(text: str) -> list[str]:
    """Words of a label, camel case and separators read apart (BrainStem → brain stem), lower case."""
    out: list[str] = []
    for chunk in _TOKEN_CUT.split(str(text)):
        out += [t.lower() for t in _SPLIT.findall(chunk)]
    return out


def _singular(word: str) -> str:
    for end in ("es", "s"):
        if word.endswith(end) and word[:-len(end)] in STRUCTURES:
            return word[:-len(end)]
    return word


@functools.cache
def _whole_meanings() -> frozenset[str]:
    """The standard's code meanings of two words or more, lower case ("brain stem", "left lung")."""
    from pydicom.sr._concepts_dict import concepts

    return frozenset(m.lower() for scheme in concepts.values() for by_name in scheme.values()
                     for m, _ in by_name.values() if " " in m.strip())


def _glued_structure(word: str) -> bool:
    """A structure written as one word of structure words (spinalcord, opticnrv, oralcavity)."""
    n = len(word)
    ok = [True] + [False] * n
    for end in range(1, n + 1):
        ok[end] = any(ok[start] and word[start:end] in STRUCTURES for start in range(max(0, end - 14), end - 2))
    return ok[n]


def standard_term(text: str) -> bool:
    """Is the whole value an anatomical structure or a code meaning of the standard (module
    docstring), with nothing else in it?"""
    text = str(text).strip()
    if not text or len(text) > 64 or "\\" in text or len(re.findall(r"\d+", text)) > 1:
        return False     # two numbers may be a date or an ID's parts: the rules read those
    if text.lower() in _whole_meanings():
        return True
    tokens = _tokens(text)
    structure = False
    for t in tokens:
        t = _singular(t)
        if t in STRUCTURES or _glued_structure(t):
            structure = True
        elif not (t in LATERALITY or t in QUALIFIERS or (re.fullmatch(r"\d{1,4}(?:mm|cm|gy)?", t)
                                                           and not re.match(r"(?:19|20)\d\d", t))):
            # numbers of four digits at most (a dose, a margin, a level), no year: others the rules read
            return False
    return structure


def known_word(word: str) -> bool:
    """A word some list here holds: the standard's code meanings, clinical English, devices,
    vendors, imaging words, structures and planning words (or a code: digits, camel case)."""
    low = word.lower()
    return (name_shapes._known(word) or low in label_names.KNOWN_AUTHORS or _CLINICAL_ENDING.search(low) is not None or _singular(low) in STRUCTURES or low in QUALIFIERS or low in LATERALITY
            or low in _MODELS or _glued_structure(low) or low in person_forms._whole_meanings())


_WORDS = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


# Code strings typed by people (a region, a presentation's label) read like labels; other code
# strings hold defined terms of the standard (MONOCHROME2, SEMIAUTOMATIC) and are not read here.
_LABEL_CS = frozenset({"BodyPartExamined", "ContentLabel", "GraphicLayer"})
# BodyPartExamined's defined terms written as one word (PS3.16 Annex L)
_BODY_PARTS = frozenset("""lspine cspine tspine sspine headneck abdomenpelvis chestabdomen chestabdpelvis
chestabdpelv wholebody tmj extremity abdpelvis abdomen pelvis skull breast chest heart head neck hip knee ankle
elbow foot hand leg arm shoulder wrist jaw clavicle coccyx sacrum spine thorax zygoma""".split())


# Words that only introduce or address a person ("Dr Wanjiru", "Wanjiru-san", "by Kiprono"): they
# leave the word beside them alone in the value.
_LEADS = frozenset("dr mr mrs ms miss mx prof sir madam by op tech san sama kun sensei md rn phd".split())
# A value's tokens: split at spaces and punctuation, not at a hyphen or a digit inside a code (CXDI-710C, Br40d)
# a capitalised word after a word that introduces a person ("Scan for Wanjiru", "Film to KIPRONO")
_AFTER_LEAD = re.compile(r"(?i:\b(?:for|by|from|to|with|per|attn|cc|dear)\b)\s+([A-Z][a-z\u00e0-\u024f]{3,}|[A-Z]{4,})\b")
_TOKENS = re.compile(r"[^\s_/.,;:()\[\]{}!?*#\"+=|<>~]+")
_LETTERS = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def _word_of(token: str) -> list[str]:
    """The words a token holds: none when it is a code (letters glued to digits), else its letter
    runs of three letters or more, possessive and lead words left out."""
    if re.search(r"\d", token) and re.search(r"[A-Za-z]", token):
        return []
    pieces = [p for p in re.split(r"[-'\u2019]", token) if p]
    if len(pieces) > 1 and any(len(p) <= 3 and p.lower() not in _LEADS | {"s"} for p in pieces):
        return []     # a code joined by a hyphen (SYNTH-CT, PET-MR): not a person's word
    return [w for w in _LETTERS.findall(token.replace("\u2019", "'").removesuffix("'s"))
            if len(w) >= 3 and w.lower() not in _LEADS]


def _unknown(word: str) -> bool:
    # an English word a typed label uses, or its inflection (thin, reviewed: round 9), is known too
    return (len(word) >= 4 and not known_word(word) and word.lower() not in _BODY_PARTS
            and not label_people.english(word))


def unknown_word(text: str, keyword: str, vr: str) -> str | None:
    """Why a kept value is taken for a name by the words in it (None: it is not).  A label, a
    label-like code string or a device's value whose words (numbers, punctuation and titles
    aside: "Wanjiru 2", "(Wanjiru)", "Dr Wanjiru", "Wanjiru-Kamau") are all words no list holds,
    one to three of them; in a label also such a word beside an anatomical structure ("Brain
    Stem Wanjiru"); in any such value a capitalised one after a word that introduces a person
    ("Scan for Wanjiru", "Liver by Kiprono")."""
    parts = [p.strip() for p in re.split(r"[\\\0]", str(text)) if p.strip()]
    label = keyword in LABELS or keyword in _LABEL_CS
    if not (label or keyword in TECHNICAL):
        return None
    for part in parts:
        if label and standard_term(part):
            continue
        if label and label_people.short_name(part, capitals=keyword in _LABEL_CS):     # "Ayo", "Li", "NG" alone (round 9)
            return f"{keyword}: a short name alone (a romanised surname or a given name no term list holds)"
        if label_people.bare_poj_given(part):           # "Bi-le", "Siu-lan" alone (round 9)
            return f"{keyword}: Hokkien syllables joined as a given name, alone (a name is assumed)"
        probe = _PLACE_PHRASES.sub(" ", part)    # case kept: camel case and short capitals are codes
        words = [w for t in _TOKENS.findall(probe) for w in _word_of(t)]
        if 1 <= len(words) <= 3 and all(_unknown(w) for w in words):
            return f"{keyword}: only words no term, device or vendor list holds (a name is assumed)"
        if label and label_people.name_beside_words(_TOKENS.findall(probe), words, _unknown):   # "Wanjiru follow up", "review Tsai" (round 9)
            return f"{keyword}: a word no term list holds, or a romanised surname, beside other words (a name is assumed)"
        if any(_unknown(m.group(1)) for m in _AFTER_LEAD.finditer(probe)):
            return f"{keyword}: a word no term list holds after a word that introduces a person (a name is assumed)"
        anatomy = any(_singular(t) in STRUCTURES or t in _PLANNING_HEADS for t in _tokens(part))
        if label and anatomy and any(_unknown(w) for w in words):
            return f"{keyword}: a word no term list holds beside an anatomical structure (a name is assumed)"
        if label and not anatomy and _given_and_surname(probe):
            return f"{keyword}: a census given name and surname and nothing else (a name is assumed)"
    return None


def device_person(text: str, keyword: str) -> str | None:
    """Why a device's value is taken for a person (None: it is not).  The round-9 label rules
    read in a model, kernel, version or coil value with no vendor, model or device word and no
    number (a version, a model's code) in it: "Ayo", "Li", "Rose Young", "review Tsai",
    "Wanjiru follow up" passed there (``unknown_word`` reads labels and lone unknown words)."""
    if keyword not in TECHNICAL:
        return None
    for part in (p.strip() for p in re.split(r"[\\\0]", str(text))):
        if part:
            probe = _PLACE_PHRASES.sub(" ", part)
            words = [w for t in _TOKENS.findall(probe) for w in _word_of(t)]
            reason = _device_person(part, probe, words, keyword) or _unlisted_word(part, words, keyword)
            if reason:
                return reason
    return None


# the values that name a device, a coil or a program (not codes, versions, kernels or sequences)
_DEVICE_NAME = re.compile(r"(?:Manufacturer|ManufacturerName|ModelName|CoilName|ApplicationName|AlgorithmName|ModelGroup)$")


def _unlisted_word(part: str, words: list[str], keyword: str) -> str | None:
    """Round 11: a capitalised word no term, device, product or vendor list holds in a device's
    name, or beside a vendor's or model's word anywhere in a device value ("Siemens Okonkwo",
    "Lumify Ayo 2", "T2 FLAIR Oyelaran"); a firm's legal words keep a founder's name (MORITA CORP.)."""
    letters = _LETTERS.findall(part)
    if keyword.startswith("Cod") or _COMPANY.intersection(w.lower() for w in letters):
        return None
    if not (_DEVICE_NAME.search(keyword) or any(_device_word(w) for w in letters)):
        return None
    # hyphens split here too: a vendor joined to a name written as names are ("GE-Mwangi"); a piece
    # in capitals is a code's (SYNTH-CT, DRX-EVOLUTION)
    pieces = [w for t in _TOKENS.findall(part) if not (re.search(r"\d", t) and re.search(r"[A-Za-z]", t))
              for w in _LETTERS.findall(t) if (len(w) >= 3 and w.istitle() or len(w) == 3 and w.isupper())
              and w.lower() not in _LEADS]   # three capitals: device_words.capitals_name decides (round 12)
    if device_words.unlisted_beside_device(words + pieces, _device_word, _unknown, label_people.short_name):
        return f"{keyword}: a capitalised word no term, device, product or vendor list holds (a name is assumed)"
    return None


def _device_person(part: str, probe: str, words: list[str], keyword: str) -> str | None:
    if re.search(r"\d", part):
        return None     # a version or a model's code: the device rules decide
    letters = _LETTERS.findall(part)
    if any(_device_word(w) for w in letters):
        # a vendor's or a model's word (SIEMENS, Lumify): the device rules decide, but a given name
        # and a surname beside it are still a person ("Aquilion Rose Young")
        rest = " ".join(w for w in letters if not _device_word(w))
        if len(rest.split()) >= 2 and _given_and_surname(rest):
            return f"{keyword}: a census given name and surname beside a model's word (a name is assumed)"
        if not _COMPANY.intersection(w.lower() for w in letters) \
                and any(_lone_surname(w) for w in rest.split()):
            # "Brainlab Kowalski", "Aquilion Nowak": a vendor's word passed any surname beside it
            return f"{keyword}: a surname no other list holds beside a model's word (a name is assumed)"
        return None
    word = part.strip(" .,;:()[]")
    if re.fullmatch(r"[A-Z][a-z]{1,2}", word) and label_people.short_name(word):
        return f"{keyword}: a short name alone in a device's value (a name is assumed)"
    if label_people.name_beside_words(_TOKENS.findall(probe), words, _unknown):
        return f"{keyword}: a word no list holds, or a romanised surname, beside ordinary words (a name is assumed)"
    if _given_and_surname(probe):
        return f"{keyword}: a census given name and surname and nothing else (a name is assumed)"
    return None


# a firm's legal or trade words: a surname beside one names the firm (J. MORITA MFG. CORP.)
_COMPANY = frozenset("corp corporation inc incorporated ltd limited llc gmbh co mfg ag sa bv kk "
                     "plc medical systems healthcare company industries technologies imaging "
                     "instruments electronics dental optical".split())


def _lone_surname(word: str) -> bool:
    """A census or romanised Asian surname that is no English word, no code meaning, no device or
    clinical word (Kowalski, Nowak, Tsai; not Force, Prime, Vida, Trio)."""
    _given, surnames, asian = _census()
    low = word.lower()
    return len(word) >= 3 and (low in asian or (low in surnames and _unknown(word)))


def _device_word(word: str) -> bool:
    """A vendor's or a model family's word (the model words that are given names, Rose or Summer,
    do not count: a surname beside one is still a person)."""
    low = word.lower()
    return low in name_shapes._VENDORS or low in _MODELS or low in device_words.PRODUCTS or (
        low in person_forms._DEVICE_WORDS and low not in _census()[0])


@functools.cache
def _census() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Given names, surnames (the census lists and the romanised Asian surnames) and the Asian
    ones alone (Huang, Tsai: a surname whatever a syllable list says)."""
    from deidentify.dicom.asian_names import _COMMON_SURNAMES
    from deidentify.identifiers.western_names import _census as census

    firsts, lasts = census()
    asian = frozenset(s for s in _COMMON_SURNAMES if len(s) >= 3)
    return firsts, lasts | asian, asian


# "Smith, Mark", "SMITH^MARK", "Mark J. Smith", "MARK SMITH": the words of a person's name alone
_NAME_WORDS = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def _given_and_surname(part: str) -> bool:
    """Is a label's value a given name and a surname of the census lists and nothing else, even
    where both are English words ("Mark Smith", "GRACE YOUNG", "Smith, Rose")?  A label holds a
    region's or a layer's name; a person's name alone in it is a person (round 8's lone-word
    rule reads only words no list holds, and the name finder wants context for word-like names)."""
    words = _NAME_WORDS.findall(part.replace("^", " "))
    if re.search(r"\d", part) or not 2 <= len(words) <= 3:
        return False
    firsts, lasts, asian = _census()
    low = [w.lower() for w in words]
    if len(low) == 3 and not (len(low[1]) == 1 or low[1] in firsts):
        return False     # a middle word that is an initial or a given name, nothing else
    head, tail = low[0], low[-1]
    reversed_ = "," in part or "^" in part
    given, family = (tail, head) if reversed_ else (head, tail)
    # both words on the term lists ("Max Dose", "Summer Study", "Mark Point") read as a label
    return (len(given) >= 3 and len(family) >= 3 and given in firsts and family in lasts
            and not (known_word(given) and known_word(family) and family not in asian
                     and not (label_people.frequent_surname(family)   # Rose Young, Grace White (round 9)
                              and part.lower().strip() not in person_forms._whole_meanings()))
            and not standard_term(part) and part.lower().strip() not in _whole_meanings())


__all__ = ["LATERALITY", "QUALIFIERS", "STRUCTURES", "device_person", "known_word", "standard_term", "unknown_word"]
