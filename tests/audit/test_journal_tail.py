"""The journal's newest line is read from a short tail first (issue 18): it must be the line
that reading the whole 64 KB tail gives, whatever the line lengths, characters and a partial
last write."""
from __future__ import annotations

import os
import random

import pytest

from enclave.audit import journal


def _reference(path) -> str | None:
    """The newest complete non-empty line within the file's last 64 KB."""
    data = path.read_bytes()[-65536:].decode("utf-8", "replace")
    lines = [ln for ln in data.split("\n")[:-1] if ln]
    return lines[-1] if lines else None


@pytest.mark.parametrize("seed", range(6))
def test_the_short_tail_finds_the_line_the_long_one_does(tmp_path, seed):
    rnd = random.Random(seed)
    path = tmp_path / "j.jsonl"
    for _ in range(400):
        parts = [("表😀x" * 40000)[:rnd.choice([0, 1, 400, 1365, 1366, 4095, 4096, 5000, 70000])]
                 for _ in range(rnd.randint(0, 12))]
        path.write_text("\n".join(parts) + rnd.choice(["", "\n", "\n{\"n\": 7, partial"]),
                        encoding="utf-8")
        fd = os.open(path, os.O_RDONLY)
        try:
            assert journal._last_line(fd) == _reference(path)
        finally:
            os.close(fd)


def test_a_checkpoint_written_after_long_lines_chains_to_the_newest(tmp_path):
    from enclave.audit.keys import AuditKeys

    keys = AuditKeys.from_master(bytes(range(32)))
    path = tmp_path / "c.jsonl"
    for i in range(30):   # lines of ~9 KB: each longer than the first read
        journal.write(path, keys, kind="checkpoint", chain="c", seq=i, hash="h" * 64,
                      detail={"pad": "表" * 3000})
    last = journal.tail(path)
    assert last is not None and last.n == 30 and last.seq == 29
    entries, errors = journal.read(path)
    assert errors == [] and entries[-1] == last and entries[-1].prev == entries[-2].digest
