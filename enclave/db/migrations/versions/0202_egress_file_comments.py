"""egress: a comment may belong to one file's thread (issue 16)"""
from alembic import op
import sqlalchemy as sa

revision, down_revision = "0202_egress_file_comments", "0201_egress_inputs"
branch_labels, depends_on = None, None


def upgrade() -> None:
    with op.batch_alter_table("egress_comments") as batch:
        batch.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_egress_comments_file_id_egress_files"), "egress_files",
                                 ["file_id"], ["id"], ondelete="CASCADE")
        batch.create_index(op.f("ix_egress_comments_file_id"), ["file_id"])


def downgrade() -> None:
    with op.batch_alter_table("egress_comments") as batch:
        batch.drop_index(op.f("ix_egress_comments_file_id"))
        batch.drop_constraint(op.f("fk_egress_comments_file_id_egress_files"), type_="foreignkey")
        batch.drop_column("file_id")
