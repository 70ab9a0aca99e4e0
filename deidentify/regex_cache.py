"""The finders' big fixed regexes compiled once per machine, not once per process (speed).

A fresh process's first check spends ~0.6 s of CPU compiling regexes, much of it on the
finders' fixed ones (name lists of thousands of characters, address and label patterns); parsing and code generation are pure Python
(``re._parser``, ``re._compiler``), the matcher they produce is a list of integers handed to
``_sre.compile``.  ``compiled(pattern)`` keeps those integers in a verified cache file
(``deidentify.warm_cache``: private directory, keyed by the Python version and the matcher's
format, payload digest checked) and hands them to ``_sre.compile`` as ``re.compile`` does: the
same program, the same Pattern.  A pattern not in the file is compiled the ordinary way and
added when the process exits.

Only for patterns written in the code (module constants, tables built from code constants):
the file is on disk, so a pattern built from data (a case's pseudonyms, a request's words) must
never go through here; those use ``re.compile``.
"""
from __future__ import annotations

import array
import atexit
import hashlib
import logging
import marshal
import re
import sys
import threading
import _sre

try:
    from re import _compiler, _parser   # type: ignore[attr-defined]
except ImportError:                     # (before Python 3.11: no cache, re.compile)
    _compiler = _parser = None

from deidentify import warm_cache

log = logging.getLogger(__name__)

_NAME = "regex-programs"
# A pattern whose text changes from process to process (joined from a set) would add an entry
# each run: the file keeps this process's patterns first, then earlier ones up to this many.
_MAX_ENTRIES = 2_000
_UNCACHED_FLAGS = re.DEBUG | getattr(re, "TEMPLATE", 0)
_CODE_TYPE = next((t for t in "IL" if array.array(t).itemsize == _sre.CODESIZE), None)

_lock = threading.Lock()
_store: dict[bytes, tuple] | None = None
_added: dict[bytes, tuple] = {}
_used: dict[bytes, None] = {}      # (an ordered set) the patterns this process asked for
_save_at_exit: list[bool] = []


def longest_first(word: str) -> tuple[int, str]:
    """Sort key for the words of an alternation: longest first (what the finders need), then
    by text, so that a pattern joined from a set reads the same in every process and its
    program is found here.  The matches are those of sorting by length alone: two different
    words of one length never both match at one place (under IGNORECASE they may, over the
    same span, and literal words capture nothing)."""
    return -len(word), word


def _key() -> bytes:
    return warm_cache.source_key(_NAME, [sys.version, str(_sre.MAGIC), str(_sre.CODESIZE),
                                         _CODE_TYPE or ""])


def _entry_key(pattern: str, flags: int) -> bytes:
    return hashlib.sha256(f"{flags}\0{pattern}".encode("utf-8", "surrogatepass")).digest()


def _decode(payload: bytes) -> dict[bytes, tuple]:
    store = marshal.loads(payload)
    if not isinstance(store, dict):
        raise ValueError("not a table of programs")
    for k, v in store.items():
        if not (isinstance(k, bytes) and len(k) == 32 and isinstance(v, tuple) and len(v) == 5):
            raise ValueError("unexpected entry")
        flags, code, groups, groupindex, indexgroup = v
        if not (isinstance(flags, int) and isinstance(code, bytes) and isinstance(groups, int)
                and isinstance(groupindex, dict) and isinstance(indexgroup, tuple)):
            raise ValueError("unexpected entry")
    return store


def _loaded() -> dict[bytes, tuple]:
    global _store
    if _store is None:
        payload = warm_cache.read_payload(warm_cache.cache_dir() / f"{_NAME}.bin", _key())
        try:
            _store = _decode(payload) if payload is not None else {}
        except Exception:   # noqa: BLE001 - unreadable: compiled afresh and rewritten
            _store = {}
    return _store


def _program(pattern: str, flags: int) -> tuple:
    """What ``re._compiler.compile`` hands ``_sre.compile`` (the same steps)."""
    p = _parser.parse(pattern, flags)
    code = _compiler._code(p, flags)
    groupindex = dict(p.state.groupdict)
    indexgroup = [None] * p.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    return (int(flags | p.state.flags), array.array(_CODE_TYPE, code).tobytes(), p.state.groups - 1,
            groupindex, tuple(indexgroup))


def _build(pattern: str, program: tuple) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup = program
    return _sre.compile(pattern, flags, array.array(_CODE_TYPE, code).tolist(), groups,
                        groupindex, indexgroup)


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)`` for a pattern written in the code (see the docstring)."""
    flags = int(flags)
    if _CODE_TYPE is None or _parser is None or not isinstance(pattern, str) or flags & _UNCACHED_FLAGS:
        return re.compile(pattern, flags)
    key = _entry_key(pattern, flags)
    with _lock:
        program = _loaded().get(key)
        _used[key] = None
    if program is not None:
        try:
            rx = _build(pattern, program)
            if rx.pattern == pattern:
                return rx
        except Exception:   # noqa: BLE001 - a program _sre refuses is compiled afresh
            pass
    try:
        program = _program(pattern, flags)
        rx = _build(pattern, program)
    except Exception:       # noqa: BLE001 - internals not as expected: the ordinary way
        return re.compile(pattern, flags)
    with _lock:
        if not _save_at_exit:
            _save_at_exit.append(True)
            atexit.register(save)
        _added[key] = program
        _loaded()[key] = program
    return rx


def save() -> None:
    """Write the programs compiled in this process (at exit; also callable directly)."""
    with _lock:
        if not _added or _store is None:
            return
        kept = {k: _store[k] for k in _used if k in _store}
        for k, v in _store.items():
            if len(kept) >= _MAX_ENTRIES:
                break
            kept.setdefault(k, v)
        payload = marshal.dumps(kept)
        _added.clear()
    try:
        warm_cache.write_payload(warm_cache.cache_dir() / f"{_NAME}.bin", _key(), payload)
    except Exception:       # noqa: BLE001 - no cache: still correct
        log.warning("regex cache could not be written", exc_info=True)
