"""JSON, YAML and TOML: nested key→number maps and lists of records become tables; other values
are read as labelled numbers ("key: value", checked as a sentence) and words.

A map whose values are all numbers (``{"M": 120, "F": 3}``) becomes a two-column table headed
by its own key; a map of such maps with the same keys a wider table; a list of records a table
with one column per key; a list of numbers a one-column table.  Every unit is placed by its JSON
path (``$.by_sex.F``)."""
from __future__ import annotations

import json

from egress_review.engine.numerals import spelled_number
from egress_review.engine.readers.model import Content, TableUnit, TextUnit
from egress_review.engine.readers.text_decode import decode_text, text_or_unread


def _scalar(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _numeric(v) -> bool:
    """A number, or a string that is one ("3", "三", "three", "3E+00"): {"F": "三"} is a count."""
    if _num(v):
        return True
    if not isinstance(v, str):
        return False
    try:
        float(v.replace(",", ""))
        return True
    except ValueError:
        return spelled_number(v) is not None


def _s(v) -> str:
    return "" if v is None else str(v)


def _path(base: str, key) -> str:
    return f"{base}[{key}]" if isinstance(key, int) else f"{base}.{key}"


# A chart library's data points: ECharts ``{name, value}``, Highcharts ``{name, y}`` beside keys
# that only style the point.  "name" there is a category's label, not a person's name: read as
# a person attribute, an ordinary pie of large counts was blocked as person-level data.
_POINT_VALUE = ("value", "y")
_POINT_STYLE = frozenset({"itemStyle", "label", "labelLine", "emphasis", "tooltip", "color",
                          "selected", "sliced", "id", "drilldown", "symbol", "symbolSize",
                          "dataLabels", "marker", "colorIndex", "className", "visible"})


def chart_points(value) -> list[list[str]] | None:
    """Rows (header first) of a list of chart data points, or None when it is not one."""
    if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
        return None
    vk = next((k for k in _POINT_VALUE if k in value[0]), None)
    if vk is None or any(set(v) - _POINT_STYLE - {"name", vk} or not isinstance(v.get("name"), str)
                         or not _num(v.get(vk)) for v in value):
        return None
    nums = [float(v[vk]) for v in value]
    whole = all(n == int(n) and n >= 0 for n in nums)
    # whole numbers by category are a frequency chart's heights: read as counts (the threshold
    # then passes large ones and blocks small ones); other heights keep their own name
    header = ["category", f"{vk} (n)" if whole and len(set(nums)) > 1 else vk]
    return [header] + [[v["name"], _s(v[vk])] for v in value]


def _range_keys(keys) -> bool:
    return [str(k) for k in keys] == [str(i) for i in range(len(keys))]


def frame_rows(value, top: bool = True) -> list[list[str]] | None:
    """Rows (header first) of a data frame written by ``to_json`` in the orientations that are
    not records: "split" ({columns, index, data}), "columns" ({column: {0: …, 1: …}}), "index"
    ({0: {column: …}, 1: …}), "table" ({schema: {fields}, data: [records]}) and "values"
    ([[…], […]]).  Read as they come, split's and values' numbers were sentences, a column map
    became a table laid on its side whose rows were the columns, and a default index of 0 … n-1
    was a column of numbers of no known role (a reviewer's, never a count's check).  ``top``:
    the value is the whole document (a bare grid of numbers is read as a frame only there)."""
    if isinstance(value, dict) and isinstance(value.get("columns"), list) \
            and isinstance(value.get("data"), list) and set(value) <= {"columns", "index", "data"}:
        cols, data = [str(c) for c in value["columns"]], value["data"]
        if not cols or not all(isinstance(r, list) and len(r) == len(cols)
                               and all(_scalar(x) for x in r) for r in data):
            return None
        index = value.get("index")
        if isinstance(index, list) and len(index) == len(data) and not _range_keys(index):
            return [["index"] + cols] + [[_s(i)] + [_s(x) for x in r] for i, r in zip(index, data)]
        return [cols] + [[_s(x) for x in r] for r in data]
    if (rows := _table_orient(value)) is not None:
        return rows
    if isinstance(value, dict) and len(value) >= 2 \
            and all(isinstance(v, dict) and v and all(_scalar(x) for x in v.values()) for v in value.values()):
        inner = list(next(iter(value.values())).keys())
        if not all(list(v.keys()) == inner for v in value.values()):
            return None
        if _range_keys(inner) and len(inner) >= 2:
            cols = [str(c) for c in value]
            return [cols] + [[_s(value[c][k]) for c in value] for k in inner]
        if _range_keys(list(value)):             # "index" with the default index: rows by number
            return [[str(c) for c in inner]] + [[_s(v[c]) for c in inner] for v in value.values()]
        return None
    return _values_orient(value, top)


def _table_orient(value) -> list[list[str]] | None:
    """to_json(orient="table"): the schema's field names head the data's records; the default
    index (0 … n-1, pandas' "index" field) is dropped, a named one stays a column."""
    if not (isinstance(value, dict) and isinstance(value.get("schema"), dict)
            and isinstance(value.get("data"), list) and set(value) == {"schema", "data"}):
        return None
    fields = value["schema"].get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, dict) and "name" in f for f in fields):
        return None
    cols = [str(f["name"]) for f in fields]
    data = value["data"]
    if not all(isinstance(r, dict) and all(_scalar(x) for x in r.values()) for r in data):
        return None
    if "index" in cols and _range_keys([r.get("index") for r in data]):
        cols.remove("index")
    return [cols] + [[_s(r.get(c)) for c in cols] for r in data]


