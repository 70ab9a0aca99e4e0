"""Person names in Latin letters: Western names and romanised Taiwanese names without hyphens.

Three kinds of evidence:
1. a context word before them (Dr., Mr., Patient, Name:, c/o, cc:, referred by, 家屬, 陪同者 …):
   the one to three capitalised words after it are a name (Title Case, or UPPER CASE when each
   word is a known name or a Mandarin syllable chain);
2. a romanised Taiwanese surname next to a given name written as one word that splits into two
   Mandarin syllables (Xiaoming, Tsunghao), as two syllables (Yi Ling), or hyphenated
   (handled in ``romanised_names``), in either order, also "SURNAME, Given";
3. a first name from the US census lists (the ``names`` package) followed by a surname from
   its surname list, or "Surname, First".
Common English words that are also census names (May, Grace, Will, Long, Hospital …) do not
count as a first name or surname without a context word.  Offsets refer to the text given.
"""
from __future__ import annotations

import functools
import os
import re

from deidentify.identifiers import romanised_names
from deidentify.identifiers.regex_gate import Gated, by_first_char, first_char_groups, literal_led
from deidentify.regex_cache import compiled


# One capitalised word (Smith, O'Brien, McDonald, Chun-ya), an upper-case word (CHEN, TA-MING) or
# an initial; written without nested quantifiers over the same letters (no backtracking blow-up).
_CAP = (r"(?:(?:O['’])?[A-Z]{2,}(?:['’\-][A-Z]{2,})*(?![A-Za-z])|(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:['’\-][A-Z]?[a-z]+)*(?![A-Za-z])"
        r"|[A-Z]\.)")
# English words that introduce a person, in the order they are tried at one place (grouped by
# first letter below: under (?i) the engine would try the hundred branches one by one).
_CONTEXT_EN = (
    r"dr|mr|mrs|ms|miss|prof|patient|pt|name|c/o|cc|signed|signature|attending|fax[ \t]+to|attn|attention|informant|"
    r"referred[ \t]+by|referring[ \t]+physician|physician|nurse|family|daughter|son|wife|husband|mother|"
    r"father|caregiver|contact|reported[ \t]+to|informed|specimen[ \t]+from|re(?=[ \t]*[:：])|sister|brother|friend|"
    r"neighbou?r|partner|spouse|grandson|granddaughter|grandchild|aunt|uncle|cousin|guardian|employer|"
    r"roommate|carer|son[ \t\-]+in[ \t\-]+law|daughter[ \t\-]+in[ \t\-]+law|rn|np|lpn|pa-c|"
    r"beneficiary|insured|subject|client|resident|member|applicant|caller|visitor|donor|recipient|"
    r"witness|interpreter|translator|case[ \t]+manager|social[ \t]+worker|therapist|pharmacist|"
    r"technician|technologist|radiologist|pathologist|surgeon|doctor|consultant|boyfriend|girlfriend|"
    r"fianc[eé]e?|step(?:son|daughter|mother|father)|grand(?:mother|father|ma|pa)|niece|nephew|landlord|"
    r"colleague|co-?worker|companion|ex-(?:wife|husband)|"
    # relations as charts abbreviate them (dtr Amy, hsb Tom, sis Jenny)
    r"dtr|dau|hsb|hus|sis|bro|"
    # more of the people around a patient (phlebotomist Ong B.)
    r"phlebotomist|dietitian|dietician|nutritionist|midwife|paramedic|emt|clerk|secretary|receptionist|"
    r"coordinator|aide|volunteer|chaplain|counsell?or|psychologist|physiotherapist|an(?:a)?esthetist|"
    r"sonographer|scribe|"
    # (D1, round 6) foreign workers and helpers named after their work (Migrant worker Dewi Lestari)
    r"migrant[ \t]+worker|foreign[ \t]+worker|domestic[ \t]+helper|helper|maid|typist|transcriptionist|"
    + "|".join(w + r"[ \t]+by" for w in (
        "seen", "ordered", "reported", "reviewed", "verified", "dictated", "transcribed", "signed", "approved",
        "examined", "accompanied", "escorted", r"brought(?:[ \t]+in)?", "performed", "read", "interpreted",
        "prepared", "requested", "drawn", "collected", "entered", "recorded", "charted", "administered",
        "given", "checked", "cosigned", "co-signed", "witnessed", "obtained", "taken", "received", "called",
        "completed", "documented", "noted", "referred"))
    + "|" + "|".join(w + r"[ \t]+(?:with|to)" for w in ("spoke", "discussed", "talked")))


