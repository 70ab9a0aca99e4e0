"""Our recognisers as plain functions, called without Presidio's engine.

Each finder takes one text's normalised form (``simp``: half-width, Simplified, one character
for one character, see ``deidentify.identifiers.normalise``) and the original text, and returns
(entity, start, end, score) findings with offsets into both.  ``analyse`` runs them all on one
text and de-duplicates and orders the findings exactly as Presidio's ``AnalyzerEngine`` does
with the same recognisers, so a caller gets what the engine gave, without its per-call
bookkeeping (result objects, metadata dicts, registry look-ups, a context pass per recogniser),
which cost more than the finders themselves on short clinical texts.

The Presidio recognisers in ``deidentify.text.recognizers`` wrap these same functions;
``tests/deidentify/test_direct_finders.py`` checks that both paths give the same findings.
"""
from __future__ import annotations

import re
from itertools import groupby

from deidentify.identifiers import (address, aliases, case_codes, areas, latin_slots, beds, device_numbers, address_en, dates, labelled, name_context,
                                    layout_names, number_shapes, record_numbers, role_names, short_places,
                                    nicknames, split_names, word_names, sign_offs,
                                    romanised_names, schools, structured, taiwan_id,
                                    western_names, sound_names, public_names, person_slots, slot_names)
from deidentify.identifiers import phone as tw_phone
from deidentify.identifiers.chinese_names import find_names
from deidentify.identifiers import name_vetoes
from deidentify.identifiers import solo_names

Finding = tuple[str, int, int, float]      # (Presidio entity name, start, end, score)

# Presidio entity names → the kind reported by find_identifiers / the placeholder.
ENTITY_KIND = {
    "TW_ID": "ID",
    "TW_PHONE": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "TW_ADDRESS": "ADDRESS",
    "ZH_PERSON": "NAME",
    "ZH_PERSON_CONTEXT": "NAME",
    "ZH_PERSON_LATIN": "NAME",
    "PERSON_LATIN": "NAME",
    "ALIAS_PERSON": "NAME",
    "TW_DOB": "DOB",
    "TW_MRN": "MRN",
    "TW_NHI_CARD": "NHI_CARD",
    "LABELLED_ID": "ID_LABELLED",
    "ACCOUNT": "ACCOUNT",
    "VEHICLE_PLATE": "PLATE",
    "IP_ADDRESS": "IP",
    "URL": "URL",
}

# (round 12: a blank either side of @, chen.mh @ gmail.com, is still the address)
EMAIL_REGEX = (r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*[ \t]?@[ \t]?"
               r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*"
               r"\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])")
EMAIL_SCORE = 0.9
_EMAIL = re.compile(EMAIL_REGEX, re.DOTALL | re.MULTILINE)

# A lower-case match inside a long lower-case hex run is a fragment of a hash or pseudonym.
_HEX_RUN = re.compile(r"[0-9a-f]{16,}")

# The old resident-certificate form (letter + A–D + 8 digits) has the same shape as NHI drug
# codes (AC12345100); about one drug code in ten also passes the checksum, so for that form an
# ID word before it decides (even with drug words near: a carer's resident number next to her
# patient's medication); without one, the drug-code shape (maker letter A/B/N/K/J/X) printed
# compact and upper case is a drug code, any other old-form number an ID.
_ID_CONTEXT = re.compile(r"身分|身份|居留|统一证号|证号|证件|护照|外籍|看护|外劳|移工"
                         r"|(?<![a-z])(?:id|arc|uid|passport)(?![a-z])", re.IGNORECASE)
_LAST_DIGIT = re.compile(r"[0-9](?=[^0-9]*$)")
CONTEXT_WINDOW = 24


def _in_hex_run(text: str, start: int, end: int) -> bool:
    lo, hi = max(0, start - 16), min(len(text), end + 16)
    return any(m.start() <= start - lo and m.end() >= end - lo for m in _HEX_RUN.finditer(text[lo:hi]))


