"""Presidio recognisers for Taiwanese personal data, and an offline Presidio engine.

Scrubbing no longer goes through this engine: ``deidentify.text.finders`` calls the same finder
functions directly (issue 14).  These classes wrap those functions for whoever wants our
recognisers inside a Presidio engine, and serve as the reference the direct path is tested
against (``tests/deidentify/test_direct_finders.py``).

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

from deidentify.identifiers.normalise import normalise_for_finders
from deidentify.text import finders
from deidentify.text.finders import EMAIL_REGEX, EMAIL_SCORE, ENTITY_KIND  # noqa: F401  (ENTITY_KIND: callers)

LANGUAGE = "zh"

# Batch analysis (``analyze_many``): many texts joined by SEGMENT_SEP go through the engine in
# one call; Presidio's per-call overhead dominated short clinical texts.  Every finder runs on
# each text's own segment, so findings and context windows are those of each text alone; the
# segments' (start, end) offsets are held here while a batch is analysed.
SEGMENT_SEP = "\x00"
_SEGMENTS: contextvars.ContextVar[list[tuple[int, int]] | None] = contextvars.ContextVar(
    "segments", default=None)


def _segments(text: str) -> list[tuple[int, int]]:
    """(start, end) of each text in a batch; the whole text outside a batch."""
    return _SEGMENTS.get() or [(0, len(text))]


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


class _NormalisingPatternRecognizer(PatternRecognizer):
    """A pattern recogniser that matches on the normalised text (same offsets).

    Matching uses the standard library's ``re`` rather than Presidio's loop over the ``regex``
    module, which gives each pattern a timeout after which it skips the pattern, so a text
    slow enough to match would go unmasked.  Here a slow text is slow, never missed.  Scores
    follow Presidio's rules: ``validate_result`` True → 1.0, False → dropped, None → the
    pattern's score; ``invalidate_result`` True → dropped."""

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        text = normalise_for_finders(text)
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


class OfflineEmailRecognizer(_NormalisingPatternRecognizer):
    """E-mail addresses (own pattern: Presidio's one consults tldextract, which goes online).

    Named apart from Presidio's ``EmailRecognizer``: Presidio builds its default registry by
    looking recogniser classes up by class name among the loaded subclasses, so a subclass of
    the same name would replace (and break) its own in every later default engine."""

    def __init__(self) -> None:
        super().__init__(supported_entity="EMAIL_ADDRESS", name="OfflineEmailRecognizer",
                         supported_language=LANGUAGE,
                         patterns=[Pattern("email", EMAIL_REGEX, EMAIL_SCORE)],
                         global_regex_flags=re.DOTALL | re.MULTILINE)


class _FinderRecognizer(EntityRecognizer):
    """A recogniser around a finder function of ``deidentify.identifiers`` that takes the
    normalised text of one segment and returns (start, end[, score]) spans."""

    ENTITY = ""
    SCORE = 0.7

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=type(self).__name__,
                         supported_language=LANGUAGE)

    def load(self) -> None:
        pass

    def __init_subclass__(cls, **kw):
        # every finder states its spans; a subclass without them is a programming error,
        # caught when the class is defined rather than when a text is scrubbed
        super().__init_subclass__(**kw)
        if "spans" not in vars(cls):
            raise TypeError(f"{cls.__name__} must define spans(simp, original)")

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        simp = normalise_for_finders(text)
        out = []
        for lo, hi in _segments(text):
            for found in self.spans(simp[lo:hi], text[lo:hi]):
                a, b = found[0], found[1]
                score = found[2] if len(found) > 2 else self.SCORE
                if b > a and score > 0:
                    out.append(RecognizerResult(self.ENTITY, lo + a, lo + b, score))
        return out


class TaiwanIdRecognizer(_FinderRecognizer):
    """National IDs and both forms of resident certificate numbers, checksum-validated, written
    with any separators, in any case or width."""

    ENTITY = "TW_ID"
    spans = staticmethod(finders.id_spans)