_CONTEXT_FIRST = "先太老丈妻儿女媳婿朋家陪病患个外看照联主报申案姓签转医受配保被男室邻居翻口同社护移雇族原汉英名泰越印菲马缅日韩美村里头之"
_CONTEXT_ZH = ("家属|陪同者|病患|病人|患者|个案|外籍看护|看护|照顾者|联络人|主治医师|报告医师|申请医师|案母|案父|案妻|案夫|"
               "案子|案女|姓名为|姓名|签名|转介|医师|先生|太太|老公|老婆|丈夫|妻子|儿子|女儿|媳妇|女婿|朋友|受检者|受试者|"
               "外籍配偶|配偶|保险对象|被保险人|受益人|案主|男友|女友|室友|邻居|居服员|照服员|护理师|社工|翻译|口译|"
               "同事|病人为|病患为|患者为|个案为|名为|外籍劳工|移工|外劳|雇主|老伴|族名|原住民名|汉名|英文名|名字|族|看护工|村长|里长|头目|"
               "之妻|之夫|之子|之女|之母|之父|"
               # (a nationality before a carer's or spouse's name: 泰籍 Somsak; not 国籍, 户籍)
               "泰籍|越籍|印籍|菲籍|越南籍|印尼籍|菲律宾籍|泰国籍|马来西亚籍|缅甸籍|日籍|韩籍|美籍|外籍")
_CONTEXT_TAIL = r"[ \t]*[:：]?[ \t]*[(（]?"
# The plain form: a look-ahead for the first characters, then the words.  Python's engine tries a
# pattern that opens with a look-ahead at every position; _CONTEXT below opens each branch with
# its first character as a literal (both cases of a Latin letter), so the engine skips at C speed
# to the next such character and tries only the branches that start with it.  The same matches:
# the look-ahead allowed exactly these first characters (名为 never started a match: 名 is not
# among them), and the look-behind after the first letter sees what the plain one saw before it
# (tests/deidentify/test_literal_first.py compares both on many texts).
PLAIN_CONTEXT = (r"(?=[a-zA-Z" + _CONTEXT_FIRST + r"])(?:(?i:(?<![A-Za-z])(?=[a-z])(?:" + by_first_char(_CONTEXT_EN)
                 + r")\b\.?[ \t]*[:：,]?|" + _CONTEXT_ZH + "))" + _CONTEXT_TAIL)
_CONTEXT = ("(?:" + "|".join(f"{c}(?i:(?<![a-z]{c})(?:{rest}))" + r"\b\.?[ \t]*[:：,]?"
                             for f, rest in first_char_groups(_CONTEXT_EN).items() for c in dict.fromkeys((f, f.upper())))
            + "|" + "|".join(f"{f}(?:{rest})" for f, rest in first_char_groups(_CONTEXT_ZH).items() if f in _CONTEXT_FIRST)
            + ")" + _CONTEXT_TAIL)
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "prof", "dr.", "mr.", "mrs.", "ms.", "prof."}
# lower-case particles inside a name (Juan dela Cruz, Ludwig van Beethoven, Siti binti Ahmad)
_PARTICLE = r"(?:de|del|dela|da|di|do|dos|das|du|van|von|der|den|ter|bin|binti|bte|al|el|la|le|los|las|y)"
_PARTICLES = frozenset(_PARTICLE[3:-1].split("|"))
_CONTEXT_NAME_REST = (r"(?i:(?:dr|mr|mrs|ms|miss|prof)\.?[ \t]*)?(?P<n>" + _CAP + r"(?:,?[ \t]+(?:"
                      + _PARTICLE + r"[ \t]+){0,2}" + _CAP + r"){0,3})")
CONTEXT_NAME = compiled(_CONTEXT + _CONTEXT_NAME_REST)
PLAIN_CONTEXT_NAME = PLAIN_CONTEXT + _CONTEXT_NAME_REST


