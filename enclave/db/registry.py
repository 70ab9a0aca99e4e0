"""Find every ``models`` module of the project so one metadata holds all tables.

Each area keeps its tables in its own ``models.py`` (``enclave/audit/models.py``,
``egress_review/models.py`` …) and its own Alembic branch; nothing central is edited.
"""
from __future__ import annotations

import importlib
import pkgutil

PACKAGES = ("enclave", "egress_review", "datasets", "hub_config", "deidentify")


def import_all_models() -> None:
    for name in PACKAGES:
        pkg = importlib.import_module(name)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{name}."):
            if info.name.rsplit(".", 1)[-1] == "models":
                importlib.import_module(info.name)
