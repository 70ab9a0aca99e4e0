"""Where a finding is, in words a reviewer reads (Traditional Chinese first, then English).

The engine places each finding with location keys (see ``egress_review.engine.result.Finding``
and ``egress_review.engine.readers.model``); this turns them into one line such as
「筆記本第 3 格・輸出 0（text/html）・表 1・第 2 列・欄 n」 / "notebook cell 3 · output 0 …".
"""
from __future__ import annotations

# key -> (Chinese, English); the value follows each label.  Keys not listed are shown as k=v.
_LABELS = [
    ("request", "申請文字", "request words"), ("file", "檔案", "file"),
    ("sheet", "工作表", "sheet"), ("cell", "儲存格", "cell"), ("comment", "註解", "comment"),
    ("name", "定義名稱", "defined name"), ("chart", "圖表", "chart"), ("property", "文件屬性", "property"),
    ("cell_index", "筆記本第幾格", "notebook cell"), ("output", "輸出", "output"),
    ("part", "部分", "part"), ("json_path", "JSON 路徑", "JSON path"), ("page", "頁", "page"),
    ("paragraph", "段落", "paragraph"), ("section", "節", "section"), ("table", "表", "table"),
    ("row", "列", "row"), ("column", "欄", "column"), ("line", "行", "line"),
    ("line_in_part", "該部分第幾行", "line in part"), ("offset", "字元位置", "character"),
    ("length", "長度", "length"), ("value", "值", "value"), ("model", "模型", "model"),
    ("read_as", "判讀為", "read as"),
]
_SKIP = {"sentence", "labelled", "more_rows"}


def describe(loc: dict | None) -> str:
    """One line naming the place; the marked sentence, when there is one, follows on its own."""
    loc = dict(loc or {})
    parts = []
    for key, zh, en in _LABELS:
        if key in loc:
            parts.append(f"{zh} {en}: {loc.pop(key)}")
    for key, value in loc.items():
        if key not in _SKIP:
            parts.append(f"{key}={value}")
    return " · ".join(parts)
