"""The demo data set for ``enclave up``: a small synthetic source set loaded as one release."""
from __future__ import annotations

from pathlib import Path

from datasets.defaults import settings_or_current

DEMO_RELEASE = "demo"


def build_demo_release(settings=None, rows: int = 20_000, *, release: str = DEMO_RELEASE,
                       seed: int = 20240101, images: int = 5) -> str:
    """Generate (under ``settings.run_dir``, outside the warehouse) and load the demo release.

    Idempotent: when the release already exists nothing is done.  Returns the release id.
    """
    import shutil

    from datasets.load import list_releases, load_release
    from datasets.synthetic import generate

    settings = settings_or_current(settings)
    if any(r["release"] == release for r in list_releases(settings)):
        return release
    src = Path(settings.run_dir) / "demo-source"
    if src.exists():
        shutil.rmtree(src)
    generate(src, rows, seed=seed, images=images)
    load_release(src, release, settings, actor="enclave-up")
    # the source holds the raw identifiers; the demo keeps only the de-identified release
    shutil.rmtree(src)
    return release
