"""Throughput of deidentify_dicom on generated 256×256 CT images, with and without OCR.

    python bench/deidentify_dicom.py [--n 20] [--seed 3]
    python bench/deidentify_dicom.py --read [--n 200] [--pairs 6]
    python bench/deidentify_dicom.py --cine [--frames 200]
    python bench/deidentify_dicom.py --faint [--n 40]


Prints files/s for: the full pipeline (headers + tesseract OCR + saturated strokes) one file
at a time and batched (deidentify_dicom_many), strokes only (OCR off), and a header-only baseline (pydicom read/clean/write, pixels untouched), plus
how many cleaned images still show the patient ID to OCR (should be 0).

``--read``: what encryption at rest costs a reader of released images (issue 15, O3): CPU of
reading the same files sealed (``datasets.dicom_crypto.read_file``: key derivation, AES-GCM)
against plain (``Path.read_bytes``), bytes only and bytes + ``pydicom.dcmread`` + pixels, in
pairs whose order alternates; prints each pair's ratio.

``--cine``: a long cine (``--frames`` 256×256 frames, text static over moving anatomy, D1): time
to de-identify it (reduced to a few images, ``deidentify.dicom.cine``) against OCR of every
frame (cap raised above the frame count), and whether it was held or released.
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
from deidentify.dicom.burned_in import HeldForReview
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


def read_bench(n: int, pairs: int, seed: int) -> None:
    import os
    import tempfile
    from pathlib import Path

    from datasets import dicom_crypto as DC
    from datasets import parquet_crypto as PC

    rng = random.Random(seed)
    master = os.urandom(32)
    on = PC.Scope(PC.case_scope("BENCH"), PC.scope_kek(master, PC.case_scope("BENCH")), True)
    with tempfile.TemporaryDirectory() as tmp:
        plain_dir, sealed_dir = Path(tmp, "plain", "dicom"), Path(tmp, "sealed", "dicom")
        plain_dir.mkdir(parents=True)
        sealed_dir.mkdir(parents=True)
        names = []
        for i in range(n):
            data = make_dicom(rng, "王^小明", taiwan_id.generate(rng), "19650704", "20220315", "")
            name = f"{i:06d}.dcm"
            (plain_dir / name).write_bytes(data)
            DC.write_file(sealed_dir / name, data, on, f"dicom/{name}")
            names.append(name)
        size = (plain_dir / names[0]).stat().st_size

        def plain(parse: bool) -> float:
            t = time.process_time()
            for nm in names:
                b = (plain_dir / nm).read_bytes()
                if parse:
                    pydicom.dcmread(io.BytesIO(b)).pixel_array
            return time.process_time() - t

        def sealed(parse: bool) -> float:
            t = time.process_time()
            for nm in names:
                b = DC.read_file(sealed_dir / nm, on, f"dicom/{nm}")
                if parse:
                    pydicom.dcmread(io.BytesIO(b)).pixel_array
            return time.process_time() - t

        plain(True), sealed(True)   # warm the page cache and imports
        print(f"{n} CT images of {size // 1024} KiB, CPU per pass (sealed / plain):")
        for parse, label in ((False, "bytes only"), (True, "bytes + dcmread + pixels")):
            ratios = []
            for k in range(pairs):
                if k % 2:
                    b, a = sealed(parse), plain(parse)
                else:
                    a, b = plain(parse), sealed(parse)
                ratios.append(b / a)
                print(f"  {label}: plain {a * 1000 / n:.3f} ms/file, sealed {b * 1000 / n:.3f} "
                      f"ms/file, ratio {b / a:.2f}")
            ratios.sort()
            print(f"  {label}: ratio median {ratios[len(ratios) // 2]:.2f} "
                  f"(range {ratios[0]:.2f}-{ratios[-1]:.2f})")


def cine_bench(frames: int) -> None:
    import numpy as np

    from deidentify.dicom.burned_in import HeldForReview
    from deidentify.dicom.synthetic import make_cine

    base = pydicom.dcmread(io.BytesIO(make_dicom(random.Random(1), "王^小明", "A123456789", "19650704",
                                                 "20220315", "WANG HSIAO-MING\nID A123456789"))).pixel_array
    from scipy import ndimage

    # anatomy sways smoothly (sub-pixel shifts every frame), the text rows stay put
    stack = np.stack([ndimage.shift(base.astype(np.float32), (4 * np.sin(t / 5), 0), order=1,
                                    mode="nearest") for t in range(frames)])
    noise = np.random.default_rng(0).normal(0, 12, stack.shape)   # fresh noise in every frame
    stack = np.clip(stack + noise, 0, 4095)
    stack[:, 4:60, :] = base[np.newaxis, 4:60, :]      # the text rows stay put
    data = make_cine(random.Random(2), stack.astype(np.uint16), "XA")
    for label, cap in (("policy cap (reduced to a few images)", None), ("every frame read", frames)):
        opts = PixelOptions.from_policy(**({} if cap is None else {"ocr_max_frames": cap}))
        t0 = time.perf_counter()
        try:
            deidentify_dicom(data, pseudonymise=pseudonymise, options=opts)
            outcome = "released"
        except HeldForReview as exc:
            outcome = f"held ({exc})"
        took = time.perf_counter() - t0
        print(f"{frames}-frame cine, {label}: {took:.1f} s ({took / frames * 1000:.0f} ms/frame), {outcome}")


def faint_bench(n: int) -> None:
    import itertools

    import numpy as np

    from deidentify.dicom import local_contrast, phantoms, sharp_steps
    from deidentify.dicom.burned_in import HeldForReview
    from deidentify.dicom.synthetic import make_cine

    total = 0
    for kind in phantoms.KINDS:
        found = 0
        for s in range(n):
            frame = phantoms.phantom(kind, 1000 + s, ruler=s % 4 == 0)
            found += bool(local_contrast.find_lines(frame) or sharp_steps.text_bands(frame))
        total += found
        print(f"clean {kind}: text-like line in {found}/{n} (every 4th with a ruler)")
    print(f"clean, all kinds: {total}/{n * len(phantoms.KINDS)} would be held")
    # CPU per frame: the median map alone, every map, every map + the bands of sharp steps
    # (same process, order alternating)
    for size, kind in ((256, "ct"), (512, "ct"), (256, "rgb")):
        frame = phantoms.phantom(kind, 1, size=size)
        cost = {"median map only": 0.0, "all maps": 0.0, "all maps + sharp steps": 0.0}
        for k in range(6):
            for label in (list(cost) if k % 2 else list(reversed(list(cost)))):
                t0 = time.process_time()
                if label.startswith("median"):
                    local_contrast.find_lines(frame, similar=False, planes=False)
                else:
                    local_contrast.find_lines(frame)
                if label.endswith("steps"):
                    sharp_steps.text_bands(frame)
                local_contrast.rendering(frame)
                cost[label] += (time.process_time() - t0) / 6
        print(f"{kind} {size}x{size}: lines + 2 OCR pages, " +
              ", ".join(f"{label} {v * 1000:.0f} ms CPU/frame" for label, v in cost.items()))
    opts = PixelOptions.from_policy(ocr_all_orientations=False)
    outcome = {"blanked": 0, "held": 0, "readable": 0}
    for k, (kind, delta, where, turns) in enumerate(itertools.product(("ct", "mr"), (10, -10, 15, -15),
                                                                      ("corner", "mid"), (0, 1))):
        frame = phantoms.phantom(kind, 500 + k, noise=2.0)
        mask = phantoms.text_mask("CHEN TA-MING", "sans-bold", 14, turns)
        at = (8, 8) if where == "corner" else (120 - mask.shape[0] // 2, 128 - mask.shape[1] // 2)
        if kind == "mr" and where == "corner" and delta < 0:
            delta = -delta    # air: nothing darker than 0
        img = phantoms.put_text(frame, mask, at, delta)
        glyphs = np.zeros(img.shape, bool)
        glyphs[at[0]:at[0] + mask.shape[0], at[1]:at[1] + mask.shape[1]] = mask
        try:
            out = deidentify_dicom(make_cine(random.Random(k), img[np.newaxis], kind.upper()),
                                   pseudonymise=pseudonymise, options=opts)
        except HeldForReview:
            outcome["held"] += 1
            continue
        cleaned = pydicom.dcmread(io.BytesIO(out)).pixel_array
        ys, xs = np.nonzero(glyphs)
        region = cleaned[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        flat = np.unique(region, return_counts=True)[1].max() / region.size
        kept = (cleaned[glyphs] == img[glyphs]).mean()
        verdict = "blanked" if flat >= 0.97 or kept < 0.05 else "readable"
        outcome[verdict] += 1
        if verdict == "readable":
            print(f"  released readable: {kind} {delta:+d} {where} turns {turns}")
    print(f"faint text grid (32 files, upright OCR): {outcome}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--read", action="store_true", help="cost of reading sealed images (O3)")
    ap.add_argument("--pairs", type=int, default=6)
    ap.add_argument("--cine", action="store_true", help="cost of a long cine (D1)")
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--faint", action="store_true", help="faint burned-in text (D1)")
    args = ap.parse_args()
    if args.faint:
        faint_bench(args.n or 40)
        return
    if args.cine:
        cine_bench(args.frames)
        return
    if args.read:
        read_bench(args.n or 200, args.pairs, args.seed)
        return
    args.n = args.n or 20
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

    # a file the pixel checks hold for review is an outcome, not a crash: counted, its time kept
    # (a synthetic spine's hard edge can read as a text-like line: held, as real text would be)
    t0, c0 = time.perf_counter(), _cpu()
    cleaned, held = [], 0
    for f in files:
        try:
            cleaned.append(deidentify_dicom(f, pseudonymise=pseudonymise))
        except HeldForReview:
            cleaned.append(None)
            held += 1
    full, full_cpu = time.perf_counter() - t0, _cpu() - c0
    print(f"full (headers + OCR + strokes): {args.n / full:.2f} files/s ({full / args.n * 1000:.0f} ms/file, "
          f"{full_cpu / args.n * 1000:.0f} ms CPU/file with tesseract); {full / base:.0f}x the header-only time; "
          f"held for review {held}/{args.n}")

    t0 = time.perf_counter()
    deidentify_dicom_many(files, pseudonymise=pseudonymise, batch=16,
                          options=PixelOptions(ocr_all_orientations=False))
    upright = time.perf_counter() - t0
    print(f"deidentify_dicom_many, OCR upright only (as before issue 14): {args.n / upright:.2f} files/s")

    t0, c0 = time.perf_counter(), _cpu()
    batched = deidentify_dicom_many(files, pseudonymise=pseudonymise, batch=16)
    many, many_cpu = time.perf_counter() - t0, _cpu() - c0
    failed = [b for b in batched if not isinstance(b, (bytes, HeldForReview))]
    assert not failed, failed
    print(f"deidentify_dicom_many (one tesseract run per 16 files, upright + 4 orientations "
          f"contrast-normalised): {args.n / many:.2f} files/s ({many / args.n * 1000:.0f} ms/file, "
          f"{many_cpu / args.n * 1000:.0f} ms CPU/file); {full / many:.1f}x faster than one by one; "
          f"{many / upright:.1f}x the upright-only time; held {sum(not isinstance(b, bytes) for b in batched)}/{args.n}")

    readable = sum(pid in read_text_all_ways(to_display8(pydicom.dcmread(io.BytesIO(c)).pixel_array)).replace(" ", "")
                   for c, pid in zip(cleaned, ids) if c is not None)
    before = sum(pid in read_text(to_display8(pydicom.dcmread(io.BytesIO(f)).pixel_array)).replace(" ", "")
                 for f, pid in zip(files[:5], ids[:5]))
    print(f"OCR reads the ID: before cleaning {before}/5 files, after cleaning (every orientation, "
          f"contrast-normalised) {readable}/{args.n - held} released")


def _cpu() -> float:
    """CPU seconds of this process and of the tesseract processes it waited for."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    main()
