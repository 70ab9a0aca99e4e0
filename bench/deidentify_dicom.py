"""Throughput of deidentify_dicom on generated 256×256 CT images, with and without OCR.

    python bench/deidentify_dicom.py [--n 20] [--seed 3]

Prints files/s for: the full pipeline (headers + tesseract OCR + saturated strokes) one file
at a time and batched (deidentify_dicom_many), strokes only (OCR off), and a header-only baseline (pydicom read/clean/write, pixels untouched), plus
how many cleaned images still show the patient ID to OCR (should be 0).
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import random
import time

import pydicom

from deidentify.dicom import PixelOptions, deidentify_dicom, deidentify_dicom_many
from deidentify.dicom.deid import _Cleaner, DicomReport
from deidentify.dicom.pixels import read_text, read_text_all_ways, to_display8
from deidentify.dicom.synthetic import make_dicom
from deidentify.identifiers import taiwan_id


def pseudonymise(value: str) -> str:
    return hmac.new(b"bench", value.encode(), hashlib.sha256).hexdigest()[:32]


def header_only(data: bytes) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(data))
    _Cleaner(pseudonymise, DicomReport()).clean(ds)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    files, ids = [], []
    for i in range(args.n):
        pid = taiwan_id.generate(rng)
        ids.append(pid)
        files.append(make_dicom(rng, "王^小明", pid, "19650704", "20220315",
                                f"WANG HSIAO-MING\nID {pid}\nDOB 1965-07-04"))

    t0 = time.perf_counter()
    deidentify_dicom(files[0], pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    print(f"cold start (first file: Presidio, jieba for the header sweep): {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    for f in files:
        header_only(f)
    base = time.perf_counter() - t0
    print(f"header-only baseline: {args.n / base:.1f} files/s")

    t0 = time.perf_counter()
    for f in files:
        deidentify_dicom(f, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    strokes = time.perf_counter() - t0
    print(f"headers + stroke masking (no OCR): {args.n / strokes:.1f} files/s")

    t0 = time.perf_counter()
    cleaned = [deidentify_dicom(f, pseudonymise=pseudonymise) for f in files]
    full = time.perf_counter() - t0
    print(f"full (headers + OCR + strokes): {args.n / full:.2f} files/s ({full / args.n * 1000:.0f} ms/file); "
          f"{full / base:.0f}x the header-only time")

    t0 = time.perf_counter()
    deidentify_dicom_many(files, pseudonymise=pseudonymise, batch=16,
                          options=PixelOptions(ocr_all_orientations=False))
    upright = time.perf_counter() - t0
    print(f"deidentify_dicom_many, OCR upright only (as before issue 14): {args.n / upright:.2f} files/s")

    t0 = time.perf_counter()
    batched = deidentify_dicom_many(files, pseudonymise=pseudonymise, batch=16)
    many = time.perf_counter() - t0
    assert all(isinstance(b, bytes) for b in batched)
    print(f"deidentify_dicom_many (one tesseract run per 16 files, upright + 4 orientations "
          f"contrast-normalised): {args.n / many:.2f} files/s ({many / args.n * 1000:.0f} ms/file); "
          f"{full / many:.1f}x faster than one by one; {many / upright:.1f}x the upright-only time")

    readable = sum(pid in read_text_all_ways(to_display8(pydicom.dcmread(io.BytesIO(c)).pixel_array)).replace(" ", "")
                   for c, pid in zip(cleaned, ids))
    before = sum(pid in read_text(to_display8(pydicom.dcmread(io.BytesIO(f)).pixel_array)).replace(" ", "")
                 for f, pid in zip(files[:5], ids[:5]))
    print(f"OCR reads the ID: before cleaning {before}/5 files, after cleaning (every orientation, "
          f"contrast-normalised) {readable}/{args.n}")


if __name__ == "__main__":
    main()
