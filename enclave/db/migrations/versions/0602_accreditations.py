"""accounts: training and confidentiality undertakings, checked by the booking gate (P11)"""
import sqlalchemy as sa

from enclave.db.migrations.columns import TS, act, create_table, drop_tables, ref

revision, down_revision = "0602_accreditations", "0601_query_pending"
branch_labels, depends_on = None, None


def upgrade() -> None:
    create_table(
        "accreditations",
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("completed_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        *act("recorded"),
        *act("withdrawn", nullable=True),
        index=["user_id"],
    )


def downgrade() -> None:
    drop_tables("accreditations")
