"""identity: WebAuthn security keys as a second factor, and their single-use challenges (A4)"""
import sqlalchemy as sa

from enclave.db.migrations.columns import TS, create_table, drop_tables, ref, single_use

revision, down_revision = "0503_identity_webauthn", "0502_identity_enrolment_codes"
branch_labels, depends_on = None, None


def upgrade() -> None:
    create_table(
        "webauthn_credentials",
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("rp_id", sa.String(length=253), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS, nullable=True),
        unique=["credential_id"],
        index=["user_id"],
    )
    create_table(
        "webauthn_challenges",
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("challenge", sa.String(length=100), nullable=False),
        sa.Column("bound_hash", sa.String(length=64), nullable=False),
        sa.Column("rp_id", sa.String(length=253), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        single_use(),
        unique=["challenge"],
        index=["user_id", "bound_hash"],
    )


def downgrade() -> None:
    drop_tables("webauthn_challenges", "webauthn_credentials")
