"""A child's school and class (大同國小三年二班, 就讀建國國中): with the age in the same note they
single out one child in a few dozen.  Only a school with its class, or after a word that says
the person attends it (就讀, 念, 在讀), is masked; 國小畢業 (an education level) is not.

Matching runs on normalised text (half-width, Simplified; same offsets)."""
from __future__ import annotations

import re

from deidentify.identifiers.regex_gate import by_first_char, literal_led
from deidentify.regex_cache import compiled

# (北一女中, 台中一中, 附小, 实小, 科大, 护专, 家商: what schools are called as well)
_KIND = (r"(?:国民小学|国民中学|高级中学|实验中学|科技大学|专科学校|国际学校|技术学院|国小|国中|高中|高职|高工|高商|高农"
         r"|附中|附小|实小|实中|女中|一中|二中|科大|护专|护校|家商|商职|工职|小学|中学|幼儿园|幼稚园|托儿所|大学|学院)")
_NUM = r"[0-9一二三四五六七八九十]"
_CLASS = (r"[ \t]*(?:" + _NUM + r"{1,2}[ \t]*年(?:级)?[ \t]*)?(?:" + _NUM + r"{1,3}|[甲乙丙丁戊忠孝仁爱信义和平])[ \t]*班")
SCHOOL_CLASS = compiled(r"[\u4e00-\u9fff]{2,4}?" + _KIND + _CLASS)
ATTENDS = compiled(r"(?:就读于|就读|在读|任教于|任职于|执教于|念|读|(?<![A-Za-z])(?i:attends?|attending|studies[ \t]+at|enrolled[ \t]+(?:in|at)|student[ \t]+at|goes[ \t]+to"
                   # (D1, round 7) who teaches or works at a school is one of its few dozen staff
                   r"|teach(?:es|ing)?[ \t]+at|taught[ \t]+at|(?:teacher|lecturer|professor|staff|nurse)[ \t]+at|works?[ \t]+at|working[ \t]+at))[ \t]*(?P<n>(?:(?![书到完过了的在])[\u4e00-\u9fff]){2,8}?" + _KIND + r")(?:" + _CLASS + r")?")
_ATTEND_WORD = compiled(r"就读于|就读|在读|念|读")
# (D1, round 3) The school before the word of attending (在长庚大学护理系就读, 在高雄医学大学念书,
# 孩子在小太阳幼儿园): 在 + the school, perhaps a department, then the attending; a kindergarten
# after 在 alone (only children are there, or their teachers: either way one of a few).
_GENERIC_SCHOOL = compiled(r"^(?:该|这|那|一所|一间|某|私立|公立|国立|市立|县立|当地|附近|本地|住家附近|普通|一般|外地|国外)")
ATTENDS_AFTER = compiled(r"在[ \t]*(?P<n>(?:(?![在于到去的了])[\u4e00-\u9fff]){2,8}?(?:" + _KIND[3:-1]
                         + r"))(?:(?:[\u4e00-\u9fff]{1,6}?[系科所])?[ \t]*(?:就读|念书|读书|上课|上学|读|念|当学生|求学)"
                         + r"|(?<=幼儿园|幼稚园|托儿所))")
# a university by its short name before its department or students (台大医学系学生, 成大毕业)
_SHORT = "台大|成大|清大|交大|政大|师大|北医|高医|中医大|辅大|淡大|阳明交大|中兴|长庚|东吴|逢甲|东海"
_SHORT_AFTER = r"(?=[\u4e00-\u9fff]{0,4}?(?:系|学生|研究所|毕业|就读|念书|硕士|博士))"
SHORT_UNIVERSITY = compiled(r"(?:(?<=[在是读念于上])|(?<=就读)|(?<=毕业于))(?P<n>" + _SHORT + ")"
                            + r"(?:" + _SHORT_AFTER + r"|(?<=读..)|(?<=念..)|(?<=考上..))(?![\u4e00-\u9fff]*?医院)")
# (for the scrubber's prefilter: the names first, grouped by first character, skipped to at C speed)
SHORT_PREFILTER = "(?:" + by_first_char(_SHORT) + ")(?:" + _SHORT_AFTER + r"|(?<=[读念上]..))"
# what every match holds: a school kind (for the scrubber's prefilter too)
GATE = compiled(r"国小|国中|小学|中学|高中|高职|高工|高商|高农|附中|附小|实小|实中|女中|一中|二中|科大|护专|护校|家商|商职|工职"
                r"|学校|学院|幼儿园|幼稚园|托儿所|大学")


