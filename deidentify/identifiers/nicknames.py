"""Bare nicknames opening a sentence (D1): 阿財陪同就醫, 小芳是案子, 明仔今天有來.

A nickname built on a name character (阿 or 小 before a common given-name character, or one
before 仔) names a person; a kinship word alone (阿伯, 阿嬤, 小孩) does not, and is no given-name
character.  Context finders catch a nickname after a word that introduces a person (叫他阿明,
案妻阿明); this one reads it where a sentence opens (start, punctuation, a space) and the
person then does something (陪同, 是, 說, 來, 今天 ...).  Works on the Simplified normal form.
"""
from __future__ import annotations

import re

from deidentify.identifiers import chinese_names as C

_H = r"\u4e00-\u9fff"
# what a person does right after being named (chinese_names' subject verbs, and 是)
_AFTER = "[" + C._AFTER_SUBJECT.pattern.strip("[]") + "是]"
# 阿/小 + one character, then a verb (opens with a character set: the engine skips at C speed)
PREFIXED = re.compile("[阿小](?<![" + _H + "][阿小])([" + _H + "])(?=" + _AFTER + ")")
# one character + 仔 (明仔), then a verb
SUFFIXED = re.compile("仔(?=" + _AFTER + ")")


def _ok(simp: str, a: int, given: str) -> bool:
    from deidentify.identifiers.name_runs import is_word

    return given in C._GIVEN_CHARS_S and not is_word(simp[a:a + 2], 100)


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of bare nicknames opening a sentence."""
    out = [(m.start(), m.end()) for m in PREFIXED.finditer(simp) if _ok(simp, m.start(), m.group(1))]
    for m in SUFFIXED.finditer(simp):
        a = m.start() - 1
        if a >= 0 and re.match("[" + _H + "]", simp[a]) and (a == 0 or not re.match("[" + _H + "]", simp[a - 1])) \
                and _ok(simp, a, simp[a]):
            out.append((a, m.end()))
    return out
