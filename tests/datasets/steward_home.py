"""A steward's home for extract tests: a migrated state DB, a master key and one synthetic
release loaded through the real loader."""
from __future__ import annotations


def steward_home(tmp_path_factory, name: str, *, persons: int, seed: int, release: str):
    """(home directory, its EnclaveSettings)."""
    from datasets.load import load_release
    from datasets.synthetic import generate
    from deidentify.keys import create_master_key
    from enclave.db import upgrade
    from enclave.settings import EnclaveSettings

    home = tmp_path_factory.mktemp(f"{name}-home")
    settings = EnclaveSettings(home=home)
    upgrade(settings.db_url)
    create_master_key(settings.keys_dir / "master.key")
    src = tmp_path_factory.mktemp(f"{name}-src")
    generate(src / "s", persons, seed=seed, images=0)
    load_release(src / "s", release, settings)
    return home, settings
