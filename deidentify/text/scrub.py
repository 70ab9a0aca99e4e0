"""Finding and masking personal data in free text, fast on large columns.

``scrub_texts`` works in three steps:
1. distinct texts only (clinical columns repeat a lot), joined into one string that is
   normalised once (full-width → half-width, Traditional → Simplified, same length);
2. a prefilter: a few simple regexes over the joined string for anything that could be a
   phone, e-mail, address or a ``姓名：`` label, ID-shaped tokens that pass the checksum,
   hyphenated pairs next to a romanised surname, and the surname regex (each stops at a
   text's first match; once a quarter more of the texts are bound for the finders, the rest
   are scanned alone); a text with only surname hits is screened by ``find_names`` directly
   (dictionary checks, cached jieba windows);
3. only the texts that survive go through every finder, finder by finder over the batch
   (``deidentify.text.finders.find_batch``, called directly: what Presidio's engine with our
   recognisers would give, without the engine), and the merged hits are replaced by typed
   placeholders.
``find_identifiers_batch`` uses the same path; ``find_identifiers`` runs the finders on one text.

Which findings count is a policy decision (RULES.md D1): ``ScrubOptions`` carries the score
cut-offs, by default the policy's ``data.text_mask_min_score`` / ``text_name_mask_min_score``;
a finding scored below its cut-off is neither reported nor masked.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Iterable, Sequence

from deidentify.identifiers import (address, areas, beds, latin_slots, device_numbers, layout_names, number_shapes, short_places, address_en, labelled, name_context, schools, structured, word_names, sign_offs, case_codes,
                                    nicknames, role_names, romanised_names, slot_names, split_names,
                                    taiwan_id, western_names)
from deidentify.identifiers import phone as tw_phone
from deidentify.identifiers import dates, drug_brands, line_joins, lookalike, solo_names, name_runs, name_vetoes, person_slots, public_names, sound_names
from deidentify.identifiers.chinese_names import find_names, surname_pattern
from deidentify.identifiers.normalise import normalise_for_finders, to_simplified
from deidentify.identifiers.regex_gate import by_first_char, literal_led
from deidentify.regex_cache import compiled
from deidentify.text import finders

PLACEHOLDER = {"ID": "<ID>", "PHONE": "<PHONE>", "EMAIL": "<EMAIL>", "ADDRESS": "<ADDRESS>",
               "NAME": "<NAME>", "DOB": "<DOB>", "MRN": "<MRN>", "NHI_CARD": "<NHI_CARD>", "TERM": "<TERM>",
               "ID_LABELLED": "<ID>", "ACCOUNT": "<ACCOUNT>", "PLATE": "<PLATE>", "IP": "<IP>", "URL": "<URL>",
               "EMPLOYER": "<EMPLOYER>"}

_HAN = finders.HAN
_SEP = "\x00"
# Simple regexes, each run on its own: Python's engine scans for a literal or a character set
# quickly, but not through an alternation with look-behinds.


# (issue 14, speed) The prefilter only asks which texts hold a match, so a scan that holds a
# match in the same texts may stand for another.  These stand for the look-ahead-led forms
# (tests/deidentify/test_led_scans.py keeps those and compares them): every word opens with a
# literal, a look-behind on "no letter/digit before it" checked after its first character (a
# digit before 生 checked as a digit), so the engine skips to their first characters at C speed.
_W = "(?<![a-z].)"
_LED_PREFILTERS = {
    "birth words": literal_led("出生|生日|生于|诞生|大寿|寿辰|日[ \t]*生|" + "|".join(f"{d}[ \t]*生" for d in "0123456789")
                               + "|年[ \t]*[次生]|生年|dob|yob|birth|born|b\\."),
    "record labels": literal_led("病历|病号|住院号|住院编号|门诊号|门诊编号|就诊号|归档号|病患编号|病人编号|个案编号|个案号"
                                 "|收案编号|健保|卡号|0(?<![0-9].)000"),
    "record labels (Latin)": literal_led(
        f"m{_W}rn|m{_W}\\.r\\.n|c{_W}hart|p{_W}id|p{_W}atient[ \t]*id|p{_W}t[ \t]*id|m{_W}edical[ \t]+record"
        f"|r{_W}ecord[ \t]*(?:no|#)|h{_W}ospital[ \t]*(?:no|number)|p{_W}t[ \t]*no|p{_W}atient[ \t]*(?:no|number)"
        f"|n{_W}hi|i{_W}c卡"),
    "ID labels (Latin)": literal_led(
        f"a{_W}rc|n{_W}ational|l{_W}ine|w{_W}echat|s{_W}kype|t{_W}elegram|f{_W}acebook|i{_W}nstagram|t{_W}witter"
        f"|a{_W}cc|b{_W}ank|p{_W}late|i{_W}p|s{_W}tudent|e{_W}mployee|s{_W}taff|m{_W}ember|i{_W}d[ \t]*card"
        f"|i{_W}d(?![a-z])|f{_W}b(?![a-z])|i{_W}g(?![a-z])|passport|licen[cs]e"
        f"|b{_W}ed|s{_W}pecimen|l{_W}ab|p{_W}ath|a{_W}dmission|e{_W}ncounter|v{_W}isit"
        f"|i{_W}ncident|r{_W}eport|o{_W}rder|r{_W}equest|e{_W}xam|e{_W}vent"
        f"|r{_W}ef|c{_W}ase|c{_W}laim|s{_W}erial|t{_W}icket|f{_W}ile|r{_W}ecord|c{_W}hart|c{_W}ard|p{_W}olicy"
        f"|c{_W}ert|p{_W}ermit|r{_W}eceipt|i{_W}nvoice|t{_W}ransaction|t{_W}racking|b{_W}ooking"
        f"|r{_W}egistration|r{_W}eferral|i{_W}nsurance|s{_W}n(?![a-z])|s{_W}/n|s{_W}sn|s{_W}ocial|r{_W}n[ \t]*#|m{_W}d[ \t]*#|n{_W}p[ \t]*#|p{_W}a[ \t]*#"
        f"|b{_W}adge[ \t]*#|e{_W}mp[ \t]*#"),
}
_PREFILTERS = [compiled(p, re.IGNORECASE) for p in (   # (fixed patterns: deidentify.regex_cache)
    r"886", r"\(0[0-9]", r"0[2-9][0-9 \t\-.)‧·•/_]{6,}",            # phone shapes
    literal_led(tw_phone.LOCAL_CONTEXT.pattern.split("[^")[0][3:-1], "电手联市家宅住公传分拨行号tpfcm"),  # phone words
    r"@", finders._AT_WORD_GATE.pattern,                           # e-mail, spelt out too
    r"[零〇][零〇一二三四五六七八九]{6}",                               # phones in Chinese numerals
    tw_phone.EXTENSION.pattern,                                    # an extension alone (分機 23: round 10)
    tw_phone.PARTLY_HIDDEN.pattern,                                # phones with some digits hidden
    # addresses: what deidentify.identifiers.address accepts holds a house number, lane or
    # alley, or a city/district followed by a road, section or village
    r"[0-9一二三四五六七八九十百零〇两][ \t]*[号巷弄邻]",
    r"[市县][ \t]*[\u4e00-\u9fff]{1,3}[区乡镇市]",
    r"[区乡镇市县][ \t]*[\u4e00-\u9fff]{0,8}?(?:路|街|大道|段|[里村])",
    address.RESIDENCE_ROAD.pattern,                               # a road where someone lives
    *areas.GATES,                                                 # ... or a township/village alone
    areas.OFFICE_GATE.pattern,                                    # ... or before its one-person office (round 6)
    "(?-i:" + beds.GATE.pattern + ")",                            # beds without a label
    *("(?-i:" + g + ")" for g in device_numbers.GATES),           # bare exam numbers, MACs, serials
    *("(?-i:" + g + ")" for g in number_shapes.GATES),            # numbers told in parts, spaced, with ports
    *("(?-i:" + g + ")" for g in layout_names.GATES),             # names a note's layout marks (chat, ISBAR)
    short_places.GATE.pattern, r"(?i:near|next[ \t]+to)[ \t]+[\u4e00-\u9fff]",  # short districts, landmarks
    r"(?:住|家[住在]|(?i:lives?[ \t]+in|from|tua))[ \t]*(?:" + "|".join(short_places._BARE) + ")",
    "(?-i:" + address_en.ANCHOR.pattern + ")",                    # addresses in English
    "(?-i:" + address_en.CAPS_ANCHOR.pattern + ")",               # ... printed in capitals
    "(?-i:" + address_en.LOWER_ANCHOR.pattern + ")",              # ... typed in lower case
    schools.GATE.pattern,                                          # a child's school and class
    schools.EN_GATE.pattern,                                       # a school named in English
    schools.SHORT_PREFILTER,                                       # a university by its short name
    structured.PREFILTER.pattern,                                  # table headers, record keys, HL7
    *(g.pattern for g in case_codes.GATES),                        # court cases, handles, plates, barcodes (round 6)
    # dates of birth, record and card numbers, labelled IDs: _LED_PREFILTERS' words, literal-led
    *_LED_PREFILTERS.values(),
    *labelled.PREFILTERS[:1], *labelled.PREFILTERS[2:],            # labelled IDs, accounts, plates, IPs, URLs
    sound_names.GATE.pattern,                                      # Zhuyin names (round 7)
    "(?-i:" + latin_slots.BEFORE.pattern + ")",
    "(?-i:" + latin_slots.PEOPLE_AFTER.pattern + ")",              # Pasang (Amis) (round 13)
    r"[农阴旧]历",                                                 # lunar birthdays (round 11: dates.LUNAR_BIRTH)                    # 由 Siti 陪同 (round 11; pairs: _LATIN_CANDIDATE)
)]
# stage names (round 7): joined from a set, the pattern's text changes between processes, so it
# is not one regex_cache can keep
_PREFILTERS.append(re.compile("(?-i:" + public_names.PUBLIC.pattern + ")", re.IGNORECASE))
def _policy_default(key: str):
    def read() -> float:
        from policies import current_policy

        return getattr(current_policy().data, key)
    return field(default_factory=read)


@dataclass(frozen=True)
class ScrubOptions:
    """Score cut-offs (0 < cut-off ≤ 1) for free-text findings; unset fields come from the
    deployment's policy.  Build once per column or file, not per text."""
    mask_min_score: float = _policy_default("text_mask_min_score")        # ID, phone, e-mail, address
    name_mask_min_score: float = _policy_default("text_name_mask_min_score")  # names

    def __post_init__(self) -> None:
        for key in ("mask_min_score", "name_mask_min_score"):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
                raise ValueError(f"ScrubOptions.{key} must be a score in (0, 1], got {v!r}")

    @classmethod
    def from_policy(cls, policy=None) -> "ScrubOptions":
        """Cut-offs of ``policy`` (a loaded ``policies.Policy``; None: the current policy)."""
        if policy is None:
            from policies import current_policy

            policy = current_policy()
        return cls(policy.data.text_mask_min_score, policy.data.text_name_mask_min_score)

    @classmethod
    def for_dicom_headers(cls, policy=None) -> "ScrubOptions":
        """Cut-offs for the DICOM header sweep: names need ``data.dicom_header_name_min_score``
        (descriptions and comments hold many surname-like words), other findings as in free text."""
        if policy is None:
            from policies import current_policy

            policy = current_policy()
        return cls(policy.data.text_mask_min_score, policy.data.dicom_header_name_min_score)