def _finder_recognizer(name: str, entity: str, doc: str) -> type[_FinderRecognizer]:
    """A recogniser class around the finder of ``entity`` in ``finders.FINDERS``."""
    _, finder, default = next(f for f in finders.FINDERS if f[0] == entity)
    return type(name, (_FinderRecognizer,),
                {"__doc__": doc, "ENTITY": entity, "SCORE": default, "spans": staticmethod(finder)})


TaiwanPhoneRecognizer = _finder_recognizer(
    "TaiwanPhoneRecognizer", "TW_PHONE",
    "Mobile and landline numbers (+886, 00886, (02), any separators), structurally valid; local "
    "numbers without an area code after a phone word.")
TaiwanAddressRecognizer = _finder_recognizer(
    "TaiwanAddressRecognizer", "TW_ADDRESS", "Street and rural addresses, the whole chain from postcode to floor.")
BirthDateRecognizer = _finder_recognizer(
    "BirthDateRecognizer", "TW_DOB", "Dates of birth (Western and ROC calendars) next to a birth word.")
RecordNumberRecognizer = _finder_recognizer(
    "RecordNumberRecognizer", "TW_MRN", "Medical record numbers after a record-number label.")
NhiCardRecognizer = _finder_recognizer("NhiCardRecognizer", "TW_NHI_CARD", "Twelve-digit NHI card numbers.")
ChineseNameRecognizer = _finder_recognizer(
    "ChineseNameRecognizer", "ZH_PERSON", "Chinese personal names: surname list + context words + jieba ``nr`` tags.")
ContextNameRecognizer = _finder_recognizer(
    "ContextNameRecognizer", "ZH_PERSON_CONTEXT",
    "Chinese names found by context whatever the surname, lists, titles, dotted names.")
RomanisedNameRecognizer = _finder_recognizer(
    "RomanisedNameRecognizer", "ZH_PERSON_LATIN",
    "Taiwanese names in Latin letters with a hyphenated given name (CHEN TA-MING).")
LatinNameRecognizer = _finder_recognizer(
    "LatinNameRecognizer", "PERSON_LATIN", "Western names and romanised names without hyphens (Wang Xiaoming).")


class LabelledIdentifierRecognizer(EntityRecognizer):
    """Identifiers known by a label or a loose shape (``deidentify.identifiers.labelled``), one
    pass per segment for all their kinds: numbers after ID/passport/permit/licence labels
    whatever the check digit and unbroken ID shapes failing it (0.75, below a verified ID's so
    that kind wins a tie), messenger handles and bank accounts, licence plates, IP addresses and
    URLs (0.85)."""

    def __init__(self) -> None:
        super().__init__(supported_entities=list(dict.fromkeys([*finders.LABELLED_ENTITY.values(),
                                                                *finders.STRUCTURED_ENTITY.values()])),
                         name=type(self).__name__,
                         supported_language=LANGUAGE)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        simp = normalise_for_finders(text)
        out = []
        for lo, hi in _segments(text):
            for entity, a, b, score in finders.labelled_spans(simp[lo:hi], text[lo:hi]):
                out.append(RecognizerResult(entity, lo + a, lo + b, score))
        return out


class AliasNameRecognizer(_FinderRecognizer):
    """A person's other name in brackets beside a name the name recognisers find
    (阮氏蘭（Nguyễn Thị Lan）, Walis Nokan（瓦歷斯·諾幹）)."""

    ENTITY = "ALIAS_PERSON"
    SCORE = 0.85
    spans = staticmethod(finders.alias_spans)


def recognizers() -> list[EntityRecognizer]:
    return [TaiwanIdRecognizer(), TaiwanPhoneRecognizer(), OfflineEmailRecognizer(),
            TaiwanAddressRecognizer(), BirthDateRecognizer(), RecordNumberRecognizer(), NhiCardRecognizer(),
            ChineseNameRecognizer(), ContextNameRecognizer(), RomanisedNameRecognizer(), LatinNameRecognizer(),
            LabelledIdentifierRecognizer(), AliasNameRecognizer()]


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
