"""Presidio recognisers for Taiwanese personal data, and an offline Presidio engine.

The engine is given the original text; every recogniser matches on the *normalised* text
(full-width → half-width and Traditional → Simplified, one character for one character, see
``deidentify.identifiers.normalise``) so that one pattern covers both scripts and every offset
is also an offset into the original.  The name recogniser also sees the original characters
(於 is a preposition even though its Simplified form 于 is a surname).
"""
from __future__ import annotations

import contextvars
import functools
import logging
import re
from bisect import bisect_right
from typing import Sequence

from presidio_analyzer import (AnalyzerEngine, EntityRecognizer, Pattern, PatternRecognizer,
                               RecognizerRegistry, RecognizerResult)
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NoOpNlpEngine

from deidentify.identifiers import phone as tw_phone
from deidentify.identifiers import taiwan_id
from deidentify.identifiers import romanised_names
from deidentify.identifiers.chinese_names import find_names
from deidentify.identifiers.normalise import compact_id, to_simplified

LANGUAGE = "zh"

# Entity names used with Presidio → the kind reported by find_identifiers / the placeholder.
ENTITY_KIND = {
    "TW_ID": "ID",
    "TW_PHONE": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "TW_ADDRESS": "ADDRESS",
    "ZH_PERSON": "NAME",
    "ZH_PERSON_LATIN": "NAME",
}

# --- regexes (on normalised text) -------------------------------------------------------------

# No letter before (digits may be glued on: "0912-345-678A123456789"), no digit after; single
# spaces or hyphens inside (A123-456-789, A 123 456 789) are tolerated: the checksum decides.
ID_REGEX = r"(?<![A-Za-z])[A-Za-z][ \-]?[1289A-Da-d](?:[ \-]?[0-9]){8}(?![0-9])"

# A lower-case match inside a long lower-case hex run is a fragment of a hash or pseudonym.
_HEX_RUN = re.compile(r"[0-9a-f]{16,}")

# Separators are spaces, tabs and hyphens but never a line break: a table column joined with
# newlines must not glue numbers from two rows into one phone number.
_EXT = r"(?:[ \t]*(?:#|ext\.?[ \t]*|分机|转)[ \t]*[0-9]{1,5})?"
PHONE_REGEX = (
    r"(?:"
    r"(?<![0-9+])(?:\+|00)?886[ \t\-]?(?:\(0\)[ \t]?)?\(?[0-9]{1,4}\)?[ \t\-]?[0-9]{2,4}(?:[ \t\-]?[0-9]{2,4}){1,2}"
    r"|\(0[0-9]{1,3}\)[ \t]?[0-9]{2,4}(?:[ \t\-]?[0-9]{2,4}){1,2}"
    r"|(?<![0-9])0[0-9]{1,3}[ \t\-]?[0-9]{2,4}(?:[ \t\-]?[0-9]{2,4}){1,2}"
    r")" + _EXT + r"(?![0-9])"
)
_EXT_SPLIT = re.compile(r"#|ext|分机|转", re.IGNORECASE)

EMAIL_REGEX = (r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@"
               r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*"
               r"\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])")

_CITIES = ("台北市", "新北市", "桃园市", "台中市", "台南市", "高雄市", "基隆市", "新竹市", "嘉义市",
           "新竹县", "苗栗县", "彰化县", "南投县", "云林县", "嘉义县", "屏东县", "宜兰县", "花莲县",
           "台东县", "澎湖县", "金门县", "连江县", "桃园县", "台北县", "台中县", "台南县", "高雄县")
