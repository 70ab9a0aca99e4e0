"""E7: data smuggled inside programs, notebooks, statistical results or file containers.

- literal lists/arrays/dicts in code with more than ``literal_max_items`` items, and any literal
  list of pseudonym- or ID-like strings (an embedded patient list);
- base64/hex runs of ``blob_min_length`` or more, and high-entropy strings;
- numbers with more than ``max_decimal_places`` decimals (data hidden in precision);
- hidden xlsx sheets, rows and columns; embedded objects in office files;
- a file whose content does not match its extension (magic bytes), archives of any kind;
- image metadata beyond the plotting library's own tags, and bytes appended after the image.
"""
from __future__ import annotations

import ast
import math
import re
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np

from egress_review.engine.content import IMAGE_SUFFIXES, decode, image_metadata, line_of, segments
from egress_review.engine import encoded_runs
from egress_review.engine.image_tags import structural_keys
from egress_review.engine.readers import xlsx_display
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E7"
CHECK = "smuggling"
KINDS = {"table", "figure", "text", "code", "notebook", "model"}

MAGIC = [
    (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"Rar!", "rar"),
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"%PDF", "pdf"),
    (b"SQLite format 3\x00", "sqlite"), (b"PAR1", "parquet"), (b"\x7fELF", "elf"),
    (b"MZ", "exe"), (b"\x93NUMPY", "npy"), (b"\x89HDF\r\n\x1a\n", "hdf5"), (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"), (b"BM", "bmp"), (b"RIFF", "riff"),
]
ARCHIVES = {"zip", "gzip", "bzip2", "xz", "7z", "rar", "tar"}
EXPECTED = {
    ".png": {"png"}, ".jpg": {"jpeg"}, ".jpeg": {"jpeg"}, ".gif": {"gif"}, ".pdf": {"pdf"},
    ".xlsx": {"zip"}, ".xlsm": {"zip"}, ".docx": {"zip"}, ".pptx": {"zip"}, ".ods": {"zip"},
    ".parquet": {"parquet"},
    ".tif": {"tiff"}, ".tiff": {"tiff"}, ".bmp": {"bmp"}, ".webp": {"riff"},
    ".npy": {"npy"}, ".h5": {"hdf5"}, ".hdf5": {"hdf5"}, ".keras": {"zip", "hdf5"},
    ".pt": {"zip"}, ".pth": {"zip"}, ".onnx": {None}, ".safetensors": {None}, ".pkl": {None},
    ".joblib": {None}, ".bin": {None}, ".ckpt": {None, "zip"},
}
# What an office package must hold to be one (a plain zip renamed .docx is an archive).
OFFICE_PART = {".xlsx": "xl/workbook.xml", ".xlsm": "xl/workbook.xml", ".docx": "word/document.xml",
               ".pptx": "ppt/presentation.xml", ".ods": "content.xml"}
# Parts of a PyTorch or Keras zip: anything else (a CSV, a text) rides under the model's name.
_MODEL_ZIP_PART = re.compile(r"(?:^|/)(?:data\.pkl|constants\.pkl|version|byteorder|"
                             r"serialization_id|data/\d+|config\.json|metadata\.json|"
                             r"model\.weights\.h5|\.data/.*|code/.*|extra/.*|assets/.*|[^/]*\.debug_pkl|"
                             r"\.[A-Za-z_]+|)$")
_DATA_MEMBER = re.compile(r"(?<!^config)(?<!/config)(?<!^metadata)(?<!/metadata)\.(?:csv|tsv|txt|md|"
                          r"xlsx?|ods|parquet|html?|pdf|docx?|zip|gz|json|ya?ml|sav|dta|sqlite|db|"
                          r"ipynb|png|jpe?g|svg)$", re.I)
# Formats with a signature of their own: under a name whose format has none (.bin, .onnx,
# .safetensors) they are that format, not weights (a Parquet table renamed m.bin).
_SIGNED_DATA = {"parquet", "sqlite", "pdf", "npy", "png", "jpeg", "gif", "tiff"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".md", ".py", ".r", ".sql", ".json", ".ipynb", ".yaml",
                 ".yml", ".toml", ".html", ".svg", ".tex", ".log", ".sas", ".do", ".stata", ".rmd",
                 ".qmd"}
