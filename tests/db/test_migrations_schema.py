"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL,
and every branch downgrades back to an empty database and upgrades again."""
from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from enclave.db import upgrade
from enclave.db.base import Base
from enclave.db.engine import alembic_config
from enclave.db.registry import import_all_models


def _differences(url: str, metadata: sa.MetaData) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True})
            return compare_metadata(ctx, metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_equal_models(db_url):
    import_all_models()
    assert _differences(db_url, Base.metadata) == []


def test_comparison_sees_a_changed_model(db_url):
    """The check above is not vacuous: a column, a type, an index or a table the migrations do not
    make each show up as a difference."""
    import_all_models()
    for change in ("column", "type", "index", "table"):
        md = sa.MetaData(naming_convention=Base.metadata.naming_convention)
        for table in Base.metadata.sorted_tables:
            table.to_metadata(md)
        users = md.tables["users"]
        if change == "column":
            users.append_column(sa.Column("shoe_size", sa.Integer(), nullable=True))
        elif change == "type":
            users.c.display_name.type = sa.String(length=121)
        elif change == "index":
            sa.Index("ix_users_unit", users.c.unit)
        else:
            sa.Table("not_migrated", md, sa.Column("id", sa.Integer(), primary_key=True))
        assert _differences(db_url, md), change


def test_downgrade_to_base_and_up_again(db_url):
    import_all_models()
    command.downgrade(alembic_config(db_url), "base")
    assert _tables(db_url) == {"alembic_version"}
    upgrade(db_url)
    assert _tables(db_url) == set(Base.metadata.tables) | {"alembic_version"}
    assert _differences(db_url, Base.metadata) == []
