"""R's printed contingency tables (``table(region, sex)``, ``xtabs(~ region + sex)``) pasted as
text (E2).  R prints the column variable's name alone on a line over the column levels, then a
line with the row variable's name and the levels, then one line per row level::

           sex
    region    F   M
      North 120  44
      South   3  52

Read as aligned columns, the levels were headers of no known role (a reviewer's, whatever the
counts).  ``table()`` counts: whole numbers under this layout are read as counts, so a small
one is blocked naming its cell and a table of large ones passes.  A one-way table prints its
variable's name, then the levels over their counts (wrapped in pairs of lines when wide)::

    region
     East North South
      140   120     3
"""
from __future__ import annotations

import re

_VAR_LINE = re.compile(r"^[ \t]+(\S+)[ \t]*$")
_NAME_LINE = re.compile(r"^[ \t]*([A-Za-z.][\w.$]*)[ \t]*$")
_WHOLE = re.compile(r"^\d+$")


def _row(line: str, width: int) -> list[str] | None:
    fields = line.split()
    if len(fields) < width + 1 or not all(_WHOLE.match(f) for f in fields[-width:]):
        return None
    return [" ".join(fields[:-width])] + fields[-width:]


def r_table_prints(lines: list[str]) -> list[tuple[int, int, list[list[str]]]]:
    """(first line, end line, rows with the header first) of each two-way table R printed."""
    out, i = [], 0
    while i + 2 < len(lines):
        var = _VAR_LINE.match(lines[i])
        head = lines[i + 1]
        if not var or not head[:1].strip():
            i += 1
            continue
        fields = head.split()
        levels = fields[1:]
        rows, k = [], i + 2
        while levels and k < len(lines) and (r := _row(lines[k], len(levels))) is not None:
            rows.append(r)
            k += 1
        # the column name stands over the levels, not over the row labels
        if rows and lines[i].index(var.group(1)) >= len(fields[0]):
            # addmargins() names its totals "Sum": read as the totals they are
            rows = [["Total" if r[0] == "Sum" else r[0]] + r[1:] for r in rows]
            out.append((i, k, [[fields[0]] + ["Total (n)" if lv == "Sum" else f"{var.group(1)} {lv} (n)"
                                              for lv in levels]] + rows))
            i = k
        else:
            i += 1
    return out


def _level_pairs(lines: list[str], k: int) -> tuple[int, list[list[str]]]:
    """(end line, rows) of the (levels, counts) line pairs from line k."""
    rows = []
    while k + 1 < len(lines):
        levels, counts = lines[k].split(), lines[k + 1].split()
        if len(levels) < 2 or len(levels) != len(counts) or not all(_WHOLE.match(c) for c in counts):
            break
        rows += [[lv, c] for lv, c in zip(levels, counts)]
        k += 2
    return k, rows


def r_oneway_prints(lines: list[str]) -> list[tuple[int, int, list[list[str]]]]:
    """(first line, end line, rows with the header first) of each one-way table R printed
    under its variable's name."""
    out, i = [], 0
    while i + 1 < len(lines):
        var = _NAME_LINE.match(lines[i])
        end, rows = _level_pairs(lines, i + 1) if var else (i, [])
        if rows:
            out.append((i, end, [[var.group(1), f"{var.group(1)} (n)"]] + rows))
            i = end
            continue
        # an unnamed vector's table: its pairs of lines a paragraph of their own
        end, rows = _level_pairs(lines, i) if i == 0 or not lines[i - 1].strip() else (i, [])
        if rows and (end == len(lines) or not lines[end].strip()):
            out.append((i, end, [["category", "n"]] + rows))
            i = end
        else:
            i += 1
    return out
