"""``taiwan_id.kind`` reads the checksum's terms off tables (issue 14, speed): it must say
exactly what the definition says - the shape (``checksum_ok``'s regex), the checksum and the
three forms' regexes - for every string, not only well-formed numbers."""
from __future__ import annotations

import random

from deidentify.identifiers import taiwan_id


def _by_definition(s: str) -> str | None:
    s = s.upper()
    if not taiwan_id.checksum_ok(s):
        return None
    for form, rx in (("national", taiwan_id.NATIONAL), ("resident_new", taiwan_id.RESIDENT_NEW),
                     ("resident_old", taiwan_id.RESIDENT_OLD)):
        if rx.fullmatch(s):
            return form
    return None


# characters that test the edges: other scripts' decimal digits (\d is Unicode Nd), full-width
# forms, letters that change length or script when upper-cased, separators
ODD = "²①٣۵१１９ＡａßﬁİıſK -._·\u00a0\n零"


def _members(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        form = rng.choice(("national", "resident_new", "resident_old"))
        good = taiwan_id.generate(rng, form)
        chars = list(rng.choice((good, good.lower(), good)))
        for _ in range(rng.choice((0, 0, 1, 1, 2))):           # a typo, an odd character
            k = rng.randrange(len(chars))
            chars[k] = rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcd" + ODD)
        if rng.random() < 0.1:
            chars.insert(rng.randrange(len(chars) + 1), rng.choice("0123456789" + ODD))
        if rng.random() < 0.1:
            del chars[rng.randrange(len(chars))]
        out.append("".join(chars))
    return out


def test_kind_equals_the_definition_on_many_strings():
    rng = random.Random(1414)
    strings = _members(rng, 60_000) + ["", "A", "A12345678", "A1234567890", "a123456789", "A123456789"]
    got = {"national": 0, "resident_new": 0, "resident_old": 0, None: 0}
    for s in strings:
        k = taiwan_id.kind(s)
        assert k == _by_definition(s), s
        got[k] += 1
    assert min(got.values()) > 1000          # every answer is exercised


def test_every_second_character_and_place_letter():
    for place in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "aź1ı":
        for second in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab٣１²":
            for tail in ("23456789", "00000000", "9876543٣", "１２３４５６７８", "1234567²"):
                for last in "0123456789":
                    s = place + second + tail[:7] + last
                    assert taiwan_id.kind(s) == _by_definition(s), s