# Tags the plotting libraries write themselves.
BENIGN_IMAGE_META = {"Software", "dpi", "Creation Time", "Title", "Description", "gamma",
                     "transparency", "aspect", "jfif", "jfif_version", "jfif_unit", "jfif_density",
                     "progression", "progressive", "interlace", "srgb", "chromaticity"}
_B64 = None
_HEX = None
_DEC = re.compile(r"(?<![\w.])-?\d+\.(\d+)(?![\w.])")
_DECIMALS = re.compile(r"^[-+]?[\d,]*\.(\d+)\s*%?$")
_IDLIKE = re.compile(r"^(?:[0-9a-fA-F]{16,}|[A-Z][1289A-D]\d{8})$")


def _sniff(raw: bytes) -> str | None:
    for magic, name in MAGIC:
        if raw.startswith(magic):
            return name
    if len(raw) > 262 and raw[257:262] == b"ustar":
        return "tar"
    return None


def entropy(s: str) -> float:
    if not s:
        return 0.0
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def _add(ctx, spec, severity, loc, en, zh):
    ctx.add(rule=RULE, check=CHECK, severity=severity, file=spec.path, location=loc, en=en, zh=zh)


def is_pickle(raw: bytes, suffix: str) -> bool:
    """A pickle by its name (.pkl, .pickle, .joblib) or its bytes: protocol 2-5 opens with
    PROTO (0x80, version) and every pickle ends with STOP ('.')."""
    if suffix in (".pkl", ".pickle", ".joblib"):
        return True
    return len(raw) > 3 and raw[0] == 0x80 and 2 <= raw[1] <= 5 and raw.rstrip(b"\x00").endswith(b".")


def not_the_document(names: list[str], suffix: str) -> bool:
    """A zip named as an office document that lacks the document's own part."""
    return bool(names) and OFFICE_PART[suffix] not in names


def foreign_model_members(names: list[str]) -> list[str]:
    """Members of a zip named as a PyTorch/Keras model that no such model holds."""
    return [n for n in names if not _MODEL_ZIP_PART.search(n) or _DATA_MEMBER.search(n)]


def text_under_binary_name(raw: bytes) -> bool:
    """Text bytes where the name promises binary weights or a data store."""
    return decode(raw) is not None


def signed_data(kind: str | None) -> bool:
    """A format with a signature of its own (Parquet, SQLite, PDF, a picture …)."""
    return kind in _SIGNED_DATA


