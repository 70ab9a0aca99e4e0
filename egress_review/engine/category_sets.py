"""Categories as sets: which labels of one grouping variable contain or overlap others (E3).

Two tables of the same persons may band a variable differently - ages 20-29 in one, 20-24 and
25-28 in another; a county in one, its districts in another; an ICD-10 block and its codes.
A reader subtracts: 40 - 18 - 19 = 3 persons aged 29.  Differencing therefore works on the
*finest parts* the published labels cut a variable into, and each label is the union of the
parts it covers:

- ranges in the forms tables use ("20-29", "20–29", "20~29", "20至29歲", "20 to 29",
  "≥65", "65+", "65歲以上", "<20", "未滿20歲", "19歲以下", a single "29"), also with decimals
  ("18.5-24.9" covers up to 25.0 at the tenths it is written in, "<18.5", "≥30.0"), are cut at
  every published boundary;
- labels that are a proper prefix of others ("E11" ⊃ "E11.9", "E119"; "臺北市" ⊃ "臺北市大安區")
  contain them, plus a part of their own for what the published children leave out; a block
  of ICD-10 categories ("I10-I15") contains the codes and narrower blocks inside it the same
  way; blocks that overlap without one holding the other (I10-I13, I12-I15) are cut at every
  block boundary like ranges (I10-I11, I12-I13, I14-I15), the codes inside a piece parts of it;
- a label naming several categories ("A+B", "north/south", 「甲區、乙區」) covers its parts
  when some part is published elsewhere or shared with another such label (A+B vs A+B+C);
- anything else is a category of its own.

Labels are compared as :func:`egress_review.engine.linking.norm` leaves them (case, width and
dash forms folded).  A set of labels that are all disjoint comes back one part per label, so
ordinary tables are modelled exactly as before.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from deidentify.regex_cache import compiled
from egress_review.engine import synonyms

INF = math.inf
_N = r"(\d{1,4}(?:\.\d{1,3})?)"
_AGE = r"(?:歲|岁|years?|yrs?|y)?"


def _step(x: str) -> Fraction:
    """The resolution a bound is written at: 1 for 29, 1/10 for 24.9 (24.9 covers up to 25.0)."""
    return Fraction(1, 10 ** len(x.partition(".")[2]))


# (pattern, function of the matched numbers -> [lo, hi) half-open interval); numbers come as
# strings so that "18.5-24.9" covers [18.5, 25.0) at the tenths it is written in
_FORMS = [
    (compiled(rf"^{_N}{_AGE}(?:-|至|到|to|~){_N}{_AGE}$"), lambda a, b: (Fraction(a), Fraction(b) + _step(b))),
    (compiled(rf"^(?:≥|>=|=>){_N}{_AGE}$|^{_N}{_AGE}(?:\+|或?以上|andover|andolder|ormore|or\s*more)$"),
     lambda a: (Fraction(a), INF)),
    (compiled(rf"^>{_N}{_AGE}$"), lambda a: (Fraction(a) + _step(a), INF)),
    (compiled(rf"^(?:<|未滿|under|lessthan|below){_N}{_AGE}$"), lambda a: (-INF, Fraction(a))),
    (compiled(rf"^(?:≤|<=|=<){_N}{_AGE}$|^{_N}{_AGE}(?:或?以下|orless|orunder|andunder|andyounger)$"),
     lambda a: (-INF, Fraction(a) + _step(a))),
    (compiled(rf"^{_N}{_AGE}$"), lambda a: (Fraction(a), Fraction(a) + _step(a))),
]


def interval(label: str) -> tuple[float, float] | None:
    """The half-open interval a normalised label names (bounds exact fractions), or None."""
    s = label.replace(" ", "")
    days = date_interval(s)
    if days is not None:
        return days
    for pattern, make in _FORMS:
        m = pattern.match(s)
        if m:
            nums = [g for g in m.groups() if g is not None]
            lo, hi = make(*nums)
            return (lo, hi) if lo < hi else None
    return None


# Dates (E3): a count "through 2020-06-30" released after one "through 2020-07-31", or
# "2020-01~2020-06" after "2020-01~2020-05", differ by the persons of the added days.  A date
# is the days it covers (a month all its days) as day numbers, so periods are cut at every
# published boundary like age bands.  Day numbers (~737 000) never meet years or ages.
_D = r"(?:民國)?(\d{4}|\d{2,3}(?=年))[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?"   # 109年 = 2020 (ROC)
_UPTO = r"(?:≤|<=|=<|through|thru|until|till|upto|to|asof|by|截至|截止|迄|至|到|累計至|累積至)"
_DATE_FORMS = [
    (compiled(rf"^(?:from)?{_D}(?:-|~|～|至|到|to|until|through|thru){_D}$"), "range"),
    (compiled(rf"^{_UPTO}{_D}(?:止|為止)?$|^{_D}(?:或?以前|之前|為止|止|orbefore|orearlier)$"), "upto"),
    (compiled(rf"^(?:<|before|prior(?:to)?){_D}$"), "before"),
    (compiled(rf"^(?:≥|>=|=>|since|from){_D}$|^{_D}(?:或?以後|起|onwards?|orlater)$"), "since"),
    (compiled(rf"^(?:>|after){_D}$|^{_D}之後$"), "after"),
    (compiled(rf"^{_D}$"), "day"),
]


def _days(y: str, m: str, d: str | None) -> tuple[int, int] | None:
    """[first day, day after the last) of a date or a month, as ordinal day numbers."""
    import datetime as _dt

    if len(y) < 4:
        y = str(int(y) + 1911)
    try:
        if d is not None:
            a = _dt.date(int(y), int(m), int(d)).toordinal()
            return a, a + 1
        first = _dt.date(int(y), int(m), 1)
        nxt = _dt.date(int(y) + (int(m) == 12), int(m) % 12 + 1, 1)
        return first.toordinal(), nxt.toordinal()
    except ValueError:
        return None


def date_interval(label: str) -> tuple[float, float] | None:
    """The days a date, a period or an open period ("through 2020-06-30", 「截至2020年6月」,
    "≥2021-01") covers as [lo, hi) day numbers; None for anything else."""
    s = label.replace(" ", "").casefold()
    for pattern, kind in _DATE_FORMS:
        m = pattern.match(s)
        if not m:
            continue
        g = m.groups()
        if g[0] is None:                 # the second spelling of the form ("2020-06以前")
            g = g[3:]
        a = _days(*g[:3])
        if a is None:
            return None
        if kind == "range":
            b = _days(*g[3:6])
            return (a[0], b[1]) if b is not None and a[0] < b[1] else None
        return {"upto": (-INF, a[1]), "before": (-INF, a[0]), "since": (a[0], INF),
                "after": (a[1], INF), "day": a}[kind]
    return None


_CUMULATIVE_HEADER = compiled(r"(?:^|[^a-z])(?:through|thru|until|up[\s_-]?to|as[\s_-]?of|cut[\s_-]?off|"
                              r"cumulative|data[\s_-]?lock|closing)(?:$|[^a-z])|截至|截止|累計|累積|迄",
                              re.IGNORECASE)


def cumulative_label(header: str, label: str) -> str:
    """A bare date under a header that says 'up to' (through, as of, 截至) is the open period up
    to it: counts as of two dates differ by the persons in between."""
    if _CUMULATIVE_HEADER.search(header) and date_interval(label) is not None and \
            _DATE_FORMS[-1][0].match(label.replace(" ", "").casefold()):
        return f"≤{label}"
    return label


_CODE = compiled(r"^[a-z]\d{2}[0-9a-z]{0,4}$")    # ICD-10 / ATC-like, dot dropped
_ENUM = compiled(r"^[a-z]\d$")                    # r1, d7: an enumeration, not a code


def _prefix_key(label: str, enumeration: bool = False) -> str | None:
    """A label that can head a hierarchy by prefix: a code of the ICD-10 shape ("E11" heads
    "E11.9", "E119"; dots dropped) unless the set is an enumeration (r1 … r40, where "r1" would
    seem to head "r10"), or a name without digits of two or more characters ("臺北市" heads
    "臺北市大安區")."""
    key = label.replace(".", "")
    if _CODE.match(key):
        return None if enumeration else key
    if len(key) >= 2 and not any(ch.isdigit() for ch in key):
        return key
    return None


# A block of ICD-10 categories, dots dropped: "I10-I15", "i10-15", "E10–E14" (dashes folded)
_CODE_RANGE = compiled(r"^([a-z])(\d{2})(?:-|~|至|到|to)([a-z])?(\d{2})$")


def _category(letter: str, two: str) -> int:
    return (ord(letter) - ord("a")) * 100 + int(two)


def code_span(label: str, enumeration: bool = False) -> tuple[int, int] | None:
    """The ICD-10 categories a label covers as [first, last + 1): a block "I10-I15" its
    categories, a code "I10" / "I10.9" its own category; None for anything else."""
    key = label.replace(".", "")
    m = _CODE_RANGE.match(key)
    if m:
        a, b = _category(m.group(1), m.group(2)), _category(m.group(3) or m.group(1), m.group(4))
        return (a, b + 1) if a <= b else None
    if _CODE.match(key) and not enumeration:
        return _category(key[0], key[1:3]), _category(key[0], key[1:3]) + 1
    return None


def _is_enumeration(labels) -> bool:
    return any(_ENUM.match(x.replace(".", "")) for x in labels)


@dataclass
class Refinement:
    parts: list[str]                 # finest parts, as readable names
    cover: dict[str, list[int]]      # label -> indices of the parts it covers

    @property
    def nested(self) -> bool:
        """Some label covers more than one part (the tables band the variable differently)."""
        return any(len(v) > 1 for v in self.cover.values())

    def leftovers(self) -> dict[str, list[int]]:
        """For each label that contains others: the parts none of them covers (20-29 minus
        20-24 and 25-28), when that is more than one part (a single part is an atom anyway)."""
        out = {}
        for lab, mine in self.cover.items():
            inner = set()
            for other, theirs in self.cover.items():
                if other != lab and set(theirs) < set(mine):
                    inner |= set(theirs)
            left = sorted(set(mine) - inner)
            if inner and len(left) > 1:
                out[lab] = left
        return out


# A label that names several categories ("A+B", "north/south", 「甲區、乙區」, "A&B"): its
# parts are categories of the same variable.  Not "|": it joins the levels of a column
# header ("mean | s"), not categories.
_UNION_SEP = compiled(r"\+|/|、|&|,|，|;|；|與|及|或")
_WORDLIKE = compiled(r"[^\W\d_]")


def unions(labels) -> dict[str, list[str]]:
    """Labels that are unions of other categories: every part non-empty and word-like (not
    dates, 1/2), and some part a published label or a part of another union ("A+B" and
    "A+B+C" share A and B) - so that "hospital/clinic" alone stays one category."""
    labels = set(labels)
    cand = {}
    for lab in labels:
        ps = [p for p in _UNION_SEP.split(lab)]
        if len(ps) >= 2 and all(p and _WORDLIKE.search(p) for p in ps) and interval(lab) is None:
            # each part as its category is named elsewhere (「糖尿病+高血壓」 holds E11 and I10)
            cand[lab] = list(dict.fromkeys(synonyms.canonical(p) for p in ps))
    seen: dict[str, int] = {}
    for ps in cand.values():
        for p in ps:
            seen[p] = seen.get(p, 0) + 1
    return {lab: ps for lab, ps in cand.items() if any(p in labels or seen[p] >= 2 for p in ps)}


def refine(labels: list[str]) -> Refinement:
    labels = list(dict.fromkeys(labels))
    joined = unions(labels)
    if joined:
        # each union covers its parts: A+B = 110 and A+B+C = 113 leave C = 3
        atoms = [lab for lab in labels if lab not in joined]
        atoms += [p for ps in joined.values() for p in ps if p not in atoms]
        inner = refine(atoms)
        cover = {lab: inner.cover[lab] for lab in labels if lab not in joined}
        for lab, ps in joined.items():
            cover[lab] = sorted({i for p in ps for i in inner.cover[p]})
        return Refinement(inner.parts, cover)
    ranges = {lab: iv for lab in labels if (iv := interval(lab)) is not None}
    parts: list[str] = []
    cover: dict[str, list[int]] = {}
    if len(ranges) >= 2 and _overlapping(list(ranges.values())):
        cuts = sorted({x for iv in ranges.values() for x in iv})
        pieces = [(a, b) for a, b in zip(cuts, cuts[1:])
                  if any(lo <= a and b <= hi for lo, hi in ranges.values())]
        # pieces every label treats alike are one part (fewer atoms, same model)
        merged: list[tuple[float, float]] = []
        sig_of = lambda p: frozenset(l for l, (lo, hi) in ranges.items()  # noqa: E731
                                     if lo <= p[0] and p[1] <= hi)
        for p in pieces:
            if merged and merged[-1][1] == p[0] and sig_of(merged[-1]) == sig_of(p):
                merged[-1] = (merged[-1][0], p[1])
            else:
                merged.append(p)
        for lo, hi in merged:
            parts.append(_name(lo, hi))
        for lab, (lo, hi) in ranges.items():
            cover[lab] = [k for k, (a, b) in enumerate(merged) if lo <= a and b <= hi]
    else:
        ranges = {}
    rest = [lab for lab in labels if lab not in ranges]
    enum = _is_enumeration(rest)
    spans = _overlapping_blocks(rest, enum)
    if spans:
        return _refine_blocks(rest, spans, enum, parts, cover)
    return _refine_rest(rest, enum, parts, cover)


def _refine_rest(rest: list[str], enum: bool, parts: list[str], cover: dict) -> Refinement:
    """Prefix hierarchies (codes, place names) and blocks holding codes; the rest alone."""
    keys = {lab: _prefix_key(lab, enum) for lab in rest}
    children: dict[str, list[str]] = {lab: [] for lab in rest}
    by_key = {k: lab for lab, k in keys.items() if k}
    blocks = {lab: sp for lab in rest if _CODE_RANGE.match(lab.replace(".", "")) and (sp := code_span(lab))}
    for lab in rest:
        k = keys[lab]
        # the nearest published ancestor: the longest other label that is a proper prefix ...
        parent = next((by_key[k[:cut]] for cut in range(len(k or "") - 1, 0, -1)
                       if by_key.get(k[:cut]) not in (None, lab)), None)
        # ... or else the narrowest block of categories that holds it (I10-I15 holds I10, I12.9)
        if parent is None and blocks:
            mine = code_span(lab, enum)
            holders = [(hi - lo, b) for b, (lo, hi) in blocks.items() if b != lab and mine
                       and lo <= mine[0] and mine[1] <= hi and (hi - lo, lo) != (mine[1] - mine[0], mine[0])]
            parent = min(holders)[1] if holders else None
        if parent is not None:
            children[parent].append(lab)
    own: dict[str, int] = {}
    for lab in rest:
        own[lab] = len(parts)
        parts.append(lab if not children[lab] else f"{lab} (other)")

    def covered(lab: str) -> list[int]:
        out = [own[lab]]
        for c in children[lab]:
            out += covered(c)
        return out

    for lab in rest:
        cover[lab] = sorted(covered(lab))
    return Refinement(parts, cover)


def _overlapping_blocks(labels: list[str], enum: bool) -> dict[str, tuple[int, int]]:
    """The category spans of the blocks and three-character codes in ``labels`` when two
    blocks overlap without one holding the other (else {})."""
    blocks = [sp for lab in labels if _CODE_RANGE.match(lab.replace(".", "")) and (sp := code_span(lab))]
    partial = any(a[0] < b[0] < a[1] < b[1] for a in blocks for b in blocks)
    if not partial:
        return {}
    return {lab: sp for lab in labels if (sp := code_span(lab, enum))
            and (_CODE_RANGE.match(lab.replace(".", "")) or len(lab.replace(".", "")) == 3)}


def _code_name(lo: int, hi: int) -> str:
    name = lambda c: f"{chr(ord('A') + c // 100)}{c % 100:02d}"           # noqa: E731
    return name(lo) if hi == lo + 1 else f"{name(lo)}-{name(hi - 1)}"


def _refine_blocks(rest: list[str], spans: dict, enum: bool, parts: list[str],
                   cover: dict) -> Refinement:
    """Blocks and categories cut at every boundary into pieces; a longer code (I12.9) is a
    part of its own inside the piece that holds its category, as are the codes under it."""
    cuts = sorted({x for sp in spans.values() for x in sp})
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:])
              if any(lo <= a and b <= hi for lo, hi in spans.values())]
    base = len(parts)
    parts += [_code_name(a, b) for a, b in pieces]
    for lab, (lo, hi) in spans.items():
        cover[lab] = [base + k for k, (a, b) in enumerate(pieces) if lo <= a and b <= hi]
    finer = [lab for lab in rest if lab not in spans]
    sub = _refine_rest(finer, enum, [], {})
    offset = len(parts)
    parts += sub.parts
    for lab in finer:
        cover[lab] = [offset + k for k in sub.cover[lab]]
        sp = code_span(lab, enum)
        if sp is None:
            continue
        # a code under a published block or category: inside every label that holds it
        # (its own parts are then not in the piece's remainder, which keeps its index)
        for holder, (lo, hi) in spans.items():
            if lo <= sp[0] and sp[1] <= hi:
                cover[holder] = sorted(set(cover[holder]) | set(cover[lab]))
    return Refinement(parts, cover)


def _overlapping(ivs: list[tuple[float, float]]) -> bool:
    ivs = sorted(ivs)
    return any(b[0] < a[1] for a, b in zip(ivs, ivs[1:])) or len(set(ivs)) < len(ivs)


def _num(x) -> str:
    return str(int(x)) if Fraction(x).denominator == 1 else format(float(x), "g")


_DAY0 = 100_000          # bounds from 100 000 up are day numbers (numbers in labels have ≤ 4 digits)


def _day(n) -> str:
    import datetime as _dt

    return _dt.date.fromordinal(int(n)).isoformat()


def _name(lo, hi) -> str:
    if max(abs(x) for x in (lo, hi) if x not in (INF, -INF)) >= _DAY0:   # a period of days
        if hi == INF:
            return f"≥{_day(lo)}"
        if lo == -INF:
            return f"≤{_day(hi - 1)}"
        return _day(lo) if hi == lo + 1 else f"{_day(lo)}-{_day(hi - 1)}"
    if hi == INF:
        return f"≥{_num(lo)}"
    if lo == -INF:
        return f"<{_num(hi)}"
    if Fraction(lo).denominator == 1 and Fraction(hi).denominator == 1:
        return f"{int(lo)}" if hi == lo + 1 else f"{int(lo)}-{int(hi) - 1}"
    return f"{_num(lo)}≤x<{_num(hi)}"


def nested_sets(a: frozenset, b: frozenset) -> bool:
    """Two label sets that band one variable differently: a boundary of one's ranges falls
    strictly inside a range of the other's, or one's labels head the other's (codes).  Equal
    sets are matched elsewhere; disjoint or unrelated sets are not linked by this."""
    if a == b or not a or not b:
        return False
    joined = unions(a | b)
    if any(lab in a and set(ps) & b or lab in b and set(ps) & a for lab, ps in joined.items()) or \
            any(lab in a and other in b or lab in b and other in a
                for lab in joined for other in joined if lab != other
                and set(joined[lab]) & set(joined[other])):
        return True               # a union of one set's categories in the other ("A+B" vs A, B)
    ra = [iv for x in a if (iv := interval(x)) is not None]
    rb = [iv for x in b if (iv := interval(x)) is not None]
    if len(ra) >= max(1, len(a) - 1) and len(rb) >= max(1, len(b) - 1) and len(ra) + len(rb) >= 3:
        return _cuts_inside(ra, rb) or _cuts_inside(rb, ra)
    enum = _is_enumeration(a | b)
    ka = sorted({k for x in a if (k := _prefix_key(x, enum))})
    kb = sorted({k for x in b if (k := _prefix_key(x, enum))})
    return _heads(ka, kb) or _heads(kb, ka) or _blocks_hold(a, b, enum) or _blocks_hold(b, a, enum) \
        or _blocks_cross(a, b)


def _blocks_cross(a: frozenset, b: frozenset) -> bool:
    """A block of ``a`` overlaps one of ``b`` without either holding the other."""
    spans = lambda s: [sp for x in s if _CODE_RANGE.match(x.replace(".", "")) and (sp := code_span(x))]  # noqa: E731
    return any(x[0] < y[0] < x[1] < y[1] or y[0] < x[0] < y[1] < x[1]
               for x in spans(a) for y in spans(b))


def _blocks_hold(a: frozenset, b: frozenset, enum: bool) -> bool:
    """A block of categories in ``a`` (I10-I15) holds a narrower code or block of ``b``."""
    blocks = [sp for x in a if _CODE_RANGE.match(x.replace(".", "")) and (sp := code_span(x))]
    for x in b:
        mine = code_span(x, enum)
        if mine and any(lo <= mine[0] and mine[1] <= hi and (lo, hi) != mine for lo, hi in blocks):
            return True
    return False


def _cuts_inside(ra: list, rb: list) -> bool:
    """Some boundary of the ranges ``ra`` lies strictly inside a range of ``rb``."""
    import bisect

    cuts = sorted({x for iv in ra for x in iv if math.isfinite(x)})
    for lo, hi in rb:
        i = bisect.bisect_right(cuts, lo)
        if i < len(cuts) and cuts[i] < hi:
            return True
    return False


def _heads(parents: list[str], keys: list[str]) -> bool:
    """Some key of ``parents`` is a proper prefix of some key of ``keys`` (both sorted)."""
    import bisect

    for p in parents:
        i = bisect.bisect_right(keys, p)
        if i < len(keys) and keys[i].startswith(p) and keys[i] != p:
            return True
    return False
