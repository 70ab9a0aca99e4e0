"""A picture of a load for the steward: ``_load/report.svg`` beside ``report.json``.

One bar per source file (rows read, the quarantined part in red, on a common scale), then the
most frequent quarantine reasons by column.  Plain SVG written here (no plotting library), so
it is deterministic and opens in any browser; it holds counts, file names, column names and
reasons only - never a value from the data.
"""
from __future__ import annotations

import csv
from collections import Counter
from html import escape
from pathlib import Path

TOP_REASONS = 10   # reasons shown; the rest are summed in one line
ROW_H, LABEL_W, BAR_W, PAD = 18, 230, 420, 10


def quarantine_reasons(quarantine_csv: Path) -> Counter:
    """(column, reason) -> rows, from ``_load/quarantine.csv``."""
    out: Counter = Counter()
    with open(quarantine_csv, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out[(row["column"], row["reason"])] += 1
    return out


def report_svg(report, reasons: Counter) -> str:
    files = report.files
    top = max((f.read for f in files), default=0) or 1
    width = LABEL_W + BAR_W + 190
    shown = reasons.most_common(TOP_REASONS)
    rest = sum(reasons.values()) - sum(n for _, n in shown)
    n_reason_rows = len(shown) + (1 if rest else 0) + (1 if not reasons else 0)
    height = PAD * 5 + 40 + ROW_H * (len(files) + n_reason_rows + 2)
    p = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
         f'<title>load of release {escape(report.release)}</title>',
         f'<text x="{PAD}" y="20" font-size="14" font-weight="bold">release '
         f'{escape(report.release)}: {report.rows_read:,} rows read, {report.rows_loaded:,} '
         f'loaded, {report.rows_quarantined:,} quarantined, {report.seconds:g} s</text>',
         f'<text x="{PAD}" y="38" fill="#555">每檔讀入列數（紅：隔離） rows read per file '
         f'(red: quarantined); bars share one scale, max {top:,}</text>',
         f'<text x="{LABEL_W + BAR_W + 8}" y="38" fill="#555">loaded + quarantined</text>']
    y = 50
    for f in files:
        w = f.read / top * BAR_W
        wq = f.quarantined / top * BAR_W if f.read else 0
        # a file with any quarantined row shows at least a sliver of red
        if f.quarantined and wq < 2:
            wq = 2
        ok = "" if f.reconciled else " ≠ (not reconciled)"
        p.append(f'<text x="{PAD}" y="{y + 13}">{escape(f.file)}</text>')
        p.append(f'<rect class="read" x="{LABEL_W}" y="{y + 2}" width="{max(w, 1):.1f}" '
                 f'height="{ROW_H - 5}" fill="#4a7bb7"><title>{escape(f.file)}: {f.read:,} read, '
                 f'{f.loaded:,} loaded</title></rect>')
        if f.quarantined:
            p.append(f'<rect class="quarantined" x="{LABEL_W + max(w, 1) - wq:.1f}" y="{y + 2}" '
                     f'width="{wq:.1f}" height="{ROW_H - 5}" fill="#c62828"><title>'
                     f'{escape(f.file)}: {f.quarantined:,} quarantined</title></rect>')
        p.append(f'<text x="{LABEL_W + BAR_W + 8}" y="{y + 13}">{f.loaded:,} + {f.quarantined:,}'
                 f'{ok}</text>')
        y += ROW_H
    y += PAD * 2
    p.append(f'<text x="{PAD}" y="{y}" font-weight="bold">隔離原因 quarantine reasons '
             f'(column: reason, rows)</text>')
    y += PAD
    most = max((n for _, n in shown), default=1)
    for (column, reason), n in shown:
        w = n / most * BAR_W
        p.append(f'<text x="{PAD}" y="{y + 13}">{escape(column)}: {escape(reason[:40])}</text>')
        p.append(f'<rect class="reason" x="{LABEL_W}" y="{y + 2}" width="{max(w, 1):.1f}" '
                 f'height="{ROW_H - 5}" fill="#c62828"><title>{escape(column)}: {escape(reason)}'
                 f'</title></rect>')
        p.append(f'<text x="{LABEL_W + BAR_W + 8}" y="{y + 13}">{n:,}</text>')
        y += ROW_H
    if rest:
        p.append(f'<text x="{PAD}" y="{y + 13}" fill="#555">other reasons: {rest:,} rows</text>')
        y += ROW_H
    if not reasons:
        p.append(f'<text x="{PAD}" y="{y + 13}" fill="#2e7d32">none: every row was loaded</text>')
    p.append("</svg>")
    return "\n".join(p)


def write_report_svg(path: Path, report, quarantine_csv: Path) -> None:
    path.write_text(report_svg(report, quarantine_reasons(quarantine_csv)), encoding="utf-8")
