"""What a browser's save brings into the workspace that was not there or shown before (D4).

Saving typed work is the one way in from the browser, and each save is capped in size
(``saved_file_max_bytes``) - but not their number, so a script in the browser could save file
after file, or a notebook with "outputs" it made up (the kernel reads them back), and bring in
any amount.  Each save is measured here as what is new: lines of code or cell sources that
the file did not hold before, and cell outputs, attachments and metadata that the file did not
hold and the session never showed the browser (an output the kernel printed and the browser
saves back is not new).  The session's server admits new bytes up to
``saved_new_bytes_per_session`` (halved for each later server of a booking, like the output
budget); a save over it is refused with the reason and changes nothing.  Typing a half-day at
the fastest human rate is a few hundred kilobytes.
"""
from __future__ import annotations

import json
import threading


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) if text else []


def _text(v) -> str:
    return "".join(v) if isinstance(v, list) else str(v or "")


def new_text_bytes(old: str, new: str) -> int:
    """Bytes of the lines of ``new`` that ``old`` does not hold (edits cost what they add)."""
    have = set(_lines(old))
    return sum(len(ln.encode("utf-8")) for ln in _lines(new) if ln not in have)


def _dump(v) -> str:
    return json.dumps(v, sort_keys=True, default=str)


def new_notebook_bytes(old: dict | None, new: dict, shown) -> int:
    """New bytes of notebook ``new`` against the file's previous version ``old``;
    ``shown(output)`` tells whether the session showed the browser that output."""
    old_cells = (old or {}).get("cells") or []
    have_lines = {ln for c in old_cells for ln in _lines(_text(c.get("source")))}
    have_parts = {_dump(p) for c in old_cells
                  for p in [*(c.get("outputs") or []), c.get("attachments"), c.get("metadata")]
                  if p}
    have_parts.add(_dump((old or {}).get("metadata") or {}))
    total = 0
    parts = [new.get("metadata") or {}]
    for cell in new.get("cells") or []:
        total += sum(len(ln.encode("utf-8")) for ln in _lines(_text(cell.get("source")))
                     if ln not in have_lines)
        parts += [cell.get("attachments"), cell.get("metadata")]
        for out in cell.get("outputs") or []:
            if not shown(out):
                parts.append(out)
    for p in parts:
        if p:
            raw = _dump(p)
            if raw not in have_parts:
                total += len(raw.encode("utf-8"))
    return total


def name_cost(path: str) -> int:
    """What a folder or empty file the browser names costs: its path, which the kernel lists
    (a rename's body is charged the same way)."""
    return len(path.encode("utf-8", "replace"))


class UploadBudget:
    """New bytes the browser may still save in this server's life; held by the server."""

    def __init__(self, limit: int, action_bytes: int) -> None:
        self.limit = limit
        self.action_bytes = action_bytes  # what an act costs at least (policy: saved_action_bytes)
        self.used = 0
        self._lock = threading.Lock()

    def admit(self, n: int) -> bool:
        with self._lock:
            if self.used + n > self.limit:
                return False
            self.used += n
            return True
