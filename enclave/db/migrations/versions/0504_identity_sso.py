"""identity: single sign-on - one-time codes, and front-end sessions bound to their log-in (A4)"""
import sqlalchemy as sa
from alembic import op

from enclave.db.migrations.columns import create_table, drop_tables, ref, single_use

revision, down_revision = "0504_identity_sso", "0503_identity_webauthn"
branch_labels, depends_on = None, None


def upgrade() -> None:
    # nullable and without constraints: SQLite adds such columns in place
    op.add_column("web_sessions", sa.Column("parent_id", sa.Integer(), nullable=True))
    op.add_column("web_sessions", sa.Column("front_end", sa.String(length=20), nullable=True))
    op.add_column("web_sessions", sa.Column("second_factor", sa.Boolean(), nullable=True))
    op.create_index(op.f("ix_web_sessions_parent_id"), "web_sessions", ["parent_id"], unique=False)
    create_table(
        "sso_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        ref("user_id", "users", ondelete="CASCADE"),
        ref("session_id", "web_sessions", ondelete="CASCADE"),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("redirect_uri", sa.String(length=500), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        single_use(),
        sa.Column("child_id", sa.Integer(), nullable=True),
        unique=["code_hash"],
        index=["user_id"],
    )


def downgrade() -> None:
    drop_tables("sso_codes")
    op.drop_index(op.f("ix_web_sessions_parent_id"), table_name="web_sessions")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("second_factor")
        batch.drop_column("front_end")
        batch.drop_column("parent_id")
