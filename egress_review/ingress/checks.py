"""Automatic import checks (D4): run before any person sees an import request.

An import is a list of files, each declared as one of :data:`KINDS`.  Archives (zip, tar, gzip,
bz2, xz) are unpacked in memory, recursively, under the policy's caps (``archives``): a zip bomb
is refused, never unpacked in full.
Every leaf file then goes through:

- the D4 kind gate: model weights and training sets only for imaging cases (block otherwise;
  for an imaging case they always go to review with the committee);
- executables and unknown binaries (executables block; other binaries not in an allowed model
  format go to review; pickle-based model formats go to review because loading them runs code);
- identifiers anywhere (``deidentify.text.find_identifiers``: national IDs and resident numbers
  validated by checksum, phones, addresses, e-mail, names) - block, names review; binary files
  are searched for checksum-valid national IDs in their raw bytes;
- tables: person-ID columns, date-of-birth columns, medical-record columns with a person key,
  institution key columns and institution names/codes (block: personal microdata, medical
  records or institution information);
- text/code: lists of institution names or codes (block from ``import_institution_min_values``);
- code and notebooks: the egress engine's smuggling scan (embedded literals, patient lists,
  encoded blobs);
- DICOM files (imaging training sets): patient-identifying header elements must be empty;
- pictures: the text their pixels show (``image_text``), checked as text;
- files carried inside texts (notebook attachments and outputs, ``data:`` URIs: ``embedded``)
  and persons no column name announces (``table_people``);
- Stata/SAS/SPSS files read as tables, R files and unread ones to a person (``stat_files``).

Findings carry rule D4 (the egress engine's E7 smuggling findings are re-labelled D4, their
messages kept) and English + Traditional Chinese messages.
"""
from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from egress_review.engine.content import IMAGE_SUFFIXES, decode, image_metadata, notebook_segments
from egress_review.engine.result import CheckResult, FileResult, Finding, worst
from egress_review.engine.smuggling import TEXT_SUFFIXES, _sniff
from egress_review.ingress import stat_files
from egress_review.ingress.archives import ArchiveReading, _Leaf
from egress_review.ingress.documents import SUFFIXES as DOCUMENT_SUFFIXES, WORKBOOK_SUFFIXES
from egress_review.ingress.text_forms import decode_wide, rtf_text
from policies.sections.egress import EgressPolicy

RULE = "D4"
KINDS = ("training_set", "model", "code", "reference")
KIND_ZH = {"training_set": "訓練資料集", "model": "模型/權重", "code": "程式碼", "reference": "對照表/參考資料"}
CODE_SUFFIXES = {".py", ".r", ".sql", ".ipynb", ".sh", ".jl", ".m", ".sas", ".do", ".rmd", ".qmd",
                 ".js", ".ts", ".c", ".cpp", ".h", ".java", ".scala", ".yaml", ".yml", ".toml", ".cfg"}
TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm", ".parquet"}
EXECUTABLES = {"elf", "exe"}
_EXEC_MAGIC = [(b"\xfe\xed\xfa\xce", "mach-o"), (b"\xfe\xed\xfa\xcf", "mach-o"),
               (b"\xce\xfa\xed\xfe", "mach-o"), (b"\xcf\xfa\xed\xfe", "mach-o"),
               (b"\xca\xfe\xba\xbe", "java-class/mach-o"), (b"\x00asm", "wasm")]
_RAW_ID = re.compile(rb"(?<![A-Za-z0-9])[A-Z][1289A-D]\d{8}(?![0-9])")
_TOKEN_SPLIT = re.compile(r"[,\t;|\n\"'\[\]{}()=:]+")

class ImportInputError(ValueError):
    """An import's file list is unusable; the message names the file and what is wrong."""


@dataclass
class ImportItem:
    """One submitted file: its relative path, declared kind and bytes."""
    path: str
    kind: str
    data: bytes
    description: str = ""


