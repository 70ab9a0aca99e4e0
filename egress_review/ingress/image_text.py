"""The text an imported picture shows (D4).

A photographed or screenshotted patient list was brought in as a PNG "reference" and passed:
the import checks read an image's metadata, never its pixels.  Pictures are now read with
tesseract (one run for all of an import's pictures, through ``deidentify.ocr``) and what they
show goes through the same identifier checks as a text file.  What cannot be read - too many
pictures, too large, other frames of a multi-frame file, no tesseract - goes to a person with
the reason; it is never taken as "no text".
"""
from __future__ import annotations

import io
from dataclasses import dataclass

LANGUAGES = "chi_tra+eng"
MIN_SIDE = 12          # pixels: nothing smaller holds a readable line of text


@dataclass
class Reading:
    texts: dict[str, str]            # leaf path -> the text it shows
    unread: list[tuple[object, str, str]]    # the picture's leaf, reason (en), reason (zh)


def read_pictures(pictures: list, *, max_images: int, max_pixels: int,
                  timeout_s: float) -> Reading:
    from PIL import Image

    from deidentify.ocr import OcrUnavailable, run_tesseract

    texts: dict[str, str] = {}
    unread: list[tuple[object, str, str]] = []
    batch: list[tuple[object, object]] = []   # the import's leaves (``archives._Leaf``: path, top, data)
    for k, pic in enumerate(pictures):
        if k >= max_images:
            unread.append((pic, f"more than {max_images} pictures in one import: not read",
                           f"單次帶入超過 {max_images} 張圖片，未讀取"))
            continue
        try:
            with Image.open(io.BytesIO(pic.data)) as im:
                w, h = im.size
                frames = getattr(im, "n_frames", 1)
                if w * h > max_pixels:
                    unread.append((pic, f"{w}x{h} pixels, over {max_pixels}: not read",
                                   f"{w}x{h} 像素，超過 {max_pixels}，未讀取"))
                    continue
                if frames > 1:
                    unread.append((pic, f"{frames} frames: only the first is read",
                                   f"共 {frames} 格，僅讀取第一格"))
                if min(w, h) < MIN_SIDE:
                    texts[pic.path] = ""
                    continue
                batch.append((pic, im.convert("L")))
        except Exception as e:  # noqa: BLE001 - PIL raises many types for broken pictures
            unread.append((pic, f"the picture does not open ({type(e).__name__})",
                           f"圖片無法開啟（{type(e).__name__}）"))
    if batch:
        try:
            out = run_tesseract([im for _, im in batch], languages=LANGUAGES, psm=1, timeout_s=timeout_s)
        except OcrUnavailable as e:
            unread += [(pic, f"text recognition unavailable ({e})", f"無法辨識文字（{e}）") for pic, _ in batch]
        else:
            pages = out.split("\f")
            for n, (pic, _) in enumerate(batch):
                texts[pic.path] = pages[n] if n < len(pages) else ""
            _second_look(batch, texts, max_pixels, timeout_s, unread)
    return Reading(texts, unread)


def _second_look(batch, texts: dict[str, str], max_pixels: int, timeout_s: float, unread) -> None:
    """A picture that shows any text is read again upside down and enlarged: a list turned
    over or shrunk to a few pixels a line reads as noise the first time (tesseract's own
    orientation pass turns quarter turns, not half turns).  Pictures without text, most
    training images, are not read twice."""
    from PIL import Image

    from deidentify.ocr import OcrUnavailable, run_tesseract

    again: list[tuple[str, object]] = []
    for pic, im in batch:
        if not texts.get(pic.path, "").strip():
            continue
        again.append((pic.path, im.rotate(180, expand=True)))
        w, h = im.size
        scale = min(2.0, (max_pixels / max(w * h, 1)) ** 0.5)
        if scale >= 1.5:
            again.append((pic.path, im.resize((int(w * scale), int(h * scale)), Image.LANCZOS)))
    if not again:
        return
    try:
        out = run_tesseract([im for _, im in again], languages=LANGUAGES, psm=1, timeout_s=timeout_s)
    except OcrUnavailable as e:
        unread += [(next(p for p, _ in batch if p.path == path), f"second reading unavailable ({e})",
                    f"第二次辨識無法執行（{e}）") for path in dict(again)]
        return
    for (path, _), page in zip(again, out.split("\f")):
        texts[path] += "\n" + page
