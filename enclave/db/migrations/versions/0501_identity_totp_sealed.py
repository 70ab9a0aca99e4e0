"""identity: TOTP secrets stored sealed (AES-GCM under a key derived from the master key, which
is outside the database), so the column holds more than a base32 secret
"""
from alembic import op
import sqlalchemy as sa

revision, down_revision = "0501_identity_totp_sealed", "0500_identity"
branch_labels, depends_on = None, None


def upgrade() -> None:
    # rows still in clear are sealed by enclave.identity.mfa the next time they are used
    with op.batch_alter_table("totp_credentials") as b:
        b.alter_column("secret", existing_type=sa.String(length=64), type_=sa.String(length=255),
                       existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("totp_credentials") as b:
        b.alter_column("secret", existing_type=sa.String(length=255), type_=sa.String(length=64),
                       existing_nullable=False)
