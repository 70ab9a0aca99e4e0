"""egress: review workflow (requests, files, reviews, comments, downloads)"""
from alembic import op
import sqlalchemy as sa
import enclave.db.base  # noqa: F401  (UTCDateTime)

revision, down_revision = "0200_egress", "0002_web_sessions"
branch_labels, depends_on = ("egress",), None

TS = enclave.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "egress_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=80), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=10), nullable=True),
        sa.Column("check_result", sa.JSON(), nullable=True),
        sa.Column("needs_committee", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("checked_at", TS, nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("released_at", TS, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["requester_id"], ["users.id"],
                                name=op.f("fk_egress_requests_requester_id_users")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["egress_requests.id"],
                                name=op.f("fk_egress_requests_supersedes_id_egress_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_egress_requests")),
        sa.UniqueConstraint("requester_id", "client_key", name="uq_egress_requests_client_key"),
    )
    op.create_index(op.f("ix_egress_requests_case_code"), "egress_requests", ["case_code"])
    op.create_index(op.f("ix_egress_requests_requester_id"), "egress_requests", ["requester_id"])
    op.create_index(op.f("ix_egress_requests_state"), "egress_requests", ["state"])

    op.create_table(
        "egress_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["egress_requests.id"],
                                name=op.f("fk_egress_files_request_id_egress_requests"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_egress_files")),
        sa.UniqueConstraint("request_id", "path", name="uq_egress_files_request_path"),
    )
    op.create_index(op.f("ix_egress_files_request_id"), "egress_files", ["request_id"])
    op.create_index(op.f("ix_egress_files_sha256"), "egress_files", ["sha256"])

    op.create_table(
        "egress_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["egress_requests.id"],
                                name=op.f("fk_egress_reviews_request_id_egress_requests"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"],
                                name=op.f("fk_egress_reviews_reviewer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_egress_reviews")),
        sa.UniqueConstraint("request_id", "reviewer_id", "stage",
                            name="uq_egress_reviews_request_reviewer_stage"),
    )
    op.create_index(op.f("ix_egress_reviews_request_id"), "egress_reviews", ["request_id"])

    op.create_table(
        "egress_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["egress_requests.id"],
                                name=op.f("fk_egress_comments_request_id_egress_requests"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_egress_comments_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_egress_comments")),
    )
    op.create_index(op.f("ix_egress_comments_request_id"), "egress_comments", ["request_id"])

    op.create_table(
        "egress_downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("client", sa.String(length=80), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["egress_requests.id"],
                                name=op.f("fk_egress_downloads_request_id_egress_requests"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["egress_files.id"],
                                name=op.f("fk_egress_downloads_file_id_egress_files")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_egress_downloads_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_egress_downloads")),
    )
    op.create_index(op.f("ix_egress_downloads_request_id"), "egress_downloads", ["request_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_egress_downloads_request_id"), table_name="egress_downloads")
    op.drop_table("egress_downloads")
    op.drop_index(op.f("ix_egress_comments_request_id"), table_name="egress_comments")
    op.drop_table("egress_comments")
    op.drop_index(op.f("ix_egress_reviews_request_id"), table_name="egress_reviews")
    op.drop_table("egress_reviews")
    op.drop_index(op.f("ix_egress_files_sha256"), table_name="egress_files")
    op.drop_index(op.f("ix_egress_files_request_id"), table_name="egress_files")
    op.drop_table("egress_files")
    op.drop_index(op.f("ix_egress_requests_state"), table_name="egress_requests")
    op.drop_index(op.f("ix_egress_requests_requester_id"), table_name="egress_requests")
    op.drop_index(op.f("ix_egress_requests_case_code"), table_name="egress_requests")
    op.drop_table("egress_requests")
