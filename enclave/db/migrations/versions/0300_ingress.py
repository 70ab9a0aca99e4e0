"""ingress: import review (D4) and sharing of derived files between cases (P13)"""
from alembic import op
import sqlalchemy as sa
import enclave.db.base  # noqa: F401  (UTCDateTime)

revision, down_revision = "0300_ingress", "0002_web_sessions"
# import_requests.source_egress_id refers to egress_requests (P13 shares a released output).
branch_labels, depends_on = ("ingress",), ("0200_egress",)

TS = enclave.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "import_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_code", sa.String(length=40), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=True),
        sa.Column("check_result", sa.JSON(), nullable=True),
        sa.Column("needs_committee", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("source_case_code", sa.String(length=40), nullable=True),
        sa.Column("source_egress_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("delivered_at", TS, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["requester_id"], ["users.id"],
                                name=op.f("fk_import_requests_requester_id_users")),
        sa.ForeignKeyConstraint(["source_egress_id"], ["egress_requests.id"],
                                name=op.f("fk_import_requests_source_egress_id_egress_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_requests")),
    )
    op.create_index(op.f("ix_import_requests_case_code"), "import_requests", ["case_code"])
    op.create_index(op.f("ix_import_requests_requester_id"), "import_requests", ["requester_id"])
    op.create_index(op.f("ix_import_requests_state"), "import_requests", ["state"])

    op.create_table(
        "import_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["import_requests.id"],
                                name=op.f("fk_import_files_request_id_import_requests"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_files")),
        sa.UniqueConstraint("request_id", "path", name="uq_import_files_request_path"),
    )
    op.create_index(op.f("ix_import_files_request_id"), "import_files", ["request_id"])

    op.create_table(
        "import_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["import_requests.id"],
                                name=op.f("fk_import_reviews_request_id_import_requests"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"],
                                name=op.f("fk_import_reviews_reviewer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_reviews")),
        sa.UniqueConstraint("request_id", "reviewer_id", "stage",
                            name="uq_import_reviews_request_reviewer_stage"),
    )
    op.create_index(op.f("ix_import_reviews_request_id"), "import_reviews", ["request_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_import_reviews_request_id"), table_name="import_reviews")
    op.drop_table("import_reviews")
    op.drop_index(op.f("ix_import_files_request_id"), table_name="import_files")
    op.drop_table("import_files")
    op.drop_index(op.f("ix_import_requests_state"), table_name="import_requests")
    op.drop_index(op.f("ix_import_requests_requester_id"), table_name="import_requests")
    op.drop_index(op.f("ix_import_requests_case_code"), table_name="import_requests")
    op.drop_table("import_requests")
