"""identity: one-time enrolment codes for the second factor (no trust on first use, A4)"""
from alembic import op
import sqlalchemy as sa
import enclave.db.base  # noqa: F401  (UTCDateTime)

revision, down_revision = "0502_identity_enrolment_codes", "0501_identity_totp_sealed"
branch_labels, depends_on = None, None

TS = enclave.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mfa_enrolment_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_mfa_enrolment_codes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_enrolment_codes")),
        sa.UniqueConstraint("user_id", name=op.f("uq_mfa_enrolment_codes_user_id")),
    )


def downgrade() -> None:
    op.drop_table("mfa_enrolment_codes")
