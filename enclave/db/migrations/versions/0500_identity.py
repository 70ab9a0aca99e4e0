"""identity: log-in failures (lock-out, throttle) and TOTP credentials"""
import sqlalchemy as sa

from enclave.db.migrations.columns import TS, create_table, drop_tables, ref

revision, down_revision = "0500_identity", "0002_web_sessions"
branch_labels, depends_on = ("identity",), None


def upgrade() -> None:
    create_table(
        "login_failures",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("front_end", sa.String(length=20), nullable=False),
        sa.Column("at", TS, nullable=False),
        index=["username", "client", "at"],
    )
    create_table(
        "totp_credentials",
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("confirmed_at", TS, nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        unique=["user_id"],
    )


def downgrade() -> None:
    drop_tables("totp_credentials", "login_failures")