def _values_orient(value, top: bool) -> list[list[str]] | None:
    """to_json(orient="values"): a list of equal rows, each column of one type.  Headed
    "column i"; a column of whole numbers ≥ 0 beside a column of labels is a frequency table's
    count column ("column i (n)").  Below the top only a grid with a label column is read so
    (a list of coordinate pairs is not a table)."""
    if not (isinstance(value, list) and len(value) >= 2 and all(isinstance(r, list) for r in value)):
        return None
    width = len(value[0])
    if width == 0 or any(len(r) != width or not all(_scalar(x) for x in r) for r in value):
        return None
    columns = list(zip(*value))
    numeric = [all(_num(x) or x is None for x in c) and any(_num(x) for x in c) for c in columns]
    labels = [all(isinstance(x, str) or x is None for x in c) for c in columns]
    if not any(numeric) or not all(n or lab for n, lab in zip(numeric, labels)) \
            or not (top or any(labels)):
        return None
    header = []
    for i, (c, num) in enumerate(zip(columns, numeric)):
        whole = num and all(x is None or (x == int(x) and x >= 0) for x in c)
        header.append(f"column {i + 1} (n)" if whole and any(labels) else f"column {i + 1}")
    return [header] + [[_s(x) for x in r] for r in value]


def _map_header(key: str, items: list) -> str:
    """The header of a flat map's numbers: its key, marked as counts when the key does not say
    what they are ("result", "summary", "values", none) and they are whole numbers by category,
    not codes or settings: before, {"North": 120, "South": 3} under "result" was a column of no
    known role, held for a reviewer whatever its counts."""
    from egress_review.engine.readers.code_literals import _SETTING, _looks_like_counts
    from egress_review.engine.unit_tables import header_role

    # (a group word, "by_region", names the keys but not the numbers: a reviewer's still)
    nums = [float(v) if _num(v) else _whole_text(v) for _, v in items]
    if None in nums or header_role(key) is not None \
            or _SETTING.search(key) or all(_SETTING.search(str(k)) for k, _ in items):
        return key or "value"
    return f"{key or 'value'} (n)" if _looks_like_counts(nums) else key or "value"


def _whole_text(v) -> float | None:
    """A whole number written as a string ("120", "1,200"), else None."""
    t = v.strip().replace(",", "") if isinstance(v, str) else ""
    return float(t) if t.isdigit() else None


