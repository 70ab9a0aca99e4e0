"""E3: no result may identify a specific institution, physician or pharmacy.

A grouping key that is an institution/physician/pharmacy identifier (HOSP_ID, PRSN_ID, PHAR_ID
and the like, pseudonymised or not), or whose values name or code one institution (hospital
names, 10-digit NHI institution codes), blocks.  Institution *levels* (medical centre, regional
hospital, ...) are not one institution and pass.
"""
from __future__ import annotations

import re

from egress_review.engine import institution_values
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E3"
CHECK = "institutions"
KINDS = {"table"}


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    pol = ctx.policy
    col_rx = [re.compile(p, re.IGNORECASE) for p in pol.institution_column_patterns]
    val_rx = [re.compile(p) for p in pol.institution_value_patterns]
    levels = {s.casefold() for s in pol.institution_level_labels}
    types = {s.casefold() for s in pol.institution_type_words}
    known = list(pol.institution_known_names)
    totals = set(spec.total_labels)
    keys: list[tuple[str, list[str], dict]] = []
    for g in table.group_cols:
        keys.append((g, table.text(g).tolist(), {"column": g}))
    if spec.column_group:
        heads = [c for c in table.columns if table.role(c) and table.role(c).role != "group"]
        keys.append((spec.column_group, heads, {"column_group": spec.column_group}))
    for name, values, loc in keys:
        hit = next((r.pattern for r in col_rx if r.search(name)), None)
        if hit:
            ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location=loc,
                    en=f"Grouping by {name!r} identifies institutions, physicians or pharmacies "
                       "(pseudonymised or not); group by level or region instead.",
                    zh=f"以 {name!r} 分組可識別特定醫事機構、醫師或藥局（不論是否已假名化）；"
                       "請改以層級或區域分組。")
            continue
        header = _header_kind(name, pol)
        unplaced: list[str] = []
        for i, v in enumerate(values):
            s = str(v).strip()
            if not s or s in totals or s.casefold() in levels or _a_type(s, types):
                continue
            where = table.location(i, name) if "column" in loc else {**loc, "header": s}
            why = institution_values.names_one(s, val_rx, levels, types, known, _a_type)
            if why:
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location=where,
                        en=f"The group {s!r} names, codes or pseudonymises a single institution or "
                           f"practitioner ({why}).",
                        zh=f"分組值 {s!r} 指名、以代碼或假名代表單一醫事機構或醫事人員（{why}）。")
            elif header and not _a_kind(s, types):
                if _code_like(s):
                    # a code or pseudonym under an institution header is one institution, and
                    # a stable pseudonym links it across releases (a ranking, shares, counts)
                    ctx.add(rule=RULE, check=CHECK, severity="block" if header == "key" else "review",
                            file=spec.path, location=where,
                            en=f"The group {s!r} under {name!r} is a code or pseudonym of one "
                               f"{'institution or practitioner' if header == 'key' else 'site or centre, if the column means institutions'}"
                               "; group by level or region instead.",
                            zh=f"{name!r} 下的分組值 {s!r} 為單一"
                               f"{'醫事機構或醫事人員' if header == 'key' else '收案地點或中心（若此欄指醫事機構）'}"
                               "的代碼或假名；請改以層級或區域分組。")
                elif header == "key":
                    unplaced.append(s)
        if unplaced:
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location=loc,
                    en=f"The header {name!r} says its groups are institutions or practitioners, and "
                       f"{unplaced[:5]} are neither a level nor a type the engine knows: a reviewer "
                       "decides whether each is one institution.",
                    zh=f"欄名 {name!r} 表示分組為醫事機構或醫事人員，而 {unplaced[:5]} 不是引擎所知的"
                       "層級或類型：由審查人判斷是否為單一機構。")
    _named_elsewhere(ctx, spec, table, val_rx, levels, types, known)


def _named_elsewhere(ctx: Context, spec: ManifestFile, table, val_rx, levels, types, known) -> None:
    """One institution named where no grouping column is: a count column per hospital
    (臺大醫院, hospital_H012, n_hospA) without ``column_group``, or a whole table about one
    hospital (its description or file name: 'patients of hospital H012').  Column headers are
    cells of that institution and block; the request's words go to review (a reviewer reads
    whether the table is about that one institution)."""
    if not spec.column_group:
        for c in table.columns:
            role = table.role(c)
            if role is None or role.role == "group":
                continue
            s = str(c).strip()
            if s.casefold() in levels or _a_type(s, types):
                continue
            if institution_values.names_one(s, val_rx, levels, types, known, _a_type) \
                    or _coded_institution(s):
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
                        location={"column": c},
                        en=f"The column {s!r} holds the numbers of one institution it names or codes; "
                           "group by level or region instead.",
                        zh=f"欄位 {s!r} 為其指名或代碼所指單一醫事機構的數字；請改以層級或區域分組。")
    for where, text in (("description", spec.description), ("file name", spec.path)):
        hit = _coded_institution(text) or _named_word(text, val_rx, levels, types)
        if hit:
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={where: text},
                    en=f"The {where} names or codes one institution ({hit!r}): a table about one "
                       "hospital or clinic identifies it; a reviewer checks what it covers.",
                    zh=f"{'說明' if where == 'description' else '檔名'}指名或以代碼指稱單一醫事機構"
                       f"（{hit!r}）：只涵蓋單一醫院或診所的表格即可識別該機構；由審查人確認其範圍。")


