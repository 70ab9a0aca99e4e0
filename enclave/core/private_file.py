"""Writing a secret (a private key, a restored master key) so that no other account can read it
at any moment: the directory is made 0700, the file is created 0600 beside its final name and
renamed over it, so a reader sees the old file or the whole new one, never half."""
from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, data: bytes, *, tmp_suffix: str = ".new") -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + tmp_suffix)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
