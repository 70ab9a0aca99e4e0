"""One tesseract run over many pictures: the one way this project calls OCR.

Used by the DICOM pixel scrub (``deidentify.dicom.pixels``: burned-in text) and the egress
reader of PDF pages as shown (``egress_review.engine.readers.pdf_shown``).  The pictures go
through one process and a list file, so the language model loads once; OpenMP is held to one
thread (tesseract's own threads fight the caller's on a small host).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile


class OcrUnavailable(RuntimeError):
    """tesseract is missing or failed: a caller never treats that as "no text"."""


def run_tesseract(images: list, *, languages: str, psm: int, timeout_s: float,
                  tsv: bool = False) -> str:
    """tesseract's output for ``images`` (PIL images) read in order; with ``tsv`` its
    word table, else plain text with a form feed after each picture."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise OcrUnavailable("tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-chi-tra)")
    with tempfile.TemporaryDirectory(prefix="enclave-ocr-") as tmp:
        paths = []
        for k, img in enumerate(images):
            paths.append(os.path.join(tmp, f"image{k:05d}.png"))
            # read once by tesseract: zlib's fastest level, lossless like any other (the
            # default spent as much CPU on a noisy upscaled page as tesseract reading it)
            img.save(paths[-1], compress_level=1)
        listing = os.path.join(tmp, "images.txt")
        with open(listing, "w") as fh:
            fh.write("\n".join(paths) + "\n")
        args = [exe, paths[0] if len(paths) == 1 else listing, "stdout", "-l", languages,
                "--psm", str(psm)] + (["tsv"] if tsv else [])
        try:
            proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s * len(images),
                                  env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        except subprocess.TimeoutExpired as e:
            raise OcrUnavailable(f"tesseract did not finish within {e.timeout:.0f} s") from None
    if proc.returncode != 0:
        raise OcrUnavailable(f"tesseract failed ({proc.returncode}): {proc.stderr.strip()[:300]}")
    return proc.stdout
