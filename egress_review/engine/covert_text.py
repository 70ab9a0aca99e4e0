"""E7: data carried by text that does not read as text.

The smuggling check finds data in the shapes encoders usually give it (base64 and hex runs,
long literals, extra decimals).  An encoder is free to choose another alphabet, so this module
looks at what any encoding of data into text must leave behind, whatever the alphabet:

- characters a reader does not see (zero-width and other format characters, variation
  selectors, Unicode tag characters, blank fillers): each can carry bits invisibly;
- whitespace at line ends (the classic whitespace-steganography carrier);
- words that mix scripts (a Cyrillic "а" in a Latin word): homoglyph substitution carries bits;
- long runs of letters that are not words (a-z only, A-Z only, base32 …): random letters of any
  alphabet make few of the letter pairs words are made of, and no word is 40 letters long;
- prose of many words that does not read as language (a code-word alphabet: "alpha bravo …").

Each returns findings as (severity, location, English, Chinese); ``smuggling`` reports them.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from egress_review.engine import covert_cjk

# Characters that render as nothing (or as a plain blank) but are distinct code points.
_BLANK_FILLERS = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E, 0x034F}


def _invisible(ch: str) -> bool:
    o = ord(ch)
    if o in _BLANK_FILLERS or 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF \
            or 0xE0000 <= o <= 0xE007F:
        return True
    return unicodedata.category(ch) == "Cf"


def invisible_characters(text: str) -> list[int]:
    """Offsets of characters a reader does not see (a byte-order mark opening the text is the
    encoding's own mark, not content)."""
    out = []
    for i, ch in enumerate(text):
        if ord(ch) > 0x7F and _invisible(ch) and not (i == 0 and ch == "\ufeff") \
                and not _emoji_part(text, i):
            out.append(i)
    return out


def _emoji_part(text: str, i: int) -> bool:
    """An emoji's own presentation selector (⚠️ = U+26A0 U+FE0F) or the joiner inside an
    emoji sequence: part of what the reader sees."""
    ch = text[i]
    before = unicodedata.category(text[i - 1]) if i else ""
    if ch in "\ufe0e\ufe0f":   # after a symbol, or in a keycap (3️⃣ = 3 U+FE0F U+20E3)
        return before in ("So", "Sk") or text[i + 1:i + 2] == "\u20e3"
    if ch == "\u200d":
        after = unicodedata.category(text[i + 1]) if i + 1 < len(text) else ""
        return before in ("So", "Mn") and after == "So"
    return False


_BLANKS = " \t\u3000\u00a0"     # what pads a line end (a pattern for it cost the square of a long run)


def trailing_whitespace(text: str) -> tuple[int, int]:
    """(characters of whitespace at line ends, lines that have some).  Spaces that pad a line
    to a width other lines share are a fixed-width printout's layout (statsmodels pads its
    summary to 78 columns), not counted; tabs or other blanks, or padding to a width of its
    own, are."""
    lines_ = [ln.rstrip("\r") for ln in text.split("\n")]
    padded = Counter(len(ln) for ln in lines_ if ln.strip() and ln.endswith(" "))
    # a printout pads its lines to one width; padding of many widths is not layout
    width = padded.most_common(1)[0][0] if padded else -1
    layout = padded[width] >= 0.8 * sum(padded.values()) if padded else False
    indents = [len(ln) - len(ln.lstrip(" ")) if ln.strip() else None for ln in lines_]
    near = _near_indents(indents)
    n = lines = 0
    for i, ln in enumerate(lines_):
        pad = ln[len(ln.rstrip(_BLANKS)):]
        if not pad:
            continue
        if set(pad) == {" "}:
            if ln.strip() and ((layout and len(ln) == width) or pad == "  "):
                continue   # padding to a shared width; Markdown's two-space line break
            if not ln.strip() and len(pad) in near[i]:
                continue   # a blank line keeping the indentation around it (editors do)
        n += len(pad)
        lines += 1
    return n, lines


def _near_indents(indents: list) -> list[set[int]]:
    """For each line, the indentation of the nearest non-blank line above and below it: two
    passes (walking from each blank line to its neighbours cost the square of a blank run)."""
    near: list[set[int]] = [set() for _ in indents]
    for order in (range(len(indents)), range(len(indents) - 1, -1, -1)):
        last = None
        for k in order:
            if last is not None:
                near[k].add(last)
            if indents[k] is not None:
                last = indents[k]
    return near


def _script(ch: str) -> str | None:
    o = ord(ch)
    if ch.isascii():
        return "latin" if ch.isalpha() else None
    if 0x00C0 <= o <= 0x024F:
        return "latin"
    if 0x0370 <= o <= 0x03FF:
        return "greek"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    return None


_WORD = re.compile(r"[^\W\d_]+")


def mixed_script_words(text: str) -> list[str]:
    """Words whose letters come from more than one of Latin, Greek and Cyrillic."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group()
        scripts = {s for ch in w if (s := _script(ch))}
        if len(scripts) > 1:
            out.append(w)
    return out


# A run of characters an encoder would use for one token: letters, digits and the usual
# padding/separator marks of base-N alphabets.
_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{2,}")
_LETTERS = re.compile(r"[A-Za-z]+")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_URLISH = re.compile(r"(?:https?|ftp|file)://\S+|www\.\S+", re.I)


def _alphabet(run: str) -> bool:
    """An alphabet written out (abcdef…, 0123…ABC…: a program's character set)."""
    steps = sum(ord(b) - ord(a) == 1 for a, b in zip(run, run[1:]))
    return steps > 0.5 * (len(run) - 1)


def _entropy(s: str) -> float:
    from math import log2

    n = len(s)
    return -sum(c / n * log2(c / n) for c in Counter(s).values())


# Letter pairs frequent in English words and in identifiers made of them (about a third of
# the 676 pairs).  In words and names nearly every adjacent pair is one of these; in random
# letters of any alphabet only about a third are.
_COMMON_PAIRS = frozenset("""
th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co
me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec pr no ct us
ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po we na ul ni ts mo ow pa
im mi ai sh ir su id os iv ia am fi ci vi pl ig tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke
fr oo av ag ap gr od bo sp rd do uc bu ei ov by rm ep tt oc fa ef cu rn sc gi da yo cr cl du ga
qu ue ff ba ey ls va um pp ua up lu go ht ru ug ds lt pi rc rr eg au ck ew mu br bi pt ak pu ui
rg ib tl ny ki rk ys ob mm fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu af hu nn eo
vo rv nf xp gn sm fl iz ok nl my gl aw ju oa eq sy sl ps jo ze za zi zo dd ix rp tp
""".split())
_SEPARATORS = re.compile(r"[+/=_\-]")


def _pair_share(run: str) -> tuple[float, int]:
    """(share of adjacent letter pairs inside words of ``run`` that are common, pairs)."""
    common = total = 0
    for part in _LETTERS.findall(run):
        for piece in _CAMEL.findall(part):
            piece = piece.lower()
            for a, b in zip(piece, piece[1:]):
                total += 1
                common += a + b in _COMMON_PAIRS
    return (common / total if total else 1.0), total


def _random_letters(run: str, min_letters: int) -> bool:
    """Letters (and digits) drawn at random from some alphabet, not words: few common letter
    pairs, or - where digits cut the letters short - letters and digits interleaved."""
    core = _SEPARATORS.sub("", run)
    if len(core) < min_letters or _entropy(core) < 3.5:
        return False
    share, pairs = _pair_share(run)
    if pairs >= 15:
        return share < 0.65
    switches = sum(a.isdigit() != b.isdigit() for a, b in zip(core, core[1:]))
    return switches >= 0.15 * len(core) and _entropy(core) >= 3.9


def opaque_runs(text: str, min_letters: int, longest_word: int = 30) -> list[tuple[int, str, str]]:
    """(offset, run, severity) of runs that are not words.  Refused: a long run (``min_letters``
    letters or more) whose letters are mostly unpronounceable - what random letters in any
    single-case or base-N alphabet look like.  To a reviewer: a letter stretch longer than any
    word, or a run longer than any identifier, made of pronounceable pieces (concatenated words,
    or syllables chosen to look like them).  URLs are left to the identifier checks;
    repetitions (loooong) carry little and are left alone."""
    cleaned = _URLISH.sub(lambda m: " " * len(m.group()), text)
    out = []
    for m in _RUN.finditer(cleaned):
        run = m.group()
        if len(run) < 2 * longest_word // 3 or _entropy(run) < 3.0 or _alphabet(run):
            continue
        pieces = [p for part in _LETTERS.findall(run) for p in _CAMEL.findall(part)]
        if _random_letters(run, min_letters):
            out.append((m.start(), run, "block"))
        elif max((len(p) for p in pieces), default=0) > longest_word \
                or len(run) >= 2.5 * min_letters:
            out.append((m.start(), run, "review"))
    return out


# Words every stretch of English prose is full of (about four words in ten); a long text
# without them is a list or a code, not prose.
FUNCTION_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each either few for
from further had has have having he her here hers him his how however i if in into is it its
itself just may me might more most must my no nor not now of off on once only or other our
out over own same she should so some such than that the their them then there these they this
those through to too under until up upon very was we were what when where whether which while
who whom why will with within without would yet you your per vs versus among across against
""".split())


_CODE_MARKS = re.compile(r"[=(){}\[\];<>]")
_COLUMNS = re.compile(r"\S(?: {2,}|\t|\s*\|\s*)\S")


def _figures_line(line: str) -> bool:
    digits = sum(ch.isdigit() for ch in line)
    if not digits:
        return False
    return len(_COLUMNS.findall(line)) >= 2 or digits >= 0.3 * len(line.replace(" ", ""))


_CORE_WORDS = frozenset("the of and to a in is for that with on as by are this it from or an"
                        .split())


def reads_as_language(text: str, min_words: int, min_share: float) -> tuple[bool, int, float]:
    """(reads, words, share): a text of ``min_words`` Latin-letter words or more reads as
    language when at least ``min_share`` of them are function words."""
    # a printed table's lines (a model summary: names and figures in columns) are not prose;
    # a "table" without a single figure is words all the same
    text = "\n".join(ln for ln in text.split("\n") if not _figures_line(ln))
    words = [w.lower() for w in _LETTERS.findall(text)]
    if len(words) < min_words or len(_CODE_MARKS.findall(text)) > 0.05 * len(text):
        return True, len(words), 1.0   # short, or program text (SQL, HTML, code in a string)
    latin = sum(map(len, words))
    others = sum(len(w) for w in _WORD.findall(text)) - latin
    # English words inside a text in another script (terms, names in a Chinese document) are
    # not its prose; that text is judged by its own script's checks
    if len(words) < min_words or others > latin:
        return True, len(words), 1.0
    share = sum(w in FUNCTION_WORDS for w in words) / len(words)
    # and the commonest of them: a code book may hold "to" or "be", prose holds several of these
    core = len(_CORE_WORDS.intersection(words))
    # and words used once: about half of prose's vocabulary, almost none of a code book's
    # (a few dozen code words repeated over and over)
    counts = Counter(words)
    once = sum(1 for c in counts.values() if c == 1) / len(counts)
    zipf = once >= 0.15 or len(counts) > len(words) / 3
    return share >= min_share and core >= 3 and zipf, len(words), share


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def findings(text: str, policy, *, prose: bool) -> list[tuple[str, dict, str, str]]:
    """What of ``text`` can carry data unseen.  ``prose``: the text is meant to be read as
    words (a document, comments and strings of a program), so word salad counts too."""
    out = []
    inv = invisible_characters(text)
    if inv:
        sev = "block" if len(inv) >= policy.covert_invisible_max else "review"
        names = sorted({f"U+{ord(text[i]):04X}" for i in inv})[:5]
        out.append((sev, {"line": _line(text, inv[0]), "count": len(inv)},
                    f"{len(inv)} invisible characters ({', '.join(names)}): characters a reader "
                    "does not see can carry data; remove them.",
                    f"含 {len(inv)} 個看不見的字元（{', '.join(names)}），可能夾帶資料，請移除。"))
    ws, lines = trailing_whitespace(text)
    if ws > policy.covert_trailing_space_max:
        out.append(("review", {"count": ws, "lines": lines},
                    f"{ws} whitespace characters at the ends of {lines} lines: whitespace at line "
                    "ends is a known way to hide data; strip it.",
                    f"{lines} 行行尾共有 {ws} 個空白字元，行尾空白可用來隱藏資料，請刪除。"))
    mixed = mixed_script_words(text)
    if len(mixed) >= policy.covert_mixed_script_words:
        out.append(("review", {"words": mixed[:5], "count": len(mixed)},
                    f"{len(mixed)} words mix Latin, Greek or Cyrillic letters ({', '.join(mixed[:3])}): "
                    "look-alike letters can carry data.",
                    f"{len(mixed)} 個詞混用拉丁、希臘或西里爾字母（{', '.join(mixed[:3])}），形似字母可夾帶資料。"))
    runs = opaque_runs(text, policy.blob_min_length)
    for sev in ("block", "review"):
        these = [(at, run) for at, run, s in runs if s == sev]
        if not these:
            continue
        at, run = these[0]
        what = ("encoded data" if sev == "block" else
                "longer than any word or name; a reviewer checks it is not encoded data")
        zh = "疑似編碼資料" if sev == "block" else "比任何字詞或名稱都長，須由審查人確認不是編碼資料"
        out.append((sev, {"line": _line(text, at), "count": len(these), "length": len(run)},
                    f"{len(these)} runs of letters that are not words (the first {len(run)} "
                    f"characters long: {run[:24]}…): {what}.",
                    f"{len(these)} 段不成字詞的連續字母（第一段長 {len(run)} 字元：{run[:24]}…）：{zh}。"))
    out += covert_cjk.symbol_findings(text, policy)
    if prose:
        out += covert_cjk.han_findings(text, policy)
        ok, n, share = reads_as_language(text, policy.covert_prose_min_words,
                                         policy.covert_prose_function_share)
        if not ok:
            out.append(("review", {"words": n, "function_word_share": round(share, 3)},
                        f"{n} words with only {share:.0%} of the common words prose is made of: "
                        "the text does not read as language (a code?); a reviewer must read it.",
                        f"共 {n} 個英文詞，常用虛詞僅占 {share:.0%}，不像一般文字（可能是編碼），須由審查人閱讀。"))
    return out


def words_of_program(text: str, name: str) -> list[str]:
    """What of a program is meant to be read as words: its comments together, then each
    string literal alone (strings together are mostly keys and column names, not prose);
    the whole text when no lexer knows the language."""
    from pygments.token import Comment, String
    from pygments.util import ClassNotFound

    from egress_review.engine.readers.lexers import lexer_for

    try:
        lexer = lexer_for(name)
    except ClassNotFound:
        return [text]
    from egress_review.engine.readers.code import for_lexer

    comments, strings, run = [], [], []
    for t, v in lexer.get_tokens(for_lexer(text)):
        if t in Comment:
            comments.append(v)
        if t in String:
            run.append(v)
        elif run and (t not in String):
            strings.append("".join(run))
            run = []
    if run:
        strings.append("".join(run))
    return ["\n".join(comments)] + strings
