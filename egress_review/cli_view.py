"""How ``enclave egress check`` shows a result to a person: each table with its flagged cells
marked where they are, then the findings numbered to match, English and Traditional Chinese."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

MAX_ROWS = 25
MAX_COLS = 10
_COLOUR = {"pass": "green", "review": "yellow", "block": "red"}
_WHERE_KEYS = ("sheet", "cell", "row", "column", "line", "cell_index", "output", "interval",
               "derived", "value", "detected", "part")


def _where(loc: dict) -> str:
    parts = []
    for k in _WHERE_KEYS:
        if k in loc and not (k == "row" and "cell" in loc) and not (k == "line" and "cell" in loc):
            parts.append(f"{k} {loc[k]}")
    return ", ".join(parts)


def _cell_marks(findings) -> dict[tuple[int, str], list[int]]:
    marks: dict[tuple[int, str], list[int]] = {}
    for n, f in enumerate(findings, 1):
        loc = f.location
        if "row" in loc and "column" in loc and loc["row"]:
            marks.setdefault((int(loc["row"]) - 1, str(loc["column"])), []).append(n)
    return marks


def _table_view(table, findings) -> RichTable | None:
    marks = _cell_marks(findings)
    if not marks:
        return None
    sev = {}
    for n, f in enumerate(findings, 1):
        sev[n] = f.severity
    cols = list(table.columns)
    flagged_cols = {c for _, c in marks}
    keep_cols = [c for c in cols if table.role(c) is not None and table.role(c).role == "group"]
    keep_cols += [c for c in cols if c in flagged_cols and c not in keep_cols]
    keep_cols += [c for c in cols if c not in keep_cols]
    keep_cols = [c for c in cols if c in keep_cols[:MAX_COLS]]
    flagged_rows = sorted({i for i, _ in marks})
    rows = sorted(set(flagged_rows[:MAX_ROWS]) | set(range(min(len(table.df), 3))))[:MAX_ROWS]
    view = RichTable(show_header=True, header_style="bold", title=f"{table.path}",
                     caption=(f"rows shown: {len(rows)} of {len(table.df)}; columns: "
                              f"{len(keep_cols)} of {len(cols)}") if (len(rows) < len(table.df)
                                                                       or len(keep_cols) < len(cols))
                     else None)
    view.add_column("row", justify="right", style="dim")
    for c in keep_cols:
        view.add_column(c, justify="right")
    last = -1
    for i in rows:
        if last >= 0 and i > last + 1:
            view.add_row("…", *["…"] * len(keep_cols))
        last = i
        cells = []
        for c in keep_cols:
            text = str(table.df.at[i, c])
            ns = marks.get((i, c))
            if ns:
                worst = "block" if any(sev[n] == "block" for n in ns) else "review"
                cells.append(Text(f"{text or '␣'} [{','.join(map(str, ns))}]",
                                  style=f"bold {_COLOUR[worst]}"))
            else:
                cells.append(Text(text))
        view.add_row(str(i + 1), *cells)
    return view


def show(result, manifest, root: Path, out: Console | None = None) -> None:
    """Print every file's verdict, its table with flagged cells marked, and its findings."""
    from egress_review.engine.tables import TableError, read_table

    out = out or Console()
    for fr in result.files:
        out.print(f"[{_COLOUR[fr.verdict]}]{fr.verdict.upper():6}[/] {fr.path} ({fr.kind})")
        if not fr.findings:
            continue
        if fr.kind == "table":
            try:
                view = _table_view(read_table(root, manifest.file(fr.path)), fr.findings)
            except (TableError, KeyError, OSError, ValueError):
                view = None
            if view is not None:
                out.print(view)
        listing = RichTable(show_header=True, header_style="bold", show_lines=False)
        for h in ("#", "rule", "severity", "where", "finding"):
            listing.add_column(h)
        for n, f in enumerate(fr.findings, 1):
            listing.add_row(str(n), f"{f.rule} {f.check}",
                            Text(f.severity, style=_COLOUR[f.severity]), _where(f.location),
                            f"{f.message_en}\n{f.message_zh}")
        out.print(listing)
    request_level = [f for f in result.findings if not f.file]
    for f in request_level:
        out.print(f"[{_COLOUR[f.severity]}]{f.severity}[/] {f.rule} {f.check}: {f.message_en} "
                  f"{f.message_zh}")
    out.print(f"Request verdict: [{_COLOUR[result.verdict]}]{result.verdict}[/]"
              + (" (committee path)" if result.committee else ""))