def _kept(hits: list[IdentifierHit], opts: ScrubOptions) -> list[IdentifierHit]:
    """Hits at or above their kind's cut-off (TERM hits score 1.0 and always stay)."""
    lo, name_lo = opts.mask_min_score, opts.name_mask_min_score
    return [h for h in hits if h.score >= (name_lo if h.kind == "NAME" else lo)]


@dataclass(frozen=True)
class IdentifierHit:
    """One finding; ``text == source[start:end]``.  Scores: 1.0 checksum-validated IDs and
    structurally valid phones, also the old resident form with ID words nearby; 0.8 IDs
    written with separators; 0.6 old resident form without context (drug-code shape);
    0.9 e-mail; 0.7 address / romanised name; 0.85 name with context, 0.6 name without."""
    kind: str       # ID, PHONE, EMAIL, ADDRESS, NAME, TERM
    start: int
    end: int
    text: str
    score: float


def _resolve(hits: list[IdentifierHit], text: str) -> list[IdentifierHit]:
    """Merge overlapping hits into one span (their union), typed by the widest of them (then
    the higher score): masking must cover every character any recogniser found, and a name
    inside an address (羅斯福路) is part of the address."""
    merged: list[IdentifierHit] = []
    cluster: list[IdentifierHit] = []
    end = -1

    def flush() -> None:
        if cluster:
            best = max(cluster, key=lambda h: (h.end - h.start, h.score))
            lo, hi = min(h.start for h in cluster), max(h.end for h in cluster)
            merged.append(IdentifierHit(best.kind, lo, hi, text[lo:hi], best.score))

    for h in sorted(hits, key=lambda h: (h.start, -h.end)):
        if h.start >= end:
            flush()
            cluster, end = [h], h.end
        else:
            cluster.append(h)
            end = max(end, h.end)
    flush()
    return merged


