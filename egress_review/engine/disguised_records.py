"""E1: person-level rows declared a summary behind a units column that is made up.

A probe published one row per person - an admission date, an age, a sex - and a column
``n_patients`` declared a count, every value 10 or more and varying (12, 15, 11 …) so that
neither the threshold nor :mod:`.microdata` (a units column that says the same number on every
row) had anything to hold: the table went to a reviewer at most, or passed.  The units column is
the requester's word; the grouping columns are what the rows are.  A table of counts crosses
its groups, so a value of a fine grouping (a day, a year of age) comes back under the other
groups' levels; a person's row carries a value of its own.  The rows are taken for persons,
and the table blocks, when its groups hold, a value most rows do not share with any other, and

- a birth date (a person's own date), or
- a measurement written to its decimals (weight 72.4, BMI 23.1), or
- that and another person's attribute at full resolution (an admission and a discharge date,
  a date and an exact age).

A fine grouping alone whose values each come once (a daily count by region where one region
shows a day) is left to :mod:`.microdata`'s review; so is a table with verified provenance.
"""
from __future__ import annotations

import re

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E1"
CHECK = "disguised_records"
KINDS = {"table"}

_MIN_ROWS = 10
_UNIQUE = 0.8             # share of rows whose value in the column no other row has
_BIRTH = re.compile(r"\b(?:birth\w*|dob|born|date of birth)\b|出生|生日", re.I)
_FINE = re.compile(r"\b(?:age|ages|birth\w*|dob|date\w*|dt|day|admi\w*|discharg\w*|death|died|"
                   r"zip\w*|post\w*|village|height|weight|bmi|sbp|dbp|hba1c|ldl|egfr)\b|"
                   r"年齡|出生|生日|日期|入院|出院|身高|體重|郵遞區號", re.I)
_DAY = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$|"
                  r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$|^\d{8}$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def _row_unique(values) -> float:
    counts = values.map(values.value_counts())
    return float((counts == 1).mean())


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    if ctx.provenance.get(table.path) is not None:
        return                    # verified units from the broker: microdata reads them
    if not table.cols_with("count", "statistic", "suppressed"):
        return                    # a list without counts: microdata blocks it already
    body = ~table.total_rows()
    rows = int(body.sum())
    groups = [c for c in table.columns if (r := spec.role_of(c)) is not None and r.role == "group"
              and not table.is_total_col(c)]
    if rows < _MIN_ROWS or len(groups) < 2:
        return                    # one grouping: each row is a group of its own by design
    texts = {c: table.text(c)[body].astype(str).str.strip() for c in groups}
    fine, unique, why = [], [], []
    for c in groups:
        v = texts[c]
        days = float(v.str.match(_DAY).mean())
        decimals = float(v.str.match(_DECIMAL).mean())
        if not (_FINE.search(c.replace("_", " ")) or days >= 0.8 or decimals >= 0.8):
            continue
        if v.nunique() < _MIN_ROWS:
            continue              # few levels: a category, however it is named
        fine.append(c)
        if _row_unique(v) >= _UNIQUE:
            unique.append(c)
            if _BIRTH.search(c.replace("_", " ")):
                why.append(f"{c!r} is a birth date")
            elif decimals >= 0.8:
                why.append(f"{c!r} is a measurement to its decimals")
    if not unique:
        return
    if len(fine) >= 2:
        why.append(f"{', '.join(repr(c) for c in fine)} are persons' attributes at full resolution")
    if not why:
        return
    share = max(_row_unique(texts[c]) for c in unique)
    ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
            location={"column": unique[0]},
            en=f"The rows of this table are persons, whatever its units column says: "
               f"{'; '.join(why)}, and {share:.0%} of the rows hold a value of "
               f"{unique[0]!r} no other row has (a table of counts crosses its groups; a person's "
               "row carries values of its own). Publish counts over coarser groups (age bands, "
               "months, regions).",
            zh=f"此表各列為個人紀錄，不論其人數欄如何宣告：分組欄位含出生日期、精確至小數的量測值或多個完整精度的個人屬性，"
               f"且 {share:.0%} 的資料列在 {unique[0]!r} 的值為該列獨有（計數表會交叉其分組，個人紀錄則各有其值）。"
               "請改以較粗分組（年齡組、月份、地區）發布計數。")
