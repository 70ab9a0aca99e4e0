from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.base import Base, utcnow

ROLES = ("researcher", "reviewer", "steward", "admin", "officer", "committee")
# The one spelling of a user name (local and directory accounts alike): lower-case ASCII, so
# "ALICE", a full-width "ａlice" or "alice " cannot be a second account of alice (A1).
USERNAME_RE = re.compile(r"[a-z][a-z0-9_.-]{1,31}\Z")  # \Z: no trailing newline either


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200), default="")  # organisation (P2, A1)
    region: Mapped[str | None] = mapped_column(String(40))  # O1 announcements
    employment: Mapped[str] = mapped_column(String(20), default="permanent")  # A2
    source: Mapped[str] = mapped_column(String(10), default="local")  # local | ldap
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="active")  # active|suspended|revoked
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # A6: set when the person leaves; the yearly review lists these for revocation.
    left_at: Mapped[dt.datetime | None]
    left_reason: Mapped[str | None] = mapped_column(String(20))  # departed | retired | reassigned
    created_by: Mapped[str | None] = mapped_column(String(64))  # A1: who granted the account

    roles: Mapped[list["UserRole"]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                   lazy="selectin")

    def has_role(self, role: str) -> bool:
        return any(r.role == role for r in self.roles)

    @property
    def role_names(self) -> list[str]:
        return sorted(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    granted_by: Mapped[str | None] = mapped_column(String(64))
    granted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")


# What a person must have done before reaching a case's data (P11; SATRE 1.5.01, 1.6.04):
# the centre's data-security training and the signed confidentiality undertaking.
ACCREDITATION_KINDS = ("training", "undertaking")


class Accreditation(Base):
    """One completed training or signed undertaking, recorded by the admin or the person's
    officer (never the person), valid until ``expires_at`` unless withdrawn.  Rows are never
    deleted: a withdrawal is stamped, so the record of who was accredited when stays."""
    __tablename__ = "accreditations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime]
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[dt.datetime | None]
