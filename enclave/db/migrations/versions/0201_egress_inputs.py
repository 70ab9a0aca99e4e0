"""egress: checking inputs (provenance sidecars) stored with a request but never released"""
from alembic import op
import sqlalchemy as sa

revision, down_revision = "0201_egress_inputs", "0200_egress"
branch_labels, depends_on = None, None


def upgrade() -> None:
    with op.batch_alter_table("egress_files") as batch:
        batch.add_column(sa.Column("role", sa.String(length=10), nullable=False, server_default="output"))


def downgrade() -> None:
    with op.batch_alter_table("egress_files") as batch:
        batch.drop_column("role")