_SUFFIX = re.compile(r"(?i)(?:醫院|診所|藥局|衛生所|hospitals?|clinics?|pharmac(?:y|ies))$")


def _a_type(value: str, types: set[str]) -> bool:
    """A kind of institution, not one: every word before the suffix is a type word (Teaching
    hospital, Private clinics, 精神科醫院, 公立教學醫院).  Chinese is read greedily, longest
    type word first; anything left over (馬偕, Mackay) makes it a name."""
    m = _SUFFIX.search(value)
    if not m:
        return False
    rest = value[:m.start()].casefold().strip()
    if not rest:
        return True
    for word in re.split(r"[\s,/&\-]+", rest):
        if word in types or word in ("and", "or", "of", "the"):
            continue
        while word:                    # Han words run together: 公立教學
            head = next((t for t in sorted(types, key=len, reverse=True) if word.startswith(t)), None)
            if head is None:
                return False
            word = word[len(head):]
    return True


# Values that are a kind of thing, not one institution, under an institution header.
_NOT_ONE = {"other", "others", "unknown", "missing", "none", "yes", "no", "y", "n", "true", "false",
            "其他", "不詳", "未知", "缺失", "無", "是", "否", "有"}
_INST_WORDS = re.compile(r"(?i)\b(?:hospital|hosp|site|cent(?:er|re)|clinic|provider|facility|doctor|"
                         r"dr|physician|no|number)\b\.?|醫院|院所|院|診所|中心|醫師|機構|編號|代號|[#＃:：]")
_CODE = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9_\-.]{0,23}|[甲乙丙丁戊己庚辛壬癸])$")


def _header_kind(name: str, pol) -> str | None:
    """'key' when the header says its groups are institutions or practitioners (and is not an
    attribute of them, hospital_type), 'site' when it may (site, centre), else None."""
    flags = re.IGNORECASE
    if any(re.search(p, name, flags) for p in pol.institution_key_header_patterns):
        if not any(re.search(p, name, flags) for p in pol.institution_attribute_header_patterns):
            return "key"
    if any(re.search(p, name.strip(), flags) for p in pol.institution_site_header_patterns):
        return "site"
    return None


def _a_kind(value: str, types: set[str]) -> bool:
    """Other, unknown, yes/no, or type words alone (Public, Teaching): no single institution."""
    v = value.casefold().strip()
    if v in _NOT_ONE:
        return True
    words = [w for w in re.split(r"[\s,/&\-]+", v) if w]
    return bool(words) and all(w in types or w in _NOT_ONE for w in words)


def _code_like(value: str) -> bool:
    """A code or pseudonym (H012, HP-7f3a, A, Site 3, 甲院): what is left after the words that
    only say 'hospital' or 'number' is one short token with a digit, or one or two letters."""
    rest = _INST_WORDS.sub(" ", value).strip()
    rest = re.sub(r"\s+", "", rest)
    if not rest or not _CODE.match(rest):
        return False
    return bool(re.search(r"\d", rest)) or len(rest) <= 2 or rest in "甲乙丙丁戊己庚辛壬癸"


# An institution word followed by a code (hospital_H012, hosp A, clinic #3, 醫院A) or a code
# before a Han one (A醫院, 甲院).  A code has a digit (not a year) or is one capital letter.
_CODED = re.compile(
    r"(?:(?<![A-Za-z])(?:hospitals?|hosp|clinics?|providers?|facilit(?:y|ies)|prescribers?|"
    r"surgeons?|doctors?|physicians?|pharmac(?:y|ies))[\s_\-#:：.]*(?:no\.?\s*)?"
    r"(?P<code>(?!(?:19|20)\d\d(?!\w))[A-Za-z]{0,3}\d[A-Za-z0-9]*|[A-Z](?![A-Za-z]))(?![A-Za-z])"
    r"|(?:醫院|診所|院所|藥局)[\s_\-#:：]*(?P<code2>[A-Za-z0-9]{1,6}|[甲乙丙丁戊])(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9\u4e00-\u9fff])(?P<code3>[A-Z]|[甲乙丙丁戊])(?:醫院|診所|院))")


def _names_institution(s: str, val_rx) -> bool:
    """Does a line of ``s`` name one institution by the policy's value patterns?  Each pattern
    is tried on the last 120 characters of each line: a name ends its label (the patterns are
    '…醫院$'-like), and '.+…$' tried at every start of a long crafted word cost the square of
    its length (20 000 letters: 6 s)."""
    return any(r.search(line[-120:]) for line in (s.splitlines() or [""]) for r in val_rx)


def _named_word(text: str, val_rx, levels, types) -> str | None:
    """A word of ``text`` that names one institution (馬偕醫院, not 區域醫院)."""
    for w in re.split(r"[\s,;:/()（）、，]+", text):
        if w and w.casefold() not in levels and not _a_type(w, types) and _names_institution(w, val_rx):
            return w
    return None


def _coded_institution(text: str) -> str | None:
    m = _CODED.search(text)
    return m.group(0) if m else None

