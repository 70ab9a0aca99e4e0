"""ingress: import review (D4) and sharing of derived files between cases (P13)"""
import sqlalchemy as sa

from enclave.db.migrations.columns import (TS, checked, create_table, drop_tables, ref, request_files,
                                          request_reviews)

revision, down_revision = "0300_ingress", "0002_web_sessions"
# import_requests.source_egress_id refers to egress_requests (P13 shares a released output).
branch_labels, depends_on = ("ingress",), ("0200_egress",)


def upgrade() -> None:
    create_table(
        "import_requests",
        sa.Column("case_code", sa.String(length=40), nullable=False),
        ref("requester_id", "users"),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        checked(),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("source_case_code", sa.String(length=40), nullable=True),
        ref("source_egress_id", "egress_requests", nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("delivered_at", TS, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        index=["case_code", "requester_id", "state"],
    )
    request_files("import_files", "import_requests")
    request_reviews("import_reviews", "import_requests")


def downgrade() -> None:
    drop_tables("import_reviews", "import_files", "import_requests")
