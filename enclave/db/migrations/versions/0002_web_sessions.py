"""core: web sessions and API tokens"""
import sqlalchemy as sa

from enclave.db.migrations.columns import TS, create_table, drop_tables, ref

revision, down_revision = "0002_web_sessions", "0001_core"
branch_labels, depends_on = None, None


def upgrade() -> None:
    create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        unique=["token_hash"],
        index=["user_id"],
    )


def downgrade() -> None:
    drop_tables("web_sessions")
