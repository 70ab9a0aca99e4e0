"""Names in the short values a cleaned DICOM object keeps that the round-4/5 rules do not read
(D1, round 6): a given name alone, and the file's own people written another way.

- **A given name alone** (``lone_given``): "Jennifer" in a model name, "Meiling" in a segment
  label, "Siew Ling" in a kernel - no surname beside it, so no pair rule fires.  A value (or one
  of its backslash parts) is taken when, once the words that introduce a person ("for", "by",
  "with", "Dr" …), digits and brackets are set aside, all that is left is one or two given names:
  a US-census first name that is no word of the standard's code meanings or clinical English,
  or a two-syllable Chinese or Korean given name written as one word or as two syllables.  A
  first name inside a longer phrase ("German Shepherd", "Forest plot", "Barrett oesophagus")
  is a breed, a place or an eponym and stays.
- **The file's own people another way** (``person_forms``, ``forms_in``): every person name in
  the object (patient, operators, physicians, observers) gives the forms a typist writes for
  them: initials with or without the surname, in either order ("Kong L.", "L. Kong", "K.L.W.",
  "KLW", "Wang XM", "WXM"), Western short forms (Bill and Will for William, Liz and Beth for
  Elizabeth, Peggy for Margaret) and other romanisations of Chinese names (Hsu, Xu, Hsü; Chang,
  Zhang; Tsai, Cai; Chih-Wei, Zhiwei).  A kept value holding one as whole words goes.

Wrong guesses cost a label (removed whole, never altered); a name missed costs a person.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from deidentify.dicom import asian_names as an, han_readings

# --- a given name alone ------------------------------------------------------------------------

# Words that introduce a person in a label ("for Jennifer", "read by Meiling", "Dr Sarah").
_LEAD = frozenset("""for by with per from to attn cc dr dr. doctor mr mrs ms miss prof nurse tech technologist
operator op user reader reviewer read drawn done seen signed approved reviewed scanned checked contoured
edited saved made created owner and of the""".split())
# Device, product and code words that are census first names too (kept as device values).
_DEVICE_WORDS = frozenset("""aurora harmony symphony sonata aria iris genesis victoria allegra vida lumina juniper
sequoia trio apollo avanto skyra prisma sola espree verio aera essenza amira altea magnus signa optima discovery
revolution brivo ingenia achieva intera panorama elition evolve aquilion vantage galan titan orian
echelon oasis airis definition force edge flash emotion sensation perspective biograph symbia infinia
brightview precedence gemini vereos ingenuity brilliance iqon allura azurion artis axiom luminos ysio
mammomat selenia senographe pristina amulet voluson logiq vivid venue acuson epiq affiniti aplio xario viamo
arietta noblus resona sonix nova mercury jupiter luna stella sierra dakota savannah london paris crystal
diamond ruby amber jade pearl ivy olive hazel violet scarlet rose lily daisy dawn sky summer autumn
winter spring star sunny misty echo precious destiny trinity unity serenity harmony journey royal king
philips maxima mira legend horizon versa elements vision recon blend smart deep resolve asir veo safire admire
aidr iterative adaptive helical tomo planning research clinical vibe twist haste blade propeller""".split())

# Imaging words no list above holds (a scout topogram is no person: round 7)
IMAGING_WORDS = frozenset("""scout topogram localizer localiser survey flair stir haste vibe blade propeller
syngo numaris xper somatom vitrea leonardo mosaic tof swi dwi adc bold dti epi fiesta fspgr mprage spgr tse fse gre
dixon starvibe twist trufi tfl mip minip mpr vrt ssd cpr dect snapshot recon axial coronal sagittal oblique
kv mas ctdi dlp isocenter isocentre navigator cine tagging perfusion angio venogram tof""".split())

def product_field(keyword: str) -> bool:
    """Does the attribute name a vendor, a model or a product (where a name's shape is a brand:
    Konica Minolta, Planmeca Viso)?  Kernels, versions, sequence names and explanations are codes."""
    return any(w in keyword for w in ("Manufacturer", "Model", "AlgorithmName", "ApplicationName", "CoilName",
                                      "CoilElementName", "DeviceName", "MappingResourceName"))


@functools.cache
def _first_names() -> frozenset[str]:
    from deidentify.identifiers.western_names import _census, ordinary_word

    firsts, _ = _census()
    return frozenset(n for n in firsts if len(n) >= 4 and not ordinary_word(n)) - _vocabulary() - _DEVICE_WORDS \
        - an._WORDS - an._ENGLISH_PAIRS \
        - _whole_meanings()


@functools.cache
def _whole_meanings() -> frozenset[str]:
    """One-word code meanings of the standard ("Radian", "Taylor", "Lewis": a unit, a scale, a view)."""
    from pydicom.sr._concepts_dict import concepts

    return frozenset(m.lower() for scheme in concepts.values() for by_name in scheme.values()
                     for m, _ in by_name.values() if re.fullmatch(r"[A-Za-z][A-Za-z-]*", m))


@functools.cache
def _vocabulary() -> frozenset[str]:
    """Words the standard's code meanings write in lower case (gene, mark, lean, iris …): words."""
    from pydicom.sr._concepts_dict import concepts

    out = set()
    for scheme in concepts.values():
        for by_name in scheme.values():
            for meaning, _ in by_name.values():
                out.update(t.lower() for t in re.findall(r"[A-Za-z]+", meaning) if t.islower())
    return frozenset(out)


