"""Unpacking an import's archives and the files carried inside its texts (D4), under the
policy's caps on depth, member count, total unpacked bytes and compression ratio, applied
while reading (headers can lie): a zip bomb is refused, never unpacked in full.  A mixin of the
import checker (``checks._Checker``), which supplies ``pol``, ``unpacked`` and ``add``."""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from egress_review.engine.smuggling import _sniff
from egress_review.ingress.stat_files import R_SUFFIXES


@dataclass
class _Leaf:
    path: str            # "outer.zip!inner/file.csv" for archive members
    top: str             # the submitted file it came from
    kind: str
    data: bytes


class ArchiveReading:
    def expand(self, leaf: _Leaf, depth: int) -> list[_Leaf]:
        kind = _sniff(leaf.data)
        suffix = PurePosixPath(leaf.path.split("!")[-1]).suffix.lower()
        if suffix in R_SUFFIXES:
            return [leaf]   # R's data files are gzip'd: read (and sent to a person) as what they are
        # Model containers that happen to be zips (PyTorch, Keras) are models, not archives.
        if kind == "zip" and suffix in set(self.pol.import_model_suffixes) | {".xlsx", ".xlsm", ".docx"}:
            if suffix in (".xlsx", ".xlsm", ".docx") and not self._office_sizes_ok(leaf):
                return []
            return [leaf]
        if kind not in ("zip", "tar", "gzip", "bzip2", "xz", "7z", "rar"):
            return [leaf] + self._carried(leaf, depth)
        loc = {"member": leaf.path}
        if kind in ("7z", "rar"):
            self.add(leaf.top, "block", loc, f"{kind} archives cannot be checked here; submit zip or tar.",
                     f"無法檢查 {kind} 壓縮檔，請改以 zip 或 tar 提交。", check="archive")
            return []
        if depth >= self.pol.import_max_archive_depth:
            self.add(leaf.top, "block", loc,
                     f"Archives nested more than {self.pol.import_max_archive_depth} deep are refused.",
                     f"壓縮檔巢狀層數超過 {self.pol.import_max_archive_depth} 層，不予受理。", check="archive")
            return []
        try:
            members = list(self._members(leaf, kind))
        except _Bomb as e:
            self.add(leaf.top, "block", {**loc, **e.where}, f"Archive refused: {e.en}",
                     f"壓縮檔不予受理：{e.zh}", check="archive")
            return []
        except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, lzma.LZMAError,
                NotImplementedError, RuntimeError, ValueError) as e:   # unsupported method, damaged data
            self.add(leaf.top, "block", loc, f"The archive cannot be read ({type(e).__name__}: {e}).",
                     f"無法讀取此壓縮檔（{type(e).__name__}：{e}）。", check="archive")
            return []
        out: list[_Leaf] = []
        for name, data in members:
            out += self.expand(_Leaf(f"{leaf.path}!{name}", leaf.top, leaf.kind, data), depth + 1)
        return out

    def _carried(self, leaf: _Leaf, depth: int) -> list[_Leaf]:
        """Files inside a text file (notebook attachments and outputs, data: URIs) are checked
        as members, under the archive caps."""
        from egress_review.ingress.embedded import carried_files

        out: list[_Leaf] = []
        for c in carried_files(leaf.path.split("!")[-1], leaf.data):
            where = {"member": f"{leaf.path}!{c.name}"}
            if c.data is None:
                self.add(leaf.top, "review", where, f"An embedded file does not decode ({c.why}): a "
                         "reviewer must read it.", f"內嵌檔案無法解碼（{c.why}），須由審查人檢視。", check="archive")
            elif depth >= self.pol.import_max_archive_depth or \
                    self.unpacked + len(c.data) > self.pol.import_max_unpacked_bytes:
                self.add(leaf.top, "block", where, "Embedded files nested too deep or over the unpacked "
                         "cap are refused.", "內嵌檔案巢狀過深或超過解壓上限，不予受理。", check="archive")
            else:
                self.unpacked += len(c.data)
                out += self.expand(_Leaf(where["member"], leaf.top, leaf.kind, c.data), depth + 1)
        return out

    def _office_sizes_ok(self, leaf: _Leaf) -> bool:
        """An office file is read by openpyxl, not unpacked here: apply the caps to its declared
        member sizes (zipfile never reads past a member's declared size, so they bind)."""
        try:
            with zipfile.ZipFile(io.BytesIO(leaf.data)) as z:
                infos = z.infolist()
        except zipfile.BadZipFile:
            return True  # the table reader reports the broken file
        total = sum(i.file_size for i in infos)
        worst_ratio = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
        if len(infos) > self.pol.import_max_archive_members or \
                self.unpacked + total > self.pol.import_max_unpacked_bytes or \
                worst_ratio > self.pol.import_max_compression_ratio:
            self.add(leaf.top, "block", {"member": leaf.path, "unpacked": total, "ratio": round(worst_ratio, 1)},
                     f"The workbook unpacks to {total} bytes (ratio up to {worst_ratio:.0f}): over the caps, "
                     "a zip bomb.",
                     f"此活頁簿解壓後為 {total} 位元組（壓縮比最高 {worst_ratio:.0f}），超過上限，疑似壓縮炸彈。",
                     check="archive")
            return False
        self.unpacked += total
        return True

    def _take(self, stream, packed: int, name: str) -> bytes:
        """Read one member with the caps applied while reading (headers may lie)."""
        room = self.pol.import_max_unpacked_bytes - self.unpacked
        ratio_cap = int(max(packed, 1) * self.pol.import_max_compression_ratio)
        limit = min(room, ratio_cap, self.pol.import_max_file_bytes)
        buf = io.BytesIO()
        while chunk := stream.read(min(1 << 20, limit + 1 - buf.tell())):
            buf.write(chunk)
            if buf.tell() > limit:
                break
        if buf.tell() > limit:
            if buf.tell() > ratio_cap:
                raise _Bomb({"entry": name},
                            f"member {name!r} unpacks to more than {self.pol.import_max_compression_ratio:g} "
                            f"times its packed size ({packed} bytes): a zip bomb.",
                            f"成員 {name!r} 解壓後超過壓縮大小（{packed} 位元組）的 "
                            f"{self.pol.import_max_compression_ratio:g} 倍：疑似壓縮炸彈。")
            raise _Bomb({"entry": name},
                        f"unpacking {name!r} exceeds the cap of {self.pol.import_max_unpacked_bytes} bytes.",
                        f"解壓 {name!r} 超過 {self.pol.import_max_unpacked_bytes} 位元組上限。")
        self.unpacked += buf.tell()
        return buf.getvalue()

    def _members(self, leaf: _Leaf, kind: str):
        cap = self.pol.import_max_archive_members
        too_many = _Bomb({}, f"more than {cap} members.", f"成員超過 {cap} 個。")
        if kind == "zip":
            with zipfile.ZipFile(io.BytesIO(leaf.data)) as z:
                infos = [i for i in z.infolist() if not i.is_dir()]
                if len(infos) > cap:
                    raise too_many
                for i in infos:
                    _safe_member(i.filename)
                    if i.flag_bits & 0x1:   # encrypted: nothing in it can be read, so nothing is taken
                        raise _Bomb({"entry": i.filename}, f"member {i.filename!r} is encrypted and cannot "
                                    "be checked; submit it unencrypted.",
                                    f"成員 {i.filename!r} 已加密，無法檢查，請以未加密方式提交。")
                    with z.open(i) as f:
                        yield i.filename, self._take(f, i.compress_size, i.filename)
            return
        if kind == "tar":
            with tarfile.open(fileobj=io.BytesIO(leaf.data), mode="r:") as t:
                n = 0
                for m in t:
                    n += 1
                    if n > cap:
                        raise too_many
                    if m.isdir():
                        continue
                    if not m.isfile():
                        raise _Bomb({"entry": m.name}, f"member {m.name!r} is a link or device, not a file.",
                                    f"成員 {m.name!r} 為連結或裝置，不是一般檔案。")
                    _safe_member(m.name)
                    yield m.name, self._take(t.extractfile(m), m.size, m.name)
            return
        opener = {"gzip": gzip.GzipFile, "bzip2": bz2.BZ2File, "xz": lzma.LZMAFile}[kind]
        inner = PurePosixPath(leaf.path.split("!")[-1]).stem or "content"
        with opener(fileobj=io.BytesIO(leaf.data)) as f:
            yield inner, self._take(f, len(leaf.data), inner)


class _Bomb(Exception):
    def __init__(self, where: dict, en: str, zh: str) -> None:
        super().__init__(en)
        self.where, self.en, self.zh = where, en, zh


def _safe_member(name: str) -> None:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts:
        raise _Bomb({"entry": name}, f"member {name!r} escapes the archive (absolute path or '..').",
                    f"成員 {name!r} 路徑跳出壓縮檔（絕對路徑或 '..'）。")
