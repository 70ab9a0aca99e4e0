"""hub: registered overnight runs (S5)"""
from alembic import op
import sqlalchemy as sa
import enclave.db.base  # noqa: F401  (UTCDateTime)

revision, down_revision = "0400_hub", "0001_core"
branch_labels, depends_on = ("hub",), None

TS = enclave.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "overnight_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("notebook", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("registered_at", TS, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("output", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"],
                                name=op.f("fk_overnight_jobs_booking_id_bookings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overnight_jobs")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_overnight_jobs_booking_id")),
    )


def downgrade() -> None:
    op.drop_table("overnight_jobs")
