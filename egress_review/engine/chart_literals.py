"""Reading the data a chart library is given: JSON, JavaScript literals in a page's scripts,
and the binary arrays the libraries encode (for ``chart_specs``; no check of its own).

A page hands its data to Plotly, Vega, Bokeh, ECharts, Highcharts or D3 as JavaScript: object
keys without quotes, single quotes, trailing commas, a variable named instead of the data.  The
small parser here reads such literals exactly (no evaluation); a name it meets is kept as a
:class:`Ref` to be looked up among the page's ``var/let/const`` literals.  Binary arrays (Plotly
``bdata``, Bokeh ``__ndarray__`` and ``ndarray``) are decoded when they are plain little-endian
numbers; anything else (compressed, an unknown type) raises :class:`Unreadable`.
"""
from __future__ import annotations

import base64
import re

import numpy as np


class Unreadable(ValueError):
    """Data the engine cannot read: the chart goes to a person with this reason."""


class Ref(str):
    """A name in a literal (``data`` in ``Plotly.newPlot('d', data)``)."""


_NUM = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_$][\w$.]*")
_MAX_DEPTH = 60


def parse(text: str, pos: int = 0):
    """(value, end) of the JavaScript/JSON literal at ``pos``."""
    return _Parser(text).value(pos, 0)


class _Parser:
    def __init__(self, text: str):
        self.t = text

    def ws(self, i: int) -> int:
        t = self.t
        while i < len(t):
            if t[i].isspace():
                i += 1
            elif t.startswith("//", i):
                j = t.find("\n", i)
                i = len(t) if j < 0 else j
            elif t.startswith("/*", i):
                j = t.find("*/", i)
                i = len(t) if j < 0 else j + 2
            else:
                break
        return i

    def value(self, i: int, depth: int):
        if depth > _MAX_DEPTH:
            raise Unreadable("nested too deep")
        t = self.t
        i = self.ws(i)
        if i >= len(t):
            raise Unreadable("literal ends early")
        c = t[i]
        if c == "{":
            out, i = {}, self.ws(i + 1)
            while i < len(t) and t[i] != "}":
                if t[i] in "\"'`":
                    key, i = self.string(i)
                else:
                    m = _NAME.match(t, i) or _NUM.match(t, i)
                    if not m:
                        raise Unreadable(f"object key expected at {i}")
                    key, i = m.group(0), m.end()
                i = self.ws(i)
                if i >= len(t) or t[i] != ":":
                    raise Unreadable(f"':' expected at {i}")
                out[str(key)], i = self.value(i + 1, depth + 1)
                i = self.ws(i)
                if i < len(t) and t[i] == ",":
                    i = self.ws(i + 1)
            return out, i + 1
        if c == "[":
            arr, i = [], self.ws(i + 1)
            while i < len(t) and t[i] != "]":
                v, i = self.value(i, depth + 1)
                arr.append(v)
                i = self.ws(i)
                if i < len(t) and t[i] == ",":
                    i = self.ws(i + 1)
            return arr, i + 1
        if c in "\"'`":
            return self.string(i)
        m = _NUM.match(t, i)
        if m:
            return float(m.group(0)) if any(x in m.group(0) for x in ".eE") else int(m.group(0)), m.end()
        m = _NAME.match(t, i)
        if m:
            word = m.group(0)
            if word in ("true", "false"):
                return word == "true", m.end()
            if word in ("null", "undefined", "NaN"):
                return None, m.end()
            j = self.ws(m.end())
            if j < len(t) and t[j] == "(":
                raise Unreadable(f"data computed by a call ({word}(…))")
            return Ref(word), m.end()
        raise Unreadable(f"unexpected {c!r} at {i}")

    def string(self, i: int):
        t, q = self.t, self.t[i]
        out, i = [], i + 1
        while i < len(t) and t[i] != q:
            if t[i] == "\\" and i + 1 < len(t):
                nxt = t[i + 1]
                if nxt == "u" and re.match(r"[0-9a-fA-F]{4}", t[i + 2:i + 6]):
                    out.append(chr(int(t[i + 2:i + 6], 16)))
                    i += 6
                    continue
                out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
                i += 2
                continue
            out.append(t[i])
            i += 1
        return "".join(out), i + 1


