"""Shared fixtures: one small synthetic source set, loaded once, with two case extracts."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from enclave.settings import EnclaveSettings

SYNTHETIC = "synthetic test data, no real persons (D3 override for the fixture)"

ALL_COLUMNS_SPEC_FAMILIES = ("H_NHI_OPDTE", "H_NHI_OPDTO", "H_NHI_IPDTE", "H_NHI_IPDTO",
                             "H_NHI_DRUGE", "H_NHI_DRUGO", "H_NHI_ENROL", "H_NHI_MEDFA", "H_IMG_INDEX",
                             "H_IC_UPLOAD", "H_LAB_RESULT", "H_VPN_UPLOAD", "H_NHI_FEESCH",
                             "H_NHI_DRUGITEM")


def full_spec(policy=None) -> dict:
    """Every released column of every family: the widest extract a case could get."""
    from datasets.schemas import FAMILIES, effective_actions
    from policies import current_policy

    acts = effective_actions(policy or current_policy())
    return {"files": {f: {"columns": [c for c, a in acts[f].items() if a != "drop"]}
                      for f in ALL_COLUMNS_SPEC_FAMILIES if f in FAMILIES}}


@pytest.fixture(scope="session")
def small_source(tmp_path_factory) -> Path:
    from datasets.synthetic import generate

    out = tmp_path_factory.mktemp("src") / "small"
    generate(out, 2500, seed=7, images=2)
    return out


@pytest.fixture(scope="session")
def loaded(tmp_path_factory, small_source):
    """(settings, release id, source dir) with release R1 loaded and extracts for CASE-A/CASE-B."""
    from datasets.extract import build_extract
    from datasets.load import load_release

    home = tmp_path_factory.mktemp("home")
    settings = EnclaveSettings(home=home)
    load_release(small_source, "R1", settings)
    spec = full_spec()
    build_extract(spec, "CASE-A", settings, k_override=SYNTHETIC)
    build_extract(spec, "CASE-B", settings, k_override=SYNTHETIC)
    return settings, "R1", small_source


@pytest.fixture
def tiny_source(tmp_path_factory, tmp_path) -> Path:
    """A fresh copy of a tiny source set (tests may edit it)."""
    base = tmp_path_factory.getbasetemp() / "tiny-base"
    if not base.exists():
        from datasets.synthetic import generate

        generate(base, 400, seed=11, images=0)
    dst = tmp_path / "src"
    shutil.copytree(base, dst)
    return dst


@pytest.fixture
def settings(tmp_path) -> EnclaveSettings:
    return EnclaveSettings(home=tmp_path / "home")


def twin_home(settings, tmp_path) -> EnclaveSettings:
    """A second enclave home with the same master key (a source loads once per warehouse)."""
    import os

    from datasets import keyring

    other = EnclaveSettings(home=tmp_path / "twin")
    path = keyring.master_key_path(other)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(keyring.master_key_path(settings), path)
    os.chmod(path, 0o600)
    return other


def _scope_of(path, settings):
    """The release's or case's encryption scope of a file under the warehouse or an extract."""
    from datasets import keyring, parquet_crypto as PC
    from policies import current_policy

    path = Path(path).resolve()
    rd = (Path(settings.warehouse_dir) / "releases").resolve()
    if path.is_relative_to(rd):
        scope = PC.release_scope(path.relative_to(rd).parts[0])
    else:
        scope = PC.case_scope(path.relative_to(Path(settings.projects_dir).resolve()).parts[0])
    master = keyring.master_key(settings, create=False)
    return PC.scope_for(master, scope, current_policy())


def decrypted_dicom(path, settings) -> bytes:
    """A warehouse or extract DICOM file's bytes, decrypted with its release's or case's key."""
    from datasets import dicom_crypto as DC

    return DC.read_at(path, settings)


def decrypted(path, settings):
    """A warehouse or extract Parquet file's rows, decrypted with its release's or case's key
    (the files are encrypted at rest, O3): tests read content, not bytes."""
    from datasets import parquet_crypto as PC

    return PC.read_table(path, _scope_of(path, settings))
