"""A researcher's own egress requests as they read them in the session (issue 16): each
request's state and outcome, the reviewers' reasons and public comments once it is decided,
its files with their findings, and the request it replaces.  Built from the session app's
answers (``EgressClient.requests()`` / ``status()``), so it shows exactly what the service
lets the requester see; in a notebook it renders as a table (``_repr_html_``)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape
from typing import Any

from egress_review.words import DECISION_ZH, VERDICT_ZH, state_words


def _when(v: Any) -> str:
    return str(v or "")[:16].replace("T", " ")


def _thread(comments: list[dict]) -> str:
    """One file's thread, oldest first; every word escaped (a reviewer's or the requester's)."""
    if not comments:
        return "—"
    return "<ul>" + "".join(
        f"<li>{escape(c['author'])} {escape(_when(c.get('created_at')))}: {escape(c['body'])}</li>"
        for c in comments) + "</ul>"


@dataclass
class RequestsView:
    """Every request of the researcher, newest first."""
    rows: list[dict]

    def to_pandas(self):
        import pandas as pd

        return pd.DataFrame([{"#": r["id"], "case": r["case_code"], "title": r.get("title", ""),
                              "state": state_words(r["state"]), "check": r.get("verdict"),
                              "submitted": _when(r.get("submitted_at")),
                              "decision": r.get("decision_reason") or "",
                              "files": ", ".join(f["path"] for f in r.get("files", []))}
                             for r in sorted(self.rows, key=lambda r: -r["id"])])

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{r['id']}</td><td>{escape(r['case_code'])}</td><td>{escape(r.get('title') or '')}</td>"
            f"<td>{escape(state_words(r['state']))}</td>"
            f"<td>{escape(VERDICT_ZH.get(r.get('verdict') or '', ''))} {escape(r.get('verdict') or '')}</td>"
            f"<td>{escape(_when(r.get('submitted_at')))}</td><td>{escape(r.get('decision_reason') or '')}</td></tr>"
            for r in sorted(self.rows, key=lambda r: -r["id"]))
        return ("<table><tr><th>#</th><th>案件 Case</th><th>標題 Title</th><th>狀態 State</th>"
                "<th>自動檢核 Check</th><th>送出 Submitted</th><th>決定 Decision</th></tr>"
                f"{body or '<tr><td colspan=7>尚無申請 No requests yet</td></tr>'}</table>")


@dataclass
class RequestView:
    """One request: outcome, reviews and public comments (once decided), files with findings
    and each file's comment thread, and the threads of the request it replaces."""
    detail: dict

    def findings_by_file(self) -> dict[str, Counter]:
        out: dict[str, Counter] = {}
        for x in ((self.detail.get("check_result") or {}).get("findings") or []):
            out.setdefault(x.get("file") or "", Counter())[x.get("severity", "review")] += 1
        return out

    def _repr_html_(self) -> str:
        d = self.detail
        parts = [f"<h3>#{d['id']} {escape(d['case_code'])} — {escape(d.get('title') or '')}</h3>",
                 f"<p>狀態 State: <b>{escape(state_words(d['state']))}</b> · 自動檢核 Check: "
                 f"{escape(VERDICT_ZH.get(d.get('verdict') or '', ''))} {escape(d.get('verdict') or '')}"
                 + (f" · 取代 replaces #{d['supersedes']}" if d.get("supersedes") else "") + "</p>"]
        if d.get("decision_reason"):
            parts.append(f"<p>決定 Decision: {escape(d['decision_reason'])}</p>")
        found = self.findings_by_file()
        threads = {t["file_id"]: t["comments"] for t in d.get("threads", [])}
        rows = "".join(
            f"<tr><td>{escape(f['path'])}</td><td>{escape(f.get('kind', ''))}</td>"
            f"<td>{', '.join(f'{n} {sev}' for sev, n in sorted(found.get(f['path'], Counter()).items())) or '—'}</td>"
            f"<td class='thread' data-file='{f['id']}'>{_thread(threads.get(f['id'], []))}</td></tr>"
            for f in d.get("files", []))
        parts.append("<table><tr><th>檔案 File</th><th>類型 Kind</th><th>檢核發現 Findings</th>"
                     f"<th>討論 Thread</th></tr>{rows}</table>")
        for e in d.get("earlier", []):
            old = "".join(f"<li>{escape(t['path'] or '#' + str(t['file_id']))}: {_thread(t['comments'])}</li>"
                          for t in e.get("threads", []) if t["comments"])
            if old:
                parts.append(f"<p>前次申請 #{e['id']} 的討論 Threads of the earlier request "
                             f"#{e['id']} ({escape(state_words(e['state']))}):</p><ul>{old}</ul>")
        if d.get("reviews"):
            parts.append("<p>審查 Reviews:</p><ul>" + "".join(
                f"<li>{escape(DECISION_ZH.get(r['decision'], r['decision']))} ({escape(r['stage'])}): "
                f"{escape(r.get('reason') or '')}</li>" for r in d["reviews"]) + "</ul>")
        if d.get("comments"):
            parts.append("<p>意見 Comments:</p><ul>" + "".join(
                f"<li>{escape(c['author'])} {escape(_when(c.get('created_at')))}: {escape(c['body'])}</li>"
                for c in d["comments"]) + "</ul>")
        return "".join(parts)