_ASSIGN = re.compile(r"\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(?=[\[{])|"
                     r"^\s*([A-Za-z_$][\w$]*)\s*=\s*(?=[\[{])", re.M)


def assignments(script: str) -> dict[str, object]:
    """The literals a script names (``var data = [...]``): what a :class:`Ref` stands for."""
    out: dict[str, object] = {}
    for m in _ASSIGN.finditer(script):
        try:
            out[m.group(1) or m.group(2)], _ = parse(script, m.end())
        except Unreadable:
            continue
    return out


def call_args(script: str, start: int) -> list:
    """The literal arguments of the call whose ``(`` is at ``start`` (names kept as Refs)."""
    p = _Parser(script)
    i, args = p.ws(start + 1), []
    while i < len(script) and script[i] != ")":
        v, i = p.value(i, 0)
        args.append(v)
        i = p.ws(i)
        if i < len(script) and script[i] == ",":
            i = p.ws(i + 1)
        elif i < len(script) and script[i] != ")":
            raise Unreadable(f"expression in the call at {i}")
    return args


def resolve(v, names: dict, depth: int = 0):
    """``v`` with every Ref replaced by the literal the script names it (Unreadable if none)."""
    if depth > 20:
        raise Unreadable("names refer to each other")
    if isinstance(v, Ref):
        if v not in names:
            raise Unreadable(f"data named {v!r} is not a literal in the page (loaded or computed)")
        return resolve(names[v], names, depth + 1)
    if isinstance(v, dict):
        return {k: resolve(x, names, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x, names, depth + 1) for x in v]
    return v


_DTYPES = {"i1": "<i1", "u1": "<u1", "i2": "<i2", "u2": "<u2", "i4": "<i4", "u4": "<u4",
           "i8": "<i8", "u8": "<u8", "f4": "<f4", "f8": "<f8", "int8": "<i1", "uint8": "<u1",
           "int16": "<i2", "uint16": "<u2", "int32": "<i4", "uint32": "<u4", "int64": "<i8",
           "uint64": "<u8", "float32": "<f4", "float64": "<f8"}


def decode_array(v):
    """A list for a Plotly ``{"dtype", "bdata"}`` or Bokeh ``__ndarray__``/``ndarray`` array,
    else ``v`` unchanged; Unreadable when the encoding is not plain numbers."""
    if not isinstance(v, dict):
        return v
    if "bdata" in v or "__ndarray__" in v or v.get("type") == "ndarray":
        raw = v.get("bdata") or v.get("__ndarray__")
        if raw is None and isinstance(v.get("array"), dict):
            raw = v["array"].get("data")
        if not isinstance(raw, str):
            raise Unreadable("an encoded array whose bytes are not inline")
        dt = _DTYPES.get(str(v.get("dtype", "")).lower())
        if dt is None:
            raise Unreadable(f"an encoded array of type {v.get('dtype')!r}")
        if v.get("order") == "big" or str(v.get("compression", "none")).lower() not in ("none", ""):
            raise Unreadable("a compressed or big-endian encoded array")
        try:
            data = base64.b64decode(raw, validate=True)
            arr = np.frombuffer(data, dtype=dt)
        except (ValueError, TypeError) as e:
            raise Unreadable(f"an encoded array that does not decode ({e})") from None
        return [x.item() for x in arr.ravel()]
    if v.get("type") == "map" and isinstance(v.get("entries"), list):       # Bokeh 3 dict
        return {str(k): x for k, x in (e for e in v["entries"] if isinstance(e, list) and len(e) == 2)}
    return v
