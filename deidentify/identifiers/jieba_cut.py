"""jieba's default cut (HMM on) of one run of its word characters, as token lengths (issue 14,
speed).

The name finder cuts about one new run per note it has not seen (the run around a new name),
and jieba spends much of that in its generators and per-character dictionary calls.  This is the
same algorithm as ``jieba.Tokenizer``'s DAG cut and ``jieba.finalseg``: the dictionary route by
dynamic programming from the end of the run (each word's log probability kept once computed),
runs of single characters not in the dictionary given to the HMM, whose Viterbi pass keeps back
pointers instead of copying paths.  The arithmetic is jieba's, in the same order, and every
``max`` compares the same tuples, so ties fall the same way.
``tests/deidentify/test_jieba_runs.py`` compares the lengths with jieba's own cut.
"""
from __future__ import annotations

import functools
import math

import jieba
import jieba.finalseg as finalseg

_LOGP: dict[str, float] = {}      # word -> log(frequency or 1) - log(total), for jieba.dt
_MIN = finalseg.MIN_FLOAT


def is_one_block(run: str) -> bool:
    """Does jieba cut ``run`` as one block of its word characters (what ``cut_lengths`` takes)?"""
    return jieba.re_han_default.fullmatch(run) is not None


def cut_lengths(tokenizer: jieba.Tokenizer, run: str) -> tuple[int, ...]:
    """Lengths of the words ``tokenizer.lcut(run)`` gives, for ``run`` matching
    ``jieba.re_han_default`` whole (one block)."""
    freq = tokenizer.FREQ
    logtotal = math.log(tokenizer.total)
    logp = _LOGP if tokenizer is jieba.dt else {}
    n = len(run)
    # route: best (value, end index) from each position, as jieba's calc over its get_DAG
    value: list[float] = [0.0] * (n + 1)
    value[n] = 0
    end = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        best: tuple[float, int] | None = None
        i, frag = k, run[k]
        while i < n and frag in freq:
            if freq[frag]:
                lp = logp.get(frag)
                if lp is None:
                    lp = logp[frag] = math.log(freq.get(frag) or 1) - logtotal
                cand = (lp + value[i + 1], i)
                if best is None or cand > best:
                    best = cand
            i += 1
            frag = run[k:i + 1]
        if best is None:           # no dictionary word starts here: the character alone
            w = run[k]
            best = (math.log(freq.get(w) or 1) - logtotal + value[k + 1], k)
        value[k], end[k] = best
    out: list[int] = []
    x, buf = 0, -1
    while x < n:
        y = end[x] + 1
        if y - x == 1:
            if buf < 0:
                buf = x
        else:
            if buf >= 0:
                _single_run(run[buf:x], freq, out)
                buf = -1
            out.append(y - x)
        x = y
    if buf >= 0:
        _single_run(run[buf:n], freq, out)
    return tuple(out)


def _single_run(buf: str, freq: dict[str, int], out: list[int]) -> None:
    """A run of single-character route steps: one character, the HMM's words (the run is not a
    dictionary word), or its characters."""
    if len(buf) == 1:
        out.append(1)
    elif not freq.get(buf):
        if finalseg.Force_Split_Words:
            out.extend(len(w) for w in finalseg.cut(buf))
        else:
            _hmm(buf, out)
    else:
        out.extend([1] * len(buf))


def _hmm(sentence: str, out: list[int]) -> None:
    # finalseg.cut: Han blocks to the Viterbi pass, the rest split at Latin/digit runs
    for blk in finalseg.re_han.split(sentence):
        if finalseg.re_han.match(blk):
            _viterbi_words(blk, out)
        else:
            out.extend(len(x) for x in finalseg.re_skip.split(blk) if x)


@functools.lru_cache(maxsize=2)
def _transitions(_table_id: int) -> tuple[float, ...]:
    """The eight transitions the Viterbi pass uses, read once (keyed by the table's identity,
    so a replaced model is read again)."""
    trans_p = finalseg.trans_P
    return tuple(trans_p[a].get(b, _MIN) for a, b in ("EB", "SB", "MM", "BM", "SS", "ES", "BE", "ME"))


def _viterbi_words(obs: str, out: list[int]) -> None:
    # finalseg.viterbi with its four states in local variables; each step's max over the two
    # states before (finalseg.PrevStatus) compares (probability, state) as its tuples do: the
    # higher probability, on a tie the later state name
    start_p, emit_p = finalseg.start_P, finalseg.emit_P
    eB, eM, eE, eS = emit_p["B"], emit_p["M"], emit_p["E"], emit_p["S"]
    tEB, tSB, tMM, tBM, tSS, tES, tBE, tME = _transitions(id(finalseg.trans_P))
    c = obs[0]
    vB, vM, vE, vS = (start_p["B"] + eB.get(c, _MIN), start_p["M"] + eM.get(c, _MIN),
                      start_p["E"] + eE.get(c, _MIN), start_p["S"] + eS.get(c, _MIN))
    back: list[tuple[str, str, str, str]] = []
    for c in obs[1:]:
        em = eB.get(c, _MIN)                        # B after E or S
        a, b = vE + tEB + em, vS + tSB + em
        nB, pB = (a, "E") if a > b else (b, "S")    # (on a tie "S" > "E")
        em = eM.get(c, _MIN)                        # M after M or B
        a, b = vM + tMM + em, vB + tBM + em
        nM, pM = (a, "M") if a >= b else (b, "B")   # (on a tie "M" > "B")
        em = eS.get(c, _MIN)                        # S after S or E
        a, b = vS + tSS + em, vE + tES + em
        nS, pS = (a, "S") if a >= b else (b, "E")
        em = eE.get(c, _MIN)                        # E after B or M
        a, b = vB + tBE + em, vM + tME + em
        nE, pE = (a, "B") if a > b else (b, "M")
        back.append((pB, pM, pE, pS))
        vB, vM, vE, vS = nB, nM, nE, nS
    state = "E" if (vE, "E") > (vS, "S") else "S"
    pos = [state]
    col = "BMES".index
    for step in reversed(back):
        state = step[col(state)]
        pos.append(state)
    pos.reverse()
    begin, nexti = 0, 0
    for i, p in enumerate(pos):
        if p == "B":
            begin = i
        elif p == "E":
            out.append(i + 1 - begin)
            nexti = i + 1
        elif p == "S":
            out.append(1)
            nexti = i + 1
    if nexti < len(obs):
        out.append(len(obs) - nexti)