_NUM = r"[0-9一二三四五六七八九十百零〇两]"
# A Han character that can be part of a place or road name (not a verb/particle before it).
_RN = r"(?:(?![住在于址为到往去从自的了和与及是近对转搬迁居])[\u4e00-\u9fff])"
_HAN = r"[\u4e00-\u9fff]"
_DISTRICT = _RN + r"{1,3}?[区乡镇市]"
_VILLAGE = r"(?:" + _HAN + r"{1,3}?[里村])?(?:" + _NUM + r"{1,3}邻)?"
_ROAD_TAIL = r"(?:路|街|大道)(?:" + _NUM + r"{1,3}段)?"
ADDRESS_REGEX = (
    r"(?:[0-9]{3}(?:[0-9]{2,3})?[ \t]?)?(?:(?:台湾|中华民国)省?)?"
    r"(?:"
    # after a city/county or district, the road name may hold any character (自由一路)
    r"(?:(?:" + "|".join(_CITIES) + r")(?:" + _HAN + r"{1,3}?[区乡镇市])?|" + _DISTRICT + r")"
    + _VILLAGE + r"(?:" + _HAN + r"{1,6}?" + _ROAD_TAIL + r"|" + _HAN + r"{1,4}?段)"
    # a bare road: its name must not start with a verb/particle (住在中山路 → 中山路)
    r"|" + _RN + r"{1,6}?" + _ROAD_TAIL + r"|" + _RN + r"{1,4}?段"
    r")"
    r"(?:" + _NUM + r"{1,4}巷)?"
    r"(?:" + _NUM + r"{1,4}弄)?"
    r"(?:" + _NUM + r"{1,5}(?:[\-之]" + _NUM + r"{1,3})?号(?:之" + _NUM + r"{1,3})?)?"
    r"(?:[ \t]?(?:" + _NUM + r"{1,3}|[Bb][0-9])[ \t]?(?:楼|[Ff])(?:之" + _NUM + r"{1,3})?)?"
    r"(?:" + _NUM + r"{1,4}室)?"
)
_ADDRESS_HAS_CITY = re.compile("|".join(_CITIES))
_ADDRESS_NUMBERED = re.compile(_NUM + r"(?:巷|弄|号)")


# The old resident-certificate form (letter + A–D + 8 digits) has the same shape as NHI drug
# codes (AC12345100); about one drug code in ten also passes the checksum, so for that form the
# words around the match decide: drug/order words → not an ID, ID words → certain.
_DRUG_CONTEXT = re.compile(
    r"药|处方|医令|锭|颗|胶囊|针剂|注射|剂量|健保码|药码|品项|drug|order|code|nhi|atc|tab|cap|inj|mg\b|ml\b"
    r"|\bq[0-9]*d\b|\bbid\b|\btid\b|\bqid\b|\bhs\b|\bprn\b", re.IGNORECASE)
_ID_CONTEXT = re.compile(r"身分证|身份证|居留证|统一证号|证号|证件|\bid\b|\barc\b|patient", re.IGNORECASE)
CONTEXT_WINDOW = 24

# Batch analysis (``analyze_many``): many texts joined by SEGMENT_SEP go through the engine in
# one call; Presidio's per-call overhead dominated short clinical texts.  No pattern above can
# match SEGMENT_SEP and every look-around treats it like a text boundary, so pattern matches are
# those of each text alone; the recognisers that look at surrounding words clip their windows to
# the text's own segment, whose (start, end) offsets are held here while a batch is analysed.
SEGMENT_SEP = "\x00"
_SEGMENTS: contextvars.ContextVar[list[tuple[int, int]] | None] = contextvars.ContextVar(
    "segments", default=None)


def _segments(text: str) -> list[tuple[int, int]]:
    """(start, end) of each text in a batch; the whole text outside a batch."""
    return _SEGMENTS.get() or [(0, len(text))]


def _segment_bounds(text: str, offset: int) -> tuple[int, int]:
    """(start, end) of the text holding ``offset``."""
    segs = _segments(text)
    return segs[bisect_right(segs, offset, key=lambda seg: seg[0]) - 1]


def _in_hex_run(text: str, start: int, end: int) -> bool:
    lo, hi = max(0, start - 16), min(len(text), end + 16)
    return any(m.start() <= start - lo and m.end() >= end - lo for m in _HEX_RUN.finditer(text[lo:hi]))


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


