"""querylog: supervisors' decisions on logged queries (A3)"""
from alembic import op
import sqlalchemy as sa
import enclave.db.base  # noqa: F401  (UTCDateTime)

revision, down_revision = "0600_querylog", "0001_core"
branch_labels, depends_on = ("querylog",), None

TS = enclave.db.base.UTCDateTime(timezone=True)
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "query_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_seq", SEQ, nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=True),
        sa.Column("querier", sa.String(length=120), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_reviews")),
        sa.UniqueConstraint("audit_seq", name=op.f("uq_query_reviews_audit_seq")),
    )
    op.create_index(op.f("ix_query_reviews_case_code"), "query_reviews", ["case_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_query_reviews_case_code"), table_name="query_reviews")
    op.drop_table("query_reviews")