_TOKEN = compiled(r"[A-Za-z][A-Za-z'’\-]*\.?")
# Two or three capitalised words, or "Word, Word": candidates without context.
PLAIN_PAIR = r"(?=[A-Z])(?<![A-Za-z])" + _CAP + r"(?:,?[ \t]+" + _CAP + r"){1,2}(?![A-Za-z])"
# The same opening with its capital (then the look-behind on what stands before it, and _CAP's
# branches from their second character, the first read back by look-behinds, tried in _CAP's
# order): a pattern opening with a look-around is tried at every position.
_CAP_AFTER_FIRST = (r"(?:(?:(?<=O)['’][A-Z]|)[A-Z]{1,}(?:['’\-][A-Z]{2,})*(?![A-Za-z])"
                    r"|(?:(?<=M)c[A-Z]|(?<=M)ac[A-Z]|(?<=O)['’][A-Z]|)[a-z]+(?:['’\-][A-Z]?[a-z]+)*(?![A-Za-z])"
                    r"|\.)")
PAIR = compiled(r"[A-Z](?<![A-Za-z][A-Z])" + _CAP_AFTER_FIRST + r"(?:,?[ \t]+" + _CAP + r"){1,2}(?![A-Za-z])")
# Every PAIR match holds a capitalised word, spaces (a comma before them) and a capital: a text
# without that is not scanned (PAIR opens with a look-behind, tried at every capital).
# (possessive: what may follow the word's letters, . , space, is none of them, so giving letters
# back never helps; the same matches without the backtracking)
PAIR_GATE = compiled(r"[A-Z][A-Za-z'’\-]*+\.?+,?+[ \t]+[A-Z]")
# Words that are census names but in clinical English are words.
_ENGLISH = set("""
may june april august will grace hope joy rose ivy faith dawn drew gene bill art guy pat sue mark long page bell
hill stone white brown green black gray grey young king rich price love mercy major minor case chase cash care
well wells hospital clinic center centre medical health general memorial university national county city street
road lane unit ward room bed floor left right upper lower chest heart lung liver kidney head neck back
stable normal acute chronic follow plan note date time day week month year
""".split())
_PLACES = {"hong kong", "kao hsiung", "kaohsiung", "tai pei", "tai chung", "tai nan", "hsin chu", "chang hua",
           "chia yi", "ping tung", "yi lan", "hua lien", "tai tung", "peng hu", "kin men", "ma tsu", "tao yuan",
           "miao li", "nan tou", "yun lin", "chi lung", "lin kou", "da an", "xin yi", "nei hu", "shi lin",
           "bei tou", "wan hua", "song shan", "zhong zheng", "chung shan", "zhong shan", "sun yat", "yang ming",
           "chang gung", "ma kay", "tzu chi", "chi mei", "wan fang", "shuang ho", "cathay general"}
_NOT_NAME_WORDS = set("""
mrn nhi id dob tel fax email icd ok ct mri cxr ekg ecg dm htn ckd copd cad chf uri uti opd er icu or pcr crp wbc rbc hb plt bun cr na ago iv im sc po
qd bid tid qid hs prn stat npo dx rx tx hx sx fx pe os od ou abd ext the and with without for from to by of on in
at no yes not per via pt pts dr mr mrs ms s/p c/o f/u r/o impression findings history plan assessment diagnosis
dear hi hello thanks thank regards sincerely best cc re
""".split())   # (salutations: "Dear Dr. Wu, Dear Dr. Tsai" is two letters' greetings, not "Wu, Dear")


@functools.cache
def _census() -> tuple[frozenset[str], frozenset[str]]:
    """First names and surnames of the US census lists shipped by the ``names`` package."""
    import names

    base = os.path.dirname(names.__file__)

    def read(*files: str) -> frozenset[str]:
        out = set()
        for f in files:
            with open(os.path.join(base, f), encoding="ascii", errors="ignore") as fh:
                out.update(line.split()[0].lower() for line in fh if line.strip())
        return frozenset(out)

    return read("dist.male.first", "dist.female.first"), read("dist.all.last")


@functools.cache
def _splits_into_syllables(word: str, parts: int = 2) -> bool:
    """Can ``word`` be cut into ``parts`` (2–3) Mandarin syllables? (Xiaoming, Tsunghao)"""
    w = word.lower()
    if parts == 1:
        return romanised_names.syllable_ok(w)
    return any(romanised_names.syllable_ok(w[:k]) and _splits_into_syllables(w[k:], parts - 1)
               for k in range(1, min(len(w), 7)))


