"""The contents API as the browser channel sees it: typed work in, typed work out (S1, D4).

* A body goes to the browser only if the browser sent it (:mod:`hub_config.singleuser.ledger`):
  a code file whose bytes it saved, a notebook whose cell sources it saved - with outputs
  capped by :mod:`hub_config.singleuser.outputs`.  Anything else (a CSV, Parquet, xlsx, zip, a
  ``.py`` the kernel wrote, the raw bytes of a notebook) is refused with 403, whatever the
  ``type``/``format``/``content`` query asks for; a kernel-written notebook cell shows a note
  instead of its source.
* A browser may save only notebooks and code (``saved_suffixes``), as text, to a file that
  already exists (made empty by "New …" first), within ``saved_max_bytes``: uploads (a new
  path with content, base64, chunked) are refused - import review is the only way in (D4).
* Copies only of notebooks and code.  Hidden paths (the ledger under ``.enclave``) never.
* Files delivered by import review (D4) open like typed work - the researcher brought them
  in: a regular file under ``imports/``, which the sandbox mounts read-only from the case's
  root-owned delivery folder (a kernel can neither write there nor mount anything).
* Directory listings are kernel-made content too (names, sizes, times): each entry new to the
  browser is charged to the session's output budget, and once that is spent new entries are
  left out of listings.
"""
from __future__ import annotations

import base64
import contextvars
import datetime
import hashlib
import json
import os
import posixpath
import re

import nbformat
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web

from hub_config.singleuser import outputs, uploads
from hub_config.singleuser.config import GuardConfig
from hub_config.singleuser.ledger import Ledger
from hub_config.singleuser.outputs import SessionBudget, cap_notebook_outputs, note
from hub_config.singleuser.uploads import UploadBudget, new_notebook_bytes, new_text_bytes

_internal = contextvars.ContextVar("enclave_contents_internal", default=False)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)  # a withheld time
IMPORTS_DIR = "imports"  # hub_config.spawner mounts the case's delivered imports here, read-only
CELL_METADATA_KEYS = ("collapsed", "scrolled", "tags", "jupyter", "editable", "deletable",
                      "name", "execution")
NOTEBOOK_METADATA_KEYS = ("kernelspec", "language_info")


def _refuse(status: int, why: str, rule: str = "S1") -> web.HTTPError:
    return web.HTTPError(status, f"{why} ({rule})")


def _read_only_mount(path: str) -> bool:
    """``path`` is a mount point of its own, mounted read-only (the sandbox's bind of the
    delivered imports) - not a folder a kernel made.  A bind mount shares the device of its
    parent, so ``os.path.ismount`` cannot tell; the process's own mount table can."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            table = f.read().splitlines()
    except OSError:
        return False
    found = None
    for line in table:  # the last mount on a point is the one seen
        fields = line.split(" ")
        if len(fields) > 5 and _unescape(fields[4]) == path:
            found = "ro" in fields[5].split(",")
    return bool(found)


def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def cell_key(cell) -> bytes:
    return f"{cell.get('cell_type', '')}\0{_text(cell.get('source', ''))}".encode()


def _text(v) -> str:
    return "".join(v) if isinstance(v, list) else str(v or "")


def _skeleton_part(cell, withheld: bool) -> str:
    """One cell as its place in the notebook shows it: its type, which source (or a note),
    whether it has attachments."""
    src = "withheld" if withheld else hashlib.sha256(cell_key(cell)).hexdigest()[:32]
    return f"{cell.get('cell_type', '')}:{src}:{int(bool(cell.get('attachments')))}"


def skeleton(parts: list[str]) -> bytes:
    return json.dumps(parts).encode()


def skeleton_cost(parts: list[str], caps) -> int:
    """A layout the browser did not save: each cell's place is a choice among the sources
    shown before (and three kinds of withheld note), no more than a repeat's worth."""
    return outputs.repeat_cost(caps) * max(len(parts), 1)


