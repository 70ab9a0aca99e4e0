"""Output caps: what a browser may receive of a kernel's output (S1).

One set of rules for every way output reaches a browser: kernel messages on the websocket
(:mod:`hub_config.singleuser.kernelws`) and the outputs stored in a notebook file
(:mod:`hub_config.singleuser.contents`).  A printed data frame is cut to ``table_rows`` rows
(HTML) or ``text_lines`` lines (text), any one part to ``message_bytes``, one execution's output
to ``execution_bytes`` in all, and the whole session's new output to ``session_bytes`` /
``session_lines`` (:class:`SessionBudget`); output formats off the allow-list (JSON, data resources, widget
state…) are dropped; HTML, SVG, Markdown and LaTeX are made inert first (:mod:`inert`: no
script, handler, download or outside reference).  Cut text says that it was cut and why.
"""
from __future__ import annotations

import hashlib
import json
import re

from hub_config.singleuser import image_clean, inert
from hub_config.singleuser.config import OutputCaps

NOTE = "[enclave: {what} withheld - output to the browser is capped by policy (S1)]"
_TR = re.compile(r"<tr[\s>]", re.I)
OUTPUT_TYPES = ("stream", "display_data", "execute_result", "update_display_data", "error")


def note(what: str) -> str:
    return NOTE.format(what=what)


def cap_text(text: str, caps: OutputCaps, max_bytes: int | None = None) -> str:
    if not isinstance(text, str):
        text = "".join(text) if isinstance(text, list) else str(text)
    max_bytes = caps.message_bytes if max_bytes is None else max_bytes
    lines = text.splitlines(keepends=True)
    cut = False
    if len(lines) > caps.text_lines:
        extra = len(lines) - caps.text_lines
        lines = lines[:caps.text_lines]
        cut = f"{extra} more lines"
    out = "".join(lines)
    raw = out.encode("utf-8", "replace")
    if len(raw) > max_bytes:
        out = raw[:max_bytes].decode("utf-8", "ignore")
        cut = f"{len(raw) - max_bytes} more bytes"
    if cut:
        out = out + ("" if out.endswith("\n") or not out else "\n") + note(cut) + "\n"
    return out


def cap_html(html: str, caps: OutputCaps) -> str:
    if not isinstance(html, str):
        html = "".join(html) if isinstance(html, list) else str(html)
    rows = list(_TR.finditer(html))
    # the header row counts as a row: a table of N data rows shows at most table_rows of them
    if len(rows) > caps.table_rows + 1:
        cut_at = rows[caps.table_rows + 1].start()
        html = (html[:cut_at] + "</table>"
                f"<p><em>{note(f'{len(rows) - caps.table_rows - 1} more table rows')}</em></p>")
    if len(html.encode("utf-8", "replace")) > caps.message_bytes:
        return "<pre>" + note("an HTML output larger than the per-message cap") + "</pre>"
    return html