def old_form_score(simp: str, a: int, b: int, original_width_differs: bool = False) -> float | None:
    """Old resident form: an ID word before it (not across another number) makes it certain;
    otherwise a drug-code shape printed as order systems print it is a drug code; any other
    old-form number is an ID of middling certainty."""
    before = simp[max(0, a - CONTEXT_WINDOW):a]
    last = _LAST_DIGIT.search(before)
    if last:
        before = before[last.end():]
    if _ID_CONTEXT.search(before):
        return 1.0
    # drug codes are printed by order systems: compact and upper case; a separated, lower-case
    # or full-width number was typed by a person
    written = simp[a:b]
    typed = len(written) != 10 or not written.isupper() or original_width_differs
    if taiwan_id.DRUG_CODE_SHAPE.fullmatch(taiwan_id.compact(written)) and not typed:
        return None
    return 0.6


def id_spans(simp: str, original: str) -> list[tuple[int, int, float]]:
    """National IDs and both forms of resident numbers, checksum-validated (TW_ID)."""
    out = []
    for a, b, k in taiwan_id.find(simp):
        if simp[a].islower() and _in_hex_run(simp, a, b):
            continue
        score = 1.0 if len(simp[a:b]) == 10 else 0.8   # separated digits: valid, less certain
        if k == "resident_old":
            score = old_form_score(simp, a, b, original[a:b] != simp[a:b])
            if score is None:
                continue
        out.append((a, b, score))
    # (OCR'd forms: letters read for digits, SII4I7776I; checked against the checksum like the rest)
    out += [(a, b, 0.8) for a, b, k in taiwan_id.find_ocr(simp)]
    return out


def email_spans(simp: str, original: str) -> list[tuple[int, int, float]]:
    out = [(m.start(), m.end(), EMAIL_SCORE) for m in _EMAIL.finditer(simp) if m.end() > m.start()] if "@" in simp else []
    if _AT_WORD_GATE.search(simp):
        out += [(m.start(), m.end(), EMAIL_SCORE) for m in _EMAIL_SPELT.finditer(simp) if _spelt_ok(m.group())]
    return out


_MAIL_HOSTS = re.compile(r"(?i:gmail|yahoo|hotmail|outlook|live|msn|hinet|ms[0-9]+|icloud|me|mail|qq|163|126|"
                         r"seed|pchome|kimo|protonmail|proton|gmx|naver|ntu|ncku|nycu|nthu|edu)")


def _spelt_ok(found: str) -> bool:
    """A bracketed at ((at), [at]) or 小老鼠 is spelt on purpose; a plain " at " also joins words
    ("look at www.example.com"): then the mailbox holds a digit, dot or underscore or the host
    is a mail provider."""
    if not re.search(r"[ \t]at[ \t]", found, re.IGNORECASE) or re.search(r"[(\[{<][ \t]*at", found, re.IGNORECASE):
        return True
    local, host = re.split(r"[ \t]+at[ \t]+", found, maxsplit=1, flags=re.IGNORECASE)
    return bool(re.search(r"[0-9._]", local)) or bool(_MAIL_HOSTS.match(host))


# An address spelt out against harvesters: chen.mh at gmail dot com, chen(at)gmail.com,
# chen [at] gmail [dot] com, chen 小老鼠 gmail.com; the last part must be a known top-level
# domain, so "meet at home" is none.
_AT = r"(?:[ \t]*[(\[{<][ \t]*at[ \t]*[)\]}>][ \t]*|[ \t]+at[ \t]+|[ \t]*小老鼠[ \t]*)"
_DOT = r"(?:[ \t]*[(\[{<][ \t]*dot[ \t]*[)\]}>][ \t]*|[ \t]+dot[ \t]+|\.)"
_TLD = r"(?:com|net|org|edu|gov|tw|cn|jp|hk|io|me|co|us|uk|info|biz)"
_EMAIL_SPELT = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*" + _AT + r"[A-Za-z0-9][A-Za-z0-9\-]*(?:"
                          + _DOT + r"[A-Za-z0-9][A-Za-z0-9\-]*)*" + _DOT + _TLD + r"(?![A-Za-z0-9])", re.IGNORECASE)
