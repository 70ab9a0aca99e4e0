"""``enclave keys init``: creates the master key once, 0600, and refuses to overwrite or misplace it."""
from __future__ import annotations

import json
import os
import stat

from typer.testing import CliRunner

from datasets import keyring
from deidentify import keys as K
from enclave.cli.main import app
from enclave.settings import EnclaveSettings


def _run(args, env):
    r = CliRunner().invoke(app, args, env=env)
    return r.exit_code, r.stdout


def test_keys_init_creates_once_and_refuses_to_overwrite(enclave_home):
    env = {"ENCLAVE_HOME": str(enclave_home)}
    settings = EnclaveSettings(home=enclave_home)
    path = keyring.master_key_path(settings)
    assert not path.exists()
    code, out = _run(["keys", "init", "--json"], env)
    assert code == 0, out
    assert json.loads(out) == {"ok": True, "path": str(path)}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = K.load_master_key(path)
    assert len(key) == K.KEY_BYTES
    # the attack: re-running init (by mistake or on purpose) must not replace the key
    code, out = _run(["keys", "init", "--json"], env)
    assert code == 1 and "already exists" in json.loads(out)["error"]
    assert K.load_master_key(path) == key
    # the loader uses this very key
    assert keyring.master_key(settings, create=False) == key


def test_keys_init_refuses_a_keys_dir_inside_the_warehouse(enclave_home):
    keys = enclave_home / "warehouse" / "keys"
    env = {"ENCLAVE_HOME": str(enclave_home), "ENCLAVE_KEYS": str(keys)}
    code, out = _run(["keys", "init", "--json"], env)
    assert code == 1 and "inside the data" in json.loads(out)["error"], out
    assert not (keys / keyring.MASTER_FILE).exists()