def _meta_key(meta, keys) -> bytes:
    small = _small(meta, keys)
    return json.dumps(small, sort_keys=True, default=str).encode() if small else b""


def _small(meta, keys) -> dict:
    if not isinstance(meta, dict):
        return {}
    out = {k: meta[k] for k in keys if k in meta}
    return out if len(json.dumps(out, default=str)) <= 2048 else {}


class GuardedContentsManager(AsyncLargeFileManager):
    """Set up by the extension with :meth:`configure_guard`; refuses everything until then."""

    guard: GuardConfig | None = None
    ledger: Ledger | None = None
    session_budget: SessionBudget | None = None

    def configure_guard(self, guard: GuardConfig, ledger: Ledger,
                        session_budget: SessionBudget | None = None) -> None:
        self.guard, self.ledger = guard, ledger
        self.session_budget = session_budget or SessionBudget(guard.caps)
        self.upload_budget = UploadBudget(guard.saved_session_bytes, guard.action_bytes)

    # ------------------------------------------------------------------ helpers
    def _need_guard(self) -> GuardConfig:
        if self.guard is None or self.ledger is None:
            raise _refuse(503, "the browser guard is not configured on this server")
        return self.guard

    @staticmethod
    def _hidden(path: str) -> bool:
        return any(part.startswith(".") for part in path.strip("/").split("/") if part)

    async def is_hidden(self, path):
        """The handlers ask this before anything else; a path through a file
        (``r5/data.csv/raw``) raised NotADirectoryError there - a 500.  Not readable: hidden,
        which the handlers answer 404."""
        try:
            return await super().is_hidden(path)
        except OSError:
            return True

    def _suffix_ok(self, path: str) -> bool:
        return posixpath.splitext(path)[1].lower() in self._need_guard().saved_suffixes

    # ------------------------------------------------------------------ reading
    async def get(self, path, content=True, type=None, format=None, require_hash=False):
        if _internal.get():
            return await super().get(path, content=content, type=type, format=format,
                                     require_hash=require_hash)
        guard = self._need_guard()
        if self._hidden(path):
            raise _refuse(404, f"no such file: {path}")
        # whether a path exists is a bit a kernel sets: each path asked for is charged once,
        # found or not, and once the budget is spent only paths asked for before are answered
        asked = ("path\0" + path.strip("/")).encode()
        if not self.session_budget.charge(asked, 1, len(asked)):
            raise _refuse(403, "the session's output budget is spent: only files and folders "
                               "opened before are shown")
        # internal: a directory's model gets each entry's model through self.get, which must
        # not be charged here too (the listing is charged entry by entry below)
        try:
            model = await self._read(path, content=content, type=type, format=format)
        except web.HTTPError as e:
            # the server's own messages quote the file ("Notebook does not appear to be JSON:
            # 'pid,dx…'"): the status goes to the browser, the text only to the log
            self.log.warning("enclave guard: GET %s (type=%s, format=%s) failed: %s", path, type,
                             format, e.status_code)
            raise _refuse(e.status_code, f"{path} cannot be opened as requested "
                                         f"(type={type}, format={format})") from None
        model.pop("hash", None)
        model.pop("hash_algorithm", None)
        self._charge_file_fields(model, path)
        if content and model["type"] == "directory":
            model = self._listing_for_browser(model, path)
        elif content:
            model = self._browser_view(model, guard, path)
        if require_hash:
            # the file's own hash would be an oracle on bodies the browser may not read: the
            # hash is of what the browser is (or would be) sent
            model["hash"], model["hash_algorithm"] = await self._view_hash(model, path, guard)
        return model

    def _listing_for_browser(self, model: dict, path: str) -> dict:
        entries = []
        for e in model.get("content") or []:
            if self._hidden(e.get("path", "")):
                continue
            shown = {k: e.get(k) for k in ("name", "type", "size", "last_modified", "created")}
            key = ("dir\0" + path + "\0" + json.dumps(shown, sort_keys=True, default=str)).encode()
            if self.session_budget.charge(key, 1, len(key)):
                entries.append(e)
        if len(entries) < len(model.get("content") or []):
            self.log.warning("enclave guard: listing of %s: %d entries withheld", path,
                             len(model["content"]) - len(entries))
        model["content"] = entries
        return model

    def _charge_file_fields(self, model: dict, path: str) -> None:
        """A model carries what a kernel sets besides the body (size, times - os.utime writes
        any time): charged like a listing entry, withheld once the budget is spent - else
        polling one file the kernel keeps re-stamping would be a channel."""
        shown = {k: model.get(k) for k in ("size", "last_modified", "created")}
        key = ("file\0" + path + "\0" + json.dumps(shown, sort_keys=True, default=str)).encode()
        if not self.session_budget.charge(key, 1, len(key)):
            model["size"] = None
            model["last_modified"] = model["created"] = EPOCH

    def list_checkpoints(self, path):
        out = super().list_checkpoints(path)
        if hasattr(out, "__await__"):
            return self._charge_checkpoints(out, path)
        return self._charged_checkpoints(out, path)

    async def _charge_checkpoints(self, pending, path):
        return self._charged_checkpoints(await pending, path)

    def _charged_checkpoints(self, cps, path):
        """Checkpoint times are a kernel's to set too (the files are in the workspace)."""
        self._need_guard()
        for cp in cps:
            key = f"checkpoint\0{path}\0{cp.get('id')}\0{cp.get('last_modified')}".encode()
            if not self.session_budget.charge(key, 1, len(key)):
                cp["last_modified"] = EPOCH
        return cps

    def _shown(self, kind: str, value) -> bool:
        """Metadata the browser saved itself, else within the session's budget."""
        if not value:
            return True
        raw = json.dumps(value, sort_keys=True, default=str).encode()
        return self.ledger.knows(kind, raw) or self.session_budget.charge(
            kind.encode() + b"\0" + raw, 1, len(raw))

    def _skeleton_shown(self, path: str, parts: list[str]) -> bool:
        """Which cells stand where is itself content: a kernel can write a notebook of cells
        the browser saved (each shown free) and of withheld notes in an order it chooses, a
        bit or more a cell.  Free as the browser saved it, else each cell costs a repeat."""
        sk = skeleton(parts)
        return self.ledger.knows("skeleton", sk) or self.session_budget.charge(
            b"skeleton\0" + path.encode("utf-8", "replace") + b"\0" + sk, 0,
            skeleton_cost(parts, self.session_budget.caps))

    def _imported(self, path: str) -> bool:
        """A regular file inside the read-only ``imports`` mount, reached without a link."""
        mount = os.path.join(os.path.realpath(self.root_dir), IMPORTS_DIR)
        try:
            os_path = self._get_os_path(path)
            if not (_read_only_mount(mount) and os.statvfs(mount).f_flag & os.ST_RDONLY):
                return False
            real = os.path.realpath(os_path)
        except (OSError, web.HTTPError):
            return False
        return (real.startswith(mount + os.sep) and os.path.abspath(os_path) == real
                and os.path.isfile(real))

    def _browser_view(self, model: dict, guard: GuardConfig, path: str) -> dict:
        if model["type"] == "notebook":
            return self._notebook_for_browser(model, guard, path)
        body = model.get("content") or ""
        raw = base64.b64decode(body) if model.get("format") == "base64" else body.encode("utf-8")
        if not self.ledger.knows("file", raw) and not self._imported(path):
            self.log.warning("enclave guard: refused the body of %s (%d bytes) to the browser",
                             path, len(raw))
            raise _refuse(403, f"the contents of {path} are not sent to the browser: only "
                               "notebooks and code typed in the browser are; use the kernel "
                               "(output is capped) or submit results to egress review")
        return model

    async def _view_hash(self, model: dict, path: str, guard: GuardConfig) -> tuple[str, str]:
        if model["type"] == "directory":
            return "directory", "none"
        if model.get("content") is None:
            try:
                full = await self._read(path, content=True, type=model["type"])
            except web.HTTPError:
                return "withheld", "none"
            try:
                model_view = self._browser_view(full, guard, path)
            except web.HTTPError:
                return "withheld", "none"
        else:
            model_view = model
        text = json.dumps(model_view.get("content"), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest(), "sha256-of-browser-view"

    def _notebook_for_browser(self, model: dict, guard: GuardConfig, path: str) -> dict:
        nb = model["content"]
        withheld = 0
        imported = self._imported(path)
        cells = nb.get("cells", [])
        unknown = [not imported and not self.ledger.knows("cell", cell_key(c)) for c in cells]
        for cell in cells:
            att = cell.get("attachments")
            if att and not imported and not self.ledger.knows("attachments",
                                             json.dumps(att, sort_keys=True).encode()):
                cell.pop("attachments", None)
        # the layout is paid for first: the fields below are shown while the budget lasts
        if not imported and not self._skeleton_shown(
                path, [_skeleton_part(c, u) for c, u in zip(cells, unknown)]):
            raise _refuse(403, f"{path}: the session's output budget is spent: a notebook "
                               "laid out other than as the browser saved it is not shown")
        for i, cell in enumerate(cells):
            if "id" in cell:
                # positional: an id is up to 64 characters a kernel may choose (nbformat 4.5)
                cell["id"] = f"cell-{i}"
            if unknown[i]:
                withheld += 1
                msg = note("the source of a cell not typed in the browser")
                cell["source"] = f"# {msg}" if cell.get("cell_type") == "code" else msg
            # tags, names, execution times: a kernel writes them as freely as outputs
            meta = _small(cell.get("metadata"), CELL_METADATA_KEYS)
            cell["metadata"] = meta if imported or self._shown("cell-meta", meta) else {}
            if cell.get("cell_type") == "code":
                count = cell.get("execution_count")
                if count is not None and not imported and not self.session_budget.charge(
                        f"count\0{path}\0{i}\0{count}".encode(), 0, 8):
                    cell["execution_count"] = None
                cell["outputs"] = cap_notebook_outputs(cell.get("outputs") or [], guard.caps,
                                                       self.session_budget)
        meta = _small(nb.get("metadata"), NOTEBOOK_METADATA_KEYS)
        nb["metadata"] = meta if imported or self._shown("nb-meta", meta) else {}
        if withheld:
            model["writable"] = False  # saving would overwrite the withheld sources
        return model

    # ------------------------------------------------------------------ writing
    async def save(self, model, path=""):
        if _internal.get():
            return await super().save(model, path)
        guard = self._need_guard()
        path = path.strip("/")
        if self._hidden(path):
            raise _refuse(400, f"cannot write hidden path {path}")
        if model.get("chunk") is not None:
            raise _refuse(403, "uploads are refused: files enter the workspace only through "
                               "import review", "D4")
        kind = model.get("type")
        if kind == "directory":
            await self._charge_new_name(path)
            return await super().save(model, path)
        if kind not in ("file", "notebook"):
            raise _refuse(400, f"unknown content type {kind!r}")
        content = model.get("content")
        empty = content in (None, "") or (kind == "notebook" and isinstance(content, dict)
                                          and not content.get("cells"))
        if empty:
            await self._charge_new_name(path)
            return await super().save(model, path)
        if not self._suffix_ok(path):
            raise _refuse(403, f"{path}: only notebooks and code ({', '.join(guard.saved_suffixes)}) "
                               "may be saved from the browser; other files enter through import "
                               "review", "D4")
        if not await self._exists(path):
            raise _refuse(403, f"{path}: a new file with content is an upload; uploads are "
                               "refused (create the file empty, then type into it)", "D4")
        if kind == "file":
            if model.get("format") != "text" or not isinstance(content, str):
                raise _refuse(403, f"{path}: only text is saved from the browser (binary "
                                   "uploads are refused)", "D4")
            raw = content.encode("utf-8")
            if len(raw) > guard.saved_max_bytes:
                raise _refuse(413, f"{path}: {len(raw)} bytes exceeds the {guard.saved_max_bytes}"
                                   "-byte limit for typed work", "D4")
            old = await self._previous(path, "file")
            self._admit_upload(path, new_text_bytes(old if isinstance(old, str) else "", content))
            result = await super().save(model, path)
            self.ledger.record("file", raw)
            return result
        size = len(json.dumps(content, default=str).encode())
        if size > guard.saved_max_bytes:
            raise _refuse(413, f"{path}: {size} bytes exceeds the {guard.saved_max_bytes}"
                               "-byte limit for typed work", "D4")
        try:
            nb = nbformat.from_dict(content)
            nbformat.validate(nb)
        except Exception as e:  # noqa: BLE001 - any invalid notebook is refused with the reason
            raise _refuse(400, f"{path}: not a valid notebook ({str(e)[:200]})", "D4") from None
        old = await self._previous(path, "notebook")
        self._admit_upload(path, new_notebook_bytes(old if isinstance(old, dict) else None,
                                                    content, self.session_budget.has_shown_output))
        result = await super().save(model, path)
        self.ledger.record("nb-meta", _meta_key(nb.get("metadata"), NOTEBOOK_METADATA_KEYS))
        self.ledger.record("skeleton", skeleton([_skeleton_part(c, False) for c in nb.cells]))
        for cell in nb.cells:
            self.ledger.record("cell", cell_key(cell))
            self.ledger.record("cell-meta", _meta_key(cell.get("metadata"), CELL_METADATA_KEYS))
            if cell.get("attachments"):
                self.ledger.record("attachments",
                                   json.dumps(cell["attachments"], sort_keys=True).encode())
        return result

    async def _previous(self, path: str, kind: str):
        """The file's content before this save (text, or the notebook as a dict), or None."""
        try:
            m = await self._read(path, content=True, type=kind,
                                 format="text" if kind == "file" else None)
            return m.get("content")
        except (web.HTTPError, OSError, ValueError):
            return None

    async def _read(self, path: str, **kw) -> dict:
        """The stored model, unguarded and uncharged (for the guard's own use)."""
        token = _internal.set(True)
        try:
            return await super().get(path, **kw)
        except OSError:
            # a path through a file (r5/data.csv/raw) raised NotADirectoryError: a 500 that
            # named nothing; it is simply not there (the OS's text quotes no content either)
            raise web.HTTPError(404, f"no such file or folder: {path}") from None
        finally:
            _internal.reset(token)

    def _admit_upload(self, path: str, new_bytes: int) -> None:
        if not self.upload_budget.admit(new_bytes):
            b = self.upload_budget
            raise _refuse(403, f"{path}: this save brings {new_bytes} new bytes; the session's "
                               f"browser may save {b.limit} new bytes in all and has saved "
                               f"{b.used} - more is an upload (files enter by import review)",
                          "D4")

    async def _charge_new_name(self, path: str) -> None:
        """A folder or empty file made at a path the browser names: the name is bytes the
        kernel lists, as a rename's are (its body is charged), so it costs its length from the
        upload budget (D4) - else names of 255 bytes, one request each, came in for free."""
        r = self.exists(path)
        if not (await r if hasattr(r, "__await__") else r):
            self._admit_upload(path, uploads.name_cost(path))

    async def _exists(self, path: str) -> bool:
        r = self.file_exists(path)
        return await r if hasattr(r, "__await__") else r

    async def copy(self, from_path, to_path=None):
        self._need_guard()
        if self._hidden(from_path) or (to_path and self._hidden(to_path)):
            raise _refuse(400, "cannot copy hidden paths")
        if not self._suffix_ok(from_path):
            raise _refuse(403, f"{from_path}: only notebooks and code may be copied in the "
                               "browser")
        token = _internal.set(True)
        try:
            return await super().copy(from_path, to_path)
        finally:
            _internal.reset(token)
