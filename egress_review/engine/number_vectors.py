"""E2: unnamed vectors of whole numbers in programs, printouts and text.

A red-team round passed counts typed or printed as bare vectors: ``x <- c(120, 3, 140)``,
``x = [120, 3, 140]``, ``{3, 140}``, a notebook output ``[120   3 140]`` under
``df.groupby("region").size().values``.  The literal readers (``readers.code_literals``,
``program_arrays``) turn a vector into a table only when its name says it counts or a plot
draws it; a vector under any other name was read as program constants.

Here every vector of two or more whole numbers that holds a value from 1 to
``min_units_per_cell − 1`` beside one of 10 or more (a frequency table's shape, not codes
0 … k, not a short run of small constants) is judged by what surrounds it:
- a setting: the name it is assigned to, or the call or keyword just before it on its line,
  says so (``figsize``, ``xlim``, ``breaks``, ``bins``, ``layers``, ``range``, ``mfrow``,
  ``iloc`` …) → left alone (code without data);
- counts: its name counts (``deaths``, ``n_cases``), or the lines around it (three above, the
  line itself, one below; for a notebook output also the end of the code cell above it) count
  something (``groupby``, ``value_counts``, ``table(``, ``count``, ``n =``, patients, 人數 …)
  → the small value blocks as any small cell;
- otherwise a person decides, told which vector and why (never a pass).
In prose a bracketed list of ascending numbers is a citation (``[3, 12, 45]``) and is left
alone unless counting words stand just before it.
"""
from __future__ import annotations

import re

from egress_review.engine.content import segments
from egress_review.engine.context import Context
from egress_review.engine.readers.code_literals import _SETTING, _TIME_OR_PLACE, _is_count_name
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "number_vectors"
KINDS = {"code", "text", "notebook"}

_INT = r"\d{1,7}L?"
_VECTOR = re.compile(
    rf"(?P<r>\bc\(\s*{_INT}(?:\s*,\s*{_INT})+\s*\))"
    rf"|(?<![\w\])'\".])(?P<b>\[\s*{_INT}(?:\s*,\s*{_INT})+\s*\]|\[\s*{_INT}(?:\s+{_INT})+\s*\])"
    rf"|(?<![\w$\\])(?P<s>\{{\s*{_INT}(?:\s*,\s*{_INT})+\s*\}})"
    # round 7 (programs only): a tuple, numpy's r_[…], a quoted list split into numbers
    rf"|(?<![\w\])'\".])(?P<t>\(\s*{_INT}(?:\s*,\s*{_INT})+\s*,?\s*\))"
    rf"|(?P<rr>\b(?:np\.)?[rc]_\[\s*{_INT}(?:\s*,\s*{_INT})+\s*\])"
    rf"|(?P<q>(?P<qq>[\"'])\s*{_INT}(?:\s*[,;]\s*{_INT}|\s+{_INT})+\s*(?P=qq))")
# a range with an explicit step, short enough to be a list typed another way: range(3, 300, 117)
_RANGE = re.compile(r"\b(?:range|arange|seq)\(\s*(\d{1,7})\s*,\s*(\d{1,7})\s*,\s*(?:by\s*=\s*)?(\d{1,7})\s*\)")
_PROGRAM_ONLY = ("t", "rr", "q")
_ASSIGNED = re.compile(r"([A-Za-z_][\w.]*)\s*(?:<-|=|:=)\s*(?:np\.array\(|array\(|list\(|set\(|"
                       r"tuple\(|pd\.Series\(|Series\(|as\.integer\(|\()?\s*$")
# what stands just before the vector on its line: a call or keyword that takes settings
_SETTING_CALL = re.compile(
    r"(?:figsize|xlim|ylim|zlim|[xy]ticks?|set_[xy]ticks|set_[xy]lim|range|arange|linspace|"
    r"reshape|zeros|ones|empty|full|seed|shape|dims?|layers?|hidden\w*|kernel\w*|strides?|"
    r"padding|breaks|cut|bins|quantiles?|percentiles?|probs|iloc|loc|index|columns|usecols|"
    r"skiprows|nrows|ncols|labels|levels|ticks|axis|axes|dpi|margins?|mar|oma|mfrow|mfcol|par|"
    r"rgb|colou?rs?|version|port|at|las|cex|lwd|lty|pch|pos|widths?|heights?|sizes?|"
    r"gridspec\w*|subplot\w*|permute|transpose|slice|window|lags?|order|seasonal_order|"
    r"hidden_layer_sizes|units|filters|split\w*|random_state)\s*[=(\[]\s*"
    r"(?:np\.array\(|array\(|list\(|tuple\(|c\()?[\[({]?\s*$", re.I)