class _NormalisingPatternRecognizer(PatternRecognizer):
    """A pattern recogniser that matches on the normalised text (same offsets).

    Matching uses the standard library's ``re`` rather than Presidio's loop over the ``regex``
    module: on the address pattern ``regex`` took 4× as long (1.7 s vs 0.4 s on a load's
    clinical texts), and Presidio gives each pattern a timeout after which it skips the
    pattern, so a text slow enough to match would go unmasked.  Here a slow text is slow, never
    missed.  Scores follow Presidio's rules: ``validate_result`` True → 1.0, False → dropped,
    None → the pattern's score; ``invalidate_result`` True → dropped."""

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        text = to_simplified(text)
        flags = regex_flags or self.global_regex_flags
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        results = []
        for pattern in self.patterns:
            for m in _compiled(pattern.regex, flags).finditer(text):
                start, end = m.span()
                if start == end:
                    continue
                found = text[start:end]
                score = pattern.score
                valid = self.validate_result(found)
                if valid is not None:
                    score = self.MAX_SCORE if valid else self.MIN_SCORE
                if self.invalidate_result(found):
                    score = self.MIN_SCORE
                if score > self.MIN_SCORE:
                    results.append(RecognizerResult(self.supported_entities[0], start, end, score,
                                                    recognition_metadata=dict(meta)))
        return EntityRecognizer.remove_duplicates(results)


class TaiwanIdRecognizer(_NormalisingPatternRecognizer):
    """National IDs and both forms of resident certificate numbers, checksum-validated."""

    def __init__(self) -> None:
        super().__init__(supported_entity="TW_ID", name="TaiwanIdRecognizer",
                         supported_language=LANGUAGE,
                         patterns=[Pattern("tw_id", ID_REGEX, 0.3)],
                         global_regex_flags=re.DOTALL | re.MULTILINE)

    def validate_result(self, pattern_text: str) -> bool:
        return taiwan_id.is_valid(compact_id(pattern_text))

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = []
        text = to_simplified(text)
        for r in super().analyze(text, entities, nlp_artifacts, regex_flags):
            if text[r.start].islower() and _in_hex_run(text, r.start, r.end):
                continue
            if text[r.start:r.end] != compact_id(text[r.start:r.end]):
                r.score = min(r.score, 0.8)  # separated digits: valid, but less certain
            if taiwan_id.kind(compact_id(text[r.start:r.end])) == "resident_old":
                lo, hi = _segment_bounds(text, r.start)
                around = (text[max(lo, r.start - CONTEXT_WINDOW):r.start] + " "
                          + text[r.end:min(hi, r.end + CONTEXT_WINDOW)])
                if _ID_CONTEXT.search(around):
                    r.score = 1.0
                elif _DRUG_CONTEXT.search(around):
                    continue
                else:
                    r.score = 0.6
            results.append(r)
        return results


class TaiwanPhoneRecognizer(_NormalisingPatternRecognizer):
    """Mobile and landline numbers; the digit count must fit the area code."""

    def __init__(self) -> None:
        super().__init__(supported_entity="TW_PHONE", name="TaiwanPhoneRecognizer",
                         supported_language=LANGUAGE,
                         patterns=[Pattern("tw_phone", PHONE_REGEX, 0.5)],
                         global_regex_flags=re.DOTALL | re.MULTILINE | re.IGNORECASE)

    def validate_result(self, pattern_text: str) -> bool:
        return tw_phone.is_valid(_EXT_SPLIT.split(pattern_text, maxsplit=1)[0])


class OfflineEmailRecognizer(_NormalisingPatternRecognizer):
    """E-mail addresses (own pattern: Presidio's one consults tldextract, which goes online).

    Named apart from Presidio's ``EmailRecognizer``: Presidio builds its default registry by
    looking recogniser classes up by class name among the loaded subclasses, so a subclass of
    the same name would replace (and break) its own in every later default engine."""

    def __init__(self) -> None:
        super().__init__(supported_entity="EMAIL_ADDRESS", name="OfflineEmailRecognizer",
                         supported_language=LANGUAGE,
                         patterns=[Pattern("email", EMAIL_REGEX, 0.9)],
                         global_regex_flags=re.DOTALL | re.MULTILINE)


class TaiwanAddressRecognizer(_NormalisingPatternRecognizer):
    """Street addresses: a road/lane plus a number, or a city + district + road."""

    def __init__(self) -> None:
        super().__init__(supported_entity="TW_ADDRESS", name="TaiwanAddressRecognizer",
                         supported_language=LANGUAGE,
                         patterns=[Pattern("tw_address", ADDRESS_REGEX, 0.7)],
                         global_regex_flags=re.DOTALL | re.MULTILINE)

    def validate_result(self, pattern_text: str) -> bool | None:
        # None keeps the pattern score: a shape check, not a checksum.
        text = pattern_text.strip()
        if len(text) < 4:
            return False
        ok = bool(_ADDRESS_NUMBERED.search(text)) or bool(
            _ADDRESS_HAS_CITY.match(text.lstrip("0123456789 台湾中华民国省")))
        return None if ok else False