def _container(ctx: Context, spec: ManifestFile, full: Path, raw: bytes) -> bool:
    """Magic bytes vs extension, archives, office internals. False: stop scanning this file."""
    suffix = full.suffix.lower()
    kind = _sniff(raw)
    if spec.kind == "table" and suffix not in (".xlsx", ".xlsm", ".parquet"):
        # a table is read by its content (tables.read_table): a workbook or Parquet file under
        # a text name is checked as what it is; the name is wrong, so a person looks at it
        from egress_review.engine.tables import sniff_content

        actual = sniff_content(raw)
        if actual in ("xlsx", "parquet"):
            _add(ctx, spec, "review", {"detected": actual, "extension": suffix},
                 f"The file is {actual} content under the name {suffix or '(none)'}: it was read "
                 "and checked as what it is; give it its real extension.",
                 f"此檔內容為 {actual}，但副檔名為 {suffix or '（無）'}：已依實際格式讀取檢查，請改用正確副檔名。")
            if actual == "parquet":
                return True
            suffix = ".xlsx"
    if kind == "zip" and suffix in OFFICE_PART:
        try:
            with zipfile.ZipFile(full) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            names = []
        if not_the_document(names, suffix):
            # a plain archive named as a document: its members would go unread
            _add(ctx, spec, "block", {"detected": "zip", "extension": suffix,
                                      "members": names[:10]},
                 f"The file is a zip archive, not a {suffix} document (it has no "
                 f"{OFFICE_PART[suffix]}): archives hide their content; submit the files themselves.",
                 f"此檔為 zip 壓縮檔，並非 {suffix} 文件（缺少 {OFFICE_PART[suffix]}）："
                 "壓縮檔會隱藏內容，請直接提交其中的檔案。")
            return False
        embedded = [n for n in names if "/embeddings/" in n or "/media/" in n or n.endswith(".bin")]
        if embedded:
            _add(ctx, spec, "block", {"members": embedded[:10]},
                 f"The office file embeds other files or objects ({len(embedded)}): not reviewable.",
                 f"此 Office 檔內嵌其他檔案或物件（{len(embedded)} 個），無法審查。")
        return True
    if is_pickle(raw, suffix):
        # loading a pickle runs whatever code it names: nobody may open it, so nobody can
        # review it (never unpickled here either)
        _add(ctx, spec, "block", {"detected": "pickle"},
             "The file is a Python pickle: loading it runs code, so it is never opened and cannot be "
             "reviewed. Export tables as CSV or Parquet, models as safetensors or ONNX.",
             "此檔為 Python pickle：載入時會執行程式碼，故不開啟亦無法審查。表格請匯出為 CSV 或 "
             "Parquet，模型請匯出為 safetensors 或 ONNX。")
        return False
    if kind == "zip" and suffix in (".pt", ".pth", ".keras", ".ckpt"):
        try:
            with zipfile.ZipFile(full) as z:
                foreign = foreign_model_members(z.namelist())
        except zipfile.BadZipFile:
            foreign = []          # not a readable zip: weights go to the committee unread
        if foreign:
            _add(ctx, spec, "block", {"detected": "zip", "extension": suffix,
                                      "members": foreign[:10]},
                 f"The {suffix} file is a zip holding files no model holds "
                 f"({', '.join(foreign[:3])}): an archive under a model's name; submit the files "
                 "themselves.",
                 f"此 {suffix} 檔為 zip，內含模型不會有的檔案（{'、'.join(foreign[:3])}）："
                 "以模型名稱包裝的壓縮檔，請直接提交其中的檔案。")
            return False
    elif kind in ARCHIVES:
        _add(ctx, spec, "block", {"detected": kind},
             f"The file is a {kind} archive: archives hide their content from review; submit the "
             "files themselves.",
             f"此檔為 {kind} 壓縮檔：壓縮檔會隱藏內容，請直接提交其中的檔案。")
        return False
    if suffix in TEXT_SUFFIXES:
        if decode(raw) is None:
            _add(ctx, spec, "block", {"detected": kind or "binary"},
                 f"A {suffix} file should be text but holds binary data ({kind or 'unknown'}).",
                 f"副檔名 {suffix} 應為純文字，但內容為二進位資料（{kind or '未知'}）。")
            return False
        return True
    expected = EXPECTED.get(suffix)
    if expected is not None and None in expected and kind is None and text_under_binary_name(raw):
        # weights are binary: text under a weights name is a table or prose read by no check
        _add(ctx, spec, "block", {"detected": "text", "extension": suffix},
             f"A {suffix} file should be binary (model weights or a data store) but holds text: "
             "give it the name of what it is.",
             f"副檔名 {suffix} 應為二進位檔（模型權重或資料庫），但內容為純文字：請使用符合內容的副檔名。")
        return False
    if expected is not None and kind not in expected and (None not in expected
                                                          or signed_data(kind)):
        _add(ctx, spec, "block", {"detected": kind or "unknown", "extension": suffix},
             f"The content ({kind or 'unknown'}) does not match the extension {suffix}.",
             f"檔案內容（{kind or '未知'}）與副檔名 {suffix} 不符。")
        return False
    if expected is None and kind is not None and suffix not in IMAGE_SUFFIXES:
        _add(ctx, spec, "block", {"detected": kind, "extension": suffix},
             f"The content is {kind} under an unexpected extension {suffix or '(none)'}.",
             f"檔案內容為 {kind}，但副檔名為 {suffix or '（無）'}。")
        return False
    return True