_AT_WORD_GATE = re.compile(r"(?i:[ (\[{<]at[ )\]}>])|小老鼠")


def labelled_spans(simp: str, original: str) -> list[Finding]:
    """Labelled IDs (0.75), accounts, plates, IP addresses and URLs (0.85), by entity."""
    return ([(LABELLED_ENTITY[kind], a, b, LABELLED_SCORE.get(kind, 0.85)) for a, b, kind in labelled.find(simp, original)]
            + [(STRUCTURED_ENTITY[kind], a, b, 0.85) for a, b, kind in structured.find(simp)]
            + [("LABELLED_ID", a, b, 0.85) for a, b in beds.find(simp)]       # beds without a label
            # (D1, round 6) court case numbers, handles after a network, plates after a vehicle, barcodes
            + [(LABELLED_ENTITY[kind], a, b, 0.85) for a, b, kind in case_codes.find(simp)]
            + [("LABELLED_ID", a, b, 0.85) for a, b in device_numbers.find(simp)]    # exams, MACs, serials
            # (numbers told in parts, spaced records and plates, IP ports, dotted MACs)
            + [(LABELLED_ENTITY[kind], a, b, 0.85) for a, b, kind in number_shapes.find_ids(simp)])


LABELLED_ENTITY = {"ID": "LABELLED_ID", "ACCOUNT": "ACCOUNT", "PLATE": "VEHICLE_PLATE", "IP": "IP_ADDRESS",
                   "URL": "URL", "GEO": "TW_ADDRESS"}
LABELLED_SCORE = {"ID": 0.75}
# values a table header, record key or HL7 field names (deidentify.identifiers.structured)
STRUCTURED_ENTITY = {"NAME": "ZH_PERSON_CONTEXT", "ID": "LABELLED_ID", "PHONE": "TW_PHONE", "ADDRESS": "TW_ADDRESS",
                     "DOB": "TW_DOB", "EMAIL": "EMAIL_ADDRESS", "MRN": "TW_MRN"}


# a Han character: what every Chinese name holds (scrub's prefilter asks the same)
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def chinese_name_spans(simp: str, original: str) -> list[tuple[int, int, float]]:
    """Surname list + context words + jieba ``nr`` tags (ZH_PERSON)."""
    if not HAN.search(simp):
        return []       # (a table or code without Han text never loads jieba's tables)
    return [(h.start, h.end, h.score) for h in find_names(original, simp)
            if h.reason == "label" or not name_context.starts_a_word(simp, h.start, h.end)]   # (姓名：蕭千里: round 11)


def context_name_spans(simp: str, original: str) -> list[tuple[int, int, float]]:
    """Names by context whatever the surname, lists, titles, dotted names, names after a role
    word (ZH_PERSON_CONTEXT)."""
    # (D1, round 5) names a note's layout marks: chat speakers, ISBAR's I, a line's name before
    # an age, 接班 X, X さん, a Latin name before its people, POJ names (Latin ones too)
    laid_out = [(a, b, 0.85) for a, b in layout_names.find(simp)]
    # (D1, round 6) a report's foot: the typist's and reader's initials (Dr. 陳/YCL, 謄打 JHW)
    laid_out += [(a, b, 0.85) for a, b in sign_offs.find(simp)]
    # (D1, round 7) names written in Zhuyin or toned pinyin, public persons' stage names
    laid_out += [(a, b, 0.85) for a, b in sound_names.find(simp, original) + public_names.find(simp)]
    # (D1, round 12) a person's slot of the note's layout: 案妻（練美蘭）, 司馬文 RN, a ward table's person
    # column, 游⏎明德, 阿公石頭說, "May Cruz" <may@…> (slot_names; Latin ones without any Han too)
    laid_out += [(a, b, 0.85) for a, b in slot_names.find(simp, original)]
    # (D1, round 13) Latin names by their Latin layout too: Walis Nokan (Atayal), Pasang BP 160/95
    laid_out += [(a, b, 0.85) for a, b in latin_slots.find(simp)]
    # (D1, round 14) one-word foreign names opening a sentence (Siti said), a roster's line (週一 Sri),
    # an employer named by a word (雇主解元), Japanese names (佐藤花子, Sato Hanako): solo_names
    laid_out += [(a, b, 0.85) for a, b in solo_names.find(simp)]
    if not HAN.search(simp):
        return laid_out       # (every other context name is Han; the tables load jieba)
    # after a role word, a name even when its characters open a word (保全高雄偉: role_names)
    return [h for h in name_context.find(simp) if not name_context.starts_a_word(simp, h[0], h[1])] \
        + [(a, b, 0.85) for a, b in role_names.find(simp)] \
        + [(a, b, 0.85) for a, b in person_slots.find(simp)] \
        + word_names.find(simp) \
        + [(a, b, 0.85) for a, b in split_names.find(simp, original)] \
        + [(a, b, 0.85) for a, b in nicknames.find(simp)] + laid_out   # 王 小 明 (split_names), 阿財陪同就醫 (nicknames),
    # (round 11) 由 Siti Aminah 陪同, Walis Nokan 來院 (latin_slots)


