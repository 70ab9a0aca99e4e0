"""E7: a PDF page read as it is shown, not only as its text layer says.

The checks read a PDF's text layer (pdfplumber, pypdf).  What a reader sees is drawn by the
page's glyphs, and the two can differ: numbers and words drawn as vector shapes have no text at
all, and a font's character map (ToUnicode) can send the glyph of "3" to the text "8", so the
checks read a large count where the page shows a small one.  Each page is rendered (pdfium, the
engine of Chrome's viewer) and read by tesseract; numbers and words the picture shows that the
text layer does not hold are added as a text unit of that page (the prose and identifier checks
read them) and the file goes to review with what differed.  A page that cannot be rendered or
read, or pages past ``MAX_PAGES``, go to review too (default deny).

OCR misreads one character in a few hundred on a clean rendering: a number is matched exactly
(a misread digit is a number the layer lacks, so review, never a pass), a Latin word within
one letter, a Han character as itself; only differences beyond ``_NOISE_WORDS`` words count.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter

import numpy as np

MAX_PAGES = 30               # a longer PDF is read by its text layer and goes to review
_SCALE = 200 / 72            # 200 dpi: digits of 8-point type read reliably
_LANGUAGES = "chi_tra+eng"
_TIMEOUT_S = 60
_NOISE_WORDS = 1             # unmatched Latin words or Han characters tolerated per page

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[A-Za-z]{3,}")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _numbers(text: str) -> Counter:
    return Counter(re.sub(r"[.,]", "", m) for m in _NUMBER.findall(text))


def differences(shown: str, layer: str) -> list[str]:
    """What ``shown`` (the OCR of the page) holds that ``layer`` (its text) does not: numbers
    exactly, Latin words within one letter, Han characters; [] when they agree."""
    extra = list((_numbers(shown) - _numbers(layer)).elements())
    layer_words = {w.lower() for w in _WORD.findall(layer)}
    words = [w for w in _WORD.findall(shown) if w.lower() not in layer_words
             and not difflib.get_close_matches(w.lower(), layer_words, n=1, cutoff=0.75)]
    han = sorted(set(_HAN.findall(shown)) - set(_HAN.findall(layer)))
    if len(words) + len(han) <= _NOISE_WORDS:
        words, han = [], []
    return extra + words + han


def _ink_box(gray: np.ndarray) -> tuple[int, int, int, int] | None:
    """The rectangle holding every non-white pixel (OCR time grows with the area)."""
    ink = gray < 200
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    pad = 12
    return (max(0, cols[0] - pad), max(0, rows[0] - pad), min(gray.shape[1], cols[-1] + pad + 1),
            min(gray.shape[0], rows[-1] + pad + 1))


def _ocr(images: list) -> list[str]:
    """One text per picture (tesseract writes a form feed after each)."""
    from deidentify.ocr import run_tesseract

    texts = run_tesseract(images, languages=_LANGUAGES, psm=3, timeout_s=_TIMEOUT_S).split("\f")
    return (texts + [""] * len(images))[:len(images)]


def read_as_shown(raw: bytes, layers: list[str]) -> tuple[list[tuple[int, str, list[str]]], list[tuple[dict, str]]]:
    """For each page whose picture shows what its text layer (``layers[k]``: page text, table
    cells and annotations) does not: (page number, the page's OCR text, what differed); and the
    places that could not be read as shown, with the reason."""
    import pypdfium2 as pdfium
    from PIL import Image

    failed: list[tuple[dict, str]] = []
    if len(layers) > MAX_PAGES:
        failed.append(({}, f"{len(layers)} pages: only the text layer was read (more than {MAX_PAGES} "
                           f"pages are not rendered); a reviewer compares what the pages show"))
        return [], failed
    try:
        doc = pdfium.PdfDocument(raw)
    except Exception as e:  # noqa: BLE001 - pdfium refuses what pypdf read: a person looks
        return [], [({}, f"the pages could not be rendered to compare with their text ({type(e).__name__})")]
    pictures, pages = [], []
    try:
        for k in range(min(len(doc), len(layers))):
            gray = doc[k].render(scale=_SCALE, grayscale=True).to_numpy()
            gray = gray if gray.ndim == 2 else gray[..., 0]
            box = _ink_box(gray)
            if box is None:
                continue
            pictures.append(Image.fromarray(np.ascontiguousarray(gray[box[1]:box[3], box[0]:box[2]])))
            pages.append(k)
    except Exception as e:  # noqa: BLE001
        return [], [({}, f"a page could not be rendered to compare with its text ({type(e).__name__})")]
    finally:
        doc.close()
    if not pictures:
        return [], failed
    try:
        texts = _ocr(pictures)
    except (RuntimeError, OSError) as e:   # OcrUnavailable is a RuntimeError
        return [], [({}, f"the pages could not be read as shown: {e}")]
    out = []
    for k, shown in zip(pages, texts):
        diff = differences(shown, layers[k])
        if diff:
            out.append((k + 1, shown, diff))
    return out, failed