def walk(value, out: Content, path: str = "$", key: str = "", place: dict | None = None) -> None:
    pre = dict(place or {})
    if (points := chart_points(value)) is not None:
        out.add(TableUnit(rows=points, place={**pre, "json_path": path}))
        return
    if (rows := frame_rows(value, top=path == "$")) is not None:
        out.add(TableUnit(rows=rows, place={**pre, "json_path": path}))
        return
    if isinstance(value, dict):
        items = list(value.items())
        if len(items) >= 2 and all(_numeric(v) for _, v in items):
            rows = [["key", _map_header(key, items)]] + [[str(k), _s(v)] for k, v in items]
            out.add(TableUnit(rows=rows, place={**pre, "json_path": path}))
            return
        if len(items) >= 2 and all(isinstance(v, dict) and v and all(_scalar(x) for x in v.values())
                                   for _, v in items):
            keys = list(items[0][1].keys())
            if all(list(v.keys()) == keys for _, v in items):
                rows = [[key or "key"] + [str(k) for k in keys]]
                rows += [[str(k)] + [_s(v[c]) for c in keys] for k, v in items]
                out.add(TableUnit(rows=rows, place={**pre, "json_path": path}))
                return
        for k, v in items:
            walk(v, out, _path(path, k), str(k), pre)
        return
    if isinstance(value, list):
        if value and all(isinstance(v, dict) and all(_scalar(x) for x in v.values()) for v in value):
            keys: list[str] = []
            for v in value:
                keys += [str(k) for k in v if str(k) not in keys]
            rows = [keys] + [[_s(v.get(k)) for k in keys] for v in value]
            out.add(TableUnit(rows=rows, place={**pre, "json_path": path}))
            return
        if len(value) >= 2 and all(_numeric(v) for v in value):
            out.add(TableUnit(rows=[[key or "value"]] + [[_s(v)] for v in value],
                              place={**pre, "json_path": path}))
            return
        for i, v in enumerate(value):
            walk(v, out, _path(path, i), key, pre)
        return
    if _num(value):
        out.add(TextUnit(f"{key or 'value'}: {value}", {**pre, "json_path": path, "labelled": True}))
    elif isinstance(value, str) and (n := spelled_number(value)) is not None:
        # a number spelled out in a string is read as the number it states
        out.add(TextUnit(f"{key or 'value'}: {n:g}", {**pre, "json_path": path, "labelled": True}))
    elif isinstance(value, str) and value.strip():
        out.add(TextUnit(value, {**pre, "json_path": path}))


def read_json(raw: bytes, name: str) -> Content:
    if name.lower().endswith((".jsonl", ".ndjson", ".jsonlines")):
        return read_jsonl(raw, name)
    out = Content("json")
    text = decode_text(raw)
    try:
        data = json.loads(text if text is not None else "\x00")
    except ValueError as e:
        out.fail({}, f"not valid JSON ({e})")
        return out
    walk(data, out)
    return out


def read_jsonl(raw: bytes, name: str) -> Content:
    """JSON Lines (``.jsonl``, ``.ndjson``: one JSON value a line, a data frame's
    ``to_json(orient="records", lines=True)``): read as the list of those values, so records
    are a table (round 13: the format was unknown and its counts went to a reviewer)."""
    out = Content("json")
    if (text := text_or_unread(raw, out)) is None:
        return out
    values = []
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                values.append(json.loads(line))
            except ValueError as e:
                out.fail({"line": i}, f"not valid JSON Lines ({e})")
                return out
    walk(values, out)
    return out


def read_yaml(raw: bytes, name: str) -> Content:
    import yaml

    out = Content("yaml")
    if (text := text_or_unread(raw, out)) is None:
        return out
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as e:
        out.fail({}, f"not valid YAML ({e})")
        return out
    for i, d in enumerate(docs):
        walk(d, out, "$" if len(docs) == 1 else f"$<doc {i + 1}>")
    return out


def read_toml(raw: bytes, name: str) -> Content:
    """TOML (a config's format, also a place to type a table: ``[deaths] North = 120``, arrays
    of tables ``[[rows]]``): read as JSON's data is.  Before, a .toml was of no known format and
    its numbers went to a reviewer as sentences."""
    import tomllib

    out = Content("toml")
    if (text := text_or_unread(raw, out)) is None:
        return out
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        out.fail({}, f"not valid TOML ({e})")
        return out
    walk(data, out)
    return out
