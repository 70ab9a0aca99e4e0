"""hub: the seat registry (S1/S4)"""
from alembic import op
import sqlalchemy as sa
import enclave.db.base  # noqa: F401  (UTCDateTime)

revision, down_revision = "0401_hub_seats", "0400_hub"
branch_labels, depends_on = None, None

TS = enclave.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "seats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("addresses", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("registered_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seats")),
        sa.UniqueConstraint("number", name=op.f("uq_seats_number")),
    )


def downgrade() -> None:
    op.drop_table("seats")
