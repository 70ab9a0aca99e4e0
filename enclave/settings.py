"""Where the enclave keeps its state; every path can be moved with an environment variable.

The embedded default keeps everything under ``$ENCLAVE_HOME`` (``./var``): the SQLite state
database, the warehouse, project extracts, the egress store and the release area.  The master
key lives in its own directory so that it is never inside the data it protects.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


# Every variable that moves a location (what another process must be given to see the same
# enclave: the hub hands them to its warden, for one).
SETTINGS_LOCATIONS = ("ENCLAVE_HOME", "ENCLAVE_DB_URL", "ENCLAVE_WAREHOUSE", "ENCLAVE_PROJECTS",
                      "ENCLAVE_KEYS", "ENCLAVE_EGRESS_STORE", "ENCLAVE_RELEASE_AREA",
                      "ENCLAVE_AUDIT_JOURNAL", "ENCLAVE_TLS", "ENCLAVE_RUN")


def _path(var: str, default: Path) -> Path:
    v = os.environ.get(var)
    return Path(v).resolve() if v else default


@dataclass(frozen=True)
class EnclaveSettings:
    home: Path = field(default_factory=lambda: _path("ENCLAVE_HOME", Path("var").resolve()))

    @property
    def db_url(self) -> str:
        return os.environ.get("ENCLAVE_DB_URL") or f"sqlite:///{self.home / 'state.db'}"

    @property
    def warehouse_dir(self) -> Path:
        return _path("ENCLAVE_WAREHOUSE", self.home / "warehouse")

    @property
    def projects_dir(self) -> Path:
        return _path("ENCLAVE_PROJECTS", self.home / "projects")

    @property
    def keys_dir(self) -> Path:
        return _path("ENCLAVE_KEYS", self.home / "keys")

    @property
    def egress_store_dir(self) -> Path:
        return _path("ENCLAVE_EGRESS_STORE", self.home / "egress")

    @property
    def release_dir(self) -> Path:
        return _path("ENCLAVE_RELEASE_AREA", self.home / "release")

    @property
    def audit_journal_dir(self) -> Path:
        """Signed checkpoints of the audit chain's head, outside the database (A5)."""
        return _path("ENCLAVE_AUDIT_JOURNAL", self.home / "audit-journal")

    @property
    def tls_dir(self) -> Path:
        """The local CA and the front ends' certificates (or the operator's own)."""
        return _path("ENCLAVE_TLS", self.home / "tls")

    @property
    def run_dir(self) -> Path:
        return _path("ENCLAVE_RUN", self.home / "run")


def get_settings() -> EnclaveSettings:
    return EnclaveSettings()
