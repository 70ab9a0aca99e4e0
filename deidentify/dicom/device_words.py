"""D1 round 11: a capitalised word no list holds beside a device's or a clinical word is a person.

Round 9 took a census surname beside a vendor's word ("Brainlab Kowalski"); a surname no census
holds passed ("Siemens Okonkwo", "Lumify Ayo 2", "T2 FLAIR Oyelaran"), as did any unknown word
before a clinical word, read as an eponym ("Wanjiru syndrome").  Default deny: in a device's value
a capitalised word that is no English, clinical, device or vendor word, and no product name of
the list below, is taken for a name; before a clinical word only the eponyms listed stay.
Product and eponym lists are finite on purpose: a word missing from them costs the value (removed
with its reason), never the person.
"""
from __future__ import annotations

import re

# Product and family names imaging, planning and dental devices write that the shared term lists
# do not hold (the lists hold SIEMENS, Aquilion, Skyra ...); lower case.
PRODUCTS = frozenset("""
halcyon zeego magnetom healthineers eclipse trilogy drive spectra explorer intevo ventana vario tomosynthesis
lorad cranex orthophos galileos accuitomo veraviewepocs lightning astelion alexion celesteion elan centurion
ethos synergy agility cyberknife tomotherapy radixact leksell icon perfexion novalis exactrac kizuna pheno
icono vivix clinac primus oncor artiste mosaiq pinnacle raystation truebeam vitalbeam unity versa aria
syngo vitrea isite intellispace carestream sectra centricity impax osirix horos fluoroscan
viso promax proline romexis scanora dexis schick xios sopix redwood ascendus nuewa invenia essential revelation
innovality aspire giotto fischer senoclaire jivex omnia cartesion uexplorer neuviz anke wandong perlove minfound
sinovision allengers trivitron wipro siui mylab persona calneo aristos veradius solo fluorostar brainsuite kick
cirq airo mobius pentacam cirrus spectralis triton maestro daytona knife gamma zap exradin
""".split())

# Eponyms of diseases, signs, fractures, views, operations and lines radiology labels and reports use
# (and the acronyms written before a line's or a procedure's word: PICC line, TIPS procedure).
EPONYMS = frozenset("""
cushing crohn hodgkin wilms wilm baker colles morton takayasu chiari stein leventhal hashimoto wilson down turner
marfan graves addison paget bell barrett kawasaki alzheimer parkinson huntington budd dandy walker arnold legg
calve perthes osgood schlatter kienbock klatskin monteggia galeazzi smith jones bankart hill sachs segond
lisfranc weber salter harris schatzki zenker meckel hirschsprung wegener kaposi ewing burkitt warthin brodie
bennett rolando chance jefferson sjogren raynaud reiter guillain barre kartagener kikuchi moyamoya peyronie
dupuytren tietze mondor poland kasabach merritt sturge hippel lindau gorlin gardner peutz jeghers lynch
zollinger ellison mallory weiss boerhaave caroli waldenstrom kimura castleman erdheim langerhans rathke
virchow sylvian monro luschka magendie willis galen wernicke broca meyer towne waters caldwell stenvers
schuller judet merchant grashey swimmer bouchard heberden charcot schmorl tornwaldt thornwaldt stafne
pancoast kerley fleischner hampton westermark bochdalek morgagni ogilvie fournier bosniak couinaud wolff
white brugada ebstein fallot eisenmenger blalock fontan glenn norwood mustard senning rastelli ross bentall
whipple billroth roux hartmann nissen heller kasai ladd swenson soave duhamel bosniak lirads birads tirads
gleason breslow clark dukes ann arbor child pugh glasgow hunt hess fisher spetzler martin garden pauwels
schatzker neer gustilo mason hawkins sanders tile young burgess denis frankel asia modic pfirrmann
foley hickman swan ganz groshong broviac quinton permcath tenckhoff sengstaken blakemore ryle dobhoff salem
yankauer pratt penrose malecot pezzer mickey picc tips ercp mrcp ptcd
""".split())

_CAPITALISED = re.compile(r"[A-Z][a-z\u00e0-\u024f]+|[A-Z]{3,}")


def unlisted_beside_device(words: list[str], is_device, unknown, short_name) -> str | None:
    """The first capitalised word among a device value's ``words`` that is no device word
    (``is_device``), no product of the list, and a word no list holds (``unknown``) or a short
    name ("Ayo"): a person's name beside a vendor's or model's words."""
    for w in words:
        low = w.lower()
        if not _CAPITALISED.fullmatch(w) or is_device(w) or low in PRODUCTS:
            continue
        if unknown(w) or (len(w) == 3 and w.istitle() and short_name(w)) or capitals_name(w, short_name):
            return w
    return None


# Model acronyms of three capitals that are spelt like a name (a vowel between consonants or
# around one): they stay beside a vendor's word.  Acronyms of consonants (VCT, HDX, KDR) never
# read as names.  Lower case.
ACRONYMS = frozenset("""
evo duo vue lux neo eos max one ace pro ion rad sim via vio uno era oec gem mac sun nova
""".split())
_VOWELS = set("aeiou")


def capitals_name(word: str, short_name) -> bool:
    """D1 round 12: a name of three letters in capitals beside a device word ("Toshiba AYO",
    "Siemens OBI"): spelt as names are (consonant-vowel-consonant, vowel-consonant-vowel,
    consonant-vowel-vowel), a short name by the label rules, and no model acronym of the list.
    Round 11 left every three capitals to acronyms (VCT, HDX), so AYO passed."""
    low = word.lower()
    if len(word) != 3 or not word.isupper() or low in ACRONYMS:
        return False
    # a final y sounds as a vowel (AMY, GUY)
    shape = "".join("v" if c in _VOWELS or (c == "y" and k == 2) else "c" for k, c in enumerate(low))
    return shape in ("cvc", "vcv", "cvv") and short_name(word.title())


def listed_eponym(word: str) -> bool:
    """An eponym radiology writes before a clinical word (Cushing syndrome, Colles fracture)."""
    return word.lower() in EPONYMS


__all__ = ["ACRONYMS", "EPONYMS", "PRODUCTS", "capitals_name", "listed_eponym", "unlisted_beside_device"]
