"""E3: no result may identify a specific institution, physician or pharmacy.

A grouping key that is an institution/physician/pharmacy identifier (HOSP_ID, PRSN_ID, PHAR_ID
and the like, pseudonymised or not), or whose values name or code one institution (hospital
names, 10-digit NHI institution codes), blocks.  Institution *levels* (medical centre, regional
hospital, ...) are not one institution and pass.
"""
from __future__ import annotations

import re

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
        for i, v in enumerate(values):
            s = str(v).strip()
            if not s or s in totals or s.casefold() in levels or _a_type(s, types):
                continue
            if any(r.search(s) for r in val_rx):
                where = table.location(i, name) if "column" in loc else {**loc, "header": s}
                ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location=where,
                        en=f"The group {s!r} names or codes a single institution.",
                        zh=f"分組值 {s!r} 指名或代表單一醫事機構。")


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