# Gates: a cheap test that a text holds what every finding of a finder needs; a text failing it
# is not scanned by that finder (its result would be empty anyway).  Each gate is read off the
# finder's patterns; tests/deidentify/test_direct_finders.py checks them on the evaluation notes.
# A phone number has at least 7 digits, separated only by what phone.find allows between them.
_PHONE_GATE = re.compile(r"[0-9](?:[ \t.\-()‧·•/_]*[0-9]){6}")
# Every date of birth stands next to a birth word (出生, 生日, 生于, 诞生, …生, 年次, DOB, d.o.b,
# birth, born, b., YOB); all but these hold 生.
# (Written to open with one character set, each word after a look-behind on its first letter:
# the engine then skips at C speed; an alternation first is tried at every character.)
_DOB_GATE = re.compile(r"[年dDbByY](?:(?<=年)[ \t]*次|(?i:(?<=d)(?:ob|\.o\.b)|(?<=b)(?:irth|orn|\.)|(?<=y)ob))")


def phone_spans(simp: str, original: str) -> list[tuple[int, int]]:
    return ((tw_phone.find(simp) if _PHONE_GATE.search(simp) else [])
            + (tw_phone.find_han(simp) if "零" in simp or "〇" in simp else [])
            + (tw_phone.find_partly_hidden(simp) if "x" in simp or "X" in simp or "*" in simp else [])
            + number_shapes.find_phones(simp)       # (told in parts: 0912 後面是 345678)
            + (tw_phone.find_extensions(simp) if tw_phone.EXTENSION_GATE.search(simp) else []))   # (分機 23: round 10)


def address_spans(simp: str, original: str) -> list[tuple[int, int]]:
    # address.find keeps a candidate only when it holds a numbered part or a city
    zh = address.find(simp) if address._NUMBERED.search(simp) or address._HAS_CITY.search(simp) else []
    return (zh + address.find_residence_roads(simp) + areas.find(simp) + address_en.find(simp) + schools.find(simp)
            + schools.find_short_universities(simp)
            + short_places.find(simp)        # (北市大安區, 住北投, 家住龍山寺旁邊: round 5)
            + (areas.find_offices(simp) if areas.OFFICE_GATE.search(simp) else []))   # (龍安里里長: round 6)


def dob_spans(simp: str, original: str) -> list[tuple[int, int]]:
    return dates.find(simp) if "生" in simp or "寿" in simp or _DOB_GATE.search(simp) else []


# (entity, finder, score when the finder gives none), in the order of the Presidio registry.
def _vetted(finder):
    """``finder`` without the findings ``name_vetoes`` says are clinical or ordinary words (D1, round
    13: 孟魯司特, 高血鉀, 范可尼, 看護（Indonesia）), whichever name finder proposed them."""
    def find(simp: str, original: str):
        return [f for f in finder(simp, original) if not name_vetoes.vetoed(simp, original, f[0], f[1])]
    find.__name__ = getattr(finder, "__name__", "finder")
    return find


