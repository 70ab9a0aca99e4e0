"""People in a kept label that round 8's word rules let through (D1, round 9).

- **Word-like names** (``frequent_surname``): a census given name and a surname that are both
  English words ("Rose Young", "Hope Young", "Grace White") read as a label to round 8, which
  kept any pair whose words were both on the term lists.  A surname among the census's thousand
  most frequent is a person's whatever else it means; the pairs a label is called (Max Dose,
  Summer Study, Mark Point, Amber Light) end in words that are rare surnames or none.
- **Short names alone** (``short_name``): a label that is one word of two or three letters
  ("Ayo", "Li", "Ng", "AMY") was no word to the rules (codes are that short).  It is a name when
  it is a romanised Asian or Hokkien surname, a census given name that is no English word, or a
  capitalised word no list holds; imaging abbreviations, structures, laterality and the short
  English words a label uses (Ax, Cor, Low, Key, Eye, Max) stay.
- **A name beside ordinary words** (``name_beside_words``): "Wanjiru follow up", "review Tsai":
  round 8 read an unknown word only alone, beside a structure or after a word that introduces a
  person.  In a label any word no list holds, or a romanised Asian surname that is no English or
  imaging word, is taken for a name wherever it stands.
- **A bare POJ given name** (``bare_poj_given``): "Bi-le", "Siu-lan" alone carry no tone mark,
  no A- and no syllable only Hokkien spells, so ``poj_names`` left them (English hyphenates too).
  A whole value that is two or three Hokkien syllables joined by hyphens, none of them an English
  or imaging word of its own (Ap-Pa, So-so, Hi-res stay), is a name.

A wrong guess costs one label; a name missed costs a person.
"""
from __future__ import annotations

import functools
import os
import re

from deidentify.dicom import device_words

# short words a label is written with: abbreviations, views, English words; never a name alone
_SHORT_KEEP = frozenset("""
ax cor sag tra abd art ven del pre pos mid top low new old key air fat gap ok on off yes no all set end and the
max min avg sum raw sub add map fov roi ref std dev man sun pan law son won sin tan red hot pet adc dwi mip mpr
lat ap pa ll rl lao rao lpo rpo obl oblique inf sup ant post med tip toe ray bw ww wl wc ct mr us cr dx mg nm pt
xa rf sr rt rx ot es lo hi med dose phase one two six ten van dvh drr oar cbv cbf mtt ttp seg voi suv vrt ssd
ctv gtv ptv itv prv kv mv hu rbe ebr lv rv la ra ivc svc pv ica mca aca pca cca eca lad lcx rca pda om lm bw tof
jan feb mar apr may jun jul aug sep sept oct nov dec
""".split())
_NAME_LIKE = re.compile(r"[A-Za-z\u00c0-\u024f]{2,3}")
_TITLE = re.compile(r"[A-Z\u00c0-\u00de][a-z\u00df-\u024f]{1,2}")


@functools.cache
def _surname_rank() -> dict[str, int]:
    """Census surnames (lower case) by frequency rank, 0 the most frequent."""
    import names

    rank: dict[str, int] = {}
    with open(os.path.join(os.path.dirname(names.__file__), "dist.all.last"), encoding="ascii",
              errors="ignore") as fh:
        for i, line in enumerate(fh):
            if line.strip():
                rank.setdefault(line.split()[0].lower(), i)
    return rank


def frequent_surname(word: str, top: int = 1000) -> bool:
    """Among the census's ``top`` most frequent surnames (Young, White, Long, Price)."""
    return _surname_rank().get(word.lower(), top) < top


@functools.cache
def _asian_short() -> frozenset[str]:
    from deidentify.dicom.asian_names import _COMMON_SURNAMES
    from deidentify.dicom.poj_names import SURNAMES

    return frozenset(s for s in set(_COMMON_SURNAMES) | set(SURNAMES) if len(s) <= 3)


def _domain(low: str) -> bool:
    """A structure, a laterality, a planning, body-part, imaging or device word."""
    from deidentify.dicom import label_terms as lt
    from deidentify.dicom import person_forms as pf

    return (low in _SHORT_KEEP or lt._singular(low) in lt.STRUCTURES or low in lt.LATERALITY
            or low in lt.QUALIFIERS or low in lt._BODY_PARTS or low in pf.IMAGING_WORDS
            or low in pf._DEVICE_WORDS or low in lt._MODELS)


def short_name(value: str, capitals: bool = False) -> bool:
    """Is ``value`` (one backslash part) a person's name of two or three letters alone?
    ``capitals``: a code string, where capitals are the only case (AYO reads as Ayo)."""
    word = str(value).strip(" \t\r\n.,;:()[]{}\"'!?*#")
    if not _NAME_LIKE.fullmatch(word):
        return False
    low = word.lower()
    if _domain(low):
        return False
    from deidentify.dicom import person_forms as pf
    from deidentify.identifiers.western_names import _census, ordinary_word

    if low in _asian_short():
        return not ordinary_word(low)    # Li, NG, Wu, Ho, Lee, Kim, Lim, Ong; not Do, He, So, On
    if low in pf._whole_meanings():
        return False    # a code meaning of the standard written whole (Era, Dot, Ela, Rib)
    if len(low) == 3 and low in _census()[0] and not ordinary_word(low):
        return True     # given names no label is called (Amy, Bob, Ken, Ted; not Joy, May)
    # a capitalised short word no list holds (Ayo, Obi, Eze); other short words in capitals or
    # lower case are codes
    titled = _TITLE.fullmatch(word) or (capitals and word.isupper())
    return bool(titled) and not ordinary_word(low) and low not in pf._all_vocabulary()


