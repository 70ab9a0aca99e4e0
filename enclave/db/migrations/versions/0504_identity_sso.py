"""identity: single sign-on - one-time codes, and front-end sessions bound to their log-in (A4)"""
import sqlalchemy as sa
from alembic import op

from enclave.db.base import UTCDateTime

revision, down_revision = "0504_identity_sso", "0503_identity_webauthn"
branch_labels, depends_on = None, None

TS = UTCDateTime(timezone=True)


def upgrade() -> None:
    # nullable and without constraints: SQLite adds such columns in place
    op.add_column("web_sessions", sa.Column("parent_id", sa.Integer(), nullable=True))
    op.add_column("web_sessions", sa.Column("front_end", sa.String(length=20), nullable=True))
    op.add_column("web_sessions", sa.Column("second_factor", sa.Boolean(), nullable=True))
    op.create_index(op.f("ix_web_sessions_parent_id"), "web_sessions", ["parent_id"], unique=False)
    op.create_table(
        "sso_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("redirect_uri", sa.String(length=500), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sso_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["web_sessions.id"],
                                name=op.f("fk_sso_codes_session_id_web_sessions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_sso_codes_code_hash")),
    )
    op.create_index(op.f("ix_sso_codes_user_id"), "sso_codes", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sso_codes")
    op.drop_index(op.f("ix_web_sessions_parent_id"), table_name="web_sessions")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("second_factor")
        batch.drop_column("front_end")
        batch.drop_column("parent_id")
