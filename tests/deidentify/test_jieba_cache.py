"""jieba trusts a cached copy of its dictionary, by default in the shared temp directory: a
file planted there decides which words jieba knows, and so which names the scrubber finds.
The name finder keeps that cache in a directory only its own user can write."""
from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

from deidentify.identifiers.chinese_names import jieba_cache_dir

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("import jieba, sys\n"
         "{init}\n"
         "print(jieba.dt.tmp_dir or '-', len(jieba.dt.FREQ))\n")


def _run(init: str, tmp_path: Path) -> tuple[str, int]:
    shared = tmp_path / "shared-tmp"
    shared.mkdir(exist_ok=True)
    # the planted cache: a dictionary of one word (jieba takes it for its default dictionary)
    (shared / "jieba.cache").write_bytes(marshal.dumps(({"x": 1}, 1)))
    env = {**os.environ, "TMPDIR": str(shared), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", PROBE.format(init=init)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    return out[0], int(out[1])


def test_a_cache_planted_in_the_shared_temp_directory_is_not_used(tmp_path):
    # the attack works on jieba as it comes ...
    _, words = _run("jieba.dt.initialize()", tmp_path)
    assert words == 1
    # ... and not on the name finder's jieba
    where, words = _run("from deidentify.identifiers.chinese_names import _tables; _tables()", tmp_path)
    assert words > 100_000
    assert Path(where) == tmp_path / "cache" / "nhi-enclave" / "jieba"


def test_cache_directory_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    d = jieba_cache_dir()
    assert d == tmp_path / "nhi-enclave" / "jieba"
    assert d.stat().st_mode & 0o777 == 0o700


def test_a_directory_others_can_write_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    shared = tmp_path / "nhi-enclave" / "jieba"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    d = jieba_cache_dir()
    assert d != shared and d.stat().st_mode & 0o777 == 0o700 and d.stat().st_uid == os.geteuid()
