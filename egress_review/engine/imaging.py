"""E5: imaging results, figures and models never pass automatically; originals never leave.

- every file of a kind in ``committee_kinds`` (figures/thumbnails, model weights), and every
  notebook with embedded images, gets a ``review`` finding with ``committee: true``: it needs the
  requester's explanation and committee approval;
- any exported file that contains an original image blocks: byte-identical (SHA-256, or the
  original's bytes found inside the file) or near-identical (a 64-bit difference hash within
  ``image_hash_max_distance`` bits) against the originals in ``original_images_dir``.
"""
from __future__ import annotations

import base64
import hashlib
import io
from functools import lru_cache
from pathlib import Path

import numpy as np

from datasets import blob_crypto, dicom_crypto
from egress_review.engine.content import decode, notebook_segments, strip_data_uris
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E5"
CHECK = "imaging"
KINDS = {"table", "figure", "text", "code", "notebook", "model"}


def dhash_image(im) -> int:
    """64-bit difference hash: 9x8 grey thumbnail, one bit per left<right neighbour pair."""
    from PIL import Image

    g = np.asarray(im.convert("L").resize((9, 8), Image.Resampling.LANCZOS), dtype=np.int16)
    bits = (g[:, 1:] > g[:, :-1]).flatten()
    return int("".join("1" if b else "0" for b in bits), 2)


def _open_any(data: bytes, name: str):
    from PIL import Image

    if name.lower().endswith(".dcm") or data[128:132] == b"DICM":
        import pydicom

        ds = pydicom.dcmread(io.BytesIO(data))
        arr = ds.pixel_array.astype(float)
        if arr.ndim > 2:
            arr = arr[0] if arr.shape[-1] not in (3, 4) else arr.mean(axis=-1)
        lo, hi = float(arr.min()), float(arr.max())
        arr = (arr - lo) / (hi - lo or 1) * 255
        return Image.fromarray(arr.astype(np.uint8))
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def _signature(directory: Path) -> tuple:
    """Names, sizes and mtimes: a changed originals directory is read again."""
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                 for p in sorted(directory.rglob("*")) if p.is_file())


@lru_cache(maxsize=8)
def _originals(directory: str, signature: tuple = ()) -> tuple[dict[str, str], list[tuple[int, str]], list[tuple[bytes, str]]]:
    """sha256 -> name, [(dhash, name)], [(a 64-byte probe from the middle, name)]."""
    shas: dict[str, str] = {}
    hashes: list[tuple[int, str]] = []
    probes: list[tuple[bytes, str]] = []
    for p in sorted(Path(directory).rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        if data.startswith(blob_crypto.MAGIC):   # an extract's image sealed at rest (O3)
            data = dicom_crypto.read_at(p)
        shas[hashlib.sha256(data).hexdigest()] = p.name
        if len(data) >= 256:
            mid = len(data) // 2
            probes.append((data[mid:mid + 64], p.name))
        try:
            hashes.append((dhash_image(_open_any(data, p.name)), p.name))
        except Exception:
            continue
    return shas, hashes, probes


def _match(ctx: Context, data: bytes, name: str) -> tuple[str, str] | None:
    if ctx.original_images_dir is None:
        return None
    d = ctx.original_images_dir.resolve()
    shas, hashes, probes = _originals(str(d), _signature(d))
    sha = hashlib.sha256(data).hexdigest()
    if sha in shas:
        return "byte-identical to", shas[sha]
    for probe, orig in probes:
        if probe in data:
            return "contains the bytes of", orig
    try:
        h = dhash_image(_open_any(data, name))
    except Exception:
        return None
    for oh, orig in hashes:
        if bin(h ^ oh).count("1") <= ctx.policy.image_hash_max_distance:
            return "near-identical to", orig
    return None


def _block(ctx, spec, loc, how, orig):
    ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location=loc,
            en=f"This is {how} the original image {orig}: nothing exported may contain an original.",
            zh=f"此內容與原始影像 {orig} {'相同' if how != 'near-identical to' else '幾乎相同'}：輸出物不得包含任何原始檔案。")


def check_file(ctx: Context, spec: ManifestFile) -> None:
    full = ctx.full(spec)
    data = full.read_bytes()
    images: list[tuple[dict, bytes, str]] = []
    if spec.kind in ctx.policy.committee_kinds and spec.path not in ctx.data_figures:
        what = {"figure": "figures and thumbnails", "model": "models and weights"}.get(spec.kind, spec.kind)
        ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={},
                committee=True,
                en=f"{what.capitalize()} never pass automatically: the requester explains them and "
                   "the committee approves.",
                zh=f"{'圖表與縮圖' if spec.kind == 'figure' else '模型與權重' if spec.kind == 'model' else spec.kind}"
                   "不會自動通過：須由申請人說明並經委員會核准。")
    if spec.kind == "notebook" or full.suffix.lower() == ".ipynb":
        import json

        try:
            nb = json.loads(data.decode("utf-8-sig"))
            _, imgs = notebook_segments(nb)
        except (ValueError, UnicodeDecodeError):
            imgs = []
        for ci, mime, b64 in imgs:
            try:
                images.append(({"cell_index": ci, "mime": mime}, base64.b64decode(b64), f"cell{ci}"))
            except ValueError:
                continue
        if imgs and "figure" in ctx.policy.committee_kinds:
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location={"cells": sorted({c for c, _, _ in imgs})}, committee=True,
                    en=f"The notebook embeds {len(imgs)} image(s): figures go to the committee path.",
                    zh=f"此筆記本內嵌 {len(imgs)} 張影像：圖表須經委員會審查。")
    if spec.kind != "notebook" and full.suffix.lower() in (".svg", ".html", ".htm"):
        text = decode(data)
        if text:
            for off, mime, b64 in strip_data_uris(text)[1]:
                try:
                    images.append(({"offset": off, "mime": mime}, base64.b64decode(b64), "embedded"))
                except ValueError:
                    continue
    if ctx.original_images_dir is None:
        return
    m = _match(ctx, data, full.name)
    if m:
        _block(ctx, spec, {}, *m)
        return
    for loc, blob, name in images:
        m = _match(ctx, blob, name)
        if m:
            _block(ctx, spec, loc, *m)
