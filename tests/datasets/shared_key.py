"""Enclave homes that share one master key, so that two loads' pseudonyms compare."""
from __future__ import annotations

import shutil
from pathlib import Path

from datasets import keyring
from enclave.settings import EnclaveSettings


def homes_sharing_a_key(tmp_path: Path, n: int) -> list[EnclaveSettings]:
    out = [EnclaveSettings(home=tmp_path / f"home{i}") for i in range(n)]
    keyring.master_key(out[0])
    for s in out[1:]:
        Path(s.keys_dir).mkdir(parents=True, exist_ok=True)
        shutil.copy(keyring.master_key_path(out[0]), keyring.master_key_path(s))
    return out