FINDERS = (
    ("TW_ID", id_spans, 0.7),
    ("TW_PHONE", phone_spans, 1.0),
    ("TW_ADDRESS", address_spans, 0.7),
    ("TW_DOB", dob_spans, 0.9),
    ("TW_MRN", lambda simp, original: record_numbers.find_mrn(simp), 0.85),
    ("TW_NHI_CARD", lambda simp, original: record_numbers.find_nhi_card(simp), 0.9),
    ("ZH_PERSON", _vetted(chinese_name_spans), 0.7),
    ("ZH_PERSON_CONTEXT", _vetted(context_name_spans), 0.7),
    ("ZH_PERSON_LATIN", _vetted(lambda simp, original: [(a, b, 0.7) for a, b in romanised_names.find(simp)]), 0.7),
    ("PERSON_LATIN", _vetted(lambda simp, original: western_names.find(simp)), 0.7),
    ("EMAIL_ADDRESS", email_spans, EMAIL_SCORE),
)


def raw(simp: str, original: str) -> list[Finding]:
    """Every finder's findings on one text, before de-duplication."""
    return raw_batch([(simp, original)])[0]


def raw_batch(pairs: list[tuple[str, str]]) -> list[list[Finding]]:
    """``raw`` for many (normalised, original) texts: each finder runs over every text before
    the next finder starts (issue 14, speed).  Text by text, the dozen finders' patterns,
    tables and caches evict one another from the CPU's caches; finder by finder, the same
    calls on clinical notes cost about a fifth less.  Each text's findings come in the same
    order as finder after finder on that text alone."""
    outs: list[list[Finding]] = [[] for _ in pairs]
    for entity, finder, default in FINDERS:
        for out, (simp, original) in zip(outs, pairs):
            for found in finder(simp, original):
                a, b = found[0], found[1]
                score = found[2] if len(found) > 2 else default
                if b > a and score > 0:
                    out.append((entity, a, b, score))
    for out, (simp, original) in zip(outs, pairs):
        out += labelled_spans(simp, original)
        out += alias_findings(simp, out)
        # (D1, round 9) a date in brackets right after a found name: that person's birth date
        if "(" in simp or "（" in simp:
            ends = [b for e, a, b, score in out if ENTITY_KIND[e] == "NAME"]
            out += [("TW_DOB", a, b, 0.9) for a, b in dates.bracketed_after(simp, ends)]
    return outs


def alias_findings(simp: str, found: list[Finding]) -> list[Finding]:
    """The same person's other name in brackets beside a found name (阮氏兰（Nguyen Thi Lan）),
    and every other place a found name is written again, with that finding's score
    (ALIAS_PERSON)."""
    named = [(a, b, score) for e, a, b, score in found if ENTITY_KIND[e] == "NAME"]
    if not named:
        return []
    out = [("ALIAS_PERSON", x, y, score) for a, b, score in named
           for x, y in (aliases.find(simp, [(a, b)]) if "(" in simp or "（" in simp else ())]
    # (D1, round 12) a found name going on after a line break (練美⏎蘭), a nickname before it in
    # brackets (阿明（林志明）)
    for a, b, score in named:
        out += [("ALIAS_PERSON", x, y, score) for x, y in slot_names.continued(simp, [(a, b)])
                + (slot_names.before_bracketed(simp, [(a, b)]) if a and simp[a - 1] in "(（[【" else [])]
    # ... and every other place the text writes a found name (or its alias) again.  Each
    # distinct name is looked for once, and each place it stands gets the best score of the
    # findings that do not already cover it: a finding looking for its own word again gave
    # k x k findings for a name written k times (the square of a crafted note's length).
    by_word: dict[str, list[tuple[int, int, float]]] = {}
    for a, b, score in named + [f[1:] for f in out]:
        by_word.setdefault(simp[a:b].strip(), []).append((a, b, score))
    for w, spans in by_word.items():
        spans.sort(key=lambda f: -f[2])
        for x, y in aliases.occurrences(simp, w):
            # (the best finding elsewhere: spans covering x are the same word at x, so few)
            best = next((sc for a, b, sc in spans if not (a <= x < b)), None)
            if best is not None:
                out.append(("ALIAS_PERSON", x, y, best))
    return [f for f in out if not name_vetoes.vetoed(simp, simp, f[1], f[2])]     # (Atayal in brackets: round 13)