def _given_ok(tokens: list[str]) -> bool:
    """A romanised given name: one word of two syllables, or two one-syllable words."""
    if len(tokens) == 1:
        t = tokens[0]
        return 4 <= len(t) <= 12 and t.isalpha() and _splits_into_syllables(t)
    if len(tokens) == 2:
        return all(t.isalpha() and romanised_names.syllable_ok(t) for t in tokens)
    return False


def _words(span: str) -> list[str]:
    return [t.rstrip(".") for t in _TOKEN.findall(span)]


def _looks_like_name(tokens: list[str], with_context: bool) -> bool:
    firsts, lasts = _census()
    low = [t.lower() for t in tokens]
    if not tokens or any(t in _NOT_NAME_WORDS for t in low):
        return False
    surn = romanised_names._SURNAME_SET
    # romanised Taiwanese: surname + given (either order)
    if low[0] in surn and _given_ok(tokens[1:]):
        return True
    if low[-1] in surn and _given_ok(tokens[:-1]):
        return True
    if with_context:
        return all(t[0].isupper() for t in tokens) and not all(t in _ENGLISH for t in low)
    if " ".join(low[:2]) in _PLACES or "".join(low[:2]) in _PLACES:
        return False      # Hong Kong, Kao Hsiung: places spelt like surname + syllable
    if len(tokens) >= 2 and low[0] in firsts and low[0] not in _ENGLISH and low[-1] in lasts \
            and low[-1] not in _ENGLISH and all(t[0].isupper() for t in tokens):
        return True
    return False


# A name typed in lower case after a name label (Name: chen mei ling, Patient: jane doe)
LOWER_LABELLED = compiled(r"(?i:(?<![a-z])(?:patient[ \t]+name|name|patient|pt|mr|mrs|ms|miss|dr|daughter|son|wife|husband"
                          r"|mother|father|sister|brother|contact|seen[ \t]+by|caregiver|carer|informant))"
                          r"(?:[ \t]*[:：][ \t]*|\.?[ \t]+)"
                          r"(?P<n>[a-z][a-z'\-]+\.?(?:[ \t]+[a-z][a-z'\-]+){0,3})(?![A-Za-z])")
LOWER_LABELLED = Gated(LOWER_LABELLED, literal_led("patient|name|pt|mr|mrs|ms|miss|dr|daughter|son|wife|husband|mother"
                                                   "|father|sister|brother|contact|seen|caregiver|carer|informant"))


_LOWER_TOKEN = compiled(r"[a-z][a-z'\-]+")


def _lower_name_span(m: re.Match[str]) -> tuple[int, int] | None:
    """The longest run of words opening the label's ``n`` group (after a title: seen by dr lin
    mei hua) that spells a name (pt mary lee|was seen), or None."""
    words = [(w.group(), m.start("n") + w.start(), m.start("n") + w.end())
             for w in _LOWER_TOKEN.finditer(m.group("n"))]
    while words and words[0][0].rstrip(".") in _TITLES:
        words = words[1:]
    for n in range(len(words), 1, -1):
        if _lower_name([w for w, _, _ in words[:n]]):
            return words[0][1], words[n - 1][2]
    # one word after a title or relation (mr wang, wife mary, seen by dr lin): a census name or
    # romanised surname that is no English word ("patient: alert" is a state, not a name)
    label = m.string[m.start():m.start("n")].strip(" \t:：.").lower()
    titled = len(words) < len(_LOWER_TOKEN.findall(m.group("n")))
    if words and (titled or label in _SINGLE_AFTER) and _lower_single(words[0][0]):
        return words[0][1], words[0][2]
    return None


# English function words that a census or syllable list also holds (has, me, an, so, hi)
_FUNCTION_WORDS = frozenset("""has had have is was were be been being me my mine his her hers him she he they them we
us our you your it its an a as am are do does did can could would should shall might must this that these those there
here who whom whose which what when where why how all any some each both more most other such only own same so than
too very just also now then again once today tonight yesterday tomorrow hi ha oh ah up down out off over under into
onto upon since till until went got get gets going come came seen saw see says said told tell
works worked working lives lived living visits visited calls called stays stayed helps helped brings brought takes took
drives drove cares cared wants wanted""".split())       # (what a relative does: son works …, round 5)


