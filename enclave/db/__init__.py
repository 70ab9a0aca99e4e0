"""The control-plane state database: SQLAlchemy 2 models, engines and Alembic migrations.

SQLite is the embedded default; PostgreSQL is the production path.  Both run the same
migrations and the same tests.
"""
from enclave.db.base import Base, utcnow
from enclave.db.engine import engine_for, make_engine, session_scope, sessionmaker_for, upgrade

__all__ = ["Base", "utcnow", "engine_for", "make_engine", "session_scope", "sessionmaker_for", "upgrade"]