class ChineseNameRecognizer(EntityRecognizer):
    """Chinese personal names: surname list + context words + jieba ``nr`` tags."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["ZH_PERSON"], name="ChineseNameRecognizer",
                         supported_language=LANGUAGE)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        simp = to_simplified(text)
        return [RecognizerResult("ZH_PERSON", lo + h.start, lo + h.end, h.score)
                for lo, hi in _segments(text) for h in find_names(text[lo:hi], simp[lo:hi])]


class RomanisedNameRecognizer(EntityRecognizer):
    """Taiwanese names in Latin letters (CHEN TA-MING, Ta-Ming Chen, CHEN^TA-MING)."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["ZH_PERSON_LATIN"], name="RomanisedNameRecognizer",
                         supported_language=LANGUAGE)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        # Structure only (no checksum to confirm it): a middling score.
        # windows are bounded by whitespace / letters, never cross SEGMENT_SEP: no split needed
        return [RecognizerResult("ZH_PERSON_LATIN", a, b, 0.7)
                for a, b in romanised_names.find(to_simplified(text))]


def recognizers() -> list[EntityRecognizer]:
    return [TaiwanIdRecognizer(), TaiwanPhoneRecognizer(), OfflineEmailRecognizer(),
            TaiwanAddressRecognizer(), ChineseNameRecognizer(), RomanisedNameRecognizer()]


class _NoContextEnhancer(ContextAwareEnhancer):
    """Context is handled inside the recognisers (ID and name context words); Presidio's lemma
    enhancer needs NLP tokens the no-op engine does not produce and deep-copies every result."""

    def __init__(self) -> None:
        super().__init__(context_similarity_factor=0.0, min_score_with_context_similarity=0.0,
                         context_prefix_count=0, context_suffix_count=0)

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        return raw_results


@functools.cache
def analyzer() -> AnalyzerEngine:
    """A Presidio engine that needs no spaCy model (no-op NLP engine), built once."""
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    registry = RecognizerRegistry(recognizers=recognizers(), supported_languages=[LANGUAGE])
    engine = AnalyzerEngine(registry=registry,
                            nlp_engine=NoOpNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "none"}]),
                            supported_languages=[LANGUAGE],
                            context_aware_enhancer=_NoContextEnhancer())
    return engine


def analyze(text: str) -> list[RecognizerResult]:
    """Presidio analysis of the original ``text`` with the recognisers above."""
    return analyzer().analyze(text, language=LANGUAGE)


def analyze_many(texts: Sequence[str], max_chars: int = 100_000) -> list[list[RecognizerResult]]:
    """``analyze`` of each text, computed in batches; offsets refer to each text.

    The result equals one ``analyze`` call per text (tested on the synthetic corpus): matches
    cannot cross SEGMENT_SEP and context windows are clipped to the segment.  A text that itself
    holds SEGMENT_SEP is analysed alone.  A result that crossed segments anyway would be split
    over them (masking more, never less)."""
    out: list[list[RecognizerResult]] = [[] for _ in texts]
    batch: list[int] = []
    size = 0

    def flush() -> None:
        segs, pos = [], 0
        for i in batch:
            segs.append((pos, pos + len(texts[i])))
            pos += len(texts[i]) + len(SEGMENT_SEP)
        token = _SEGMENTS.set(segs)
        try:
            results = analyze(SEGMENT_SEP.join(texts[i] for i in batch))
        finally:
            _SEGMENTS.reset(token)
        for r in results:
            k = bisect_right(segs, r.start, key=lambda seg: seg[0]) - 1
            while k < len(batch) and segs[k][0] < r.end:
                lo, hi = segs[k]
                a, b = max(r.start, lo), min(r.end, hi)
                if a < b:
                    out[batch[k]].append(RecognizerResult(r.entity_type, a - lo, b - lo, r.score))
                k += 1
        batch.clear()

    for i, t in enumerate(texts):
        if SEGMENT_SEP in t:
            out[i] = analyze(t)
            continue
        batch.append(i)
        size += len(t) + 1
        if size >= max_chars:
            flush()
            size = 0
    if batch:
        flush()
    return out