def asian_surname_word(word: str) -> bool:
    """A romanised Asian surname of three letters or more that is no English or label word
    (Tsai, Huang, Chen, Nguyen; not Long, Sun, Low, Man)."""
    from deidentify.dicom.asian_names import _COMMON_SURNAMES
    from deidentify.identifiers.western_names import ordinary_word

    low = word.lower()
    from deidentify.dicom.asian_names import _ENGLISH_PAIRS
    from deidentify.dicom.label_names import _CODE_WORDS

    return (len(low) >= 3 and low in _COMMON_SURNAMES and not ordinary_word(low) and not _domain(low)
            and low not in _CODE_WORDS and low not in _ENGLISH_PAIRS)


# contrast agents and tracers a label names beside a phase ("Post Gadovist"): products, not people
_AGENTS = frozenset("""gadovist gadavist dotarem magnevist omnipaque visipaque isovue ultravist optiray multihance
prohance eovist primovist clariscan gadobutrol gadoterate iopamidol iohexol iodixanol iopromide ioversol definity
sonovue lumason optison feraheme fluciclovine axumin pylarify illuccix amyvid vizamyl neuraceq tauvid netspot
detectnet gallium technetium sestamibi tetrofosmin myoview cardiolite ceretec neurolite datscan
""".split())


# English words a typed label uses that no term list holds (their inflections are read by stem)
_ORDINARY = frozenset("""
please repeat example blurry retake wrong arrow text caliper delete ignore unclear noisy thin thick slab exam scan
followup unmarked unread unsure
crop blur flip rotate smooth sharpen reformat pend grow think copy draft final sample good bad quality motion
side keep best worst clear likely possible probably maybe check again done todo redo need needs fix fixed bright
dark faint small large big tiny huge short tall wide narrow round straight curved moving still fast slow early
late first second third last next before after during between above below within without inside outside near far
""".split())


def english(word: str) -> bool:
    """A word of the list above, or an inflection whose stem a list holds (growing, reviewed,
    arrows, rotated, cropped); a name's ending is no inflection (Meiling, Ahmed: no stem)."""
    from deidentify.dicom import label_terms as lt

    from deidentify.dicom import report_words

    low = word.lower()
    # D1 round 12: report English of lines and tubes ("NG tube in place" was masked as a name)
    if low in _ORDINARY or report_words.report_word(low):
        return True
    for end in ("ing", "ed", "es", "s", "ly", "er"):
        if low.endswith(end) and len(low) - len(end) >= 3:
            stem = low[:-len(end)]
            for probe in (stem, stem + "e", stem[:-1] if len(stem) > 3 and stem[-1] == stem[-2] else ""):
                if probe and len(probe) >= 3 and (probe in _ORDINARY or lt.known_word(probe)
                                                  or report_words.report_word(probe)):
                    return True
    return False


# what follows an eponym's name ("Morton neuroma", "Takayasu arteritis", "Chiari malformation")
_EPONYM_TAILS = frozenset("""disease syndrome sign test view fracture classification score criteria maneuver manoeuvre
procedure operation malformation anomaly lesion tumor tumour cyst ulcer node nodes canal duct line lines triangle
space ligament body bodies cell cells phenomenon reflex angle method technique projection position index scale
grade stage type shunt valve catheter tube needle filter""".split())


def _not_a_name(word: str) -> bool:
    """A contrast agent, a place that spells like syllables (Linkou, Taichung) or an English word
    that is a syllable too (Song, Long): no list of the word rule holds them."""
    from deidentify.dicom.asian_names import _ENGLISH_PAIRS
    from deidentify.dicom.label_names import _CODE_WORDS

    low = word.lower()
    return low in _AGENTS or low in _ENGLISH_PAIRS or low in _CODE_WORDS


def _eponym(words: list[str], k: int) -> bool:
    """Word ``k`` names a disease, a sign or a view after someone: a clinical word follows it,
    after other capitalised names at most (Stein-Leventhal syndrome)."""
    from deidentify.dicom import label_terms as lt

    for nxt in words[k + 1:]:
        low = nxt.lower()
        if low in _EPONYM_TAILS or lt._CLINICAL_ENDING.search(low) is not None:
            return True
        if not nxt[:1].isupper():
            return False
    return False


def _lower_in_mixed(word: str, words: list[str]) -> bool:
    """A lower-case word where other words are capitalised ("Bell palsy"): a name is written
    capitalised when the writer uses case at all."""
    return word.islower() and any(w[:1].isupper() and not w.isupper() for w in words)


