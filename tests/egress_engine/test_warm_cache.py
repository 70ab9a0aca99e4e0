"""D1: the tables a first check builds are kept between processes (deidentify.warm_cache: jieba's
dictionary tables, the finders' compiled regexes) and must change nothing: the same findings and
masks with no cache, a warm cache, a tampered cache and a stale one, and a cache file that is not
exactly what was written is rebuilt, never used."""
from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deidentify import regex_cache, warm_cache
from deidentify.identifiers import jieba_tables

ROOT = Path(__file__).resolve().parents[2]

# One process's first check: an egress request (a table and a note) and the scrubber on notes
# whose names only jieba's tables decide; prints everything it found.
PROBE = r'''
import json, sys
from pathlib import Path
from deidentify.text import find_identifiers, scrub_texts
from egress_review.engine import check_request
from egress_review.manifest import parse_manifest
from policies.sections.egress import EgressPolicy

d = Path(sys.argv[1])
notes = ["病患王小明，住台北市大安區，電話0912-345-678，由陳醫師看診。", "家屬吳淑珍表示病人昨晚發燒。",
         "陳大明今日回診，血壓穩定。", "歐陽娜娜與黃雅婷同住。", "高血壓病人服用白血球生成素。",
         "Dr. Lin (林) saw the patient; call 02-2345-6789.", "ID A123456789 by 張美麗"]
m = parse_manifest({"version": 1, "case_code": "C1", "purpose": "warm cache probe", "files": [
    {"path": "t.csv", "kind": "table", "description": "persons by age and sex",
     "columns": {"age": {"role": "group"}, "sex": {"role": "group"}, "n": {"role": "count"}}},
    {"path": "note.txt", "kind": "text", "description": "summary"}]})
r = check_request(m, d, policy=EgressPolicy())
print(json.dumps({
    "verdict": r.verdict,
    "findings": [f.to_dict() for f in r.findings],
    "hits": [[(h.kind, h.start, h.end, h.score) for h in find_identifiers(t)] for t in notes],
    "masked": scrub_texts(notes),
}, ensure_ascii=False, sort_keys=True))
'''


def _request(d: Path) -> Path:
    d.mkdir(exist_ok=True)
    (d / "t.csv").write_text("age,sex,n\n20-39,F,120\n20-39,M,98\n40-59,F,3\n")
    (d / "note.txt").write_text("本研究共有221位病人，由王小明醫師與歐陽娜娜護理師收案。\n"
                                "感謝陳教授協助。Contact: analyst@example.org\n", encoding="utf-8")
    return d