def ordinary_word(w: str) -> bool:
    """A Latin word the name lists hold but clinical English uses as a word (may, care, the)."""
    w = w.lower().strip(".,")
    return w in _ENGLISH or w in _NOT_NAME_WORDS or w in _FUNCTION_WORDS or w in _TITLES


_SINGLE_AFTER = frozenset("mr mrs ms miss dr daughter son wife husband mother father sister brother".split())


def _lower_single(t: str) -> bool:
    firsts, lasts = _census()
    return (t not in _ENGLISH and t not in _NOT_NAME_WORDS and t not in _FUNCTION_WORDS and len(t) >= 2
            and (t in firsts or t in lasts or t in romanised_names._SURNAME_SET))


def _lower_name(tokens: list[str]) -> bool:
    """Lower-case words that spell a name: a census first name or a romanised surname first,
    every word a census name or Mandarin syllables, none an ordinary English word."""
    firsts, lasts = _census()
    surn = romanised_names._SURNAME_SET
    if not tokens or any(t in _ENGLISH or t in _NOT_NAME_WORDS for t in tokens):
        return False
    if tokens[0] not in firsts and tokens[0] not in surn:
        return False
    return all(t in firsts or t in lasts or t in surn or _splits_into_syllables(t.replace("-", ""), 1)
               or _splits_into_syllables(t.replace("-", ""), 2) for t in tokens) and len(tokens) >= 2


# Relations: after them a capitalised word is a person even when it is also an English word.
_RELATION = compiled(r"(?i:(?<![a-z])(?:wife|husband|son|daughter|mother|father|sister|brother|spouse|partner|"
                     r"boyfriend|girlfriend|fianc[eé]e?|grandson|granddaughter|aunt|uncle|cousin|niece|nephew|"
                     r"mom|mum|dad|dtr|dau|hsb|hus|sis|bro)\b)")
_VERBS = set("has had have is was were will would can could did does do said says reports reported denies denied "
             "states stated called came comes died passed and or with also not who which that".split())
# Vietnamese names (carers and spouses in Taiwanese notes): a common family name, a middle name
# that marks a person (Thi, Van …), a given name: Nguyen Thi Lan, TRAN VAN NAM.
_VN_FAMILY = "Nguyen|Tran|Le|Pham|Hoang|Huynh|Phan|Vu|Vo|Dang|Bui|Do|Ho|Ngo|Duong|Ly|Dinh|Truong|Lam|Mai|Trinh"
_VN_MIDDLE = "Thi|Van|Thu|Ngoc|Thanh|Minh|Duc|Quoc|Hong|Kim|Xuan|Huu|Dinh|Cong|Bao|Gia"
_VN_GIVEN = r"(?:[ \t]+[A-Z][a-z]+){1,2}", r"(?:[ \t]+[A-Z]{2,}){1,2}"
PLAIN_VIETNAMESE = (r"(?=[BDHLMNPTV])(?<![A-Za-z])(?:(?:" + _VN_FAMILY + r")[ \t]+(?:" + _VN_MIDDLE + r")"
                    + _VN_GIVEN[0] + r"|(?:" + _VN_FAMILY.upper() + r")[ \t]+(?:" + _VN_MIDDLE.upper() + r")"
                    + _VN_GIVEN[1] + r")(?![A-Za-z])")
# The same, one branch per family name opening with its first letter (then the look-behind on
# what stands before it), in the order the plain form tries them: a pattern opening with a
# look-around is tried at every position, one whose branches open with literals is skipped to.
VIETNAMESE = compiled("(?:" + "|".join(
    f"{w[0]}(?<![A-Za-z]{w[0]}){w[1:]}" + r"[ \t]+(?:" + middle + ")" + given
    for family, middle, given in ((_VN_FAMILY, _VN_MIDDLE, _VN_GIVEN[0]),
                                (_VN_FAMILY.upper(), _VN_MIDDLE.upper(), _VN_GIVEN[1]))
    for w in family.split("|") if w[0] in "BDHLMNPTV") + r")(?![A-Za-z])")

