"""Names that a note's layout marks rather than a context word (D1, round 5).

- The speaker of a chat line pasted into a note ([LINE] 岳美雲: …, 10:32 Wati: …), Han or Latin;
  a role (社工, 個管師, Nurse) speaking is no name.
- The I field of an ISBAR hand-over (ISBAR I 萬國平 …, I:萬國平 S:fall).
- A name opening a triage line before an age (車怡萱 98M chest pain, 曹麗娟 92歲).
- A name after a hand-over word or a relation in Japanese or Taiwanese (接班 岳美雲, 主護 X, 長男 X,
  hāu-senn X), after a one-character relation in a list (家屬 X 子伍佩玲 女尤美惠), and before a
  Japanese honorific (阿嬤黃花子さん, 王美代子様).
- A Latin name before its people in brackets (Kolas Yotaka (泰雅族)) and a Taiwanese (POJ) or
  Hakka name: a Hokkien surname and a hyphenated given name (Lîm Kim-chúi, Tiunn Siok-hun; the
  diacritics are gone after normalisation).
A Han name must open with a listed surname and not be a dictionary word; a Latin one must not
be an English word.  Runs on normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

from deidentify.regex_cache import compiled

_HAN = r"[\u4e00-\u9fff]"
CHAT = compiled(r"(?:^|[\n\x00])[ \t]*(?:\[[^\]\n]{1,12}\][ \t]*|[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?[ \t]+)"
                r"(?P<n>" + _HAN + r"{2,4}|[A-Z][a-z]{1,15}(?:[ \t][A-Z][a-z]{1,15}){0,2})[ \t]*[:：]")
ISBAR_I = compiled(r"(?:^|[\n\x00]|(?i:isbar)[ \t]+)[ \t]*I[ \t]*[:：]?[ \t]*(?P<n>" + _HAN + r"{2,4})(?=[ \t,，]|$)")
LINE_AGE = compiled(r"(?:^|[\n\x00])[ \t]*(?P<n>" + _HAN + r"{2,4})[ \t]+(?:[0-9]{1,3}(?:岁|y|F|M|[ \t]*yo|-year)(?![a-z])"
                    r"|[一二三四五六七八九十百零]{2,5}岁)")
# a Latin name after a heading's colon, before its age (Home visit: Kolas Yotaka, 92歲)
COLON_LATIN_AGE = compiled(r"[:：][ \t]*(?P<n>[A-Z][a-z]{1,15}(?:[ \t][A-Z][a-z]{1,15}){1,2}),[ \t]*[0-9]{1,3}[ \t]*"
                           r"(?:岁|y|yo|y/o|M|F|-year)(?![a-z])")
# a self-introduction in a message (我是曹麗娟的女兒) and a name after a heading's colon with its
# birth cohort or age in brackets (長照訪視：車怡萱（79年次）)
SELF_INTRO = compiled(r"我是(?P<n>" + _HAN + r"{2,4}?)的(?:女儿|儿子|太太|先生|妻子|丈夫|媳妇|女婿|孙女|孙子|家属|妈妈|爸爸|看护)")
COLON_COHORT = compiled(r"[:：][ \t]*(?P<n>" + _HAN + r"{2,4})[（(][ \t]*(?:民国)?[0-9一二三四五六七八九十]{1,4}[ \t]*(?:年次|岁|y)")
# a surname before an honorific that is no title of its own elsewhere (許阿桑家, 張嬸的)
HONORIFIC = compiled(r"(?P<n>" + _HAN + r")(?=阿桑|婶婶|婶(?:家|的|[ \t，,。]|$))")
AFTER_WORD = compiled(r"(?:接班|交班|主护|长男|长女|次男|次女|病[ \t]+人|(?i:hau-senn|ha?u-sinn|cha-bo-kiann|sun-a))[ \t:：]*"
                      r"(?P<n>" + _HAN + r"{2,4})(?=[ \t,，。;；、]|$)")
KIN_CHAR = compiled(r"(?<=[ \t、，,])[子女妻夫](?P<n>" + _HAN + r"{3})(?=[ \t、，,。;；]|$|轮流|陪|照顾|负责|同住)")
# an English given name before a romanised Chinese name (Triage: Grace Wu Pei-Chun): the Chinese
# name is found; the English one before it is the same person's
EN_BEFORE_ROMAN = compiled(r"(?<![A-Za-z])(?P<g>[A-Z][a-z]{1,12})[ \t]+(?P<s>[A-Z][a-z]{1,6})[ \t]+[A-Z][a-z]{1,6}-[A-Za-z]{1,6}(?![A-Za-z])")
# English given names that are also words (Grace Wu Pei-Chun); any other word there is a verb or
# a heading (Follow Chen Mei-Ling)
_WORD_GIVEN = frozenset("grace joy hope faith rose lily amber ivy iris daisy will mark bill jack jean may june april "
                        "crystal candy angel cherry sunny summer autumn dawn eve penny ruby pearl jade victor".split())
_NOT_GIVEN = frozenset("patient pt triage name family son daughter wife husband mother father sister brother contact "
                       "attending consult reply dear from to with seen by and or cc nurse np dr mr mrs ms miss".split())
JP_HONORIFIC = compiled(r"(?P<r>" + _HAN + r"{2,6})(?:さん|様|ちゃん|くん)")
PEOPLE = compiled(r"(?P<n>[A-Z][a-z]{1,15}(?:[ \t][A-Z][a-z]{1,15}){0,2})[ \t]*[(（]" + _HAN + r"{1,4}族[)）]")
# (round 13) and Hakka romanised ones (Phang 彭, Yap 葉, Liau 廖, Voon 溫, Thong 湯, Fung 馮), with the
# tone marks POJ and Tâi-lô write (Liâu A-muí)
_POJ_SURNAMES = ("Khoo|Kho|Tan|Lim|Ong|Ng|Tiunn|Tiu|Chiu|Li|Ko|Tsua|Tshua|Ang|Ui|Lau|Ti|Tsan|Khu|Kang|Phoann|Ngo|Tsiu|Iunn|Lu"
                 "|Phang|Yap|Liau|Liâu|Lâu|Voon|Thong|Fung|Phung|Thien|Ngien|Sim|Vong|Lo")
_TONED = r"[a-z\u00e0-\u00ff\u0100-\u024f\u0300-\u036f\u1e00-\u1effⁿ]"
POJ = compiled(r"(?<![A-Za-z])(?P<n>(?:" + _POJ_SURNAMES + r")[ \t][A-Z\u00c0-\u00dd]" + _TONED + r"{0,6}-" + _TONED
               + r"{1,6})(?![A-Za-z\-])(?<!-ray)(?<!-line)(?<!-fib)(?<!-dose)(?<!-wave)(?<!-scan)(?<!-mode)")
_ROLES = compiled(r"社工|个管|护理|医师|医生|药师|家属|病人|个案|案主|照专|居督|居服|治疗师|营养师|系统|通知|主治|住院|值班"
                  r"|(?i:^(?:nurse|doctor|dr|social|system|admin|case|pt|patient|family)$)")
# what every match holds (the scrubber's prefilter)
GATES = (r"\][ \t]*[^\s\]]{1,16}[ \t]*[:：]", r"[0-9]:[0-9]{2}[ \t]+[A-Za-z\u4e00-\u9fff]", r"(?i:isbar)|(?<![A-Za-z])I[ \t]*[:：]",
         _HAN + r"{2,4}[ \t]+[0-9]{1,3}(?:岁|y|F|M|-year|[ \t]+yo)", _HAN + r"{2,4}[ \t]+[一二三四五六七八九十百零]{2,5}岁",
         r"[:：][ \t]*[A-Z][a-z]{1,15}[ \t][A-Z][a-z]{1,15}(?:[ \t][A-Z][a-z]{1,15})?,[ \t]*[0-9]", r"我是", r"[（(][ \t]*(?:民国)?[0-9一二三四五六七八九十]{1,4}[ \t]*(?:年次|岁|y)",
         r"病[ \t]+人|接班|交班|主护|长男|长女|次男|次女|(?i:-s[ie]nn|-kiann|sun-a)",
         r"[ \t、，,][子女妻夫]" + _HAN + r"{3}", r"さん|様|ちゃん|くん", r"阿桑|婶", r"族[)）]", r"[ \t][A-Z][a-z]{0,6}-[A-Za-z]")
GATE = compiled("|".join(GATES))


# surnames the general list leaves out because their character opens common words (曹, 岳, 萬, 車
# ...): where the layout already marks a name, they are taken too
_MORE_SURNAMES = frozenset("曹岳万车史花宫戚计伏成谈宗苗凤麻危单虞柏阎全郁樊云应仇冉储邹凃粘辜舒窦华齐")


def _han_name(w: str) -> bool:
    from deidentify.identifiers.chinese_names import _SURNAMES_S
    from deidentify.identifiers.name_runs import is_word

    return ((w[:1] in _SURNAMES_S or w[:1] in _MORE_SURNAMES or w[:2] in _SURNAMES_S) and not is_word(w)
            and not _ROLES.search(w))


def _latin_name(w: str) -> bool:
    from deidentify.identifiers.western_names import _CLINICAL_ENDING, _CLINICAL_PLAIN, ordinary_word

    # (a diagnosis in the same place is no name: Septic Shock, 70F; Lung Cancer, 62M)
    return (not _ROLES.search(w) and not all(ordinary_word(t) for t in w.split())
            and not any(_CLINICAL_ENDING.search(t.lower()) or t.lower() in _CLINICAL_PLAIN for t in w.split()))


def find(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of names marked by the note's layout."""
    if not GATE.search(simplified):
        return []
    out = []
    for m in CHAT.finditer(simplified):
        w = m.group("n")
        if (_han_name(w) if "\u4e00" <= w[0] <= "\u9fff" else _latin_name(w)):
            out.append(m.span("n"))
    for rx in (ISBAR_I, LINE_AGE, AFTER_WORD, KIN_CHAR, SELF_INTRO, COLON_COHORT):
        out += [m.span("n") for m in rx.finditer(simplified) if _han_name(m.group("n"))]
    if "桑" in simplified or "婶" in simplified:
        from deidentify.identifiers.chinese_names import _SURNAMES_S
        out += [m.span("n") for m in HONORIFIC.finditer(simplified) if m.group("n") in _SURNAMES_S]
    for m in JP_HONORIFIC.finditer(simplified):
        # the longest tail of the run that opens with a surname (阿嬤|黃花子さん)
        run, end = m.group("r"), m.end("r")
        k = next((k for k in (4, 3, 2) if k <= len(run) and _han_name(run[-k:])), None)
        if k:
            out.append((end - k, end))
    out += [m.span("n") for rx in (PEOPLE, COLON_LATIN_AGE) for m in rx.finditer(simplified) if _latin_name(m.group("n"))]
    out += [m.span("n") for m in POJ.finditer(simplified)]
    if "-" in simplified:
        from deidentify.identifiers.romanised_names import _SURNAME_SET
        from deidentify.identifiers.western_names import _census, ordinary_word
        out += [m.span("g") for m in EN_BEFORE_ROMAN.finditer(simplified)
                if m.group("s").lower() in _SURNAME_SET and m.group("g").lower() not in _NOT_GIVEN
                and (m.group("g").lower() in _WORD_GIVEN or (m.group("g").lower() in _census()[0] and not ordinary_word(m.group("g"))))]
    return out