_COUNTING = re.compile(
    r"groupby|group_by|value_counts|bincount|tabulate|\.size\(\)|\.count\(\)|nunique|crosstab|pivot_table|"
    r"\btable\(|\bxtabs\(|\bcount(?:s|ed)?\b|\bfreq\w*|\btally|\bn\s*=|\bn\(\)|\bN\s*=|"
    r"\bpatients?\b|\bpersons?\b|\bpeople\b|\bdeaths?\b|\bcases\b|\bsubjects\b|\bparticipants\b|"
    r"\bindividuals\b|\bevents\b|\bwomen\b|\bmen\b|barplot|countplot|\.bar\(|\bbarh?\(|\bpie\(|"
    r"\bhist\(|人數|例數|個案|病人|死亡|患者|人次|件數|筆數", re.I)


# calls whose vector argument is data: constructors, printing and plotting of counts
_DATA_CALLS = {"c", "array", "asarray", "list", "set", "tuple", "Series", "DataFrame", "print",
               "bar", "barh", "barplot", "pie", "hist", "countplot", "integer", "as_integer",
               "matrix", "data_frame", "frame", "rbind", "cbind", "cat", "display", "tibble",
               "dict", "Counter", "format", "paste", "paste0", "sprintf", "writeLines", "message",
               # round 7: calls that copy, repeat, reorder or add up the vector they are given
               "rep", "repeat", "tile", "tensor", "as_tensor", "Tensor", "IntTensor", "LongTensor",
               "constant", "convert_to_tensor", "sum", "cumsum", "prod", "diff", "rev", "sort", "sorted",
               "reversed", "unlist", "vector", "concat", "concatenate", "hstack", "vstack", "stack",
               "append", "extend", "fromiter", "numeric", "as_numeric", "as_vector", "round",
               "OrderedDict", "defaultdict", "Index", "from_dict", "from_records", "jsonify",
               "dumps", "json", "table", "factor", "ts", "zip", "enumerate", "map"}


def _enclosing_call(prefix: str) -> str:
    """The name of the innermost call still open where the vector starts on its line."""
    depth = 0
    for i in range(len(prefix) - 1, -1, -1):
        ch = prefix[i]
        if ch in ")]}":
            depth += 1
        elif ch in "([{":
            if depth:
                depth -= 1
            elif ch == "(":
                m = re.search(r"([A-Za-z_][\w.]*)\s*$", prefix[:i])
                return m.group(1) if m else ""
    return ""


def _shape(nums: list[int], m: int) -> bool:
    """A frequency table's shape: a small count beside a larger one, not codes 0 … k."""
    if len(nums) < 2 or not any(1 <= v < m for v in nums) or max(nums) < 10:
        return False
    s = sorted(nums)
    return not (s[-1] - s[0] == len(s) - 1 and s[0] in (0, 1))


def _numbers(text: str) -> list[int]:
    return [int(x.rstrip("L")) for x in re.findall(r"\d+L?", text[1:] if text.startswith("c(") else text)]


def _around(text: str, start: int, end: int, before: int, after: int) -> str:
    lo = start
    for _ in range(before + 1):
        lo = text.rfind("\n", 0, lo - 1) if lo > 0 else -1
        if lo < 0:
            lo = 0
            break
    hi = end
    for _ in range(after + 1):
        nxt = text.find("\n", hi + 1)
        if nxt < 0:
            hi = len(text)
            break
        hi = nxt
    return text[lo:start] + " " + text[end:hi]


def check_file(ctx: Context, spec: ManifestFile) -> None:
    m = ctx.policy.min_units_per_cell
    segs = segments(ctx.root, spec)
    prev_code = ""
    for seg in segs:
        text = seg.text or ""
        is_output = "output" in seg.location
        program = seg.code or spec.kind == "code" or is_output
        if "c(" in text or "[" in text or "{" in text or program and ("(" in text or "'" in text or '"' in text):
            for hit in _VECTOR.finditer(text):
                if not program and any(hit.group(g) for g in _PROGRAM_ONLY):
                    continue
                _judge(ctx, spec, seg, text, hit, m, program, prev_code if is_output else "")
        if program and "(" in text:
            for hit in _RANGE.finditer(text):
                _judge_range(ctx, spec, seg, text, hit, m)
        if seg.code:
            prev_code = "\n".join(text.splitlines()[-6:])


