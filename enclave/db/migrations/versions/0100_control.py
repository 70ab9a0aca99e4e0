"""control plane: change requests, extensions, fees, software, publications, notifications,
booking history, violations, announcements, audit samples; extra columns on cases/users/members
"""
from alembic import op
import sqlalchemy as sa

from enclave.db.migrations.columns import (ACTOR, SEQ, TS, act, booking_columns, create_table,
                                          decided, drop_tables, fk, ref)

revision, down_revision = "0100_control", "0002_web_sessions"
branch_labels, depends_on = ("control",), None


def upgrade() -> None:
    create_table(
        "announcements",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("keywords", sa.String(length=300), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=True),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("author", ACTOR, nullable=False),
        index=["published_at", "region"],
    )
    create_table(
        "audit_samples",
        sa.Column("window_start", TS, nullable=False),
        sa.Column("window_end", TS, nullable=False),
        sa.Column("accounts_total", sa.Integer(), nullable=False),
        sa.Column("accounts_sampled", sa.Integer(), nullable=False),
        sa.Column("seed", SEQ, nullable=False),
        act("created"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("report_sha256", sa.String(length=64), nullable=True),
        act("signed", nullable=True),
        sa.Column("sign_note", sa.Text(), nullable=True),
    )
    create_table(
        "booking_history",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        booking_columns(),
        sa.Column("removed_at", TS, nullable=False),
        sa.Column("removed_by", ACTOR, nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        index=["booking_id", "case_id", "user_id"],
    )
    create_table(
        "announcement_attachments",
        ref("announcement_id", "announcements", ondelete="CASCADE"),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        index=["announcement_id"],
    )
    create_table(
        "audit_anomalies",
        ref("sample_id", "audit_samples", ondelete="CASCADE"),
        sa.Column("username", ACTOR, nullable=True),
        sa.Column("record_seq", SEQ, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        act("recorded"),
        index=["sample_id"],
    )
    create_table(
        "audit_sample_items",
        ref("sample_id", "audit_samples", ondelete="CASCADE"),
        sa.Column("username", ACTOR, nullable=False),
        sa.Column("records_available", sa.Integer(), nullable=False),
        sa.Column("record_seqs", sa.JSON(), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        index=["sample_id", "username"],
    )
    create_table(
        "notifications",
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        index=["user_id"],
    )
    create_table(
        "case_change_requests",
        ref("case_id", "cases", ondelete="CASCADE"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        decided(),
        sa.Column("decision_note", sa.Text(), nullable=True),
        index=["case_id"],
    )
    create_table(
        "case_charges",
        ref("case_id", "cases", ondelete="CASCADE"),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_fee", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        index=["case_id"],
    )
    create_table(
        "case_extensions",
        ref("case_id", "cases", ondelete="CASCADE"),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("retention", sa.Boolean(), nullable=False),
        decided(),
        index=["case_id"],
    )
    create_table(
        "publications",
        ref("case_id", "cases", ondelete="CASCADE"),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("cites_source", sa.Boolean(), nullable=False),
        sa.Column("copy_received_at", TS, nullable=True),
        act("registered"),
        index=["case_id"],
    )
    create_table(
        "software_declarations",
        ref("case_id", "cases", ondelete="CASCADE"),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        decided(),
        index=["case_id"],
    )
    create_table(
        "violations",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", ACTOR, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("lifted_at", TS, nullable=True),
        sa.Column("lifted_by", ACTOR, nullable=True),
        fk("case_id", "cases"),
        fk("user_id", "users"),
        index=["case_id", "user_id"],
    )
    for table, column, type_ in (
            ("case_members", "participation_proof", sa.String(length=300)),
            ("cases", "irb_certificate", sa.JSON()),
            ("cases", "period_months", sa.Integer()),
            ("cases", "first_use_at", TS),
            ("cases", "half_days_approved", sa.Integer()),
            ("cases", "payment_due_at", TS),
            ("cases", "approved_by", ACTOR),
            ("cases", "status_reason", sa.Text()),
            ("users", "left_at", TS),
            ("users", "left_reason", sa.String(length=20)),
            ("users", "created_by", ACTOR)):
        op.add_column(table, sa.Column(column, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('created_by')
        batch.drop_column('left_reason')
        batch.drop_column('left_at')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('status_reason')
        batch.drop_column('approved_by')
        batch.drop_column('payment_due_at')
        batch.drop_column('half_days_approved')
        batch.drop_column('first_use_at')
        batch.drop_column('period_months')
        batch.drop_column('irb_certificate')
    with op.batch_alter_table('case_members') as batch:
        batch.drop_column('participation_proof')
    drop_tables("violations", "software_declarations", "publications", "case_extensions",
                "case_charges", "case_change_requests", "notifications", "audit_sample_items",
                "audit_anomalies", "announcement_attachments", "booking_history", "audit_samples",
                "announcements")
