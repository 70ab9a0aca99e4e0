"""Presidio's default ``AnalyzerEngine`` as a baseline, built without network access.

Presidio's defaults want the spaCy model ``en_core_web_lg``, which is not on PyPI and cannot be
fetched here; the engine is given a blank English spaCy pipeline instead (tokeniser only, no
NER), with Presidio's default recogniser registry.  Without the NER model the baseline is
*faster* than the real default, so a throughput ratio against it understates ours.
"""
from __future__ import annotations

import functools
import tempfile


@functools.cache
def default_engine():
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    path = tempfile.mkdtemp(prefix="blank-spacy-en-")
    spacy.blank("en").to_disk(path)
    return AnalyzerEngine(nlp_engine=SpacyNlpEngine(models=[{"lang_code": "en", "model_name": path}]))
