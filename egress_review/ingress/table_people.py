"""Persons in an imported table that no column name announces (D4).

The import checks block a table with a person-ID, name, date-of-birth or institution column by
its name, and identifiers found in its cells by shape.  What passed before: the same people
with the columns named otherwise or their values cut up -

- a column of card, passport, chart, phone, address or account numbers under a name that says
  so (``card_no``, 護照號碼, ``mrn``...): the values have no checksum to find them by;
- a column of long numbers unique per row under any name (review: what they number is for a
  person to say);
- a national ID split over two or more cells of a row (``A`` | ``123456789``);
- a list of opaque keys (hex digests from 12 characters up) - a hashed person list links rows
  outside the enclave to rows inside;
- one row per person or visit with no key at all: full dates beside a sex column or
  medical codes (block when both; review when one), or sex beside exact ages and diagnoses.

Each test returns findings as ``(severity, location, message_en, message_zh)``; the caller
files them under rule D4.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

_FULL_DATE = re.compile(
    r"(1[89]\d\d|20\d\d)[-/.年]?(0?[1-9]|1[0-2])[-/.月]?(0?[1-9]|[12]\d|3[01])日?"
    r"|(0?\d\d|1[01]\d)[-/.年](0?[1-9]|1[0-2])[-/.月](0?[1-9]|[12]\d|3[01])日?"   # ROC year
    r"|(0?[1-9]|[12]\d|3[01])[-/.](0?[1-9]|1[0-2])[-/.](1[89]\d\d|20\d\d)")
_SEX = {"m", "f", "male", "female", "男", "女", "男性", "女性", "u", "unknown"}
_ICD_LIKE = re.compile(r"[A-Z]\d{2}(\.?\d{1,4}[A-Z]?)?")   # ICD-10; bare ICD-9 digits read as counts
_COUNT_COL = re.compile(r"^(n|cnt|count|counts|cases|freq|frequency|number|total|num)(_|$)|人數|件數|次數|例數",
                        re.IGNORECASE)
_AGE_COL = re.compile(r"(^|_)age($|_)|年齡|歲", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d{9,19}")
_HEX_KEY = re.compile(r"(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}")
_SPLIT_ID = re.compile(r"[A-Za-z][1289A-Da-d]\d{8}")
_SEPARATORS = re.compile(r"[\s\-_.]")

Finding = tuple[str, dict, str, str]


def key_like(value: str) -> bool:
    """A hex digest or keyed pseudonym: 16+ hex digits, or 12+ mixing letters and digits."""
    return bool(re.fullmatch(r"[0-9a-fA-F]{16,}", value) or _HEX_KEY.fullmatch(value))


def identifier_columns(cols: Sequence[str], patterns: Sequence[str]) -> list[Finding]:
    rx = [re.compile(p, re.IGNORECASE) for p in patterns]
    out: list[Finding] = []
    for col in cols:
        if any(r.search(str(col)) for r in rx):
            out.append(("block", {"column": col},
                        f"Column {col!r} holds personal numbers or contact details (card, passport, "
                        "chart, phone, address, e-mail or account): personal data may not be brought in.",
                        f"欄位 {col!r} 為個人號碼或聯絡資料（卡號、護照、病歷號、電話、地址、電子郵件或帳號）："
                        "不得帶入個人資料。"))
    return out


def unique_long_numbers(cols: Sequence[str], values_of: Callable[[str], list[str]],
                        min_rows: int) -> list[Finding]:
    """A column of long numbers, nearly one per row: card, passport, chart or account numbers
    look like this and nothing in the value says which; a person decides."""
    out: list[Finding] = []
    for col in cols:
        vals = [_SEPARATORS.sub("", v) for v in values_of(col) if v.strip()]
        if len(vals) < min_rows:
            continue
        longs = [v for v in vals if _LONG_NUMBER.fullmatch(v) and not _FULL_DATE.fullmatch(v)]
        if len(longs) >= 0.8 * len(vals) and len(set(longs)) >= 0.9 * len(longs):
            out.append(("review", {"column": col, "rows": len(vals)},
                        f"Column {col!r} holds a distinct long number on nearly every row ({len(longs)} of "
                        f"{len(vals)}): card, passport, chart or account numbers look like this. The "
                        "reviewer must confirm what they number.",
                        f"欄位 {col!r} 幾乎每列都是不同的長數字（{len(vals)} 列中 {len(longs)} 列），"
                        "形同卡號、護照、病歷號或帳號，須由審查人確認其意義。"))
    return out


def split_ids(rows: Sequence[Sequence[str]], is_valid: Callable[[str], bool]) -> list[Finding]:
    """A national ID written over two to four neighbouring cells of a row."""
    return _split(rows, is_valid, over_lines=False)


def split_ids_down(rows: Sequence[Sequence[str]], is_valid: Callable[[str], bool]) -> list[Finding]:
    """A national ID written down a column, over two to four rows."""
    width = max((len(r) for r in rows), default=0)
    columns = [[r[c] if c < len(r) else "" for r in rows] for c in range(width)]
    found = _split(columns, is_valid, over_lines=False)
    out = []
    for sev, loc, _en, _zh in found:
        c, (r0, r1) = loc["row"] - 1, loc["columns"]
        out.append((sev, {"column": c, "rows": [r0 + 1, r1 + 1], "count": loc["count"]},
                    f"{loc['count']} national ID/resident number(s) written down a column over "
                    f"neighbouring rows (first in column {c + 1}, rows {r0 + 1}-{r1 + 1}): personal data "
                    "may not be brought in.",
                    f"有 {loc['count']} 個身分證/居留證號分寫在同欄相鄰各列（第一個在第 {c + 1} 欄第 "
                    f"{r0 + 1}-{r1 + 1} 列）：不得帶入個人資料。"))
    return out


def ids_over_lines(text: str, is_valid: Callable[[str], bool]) -> list[Finding]:
    """A national ID written over two to four consecutive lines of a text (``A1234`` then
    ``56789``): each line was read on its own and the ID was found in none."""
    return _split([text.split("\n")], is_valid, over_lines=True)


def _split(rows: Sequence[Sequence[str]], is_valid: Callable[[str], bool], *, over_lines: bool) -> list[Finding]:
    hits: list[tuple[int, int, int]] = []
    for r, row in enumerate(rows):
        cells = [_SEPARATORS.sub("", str(c)) for c in row]
        for i in range(len(cells)):
            if not cells[i][:1].isalpha() or len(cells[i]) >= 10:
                continue
            joined = cells[i]
            for j in range(i + 1, min(i + 4, len(cells))):
                joined += cells[j]
                if len(joined) > 10:
                    break
                if len(joined) == 10 and _SPLIT_ID.fullmatch(joined) and is_valid(joined.upper()):
                    hits.append((r, i, j))
                    break
    if not hits:
        return []
    r, i, j = hits[0]
    if over_lines:
        return [("block", {"line": i + 1, "lines": [i + 1, j + 1], "count": len(hits)},
                 f"{len(hits)} national ID/resident number(s) written over consecutive lines (first on lines "
                 f"{i + 1}-{j + 1}): personal data may not be brought in.",
                 f"有 {len(hits)} 個身分證/居留證號分寫在連續幾行（第一個在第 {i + 1}-{j + 1} 行）：不得帶入個人資料。")]
    return [("block", {"row": r + 1, "columns": [i, j], "count": len(hits)},
             f"{len(hits)} national ID/resident number(s) written over neighbouring cells (first on row "
             f"{r + 1}, columns {i + 1}-{j + 1}): personal data may not be brought in.",
             f"有 {len(hits)} 個身分證/居留證號分寫在相鄰儲存格（第一個在第 {r + 1} 列第 {i + 1}-{j + 1} 欄）："
             "不得帶入個人資料。")]


def key_list(tokens: Sequence[str], min_keys: int) -> list[Finding]:
    """Many distinct opaque keys in a reference text: a hashed or pseudonymised person list."""
    keys = {t for t in tokens if key_like(t)}
    if len(keys) < min_keys:
        return []
    return [("block", {"count": len(keys)},
             f"{len(keys)} distinct hex keys or digests: a hashed or pseudonymised list of persons links "
             "records outside the enclave to these and may not be brought in.",
             f"含 {len(keys)} 個不同的十六進位金鑰或雜湊值：經雜湊或假名化的人員名單可連結外部紀錄，不得帶入。")]


def person_records(cols: Sequence[str], values_of: Callable[[str], list[str]], min_rows: int,
                   medical_patterns: Sequence[str]) -> list[Finding]:
    """One row per person or visit without a key: day-precision dates that differ from row to
    row beside a sex column and/or medical codes; or, without dates, a sex column beside exact
    ages and/or medical codes (age, sex and diagnosis per row is a person)."""
    med_rx = [re.compile(p, re.IGNORECASE) for p in medical_patterns]
    dates, sexes, medical, ages = [], [], [], []
    n = 0
    for col in cols:
        vals = [v.strip() for v in values_of(col) if v.strip()]
        n = max(n, len(vals))
        if len(vals) < min_rows:
            continue
        if sum(1 for v in vals if _FULL_DATE.fullmatch(v)) >= 0.8 * len(vals) and len(set(vals)) >= 0.3 * len(vals):
            dates.append(col)
        elif {v.casefold() for v in vals} <= _SEX and len({v.casefold() for v in vals}) >= 2:
            sexes.append(col)
        elif any(r.search(str(col)) for r in med_rx) or \
                sum(1 for v in vals if _ICD_LIKE.fullmatch(v)) >= 0.8 * len(vals):
            medical.append(col)
        elif _AGE_COL.search(str(col)) and all(re.fullmatch(r"\d{1,3}", v) and int(v) <= 120 for v in vals):
            ages.append(col)
    if dates:
        if not (sexes or medical or len(dates) >= 2):
            return []
        beside = sexes + medical + ages + dates[1:]
        block = bool((sexes and medical) or (len(dates) >= 2 and (sexes or medical)))
        key, key_zh = f"exact dates ({dates[0]!r})", f"精確日期（{dates[0]!r}）"
    elif sexes and (ages or medical):
        beside = ages + medical
        block = bool(ages and medical)
        key, key_zh = f"a sex column ({sexes[0]!r})", f"性別欄（{sexes[0]!r}）"
    else:
        return []
    severity = "block" if block else "review"
    if _counted(cols, values_of):   # rows of counts: an aggregate, or records dressed as one
        if severity == "review":
            return []
        severity = "review"
    what = ", ".join(repr(c) for c in beside[:4])
    return [(severity, {"columns": (dates[:1] or sexes[:1]) + beside[:4], "rows": n},
             f"{n} rows with {key} beside {what}: one row per person or visit, "
             "personal records even without a key." + ("" if severity == "block" else
                                                       " The reviewer must confirm they are not."),
             f"{n} 列含{key_zh}及 {what}：每列一人或一次就醫，即使無識別碼仍屬個人紀錄"
             + ("，不得帶入。" if severity == "block" else "，須由審查人確認。"))]


def _counted(cols: Sequence[str], values_of: Callable[[str], list[str]]) -> bool:
    """A count column whose values are mostly above one (rows of 1 are persons)."""
    for col in cols:
        if not _COUNT_COL.search(str(col).strip()):
            continue
        nums = [v.strip() for v in values_of(col) if v.strip()]
        if nums and all(re.fullmatch(r"\d+", v) for v in nums) and \
                sum(1 for v in nums if int(v) > 1) >= 0.5 * len(nums):
            return True
    return False