def alias_spans(simp: str, original: str) -> list[tuple[int, int, float]]:
    """``alias_findings`` on its own (the Presidio recogniser): the name finders run again."""
    names = [(e, *f[:2], f[2] if len(f) > 2 else default) for e, finder, default in FINDERS
             if ENTITY_KIND[e] == "NAME" for f in finder(simp, original)]
    names += labelled_spans(simp, original)      # (names under a table header or record key)
    return [(a, b, score) for _, a, b, score in alias_findings(simp, names)]


def presidio_order(found: list[Finding]) -> list[Finding]:
    """Presidio's ``EntityRecognizer.remove_duplicates`` and result order: zero scores go, a
    finding contained in one of the same entity with an equal or higher score goes; the rest
    sorted by score (high first), start, length (long first), ties by entity name."""
    ordered = sorted(set(found), key=lambda r: (r[0], r[1], r[1] - r[2], -r[3]))
    kept: list[Finding] = []
    for _, group in groupby(ordered, key=lambda r: r[0]):
        active: list[Finding] = []
        for r in group:
            if r[3] == 0:
                continue
            active = [f for f in active if f[2] >= r[1]]
            if any(r[1] >= f[1] and r[2] <= f[2] and r[3] <= f[3] for f in active):
                continue
            kept.append(r)
            active.append(r)
    kept.sort(key=lambda r: (-r[3], r[1], r[1] - r[2]))
    return kept


def analyse(simp: str, original: str) -> list[Finding]:
    """What the Presidio engine with our recognisers returns for ``original`` (normalised form
    ``simp``), in the engine's order."""
    return presidio_order(raw(simp, original))


def find(simp: str, original: str, min_score: float, name_min_score: float) -> list[tuple[str, int, int, float]]:
    """The merged (kind, start, end, score) spans ``scrub`` masks: findings at or above their
    cut-off (names: ``name_min_score``), overlapping ones merged into their union, typed by the
    widest (then the highest score; then, as in Presidio's order, the entity name).  The same
    result as ``scrub._resolve(scrub._kept(...))`` over ``analyse``, on plain tuples: Presidio's
    de-duplication only drops findings contained in a same-entity one scoring as high, which
    never widen a union nor win its type."""
    return find_batch([(simp, original)], min_score, name_min_score)[0]


def find_batch(pairs: list[tuple[str, str]], min_score: float,
               name_min_score: float) -> list[list[tuple[str, int, int, float]]]:
    """``find`` for many (normalised, original) texts, the finders run finder by finder."""
    return [_merged(found, min_score, name_min_score) for found in raw_batch(pairs)]


def _merged(found: list[Finding], min_score: float, name_min_score: float) -> list[tuple[str, int, int, float]]:
    kept = [(e, a, b, s) for e, a, b, s in found
            if s >= (name_min_score if ENTITY_KIND[e] == "NAME" else min_score)]
    kept.sort(key=lambda r: (r[1], -r[2], -r[3], r[0]))
    merged: list[tuple[str, int, int, float]] = []
    best, lo, hi = None, -1, -1
    for r in kept:
        if r[1] >= hi:
            if best is not None:
                merged.append((ENTITY_KIND[best[0]], lo, hi, best[3]))
            best, lo, hi = r, r[1], r[2]
        else:
            hi = max(hi, r[2])
            if (r[2] - r[1], r[3]) > (best[2] - best[1], best[3]):
                best = r
    if best is not None:
        merged.append((ENTITY_KIND[best[0]], lo, hi, best[3]))
    return merged
