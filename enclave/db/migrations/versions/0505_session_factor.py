"""identity: every session records which second factor its log-in had (A4, checked per request)"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "0505_session_factor", "0504_identity_sso"
branch_labels, depends_on = None, None


def upgrade() -> None:
    # nullable: a session of before this record counts as having no factor (default deny)
    op.add_column("web_sessions", sa.Column("factor", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("factor")
