"""The typed-work ledger: which bytes a browser itself sent to this case's workspace.

The contents API returns a body (a code file, a notebook cell's source) only if the browser
saved exactly those bytes before - in this session or an earlier one of the same case - so it
never hands out anything the browser did not already have: not a CSV the kernel wrote, not a
``.py`` the kernel filled with rows, not a notebook built from a query result.

Each entry is ``HMAC(case key, kind, sha256(body))``, one hex line per entry, appended to
``<workspace>/.enclave/ledger/<user>``.  The kernel runs as the same uid and can write those
files, but without the key (held by the server only, never in a kernel's environment) it cannot
make an entry that verifies: a planted or edited line is ignored, a deleted one only hides the
researcher's own work from the editor.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

LEDGER_DIR = (".enclave", "ledger")


class Ledger:
    def __init__(self, key: bytes | None, root: str | Path, user: str) -> None:
        self._key = key
        self._dir = Path(root).joinpath(*LEDGER_DIR)
        self._file = self._dir / (user.replace("/", "_") or "_")
        self._known: set[str] = set()
        self._mtimes: dict[str, float] = {}

    @property
    def usable(self) -> bool:
        return self._key is not None

    def _mac(self, kind: str, body: bytes) -> str:
        digest = hashlib.sha256(body).digest()
        return hmac.new(self._key, kind.encode() + b"\0" + digest, hashlib.sha256).hexdigest()

    def _reload(self) -> None:
        """Pick up lines other members' servers appended (same case, same key)."""
        try:
            names = os.listdir(self._dir)
        except OSError:
            return
        for name in names:
            p = self._dir / name
            try:
                st = p.lstat()
            except OSError:
                continue
            if not p.is_file() or p.is_symlink() or self._mtimes.get(name) == st.st_mtime:
                continue
            self._mtimes[name] = st.st_mtime
            try:
                fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(fd, "r", errors="replace") as f:
                    self._known.update(line.strip() for line in f if len(line.strip()) == 64)
            except OSError:
                continue

    def record(self, kind: str, body: bytes) -> None:
        if not self.usable or not body:
            return
        mac = self._mac(kind, body)
        if mac in self._known:
            return
        self._dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o660)
        with os.fdopen(fd, "a") as f:
            f.write(mac + "\n")
        self._known.add(mac)

    def knows(self, kind: str, body: bytes) -> bool:
        """True for an empty body (nothing to leak) or one the browser saved before."""
        if not body:
            return True
        if not self.usable:
            return False
        mac = self._mac(kind, body)
        if mac not in self._known:
            self._reload()
        return mac in self._known
