"""Where the enclave keeps its state; every path can be moved with an environment variable.

The embedded default keeps everything under ``$ENCLAVE_HOME`` (``./var``): the SQLite state
database, the warehouse, project extracts, the egress store and the release area.  The master
key lives in its own directory so that it is never inside the data it protects.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _path(var: str, default: Path) -> Path:
    v = os.environ.get(var)
    return Path(v).resolve() if v else default


class _Location:
    """A directory of the enclave: $<var> when set, else <sub> under the home."""

    def __init__(self, var: str, sub: str, doc: str = "") -> None:
        self.var, self.sub, self.__doc__ = var, sub, doc or f"${var}, else $ENCLAVE_HOME/{sub}"

    def __get__(self, obj: "EnclaveSettings | None", owner: type) -> Path:
        if obj is None:  # on the class: the location itself (SETTINGS_LOCATIONS reads it)
            return self  # type: ignore[return-value]
        return _path(self.var, obj.home / self.sub)


@dataclass(frozen=True)
class EnclaveSettings:
    home: Path = field(default_factory=lambda: _path("ENCLAVE_HOME", Path("var").resolve()))

    @property
    def db_url(self) -> str:
        return os.environ.get("ENCLAVE_DB_URL") or f"sqlite:///{self.home / 'state.db'}"

    # the warehouse's releases on an object store (s3://bucket/prefix) instead of
    # <warehouse>/releases; its endpoint and credentials: datasets.load.store (issue 18)
    releases_url: str | None = field(
        default_factory=lambda: os.environ.get("ENCLAVE_RELEASES_URL") or None)

    warehouse_dir = _Location("ENCLAVE_WAREHOUSE", "warehouse")
    projects_dir = _Location("ENCLAVE_PROJECTS", "projects")
    keys_dir = _Location("ENCLAVE_KEYS", "keys")
    egress_store_dir = _Location("ENCLAVE_EGRESS_STORE", "egress")
    release_dir = _Location("ENCLAVE_RELEASE_AREA", "release")
    audit_journal_dir = _Location("ENCLAVE_AUDIT_JOURNAL", "audit-journal",
                                  "Signed checkpoints of the audit chain's head, outside the "
                                  "database (A5).")
    tls_dir = _Location("ENCLAVE_TLS", "tls",
                        "The local CA and the front ends' certificates (or the operator's own).")
    run_dir = _Location("ENCLAVE_RUN", "run")


# Every variable that moves a location (what another process must be given to see the same
# enclave: the hub hands them to its warden, for one).
SETTINGS_LOCATIONS = ("ENCLAVE_HOME", "ENCLAVE_DB_URL",
                      *(v.var for v in vars(EnclaveSettings).values() if isinstance(v, _Location)))


def get_settings() -> EnclaveSettings:
    return EnclaveSettings()
