"""The demo data set the lead's bring-up uses: generated, loaded, source removed, idempotent."""
from __future__ import annotations

from pathlib import Path

from datasets.demo import build_demo_release
from datasets.load import connect_release, list_releases


def test_build_demo_release_is_idempotent_and_keeps_no_source(settings):
    assert build_demo_release(settings, rows=400, images=0) == "demo"
    assert build_demo_release(settings, rows=400, images=0) == "demo"
    assert [r["release"] for r in list_releases(settings)] == ["demo"]
    assert connect_release("demo", settings).execute("SELECT count(*) FROM H_NHI_OPDTE").fetchone()[0] > 0
    assert not (Path(settings.run_dir) / "demo-source").exists()
