"""The shapes the migrations repeat: the surrogate key, a reference to another table's id, the
"who and when" pair of an act, a one-time secret's life, and what egress and ingress both keep:
the automatic checks' verdict, a request's files and reviews.

A migration is history: once one uses a helper here, what that helper builds must never change
(tests/db compares the migrated schema with the models on SQLite and PostgreSQL).  A new shape
gets a new helper.  Names are spelled out as the models' naming convention would make them
(enclave.db.base.NAMING), so a later change of that convention cannot rename old objects.
"""
from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from alembic import op

from enclave.db.base import UTCDateTime

TS = UTCDateTime(timezone=True)
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTOR = sa.String(length=64)  # a username


def fk(column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    """column → target.id; create_table names it."""
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete=ondelete)


def ref(column: str, target: str, *, nullable: bool = False,
        ondelete: str | None = None) -> tuple[sa.Column, sa.ForeignKeyConstraint]:
    """An integer column that refers to target.id."""
    return sa.Column(column, sa.Integer(), nullable=nullable), fk(column, target, ondelete)


def act(verb: str, *, nullable: bool = False) -> tuple[sa.Column, sa.Column]:
    """Who did it (a username) and when: <verb>_by, <verb>_at."""
    return (sa.Column(f"{verb}_by", ACTOR, nullable=nullable),
            sa.Column(f"{verb}_at", TS, nullable=nullable))


def decided() -> tuple[sa.Column, ...]:
    """A request someone asks for and a steward decides on."""
    return (sa.Column("status", sa.String(length=20), nullable=False),
            *act("requested"), *act("decided", nullable=True))


def checked() -> tuple[sa.Column, ...]:
    """What the automatic checks said of a request (egress, import): their verdict, the whole
    result, and whether the committee must decide too."""
    return (sa.Column("verdict", sa.String(length=10), nullable=True),
            sa.Column("check_result", sa.JSON(), nullable=True),
            sa.Column("needs_committee", sa.Boolean(), nullable=False))


def single_use() -> tuple[sa.Column, ...]:
    """A one-time secret's life: made, expiring, and used at most once (a challenge, a code)."""
    return (sa.Column("created_at", TS, nullable=False),
            sa.Column("expires_at", TS, nullable=False),
            sa.Column("used_at", TS, nullable=True))


def booking_columns() -> tuple[sa.Column, ...]:
    """A seat booked for a slot; the history of removed bookings keeps the same columns."""
    return (sa.Column("case_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("slot_name", sa.String(length=40), nullable=False),
            sa.Column("starts_at", TS, nullable=False),
            sa.Column("ends_at", TS, nullable=False),
            sa.Column("seat_no", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("created_at", TS, nullable=False))


def create_table(name: str, *items, unique: Iterable[str | tuple[str, ...]] = (),
                 index: Iterable[str] = ()) -> None:
    """op.create_table with an integer primary key ``id`` first, then ``items`` (columns, foreign
    keys, or tuples of them) in order.  ``unique``: a column, or (constraint name, *columns);
    ``index``: single columns, indexed after the table is made."""
    flat: list = []
    for item in items:
        flat.extend(item if isinstance(item, tuple) else (item,))
    columns = [c for c in flat if isinstance(c, sa.Column)]
    fks = [c for c in flat if isinstance(c, sa.ForeignKeyConstraint)]
    for c in fks:
        target = c.elements[0].target_fullname.split(".")[0]
        c.name = op.f(f"fk_{name}_{c.column_keys[0]}_{target}")
    uniques = [sa.UniqueConstraint(u, name=op.f(f"uq_{name}_{u}")) if isinstance(u, str)
               else sa.UniqueConstraint(*u[1:], name=u[0]) for u in unique]
    op.create_table(name, sa.Column("id", sa.Integer(), nullable=False), *columns, *fks,
                    sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")), *uniques)
    for column in index:
        op.create_index(op.f(f"ix_{name}_{column}"), name, [column], unique=False)


def drop_tables(*names: str) -> None:
    """Drop tables in the order given; each takes its indexes with it."""
    for name in names:
        op.drop_table(name)


def request_files(name: str, requests: str) -> None:
    """The files of an egress or import request."""
    create_table(
        name,
        ref("request_id", requests, ondelete="CASCADE"),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        unique=[(f"uq_{name}_request_path", "request_id", "path")],
        index=["request_id"],
    )


def request_reviews(name: str, requests: str) -> None:
    """One reviewer's decision at one stage of an egress or import request."""
    create_table(
        name,
        ref("request_id", requests, ondelete="CASCADE"),
        ref("reviewer_id", "users"),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        unique=[(f"uq_{name}_request_reviewer_stage", "request_id", "reviewer_id", "stage")],
        index=["request_id"],
    )