# A person's initials after the word (initials J.S., Pt initials: C.W.L.)
# (opening with its first letter in every form (?i) matches, İ and ı among them: see _CONTEXT)
PLAIN_INITIALS = r"(?i:initials?)[ \t]*[:：]?[ \t]*(?P<n>[A-Z]\.?(?:[ \t]?[A-Z]\.?){1,2})(?![A-Za-z])"
INITIALS = compiled("[iI\u0130\u0131](?i:nitials?)" + PLAIN_INITIALS.removeprefix("(?i:initials?)"))


# A romanised surname with the given name's initials (Chen YH, Lin C.W., Wang Y-L) or the
# initials first (Y.H. Chen, C.-W. Lin): dotted or hyphenated initials are a name anywhere, bare
# capitals (YH) only after a context word (Lin CT is a scan).
SURNAME_INITIALS = compiled(r"(?<![A-Za-z])(?P<s>[A-Z][a-z]{1,7}|[A-Z]{2,8})[ \t]+"
                            r"(?P<i>[A-Z]\.[ \t]?-?[A-Z]\.?|[A-Z]-[A-Z]|[A-Z]{2,3})(?![A-Za-z])")
_CONTEXT_BEFORE = compiled("(?:" + _CONTEXT + ")$")
INITIALS_SURNAME = compiled(r"(?<![A-Za-z])(?:[A-Z]\.[ \t]?-?[A-Z]\.|[A-Z]-[A-Z]\.)[ \t]*(?P<s>[A-Z][a-z]{1,7})(?![A-Za-z])")


# A name with the relation after it in brackets (Grace (patient's daughter), Tom (son))
_CONTEXT_WORD = compiled("(?:" + _CONTEXT_EN + ")")
_RELATION_WORDS = (r"wife|husband|son|daughter|mother|father|sister|brother|spouse|partner|friend|neighbou?r|"
                   r"caregiver|carer|guardian|grandson|granddaughter|niece|nephew|aunt|uncle|cousin|mom|mum|dad")
RELATION_AFTER = compiled(r"(?<![A-Za-z])(?P<n>[A-Z][a-z]+(?:[ \t]+[A-Z][a-z'’\-]+){0,2})[ \t]*[(（][ \t]*"
                          r"(?i:(?:the[ \t]+)?(?:(?:patient|pt|client)['’]?s?[ \t]+)?(?:" + _RELATION_WORDS + r")"
                          r"(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:patient|pt))?)[ \t]*[)）]")


# (D1, round 3) A chart's header or a fax's RE: line: the name, then age and sex (Walis Nokan,
# 62M; Tjuku Ruljeljeng (48F); Mayaw Biho, F/92) or a people in brackets (Tjuku Ruljeljeng
# （排湾族）).  Indigenous and foreign names are in no name list: the words after them decide.
# Two or three capitalised words, none an English word or a clinical abbreviation.
AGE_SEX_AFTER = compiled(r"(?P<n>[A-Z](?<![A-Za-z][A-Z])[a-z]+(?:[ \t]+[A-Z][a-z'’\-]+){1,2})[ \t]*(?:,[ \t]*|[(（][ \t]*)"
                         r"(?:[0-9]{1,3}[ \t]*(?:[MF]|y/?o|yo|y\.o\.|岁|-?year-old|years?[ \t]+old)(?![A-Za-z])"
                         r"|[MF][ \t]*/[ \t]*[0-9]{1,3}(?![0-9])|[\u4e00-\u9fff]{1,3}族[)）])")


# (a diagnosis written in the same place, Septic Shock, 70F; Lung Cancer (62M): English word
# endings and the body's and clinic's plain words, which no such name holds)
_CLINICAL_ENDING = compiled(r"(?:itis|osis|emia|aemia|oma|ic|al|ia|ure|tion|sion|ness|ment|ed|ous|ive|ary|ory|ism"
                            r"|ity|er|or|ology|ectomy|otomy|plasty|pathy|algia|uria|ase|ome|oid|cyte)$")   # (not -ing: Kusing)
_CLINICAL_PLAIN = frozenset("""lung heart liver kidney brain chest pain knee hip back head neck shock stroke fever cough trauma
fall injury tumor tumour mass bleed bleeding right left acute chronic post status rule out bone skin eye ear nose throat
sick sinus syndrome disease disorder failure infection fracture cancer type stage grade follow up
bleeding swelling vomiting wheezing burning tingling fainting falling walking
hand foot leg arm wound burn ulcer sepsis asthma flu covid anemia dengue gout colon breast prostate ovary uterus spine
""".split())
_BEFORE_HEADER = compiled(r"(?:^|[\n\r:：\-\u4e00-\u9fff(（])[ \t]*$")