def _first_check(cache: Path, req: Path) -> dict:
    env = {**os.environ, "NHI_ENCLAVE_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, "-c", PROBE, str(req)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _table_file(cache: Path) -> Path:
    return cache / "tables" / "jieba-tables.bin"


def _programs_file(cache: Path) -> Path:
    return cache / "tables" / "regex-programs.bin"


def _programs(cache: Path) -> dict:
    f = _programs_file(cache)
    payload = warm_cache.read_payload(f, regex_cache._key())
    assert payload is not None, "the regex programs' file is intact and current"
    return regex_cache._decode(payload)


def _rewrite(path: Path, key: bytes | None = None, payload: bytes | None = None,
             digest: bytes | None = None) -> None:
    """A cache file with its parts replaced (a valid digest unless ``digest`` is given)."""
    raw = path.read_bytes()
    head = len(warm_cache.FORMAT)
    old_key, old_payload = raw[head:head + 32], raw[head + 64:]
    payload = old_payload if payload is None else payload
    digest = hashlib.sha256(payload).digest() if digest is None else digest
    path.write_bytes(warm_cache.FORMAT + (key or old_key) + digest + payload)
    path.chmod(0o600)


def test_cold_warm_tampered_and_stale_caches_give_the_same_results(tmp_path):
    req = _request(tmp_path / "req")
    cache = tmp_path / "cache"
    cold = _first_check(cache, req)
    table = _table_file(cache)
    assert table.is_file(), "the first process writes the table"
    built = table.read_bytes()
    # the probe's request and notes are found the same in every later run, and find something
    assert cold["verdict"] == "block" and cold["findings"]
    assert any(k == "NAME" for hits in cold["hits"] for k, *_ in hits)
    assert cold["masked"] != [None] * len(cold["masked"])

    programs = _programs(cache)
    assert len(programs) > 200, "the finders' fixed regexes are kept"

    assert _first_check(cache, req) == cold                     # warm: read from the files
    assert table.read_bytes() == built                          # (and not rewritten)
    assert _programs(cache) == programs, (
        "a warm process compiled a fixed regex anew: a pattern whose text changes between "
        "processes (joined from a set) must use re.compile, not regex_cache.compiled")

    # tampered: one word changed inside the payload, digest left as it was -> ignored, rebuilt;
    # a byte of a regex program changed likewise
    raw = bytearray(built)
    at = raw.index("王".encode(), len(warm_cache.FORMAT) + 64)
    raw[at:at + 3] = "汪".encode()
    table.write_bytes(bytes(raw))
    raw = bytearray(_programs_file(cache).read_bytes())
    raw[-7] ^= 0x10
    _programs_file(cache).write_bytes(bytes(raw))
    trigger = cache / "tables" / "lookalike-trigger.bin"
    trigger_built = trigger.read_bytes()
    trigger.write_bytes(trigger_built[:-3] + "Ａ".encode())     # a character more, same length
    assert _first_check(cache, req) == cold
    assert table.read_bytes() == built
    assert _programs(cache) == programs
    assert trigger.read_bytes() == trigger_built

    # stale: well-formed files (valid digests) built from other sources -> ignored, rebuilt; the
    # programs' file holding a wrong program for a real pattern, under another Python's key
    tiny = jieba_tables._encode(({"王": 1, "王小": 0}, 1, {"王": "nr"}))
    _rewrite(table, key=hashlib.sha256(b"another dictionary").digest(), payload=tiny)
    wrong = {k: regex_cache._program("(?!)", 0) for k in programs}      # matches nothing
    _rewrite(_programs_file(cache), key=hashlib.sha256(b"another python").digest(),
             payload=marshal.dumps(wrong))
    assert _first_check(cache, req) == cold
    assert table.read_bytes() == built
    assert _programs(cache) == programs


def _toy(tmp_path, monkeypatch, parts=("source v1",)):
    """``cached`` on a small table; returns (value, how many times it was built)."""
    monkeypatch.setenv("NHI_ENCLAVE_CACHE_DIR", str(tmp_path))
    builds = []

    def build():
        builds.append(1)
        return {"王": 3, "陳": 2}

    value = warm_cache.cached("toy", list(parts), build, lambda v: marshal.dumps(v), _decode_toy)
    return value, len(builds)


def _decode_toy(payload: bytes) -> dict:
    v = marshal.loads(payload)
    if not isinstance(v, dict) or not all(isinstance(k, str) and isinstance(n, int) for k, n in v.items()):
        raise ValueError("not a toy table")
    return v


def test_an_intact_cache_is_used_and_not_rebuilt(tmp_path, monkeypatch):
    assert _toy(tmp_path, monkeypatch) == ({"王": 3, "陳": 2}, 1)
    assert _toy(tmp_path, monkeypatch) == ({"王": 3, "陳": 2}, 0)
    assert (tmp_path / "tables").stat().st_mode & 0o777 == 0o700


def _digest_of(p: Path) -> bytes:
    head = len(warm_cache.FORMAT)
    return p.read_bytes()[head + 32:head + 64]


def _flip_last_byte(p: Path) -> None:
    raw = bytearray(p.read_bytes())
    raw[-1] ^= 1
    p.write_bytes(bytes(raw))


def _group_writable(p: Path) -> None:
    p.chmod(0o664)


def _symlinked(p: Path) -> None:
    other = p.with_name("elsewhere.bin")
    p.rename(other)
    p.symlink_to(other)


@pytest.mark.parametrize("spoil", [
    pytest.param(_flip_last_byte, id="payload byte changed"),
    pytest.param(lambda p: p.write_bytes(p.read_bytes()[:-5]), id="truncated"),
    pytest.param(lambda p: p.write_bytes(p.read_bytes()[:20]), id="cut inside the header"),
    pytest.param(lambda p: p.write_bytes(b""), id="empty"),
    pytest.param(lambda p: p.write_bytes(b"nhi-warm-cache/0\n" + p.read_bytes()[17:]), id="other format"),
    pytest.param(lambda p: _rewrite(p, payload=marshal.dumps({"王": 999}), digest=_digest_of(p)),
                 id="altered, digest kept"),
    pytest.param(lambda p: _rewrite(p, payload=marshal.dumps(["王", 3])), id="wrong shape, digest redone"),
    pytest.param(lambda p: _rewrite(p, payload=b"\xff\x00garbage"), id="not marshal, digest redone"),
    pytest.param(lambda p: _rewrite(p, digest=b"\0" * 32), id="digest zeroed"),
    pytest.param(lambda p: _rewrite(p, key=b"\1" * 32), id="stale key"),
    pytest.param(_group_writable, id="writable by others"),
    pytest.param(_symlinked, id="a symbolic link"),
])
def test_a_spoiled_cache_is_ignored_and_rebuilt(tmp_path, monkeypatch, spoil):
    _toy(tmp_path, monkeypatch)
    f = tmp_path / "tables" / "toy.bin"
    good = f.read_bytes()
    spoil(f)
    assert _toy(tmp_path, monkeypatch) == ({"王": 3, "陳": 2}, 1)
    assert not f.is_symlink() and f.read_bytes() == good and f.stat().st_mode & 0o077 == 0


def test_a_cache_of_other_sources_is_not_used(tmp_path, monkeypatch):
    _toy(tmp_path, monkeypatch, parts=("source v1",))
    assert _toy(tmp_path, monkeypatch, parts=("source v2",)) == ({"王": 3, "陳": 2}, 1)
    assert _toy(tmp_path, monkeypatch, parts=("source v2",))[1] == 0


def test_a_cache_directory_others_can_write_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "tables"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("NHI_ENCLAVE_CACHE_DIR", str(tmp_path))
    d = warm_cache.cache_dir()
    assert d != shared and d.stat().st_mode & 0o777 == 0o700 and d.stat().st_uid == os.geteuid()


def test_the_jieba_tables_equal_jiebas_own(tmp_path):
    """Same words, counts, tags and order as jieba builds them from its dictionary, whether
    this process read them from the cache or built them, and once more through the encoding."""
    import jieba
    import jieba.posseg as pseg

    dt, tags = jieba_tables.tables()
    assert dt is jieba.dt and dt.initialized
    own = jieba.Tokenizer()
    own.tmp_dir = str(tmp_path)                  # (a cache of its own, built here)
    own.initialize()
    own_tags = pseg.POSTokenizer(own).word_tag_tab
    assert own.total == dt.total and len(own.FREQ) > 100_000
    assert list(dt.FREQ.items()) == list(own.FREQ.items())
    assert list(tags.items()) == list(own_tags.items())
    freq, total, tags2 = jieba_tables._decode(jieba_tables._encode((own.FREQ, own.total, own_tags)))
    assert total == own.total and list(freq.items()) == list(own.FREQ.items())
    assert list(tags2.items()) == list(own_tags.items())


@pytest.mark.parametrize("payload", [
    pytest.param(lambda w, c, t, tw, n, ti: (w + "\n多", c, t, tw, n, ti), id="a word more than counts"),
    pytest.param(lambda w, c, t, tw, n, ti: (w, c, t, tw, n, ti + b"\x00"), id="a tag more than words"),
    pytest.param(lambda w, c, t, tw, n, ti: (w, c, t, tw, n, b"\xff" * len(ti)), id="tag index out of range"),
    pytest.param(lambda w, c, t, tw, n, ti: (w + "\n王", c + c[:8], t, tw, n, ti), id="a word twice"),
    pytest.param(lambda w, c, t, tw, n, ti: (w, c, "1", tw, n, ti), id="total not a number"),
    pytest.param(lambda w, c, t, tw, n, ti: (w, c, t, tw, [1], ti), id="tag names not text"),
])
def test_a_jieba_payload_of_the_wrong_shape_is_refused(payload):
    good = marshal.loads(jieba_tables._encode(({"王": 5, "王小": 0}, 5, {"王": "nr"})))
    assert jieba_tables._decode(marshal.dumps(good))[0] == {"王": 5, "王小": 0}
    with pytest.raises((ValueError, IndexError)):
        jieba_tables._decode(marshal.dumps(payload(*good)))


def test_the_lookalike_trigger_read_back_is_the_one_built():
    from deidentify.identifiers import lookalike

    built = lookalike._build_trigger()
    assert lookalike._trigger() == built and len(built) > 1000
    assert "А" in built and "a" not in built and "王" not in built      # Cyrillic A; Latin; Han


def test_covert_text_reading_does_not_load_a_jieba_cache_planted_in_shared_temp(tmp_path):
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    (shared / "jieba.cache").write_bytes(marshal.dumps(({"x": 1}, 1)))
    env = {**os.environ, "TMPDIR": str(shared)}        # (the user's own table cache, as it is)
    probe = ("from egress_review.engine.covert_cjk import _tools, han_reading\n"
             "han_reading('本研究分析糖尿病患者的門診紀錄與用藥情形。')\n"     # (jieba cuts it)
             "print(len(_tools()[0].FREQ))\n")
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=300)
    assert int(out.stdout) > 100_000


