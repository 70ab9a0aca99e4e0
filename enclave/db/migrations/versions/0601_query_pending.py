"""querylog: the undecided queries, indexed for the booking gate (A3, issue 18)"""
import sqlalchemy as sa
from alembic import op

from enclave.db.migrations.columns import SEQ, create_table, drop_tables

revision, down_revision = "0601_query_pending", "0600_querylog"
branch_labels, depends_on = None, None


def upgrade() -> None:
    create_table(
        "query_pending",
        sa.Column("audit_seq", SEQ, nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=True),
        sa.Column("ts", sa.String(length=40), nullable=False),
        unique=["audit_seq"],
    )
    op.create_index("ix_query_pending_case_code_ts", "query_pending", ["case_code", "ts"],
                    unique=False)
    # every query already logged and not yet decided is pending
    op.execute("INSERT INTO query_pending (audit_seq, case_code, ts) "
               "SELECT a.seq, a.case_code, a.ts FROM audit_records a "
               "WHERE a.action = 'session.query' AND NOT EXISTS "
               "(SELECT 1 FROM query_reviews r WHERE r.audit_seq = a.seq)")


def downgrade() -> None:
    drop_tables("query_pending")
