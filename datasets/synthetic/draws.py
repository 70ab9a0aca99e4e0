"""Random draws and value shapes the generator's families share (seeded numpy generators)."""
from __future__ import annotations

import numpy as np


def weighted(rng: np.random.Generator, items: list, weights: list[float], n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(items), size=n, p=p / p.sum())


def ymd(d: np.ndarray) -> np.ndarray:
    """datetime64[D] array -> int yyyymmdd."""
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y * 10000 + m * 100 + day


def float_or_none(a: np.ndarray) -> np.ndarray:
    o = a.astype(object)
    o[np.isnan(a.astype(float))] = None
    return o


def fill(templates: list[str], idx: np.ndarray, rng: np.random.Generator, **pools) -> list[str]:
    choice = rng.integers(0, len(templates), len(idx))
    out = []
    for j, t in zip(idx, choice):
        out.append(templates[t].format(**{k: (v[j] if isinstance(v, np.ndarray) else v)
                                         for k, v in pools.items()}))
    return out


def sparse_text(rng: np.random.Generator, n: int, rate: float, pii_rate: float, plain: list[str],
          pii: list[str], **pools) -> np.ndarray:
    """Sparse free text: None for most rows; some rows embed personal data from ``pools``."""
    out = np.full(n, None, dtype=object)
    has = np.flatnonzero(rng.random(n) < rate)
    if len(has) == 0:
        return out
    with_pii = rng.random(len(has)) < pii_rate
    a, b = has[~with_pii], has[with_pii]
    if len(a):
        fmt = {k: v for k, v in pools.items() if k == "date"}
        out[a] = fill(plain, a, rng, **fmt)
    if len(b):
        out[b] = fill(pii, b, rng, **pools)
    return out