def _module_patterns():
    """Every fixed regex of the modules that compile through ``regex_cache`` (module constants,
    and those in module-level lists, tuples and dicts)."""
    import importlib

    names = ["labelled", "western_names", "address", "name_scans", "dates",
             "name_forms", "layout_names", "employers", "schools", "address_en", "short_places",
             "structured", "areas", "normalise", "case_codes", "record_numbers", "split_names", "ages",
             "number_shapes"]
    mods = [importlib.import_module(f"deidentify.identifiers.{n}") for n in names]
    mods += [importlib.import_module(m) for m in (
        "deidentify.text.scrub", "egress_review.engine.prose", "egress_review.engine.unit_tables",
        "egress_review.engine.singling_out", "egress_review.engine.paper_cells",
        "egress_review.engine.category_sets", "egress_review.engine.declared_claims")]
    found = []
    for m in mods:
        for v in vars(m).values():
            vals = v.values() if isinstance(v, dict) else v if isinstance(v, (list, tuple)) else [v]
            for x in vals:
                x = x[-1] if isinstance(x, tuple) and x and isinstance(x[-1], re.Pattern) else x
                if isinstance(x, re.Pattern):
                    found.append(x)
    return found


SAMPLES = ["病患王小明，住台北市大安區忠孝東路四段100號5樓，電話0912-345-678，1950年3月2日生。",
           "Dr. John Smith (wife Mary) of 12 Baker Street; born 1961; ID A123456789, www.x.org/a",
           "fewer than 5 patients died; 不足3人；n<6；共120位病人，其中35人死亡（29.2%）。",
           "就讀台北市立建國高中，任職於台灣積體電路公司，學號 B0912345。"]