def cap_bundle(data: dict, caps: OutputCaps) -> dict:
    """A mime bundle (``{mime: value}``) with only allowed formats, each within the caps."""
    out = {}
    dropped = []
    for mime, value in (data or {}).items():
        if mime not in caps.mime_types:
            dropped.append(mime)
            continue
        # active content made inert first (inert.py): what a browser runs acts as the browser
        if mime == "text/html":
            out[mime] = cap_html(inert.inert_html(_joined(value)), caps)
        elif mime == "text/markdown":
            continue  # shown as its source below: rendered, its HTML and links are active
        elif mime == "text/latex":
            out[mime] = cap_text(inert.inert_latex(_joined(value)), caps)
        elif mime.startswith("text/"):
            out[mime] = cap_text(value, caps)
        elif mime == "image/svg+xml":
            svg = inert.inert_svg(_joined(value))
            if svg is not None and len(svg.encode("utf-8", "replace")) <= caps.message_bytes:
                out[mime] = svg
            else:
                dropped.append(mime)
        else:  # images: a picture re-encoded from its pixels (image_clean), whole or nothing
            picture = image_clean.clean(mime, value)
            if picture is not None and len(picture) <= caps.message_bytes:
                out[mime] = picture
            else:
                dropped.append(mime)
    if "text/markdown" in out or ("text/markdown" in (data or {})
                                  and "text/markdown" in caps.mime_types):
        out["text/plain"] = cap_text(_joined(data["text/markdown"]), caps)
    if dropped and "text/plain" not in out:
        out["text/plain"] = note(f"output in {', '.join(sorted(dropped))}")
    return out


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def cap_output(output: dict, caps: OutputCaps, kind: str | None = None) -> dict:
    """One nbformat output (or the content of an output message of type ``kind``), capped."""
    kind = kind or output.get("output_type")
    o = dict(output)
    if kind == "stream":
        o["text"] = cap_text(o.get("text", ""), caps)
    elif kind == "error" or "traceback" in o:
        o["ename"] = cap_text(str(o.get("ename", "")), caps, 200).rstrip("\n")
        o["evalue"] = cap_text(str(o.get("evalue", "")), caps)
        tb = [cap_text(str(t), caps) for t in (o.get("traceback") or [])[:caps.text_lines]]
        o["traceback"] = tb
    else:
        o["data"] = cap_bundle(o.get("data") or {}, caps)
        o["metadata"] = _small_metadata(o.get("metadata"), caps)
    return o


def _small_metadata(meta, caps: OutputCaps) -> dict:
    """Output metadata (image sizes, isolation flags) is small; anything else is dropped."""
    if not isinstance(meta, dict):
        return {}
    text = json.dumps(meta, default=str)
    return meta if len(text) <= 1024 else {}


def size_of(obj) -> int:
    return len(json.dumps(obj, default=str).encode("utf-8", "replace"))


def _lines(v) -> int:
    text = "".join(v) if isinstance(v, list) else str(v or "")
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def weight(content: dict, kind: str) -> tuple[int, int, int]:
    """(text lines, table rows, bytes) an output shows - what the budgets count."""
    if kind == "stream":
        lines = _lines(content.get("text", ""))
        rows = 0
    elif kind == "error":
        lines = sum(_lines(t) for t in content.get("traceback") or []) + 1
        rows = 0
    else:
        data = content.get("data") or {}
        lines = max([_lines(v) for m, v in data.items()
                     if m.startswith("text/") and m != "text/html"] or [0])
        html = data.get("text/html", "")
        rows = len(_TR.findall("".join(html) if isinstance(html, list) else str(html)))
    return lines, rows, size_of(content)


class Budget:
    """What one execution (or one stored cell) may show in all: the policy's lines, table rows
    (plus a header row) and bytes.  Printing a table a row at a time spends the same budget
    as printing it at once."""

    def __init__(self, caps: OutputCaps) -> None:
        self.caps = caps
        self.lines = self.rows = self.bytes = 0
        self.spent = False
        self.statuses: set[str] = set()  # the free busy/idle of a browser's request (kernelws)

    def admit(self, content: dict, kind: str) -> str:
        """'ok', 'last' (over the budget now: show a note instead) or 'over' (drop)."""
        if self.spent:
            return "over"
        lines, rows, size = weight(content, kind)
        self.lines += lines
        self.rows += rows
        self.bytes += size
        c = self.caps
        if (self.lines > c.text_lines or self.rows > c.table_rows + 1
                or self.bytes > c.execution_bytes):
            self.spent = True
            return "last"
        return "ok"


def budget_note() -> str:
    return note("the rest of this output (the cell's output budget is spent)") + "\n"


def session_note() -> str:
    return note("this output (the session's output budget is spent; results leave only "
                "through egress review)") + "\n"


