"""querylog: supervisors' decisions on logged queries (A3)"""
import sqlalchemy as sa

from enclave.db.migrations.columns import SEQ, TS, create_table, drop_tables

revision, down_revision = "0600_querylog", "0001_core"
branch_labels, depends_on = ("querylog",), None


def upgrade() -> None:
    create_table(
        "query_reviews",
        sa.Column("audit_seq", SEQ, nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=True),
        sa.Column("querier", sa.String(length=120), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        unique=["audit_seq"],
        index=["case_code"],
    )


def downgrade() -> None:
    drop_tables("query_reviews")
