"""Importing our recognisers must leave Presidio's own default engine working in the same process.

Presidio builds its default registry by looking recogniser classes up *by class name* among the
loaded subclasses; a class of ours with the name of one of Presidio's (our e-mail recogniser was
once called ``EmailRecognizer``) replaced Presidio's and broke every later ``AnalyzerEngine()``.
"""
from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from presidio_analyzer import EntityRecognizer

import deidentify.text.recognizers as R


def _our_recogniser_classes():
    return [c for _, c in inspect.getmembers(R, inspect.isclass)
            if issubclass(c, EntityRecognizer) and c.__module__ == R.__name__]


def _presidio_class_names() -> set[str]:
    import presidio_analyzer.predefined_recognizers as p

    return {n for n, c in inspect.getmembers(p, inspect.isclass) if issubclass(c, EntityRecognizer)}


@pytest.mark.parametrize("cls", _our_recogniser_classes(), ids=lambda c: c.__name__)
def test_no_recogniser_class_shares_a_name_with_presidios(cls):
    assert cls.__name__ not in _presidio_class_names()


def test_every_recogniser_in_use_is_checked():
    in_use = {type(r) for r in R.recognizers()}
    assert in_use <= set(_our_recogniser_classes())
    assert len(in_use) >= 6


_SCRIPT = r"""
import deidentify.text.recognizers as R
R.analyze("病患陳大明 a.b@example.com")          # our engine built and used first
from tests.deidentify.eval.presidio_default import default_engine
found = default_engine().analyze("write to john.smith@example.org please", language="en")
print(sorted({r.entity_type for r in found}))
"""


def test_default_presidio_engine_works_after_our_import():
    # a fresh interpreter: the import order is the point, and pytest may have imported Presidio
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "EMAIL_ADDRESS" in out.stdout