def find(simplified: str) -> list[tuple[int, int]]:
    out = find_english(simplified)
    if not GATE.search(simplified):
        return out
    for m in SCHOOL_CLASS.finditer(simplified):
        # the name starts after a word of attending that the leftmost match took in (小孩读|仁爱国小)
        verb = None
        for verb in _ATTEND_WORD.finditer(m.group()[:4]):
            pass
        out.append((m.start() + verb.end() if verb else m.start(), m.end()))
    out += [(m.start("n"), m.end()) for m in ATTENDS.finditer(simplified)]
    out += [m.span("n") for m in ATTENDS_AFTER.finditer(simplified) if not _GENERIC_SCHOOL.match(m.group("n"))]
    out += [m.span("n") for m in BRACKETED.finditer(simplified) if not _GENERIC_SCHOOL.match(m.group("n"))]
    return out


# (D1, round 6) a child's school or kindergarten in brackets after the child (病童林小美（彩虹非營利幼兒園）)
BRACKETED = compiled(r"[(（][ \t]*(?P<n>(?:(?![的了在于和与及是])[\u4e00-\u9fff]){2,10}?(?:幼儿园|幼稚园|托儿所|国小|国中|小学"
                     r"|中学|高中|附小|附中|实小))(?:" + _CLASS + r")?[ \t]*[)）]")


# what every SHORT_UNIVERSITY match is followed by (also the scrubber's prefilter)
SHORT_GATE = compiled(r"系|学生|研究所|毕业|读|念|考上|硕士|博士")


def find_short_universities(simplified: str) -> list[tuple[int, int]]:
    """Universities by their short names before a department or students (SHORT_UNIVERSITY)."""
    if not SHORT_GATE.search(simplified):
        return []
    return [m.span("n") for m in SHORT_UNIVERSITY.finditer(simplified)]


# Schools and universities named in English (graduated from Taipei Municipal Jianguo High
# School, a student at National Taiwan University, attends Kang Chiao International School,
# St. Mary's Elementary, University of Taipei): with a child's age or a patient's history they
# narrow the person as much as a Chinese school name does; the whole name is masked.  A kind
# alone or after generic words only (high school, Medical School, the local elementary school)
# is not a name.
_EN_KIND = (r"(?:High[ \t]+School|School|Academy|University|College|Kindergarten|Pre-?school|Nursery|Institute"
            r"|Polytechnic|Conservatory|Seminary|Elementary)")
_EN_WORD = r"(?:St\.|Mt\.|[A-Z][a-z]+(?:['’][sS]?)?(?:-[A-Za-z][a-z]+)?|[A-Z]{2,6})"
# capitalised: words before the kind, and "of ..." after it (High School of X University)
_EN_OF = (r"(?:[ \t]+(?i:of|for|at)[ \t]+(?:(?i:the)[ \t]+)?" + _EN_WORD + r"(?:[ \t]+(?:(?i:and)[ \t]+|&[ \t]+)?"
          + _EN_WORD + r"){0,5})?")
EN_SCHOOL = compiled(r"(?<![A-Za-z])(?:" + _EN_WORD + r"[ \t]+(?:(?i:of|and|&|for|the)[ \t]+)?){1,7}"
                     + _EN_KIND + r"(?![A-Za-z])" + _EN_OF
                     + r"|(?<![A-Za-z])(?:University|College|Institute|Academy|School)[ \t]+(?i:of)[ \t]+(?:(?i:the)[ \t]+)?"
                     + _EN_WORD + r"(?:[ \t]+(?:(?i:and)[ \t]+|&[ \t]+)?" + _EN_WORD + r"){0,5}")
# lower case after a word that says the person attends it (graduated from taipei medical university)
_EN_ATTENDS = compiled(
    r"(?i:(?<![a-z])(?:attends?|attended|attending|student[ \t]+(?:at|of)|graduated?[ \t]+(?:from|of)|stud(?:ies|ied|ying)"
    r"[ \t]+at|enrolled[ \t]+(?:at|in)|goes[ \t]+to|went[ \t]+to|teach(?:es|er)?[ \t]+at|alumn(?:us|a|i|ae)[ \t]+of"
    r"|transferred[ \t]+to|dropped[ \t]+out[ \t]+of)[ \t]+(?:the[ \t]+)?)"
    r"(?P<n>(?:[a-z][a-z'’.\-]*[ \t]+){1,6}(?:high[ \t]+school|school|academy|university|college|kindergarten"
    r"|pre-?school|institute|elementary|primary|middle)(?![a-z]))")
# universities known by their initials (graduated from NTU, NCKU graduate): only beside a word
# that says the person studied there (NTU alone is also a turbidity unit)
_ACRONYMS = ("NTU|NCKU|NTHU|NCTU|NYCU|NTNU|NCCU|NSYSU|NCHU|NTUST|NTPU|NCU|NYMU|TMU|KMU|CMU|CSMU|FJU|TKU|SCU|PCCU|CYCU"
             "|FCU|THU|YZU|CGU|NTUE|UTaipei|NKNU|NCUE|NUK|NDHU|NPUST|NUTN|NTOU|NCYU|NIU|NQU")