def _asian_given(tokens: list[str], possessive: bool = True) -> bool:
    """One two-syllable given name as one word ("meiling", "yating"), or two given-name
    syllables ("siew ling", "hui min") that are no words or codes."""
    if len(tokens) == 1:
        t = tokens[0].replace("-", "")
        if possessive and len(t) >= 5 and t.endswith("s") and (an._given(t[:-1]) or an._strong(t[:-1])):
            return True   # a possessive a code string writes without its apostrophe ("HIROSHIS")
        return len(t) >= 6 and an._two_syllable_given(t) and t not in _vocabulary()
    if len(tokens) == 2:
        return (sum(len(t) for t in tokens) >= 6 and all(
            t in an._GIVEN_SYLLABLES and t not in an._WORDS and t not in _SHORT_WORDS and t not in _vocabulary()
            for t in tokens))
    return False


# syllables that are English or code words (never half of a given name alone)
_SHORT_WORDS = frozenset("""long ping sun man fan pan tan ban wan ran hang bang gang sang tang song dong gong bin pin
sin ma he men pen den hen die lie tie pie duo you lou chi shi zen ren sen ding gain bone see sea bay pay say way
may tin kin fin lin win chin shin thin gin yang ying yin mix max min hui ming""".split()) - {"hui", "ming", "lin"}


@functools.cache
def _all_vocabulary() -> frozenset[str]:
    """Every word of the standard's code meanings, any case (German, Forest, Barrett, Doppler)."""
    from pydicom.sr._concepts_dict import concepts

    return frozenset(t.lower() for scheme in concepts.values() for by_name in scheme.values()
                     for meaning, _ in by_name.values() for t in re.findall(r"[A-Za-z]+", meaning))


def _first(token: str, possessive: bool = False) -> bool:
    """A census first name, or two joined by a hyphen (Mary-Jane); ``possessive``: also with the s
    a code string writes for 's ("MICHAELS")."""
    firsts = _first_names()
    if "-" in token:
        parts = token.split("-")
        return len(parts) == 2 and all(p in firsts for p in parts)
    return token in firsts or (possessive and len(token) >= 5 and token.endswith("s") and token[:-1] in firsts)


def lone_given(text: str, device: bool = False) -> bool:
    """Is ``text`` (or one of its backslash parts) a given name alone, with no surname?  Unless
    ``device`` (a device's, kernel's or version's value, where vendors' and models' names look
    like anything: Philips, Mira, Konica Minolta), also a first name no code meaning writes
    beside other words ("Lead I Jennifer") or a name's shape (``named_spans``)."""
    for part in re.split(r"[\\\0]", str(text)):
        toks = [t for t, _, _ in an._tokens(part)]
        toks = [t[:-2] if t.endswith("'s") else t for t in toks]
        rest = [t for t in toks if t not in _LEAD]
        if rest and len(rest) <= 2 and "".join(rest) not in _whole_meanings() and (all(_first(t, not device) for t in rest)
                                        or _asian_given(rest, not device)):
            return True
    return not device and bool(named_spans(str(text)))


