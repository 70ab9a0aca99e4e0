"""Find every ``models`` module of the project so one metadata holds all tables.

Each area keeps its tables in its own ``models.py`` (``enclave/audit/models.py``,
``egress_review/models.py`` …) and its own Alembic branch; nothing central is edited.
"""
from __future__ import annotations

import importlib
from pathlib import Path

PACKAGES = ("enclave", "egress_review", "datasets", "hub_config", "deidentify")


ROOT = Path(__file__).resolve().parents[2]


def import_all_models() -> None:
    # Found on disk rather than by importing every package: importing e.g. deidentify.text
    # would load Presidio and jieba just to run a migration.
    for name in PACKAGES:
        for path in sorted((ROOT / name).rglob("models.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            importlib.import_module(".".join(parts))