def _image(ctx: Context, spec: ManifestFile, full: Path, raw: bytes) -> None:
    meta = image_metadata(full)
    structure = structural_keys(full, meta)   # a TIFF's strips, a GIF's version: not metadata
    odd = {k: v for k, v in meta.items() if k not in BENIGN_IMAGE_META and k not in structure}
    long_benign = {k: v for k, v in meta.items() if k in BENIGN_IMAGE_META and len(v) > 200}
    if odd or long_benign:
        keys = sorted({**odd, **long_benign})
        _add(ctx, spec, "block", {"part": "image metadata", "keys": keys[:20]},
             f"The image carries metadata beyond the plotting tool's tags ({', '.join(keys[:5])}): "
             "metadata can carry data or identifiers; strip it.",
             f"影像含有繪圖工具以外的中繼資料（{', '.join(keys[:5])}），可能夾帶資料或識別資訊，請移除。")
    kind = _sniff(raw)
    end = None
    if kind == "png":
        i = raw.rfind(b"IEND")
        end = i + 8 if i >= 0 else None
    elif kind == "jpeg":
        i = raw.rfind(b"\xff\xd9")
        end = i + 2 if i >= 0 else None
    if end is not None and len(raw) - end > 16:
        _add(ctx, spec, "block", {"offset": end, "length": len(raw) - end},
             f"{len(raw) - end} bytes are appended after the end of the image.",
             f"影像結尾之後附加了 {len(raw) - end} 個位元組。")


def _literals(ctx: Context, spec: ManifestFile, source: str, base: dict) -> int:
    """Report literals too long or listing identifiers; returns the items of all literals of
    three or more (the caller adds them up over the file)."""
    limit = ctx.policy.literal_max_items
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        tree = None
    found: list[tuple[int, int, list]] = []
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                elts = node.elts
            elif isinstance(node, ast.Dict):
                elts = [k for k in node.keys if k is not None] + node.values
            else:
                continue
            consts = [e.value for e in elts if isinstance(e, ast.Constant)
                      and isinstance(e.value, (int, float, str))]
            neg = [e for e in elts if isinstance(e, ast.UnaryOp) and isinstance(e.operand, ast.Constant)]
            if len(consts) + len(neg) >= 3:
                found.append((node.lineno, len(consts) + len(neg), consts))
    else:
        # Not Python (R, SQL, magics): comma-separated literal runs inside brackets.
        for m in re.finditer(r"[\[(]\s*((?:[-\d.eE]+|'[^'\n]*'|\"[^\"\n]*\")\s*(?:,\s*(?:[-\d.eE]+|'[^'\n]*'|\"[^\"\n]*\")\s*)+)[\])]",
                             source):
            items = [x.strip().strip("'\"") for x in m.group(1).split(",")]
            found.append((line_of(source, m.start()), len(items), items))
    for line, n, items in found:
        idlike = [x for x in items if isinstance(x, str) and _IDLIKE.match(x.strip())]
        if len(idlike) >= 3:
            _add(ctx, spec, "block", {**base, "line": line},
                 f"A literal list of {len(idlike)} identifier-like strings (an embedded patient list).",
                 f"程式中內嵌 {len(idlike)} 個類似識別碼的字串清單（夾帶病患名單）。")
        elif n > limit:
            _add(ctx, spec, "block", {**base, "line": line},
                 f"A literal with {n} items embedded in code (more than {limit}): data inside a program.",
                 f"程式中內嵌含 {n} 個項目的常值（超過 {limit} 個）：以程式夾帶資料。")
    return sum(n for _, n, _ in found)


