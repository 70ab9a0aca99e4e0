"""A5: the anchor and the journal tail remembered in memory (issue 18) decide nothing: whatever
another writer, a crash or an attacker made of the files between two checkpoints, the next
checkpoint reads the files as they are now - the anchor never moves back below a line it once
named, a broken or foreign anchor is replaced, and the next journal line chains to the line the
file really ends with.  The anchor is replaced whole through its swap file: a reader never sees
half of one.  Safe counterparts: with nothing changed, the anchor moves forward as before."""
from __future__ import annotations

import contextlib
import json
import os
import threading

import pytest

from enclave.audit import anchor, journal
from enclave.audit.keys import AuditKeys

KEYS = AuditKeys.from_master(bytes(range(32)))
OTHER_KEYS = AuditKeys.from_master(bytes(range(1, 33)))
CHAIN = "0f0e0d0c-0000-4000-8000-000000000001"
DIGEST = "d" * 64


@contextlib.contextmanager
def another_process():
    """What another process does: it has its own memory (none of this process's memos)."""
    saved_a, saved_j = dict(anchor._KNOWN), dict(journal._KNOWN)
    anchor._KNOWN.clear()
    journal._KNOWN.clear()
    try:
        yield
    finally:
        anchor._KNOWN.clear()
        anchor._KNOWN.update(saved_a)
        journal._KNOWN.clear()
        journal._KNOWN.update(saved_j)


def _advance(d, n, keys=KEYS, db="db-1"):
    anchor.advance(d, keys, chain=CHAIN, n=n, digest=DIGEST, seq=n, db=db)


def _now(d):
    return anchor.read(d / f"{CHAIN}{anchor.SUFFIX}", KEYS)


def _sealed_bytes(n, keys=KEYS, db="db-1"):
    body = anchor._body(CHAIN, n, DIGEST, n, db)
    return json.dumps({**json.loads(body), "mac": keys.mac(body)}, sort_keys=True).encode()


# Ways the anchor file changes behind this process's back, and the line it must name after
# this process next advances to line 20 (its memory says 10).
def _newer_by_rename(d, path):
    tmp = d / "elsewhere.tmp"
    tmp.write_bytes(_sealed_bytes(50))
    os.replace(tmp, path)


def _newer_in_place_same_size(d, path):
    data = _sealed_bytes(50)
    assert len(data) == path.stat().st_size   # 10 and 50: same length, same inode
    with open(path, "r+b") as f:
        f.write(data)


def _newer_by_another_writer(d, path):
    with another_process():
        _advance(d, 50)


def _newer_then_back_again_same_size(d, path):
    # another writer moved it to 50 and on to 60: this process's memory of "10" is stale twice
    with another_process():
        _advance(d, 50)
        _advance(d, 60)


def _deleted(d, path):
    path.unlink()


def _garbage(d, path):
    path.write_bytes(b'{"chain": ')


def _sealed_by_another_key(d, path):
    path.write_bytes(_sealed_bytes(90, OTHER_KEYS))


def _older_copy_put_back(d, path):
    path.write_bytes(_sealed_bytes(5))


CHANGED = {
    "newer, by rename": (_newer_by_rename, 50),
    "newer, rewritten in place with the same size": (_newer_in_place_same_size, 50),
    "newer, by another writer's exchange": (_newer_by_another_writer, 50),
    "newer twice, by another writer": (_newer_then_back_again_same_size, 60),
    "deleted": (_deleted, 20),
    "half-written": (_garbage, 20),
    "sealed by another key": (_sealed_by_another_key, 20),
    "an older sealed copy put back": (_older_copy_put_back, 20),
}


@pytest.mark.parametrize("change", sorted(CHANGED))
def test_the_next_advance_reads_the_anchor_as_it_is_now(tmp_path, change):
    d = tmp_path / "keys.audit-anchor"
    _advance(d, 10)
    assert _now(d).n == 10
    make, expected = CHANGED[change]
    make(d, d / f"{CHAIN}{anchor.SUFFIX}")
    _advance(d, 20)
    got = _now(d)
    assert got is not None and got.n == expected, (change, got)
    assert got.db == "db-1"


@pytest.mark.parametrize("change", ["newer, by rename", "newer, rewritten in place with the same size",
                                    "newer, by another writer's exchange"])
def test_a_newer_anchor_written_elsewhere_is_never_moved_back(tmp_path, change):
    """The rollback case itself: the journal (and database) rolled back, so this writer's next
    line number is lower than the one the anchor names - it must stay where it is."""
    d = tmp_path / "keys.audit-anchor"
    _advance(d, 10)
    CHANGED[change][0](d, d / f"{CHAIN}{anchor.SUFFIX}")
    for n in (11, 30, 49, 50):
        _advance(d, n)
        assert _now(d).n == 50


def test_unchanged_it_moves_forward_only_and_keeps_the_database(tmp_path):
    d = tmp_path / "keys.audit-anchor"
    for n in (1, 2, 3, 10, 200, 1000):
        _advance(d, n)
        assert _now(d).n == n
    _advance(d, 999)
    _advance(d, 5)
    assert _now(d).n == 1000
    _advance(d, 1001, db=None)   # a writer that cannot tell its database keeps the named one
    assert _now(d).n == 1001 and _now(d).db == "db-1"


