"""audit: keyed chain (scheme per record), sealed head with its journal reference, head triggers

Existing records keep their plain SHA-256 hashes and are marked ``sha256``; the first record
appended after this migration (when the master key is in hand) is a keyed ``audit.chain_keyed``
record that pins their last hash and states whether their chain was intact (enclave/audit/log.py).
"""
from alembic import op
import sqlalchemy as sa

from enclave.db.migrations.columns import SEQ

revision, down_revision = "0010_audit_keyed", "0001_core"
branch_labels, depends_on = ("audit",), None

# The head may only move forward, one record at a time, onto the last record; once keyed, its
# chain id, key id and keyed start never change; it is never deleted.  Records may only be
# appended right after the head.
_SQLITE = [
    """CREATE TRIGGER audit_records_append_next BEFORE INSERT ON audit_records
       WHEN NEW.seq <> COALESCE((SELECT seq FROM audit_head WHERE id = 1), 0) + 1
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only: records follow the head'); END""",
    """CREATE TRIGGER audit_head_insert_once BEFORE INSERT ON audit_head
       WHEN NEW.id <> 1 OR (SELECT count(*) FROM audit_head) > 0
            OR NEW.seq <> (SELECT COALESCE(MAX(seq), 0) FROM audit_records)
       BEGIN SELECT RAISE(ABORT, 'audit head is append-only'); END""",
    """CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
       WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
            OR NEW.seq <> (SELECT MAX(seq) FROM audit_records)
            OR NEW.hash <> (SELECT hash FROM audit_records WHERE seq = NEW.seq)
            OR (OLD.chain_id IS NOT NULL AND NEW.chain_id IS NOT OLD.chain_id)
            OR (OLD.key_id IS NOT NULL AND NEW.key_id IS NOT OLD.key_id)
            OR (OLD.keyed_from IS NOT NULL AND NEW.keyed_from IS NOT OLD.keyed_from)
       BEGIN SELECT RAISE(ABORT, 'audit head is append-only'); END""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
       BEGIN SELECT RAISE(ABORT, 'audit head is append-only'); END""",
]

_PG = [
    """CREATE FUNCTION audit_records_append_next() RETURNS trigger AS $$
       BEGIN
         IF NEW.seq <> COALESCE((SELECT seq FROM audit_head WHERE id = 1), 0) + 1 THEN
           RAISE EXCEPTION 'audit log is append-only: records follow the head';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_records_append_next BEFORE INSERT ON audit_records
       FOR EACH ROW EXECUTE FUNCTION audit_records_append_next()""",
    """CREATE FUNCTION audit_head_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
           RAISE EXCEPTION 'audit head is append-only';
         END IF;
         IF TG_OP = 'INSERT' THEN
           IF NEW.id <> 1 OR EXISTS (SELECT 1 FROM audit_head)
              OR NEW.seq <> (SELECT COALESCE(MAX(seq), 0) FROM audit_records) THEN
             RAISE EXCEPTION 'audit head is append-only';
           END IF;
           RETURN NEW;
         END IF;
         IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
            OR NEW.seq <> (SELECT MAX(seq) FROM audit_records)
            OR NEW.hash <> (SELECT hash FROM audit_records WHERE seq = NEW.seq)
            OR (OLD.chain_id IS NOT NULL AND NEW.chain_id IS DISTINCT FROM OLD.chain_id)
            OR (OLD.key_id IS NOT NULL AND NEW.key_id IS DISTINCT FROM OLD.key_id)
            OR (OLD.keyed_from IS NOT NULL AND NEW.keyed_from IS DISTINCT FROM OLD.keyed_from) THEN
           RAISE EXCEPTION 'audit head is append-only';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_head_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_head
       FOR EACH ROW EXECUTE FUNCTION audit_head_guard()""",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
       FOR EACH STATEMENT EXECUTE FUNCTION audit_head_guard()""",
]


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN (no batch copy: that would drop the append-only triggers)
    op.add_column("audit_records", sa.Column("scheme", sa.String(10), nullable=False, server_default="sha256"))
    op.add_column("audit_head", sa.Column("chain_id", sa.String(36), nullable=True))
    op.add_column("audit_head", sa.Column("key_id", sa.String(16), nullable=True))
    op.add_column("audit_head", sa.Column("keyed_from", SEQ, nullable=True))
    op.add_column("audit_head", sa.Column("journal_n", SEQ, nullable=False, server_default="0"))
    op.add_column("audit_head", sa.Column("journal_digest", sa.String(64), nullable=True))
    op.add_column("audit_head", sa.Column("mac", sa.String(64), nullable=True))
    for stmt in (_SQLITE if op.get_bind().dialect.name == "sqlite" else _PG):
        op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("audit_records_append_next", "audit_head_insert_once", "audit_head_forward",
                     "audit_head_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_records_append_next ON audit_records")
        op.execute("DROP TRIGGER IF EXISTS audit_head_guard ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_records_append_next()")
        op.execute("DROP FUNCTION IF EXISTS audit_head_guard()")
    for col in ("mac", "journal_digest", "journal_n", "keyed_from", "key_id", "chain_id"):
        op.drop_column("audit_head", col)
    op.drop_column("audit_records", "scheme")