def _covert(ctx: Context, spec: ManifestFile, text: str, base: dict, code: bool) -> None:
    """Text that carries data unseen or does not read as text (covert_text)."""
    from egress_review.engine import covert_cjk, covert_text as CT

    # a document's words are prose; a table's labels and a figure's text are not
    prose = spec.kind in ("text", "notebook") and not code
    for sev, loc, en, zh in CT.findings(text, ctx.policy, prose=prose):
        _add(ctx, spec, sev, {**base, **loc}, en, zh)
    if code:   # a program's comments and strings are words: word salad there is a code too
        for words in CT.words_of_program(text, spec.path):
            for sev, loc, en, zh in covert_cjk.han_findings(words, ctx.policy):
                _add(ctx, spec, sev, {**base, "part": "comments and strings", **loc}, en, zh)
            ok, n, share = CT.reads_as_language(words, ctx.policy.covert_prose_min_words,
                                                ctx.policy.covert_prose_function_share)
            if not ok:
                _add(ctx, spec, "review", {**base, "part": "comments and strings", "words": n,
                                           "function_word_share": round(share, 3)},
                     f"A comment or string of {n} words with only {share:.0%} of the common words "
                     "prose is made of: it does not read as language (a code?); a reviewer must "
                     "read it.",
                     f"註解或字串共 {n} 個英文詞，常用虛詞僅占 {share:.0%}，不像一般文字（可能是編碼），"
                     "須由審查人閱讀。")


def _blobs(ctx: Context, spec: ManifestFile, text: str, base: dict, table=None) -> None:
    pol = ctx.policy
    b64 = re.compile(r"[A-Za-z0-9+/_-]{%d,}={0,2}" % pol.blob_min_length)
    hexre = re.compile(r"\b[0-9a-fA-F]{%d,}\b" % pol.blob_min_length)
    for m in hexre.finditer(text):
        loc = {**base, "line": line_of(text, m.start()), "offset": m.start(), "length": len(m.group())}
        _add(ctx, spec, "block", loc,
             f"A hex-encoded run of {len(m.group())} characters: encoded data.",
             f"出現長度 {len(m.group())} 的十六進位編碼字串：疑似編碼資料。")
    for m in b64.finditer(text):
        s = m.group()
        if hexre.fullmatch(s) or entropy(s) < pol.entropy_bits_per_char:
            continue
        if not (re.search(r"[A-Z]", s) and re.search(r"[a-z]", s) and re.search(r"\d", s)):
            continue
        loc = {**base, "line": line_of(text, m.start()), "offset": m.start(), "length": len(s)}
        _add(ctx, spec, "block", loc,
             f"An encoded/high-entropy run of {len(s)} characters ({entropy(s):.1f} bits/char).",
             f"出現長度 {len(s)} 的高熵編碼字串（每字元 {entropy(s):.1f} 位元）。")
    _encoded(ctx, spec, text, base)


