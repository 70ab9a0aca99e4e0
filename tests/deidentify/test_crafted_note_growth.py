"""D1: a crafted or garbled note must not cost the square of its length to scrub.

A steward's load scrubs every distinct text; one note that names a person hundreds of times
(a pasted roster, a garbled export) made each finding of the name look for its own word again
- k findings x k places, for 王小明 x 700 nine seconds, for 瓦· x 1000 twelve - and the surname
scan compared every surname with every name found so far.  ``bench/deid_growth.py`` measures
the cost at n and 2n; here the counts that made it grow are asserted (not times): the repeats
of a name give one finding per place, and the names found are the same as a plain scan's.
"""
from __future__ import annotations

import pytest

from deidentify.identifiers import chinese_names
from deidentify.identifiers.chinese_names import find_names
from deidentify.identifiers.normalise import to_simplified
from deidentify.text import finders, scrub_texts

CONTEXT = "病人主訴頭痛三天，{}，建議門診追蹤。"
# a name written again and again, as several finders find it
MEMBERS = {
    "han name": ("王小明", "王小明"),
    "han name with a separator": ("王小明、", "王小明"),
    "dotted name": ("瓦歷斯·諾幹，", "瓦歷斯·諾幹"),
    "latin name": ("Wang Xiaoming, ", "Wang Xiaoming"),
    "name after a title": ("陳先生 ", "陳"),
}


@pytest.mark.parametrize("member", sorted(MEMBERS))
@pytest.mark.parametrize("times", [50, 400])
def test_a_name_written_many_times_gives_one_finding_per_place(member, times):
    unit, name = MEMBERS[member]
    simp = to_simplified(CONTEXT.format(unit * times))
    word = to_simplified(name)
    places = [i for i in range(len(simp)) if simp.startswith(word, i)]
    assert len(places) >= times
    # the name found once, at its first place, by a finder
    first = places[0]
    found = [("ZH_PERSON_CONTEXT", first, first + len(word), 0.85)]
    got = finders.alias_findings(simp, found)
    assert len(got) <= len(places), (member, times, len(got))
    # ... and every other place is among them, with the finding's score
    assert {(a, b) for _, a, b, _ in got} >= {(p, p + len(word)) for p in places[1:]} or len(word) < 2
    # found at every place (as a name written k times by k findings): still one per place
    many = [("ZH_PERSON_CONTEXT", p, p + len(word), 0.85) for p in places]
    assert len(finders.alias_findings(simp, many)) <= len(places)


def test_the_best_score_of_another_finding_is_kept():
    simp = to_simplified("王小明來診，王小明的母親陪同，王小明")
    places = [0, 6, 15]
    found = [("ZH_PERSON_CONTEXT", 0, 3, 0.6), ("ZH_PERSON_CONTEXT", 6, 9, 0.9)]
    got = {(a, b): s for _, a, b, s in finders.alias_findings(simp, found)}
    assert got[(0, 3)] == 0.9          # covered by the 0.6 finding; the 0.9 one is elsewhere
    assert got[(6, 9)] == 0.6          # the 0.9 finding covers it; the best other is 0.6
    assert got[(15, 18)] == 0.9
    assert set(got) == {(p, p + 3) for p in places}


@pytest.mark.parametrize("note,gone", [
    ("王小明" * 300, "王小明"),
    ("瓦·" * 500, "瓦"),
    ("Wang " * 500, "Wang"),
    ("陳" * 800, "陳"),
    ("姓名：王小明，" * 100 + "陳大文與李小華同來", "王小明陳大文李小華"),
])
def test_a_crafted_note_is_scrubbed_wherever_the_name_stands(note, gone):
    """Fast and still whole: no character of the names is left anywhere in the note."""
    out = scrub_texts([CONTEXT.format(note)])[0]
    assert out.startswith("病人主訴頭痛三天，") and out.endswith("，建議門診追蹤。")
    assert "<NAME>" in out
    left = set(gone) & set(out)
    assert not left, (left, out[:200])


def _plain_scan(text: str) -> list:
    """The surname loop as it was: every surname checked against every name found so far."""
    surname_re = chinese_names._tables()[0]
    simp = to_simplified(text)
    hits = [chinese_names.NameHit(m.start(1), m.end(1), 0.85, "label")
            for m in chinese_names._LABEL_RE.finditer(simp) if m.group(1) not in chinese_names._CONTEXT_WORDS]
    covered = -1
    for m in surname_re.finditer(simp):
        i, s_end = m.start(), m.end()
        if i < covered or any(h.start <= i < h.end for h in hits):
            continue
        written = text[i:s_end]
        if written != m.group() and any(o != c and o not in chinese_names._TRAD_SURNAME_CHARS
                                        for o, c in zip(written, m.group())):
            continue
        lo = max(0, i - chinese_names._WINDOW)
        found = chinese_names._decide(simp[lo:s_end + chinese_names._WINDOW], i - lo, s_end - lo, True)
        if found:
            start, end, score, reason = found
            hits.append(chinese_names.NameHit(lo + start, lo + end, score, reason))
            covered = lo + end
    return hits


@pytest.mark.parametrize("text", [
    "姓名：王小明，電話0912345678，由陳大文醫師診治，家屬李小華陪同。",
    "病患姓名：林美華 聯絡人：張志強 主治醫師：黃建國",
    "王小明王小明王小明，陳先生與林小姐來訪",
    "案主：王大同；案妻：陳美玲；社工：李文雄。王大同表示陳美玲近日失眠。",
    "患者 張 三 與 李 四 同住，姓名:吳小芬 姓名:鄭大偉",
])
def test_the_surname_scan_finds_what_a_plain_scan_finds(text):
    want = _plain_scan(text)
    got = find_names(text)
    # the part-masked names pass (王OO) comes after the loop in both; compare the loop's hits
    assert [(h.start, h.end) for h in got][:len(want)] == [(h.start, h.end) for h in want]