def _hits(text: str, findings: list[finders.Finding]) -> list[IdentifierHit]:
    return [IdentifierHit(finders.ENTITY_KIND[e], a, b, text[a:b], float(score)) for e, a, b, score in findings]


def _analyse(text: str, simplified: str | None = None) -> list[IdentifierHit]:
    """Every finder's findings on ``text``, as Presidio's engine with our recognisers gives
    them (``deidentify.text.finders``), without the engine."""
    return _hits(text, finders.analyse(normalise_for_finders(text) if simplified is None else simplified, text))


def _terms_regex(extra_terms: Iterable[str]) -> re.Pattern[str] | None:
    if isinstance(extra_terms, str):
        raise TypeError("extra_terms must be an iterable of strings, not one string")
    terms = sorted({to_simplified(t).strip() for t in extra_terms if t and t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def find_identifiers(text: str, *, extra_terms: Iterable[str] = (),
                     options: ScrubOptions | None = None) -> list[IdentifierHit]:
    """Every personal identifier found in ``text``, non-overlapping, in text order.

    ``extra_terms`` (e.g. a case's own pseudonyms) are matched case-insensitively anywhere,
    in Traditional or Simplified script; blank terms are ignored.  Overlapping findings are
    merged into one hit covering both, typed by the stronger one.  Findings below the cut-offs
    of ``options`` (default: the policy's) are left out before merging.
    """
    if not isinstance(text, str):
        raise TypeError(f"find_identifiers expects str, got {type(text).__name__}")
    rx = _terms_regex(extra_terms)
    opts = options or ScrubOptions()
    hits = _find_one(text, rx, opts)
    for _, folded, where in lookalike.folded_texts([text]):
        hits += _spans_back(text, _find_one(folded, rx, opts), where)
    hits += _across_breaks([text], rx, opts).get(0, [])
    return _resolve(hits, text)


def _find_one(text: str, rx: re.Pattern[str] | None, opts: ScrubOptions) -> list[IdentifierHit]:
    normalised = normalise_for_finders(text)
    hits = _kept(_analyse(text, normalised), opts)
    if rx is not None:
        hits += [IdentifierHit("TERM", m.start(), m.end(), text[m.start():m.end()], 1.0)
                 for m in rx.finditer(normalised)]
    return hits


def _spans_back(text: str, hits: list[IdentifierHit], where: list[int]) -> list[IdentifierHit]:
    """Hits found on a folded text (``lookalike.fold``) as hits on ``text``."""
    out = []
    for h in hits:
        a, b = lookalike.span_back(text, where, h.start, h.end)
        out.append(IdentifierHit(h.kind, a, b, text[a:b], h.score))
    return out


def find_identifiers_batch(texts: Sequence[str | None], *, extra_terms: Iterable[str] = (),
                           options: ScrubOptions | None = None) -> list[list[IdentifierHit]]:
    """``find_identifiers`` for many texts (table cells, lines) at once, with the prefilter
    of ``scrub_texts``; None gives an empty list."""
    distinct = _distinct(texts, "find_identifiers_batch")
    found = _find_all(distinct, _terms_regex(extra_terms), options or ScrubOptions())
    index = {t: i for i, t in enumerate(distinct)}
    return [list(found.get(index[t], ())) if t is not None else [] for t in texts]


def _distinct(texts: Sequence[str | None], caller: str) -> list[str]:
    uniq: dict[str, None] = {}
    for pos, t in enumerate(texts):
        if t is None:
            continue
        if not isinstance(t, str):
            raise TypeError(f"{caller}: item {pos} is {type(t).__name__}, expected str or None")
        uniq.setdefault(t, None)
    return list(uniq)


def _find_all(distinct: list[str], terms: re.Pattern[str] | None,
              opts: ScrubOptions) -> dict[int, list[IdentifierHit]]:
    """Hits per index of ``distinct`` (only indices with hits), look-alike characters read as
    what they look like (``lookalike``)."""
    found = _find_as_written(distinct, terms, opts)
    folded = lookalike.folded_texts(distinct)
    if folded:
        more = _find_as_written([f for _, f, _ in folded], terms, opts)
        for k, (i, _, where) in enumerate(folded):
            if more.get(k):
                found[i] = _resolve(found.get(i, []) + _spans_back(distinct[i], more[k], where), distinct[i])
    for i, hits in _across_breaks(distinct, terms, opts).items():
        found[i] = _resolve(found.get(i, []) + hits, distinct[i])
    return found


def _across_breaks(distinct: list[str], terms: re.Pattern[str] | None,
                   opts: ScrubOptions) -> dict[int, list[IdentifierHit]]:
    """(D1, round 14) identifiers a line end, a wide blank, an invisible character or an HTML tag
    cuts in two (姓名：王⏎大明, Chen⏎Wei-Lun): windows around each break read joined
    (``line_joins``); a finding there that crosses a break is masked on the original text."""
    windows: dict[str, list[tuple[int, int, str, list[int], list[int]]]] = {}
    for i, t in enumerate(distinct):
        if (j := line_joins.join(t)) is not None:
            joined, where, cuts, weak = j
            for a, b in line_joins.windows(joined, cuts):
                windows.setdefault(joined[a:b], []).append((i, a, joined, where, cuts, weak))
    if not windows:
        return {}
    pieces = list(windows)
    out: dict[int, list[IdentifierHit]] = {}
    for k, hits in _find_as_written(pieces, terms, opts).items():
        for i, a, joined, where, cuts, weak in windows[pieces[k]]:
            t = distinct[i]
            for h in hits:
                if (line_joins.crossing(joined, a + h.start, a + h.end, cuts, weak)
                        and line_joins.opens_a_name(joined, a + h.start, a + h.end, cuts)):
                    x, y = line_joins.span_back(t, where, a + h.start, a + h.end)
                    out.setdefault(i, []).append(IdentifierHit(h.kind, x, y, t[x:y], h.score))
    return out


def _find_as_written(distinct: list[str], terms: re.Pattern[str] | None,
                     opts: ScrubOptions) -> dict[int, list[IdentifierHit]]:
    if not distinct:
        return {}
    candidates, found, joined, starts = candidate_indices(distinct, opts)
    order = sorted(candidates)
    merged = finders.find_batch([(joined[starts[i]:starts[i] + len(distinct[i])], distinct[i]) for i in order],
                                opts.mask_min_score, opts.name_mask_min_score)
    for i, spans in zip(order, merged):
        t = distinct[i]
        if spans:
            found[i] = [IdentifierHit(kind, a, b, t[a:b], float(score)) for kind, a, b, score in spans]
    if terms is not None:
        extra: dict[int, list[IdentifierHit]] = {}
        for m in terms.finditer(joined):
            i = bisect_right(starts, m.start()) - 1
            lo, hi = m.start() - starts[i], m.end() - starts[i]
            if hi <= len(distinct[i]):  # a term never spans two texts
                extra.setdefault(i, []).append(IdentifierHit("TERM", lo, hi, distinct[i][lo:hi], 1.0))
        for i, hits in extra.items():
            found[i] = _resolve(found.get(i, []) + hits, distinct[i])
    for i, hits in found.items():
        found[i] = _without_brands(distinct[i], hits)
    return found


def _without_brands(t: str, hits: list[IdentifierHit]) -> list[IdentifierHit]:
    """(D1, round 14) name hits without a drug brand at either end (佐藤花子 Crestor)."""
    out = []
    for h in hits:
        a, b = drug_brands.trim(t, h.start, h.end) if h.kind == "NAME" else (h.start, h.end)
        if b > a:
            out.append(h if (a, b) == (h.start, h.end) else IdentifierHit(h.kind, a, b, t[a:b], h.score))
    return out


def mask(text: str, hits: Sequence[IdentifierHit]) -> str:
    out, pos = [], 0
    for h in hits:
        out.append(text[pos:h.start])
        out.append(PLACEHOLDER[h.kind])
        pos = h.end
    out.append(text[pos:])
    return "".join(out)


def candidate_indices(texts: Sequence[str], options: ScrubOptions | None = None,
                      ) -> tuple[set[int], dict[int, list[IdentifierHit]], str, list[int]]:
    """Prefilter ``texts``: indices needing every finder, names found in the others.

    Returns (indices for the finders, {index: name hits at or above the name cut-off of
    ``options``} for texts whose only possible personal data are names, the normalised joined
    string, start offsets into it).
    """
    name_lo = (options or ScrubOptions()).name_mask_min_score
    joined = normalise_for_finders(_SEP.join(texts))
    starts = [0, *accumulate(len(t) + 1 for t in texts)][:-1]

    ends = [a + len(t) for a, t in zip(starts, texts)]

    def owners(rx: re.Pattern[str], view: str = joined, at: Sequence[int] = starts,
               to: Sequence[int] = ends) -> set[int]:
        # one match tells about its text: the search goes on at the next text (no pattern
        # crosses the separator), so a dense column costs one match per text, not hundreds
        found: set[int] = set()
        pos = 0
        while (m := rx.search(view, pos)) is not None:
            i = bisect_right(at, m.start()) - 1
            found.add(i)
            pos = to[i] + 1
        return found

    # Texts already bound for the finders need no further scan: when many are (a dense batch),
    # the scans go on over the others alone, joined anew (view index k → text rest[k]).
    rest: Sequence[int] = range(len(texts))
    view, at, to = joined, starts, ends
    hard_before = 0       # texts bound before this view was made (none of them is in it)

    def narrow() -> None:
        nonlocal rest, view, at, to, hard_before
        if len(hard) - hard_before >= 0.25 * len(rest):
            rest, hard_before = [i for i in rest if i not in hard], len(hard)
            view = _SEP.join(joined[starts[i]:ends[i]] for i in rest)
            at = [0, *accumulate(ends[i] - starts[i] + 1 for i in rest)][:-1]
            to = [a + ends[i] - starts[i] for a, i in zip(at, rest)]

    hard: set[int] = set()
    for rx in _PREFILTERS:
        hard.update(rest[k] for k in owners(rx, view, at, to))
        narrow()
    # ID-shaped tokens (any separators) only count when the checksum holds (drug codes do not)
    # or when written unbroken in the national shape (a mistyped ID is still one).
    hard.update(rest[bisect_right(at, m.start()) - 1] for m in taiwan_id.FIND.finditer(view)
                if taiwan_id.is_valid(taiwan_id.compact(m.group())) or labelled.BARE_ID.fullmatch(m.group())
                or labelled.SEPARATED_ID.fullmatch(m.group()))
    hard.update(rest[bisect_right(at, m.start()) - 1] for m in taiwan_id.OCR_FIND.finditer(view)
                if taiwan_id.ocr_reading(m.group()) is not None)        # OCR'd: SII4I7776I
    # (D1, round 7) pinyin with tone marks: the normal form drops them, so the texts as written
    if sound_names.TONED.search(raw := _SEP.join(texts)):
        hard.update(bisect_right(starts, m.start()) - 1 for m in sound_names.TONED.finditer(raw))
    narrow()

    def in_rest(rx: re.Pattern[str]) -> set[int]:
        return {rest[k] for k in owners(rx, view, at, to)}

    def rest_of(pos: int) -> int:
        return rest[bisect_right(at, pos) - 1]

    # Latin names: hyphenated pairs next to a romanised surname, capitalised word pairs, titles
    for i in (in_rest(romanised_names.HYPHEN_PAIR) | in_rest(_LATIN_CANDIDATE)
              | in_rest(western_names.CONTEXT_NAME) | in_rest(western_names.INITIALS)
              | in_rest(western_names.LOWER_LABELLED) | in_rest(western_names.RELATION_AFTER)) - hard:
        seg = joined[starts[i]:starts[i] + len(texts[i])]
        if romanised_names.find(seg) or western_names.find(seg) or latin_slots.find(seg):
            hard.add(i)     # (round 11: a Latin pair in a Chinese person's slot, Walis Nokan 來院)
    # (round 12) a person's slot of the note's layout (案妻（練美蘭）, 司馬文 RN, a table's person
    # column, 游⏎明德, 阿公石頭說): the finders read it (slot_names)
    for i in set().union(*map(in_rest, slot_names.GATES)) - hard:
        if slot_names.find(joined[starts[i]:ends[i]], texts[i]):
            hard.add(i)
    # (round 14) Siti said, 週一 Sri, 雇主解元, 佐藤花子, Sato Hanako: the finders read them (solo_names)
    for i in set().union(*map(in_rest, solo_names.GATES)) - hard:
        if solo_names.find(joined[starts[i]:ends[i]]):
            hard.add(i)
    # Names only: surname characters, context words, titles, dotted names; decided here without
    # the engine (dictionary checks, cached jieba windows).
    # (egress pre-check, issue 13) text without Han characters never loads jieba's tables
    by_surname = (in_rest(surname_pattern()) if _HAN.search(view) else set()) - hard
    # context words whose cached window decision finds no name (转介|复健科) are screened out
    by_context = ({i for m in _NAME_CONTEXT.finditer(view) if (i := rest_of(m.start())) not in hard
                   and name_context.may_hold_name(view, m.group(), m.start(), m.end())}
                  | in_rest(_DOT) | in_rest(name_context.SURNAME_THEN_GIVEN) | in_rest(name_context.LATIN_INTRO_HAN)
                  | set().union(*map(in_rest, name_context.EXTRA_CONTEXT_SCANS))
                  | {i for m in _FOLLOWER.finditer(view) if (i := rest_of(m.start())) not in hard
                     and _opens_sentence(view, t := name_context.blank_before(view, m.start()))
                     and name_context.name_before(view, t, 4) >= 0}
                  # (a form line's next field after a blank: 粘耀宗 女 61岁, name_runs.FORM_FIELD_AFTER)
                  | {i for m in name_runs.FORM_FIELD_AFTER.finditer(view) if (i := rest_of(m.start())) not in hard
                     and _opens_sentence(view, name_end := name_runs.form_field_name_end(view, m.start()))
                     and name_context.name_before(view, name_end, 4) >= 0}) - hard
    # (finder by finder, as finders.raw_batch: the CPU's caches hold one finder's tables)
    screened = {i: [(h.start, h.end, h.score, h.reason == "label") for h in find_names(texts[i], joined[starts[i]:ends[i]])]
                for i in by_surname}
    for i in by_context:
        screened.setdefault(i, []).extend(name_context.find(joined[starts[i]:ends[i]]))
    # a name right after a role word is one even when its characters open a word (保全高雄偉)
    after_role = {i: role_names.find(joined[starts[i]:ends[i]]) for i in in_rest(role_names.ROLE_NAME) - hard}
    # (D1, round 6) names that read as words, made names by the person around them (全國平主訴,
    # 請幫萬國平量血壓, 家屬王強來電): word_names
    # (scored: 0.85 after a person or request word, 0.7 where only the layout or an act says so)
    word_hits = {i: found for i in set().union(*map(in_rest, word_names.GATES)) - hard
                 if (found := word_names.find(joined[starts[i]:ends[i]]))}
    # (D1, round 8) a name in a slot only a person fills (交代王小明, 幫古又文翻身, 高一凡拒絕, 陪同莫言來)
    for i in in_rest(person_slots.GATE) - hard:
        if (found := person_slots.find(joined[starts[i]:ends[i]])):
            after_role.setdefault(i, []).extend(found)
    # ... and a report's foot: the typist's and reader's initials (Dr. 陳/YCL, 謄打 JHW): sign_offs
    for i in set().union(*map(in_rest, sign_offs.GATES)) - hard:
        if (found := sign_offs.find(joined[starts[i]:ends[i]])):
            after_role.setdefault(i, []).extend(found)
    # names written apart (王 小 明, 王．小明): split_names
    spaced = {i: found for i in in_rest(split_names.SPACED) - hard
              if (found := split_names.find(joined[starts[i]:ends[i]], texts[i]))}
    # bare nicknames opening a sentence (阿財陪同就醫, 明仔是案子): nicknames
    for i in (in_rest(nicknames.PREFIXED) | in_rest(nicknames.SUFFIXED)) - hard:
        if (found := nicknames.find(joined[starts[i]:ends[i]])):
            spaced.setdefault(i, []).extend(found)
    names: dict[int, list[IdentifierHit]] = {}
    for i in (*after_role, *spaced, *word_hits):
        screened.setdefault(i, [])
    for i, found in screened.items():
        t, seg = texts[i], joined[starts[i]:ends[i]]
        # (round 11: a label's value is a name whatever word it reads as, 姓名：蕭千里)
        kept = [IdentifierHit("NAME", f[0], f[1], t[f[0]:f[1]], f[2]) for f in found
                if f[2] >= name_lo and ((len(f) > 3 and f[3]) or not name_context.starts_a_word(seg, f[0], f[1]))]
        # (round 9: the policy's name cut-off holds for these too, as on the finders' path)
        kept += [IdentifierHit("NAME", a, b, t[a:b], 0.85) for a, b in (*after_role.get(i, ()), *spaced.get(i, ()))
                 if 0.85 >= name_lo]
        kept += [IdentifierHit("NAME", a, b, t[a:b], sc) for a, b, sc in word_hits.get(i, ()) if sc >= name_lo]
        # (round 13) drugs, diseases, lab states read as names, as on the finders' path (name_vetoes)
        kept = [h for h in kept if not name_vetoes.vetoed(seg, t, h.start, h.end)]
        if kept:      # the other name in brackets and the name written again (as finders.alias_findings)
            kept += [IdentifierHit("NAME", x, y, t[x:y], sc) for _, x, y, sc in finders.alias_findings(
                seg, [("ZH_PERSON_CONTEXT", h.start, h.end, h.score) for h in kept])]
        if kept and ("(" in seg):      # (round 9) a date in brackets after a name: a birth date
            kept += [IdentifierHit("DOB", a, b, t[a:b], 0.9) for a, b in dates.bracketed_after(
                seg, [h.end for h in kept if h.kind == "NAME"])]
        if kept:
            names[i] = _resolve(kept, t)
    return hard, names, joined, starts


# Candidate regexes start with a character set: Python's engine then skips to the next possible
# start at C speed, where a look-around or an alternation first is tried at every position.
# A capitalised (or upper-case) word followed by another: Dr. Huang, Wang Xiaoming, SHIH TING.
# (possessive, as western_names.PAIR_GATE: no backtracking into the word; and tried only where a
# word starts, its lower-case head skipped - tried at every capital of a long run of capitals,
# each try read the rest of the run: the square of its length.  The texts it gates are the same.)
_LATIN_CANDIDATE = re.compile(r"(?<![A-Za-z'’\-])[a-z'’\-]*+[A-Z][A-Za-z'’\-]*+\.?+[,:：]?+[ \t]+[A-Z]")
_CONTEXT_WORDS = name_context.INTRODUCERS + name_context.TITLES
# (longest first, grouped by first character: the engine skips to a first character at C speed
# and tries one branch there, not every word)
_NAME_CONTEXT = re.compile(by_first_char("|".join(sorted(map(re.escape, _CONTEXT_WORDS), key=len, reverse=True))))
# a middle dot between Han characters (瓦歷斯·諾幹)
_DOT = re.compile(r"[·‧•・.](?<=[\u4e00-\u9fff][·‧•・.])(?=[\u4e00-\u9fff])")
# a word that describes the patient after a sentence-opening name (王小明主诉…, 王小明，男)
_FOLLOWER = re.compile("[" + "".join(sorted({f[0] for f in name_context.FOLLOWERS})) + ",，](?:"
                       + "|".join(re.escape(f[1:]) for f in sorted(name_context.FOLLOWERS, key=len, reverse=True)
                                  if len(f) > 1)
                       + r"|(?<=[" + "".join(f for f in name_context.FOLLOWERS if len(f) == 1)
                       + r"])|(?<=[,，])[ \t]*[男女])")


def _opens_sentence(joined: str, at: int) -> bool:
    """Two to four Han characters right before ``at``, with neither a Han character nor a
    digit before them (39年次，男 is a birth cohort)."""
    run = 0
    while run < 5 and at - run - 1 >= 0 and "\u4e00" <= joined[at - run - 1] <= "\u9fff":
        run += 1
    return 2 <= run <= 4 and not (at - run - 1 >= 0 and joined[at - run - 1].isdigit())


def _with_employers(text: str, hits: list[IdentifierHit], spans: list[tuple[int, int]]
                    ) -> list[IdentifierHit]:
    """The finders' hits with each named employer as one hit (a name found inside 台積電當店長
    joins it: the whole employer goes, not what is left around a name)."""
    if not spans:
        return hits
    out = list(hits)
    for a, b in spans:
        inside = [h for h in out if h.start < b and a < h.end]
        # (a name read inside a firm's name, <NAME>精密 of 振益精密, is the firm: round 5)
        if any(h.kind == "NAME" and a <= h.start and h.end <= b and (h.start, h.end) != (a, b)
               and text[h.end:h.end + 1] in ("記", "记") for h in inside):
            continue        # a shop named after its owner (陳記牛肉麵): the name finder's mask stands
        # (a name read over the whole employer, 先生是|台積電|工程師, is the employer)
        a = min([a, *(h.start for h in inside)])
        b = max([b, *(h.end for h in inside)])
        out = [h for h in out if h not in inside]
        out.append(IdentifierHit("EMPLOYER", a, b, text[a:b], 0.8))
    return sorted(out, key=lambda h: h.start)


def scrub_texts(texts: list[str | None], *, options: ScrubOptions | None = None) -> list[str | None]:
    """Mask IDs, phones, names, addresses, e-mails, dates of birth, record and NHI card numbers,
    accounts, plates, IP addresses and URLs with ``<ID>``, ``<PHONE>``, ``<NAME>``,
    ``<ADDRESS>``, ``<EMAIL>``, ``<DOB>``, ``<MRN>``, ``<NHI_CARD>``, ``<ACCOUNT>``,
    ``<PLATE>``, ``<IP>``, ``<URL>``; ages in the policy's open age band (85+) written ``≥85``
    (``deidentify.identifiers.ages``); named employers after a word of employment ``<EMPLOYER>``
    (``deidentify.identifiers.employers``); None and texts without personal data come back unchanged.
    ``options``: score cut-offs (default: the policy's, see ``ScrubOptions``)."""
    from deidentify.identifiers import ages, employers, faith_places

    distinct = _distinct(texts, "scrub_texts")
    found = _find_all(distinct, None, options or ScrubOptions())
    top = ages.top_age()
    replaced = {}
    for i, t in enumerate(distinct):
        # (D1, round 6) a temple, church or shrine a person belongs to goes as an employer does
        hits = _with_employers(t, found.get(i, []), sorted(employers.employer_spans(t) + faith_places.spans(t)))
        out = ages.generalise_ages(mask(t, hits) if hits else t, top)
        if out != t:
            replaced[t] = out
    if not replaced:
        return list(texts)
    return [replaced.get(t, t) if t is not None else None for t in texts]
