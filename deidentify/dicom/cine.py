"""Which images OCR reads for a multi-frame image (D1), and how its finds map onto the frames.

Up to ``data.dicom_ocr_max_frames`` frames every frame is read.  A longer cine is reduced to a
few images that cannot hide text, and the policy cap limits those images, not the frames:

- per-pixel max, min and median over all frames (text brighter or darker than its background
  survives in max or min; static text, faint or over moving anatomy, survives in the median);
- the first and last frames, and the frames either side of every *change point*: a frame whose
  difference from the one before is, in some 16×16 tile, far above that tile's usual
  frame-to-frame difference (median + k·MAD, a floor), so the frame showing a text that
  appears or leaves is read.  Anatomy that moves makes long runs of such frames: the first,
  middle and last of each run are read.

Every box found in a summary is blanked in every frame, one found in a frame in that frame.  Held for a person (``HeldForReview``),
never passed: more images than the cap (too many change points), or text OCR finds in a single
frame that no summary shows (text that appears for a while, moves or changes: which frames
carry it is not known without reading them all).  Residual: faint text (within the noise of
the frame-to-frame change) shown in a few frames only, over anatomy that hides it in max/min.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from deidentify.dicom import pixels
from deidentify.dicom.burned_in import HeldForReview

TILE = 16            # change points are looked for per TILE×TILE tile
MAD_K = 6.0          # a tile's change is abrupt above median + MAD_K · 1.4826 · MAD
GAP = 8              # change points this close form one run (the motion paused, it did not end)
FLOOR = 1.0 / 255    # and above this fraction of the value range (rms per pixel)


@dataclass
class OcrPlan:
    """What to OCR for one image and how the finds become per-frame boxes."""
    frames: int
    sources: list = field(default_factory=list)   # per image: a frame index or a summary name
    runs: list = field(default_factory=list)       # (first, last) frame of each change run
    reduced: bool = False

    def shared(self, found: list[list[pixels.Box]]) -> list[pixels.Box]:
        """Boxes blanked in every frame: those found in the summary images of a reduced cine."""
        return [b for boxes, s in zip(found, self.sources) if isinstance(s, str) for b in boxes]

    def spread(self, found: list[list[pixels.Box]],
               sure: list[list[pixels.Box]] | None = None) -> list[list[pixels.Box]]:
        """Per-frame boxes from the boxes found in each planned image (HeldForReview when a
        sure word, see ``pixels.ocr_boxes_many``, cannot be placed on every frame)."""
        if not self.reduced:
            return found
        static = self.shared(found)
        for boxes, s in zip(sure if sure is not None else found, self.sources):
            for box in boxes if isinstance(s, int) else ():
                if not _overlaps(box, static):   # not in every frame, not the brightest/darkest
                    raise HeldForReview(f"text in frame {s} of {self.frames} that no summary image "
                                        f"shows (text that appears, moves or changes): held for review")
        # text of the summaries goes from every frame; what OCR saw in one frame only (weak
        # reads, noise) from that frame
        per_frame = [list(static) for _ in range(self.frames)]
        for boxes, s in zip(found, self.sources):
            if isinstance(s, int):
                per_frame[s].extend(boxes)
        return per_frame


def _overlaps(box: pixels.Box, others: list[pixels.Box]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in others)


def _grey(frame: np.ndarray) -> np.ndarray:
    f = frame.astype(np.float32)
    return f.mean(axis=2) if f.ndim == 3 else f


def _tile_energy(diff: np.ndarray) -> np.ndarray:
    """Mean squared difference per TILE×TILE tile (edge tiles padded by the edge rows)."""
    rows, cols = diff.shape
    ty, tx = -(-rows // TILE), -(-cols // TILE)
    sq = np.pad(diff * diff, ((0, ty * TILE - rows), (0, tx * TILE - cols)), mode="edge")
    return sq.reshape(ty, TILE, tx, TILE).mean(axis=(1, 3))


def change_points(stack: np.ndarray) -> list[int]:
    """Frames t ≥ 1 whose difference from frame t-1 is abrupt in some tile."""
    n = len(stack)
    if n < 2:
        return []
    prev = _grey(stack[0])
    energies = []
    lo, hi = float(prev.min()), float(prev.max())
    for t in range(1, n):
        cur = _grey(stack[t])
        energies.append(_tile_energy(cur - prev))
        lo, hi = min(lo, float(cur.min())), max(hi, float(cur.max()))
        prev = cur
    e = np.sqrt(np.stack(energies))                       # (n-1, tiles y, tiles x) rms
    med = np.median(e, axis=0)
    mad = np.median(np.abs(e - med), axis=0) * 1.4826
    limit = np.maximum(med + MAD_K * mad, med + FLOOR * max(hi - lo, 1.0))
    abrupt = (e > limit).any(axis=(1, 2))
    return [int(t) + 1 for t in np.flatnonzero(abrupt)]


def _runs(points: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for t in points:
        if runs and t <= runs[-1][1] + GAP:   # a pause of anatomy that moves (turning points)
            runs[-1] = (runs[-1][0], t)
        else:
            runs.append((t, t))
    return runs


def summaries(stack: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Per-pixel max, min and median over the frames, in stored values."""
    median = np.empty(stack.shape[1:], np.float32)
    step = max(1, (1 << 24) // max(1, stack[0].size))     # rows per chunk: bounded memory
    for r in range(0, stack.shape[1], step):
        median[r:r + step] = np.median(stack[:, r:r + step], axis=0)
    return [("max", stack.max(axis=0)), ("min", stack.min(axis=0)), ("median", median)]


def plan(stack: np.ndarray, cap: int) -> tuple[OcrPlan, list[np.ndarray]]:
    """(plan, stored-value images to render and OCR) for a (frames, rows, cols[, samples]) stack."""
    n = len(stack)
    if n <= cap:
        return OcrPlan(n, list(range(n))), list(stack)
    runs = _runs(change_points(stack))
    chosen = {0, n - 1}
    for first, last in runs:
        chosen.update({first - 1, first, (first + last) // 2, last - 1, last})
    chosen = sorted(t for t in chosen if 0 <= t < n)
    named = summaries(stack)
    p = OcrPlan(n, [name for name, _ in named] + chosen, runs, reduced=True)
    if len(p.sources) > cap:
        raise HeldForReview(f"{n} frames with {len(runs)} change points: {len(p.sources)} images to "
                            f"read exceed the OCR cap of {cap}: held for review")
    return p, [img for _, img in named] + [stack[t] for t in chosen]


__all__ = ["OcrPlan", "change_points", "plan", "summaries"]
