"""E3: does one value (a group, a column header) name, code or pseudonymise one institution or
one practitioner?  The institutions check asks this of every group value and count header.

Read as a person reads it: compatibility forms and look-alikes folded (full-width digits,
Arabic-Indic digits, zero-width characters inside a code), then each of these is one:
- an NHI institution code: ten digits, whatever separators stand between them
  (``1101 020 018``, ``1131-010-011``), alone or beside its name;
- a part of the value the policy's value patterns name (``台大醫院 NTUH``: the name is a part,
  not the end of the whole value), unless that part is a level or a kind of institution;
- a short name or initials the policy knows (``egress.institution_known_names``: 台大, 北榮,
  林口長庚, NTUH, CGMH, Chang Gung …): hospitals are called so more often than by their full
  names, and no suffix marks them;
- a pseudonym: lower-case hex of eight characters or more holding a digit and a letter, with
  or without a short prefix (``H_9f3a1c2b``, ``hosp-0a1b2c3d``) - what keyed re-coding makes of
  an institution's or a person's id; a stable pseudonym links it across releases;
- a practitioner by name: a name before a title (陳大明醫師, 林主任) or after one (Dr. Wang,
  Prof. Lin), unless the words before the title are a kind (主治醫師, 家醫科醫師, 住院醫師).
"""
from __future__ import annotations

import functools
import re
import unicodedata

from deidentify.identifiers.lookalike import fold

_SEPARATORS = re.compile(r"[\s\-‐‑–—.·・_/]+")
_TEN_DIGITS = re.compile(r"^\d{10}$")
_PARTS = re.compile(r"[\s/|,;()（）、，；【】\[\]]+")
_PSEUDONYM = re.compile(r"^(?:[A-Za-z]{1,6}[_\-:#.]?)?(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}$")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_HAN_TITLE = re.compile(rf"^(?P<who>[{_HAN}]{{1,4}})(?P<title>醫師|醫生|大夫|藥師|護理師|主任|院長|教授)$")
_LATIN_TITLE = re.compile(r"(?:^|[^A-Za-z])(?:Dr|Prof)\.?\s*[A-Z][a-z]+"
                          r"|[A-Z][a-z]+(?:[\s\-][A-Z][a-z]+)*,?\s+M\.?D\.?(?![A-Za-z])")
# Words before a title that make it a kind of practitioner, not one person.
_ROLE_WORDS = ("主治", "住院", "總", "專科", "實習", "兼任", "專任", "資深", "值班", "代班", "駐診", "開業",
               "一般", "家醫科", "家醫", "醫", "科", "部", "中醫", "西醫", "牙醫", "牙", "中", "西", "藥",
               "藥局", "護理", "副", "助理", "客座", "講座", "名譽", "臨床", "藥劑", "女", "男", "老",
               "年輕", "新進", "資淺", "看", "找", "問", "當", "是", "非", "其他", "無")
_DATE_START = re.compile(r"^(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}")


def read_as(value: str) -> str:
    """``value`` as it reads: NFKC, then look-alikes folded (deidentify.identifiers.lookalike)."""
    return fold(unicodedata.normalize("NFKC", value))[0]


def _a_code(value: str) -> bool:
    if not _DATE_START.match(value) and _TEN_DIGITS.match(_SEPARATORS.sub("", value)):
        return True
    return any(_TEN_DIGITS.match(p) for p in _PARTS.split(value))


def _known(value: str, known: list[str]) -> str | None:
    """A known short name: Latin initials and names as whole words (any case), Han names
    anywhere in the value (they run into place names: 林口長庚, 台大雲林分院)."""
    folded = value.casefold()
    for name, key, rx in _known_patterns(tuple(known)):
        # the plain containment test first: this runs on every sentence of a text output
        if key in folded and rx.search(value):
            return name
    return None


@functools.lru_cache(maxsize=8)
def _known_patterns(known: tuple[str, ...]) -> tuple[tuple[str, str, re.Pattern], ...]:
    out = []
    for name in known:
        if re.search(rf"[{_HAN}]", name):
            # 高醫 the hospital, not 高醫療利用 (high medical use)
            tail = "(?![療學師生藥事護])" if name.endswith("醫") else ""
            out.append((name, name.casefold(), re.compile(re.escape(name) + tail)))
        else:
            out.append((name, name.casefold(), re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])",
                                         re.IGNORECASE)))
    return tuple(out)


def _a_role(word: str) -> bool:
    while word:
        head = next((r for r in sorted(_ROLE_WORDS, key=len, reverse=True) if word.startswith(r)), None)
        if head is None:
            return False
        word = word[len(head):]
    return True


def _practitioner(value: str, types: set[str]) -> str | None:
    m = _HAN_TITLE.match(value.replace(" ", "").replace("\u3000", ""))
    if m and not _a_role(m["who"]) and m["who"].casefold() not in types:
        return value
    m = _LATIN_TITLE.search(value)
    return m.group(0).strip() if m else None


def names_one(value: str, val_rx, levels: set[str], types: set[str], known: list[str],
              a_type) -> str | None:
    """What in ``value`` names, codes or pseudonymises one institution or practitioner (for the
    finding's words), or None.  ``a_type(part, types)``: is ``part`` a kind of institution."""
    s = read_as(str(value)).strip()
    if not s:
        return None
    if _a_code(s):
        return "an NHI institution code"
    parts = [s] + [p for p in _PARTS.split(s) if p and p != s]
    for p in parts:
        if p.casefold() in levels or a_type(p, types):
            continue
        if any(r.search(line[-120:]) for line in (p.splitlines() or [""]) for r in val_rx):
            return p
    hit = _known(s, known)
    if hit:
        return hit
    if any(_PSEUDONYM.match(p) for p in parts):
        return "a pseudonym"
    return _practitioner(s, types)
