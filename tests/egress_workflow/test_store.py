"""The content-addressed store and the release area: immutable, checksummed, crash-clean."""
from __future__ import annotations

import hashlib
import os
import time

import pytest

from egress_review.release import MARKER, ReleaseArea, ReleaseError
from egress_review.store import BlobStore, StoreError, safe_relpath


def test_put_is_content_addressed_read_only_and_verified(tmp_path):
    s = BlobStore(tmp_path)
    data = "門診人數\n".encode() * 1000
    b = s.put_bytes(data)
    assert b.sha256 == hashlib.sha256(data).hexdigest() and b.size == len(data)
    p = s.path_for(b.sha256)
    assert p.read_bytes() == data and p.stat().st_mode & 0o222 == 0
    assert s.put_bytes(data) == b  # same content, same blob, nothing rewritten
    assert list(s.tmp.iterdir()) == []
    # Tampering is detected before anything is served.
    os.chmod(p, 0o600)
    p.write_bytes(b"changed")
    with pytest.raises(StoreError, match="corrupt"):
        s.read_bytes(b.sha256)
    with pytest.raises(StoreError, match="missing"):
        s.read_bytes("0" * 64)
    with pytest.raises(StoreError, match="not a SHA-256"):
        s.path_for("../../etc/passwd")


def test_recover_removes_temps_and_old_orphans_only(tmp_path):
    s = BlobStore(tmp_path)
    (s.tmp / "in-half").write_bytes(b"half a file")
    kept = s.put_bytes(b"referenced")
    orphan = s.put_bytes(b"orphan")
    young = s.put_bytes(b"young orphan")
    old = time.time() - 7200
    for sha in (kept.sha256, orphan.sha256):
        os.utime(s.path_for(sha), (old, old))
    assert [p.name for p in s.recover()] == ["in-half"]
    removed = s.collect_orphans({kept.sha256}, older_than_s=3600)
    assert removed == [orphan.sha256]
    assert s.exists(kept.sha256) and s.exists(young.sha256) and not s.exists(orphan.sha256)


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../x.csv", "a/../../x", "a//b", "./a", "a\\b", "a\x00b"])
def test_unsafe_paths_are_refused(bad):
    with pytest.raises(ValueError, match="path"):
        safe_relpath(bad)


def test_release_area_publish_verify_and_remove(tmp_path):
    s = BlobStore(tmp_path / "store")
    area = ReleaseArea(tmp_path / "release")

    class F:
        def __init__(self, path, data):
            b = s.put_bytes(data)
            self.path, self.sha256, self.size = path, b.sha256, b.size

    class R:
        id, case_code = 7, "C1"
        files = [F("t/counts.csv", b"a,n\nx,10\n"), F("readme.txt", b"hi\n")]

    d = area.publish(R, s)
    assert (d / MARKER).is_file() and (d / "t/counts.csv").read_bytes() == b"a,n\nx,10\n"
    assert area.open_file(7, "readme.txt", R.files[1].sha256).read() == b"hi\n"
    with pytest.raises(ReleaseError, match="checksum"):
        area.open_file(7, "readme.txt", R.files[0].sha256)
    assert area.remove(7) and not d.exists()
    with pytest.raises(ReleaseError, match="not in the release area"):
        area.open_file(7, "readme.txt", R.files[1].sha256)
