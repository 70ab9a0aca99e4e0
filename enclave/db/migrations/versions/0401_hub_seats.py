"""hub: the seat registry (S1/S4)"""
import sqlalchemy as sa

from enclave.db.migrations.columns import act, create_table, drop_tables

revision, down_revision = "0401_hub_seats", "0400_hub"
branch_labels, depends_on = None, None


def upgrade() -> None:
    create_table(
        "seats",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("addresses", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        act("registered"),
        unique=["number"],
    )


def downgrade() -> None:
    drop_tables("seats")