def _judge_range(ctx, spec, seg, text, hit, m) -> None:
    """A stepped range whose few values have a frequency table's shape blocks when its name or
    the code around it counts (``counts = list(range(3, 300, 117))``); a loop or axis range
    that counts nothing is code, left alone (no review: ranges are everywhere in programs)."""
    a, b, step = (int(x) for x in hit.groups())
    if step <= 0 or b <= a or (b - a) / step > 20:
        return
    nums = list(range(a, b + (1 if "seq" in hit.group(0) else 0), step))
    if not _shape(nums, m):
        return
    line_start = text.rfind("\n", 0, hit.start()) + 1
    prefix = text[line_start:hit.start()]
    asg = _ASSIGNED.search(prefix)
    name = asg.group(1).replace(".", "_") if asg else ""
    if not (name and _is_count_name(name) or _COUNTING.search(_around(text, hit.start(), hit.end(), 3, 1))):
        return
    small = sorted({v for v in nums if 1 <= v < m})
    ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path,
            location={**seg.location, "line": text.count("\n", 0, hit.start()) + 1,
                      "value": hit.group(0)[:60], "values": nums[:20]},
            en=f"The range {hit.group(0)[:60]} is the list {nums[:20]} written another way; it "
               f"counts something (its name or the code around it says so) and holds "
               f"{', '.join(map(str, small))} (fewer than {m} units): a small cell. Merge or suppress it.",
            zh=f"範圍 {hit.group(0)[:60]} 即清單 {nums[:20]} 的另一種寫法，且為計數，含 "
               f"{'、'.join(map(str, small))}（少於 {m} 個單位）：小細格。請合併或隱藏。")


def _judge(ctx, spec, seg, text, hit, m, program: bool, above: str) -> None:
    vec = hit.group(0)
    nums = _numbers(vec[1:-1] if hit.group("q") else vec.split("[", 1)[1] if hit.group("rr") else vec)
    if not _shape(nums, m):
        return
    line_start = text.rfind("\n", 0, hit.start()) + 1
    prefix = text[line_start:hit.start()]
    if hit.group("t") and re.search(r"(?:[<>]=?|[=!]=)\s*$", prefix):
        return              # a tuple compared with: a version (sys.version_info >= (3, 10))
    a = _ASSIGNED.search(prefix)
    name = a.group(1).replace(".", "_") if a else ""
    # (x, y, a, k: any data's names; a keyword x= or a name like xlim is a coordinate)
    setting = _SETTING.search(name) or len(name) > 2 and _TIME_OR_PLACE.search(name) if name else False
    if (setting or _SETTING_CALL.search(prefix) and not hit.group("q")) and not _is_count_name(name):
        return
    if program:
        near = above + " " + _around(text, hit.start(), hit.end(), 3, 1)
    else:
        near = text[max(line_start, hit.start() - 80):hit.start()]
    counts = bool(name and _is_count_name(name)) or bool(_COUNTING.search(near)) \
        or not program and bool(re.search(r"\b[nN]\b", near))      # prose: "n by arm"
    call = _enclosing_call(prefix)
    if not counts and program and call and call.rsplit(".", 1)[-1] not in _DATA_CALLS \
            and not hit.group("q"):       # a string of numbers is data whatever reads it
        return              # an argument of another call: np.percentile(x, [5, 50, 95]), isin([1, 15])
    small = sorted({v for v in nums if 1 <= v < m})
    loc = {**seg.location, "line": text.count("\n", 0, hit.start()) + 1, "value": vec[:60]}
    if counts:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=spec.path, location=loc,
                en=f"The vector {vec[:60]} counts something (its name or the code around it "
                   f"says so) and holds {', '.join(map(str, small))} (fewer than {m} units): a "
                   "small cell written as a list. Merge or suppress it.",
                zh=f"向量 {vec[:60]} 為計數（其名稱或周圍程式碼如此表明），含 "
                   f"{'、'.join(map(str, small))}（少於 {m} 個單位）：以清單寫出的小細格。請合併或隱藏。")
        return
    if not program and (vec.startswith("[") and nums == sorted(nums)):
        return                      # a citation in prose: [3, 12, 45]
    ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location=loc,
            en=f"The vector {vec[:60]} holds a small whole number beside larger ones, the shape "
               "of counts, but nothing around it says whether these are counts of persons or "
               "program constants: a reviewer decides.",
            zh=f"向量 {vec[:60]} 含一小整數與較大整數，形似計數，但周圍內容無法判斷其為人數或程式常數：須由審查人判斷。")
