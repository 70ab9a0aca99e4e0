"""A picture of an extract's k-anonymity for the steward: ``k_anonymity.svg``.

One panel per table: how many equivalence classes (combinations of quasi-identifiers) have each
size, classes smaller than k in red.  Counts only - never a quasi-identifier value.
"""
from __future__ import annotations

from html import escape

PANEL_H, BAR_AREA_W, LABEL_H, PAD = 120, 520, 28, 12


def k_anonymity_svg(case_code: str, k: int, reports: list[dict]) -> str:
    width = BAR_AREA_W + 2 * PAD + 150
    height = 40 + len(reports) * (PANEL_H + LABEL_H + PAD) + PAD
    p = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
         f'<title>k-anonymity of the extract for {escape(case_code)}</title>',
         f'<text x="{PAD}" y="20" font-size="14" font-weight="bold">{escape(case_code)}: '
         f'等價類大小 equivalence classes by size (k = {k}; red: smaller than k)</text>']
    y = 40
    for r in reports:
        hist = r.get("histogram") or []
        verdict = ("ok" if r["satisfied"] else
                   f'{r["classes_below_k"]:,} classes / {r["units_below_k"]:,} {r["unit"]} below k')
        p.append(f'<text x="{PAD}" y="{y + 12}" font-weight="bold">{escape(r["table"])}</text>')
        p.append(f'<text x="{PAD + 150}" y="{y + 12}" fill="#555">quasi-identifiers: '
                 f'{escape(", ".join(r["quasi_identifiers"]))}; {r["classes"]:,} classes, '
                 f'smallest {r["k_min"]}; {escape(verdict)}</text>')
        top = max((b["classes"] for b in hist), default=0) or 1
        bw = BAR_AREA_W / max(len(hist), 1)
        base = y + LABEL_H + PANEL_H - 18
        for i, b in enumerate(hist):
            h = b["classes"] / top * (PANEL_H - 30)
            if b["classes"] and h < 1:
                h = 1
            x = PAD + i * bw
            label = (f'{b["size_from"]}' if b["size_from"] == b["size_to"]
                     else f'{b["size_from"]}–{b["size_to"]}')
            cls = "below" if b["below_k"] else "ok"
            p.append(f'<rect class="{cls}" x="{x + 2:.1f}" y="{base - h:.1f}" '
                     f'width="{max(bw - 4, 1):.1f}" height="{h:.1f}" '
                     f'fill="{"#c62828" if b["below_k"] else "#4a7bb7"}"><title>size {label}: '
                     f'{b["classes"]:,} classes</title></rect>')
            p.append(f'<text x="{x + bw / 2:.1f}" y="{base + 13}" text-anchor="middle">'
                     f'{label}</text>')
            if b["classes"]:
                p.append(f'<text x="{x + bw / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" '
                         f'fill="#555">{b["classes"]:,}</text>')
        y += PANEL_H + LABEL_H + PAD
    p.append("</svg>")
    return "\n".join(p)
