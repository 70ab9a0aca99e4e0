"""control plane: change requests, extensions, fees, software, publications, notifications,
booking history, violations, announcements, audit samples; extra columns on cases/users/members
"""
from alembic import op
import sqlalchemy as sa
import enclave.db.base  # noqa: F401  (UTCDateTime)

revision, down_revision = "0100_control", "0002_web_sessions"
branch_labels, depends_on = ("control",), None


def upgrade() -> None:
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('keywords', sa.String(length=300), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('published_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    op.create_index(op.f('ix_announcements_published_at'), 'announcements', ['published_at'], unique=False)
    op.create_index(op.f('ix_announcements_region'), 'announcements', ['region'], unique=False)
    op.create_table('audit_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_start', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('window_end', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accounts_total', sa.Integer(), nullable=False),
    sa.Column('accounts_sampled', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('report_sha256', sa.String(length=64), nullable=True),
    sa.Column('signed_by', sa.String(length=64), nullable=True),
    sa.Column('signed_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sign_note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_samples'))
    )
    op.create_table('booking_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('slot_name', sa.String(length=40), nullable=False),
    sa.Column('starts_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seat_no', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('removed_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('removed_by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_history'))
    )
    op.create_index(op.f('ix_booking_history_booking_id'), 'booking_history', ['booking_id'], unique=False)
    op.create_index(op.f('ix_booking_history_case_id'), 'booking_history', ['case_id'], unique=False)
    op.create_index(op.f('ix_booking_history_user_id'), 'booking_history', ['user_id'], unique=False)
    op.create_table('announcement_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_attachments_announcement_id_announcements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_attachments'))
    )
    op.create_index(op.f('ix_announcement_attachments_announcement_id'), 'announcement_attachments', ['announcement_id'], unique=False)
    op.create_table('audit_anomalies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('record_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sample_id'], ['audit_samples.id'], name=op.f('fk_audit_anomalies_sample_id_audit_samples'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_anomalies'))
    )
    op.create_index(op.f('ix_audit_anomalies_sample_id'), 'audit_anomalies', ['sample_id'], unique=False)
    op.create_table('audit_sample_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('records_available', sa.Integer(), nullable=False),
    sa.Column('record_seqs', sa.JSON(), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['sample_id'], ['audit_samples.id'], name=op.f('fk_audit_sample_items_sample_id_audit_samples'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_sample_items'))
    )
    op.create_index(op.f('ix_audit_sample_items_sample_id'), 'audit_sample_items', ['sample_id'], unique=False)
    op.create_index(op.f('ix_audit_sample_items_username'), 'audit_sample_items', ['username'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index(op.f('ix_notifications_user_id'), 'notifications', ['user_id'], unique=False)
    op.create_table('case_change_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_change_requests_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_change_requests'))
    )
    op.create_index(op.f('ix_case_change_requests_case_id'), 'case_change_requests', ['case_id'], unique=False)
    op.create_table('case_charges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_fee', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_charges_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_charges'))
    )
    op.create_index(op.f('ix_case_charges_case_id'), 'case_charges', ['case_id'], unique=False)
    op.create_table('case_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('retention', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_extensions_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_extensions'))
    )
    op.create_index(op.f('ix_case_extensions_case_id'), 'case_extensions', ['case_id'], unique=False)
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('cites_source', sa.Boolean(), nullable=False),
    sa.Column('copy_received_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registered_by', sa.String(length=64), nullable=False),
    sa.Column('registered_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_publications_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications'))
    )
    op.create_index(op.f('ix_publications_case_id'), 'publications', ['case_id'], unique=False)
    op.create_table('software_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.String(length=60), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_software_declarations_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_software_declarations'))
    )
    op.create_index(op.f('ix_software_declarations_case_id'), 'software_declarations', ['case_id'], unique=False)
    op.create_table('violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', enclave.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lifted_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_violations_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_violations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violations'))
    )
    op.create_index(op.f('ix_violations_case_id'), 'violations', ['case_id'], unique=False)
    op.create_index(op.f('ix_violations_user_id'), 'violations', ['user_id'], unique=False)
    op.add_column('case_members', sa.Column('participation_proof', sa.String(length=300), nullable=True))
    op.add_column('cases', sa.Column('irb_certificate', sa.JSON(), nullable=True))
    op.add_column('cases', sa.Column('period_months', sa.Integer(), nullable=True))
    op.add_column('cases', sa.Column('first_use_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True))
    op.add_column('cases', sa.Column('half_days_approved', sa.Integer(), nullable=True))
    op.add_column('cases', sa.Column('payment_due_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True))
    op.add_column('cases', sa.Column('approved_by', sa.String(length=64), nullable=True))
    op.add_column('cases', sa.Column('status_reason', sa.Text(), nullable=True))
    op.add_column('users', sa.Column('left_at', enclave.db.base.UTCDateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('left_reason', sa.String(length=20), nullable=True))
    op.add_column('users', sa.Column('created_by', sa.String(length=64), nullable=True))


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
    op.drop_index(op.f('ix_violations_user_id'), table_name='violations')
    op.drop_index(op.f('ix_violations_case_id'), table_name='violations')
    op.drop_table('violations')
    op.drop_index(op.f('ix_software_declarations_case_id'), table_name='software_declarations')
    op.drop_table('software_declarations')
    op.drop_index(op.f('ix_publications_case_id'), table_name='publications')
    op.drop_table('publications')
    op.drop_index(op.f('ix_case_extensions_case_id'), table_name='case_extensions')
    op.drop_table('case_extensions')
    op.drop_index(op.f('ix_case_charges_case_id'), table_name='case_charges')
    op.drop_table('case_charges')
    op.drop_index(op.f('ix_case_change_requests_case_id'), table_name='case_change_requests')
    op.drop_table('case_change_requests')
    op.drop_index(op.f('ix_notifications_user_id'), table_name='notifications')
    op.drop_table('notifications')
    op.drop_index(op.f('ix_audit_sample_items_username'), table_name='audit_sample_items')
    op.drop_index(op.f('ix_audit_sample_items_sample_id'), table_name='audit_sample_items')
    op.drop_table('audit_sample_items')
    op.drop_index(op.f('ix_audit_anomalies_sample_id'), table_name='audit_anomalies')
    op.drop_table('audit_anomalies')
    op.drop_index(op.f('ix_announcement_attachments_announcement_id'), table_name='announcement_attachments')
    op.drop_table('announcement_attachments')
    op.drop_index(op.f('ix_booking_history_user_id'), table_name='booking_history')
    op.drop_index(op.f('ix_booking_history_case_id'), table_name='booking_history')
    op.drop_index(op.f('ix_booking_history_booking_id'), table_name='booking_history')
    op.drop_table('booking_history')
    op.drop_table('audit_samples')
    op.drop_index(op.f('ix_announcements_region'), table_name='announcements')
    op.drop_index(op.f('ix_announcements_published_at'), table_name='announcements')
    op.drop_table('announcements')
