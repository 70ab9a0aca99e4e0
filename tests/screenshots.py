"""Screenshots of the pages the browser tests walk through, kept as test artefacts (issue 16):
``$ENCLAVE_TEST_ARTEFACTS/screenshots/<name>.png`` (default ``test-artefacts/`` in the checkout,
ignored by git), so a person can look at what each role saw in the last run."""
from __future__ import annotations

import os
from pathlib import Path

ARTEFACTS = Path(os.environ.get("ENCLAVE_TEST_ARTEFACTS")
                 or Path(__file__).resolve().parents[1] / "test-artefacts")


def shot(page, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as ``name``; it must hold a picture."""
    out = ARTEFACTS / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 2000, f"{path}: an empty screenshot"
    return path