# what every AGE_SEX_AFTER match holds after the name (a cheap scan first)
_AGE_SEX_GATE = compiled(r"[0-9][ \t]*(?:[MFy岁]|-?year)|[MF][ \t]*/[ \t]*[0-9]|族[)）]")


def _age_sex_after(text: str) -> list[tuple[int, int, float]]:
    out = []
    if not _AGE_SEX_GATE.search(text):
        return out
    for m in AGE_SEX_AFTER.finditer(text):
        words = [w.lower() for w in m.group("n").split()]
        if _BEFORE_HEADER.search(text, max(0, m.start() - 8), m.start()) is None:
            continue        # (the name opens a header line, a field or a Chinese sentence)
        if not any(w in _ENGLISH or w in _NOT_NAME_WORDS or w in _VERBS or w in _NOT_BEFORE_RELATION
                   or w in _CLINICAL_PLAIN or _CLINICAL_ENDING.search(w) or _CONTEXT_WORD.fullmatch(w)
                   for w in words):
            out.append((*m.span("n"), 0.85))
    return out


# (capitalised words that stand before a bracketed relation and are no name: Called (son) …)
_NOT_BEFORE_RELATION = frozenset("the my his her their our your a an this that spoke talked met seen phoned "
                                 "informed contacted visited message note".split())


def _initialled(text: str) -> list[tuple[int, int, float]]:
    surn = romanised_names._SURNAME_SET
    out = []
    for m in SURNAME_INITIALS.finditer(text):
        if m.group("s").lower() not in surn:
            continue
        marked = "." in m.group("i") or "-" in m.group("i")
        if marked or (m.group("i").lower() not in _NOT_NAME_WORDS
                      and _CONTEXT_BEFORE.search(text, max(0, m.start() - 40), m.start()) is not None):
            out.append((*m.span(), 0.85))
    out += [(*m.span(), 0.85) for m in INITIALS_SURNAME.finditer(text) if m.group("s").lower() in surn]
    return out