def test_cached_programs_are_the_patterns_re_compiles():
    """Each fixed regex, built from its stored program, is the Pattern re.compile makes: same
    source, flags, groups and program, and the same matches on sample texts."""
    import itertools

    store = regex_cache._loaded()
    patterns = _module_patterns()
    flag_sets = [sum(c) for n in range(4) for c in itertools.combinations((re.I, re.M, re.S, re.X), n)]
    stored = 0
    for rx in patterns:
        fresh = re.compile(rx.pattern, rx.flags)
        assert (rx.pattern, rx.flags, rx.groups, rx.groupindex) == \
            (fresh.pattern, fresh.flags, fresh.groups, fresh.groupindex)
        for t in SAMPLES:
            assert [m.span() for m in rx.finditer(t)] == [m.span() for m in fresh.finditer(t)]
        for f in flag_sets:                    # the program kept for (pattern, flags asked)
            program = store.get(regex_cache._entry_key(rx.pattern, int(f)))
            if program is not None:
                assert program == regex_cache._program(rx.pattern, int(f))
                stored += 1
    assert stored > 200


def test_a_stored_program_is_used_only_for_its_own_pattern(tmp_path, monkeypatch):
    monkeypatch.setenv("NHI_ENCLAVE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(regex_cache, "_store", None)
    monkeypatch.setattr(regex_cache, "_added", {})
    monkeypatch.setattr(regex_cache, "_used", {})
    a = regex_cache.compiled(r"王(?P<g>[小大])明")
    assert a.search("王小明").group("g") == "小"
    regex_cache.save()
    monkeypatch.setattr(regex_cache, "_store", None)
    # read back from the file: the same; a pattern differing by one character or by its flags
    # is not the stored one
    assert regex_cache.compiled(r"王(?P<g>[小大])明").search("王大明").span() == (0, 3)
    assert regex_cache.compiled(r"王(?P<g>[小中])明").search("王大明") is None
    assert regex_cache.compiled(r"abc", re.I).search("ABC") and not regex_cache.compiled(r"abc").search("ABC")
    # a program _sre refuses (stored under the pattern's key, digest redone) is compiled afresh
    key = regex_cache._entry_key(r"王(?P<g>[小大])明", 0)
    bad = dict(regex_cache._loaded())
    bad[key] = (32, b"\xff" * 40, 1, {"g": 1}, (None, "g"))
    f = tmp_path / "tables" / "regex-programs.bin"
    warm_cache.write_payload(f, regex_cache._key(), marshal.dumps(bad))
    monkeypatch.setattr(regex_cache, "_store", None)
    assert regex_cache.compiled(r"王(?P<g>[小大])明").search("王小明").group("g") == "小"


def test_patterns_made_of_data_do_not_go_through_the_regex_cache():
    """The programs' file is on disk: only the code's own fixed patterns may be stored, so
    compiled() is called at module level only, never inside a function with runtime text."""
    import ast

    for path in list((ROOT / "deidentify").rglob("*.py")) + list((ROOT / "egress_review").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "compiled(" not in text or path.name == "regex_cache.py":
            continue
        tree = ast.parse(text)
        for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
            calls = [c for c in ast.walk(fn) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                     and c.func.id == "compiled"]
            assert not calls, f"{path}: compiled() inside {getattr(fn, 'name', 'lambda')}"
