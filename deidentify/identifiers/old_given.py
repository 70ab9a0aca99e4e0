"""Old-style Taiwanese given names written alone in a person's slot (D1, round 10).

People born before the 1960s were often named for a wish (來福, 旺來, 添丁, 進財, 天賜), a hope
for a son (招弟, 罔市, 罔腰, 招治) or an element (金水, 火土, 阿土): characters that read as a
verb (來, 招, 添, 進), a place (市) or a kin word (弟), so ``bare_given`` (which wants name-like
characters and refuses verbs, places and kin ends) lets them through.  The class is their
shape: an opening character of such wishes and a closing one, or a few whole names, and never a
frequent ordinary word (天生, 新生, 招生, 水土, 進來, 發財 are words, not names).

The shape alone never decides (添丁 is also an idiom); the slot does, read more strictly than
``bare_given`` reads it:
- a verb of telling, a coverb or a relation before it (由, 陪同, 交代, 幫, 次女 …: the run-on
  check of ``person_slots`` is not asked, since 由|來 and 請|來 are words where 來福 follows), and
  after it a person's act or title (陪同, 來院, 簽名, 說明, 先生, 伯), what is done to a person
  (翻身, 量血壓), an instruction after a verb of telling only a person takes (交代來福明早空腹),
  or the clause's end after a relation or such a verb (次女罔市。);
- at a clause's start, a decisive act (來福拒絕, 天賜表示) or a kin honorific (罔市阿姨).
The pair must not run on into a word with the next character (進財|務, 來福|利).  Every check
reads a fixed window at one position.
"""
from __future__ import annotations

import re

from deidentify.identifiers import bare_given, person_slots as P

_S = P._S
# characters old wish-names open and close with (read in the Simplified normal form)
OPENERS = frozenset(_S("來旺添進天招罔有得萬再新順火水木金土石福財快足滿對完阿永長錦"))
CLOSERS = frozenset(_S("福財旺來發興丁賜送生市腰舍弟治枝娘水土火木金壽貴富順德勝妹好寶"))
# whole names whose characters fit no pair above (查某: "girl", 憨仔)
WHOLE = frozenset(_S(w) for w in ("查某", "憨仔", "罔舍", "甘妹", "完妹"))
# a dictionary word this frequent that is not a name is the word (天生, 新生, 招生, 水土, 發財)
_WORD_FREQ = 100
_NAME_TAGS = {"nr", "nrt", "nrfg", "nz"}
_END = frozenset("。，、；！？.,;!?\n)）」』")
_VERB_TAGS = {"v", "vd", "vi", "ad", "d"}
# one-character acts done to a person after a coverb (幫來福量, 替天賜換): not 的, 和, 已 … which
# ``word_names``' list also holds
_DONE_ONE = frozenset(_S("量測換餵拍簽填吃洗擦"))


def _shape(w: str) -> bool:
    return len(w) == 2 and (w in WHOLE or (w[0] in OPENERS and w[1] in CLOSERS))


def wish_phrase(simp: str, i: int) -> bool:
    """Two wish-name shapes in a row (添丁進財, 招財進寶, 來福添壽): a New Year greeting on a door
    or a red envelope, not a name, whatever stands around it."""
    return _shape(simp[i:i + 2]) and _shape(simp[i + 2:i + 4])


def is_old_name(simp: str, i: int, tags: dict, freq: dict) -> bool:
    """Does ``simp[i:i+2]`` have the shape of an old wish-name and read as no frequent word?"""
    w = simp[i:i + 2]
    if len(w) < 2 or not (P._han(w[0]) and P._han(w[1])):
        return False
    if not _shape(w) or wish_phrase(simp, i) or (i >= 2 and wish_phrase(simp, i - 2)):
        return False
    f, t = freq.get(w) or 0, tags.get(w)
    if (f >= _WORD_FREQ and t not in _NAME_TAGS) or t in P._FUNCTION_TAGS or (t in _VERB_TAGS and f >= 20):
        return False            # (天生, 招生; 再來, 快來 are adverbs; 來生, 發財 verbs)
    return not (P._TITLE_RX.match(simp, i) or P._PERSON_RX.search(simp, i, i + 2))


def _opens(simp: str, i: int, opening: str | None) -> str | None:
    """``person_slots``' reading of the place before ``i``, with a verb of telling or a coverb
    taken even where it runs on into the name's first character (由|來福, 請|來福)."""
    if opening in ("verb", "person", "start", "patient"):
        return opening
    for k in (3, 2, 1):
        if i >= k and (simp[i - k:i] in P._TELL or simp[i - k:i] in P._COVERB):
            return "verb"
    return None


def take(simp: str, i: int, opening: str | None, tags: dict, freq: dict) -> bool:
    """Is the old wish-name at ``i`` (``is_old_name``) in a person's slot?"""
    opening = _opens(simp, i, opening)
    if opening is None:
        return False
    e = i + 2
    act = P._ACT_RX.match(simp, e)
    nxt = simp[e - 1:e + 1]
    if len(nxt) == 2 and (freq.get(nxt) or 0) >= P._FREQUENT and not act and not bare_given._CARE_RX.match(simp, e):
        return False            # (進財|務室, 來福|利社: the pair runs on into a word)
    kin_title = act is not None and act.group() in P._HONORIFIC
    if opening in ("start", "patient"):
        # (罔市阿姨來電; 來福拒絕: a decisive act, or a word of saying as the clause's verb,
        # 來福說要回家; not 說 alone)
        return kin_title or (opening == "start" and act is not None and (
            len(act.group()) >= 2 or bare_given._SAID.match(simp, e) is not None
            or (act.end() >= len(simp) or simp[act.end()] in _END)))
    done = P._DONE_TO.match(simp, e)
    if act or bare_given._CARE_RX.match(simp, e) or (done and (len(done.group()) >= 2 or done.group() in _DONE_ONE)):
        return True             # (由來福陪同, 幫天賜翻身, 跟罔市說明病情, 外孫罔市同意手術; not 跟有好|的)
    tell_only = simp[max(0, i - 2):i] in _PERSON_ONLY_TELL
    if tell_only and _INSTRUCTION.match(simp, e):
        return True             # (交代來福明早空腹, 叮嚀罔市按時服藥)
    return (opening == "person" or tell_only) and (e >= len(simp) or simp[e] in _END)


_PERSON_ONLY_TELL = frozenset(_S(w) for w in ("交代", "交待", "叮嚀", "叮囑", "囑咐", "吩咐", "轉告", "拜託", "提醒",
                                              "通知", "告知", "安撫", "衛教"))
_INSTRUCTION = re.compile("|".join(map(re.escape, sorted({_S(w) for w in (
    "明早", "明晚", "明天", "今晚", "按時", "注意", "記得", "務必", "不要", "要", "多", "少", "帶", "回診", "空腹")},
    key=len, reverse=True))))