def test_the_remembered_anchor_is_only_a_memo_of_the_same_bytes_and_keys(tmp_path, monkeypatch):
    """The parse and MAC check are skipped only for the very bytes checked before with the very
    keys: any other bytes, or other keys, are parsed and checked."""
    d = tmp_path / "keys.audit-anchor"
    _advance(d, 10)
    parsed = []
    real = anchor._parse
    monkeypatch.setattr(anchor, "_parse", lambda *a: parsed.append(a[1]) or real(*a))
    _advance(d, 11)
    assert parsed == []          # the bytes this process wrote: not parsed again
    (d / f"{CHAIN}{anchor.SUFFIX}").write_bytes(_sealed_bytes(11) + b" ")   # same anchor, other bytes
    _advance(d, 12)
    assert len(parsed) == 1
    _advance(d, 13, keys=OTHER_KEYS)   # other keys: its MAC does not hold for them
    assert len(parsed) == 2
    with pytest.raises(anchor.AnchorError):   # and read() never uses the memo
        anchor.read(d / f"{CHAIN}{anchor.SUFFIX}", KEYS)


def test_readers_never_see_half_an_anchor(tmp_path):
    d = tmp_path / "keys.audit-anchor"
    _advance(d, 1)
    path = d / f"{CHAIN}{anchor.SUFFIX}"
    seen, bad, stop = [], [], threading.Event()

    def read_all():
        while not stop.is_set():
            try:
                a = anchor.read(path, KEYS)
            except anchor.AnchorError as e:
                bad.append(str(e))
                continue
            if a is None:
                bad.append("missing")
            else:
                seen.append(a.n)

    reader = threading.Thread(target=read_all)
    reader.start()
    try:
        for n in range(2, 400):   # 9 -> 10 and 99 -> 100 change the length too
            _advance(d, n)
    finally:
        stop.set()
        reader.join()
    assert bad == []
    assert seen and seen == sorted(seen)
    # the swap file is hidden from the listing verify reads
    assert anchor.chains(d) == [CHAIN]


@pytest.mark.parametrize("how", ["no renameat2", "exchange refused by the filesystem"])
def test_without_an_atomic_exchange_it_renames_as_before(tmp_path, monkeypatch, how):
    if how == "no renameat2":
        monkeypatch.setattr(anchor, "_renameat2", lambda: None)
    else:
        monkeypatch.setattr(anchor, "_exchanged", lambda swap, path: False)
    d = tmp_path / "keys.audit-anchor"
    for n in (1, 2, 3):
        _advance(d, n)
        assert _now(d).n == n
    _advance(d, 2)
    assert _now(d).n == 3
    assert anchor.chains(d) == [CHAIN]


# ------------------------------------------------------------ the journal's tail
def _write(path, seq):
    return journal.write(path, KEYS, kind="checkpoint", chain=CHAIN, seq=seq, hash="h" * 64)


def test_the_next_line_chains_to_the_file_as_it_is_now(tmp_path):
    path = tmp_path / "j" / f"{CHAIN}{journal.SUFFIX}"
    for i in range(1, 6):
        _write(path, i)
    old = path.read_bytes()
    with another_process():
        _write(path, 6)
        _write(path, 7)
    e = _write(path, 8)           # another writer's lines are chained to, not skipped
    entries, errors = journal.read(path)
    assert errors == [] and e.n == 8 and e.prev == entries[6].digest

    path.write_bytes(old)          # rolled back to five lines, in place
    e = _write(path, 9)
    entries, errors = journal.read(path)
    assert errors == [] and e.n == 6 and e.prev == entries[4].digest
    assert journal.tail(path) == entries[-1]


def test_a_last_line_replaced_by_another_of_the_same_length_is_read(tmp_path):
    path = tmp_path / f"{CHAIN}{journal.SUFFIX}"
    _write(path, 1)
    _write(path, 2)
    lines = path.read_bytes().splitlines(keepends=True)
    swapped = lines[1].replace(b'"seq":2', b'"seq":3')   # same length; its signature no longer holds
    assert len(swapped) == len(lines[1])
    with open(path, "r+b") as f:
        f.seek(len(lines[0]))
        f.write(swapped)
    assert journal.tail(path).seq == 3
    e = _write(path, 4)
    assert e.prev == journal.read(path)[0][1].digest


def test_a_broken_last_line_is_still_refused(tmp_path):
    path = tmp_path / f"{CHAIN}{journal.SUFFIX}"
    _write(path, 1)
    assert journal.tail(path).n == 1
    with open(path, "ab") as f:
        f.write(b'{"n": "x"}\n')
    with pytest.raises(journal.JournalError):
        journal.tail(path)
    with pytest.raises(journal.JournalError):
        _write(path, 2)


def test_a_swap_file_that_is_a_link_is_not_written_through(tmp_path):
    d = tmp_path / "keys.audit-anchor"
    _advance(d, 1)
    victim = tmp_path / "victim"
    victim.write_bytes(b"not the anchor's")
    swap = d / f".{CHAIN}{anchor.SUFFIX}.swap"
    swap.unlink(missing_ok=True)
    swap.symlink_to(victim)
    with pytest.raises(OSError):
        _advance(d, 2)
    assert victim.read_bytes() == b"not the anchor's"
    assert _now(d).n == 1     # the anchor stays where it was: verify reports it behind
    swap.unlink()
    _advance(d, 3)            # a plain swap file again: it moves on
    assert _now(d).n == 3