def name_beside_words(tokens: list[str], words: list[str], unknown) -> bool:
    """Among a label's tokens (two or more), a word no list holds (``unknown``: four letters or
    more), an Asian surname, a short name capitalised ("review Li", "Ayo 2") or a bare POJ given
    name ("Bi-le follow up")."""
    if len(tokens) < 2:
        return False
    # before a clinical word only a listed eponym stays ("Wanjiru syndrome" is a person: round 11)
    return (any(((unknown(w) and not _not_a_name(w)) or asian_surname_word(w))
                and not (_eponym(words, k) and device_words.listed_eponym(w))
                and not _lower_in_mixed(w, words) for k, w in enumerate(words))
            or any((_TITLE.fullmatch(t) and short_name(t)) or bare_poj_given(t) for t in tokens))


# syllables that are also English or imaging words of their own: a pair of them is no name
_ENGLISH_SYLLABLES = frozenset("""
ap pa so ha ho hi lo oh ok go no to do be he me we tom pop mom pat bat sat tat hat mat cat kat lat sit bit hit kit
pit tit big bin pin sin tin kin din lip hip tip sip dip him hum bun gun run sun son ton tan man pan ban can ran
van bam lam ram am an at it in is ik ip on un up us
""".split())


def bare_poj_given(value: str) -> bool:
    """Is ``value`` (one backslash part) a bare Hokkien given name alone ("Bi-le", "SIU-LAN")?"""
    from deidentify.dicom import poj_names

    folded, _ = poj_names.fold(str(value).strip(" \t\r\n.,;:()[]\"'"))
    if not re.fullmatch(r"[a-z]+(?:-[a-z]+){1,2}", folded):
        return False
    parts = folded.split("-")
    return (all(p in poj_names.SYLLABLES for p in parts) and not all(len(p) == 1 for p in parts)
            and not all(p in _ENGLISH_SYLLABLES for p in parts) and not any(_domain(p) and len(p) > 2 for p in parts))


# a person introduced ("Seen by Rose Young.", "with Dr. GRACE WHITE"): a capitalised pair after the lead
_LEAD_PAIR = re.compile(r"(?i:\b(?:by|with|to|for|from|per|attn|cc|dr|mr|mrs|ms|miss|prof)\b\.?)[ \t]+"
                        r"([A-Z][a-z]+(?:[ \t]+[A-Z]\.)?[ \t]+[A-Z][a-z]+|[A-Z]{2,}[ \t]+[A-Z]{2,})")


_PLACEHOLDER = re.compile(r"<[A-Z_]{2,}>")
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")


def mask_sr(text: str, mask_with: str) -> str:
    """An SR TEXT value with the round-9 names masked: a short value (four words at most) the
    label rules take is masked whole ("Rose Young", "Ayo", "Wanjiru follow up"); in a sentence, a
    census given name and a surname after a word that introduces a person ("Seen by Rose Young")."""
    from deidentify.dicom import label_terms as lt
    from deidentify.identifiers.western_names import _census

    core = str(text).strip(" \t\r\n.,;:!?")
    # a value the scrubber did not touch, in Latin letters (the label rules read those)
    if (core and len(core.split()) <= 4 and not _PLACEHOLDER.search(core) and not _NON_LATIN.search(core)
            and lt.unknown_word(core, "ContentDescription", "LO")):
        return mask_with
    firsts, lasts = _census()

    def pair(m: re.Match) -> str:
        words = m.group(1).split()
        given, family = words[0].lower(), words[-1].lower()
        if given in firsts and (family in lasts or asian_surname_word(family)):
            return m.group(0)[:m.start(1) - m.start(0)] + mask_with
        return m.group(0)

    text = _LEAD_PAIR.sub(pair, str(text))
    # one capitalised word no list holds after such a word, in a longer sentence ("Copy to Tshepo ...")
    spans = [m.span(1) for m in lt._AFTER_LEAD.finditer(text)
             if lt._unknown(m.group(1)) or asian_surname_word(m.group(1))]
    # a word no list holds before a clinical word, in a sentence ("Okonkwo syndrome confirmed ..."):
    # only the listed eponyms stay (round 11)
    spans += [m.span(1) for m in _BEFORE_TAIL.finditer(text)
              if (lt._unknown(m.group(1)) or asian_surname_word(m.group(1))) and not device_words.listed_eponym(m.group(1))
              and not _not_a_name(m.group(1)) and all(not (a <= m.start(1) < b) for a, b in spans)]
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + mask_with + text[b:]
    return text


_BEFORE_TAIL = re.compile(r"\b([A-Z][a-z\u00e0-\u024f]{2,}|[A-Z]{4,})(?:'s)?[ \t]+(?i:" + "|".join(sorted(_EPONYM_TAILS)) + r")\b")


__all__ = ["mask_sr", "asian_surname_word", "bare_poj_given", "english", "frequent_surname", "name_beside_words", "short_name"]