_EN_ACRONYM = compiled(r"(?i:(?<![a-z])(?:attends?|attended|attending|student[ \t]+(?:at|of)|graduated?[ \t]+(?:from|of)"
                       r"|stud(?:ies|ied|ying)[ \t]+at|enrolled[ \t]+(?:at|in)|alumn(?:us|a|i|ae)[ \t]+of"
                       r"|transferred[ \t]+to|teach(?:es|er)?[ \t]+at|works?[ \t]+at)[ \t]+)(?P<a>" + _ACRONYMS + r")(?![A-Za-z])"
                       r"|(?<![A-Za-z])(?P<b>" + _ACRONYMS + r")(?=[ \t]+(?i:graduate|student|alumn|alum(?![a-z])|grad(?![a-z])))")
# what every English school name holds (for the scrubber's prefilter; under re.IGNORECASE there)
EN_GATE = compiled(literal_led("school|universit|college|academy|kindergarten|preschool|pre-school|elementary"
                               "|institute|polytechnic|conservatory|seminary|nursery")
                   + "|(?-i:" + _ACRONYMS + ")")
# words that say nothing about which school (a name needs one word besides these)
_GENERIC = frozenset((
    "national municipal county city private public senior junior high middle elementary primary secondary "
    "vocational international bilingual american european christian catholic medical nursing graduate law "
    "business night sunday summer community local special language cram dental music art arts driving the a an "
    "her his their my our your she he they patient pt mother father son daughter child kid attends attended "
    "graduated from at in of to grade year student teacher currently now previously studies studying went goes "
    "dropped left nearby regular normal girls boys girl boy technical technology commercial industrial "
    "experimental preparatory prep state federal open free online evening weekend after and for with by was is "
    "school schools academy university college kindergarten preschool institute elementary primary middle "
    "medicine pharmacy dentistry engineering science sciences health education management humanities "
    "technology design "
    # professional bodies and guideline makers are no school (American Academy of Pediatrics,
    # American College of Cardiology, Royal College of Physicians, National Cancer Institute)
    "royal pediatrics paediatrics cardiology rheumatology physicians surgeons radiology radiologists obstetricians "
    "gynecologists obstetrics gynecology allergy asthma immunology dermatology neurology oncology psychiatry "
    "psychiatrists pathologists pathology anesthesiologists anesthesiology chest clinical cancer diabetes heart "
    "kidney lung emergency critical care family practice general internal sports nutrition dietetics "
    "occupational environmental institutes standards quality excellence physician surgery ophthalmology "
    "otolaryngology urology orthopaedic orthopedic gastroenterology endocrinology hematology nephrology "
    "pulmonology geriatrics neurologists dermatologists ophthalmologists chiropractic osteopathic "
    "rehabilitation mental child adolescent women's men's").split())
_NOT_AFTER = compiled(r"[ \t]+(?:Hospital|Medical[ \t]+Center|Children['’]s[ \t]+Hospital|Clinic|Cancer[ \t]+Center"
                      r"|Health|Press|Library|Museum|Stadium)(?![A-Za-z])")


_CAPS_KIND = compiled(r"SCHOOL|UNIVERSITY|COLLEGE|ACADEMY|KINDERGARTEN|INSTITUTE|ELEMENTARY|PRESCHOOL")
_CAPS_WORD = compiled(r"(?<![A-Za-z])[A-Z][A-Z'’]+(?![A-Za-z])")


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The name within ``text[a:b]``: leading words that are no part of it dropped (Attends,
    Patient, The); None when only generic words are left."""
    words = list(re.finditer(r"[A-Za-z][A-Za-z'’.\-]*", text[a:b]))
    while words and words[0].group().lower().rstrip(".") in _GENERIC - {"national", "municipal", "st", "county",
                                                                           "private", "university", "college",
                                                                           "institute", "academy", "school"}:
        words.pop(0)
    if not words or all(re.sub(r"['’]s?$", "", w.group().lower().rstrip(".")) in _GENERIC for w in words):
        return None
    return a + words[0].start(), b


def find_english(simplified: str) -> list[tuple[int, int]]:
    if not EN_GATE.search(simplified):
        return []
    out = []
    # a name printed in capitals is read title-cased (same length: ASCII letters only)
    text = (_CAPS_WORD.sub(lambda m: m.group().title(), simplified) if _CAPS_KIND.search(simplified)
            else simplified)
    for m in EN_SCHOOL.finditer(text):
        if _NOT_AFTER.match(text, m.end()):
            continue           # National Taiwan University Hospital: a hospital, not a school
        span = _trim(text, *m.span())
        if span:
            out.append(span)
    out += [m.span("a") if m.group("a") else m.span("b") for m in _EN_ACRONYM.finditer(simplified)]
    for m in _EN_ATTENDS.finditer(simplified):
        span = _trim(simplified, *m.span("n"))
        if span and not _NOT_AFTER.match(simplified, m.end()):
            out.append(span)
    return out