# a capital opens a name: "Jennifer", "JENNIFER" (not "jennifer", which a code may spell)
_CAPITALISED = re.compile(r"[A-Z][A-Za-z'\u2019]+(?:-[A-Z]?[a-z]+)?")


_TITLE = re.compile(r"[A-Z][a-z]{2,}")


def _unknown(word: str, upper: bool = False) -> bool:
    """A capitalised word neither the standard's code meanings, clinical English nor a device
    list holds (each hyphen part looked up: "Follow-up" is words); ``upper``: in capitals too,
    from four letters (after "BY": "DRAWN BY OKONKWO"; a shorter one is a code)."""
    from deidentify.identifiers.western_names import ordinary_word

    parts = [p for p in re.split(r"[-'\u2019]", word.lower()) if p]
    return bool(parts) and not all(p in _all_vocabulary() or ordinary_word(p) or p in _DEVICE_WORDS
                                   or p in IMAGING_WORDS or len(p) <= 2 for p in parts) and (not word.isupper() or (upper and len(word) >= 4))


def named_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of first names no code meaning writes ("Jennifer" anywhere) and of unknown
    capitalised words after a word that introduces a person ("drawn by Okonkwo Adaeze")."""
    out = []
    words = list(_CAPITALISED.finditer(text))
    for k, m in enumerate(words):
        w = m.group()
        low = w.lower().removesuffix("'s").removesuffix("\u2019s")
        if ("-" not in low and low not in _all_vocabulary() and _first(low) and (not w.isupper() or len(w) >= 5)
                and not _EPONYM_HEAD.match(text, m.end())):
            out.append(m.span())
            continue
        nxt = words[k + 1] if k + 1 < len(words) else None
        if (nxt is not None and _TITLE.fullmatch(w) and _TITLE.fullmatch(nxt.group())
                and text[m.end():nxt.start()] == " " and _unknown(w) and _unknown(nxt.group())):
            out.append((m.start(), nxt.end()))   # two words in title case no list holds: a name's shape
            continue
        before = text[:m.start()].rstrip()
        lead = re.search(r"(?:^|[^A-Za-z])([A-Za-z]+)\.?$", before)
        if lead and lead.group(1).lower() in _PERSON_LEAD | _PAIR_LEAD and _unknown(w, lead.group(1).isupper()):
            end = m.end()
            nxt = words[k + 1] if k + 1 < len(words) else None
            if nxt is not None and text[end:nxt.start()].strip() == "" and _unknown(nxt.group(), w.isupper()):
                end = nxt.end()   # the surname after the given name, or the given after the surname
            elif lead.group(1).lower() in _PAIR_LEAD:
                continue          # "with Gadovist", "for Processing": one word is a thing
            out.append((m.start(), end))
    # a first name in lower case after a word that introduces a person ("scan for jennifer")
    for m in re.finditer(r"(?i:\b(?:by|dr|for|with|per|attn|cc)\.?)[ \t]+([a-z][a-z'-]+)", text):
        if _first(m.group(1)) and m.group(1) not in _all_vocabulary():
            out.append(m.span(1))
    return out


# what follows a surname in an eponym (Wilson disease, Morton's neuroma, Bell palsy)
_EPONYM_HEAD = re.compile(r"(?:['\u2019]s)?[ \t-]+(?i:disease|syndrome|sign|neuroma|palsy|fracture|test|score|"
                          r"classification|procedure|operation|method|view|projection|line|triangle|cyst|ulcer|"
                          r"tumou?r|nodes?|canal|duct|glands?|bod(?:y|ies)|cells?|reflex|phenomenon|law|"
                          r"man(?:eu|oeu)vre|maneuver|position|criteria|scale|index|type|grade|stage|lymphoma|"
                          r"sarcoma|anomaly|malformation|aneurysm|deformity|hernia|space|membrane|fascia|ligament|"
                          r"angle|point|zone|area|layer|loop|plexus|valve|catheter|tube|forceps|needle|effect|"
                          r"arteritis|thyroiditis|encephalopathy|dystrophy|ataxia|anemia|anaemia|formula|equation|"
                          r"method|technique|approach|incision|repair|shunt|filter|stent|splint|cast|blade)\b")
# words after which a capitalised unknown word is a person (not "for", "with": "for Processing")
_PERSON_LEAD = frozenset("""by dr doctor mr mrs ms miss prof nurse tech technologist operator op reader reviewer
attn cc signed approved reviewed drawn contoured edited read seen scanned checked""".split())
# after these two unknown capitalised words are a person ("read with Okonkwo Adaeze")
_PAIR_LEAD = frozenset("with for from to and per".split())


def mask_named(text: str, mask: str = "<NAME>") -> str:
    """``text`` with ``named_spans`` replaced (SR text kept after the scrubber)."""
    for a, b in sorted(named_spans(text), reverse=True):
        text = text[:a] + mask + text[b:]
    return text


# --- the file's own people written another way ------------------------------------------------

# Western given names and the short forms a colleague writes for them (both ways round).
_NICKNAMES = {
    "william": "bill billy will willy willie liam", "elizabeth": "liz lizzie beth betty betsy eliza libby lisa",
    "margaret": "peggy maggie meg marge margie greta", "james": "jim jimmy jamie", "robert": "bob bobby rob robbie bert",
    "richard": "rick ricky dick rich", "john": "jack johnny", "jonathan": "jon jonny", "michael": "mike mikey mick",
    "thomas": "tom tommy", "joseph": "joe joey", "charles": "charlie chuck chas", "edward": "ed eddie ted ned",
    "anthony": "tony", "christopher": "chris kit", "daniel": "dan danny", "matthew": "matt", "andrew": "andy drew",
    "nicholas": "nick nicky", "alexander": "alex sasha xander", "benjamin": "ben benny", "samuel": "sam sammy",
    "stephen": "steve", "steven": "steve", "timothy": "tim timmy", "patrick": "pat paddy", "peter": "pete",
    "david": "dave davy", "henry": "hank harry", "lawrence": "larry", "gerald": "gerry jerry", "donald": "don donny",
    "ronald": "ron ronnie", "kenneth": "ken kenny", "gregory": "greg", "jeffrey": "jeff", "francis": "frank fran",
    "frederick": "fred freddie", "raymond": "ray", "eugene": "gene", "leonard": "len lenny leo",
    "katherine": "kate katie kathy kat kitty", "catherine": "cathy kate katie cat", "kathleen": "kathy kate",
    "jennifer": "jen jenny jenn", "jessica": "jess jessie", "rebecca": "becky becca", "susan": "sue suzy",
    "deborah": "deb debbie", "barbara": "barb babs", "patricia": "pat patty trish tricia", "victoria": "vicky tori",
    "christine": "chris chrissy tina", "christina": "chris tina", "dorothy": "dot dottie", "theresa": "terry tess",
    "abigail": "abby", "samantha": "sam sammy", "alexandra": "alex sandra", "jacqueline": "jackie",
    "josephine": "jo josie", "virginia": "ginny", "frances": "fran frannie", "mary": "molly polly mae",
    "sarah": "sally sadie", "ann": "annie nan nancy", "anne": "annie nan", "helen": "nell ellie", "eleanor": "ellie nell",
    "caroline": "carrie", "cynthia": "cindy", "amanda": "mandy", "kimberly": "kim", "stephanie": "steph",
    "pamela": "pam", "judith": "judy", "sandra": "sandy", "angela": "angie", "melissa": "mel missy",
}
_NICK_OF: dict[str, set[str]] = {}
for _formal, _shorts in _NICKNAMES.items():
    _group = {_formal, *_shorts.split()}
    for _n in _group:
        _NICK_OF.setdefault(_n, set()).update(_group)

# Wade-Giles / Taiwanese spellings and their Hanyu pinyin (syllable openings and endings).
_INITIAL_SWAPS = [("hs", ("x",)), ("tz", ("z", "c")), ("ts", ("z", "c")), ("ch", ("zh", "j", "q", "ch")),
                  ("k", ("g", "k")), ("p", ("b", "p")), ("t", ("d", "t")), ("j", ("r",)), ("x", ("hs",)),
                  ("zh", ("ch", "j")), ("q", ("ch",)), ("z", ("ts", "tz")), ("c", ("ts",)), ("g", ("k",)),
                  ("b", ("p",)), ("d", ("t",)), ("r", ("j",))]
_FINAL_SWAPS = [("ung", "ong"), ("ong", "ung"), ("ih", "i"), ("ieh", "ie"), ("ie", "ieh"), ("ien", "ian"),
                ("ian", "ien"), ("uo", "o"), ("o", "uo"), ("ü", "u"), ("u", "ü"), ("yu", "yu")]
# Whole surnames whose spellings the rules above do not reach (Hokkien, Cantonese, Korean ones).
_SURNAME_SPELLINGS = [{"tsai", "cai", "choi", "chua", "tsoi"}, {"chang", "zhang", "cheung", "teo", "chong"},
                      {"hsu", "xu", "hsü", "hui", "khoo", "koh"}, {"chen", "chan", "tan", "chin"},
                      {"lin", "lim", "lam"}, {"huang", "wong", "ng", "hwang", "oei"}, {"wang", "ong", "heng"},
                      {"kuo", "guo", "kwok", "quek", "kok"}, {"chou", "zhou", "chow", "chau", "chew"},
                      {"lee", "li", "lei", "yi", "rhee"}, {"wu", "ng", "goh", "woo"}, {"yang", "yeung", "yeo"},
                      {"hsieh", "xie", "tse", "cheah", "sia"}, {"cheng", "zheng", "tay", "chung"},
                      {"liu", "lau", "lao", "yu"}, {"chiang", "jiang", "keung", "kang"}, {"chiu", "qiu", "khoo", "yau"},
                      {"tseng", "zeng", "tsang", "chan"}, {"hung", "hong", "ang"}, {"kao", "gao", "ko", "kou"},
                      {"chien", "jian", "qian", "chin"}, {"lu", "lo", "loh", "lou"}, {"sung", "song"},
                      {"tung", "dong", "tong"}, {"chu", "zhu", "choo", "gee"}, {"ho", "he", "hoh"}]


# The usual Taiwanese surnames in characters and how each is romanised (Wade-Giles, pinyin,
# Hokkien, Cantonese): a person named only in ideographs (王^小明) is still "Wang" in a label.
_HAN_SURNAMES_TEXT = """
王:wang ong 陳:chen tan chan 林:lin lim lam 張:chang zhang cheung 李:lee li 黃:huang wong ng 吳:wu goh ng
劉:liu lau 蔡:tsai cai choi chua 楊:yang yeung yeo 許:hsu xu hui koh 鄭:cheng zheng tay 謝:hsieh xie tse
郭:kuo guo kwok quek 洪:hung hong ang 曾:tseng zeng tsang 邱:chiu qiu khoo 廖:liao liu 賴:lai 周:chou zhou chow
徐:hsu xu tsui 蘇:su so 葉:yeh ye yip 莊:chuang zhuang chong 呂:lu lui 江:chiang jiang kong 何:ho he
蕭:hsiao xiao siu 羅:lo luo law 高:kao gao ko 潘:pan poon 簡:chien jian kan 朱:chu zhu 鍾:chung zhong
游:yu you 彭:peng pang 詹:chan zhan 胡:hu wu 施:shih shi si 沈:shen sum 余:yu yee 盧:lu lo 梁:liang leung
趙:chao zhao chiu 顏:yen yan ngan 柯:ko ke kuah 翁:weng yung 魏:wei ngai 孫:sun suen 戴:tai dai 范:fan
方:fang fong 宋:sung song 鄧:teng deng tang 杜:tu du to 傅:fu foo 侯:hou hau 曹:tsao cao cho 薛:hsueh xue sit
丁:ting ding 卓:cho zhuo cheuk 馬:ma 阮:juan ruan yuen nguyen 董:tung dong 溫:wen wan 唐:tang tong 藍:lan lam
石:shih shi shek 蔣:chiang jiang cheung 古:ku gu koo 紀:chi ji kei 姚:yao yiu 連:lien lian 馮:feng fung
歐:ou au 程:cheng ching 湯:tang tong 田:tien tian 康:kang hong 姜:chiang jiang keung 白:pai bai pak 汪:wang
鄒:tsou zou chau 尤:yu yau 巫:wu 黎:li lai 涂:tu 龔:kung gong 嚴:yen yan yim 韓:han hon 袁:yuan yuen
金:chin jin kam kim 童:tung tong 陸:lu luk 夏:hsia xia ha 柳:liu lau 邵:shao siu 歐陽:ouyang auyeung
"""
_HAN_SURNAMES: dict[str, list[str]] = {}
for _word in _HAN_SURNAMES_TEXT.split():   # "王:wang" opens a surname, the words after it are its spellings
    if ":" in _word:
        _key, _first_spelling = _word.split(":")
        _HAN_SURNAMES[_key] = [_first_spelling]
    else:
        _HAN_SURNAMES[_key].append(_word)


@functools.cache
def _han_simplified() -> dict[str, list[str]]:
    from deidentify.identifiers.normalise import to_simplified

    return {to_simplified(k): v for k, v in _HAN_SURNAMES.items()}


def _han_surname(family: str) -> list[str]:
    """The romanised forms of a surname in characters; a whole name in one component (王小明,
    歐陽娜娜) by its first one or two characters."""
    from deidentify.identifiers.normalise import to_simplified

    simp = to_simplified(family.strip())
    table = _han_simplified()
    return table.get(simp) or (table.get(simp[:2]) if len(simp) >= 3 else None) or \
        (table.get(simp[:1]) if 2 <= len(simp) <= 4 else None) or []


def _fold(text: str) -> str:
    """Lower case, diacritics gone (Hsü → hsu), every separator one space."""
    return _fold_str(str(text))


@functools.lru_cache(maxsize=1 << 16)   # the same values and names come back in every object
def _fold_str(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.split(r"[^a-z0-9]+", text)).strip()


@functools.cache
def _folded_spellings() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(_fold(g) for g in group) for group in _SURNAME_SPELLINGS)


@functools.lru_cache(maxsize=1 << 14)   # pure: a name's syllables recur in every object of a study
def _romanisations(syllable: str) -> frozenset[str]:
    s = _fold(syllable).replace(" ", "")
    out = {s}
    for group in _folded_spellings():
        if s in group:
            out |= group
    heads = {s}
    for a, bs in _INITIAL_SWAPS:
        if s.startswith(a):
            heads |= {b + s[len(a):] for b in bs}
            break
    for h in list(heads):
        for a, b in _FINAL_SWAPS:
            if h.endswith(a):
                heads.add(h[: len(h) - len(a)] + _fold(b))
    return frozenset(out | {h for h in heads if h})


def _given_parts(given: str) -> list[str]:
    """The syllables of a given name: as written (Mei-Hua, Ji Woo) or cut from one word
    (Lingwei → ling wei) when it cuts into two syllables of a Chinese or Korean given name."""
    parts = [p for p in re.split(r"[\s\-']+", _fold(given)) if p]
    if len(parts) == 1 and parts[0] not in _NICK_OF and not _first(parts[0]):
        w = parts[0]
        for k in range(len(w) - 1, 0, -1):
            if w[:k] in an._GIVEN_SYLLABLES and w[k:] in an._GIVEN_SYLLABLES and len(w) >= 5:
                return [w[:k], w[k:]]
    return parts


def _components(value: str) -> list[tuple[str, str]]:
    """(family, given) of each alphabetic group of a person name."""
    out = []
    for group in str(value).split("="):
        parts = [p.strip() for p in group.split("^")]
        family, given = (parts + ["", ""])[:2]
        if "^" not in group and " " in group.strip():   # "Kong Lingwei" written without carets
            family, _, given = group.strip().partition(" ")
        if any(c.isascii() and c.isalpha() for c in family + given):
            out.append((family, given))
        else:   # a name in characters only: its surname as romanised, its given name read (round 7)
            romans = _han_surname(family or given)
            out += [(roman, "") for roman in romans]
            rest = given.strip() or _han_given(family.strip())
            out += [(roman, reading.replace(" ", "-")) for roman in romans[:4]
                    for reading in han_readings.readings_of(rest)[:2] if rest]
    return out


def _han_given(whole: str) -> str:
    """The given name of a name in characters written in one component (陳大明 → 大明)."""
    from deidentify.identifiers.normalise import to_simplified

    simp = to_simplified(whole)
    table = _han_simplified()
    if len(simp) >= 4 and simp[:2] in table:
        return whole[2:]
    return whole[1:] if 2 <= len(simp) <= 4 and simp[:1] in table else ""


def given_syllables(names: list[str]) -> set[str]:
    """The given names of the people ``names`` holds written in Latin letters, every
    romanisation of every syllable, joined (Ta-Ming → taming, daming, tamin …): what the
    readings of a given name in characters are compared with (``han_readings.given_in``)."""
    out: set[str] = set()
    for value in names:
        for group in str(value).split("="):
            parts = [p.strip() for p in group.split("^")]
            given = (parts + ["", ""])[1] if "^" in group else group.strip().partition(" ")[2]
            syl = _given_parts(given) if any(c.isascii() and c.isalpha() for c in given) else []
            if not 2 <= len(syl) <= 3:
                continue
            combos = [""]
            for s in syl:
                combos = [c + x for c in combos for x in sorted(_romanisations(s))][:256]
            out.update(combos)
    return out


def names_of(ds) -> list[str]:
    """Every person name the object holds, at any depth (each value of a multi-valued one)."""
    out = []
    for elem in ds.iterall():
        if elem.VR == "PN" and elem.value not in (None, ""):
            out += [str(v) for v in (elem.value if elem.VM > 1 else [elem.value])]
    return out


def person_forms(names: list[str]) -> set[str]:
    """The written forms of the people ``names`` holds (PN values), folded (``_fold``)."""
    out: set[str] = set()
    for value in names:
        for family, given in _components(value):
            fam = _fold(family).replace(" ", "")
            syl = _given_parts(given)
            if not fam and not syl:
                continue
            fams = _romanisations(fam) if fam else {""}
            whole = "".join(syl)
            givens = {whole} | ({" ".join(syl)} if len(syl) > 1 else set())
            # every syllable in every romanisation (Chih-Wei → zhi wei, zhiwei)
            variants = [_romanisations(s) for s in syl]
            if 1 <= len(variants) <= 3:
                combos = [""]
                for v in variants:
                    combos = [c + " " + x if c else x for c in combos for x in sorted(v)][:64]
                givens |= set(combos) | {c.replace(" ", "") for c in combos}
            givens |= _NICK_OF.get(whole, set())
            givens.discard("")
            inits = "".join(s[0] for s in syl)
            for f in fams:
                if not f:
                    continue
                for g in givens:
                    out |= {f"{f} {g}", f"{g} {f}", f"{f}{g}"}
                if inits:
                    spaced = " ".join(inits)
                    out |= {f"{f} {inits}", f"{inits} {f}", f"{f} {spaced}", f"{spaced} {f}", f"{f} {inits[0]}",
                            f"{inits[0]} {f}", f"{f[0]}{inits}", f"{f[0]} {spaced}", f"{inits}{f[0]}",
                            f"{spaced} {f[0]}"}
                    out |= {f"{g} {f[0]}" for g in givens} | {f"{f[0]} {g}" for g in givens}
                out.add(f)
                if len(f) == 2:   # Xu, Ho, Ma: too short alone, a name beside an initial or a title
                    out.add(f"{f} *")
            out |= givens
    # single letters and two-letter runs say nothing by themselves; the file's own words are
    # compared whole, so a three-letter form ("klw", "bob") is enough
    return {f for f in out if len(f.replace(" ", "").rstrip("*")) >= 3 and f not in _NOT_FORMS or f.endswith(" *")}


# forms that are the profile's own words or units (a person called "Ct Wang" does not take "CT")
_NOT_FORMS = frozenset("""the and for ref roi seg axial cor sag mpr mip dose scan view left right mark will may
can""".split())


def forms_in(text: str, forms: set[str], squeeze: bool = True) -> bool:
    """Does ``text`` hold one of ``forms`` as whole words (folded; ``squeeze``: also run together,
    not for the letter runs of samples, where six letters in a row occur by chance)?"""
    low = f" {_fold(text)} "
    if low.strip() == "":
        return False
    squeezed = low.replace(" ", "")
    for form in forms:
        if form.endswith(" *"):   # a two-letter surname: with an initial after it or a title before it
            if re.search(rf" {form[:-2]} [a-z](?: [a-z])? | (?:dr|mr|mrs|ms|miss|prof) {form[:-2]} ", low):
                return True
        elif f" {form} " in low:
            return True
        elif squeeze and len(form.replace(" ", "")) >= 6 and form.replace(" ", "") in squeezed:
            return True   # run together or hyphen-split ("Au-Yeung", "KongLingwei")
    return False


__all__ = ["forms_in", "given_syllables", "lone_given", "mask_named", "named_spans", "names_of", "person_forms", "product_field"]