def find(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score): 0.85 after a context word, 0.7 by shape alone."""
    out: list[tuple[int, int, float]] = [(*m.span("n"), 0.85) for m in INITIALS.finditer(text)]
    pos = 0
    while (m := LOWER_LABELLED.search(text, pos)) is not None:
        span = _lower_name_span(m)
        if span:
            out.append((*span, 0.85))
        # a label may stand inside a failed one's words (patient was seen by dr wang)
        pos = span[1] if span else m.start() + 1
    pos = 0
    while (m := CONTEXT_NAME.search(text, pos)) is not None:
        pos = m.end()
        a, b = m.span("n")
        span = text[a:b]
        tokens = _words(span)
        while tokens and tokens[0].lower() in _TITLES:          # (dr, mr, mrs, ms, prof among them)
            skip = re.match(r"[A-Za-z]+\.?[ \t]*", text[a:b])
            a += skip.end()
            tokens = tokens[1:]
        tokens = [t for t in tokens if t not in _PARTICLES] or tokens   # the capitalised words decide
        k = next((k for k in (3, 2) if len(tokens) >= k and _surname_comma_first(text[a:b], tokens[:k])
                  and (len({t.isupper() and len(t) > 1 for t in tokens[:k]}) > 1
                       or not _looks_like_name(tokens[:k], True))), None) \
            if "," in text[a:b] else None
        if k is not None:     # HUANG, Vincent: a form's order keeps its two writing styles
            end = a + _end_of(text[a:b], tokens[:k])
            out.append((a, end, 0.85))
            pos = max(end, m.start() + 1)
            continue
        # one writing style per name: Wang Xiaoming | NHI, CHANG CHIH WEI | Mrn
        style = [t.isupper() and len(t) > 1 for t in tokens]
        if len(set(style)) > 1:
            cut = next(k for k in range(1, len(style)) if style[k] != style[0])
            tokens = tokens[:cut]
        if "," in span and len(_words(span.split(",")[0])) > 1:
            tokens = tokens[:len(_words(span.split(",")[0]))]    # Sarah Johnson | , Rehab
        # a name ends before a word that is none (Dr. Yeh, | Pt Lin; Wu, | Dear Dr. Tsai): the
        # scan resumes there, so the next context word finds its own name
        cut = next((k for k in range(1, len(tokens)) if tokens[k].lower().rstrip(".") in _NOT_NAME_WORDS), None)
        if cut is not None:
            tokens = tokens[:cut]
        # cut trailing words that are clinical abbreviations (Chen CT)
        while tokens and tokens[-1].lower() in _NOT_NAME_WORDS:
            tokens = tokens[:-1]
        if not tokens:
            continue
        end = a + _end_of(text[a:b], tokens)
        pos = max(end, m.start() + 1)   # words cut off the end may hold the next context (Wu, | Dear Dr. Tsai)
        if tokens[0].isupper() and len(tokens) == 1 and tokens[0].lower() not in _census()[1] \
                and tokens[0].lower() not in romanised_names._SURNAME_SET:
            continue   # one upper-case word after a context word: an abbreviation (Pt DM)
        if _looks_like_name(tokens, with_context=True) or (
                _RELATION.search(m.group()[:m.start("n") - m.start()]) and len(tokens) <= 3
                and all(t[:1].isupper() for t in tokens)
                and not any(t.lower() in _NOT_NAME_WORDS or t.lower() in _VERBS for t in tokens)):
            out.append((a, end, 0.85))      # wife Ivy, daughter May: after a relation, any word
    pos = 0 if PAIR_GATE.search(text) else len(text) + 1
    while (m := PAIR.search(text, pos)) is not None:
        a, b = m.span()
        pos = a + 1      # a pair that is no name must not swallow the name after it
        if any(x <= a < y for x, y, _ in out):
            continue     # (Beneficiary Huang Mei | Ling: tried again at Huang Mei Ling)
        tokens = _words(text[a:b])
        if _surname_comma_first(text[a:b], tokens):
            out.append((a, b, 0.7))      # CHEN, AMY / Smith, John: a list or form's order
            pos = b
            continue
        for k in (len(tokens), 2):
            if k <= len(tokens) and _looks_like_name(tokens[:k], with_context=False):
                end = a + _end_of(text[a:b], tokens[:k])
                out.append((a, end, 0.7))
                pos = end
                break
        else:
            if len(tokens) == 3 and _surname_comma_first(text[a:b], tokens[:2]):
                end = a + _end_of(text[a:b], tokens[:2])     # Yeh, Emily | Chest pain
                out.append((a, end, 0.7))
                pos = end
    out += [(*m.span(), 0.85) for m in VIETNAMESE.finditer(text)]
    if PAIR_GATE.search(text):
        out += _initialled(text)
    if "," in text or "(" in text or "（" in text:
        out += _age_sex_after(text)
    if "(" in text or "（" in text:
        out += [(*m.span("n"), 0.85) for m in RELATION_AFTER.finditer(text)
                if m.group("n").split()[0].lower() not in _NOT_NAME_WORDS | _VERBS | _NOT_BEFORE_RELATION]
    return out


def _surname_comma_first(span: str, tokens: list[str]) -> bool:
    """"Surname, First [Middle]": a census or romanised surname, a comma, a census first name,
    then perhaps a second first name or an initial (Chen, Mary Ann; Yeh, Emily S.)."""
    if not 2 <= len(tokens) <= 3 or "," not in span:
        return False
    firsts, lasts = _census()
    sur, first = tokens[0].lower(), tokens[1].lower()
    if len(tokens) == 3:
        mid = tokens[2].lower()
        if not (len(mid) == 1 or mid in firsts and mid not in _NOT_NAME_WORDS):
            return False
    return ((sur in lasts or sur in romanised_names._SURNAME_SET) and first in firsts
            and sur not in _ENGLISH and (first not in _ENGLISH or sur in romanised_names._SURNAME_SET)
            and sur not in _NOT_NAME_WORDS
            and first not in _NOT_NAME_WORDS and len(first) > 2)


def _end_of(span: str, tokens: list[str]) -> int:
    """Offset in ``span`` just after the last of ``tokens``."""
    pos = 0
    for t in tokens:
        pos = span.index(t, pos) + len(t)
    return pos