# What a repeat costs (S1): content shown before tells nothing new by itself, but which of the
# things shown before comes now, in what order, or whether it comes at all does - a kernel
# printing "0"/"1" once each and then a million of them in a chosen order, a notebook of known
# cells in a chosen order, a known file made to vanish and reappear between polls.  A choice
# among fewer than 2**32 things is at most 4 bytes, so each repeat costs that by default
# (policy.sessions.output_repeat_bytes).  Repeats may go on past the budget by a share of it
# (output_repeat_reserve_permille), so that what was shown before (a notebook re-opened, a
# listing polled) stays visible for a while after new output stops.


def repeat_cost(caps: OutputCaps) -> int:
    """What showing something again costs (S1; a function so a test can switch it off)."""
    return caps.repeat_bytes


class SessionBudget:
    """What one session may show the browser in all, so that many small executions cannot
    add up to an extract.  Content is charged in full once; the same content again (a notebook
    re-opened, a listing polled again) costs ``caps.repeat_bytes`` - its order and presence are
    what it can still tell.  Held by the server process; a kernel (another process) cannot
    reset it."""

    def __init__(self, caps: OutputCaps) -> None:
        self.caps = caps
        self.bytes = self.lines = 0
        self.spent = False
        self._seen: set[bytes] = set()

    def charge(self, key: bytes, lines: int, size: int) -> bool:
        """True if the browser may be sent this content (within budget, or a repeat within
        the repeats' reserve)."""
        digest = hashlib.blake2b(key, digest_size=16).digest()
        if digest in self._seen:
            return self.spend(repeat_cost(self.caps))
        if self.spent:
            return False
        if (self.bytes + size > self.caps.session_bytes
                or self.lines + lines > self.caps.session_lines):
            self.spent = True
            return False
        self.bytes += size
        self.lines += lines
        self._seen.add(digest)
        return True

    def spend(self, size: int) -> bool:
        """Charge ``size`` bytes for what is not content of its own (a repeat, a status, a
        poll of the kernels' state), up to the budget and its repeats' reserve."""
        limit = self.caps.session_bytes + self.caps.session_bytes * self.caps.repeat_reserve_permille // 1000
        if self.bytes + size > limit:
            return False
        self.bytes += size
        return True

    def charge_output(self, content: dict, kind: str) -> bool:
        """An output (live message content or a stored nbformat output) after its caps."""
        lines, rows, size = weight(content, kind)
        return self.charge(_output_key(content, kind), lines + rows, size)

    def has_shown_output(self, output: dict) -> bool:
        """The browser was sent this output (stored nbformat form) this session."""
        if not isinstance(output, dict):
            return False
        kind = output_kind(output.get("output_type"))
        digest = hashlib.blake2b(_output_key(output, kind), digest_size=16).digest()
        return digest in self._seen


def _output_key(content: dict, kind: str) -> bytes:
    shown = (content.get("text") if kind == "stream" else
             content.get("traceback") if kind == "error" else content.get("data"))
    if kind == "stream" and isinstance(shown, list):
        shown = "".join(shown)  # nbformat may store text as a list of lines
    return f"out\0{kind}\0".encode() + json.dumps(shown, sort_keys=True,
                                                  default=str).encode("utf-8", "replace")


def output_kind(output_type: str) -> str:
    return ("stream" if output_type == "stream" else "error" if output_type == "error"
            else "display_data")


def cap_notebook_outputs(outputs: list, caps: OutputCaps,
                         session: SessionBudget | None = None) -> list:
    """A cell's stored outputs, each capped, all together within one execution's budget and
    what is left of the session's."""
    out = []
    budget = Budget(caps)
    for o in outputs or []:
        if not isinstance(o, dict):
            continue
        kind = output_kind(o.get("output_type"))
        c = cap_output(o, caps)
        state = budget.admit(c, kind)
        if state != "ok":
            out.append({"output_type": "stream", "name": "stdout", "text": budget_note()})
            break
        if session is not None and not session.charge_output(c, kind):
            out.append({"output_type": "stream", "name": "stdout", "text": session_note()})
            break
        out.append(c)
    return out
