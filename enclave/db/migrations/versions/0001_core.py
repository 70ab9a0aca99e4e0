"""core: audit, accounts, cases, bookings"""
from alembic import op
import sqlalchemy as sa

from enclave.db.migrations.columns import (ACTOR, SEQ, TS, booking_columns, create_table, drop_tables,
                                          fk, ref)

revision, down_revision = '0001_core', None
branch_labels, depends_on = ('core',), None


def upgrade() -> None:
    create_table(
        "audit_head",
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    )
    op.create_table('audit_records',
    sa.Column('seq', SEQ, autoincrement=False, nullable=False),
    sa.Column('ts', sa.String(length=40), nullable=False),
    sa.Column('component', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('case_code', sa.String(length=40), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_records')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_records_hash'))
    )
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_records_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_case_code'), ['case_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_records_ts'), ['ts'], unique=False)

    create_table(
        "users",
        sa.Column("username", ACTOR, nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=True),
        sa.Column("employment", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("password_changed_at", TS, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
        unique=["username"],
    )
    create_table(
        "cases",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("case_type", sa.String(length=20), nullable=False),
        sa.Column("imaging", sa.Boolean(), nullable=False),
        sa.Column("priority_class", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        ref("applicant_id", "users", nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("period_start", TS, nullable=True),
        sa.Column("period_end", TS, nullable=True),
        sa.Column("fees_due", sa.Integer(), nullable=False),
        sa.Column("paid_at", TS, nullable=True),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("extract_spec", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        unique=["code"],
    )
    create_table(
        "user_roles",
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_by", ACTOR, nullable=True),
        sa.Column("granted_at", TS, nullable=False),
        unique=[("uq_user_roles_user_role", "user_id", "role")],
    )
    create_table(
        "bookings",
        booking_columns(),
        sa.Column("first_login_at", TS, nullable=True),
        fk("case_id", "cases"),
        fk("user_id", "users"),
        unique=[("uq_bookings_slot_seat", "starts_at", "seat_no")],
    )
    create_table(
        "case_members",
        ref("case_id", "cases", ondelete="CASCADE"),
        ref("user_id", "users"),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.Column("removed_at", TS, nullable=True),
        unique=[("uq_case_members_case_user", "case_id", "user_id")],
    )
    _audit_append_only()


def downgrade() -> None:
    drop_tables("case_members", "bookings", "user_roles", "cases", "users")
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_records_ts'))
        batch_op.drop_index(batch_op.f('ix_audit_records_case_code'))
        batch_op.drop_index(batch_op.f('ix_audit_records_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_records_action'))

    op.drop_table('audit_records')
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS audit_records_refuse()")
    op.drop_table('audit_head')


def _audit_append_only() -> None:
    """A5: refuse UPDATE and DELETE on the audit log at the database level."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_records_no_{verb.lower()} BEFORE {verb} ON audit_records
                           BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""")
    else:
        op.execute("""CREATE FUNCTION audit_records_refuse() RETURNS trigger AS $$
                      BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
                      FOR EACH ROW EXECUTE FUNCTION audit_records_refuse()""")
        op.execute("""CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
                      FOR EACH STATEMENT EXECUTE FUNCTION audit_records_refuse()""")
