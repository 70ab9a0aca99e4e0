"""egress: review workflow (requests, files, reviews, comments, downloads)"""
from alembic import op
import sqlalchemy as sa

from enclave.db.migrations.columns import (TS, checked, create_table, drop_tables, fk, ref, request_files,
                                          request_reviews)

revision, down_revision = "0200_egress", "0002_web_sessions"
branch_labels, depends_on = ("egress",), None


def upgrade() -> None:
    create_table(
        "egress_requests",
        sa.Column("case_code", sa.String(length=40), nullable=False),
        ref("requester_id", "users"),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=80), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        fk("supersedes_id", "egress_requests"),
        checked(),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("checked_at", TS, nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("released_at", TS, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        unique=[("uq_egress_requests_client_key", "requester_id", "client_key")],
        index=["case_code", "requester_id", "state"],
    )
    request_files("egress_files", "egress_requests")
    op.create_index(op.f("ix_egress_files_sha256"), "egress_files", ["sha256"])
    request_reviews("egress_reviews", "egress_requests")
    create_table(
        "egress_comments",
        ref("request_id", "egress_requests", ondelete="CASCADE"),
        ref("author_id", "users"),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        index=["request_id"],
    )
    create_table(
        "egress_downloads",
        ref("request_id", "egress_requests", ondelete="CASCADE"),
        ref("file_id", "egress_files", nullable=True),
        ref("user_id", "users"),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("client", sa.String(length=80), nullable=False),
        sa.Column("at", TS, nullable=False),
        index=["request_id"],
    )


def downgrade() -> None:
    drop_tables("egress_downloads", "egress_comments", "egress_reviews", "egress_files",
                "egress_requests")
