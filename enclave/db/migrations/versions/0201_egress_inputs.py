"""egress: checking inputs (provenance sidecars) stored with a request but never released

Revision ID: 0201_egress_inputs
Revises: 0200_egress
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0201_egress_inputs"
down_revision = "0200_egress"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("egress_files") as batch:
        batch.add_column(sa.Column("role", sa.String(length=10), nullable=False, server_default="output"))


def downgrade() -> None:
    with op.batch_alter_table("egress_files") as batch:
        batch.drop_column("role")