class _Checker(ArchiveReading):
    def __init__(self, policy: EgressPolicy, imaging: bool, pseudonyms: frozenset[str]) -> None:
        self.pol = policy
        self.imaging = imaging
        self.pseudonyms = pseudonyms
        self.findings: list[Finding] = []
        self.unpacked = 0
        self.names: dict[str, set[str]] = {}   # leaf path -> distinct personal names found
        self.pictures: list[_Leaf] = []
        self.dicom_pixels_read = 0   # DICOM files whose pixels were read: the picture budget too

    def read_pictures(self) -> None:
        """The text the import's pictures show, checked as text; unread pictures go to a person."""
        from egress_review.ingress.image_text import read_pictures

        leaves = {leaf.path: leaf for leaf in self.pictures}
        reading = read_pictures(self.pictures,
                                max_images=self.pol.import_ocr_max_images,
                                max_pixels=self.pol.import_ocr_max_pixels, timeout_s=60.0)
        for path, text in reading.texts.items():
            leaf = leaves[path]
            base = {"member": path} if "!" in path else {}
            if text.strip():
                self._text(leaf, text, {**base, "part": "text in the picture"})
                self._institution_values(leaf, text, {**base, "part": "text in the picture"})
                self.name_list(leaf)
        for pic, en, zh in reading.unread:
            self.add(pic.top, "review", {"member": pic.path, "part": "text in the picture"},
                     f"{pic.path}: {en}; a reviewer must look at what it shows.",
                     f"{pic.path}：{zh}，須由審查人檢視圖片內容。", check="image_text")

    def add(self, top: str, severity: str, location: dict, en: str, zh: str, *, check: str,
            committee: bool = False, rule: str = RULE) -> None:
        self.findings.append(Finding(rule=rule, check=check, severity=severity, file=top,
                                     location=location, message_en=en, message_zh=zh,
                                     committee=committee))

    # -- one leaf ------------------------------------------------------------------------
    def check_leaf(self, leaf: _Leaf) -> None:
        name = leaf.path.split("!")[-1]
        suffix = PurePosixPath(name).suffix.lower()
        base = {"member": leaf.path} if "!" in leaf.path else {}
        magic = _sniff(leaf.data) or next((n for m, n in _EXEC_MAGIC if leaf.data.startswith(m)), None)
        model_like = suffix in self.pol.import_model_suffixes or magic in ("npy", "hdf5")
        if stat_files.is_stat_file(suffix, leaf.data):   # read for its rows, never as "text"
            self._gate(leaf, model_like, base)
            self._stat(leaf, name, suffix, base)
            return
        text = decode(leaf.data) if magic is None or suffix in TEXT_SUFFIXES else None
        if text is None and (magic is None or suffix in TEXT_SUFFIXES):
            # UTF-16/UTF-32 text, BOM or not: read as text, else a patient list so saved is
            # "binary" (text_forms.py)
            text = decode_wide(leaf.data)
            if text is not None:
                leaf = _Leaf(leaf.path, leaf.top, leaf.kind, text.encode("utf-8"))
        if text is not None and (suffix == ".rtf" or text.startswith("{\\rtf")):
            text = rtf_text(text)   # its escapes decoded: the text the document shows
        self._gate(leaf, model_like, base)
        if magic in EXECUTABLES or magic in ("mach-o", "java-class/mach-o", "wasm") \
                or (text is not None and text.startswith("#!") and suffix not in CODE_SUFFIXES):
            self.add(leaf.top, "block", {**base, "detected": magic or "script"},
                     f"{name} is an executable ({magic or 'script with #!'}): programs are brought in as "
                     "source code, not binaries.",
                     f"{name} 為可執行檔（{magic or '#! 指令稿'}）：程式須以原始碼帶入，不得帶入二進位檔。",
                     check="binary")
            return
        if text is None:
            self._binary(leaf, name, suffix, magic, model_like, base)
            return
        if suffix in TABLE_SUFFIXES - {".xlsx", ".xlsm", ".parquet"} or (leaf.kind in ("reference", "training_set")
                                                                      and suffix in (".txt", ".json") and _looks_tabular(text)):
            self._table(leaf, name, suffix, base)
        else:
            self._text(leaf, text, base)
            self._institution_values(leaf, text, base)
            if suffix not in CODE_SUFFIXES and leaf.kind != "code":
                self._text_people(leaf, text, base)
            self._ids_over_lines(leaf, text, base)
        # encoded runs in any text (a reference table written as hex or base64 hides its rows);
        # literal lists only in code
        self._smuggling(leaf, name, suffix, text, base, code=suffix in CODE_SUFFIXES or leaf.kind == "code")

    def name_list(self, leaf: _Leaf) -> None:
        """Names alone go to review (the recogniser has false positives); many in one file are a
        list of persons."""
        names = self.names.get(leaf.path, set())
        if len(names) >= self.pol.import_name_list_min:
            shown = ", ".join(sorted(names)[:3])
            self.add(leaf.top, "block", {"member": leaf.path} if "!" in leaf.path else {},
                     f"{len(names)} distinct personal names (e.g. {shown}): a list of persons may not be "
                     "brought in.",
                     f"含 {len(names)} 個不同的個人姓名（如 {shown}）：不得帶入人員名單。", check="identifiers")

    def _gate(self, leaf: _Leaf, model_like: bool, base: dict) -> None:
        imaging_only = leaf.kind in ("model", "training_set") or model_like
        if not imaging_only:
            return
        what = "model weights" if (leaf.kind == "model" or model_like) else "a training set"
        what_zh = "模型權重" if (leaf.kind == "model" or model_like) else "訓練資料集"
        if not self.imaging:
            self.add(leaf.top, "block", base,
                     f"Only imaging cases may bring in {what} (D4); this case is not an imaging case.",
                     f"僅影像專案得帶入{what_zh}（D4）；本案非影像專案。", check="kind")
            return
        # one committee finding per submitted file is enough
        if not any(f.file == leaf.top and f.check == "kind" and f.committee for f in self.findings):
            self.add(leaf.top, "review", {}, committee=True, check="kind",
                         en=f"An imaging case may bring in {what} only after a security review and "
                            "committee approval (D4).",
                         zh=f"影像專案帶入{what_zh}須經安全審查及委員會核准（D4）。")

    def _binary(self, leaf: _Leaf, name: str, suffix: str, magic: str | None, model_like: bool,
                base: dict) -> None:
        self._binary_ids(leaf, name, base)
        if suffix == ".dcm" or leaf.data[128:132] == b"DICM":
            self._dicom(leaf, name, base)
            return
        if suffix in (".xlsx", ".xlsm", ".parquet"):
            self._table(leaf, name, suffix, base)
            if suffix in WORKBOOK_SUFFIXES:   # comments, headers, defined names, properties...
                self._document(leaf, name, base, cells_read=True)
            return
        if suffix in DOCUMENT_SUFFIXES:
            self._document(leaf, name, base)
            return
        if suffix in IMAGE_SUFFIXES and magic in ("png", "jpeg", "gif", "tiff", "bmp", "riff"):
            # text chunks and EXIF of training images can carry names and IDs
            meta = image_metadata(io.BytesIO(leaf.data))
            if meta:
                self._text(leaf, "\n".join(f"{k}: {v}" for k, v in meta.items()),
                           {**base, "part": "image metadata"})
            self.pictures.append(leaf)   # what the pixels show is read with the others, at the end
            return
        if model_like:
            if suffix in self.pol.import_pickle_suffixes:
                self.add(leaf.top, "review", {**base, "format": suffix},
                         f"{name} is a pickle-based format: loading it runs code. Prefer safetensors or "
                         "ONNX; the reviewer must confirm its origin.",
                         f"{name} 為 pickle 格式，載入時會執行程式碼；建議改用 safetensors 或 ONNX，並由審查人確認來源。",
                         check="binary")
            if suffix == ".safetensors":
                self._safetensors_header(leaf, name, base)
            return
        self.add(leaf.top, "review", {**base, "detected": magic or "unknown binary"},
                 f"{name} is a binary file ({magic or 'unknown type'}) that is not an allowed model format: "
                 "the reviewer must identify it.",
                 f"{name} 為二進位檔（{magic or '未知類型'}），不屬允許的模型格式，須由審查人確認。",
                 check="binary")

    def _binary_ids(self, leaf: _Leaf, name: str, base: dict) -> None:
        from deidentify.identifiers.taiwan_id import is_valid

        valid = sorted(i for i in {m.group().decode() for m in _RAW_ID.finditer(leaf.data)} if is_valid(i))
        if valid:
            self.add(leaf.top, "block", {**base, "count": len(valid)},
                     f"{name} holds {len(valid)} valid national ID/resident number(s) in its bytes "
                     f"(e.g. {valid[0][:3]}…): personal data may not be brought in.",
                     f"{name} 的內容含 {len(valid)} 個有效身分證/居留證號（如 {valid[0][:3]}…）：不得帶入個人資料。",
                     check="identifiers")

    def _document(self, leaf: _Leaf, name: str, base: dict, cells_read: bool = False) -> None:
        """A PDF, Word or Arrow file read for its text and tables (``documents``); with
        ``cells_read``, what a workbook holds besides its sheets' cells."""
        from egress_review.ingress.documents import read_document

        doc = read_document(leaf.data, name, cells_read=cells_read)
        for place, text in doc.texts:
            self._text(leaf, text, {**base, **place})
            self._institution_values(leaf, text, {**base, **place})
        for place, rows in doc.tables:
            if not rows:
                continue
            cols = [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
            body = rows[1:]
            at = {c: i for i, c in reversed(list(enumerate(cols)))}
            self._people(leaf, cols, lambda c: [r[at[c]] if at[c] < len(r) else "" for r in body], body,
                         {**base, **place})
            self._text(leaf, "\n".join("\t".join(r) for r in rows), {**base, **place})
        for place, why in doc.to_review:
            self.add(leaf.top, "review", {**base, **place}, f"{name}: {why}; a reviewer must look at it.",
                     f"{name}：{why}，須由審查人檢視。", check="document")

    def _stat(self, leaf: _Leaf, name: str, suffix: str, base: dict) -> None:
        """A Stata, SAS or SPSS file: its rows through the table checks as a CSV would go, its
        labels and notes through the text checks; unread, to a person with the reason."""
        self._binary_ids(leaf, name, base)
        r = stat_files.read_stat(leaf.data, suffix)
        if r.frame is None:
            self.add(leaf.top, "review", {**base, "format": r.what}, f"{name}: {r.why_en}; a reviewer must "
                     "read it.", f"{name}：{r.why_zh}，須由審查人檢視。", check="stat_file")
            return
        for place, text in r.texts:
            self._text(leaf, text, {**base, **place})
            self._institution_values(leaf, text, {**base, **place})
        rows = _Leaf(leaf.path, leaf.top, leaf.kind, stat_files.as_csv(r.frame))
        self._one_table(rows, name, ".csv", {**base, "format": r.what}, None)

    def _safetensors_header(self, leaf: _Leaf, name: str, base: dict) -> None:
        import json
        import struct

        if len(leaf.data) < 8:
            return
        (n,) = struct.unpack("<Q", leaf.data[:8])
        try:
            header = json.loads(leaf.data[8:8 + n].decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            self.add(leaf.top, "review", base, f"{name}: the safetensors header is unreadable.",
                     f"{name}：safetensors 標頭無法讀取。", check="binary")
            return
        meta = header.get("__metadata__") or {}
        if meta:
            self._text(leaf, "\n".join(f"{k}: {v}" for k, v in meta.items()), {**base, "part": "metadata"})

    def _dicom(self, leaf: _Leaf, name: str, base: dict) -> None:
        """Taken only if the steward's de-identifier would change nothing that holds data
        (dicom_import.py); pixels with text, or unread, go to a person."""
        from egress_review.ingress.dicom_import import MAX_NAMED, check_dicom

        read_pixels = self.dicom_pixels_read < self.pol.import_ocr_max_images
        self.dicom_pixels_read += 1
        try:
            found = check_dicom(leaf.data, read_pixels=read_pixels)
        except ValueError as e:
            self.add(leaf.top, "block", base, f"{name}: {e}; a file that cannot be checked is not taken.",
                     f"{name}：無法以 DICOM 讀取（{e}），無法檢查的檔案不予受理。", check="dicom")
            return
        if found.not_deidentified:
            shown = ", ".join(found.not_deidentified[:MAX_NAMED]) + (
                f" (+{len(found.not_deidentified) - MAX_NAMED} more)" if len(found.not_deidentified) > MAX_NAMED else "")
            self.add(leaf.top, "block", {**base, "elements": found.not_deidentified},
                     f"{name}: not de-identified - {shown} hold data the PS3.15 basic profile removes or "
                     "rewrites: de-identify the images (the enclave's profile) before bringing them in.",
                     f"{name}：未去識別化，{shown} 含基本去識別規範（PS3.15）須移除或改寫的資料，請先去識別化後再帶入。",
                     check="dicom")
        for en, zh in found.pixel_reasons:
            self.add(leaf.top, "review", {**base, "part": "pixels"},
                     f"{name}: {en}; a reviewer must look at the image.",
                     f"{name}：{zh}，須由審查人檢視影像。", check="dicom")

    def _text(self, leaf: _Leaf, text: str, base: dict) -> None:
        from deidentify.text import find_identifiers_batch

        lines = text.split("\n")
        for ln, hits in enumerate(find_identifiers_batch(lines, extra_terms=self.pseudonyms), start=1):
            for h in hits:
                self._identifier(leaf, h, {**base, "line": ln, "offset": h.start, "length": h.end - h.start})

    def _identifier(self, leaf: _Leaf, h, loc: dict) -> None:
        kind = h.kind
        if kind == "NAME":
            self.names.setdefault(leaf.path, set()).add(h.text)
        shown = h.text if kind == "NAME" else h.text[:3] + "…"
        zh_kind = {"ID": "身分證/居留證號", "PHONE": "電話號碼", "ADDRESS": "地址", "EMAIL": "電子郵件",
                   "NAME": "姓名", "TERM": "本案假名"}.get(kind, kind)
        self.add(leaf.top, "review" if kind == "NAME" else "block", loc,
                 f"Identifier found ({kind.lower()}: {shown!r}): re-identifiable personal data may not be "
                 "brought into the enclave.",
                 f"發現識別資料（{zh_kind}：{shown!r}）：不得將可再識別的個人資料帶入本環境。",
                 check="identifiers")

    def _table(self, leaf: _Leaf, name: str, suffix: str, base: dict) -> None:
        """Every sheet of a workbook (visible or not) is a table of its own."""
        sheets = _sheet_names(leaf.data) if suffix in (".xlsx", ".xlsm") else []
        for sheet in sheets or [None]:
            self._one_table(leaf, name, suffix, {**base, "sheet": sheet} if sheet else base, sheet)

    def _one_table(self, leaf: _Leaf, name: str, suffix: str, base: dict, sheet: str | None) -> None:
        from deidentify.identifiers.taiwan_id import is_valid
        from deidentify.text import find_identifiers_batch
        from egress_review.engine.tables import TableError, read_table
        from egress_review.ingress.table_people import key_like
        from egress_review.manifest import ColumnRole, ManifestFile

        with tempfile.TemporaryDirectory(prefix="ingress-") as d:
            fname = "t" + (suffix or ".csv")
            (Path(d) / fname).write_bytes(leaf.data)
            spec = ManifestFile(path=fname, kind="table", description="import", sheet=sheet,
                                default_role=ColumnRole(role="group"))
            try:
                table = read_table(Path(d), spec)
            except TableError as e:
                self.add(leaf.top, "review", base, f"{name} cannot be read as a table ({e}); a reviewer "
                         "must read it.", f"{name} 無法以表格讀取（{e}），須由審查人檢視。", check="table")
                return
        _unique_columns(table)
        pol = self.pol
        cols = table.columns
        id_rx = [re.compile(p, re.IGNORECASE) for p in pol.id_column_patterns]
        dob_rx = [re.compile(p, re.IGNORECASE) for p in pol.import_dob_column_patterns]
        name_rx = [re.compile(p, re.IGNORECASE) for p in pol.import_name_column_patterns]
        med_rx = [re.compile(p, re.IGNORECASE) for p in pol.import_medical_column_patterns]
        inst_rx = [re.compile(p, re.IGNORECASE) for p in pol.institution_column_patterns]
        person_cols = []
        n = len(table.df)
        for col in cols:
            values = [v.strip() for v in table.text(col).tolist() if v.strip()]
            idlike = sum(1 for v in values if is_valid(v) or key_like(v))
            unique_share = len(set(values)) / len(values) if values else 0.0
            if any(r.search(col) for r in id_rx) or (values and idlike / len(values) >= 0.5):
                person_cols.append(col)
                self.add(leaf.top, "block", {**base, "column": col, "rows": n, "distinct_share": round(unique_share, 3)},
                         f"Column {col!r} is a person identifier or pseudonym ({n} rows): personal microdata "
                         "may not be brought in.",
                         f"欄位 {col!r} 為個人識別碼或假名（{n} 列）：不得帶入個人層級資料。", check="microdata")
            elif any(r.search(col) for r in name_rx):
                self.add(leaf.top, "block", {**base, "column": col},
                         f"Column {col!r} holds persons' names: personal data may not be brought in.",
                         f"欄位 {col!r} 為個人姓名：不得帶入個人資料。", check="microdata")
            elif any(r.search(col) for r in dob_rx):
                self.add(leaf.top, "block", {**base, "column": col},
                         f"Column {col!r} is a date of birth: personal data may not be brought in.",
                         f"欄位 {col!r} 為出生日期：不得帶入個人資料。", check="microdata")
            elif any(r.search(col) for r in inst_rx):
                self.add(leaf.top, "block", {**base, "column": col},
                         f"Column {col!r} identifies institutions, physicians or pharmacies: institution "
                         "information may not be brought in.",
                         f"欄位 {col!r} 可識別醫事機構、醫師或藥局：不得帶入機構資訊。", check="institutions")
        if person_cols:
            med = [c for c in cols if any(r.search(c) for r in med_rx)]
            if med:
                self.add(leaf.top, "block", {**base, "columns": med, "person_key": person_cols[0]},
                         f"Medical-record content ({', '.join(med[:5])}) keyed by a person ({person_cols[0]!r}): "
                         "medical records may not be brought in.",
                         f"以個人（{person_cols[0]!r}）為鍵的病歷內容（{', '.join(med[:5])}）：不得帶入病歷資料。",
                         check="microdata")
        rows = table.df.astype(str).values.tolist()
        self._people(leaf, cols, lambda c: table.text(c).tolist(), rows, base)
        # Identifiers in cells (and the header), located by row and column; institution names
        # or codes anywhere in the cells.
        self._scan_cells(leaf, table, cols, base, find_identifiers_batch)
        self._institution_values(leaf, "\n".join(["\t".join(cols)] + ["\t".join(r) for r in rows]), base)

    def _people(self, leaf: _Leaf, cols, values_of, rows, base: dict) -> None:
        """Persons no column name announces (``table_people``)."""
        from deidentify.identifiers.taiwan_id import is_valid
        from egress_review.ingress import table_people as tp

        pol = self.pol
        for sev, loc, en, zh in (tp.identifier_columns(cols, pol.import_identifier_column_patterns)
                                 + tp.unique_long_numbers(cols, values_of, pol.import_person_rows_min)
                                 + tp.split_ids(rows, is_valid)
                                 + tp.split_ids_down(rows, is_valid)
                                 + tp.person_records(cols, values_of, pol.import_person_rows_min,
                                                     pol.import_medical_column_patterns)):
            self.add(leaf.top, sev, {**base, **loc}, en, zh, check="microdata")

    def _text_people(self, leaf: _Leaf, text: str, base: dict) -> None:
        """A reference text: hashed person lists and IDs cut over fields."""
        from deidentify.identifiers.taiwan_id import is_valid
        from egress_review.ingress import table_people as tp

        found = tp.key_list(_TOKEN_SPLIT.split(text.replace(" ", "\n")), self.pol.import_key_list_min)
        found += tp.split_ids([re.split(r"[,\t;|]", ln) for ln in text.split("\n")], is_valid)
        for sev, loc, en, zh in found:
            self.add(leaf.top, sev, {**base, **loc}, en, zh, check="microdata")

    def _ids_over_lines(self, leaf: _Leaf, text: str, base: dict) -> None:
        from deidentify.identifiers.taiwan_id import is_valid
        from egress_review.ingress.table_people import ids_over_lines

        for sev, loc, en, zh in ids_over_lines(text, is_valid):
            self.add(leaf.top, sev, {**base, **loc}, en, zh, check="identifiers")

    def _scan_cells(self, leaf, table, cols, base, batch) -> None:
        header_hits = batch(cols, extra_terms=self.pseudonyms)
        for col, hits in zip(cols, header_hits):
            for h in hits:
                self._identifier(leaf, h, {**base, "row": 0, "column": col})
        for col in cols:
            texts = table.text(col).tolist()
            # short plain numbers cannot be identifiers
            texts = [None if re.fullmatch(r"[\s\d.,%+-]*", t) and len(re.sub(r"\D", "", t)) < 8 else t
                     for t in texts]
            reported = 0
            for i, hits in enumerate(batch(texts, extra_terms=self.pseudonyms)):
                for h in hits:
                    if reported < 20:
                        self._identifier(leaf, h, {**base, **table.location(i, col)})
                    reported += 1

    def _institution_values(self, leaf: _Leaf, text: str, base: dict) -> None:
        val_rx = [re.compile(p) for p in self.pol.institution_value_patterns]
        levels = {s.casefold() for s in self.pol.institution_level_labels}
        first_line: dict[str, int] = {}
        for ln, line in enumerate(text.split("\n"), start=1):
            for tok in _TOKEN_SPLIT.split(line):
                t = tok.strip()
                if t and len(t) <= 60 and t not in first_line:
                    first_line[t] = ln
        # each distinct token is tested once
        found = {t: ln for t, ln in first_line.items()
                 if t.casefold() not in levels and any(r.search(t) for r in val_rx)}
        if len(found) >= self.pol.import_institution_min_values:
            first = sorted(found.items(), key=lambda kv: kv[1])[:5]
            self.add(leaf.top, "block", {**base, "line": first[0][1], "count": len(found)},
                     f"{len(found)} institution names or codes (e.g. {', '.join(k for k, _ in first[:3])}): "
                     "institution information may not be brought in.",
                     f"含 {len(found)} 個醫事機構名稱或代碼（如 {', '.join(k for k, _ in first[:3])}）：不得帶入機構資訊。",
                     check="institutions")
        elif found:
            t, ln = next(iter(found.items()))
            self.add(leaf.top, "review", {**base, "line": ln},
                     f"An institution name or code ({t!r}) appears: the reviewer checks it is not "
                     "institution information.",
                     f"出現醫事機構名稱或代碼（{t!r}）：須由審查人確認非機構資訊。", check="institutions")

    def _smuggling(self, leaf: _Leaf, name: str, suffix: str, text: str, base: dict, code: bool) -> None:
        """The egress engine's E7 blob and encoding scans on every text, its literal scan on
        code and notebook sources."""
        from egress_review.engine import smuggling
        from egress_review.engine.content import Segment
        from egress_review.engine.context import Context
        from egress_review.engine.history import ReleaseHistory
        from egress_review.manifest import Manifest, ManifestFile

        spec = ManifestFile(path=PurePosixPath(name).name or "code", kind="code", description="import")
        manifest = Manifest(version=1, case_code="import", purpose="import review", files=[spec])
        ctx = Context(manifest=manifest, root=Path("."), policy=self.pol, history=ReleaseHistory(),
                      pseudonyms=self.pseudonyms)
        segs: list[Segment]
        if not code:
            segs = [Segment(text, {"part": "text"}, code=False)]
        elif suffix == ".ipynb":
            import json

            try:
                segs = notebook_segments(json.loads(text))[0]
            except ValueError:
                segs = [Segment(text, {"part": "raw"}, code=True)]
        else:
            segs = [Segment(text, {"part": "text"}, code=True)]
        for seg in segs:
            if seg.code:
                smuggling._literals(ctx, spec, seg.text, seg.location)
            smuggling._blobs(ctx, spec, seg.text, seg.location)
        for f in ctx.findings:
            self.add(leaf.top, f.severity, {**base, **f.location}, f.message_en, f.message_zh,
                     check="smuggling")


def _sheet_names(data: bytes) -> list[str]:
    import openpyxl

    try:   # the sheets holding any value (an empty one is no table to check)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return [ws.title for ws in wb.worksheets
                if any(v is not None for row in ws.iter_rows(values_only=True) for v in row)]
    except Exception:   # the table reader reports the unreadable workbook
        return []


def _looks_tabular(text: str) -> bool:
    lines = [ln for ln in text.split("\n")[:20] if ln.strip()]
    return len(lines) >= 3 and all(ln.count(",") == lines[0].count(",") > 0 for ln in lines)


def _unique_columns(table) -> None:
    """Headers repeated or left blank (cells far from the header row, a second "ID") get names
    of their own: a repeated name read two columns at once and the check crashed to review."""
    names = [str(c) for c in table.df.columns]
    if len(set(names)) == len(names):
        return
    seen: set[str] = set()
    unique = []
    for i, c in enumerate(names):
        label = c.strip() or f"column {i + 1}"
        if label in seen:
            label = f"{label} (column {i + 1})"
        seen.add(label)
        unique.append(label)
    table.df.columns = unique


def check_import(items: list[ImportItem], *, imaging: bool, policy: EgressPolicy | None = None,
                 case_code: str = "", pseudonyms=()) -> CheckResult:
    """Check every file of an import; returns the egress engine's :class:`CheckResult` shape
    (verdict pass/review/block, per-file results, findings with rule D4)."""
    if policy is None:
        from policies import current_policy

        policy = current_policy().egress
    seen: set[str] = set()
    for it in items:
        if it.kind not in KINDS:
            raise ImportInputError(f"file {it.path!r}: kind {it.kind!r} is not one of {', '.join(KINDS)}")
        if it.path in seen:
            raise ImportInputError(f"file {it.path!r} is listed twice")
        seen.add(it.path)
    c = _Checker(policy, imaging, frozenset(p for p in pseudonyms if p))
    for it in items:
        if len(it.data) > policy.import_max_file_bytes:
            c.add(it.path, "block", {"size": len(it.data)},
                  f"The file is larger than {policy.import_max_file_bytes} bytes.",
                  f"檔案超過 {policy.import_max_file_bytes} 位元組。", check="size")
            continue
        try:
            leaves = c.expand(_Leaf(it.path, it.path, it.kind, it.data), 0)
        except Exception as e:  # noqa: BLE001 - an unpacking no one foresaw: the file is not taken unread
            c.add(it.path, "block", {}, f"The file could not be unpacked ({type(e).__name__}: {e}); it is "
                  "not taken unchecked.", f"無法展開此檔案（{type(e).__name__}：{e}），未經檢查不予受理。",
                  check="archive")
            continue
        for leaf in leaves:
            try:
                c.check_leaf(leaf)
                c.name_list(leaf)
            except Exception as e:  # noqa: BLE001 - a check that fails leaves the file to a reviewer
                c.add(it.path, "review", {"member": leaf.path},
                      f"A check could not run on {leaf.path} ({type(e).__name__}: {e}); a reviewer must "
                      "check it by hand.",
                      f"無法對 {leaf.path} 執行檢查（{type(e).__name__}：{e}），須由審查人人工檢查。",
                      check="engine")
    try:
        c.read_pictures()
    except Exception as e:  # noqa: BLE001 - pictures that could not be read go to a reviewer
        for leaf in c.pictures:
            c.add(leaf.top, "review", {"member": leaf.path},
                  f"The text in {leaf.path} could not be read ({type(e).__name__}: {e}); a reviewer must look.",
                  f"無法讀取 {leaf.path} 圖中的文字（{type(e).__name__}：{e}），須由審查人檢視。", check="engine")
    files = [FileResult(path=it.path, kind=it.kind,
                        verdict=worst(f.severity for f in c.findings if f.file == it.path),
                        findings=[f for f in c.findings if f.file == it.path]) for it in items]
    return CheckResult(verdict=worst(f.severity for f in c.findings), files=files,
                       findings=list(c.findings), case_code=case_code)


def guess_kind(path: str, policy: EgressPolicy, imaging: bool) -> str:
    """A default kind from the file name (the CLI's offline pre-check)."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in policy.import_model_suffixes:
        return "model"
    if suffix in CODE_SUFFIXES:
        return "code"
    if imaging and (suffix in IMAGE_SUFFIXES or suffix in (".dcm", ".zip", ".tar", ".gz", ".tgz")):
        return "training_set"
    return "reference"
