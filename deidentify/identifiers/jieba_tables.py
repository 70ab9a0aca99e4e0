"""jieba's dictionary tables for the name finders, loaded once per process (speed).

The name finders read two tables of jieba's default dictionary: the tokenizer's prefix
dictionary (``jieba.dt.FREQ``, ``total``) and the part-of-speech table ``jieba.posseg`` builds
(word -> tag).  Built the usual way they cost ~0.9 s of CPU in every fresh process (jieba's own
marshal cache, then posseg parsing ``dict.txt`` line by line when it is imported).  Here both
are kept together in one verified cache file (``deidentify.warm_cache``) keyed by the SHA-256
of ``dict.txt`` and jieba's version: words joined by newlines and counts as a packed array,
which loads in ~0.25 s.  The dictionaries are equal (same keys, values and order) either way.

jieba's own cache is never read from the shared temp directory (``jieba_cache_dir``): a file
planted there would decide which words jieba knows, and so which names are found.
"""
from __future__ import annotations

import array
import functools
import logging
import marshal
import os
from pathlib import Path

from deidentify.warm_cache import cached, file_bytes, private_dir

_SEP = "\n"   # dict.txt is one word a line: no word (nor prefix of one) holds a newline


def jieba_cache_dir() -> Path:
    """Where jieba keeps its parsed dictionary: a directory only this user can write."""
    return private_dir("jieba")


def _dict_path(jieba) -> str:
    return os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)


def _build(dt):
    """The tables as jieba builds them (its own cache kept in the private directory)."""
    dt.tmp_dir = str(jieba_cache_dir())
    dt.initialize()
    import jieba.posseg as pseg

    return dt.FREQ, dt.total, pseg.dt.word_tag_tab


def _encode(tables) -> bytes:
    freq, total, tags = tables
    if any(_SEP in w for w in freq) or any(_SEP in w for w in tags):
        raise ValueError("a dictionary word holds the separator")
    names = sorted(set(tags.values()))
    if len(names) > 255:
        raise ValueError("too many part-of-speech tags for one byte each")
    index = {t: i for i, t in enumerate(names)}
    return marshal.dumps((_SEP.join(freq), array.array("q", freq.values()).tobytes(), total,
                          _SEP.join(tags), names, bytes(index[t] for t in tags.values())))


def _decode(payload: bytes):
    words, counts, total, tag_words, names, tag_index = marshal.loads(payload)
    if not (isinstance(words, str) and isinstance(counts, bytes) and isinstance(total, int)
            and isinstance(tag_words, str) and isinstance(tag_index, bytes)
            and isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise ValueError("unexpected payload")
    numbers = array.array("q")
    numbers.frombytes(counts)
    keys = words.split(_SEP)
    tag_keys = tag_words.split(_SEP)
    if len(keys) != len(numbers) or len(tag_keys) != len(tag_index):
        raise ValueError("payload lengths differ")
    freq = dict(zip(keys, numbers.tolist()))
    tags = dict(zip(tag_keys, map(names.__getitem__, tag_index)))   # IndexError on a bad index
    if len(freq) != len(keys) or len(tags) != len(tag_keys):
        raise ValueError("a word given twice")
    return freq, total, tags


def _import_jieba():
    """``import jieba`` without pkg_resources (~0.15 s to import, deprecated): jieba only uses
    it to open its own data files, and opens them by path when it is missing (same bytes)."""
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None          # an import of it now raises ImportError
    try:
        import jieba
    finally:
        if sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    return jieba


@functools.cache
def tables():
    """(jieba.dt initialised, word -> part-of-speech tag) for jieba's default dictionary."""
    jieba = _import_jieba()
    jieba.setLogLevel(logging.WARNING)
    dt = jieba.dt
    if dt.initialized or dt.dictionary != jieba.DEFAULT_DICT:
        # someone else set jieba up (another dictionary, or already loaded): jieba's own way
        _, _, tags = _build(dt)
        return dt, tags
    source = _dict_path(jieba)
    freq, total, tags = cached("jieba-tables", [jieba.__version__, file_bytes(source)],
                               lambda: _build(dt), _encode, _decode)
    if not dt.initialized:
        dt.tmp_dir = str(jieba_cache_dir())
        dt.FREQ, dt.total, dt.initialized = freq, total, True
    return dt, tags