def _encoded(ctx: Context, spec: ManifestFile, text: str, base: dict) -> None:
    """Bytes written in the other binary-to-text encodings (hex dumps, escapes, %HH, =HH,
    uuencode, base85, decimal byte lists ...): one finding per encoding, at its first run."""
    by_kind: dict[str, list] = {}
    for run in encoded_runs.find(text, max(8, ctx.policy.blob_min_length // 2)):
        by_kind.setdefault(run.encoding, []).append(run)
    for name, runs in by_kind.items():
        n = sum(len(r.decoded) for r in runs)
        first = runs[0]
        loc = {**base, "line": line_of(text, first.start), "offset": first.start,
               "length": first.end - first.start, "encoding": name, "runs": len(runs)}
        _add(ctx, spec, "block", loc,
             f"Bytes written as {name}: {n} bytes once decoded, in {len(runs)} run(s) - encoded data.",
             f"以 {name} 寫出的位元組：解碼後 {n} 位元組，共 {len(runs)} 段，疑似編碼資料。")


def _precision(ctx: Context, spec: ManifestFile, text: str, base: dict, severity: str) -> int:
    limit = ctx.policy.max_decimal_places
    n = 0
    for m in _DEC.finditer(text):
        if len(m.group(1)) > limit:
            n += 1
            if n <= 20:
                _add(ctx, spec, severity, {**base, "line": line_of(text, m.start())},
                     f"The number {m.group()[:30]} has {len(m.group(1))} decimals (more than {limit}): "
                     "precision can carry hidden data.",
                     f"數值 {m.group()[:30]} 有 {len(m.group(1))} 位小數（超過 {limit} 位），可能以精度夾帶資料。")
    return n


def _is_workbook(raw: bytes) -> bool:
    from egress_review.engine.tables import sniff_content

    return raw.startswith(b"PK") and sniff_content(raw) == "xlsx"


def _hidden_of(full: Path) -> list[dict]:
    import openpyxl

    from egress_review.engine.tables import workbook_hidden

    try:
        return workbook_hidden(openpyxl.load_workbook(full, data_only=True), full)
    except Exception:   # the document readers report a workbook they cannot open
        return []


def _workbook_hidden(ctx: Context, spec: ManifestFile, hidden: list[dict]) -> None:
    for h in hidden:
        if h["what"] in xlsx_display.MESSAGES:   # shown other than the values read
            en, zh = xlsx_display.MESSAGES[h["what"]]
            _add(ctx, spec, "block", h, en.format(detail=h["detail"]), zh.format(detail=h["detail"]))
            continue
        _add(ctx, spec, "block", h,
             f"Hidden {h['what']} in the workbook: hidden content escapes review.",
             f"活頁簿中有隱藏的{ {'sheet': '工作表', 'row': '列', 'column': '欄'}[h['what']] }：隱藏內容會規避審查。")


def check_file(ctx: Context, spec: ManifestFile) -> None:
    full = ctx.full(spec)
    raw = full.read_bytes()
    if full.name.endswith(".provenance.json") or b'"format": "egress-provenance"' in raw[:200] \
            or b'"format":"egress-provenance"' in raw[:200]:
        _add(ctx, spec, "block", {"part": "provenance"},
             "A provenance sidecar holds the true units and per-person contributions behind each "
             "cell: it is for checking only and never leaves the enclave.",
             "來源紀錄檔含每格的實際人數與個人貢獻值，僅供檢查使用，不得攜出。")
        return
    if not _container(ctx, spec, full, raw):
        return
    table = ctx.tables.get(spec.path)
    if table is None and _is_workbook(raw):   # a workbook declared as a document: the same
        _workbook_hidden(ctx, spec, _hidden_of(full))
    if raw.startswith(b"PK") and b"application/vnd.oasis.opendocument.spreadsheet" in raw[:200]:
        try:
            _workbook_hidden(ctx, spec, xlsx_display.ods_findings(raw))
        except Exception:   # the spreadsheet reader reports one it cannot open
            pass
    if table is not None:
        _workbook_hidden(ctx, spec, table.hidden)
        limit = ctx.policy.max_decimal_places
        for col in table.cols_with("count", "statistic", "suppressed"):
            dec = np.array([len(_DECIMALS.match(t.strip()).group(1)) if _DECIMALS.match(t.strip()) else 0
                            for t in table.text(col).tolist()])
            for i in np.flatnonzero(dec > limit)[:20]:
                _add(ctx, spec, "block", table.location(i, col),
                     f"{int(dec[i])} decimals (more than {limit}): precision can carry hidden data.",
                     f"小數位數 {int(dec[i])} 位（超過 {limit} 位），可能以精度夾帶資料。")
        for seg in segments(ctx.root, spec, table):
            if seg.location.get("part") == "column" and table.role(seg.location["column"]) \
                    and table.role(seg.location["column"]).role != "group":
                continue
            _blobs(ctx, spec, seg.text, seg.location)
            _covert(ctx, spec, seg.text, seg.location, False)
        return
    if full.suffix.lower() in IMAGE_SUFFIXES:
        _image(ctx, spec, full, raw)
    if spec.kind == "model":
        return
    items = 0
    for seg in segments(ctx.root, spec):
        text = seg.text
        if seg.code:
            items += _literals(ctx, spec, text, seg.location)
        _blobs(ctx, spec, text, seg.location)
        _covert(ctx, spec, text, seg.location, seg.code)
        _precision(ctx, spec, text, seg.location, "review")
    if items > ctx.policy.literal_file_max_items:
        _add(ctx, spec, "review", {"items": items},
             f"The program's literals hold {items} items together (more than "
             f"{ctx.policy.literal_file_max_items}): data can be split over many small literals; "
             "a reviewer must look.",
             f"程式中各常值合計 {items} 個項目（超過 {ctx.policy.literal_file_max_items} 個）："
             "資料可能被拆成許多小常值夾帶，須由審查人檢視。")
