"""identity: one-time enrolment codes for the second factor (no trust on first use, A4)"""
import sqlalchemy as sa

from enclave.db.migrations.columns import TS, act, create_table, drop_tables, ref

revision, down_revision = "0502_identity_enrolment_codes", "0501_identity_totp_sealed"
branch_labels, depends_on = None, None


def upgrade() -> None:
    create_table(
        "mfa_enrolment_codes",
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        act("issued"),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        unique=["user_id"],
    )


def downgrade() -> None:
    drop_tables("mfa_enrolment_codes")
