"""hub: registered overnight runs (S5)"""
import sqlalchemy as sa

from enclave.db.migrations.columns import TS, act, create_table, drop_tables, ref

revision, down_revision = "0400_hub", "0001_core"
branch_labels, depends_on = ("hub",), None


def upgrade() -> None:
    create_table(
        "overnight_jobs",
        ref("booking_id", "bookings"),
        sa.Column("notebook", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        act("registered"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("output", sa.String(length=300), nullable=True),
        unique=["booking_id"],
    )


def downgrade() -> None:
    drop_tables("overnight_jobs")
