"""A release exists once its manifest does (issue 18): the loader writes ``MANIFEST.json`` last,
and where the storage has no atomic rename (an object store) a release directory without it is
a load that did not finish.  Every reader - listing, opening, the views, the extract builder -
refuses such a directory with a message that names the manifest, and takes the release again
once the manifest is back."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from datasets.extract import ExtractError, build_extract
from datasets.load import LoadError, connect_release, list_releases, load_release, release_path
from datasets.load.releases import MANIFEST, release_views
from tests.datasets.conftest import SYNTHETIC


def _set_aside(release_dir: Path) -> Path:
    """Move the manifest out of a published (read-only) release, as an unfinished upload has it."""
    os.chmod(release_dir, 0o755)
    aside = release_dir.parent / f".{release_dir.name}-{MANIFEST}"
    (release_dir / MANIFEST).rename(aside)
    return aside


def _readers(settings):
    import duckdb

    spec = {"release": "M1", "files": {"H_NHI_OPDTE": {"columns": ["ID", "FUNC_DATE"]}}}
    return {
        "release_path": lambda: release_path("M1", settings),
        "connect_release": lambda: connect_release("M1", settings),
        "release_views": lambda: release_views(duckdb.connect(), "M1", settings),
        "build_extract": lambda: build_extract(spec, "CASE-M", settings, k_override=SYNTHETIC),
    }


def test_every_reader_refuses_a_release_without_its_manifest(tiny_source, settings):
    load_release(tiny_source, "M1", settings)
    rd = release_path("M1", settings)
    assert [r["release"] for r in list_releases(settings)] == ["M1"]
    connect_release("M1", settings).close()            # complete: every reader takes it

    aside = _set_aside(rd)
    assert (rd / "release.json").exists() and (rd / "data").is_dir()   # everything but the manifest
    assert list_releases(settings) == []
    for name, read in _readers(settings).items():
        with pytest.raises((LoadError, ExtractError)) as e:
            read()
        assert MANIFEST in str(e.value) and "did not finish" in str(e.value), name
    assert not (Path(settings.projects_dir) / "CASE-M" / "data").exists()

    aside.rename(rd / MANIFEST)                         # the upload finishes
    assert [r["release"] for r in list_releases(settings)] == ["M1"]
    con = connect_release("M1", settings)
    assert con.execute("SELECT count(*) FROM H_NHI_OPDTE").fetchone()[0] > 0
    con.close()


def test_an_unknown_release_is_still_named_as_unknown(settings):
    with pytest.raises(LoadError, match="not found") as e:
        release_path("NOPE", settings)
    assert MANIFEST not in str(e.value)


@pytest.mark.parametrize("planted", [f"data/H_NHI_OPDTE/{MANIFEST}", f"_load/{MANIFEST}",
                                     f"dicom/{MANIFEST}", "data/extra.parquet", ".hidden"])
def test_a_file_planted_after_publish_is_not_listed_whatever_its_name(tiny_source, settings,
                                                                     planted):
    """Only the release's own top-level manifest is outside the list: a file named like it
    anywhere deeper (or any other) is reported, not taken for the manifest."""
    from datasets.load.releases import check_manifest

    rep = load_release(tiny_source, "P1", settings)
    root = Path(rep.path)
    assert check_manifest(root) == []
    target = root / planted
    for d in [root, *reversed(target.relative_to(root).parents)]:
        if (root / d).is_dir():
            os.chmod(root / d, 0o755)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text('{"files": []}')
    assert check_manifest(root) == [f"not listed: {planted}"]
