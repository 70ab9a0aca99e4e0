"""Accounts: creation by delegation (A1), staff only (A2), passwords (A4), yearly review (A6)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.accounts.models import ROLES, USERNAME_RE, User, UserRole
from enclave.accounts.passwords import hash_password, password_problems, verify_password
from enclave.core.errors import BadInput, Forbidden, Refused
from enclave.cases.models import CaseMember
from enclave.identity.permissions import is_admin, may_manage_account
from enclave.identity.roles import sync_case_officer
from enclave.cases.service import get_user
from enclave.core.audit import audit

LEFT_REASONS = ("departed", "retired", "reassigned")


def create_account(db: Session, policy, actor: User, *, username: str, password: str,
                   display_name: str = "", unit: str = "", employment: str = "permanent",
                   email: str | None = None, region: str | None = None,
                   roles: list[str] | tuple[str, ...] = ("researcher",), now: dt.datetime) -> User:
    """A1: the centre admin creates any account; a designated officer creates researcher
    accounts for people of its own unit.  A2: never for temporary staff."""
    roles = list(dict.fromkeys(roles)) or ["researcher"]
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise BadInput(f"Unknown roles {bad}; roles are {list(ROLES)}.")
    if not is_admin(actor):
        if not actor.has_role("officer"):
            raise Forbidden("Only the centre admin or a designated officer creates accounts.", "A1")
        if set(roles) - {"researcher"}:
            raise Forbidden("A designated officer may only grant the researcher role.", "A1")
        if unit.strip() != (actor.unit or "").strip():
            raise Forbidden(f"A designated officer creates accounts for its own unit "
                            f"({actor.unit!r}) only.", "A1")
    if not USERNAME_RE.match(username or ""):
        raise BadInput("username: 2-32 characters, lower-case letters, digits, '.', '_' or '-', "
                       "starting with a letter.")
    if employment not in policy.accounts.allowed_employment:
        raise Refused(f"Accounts are only for {' or '.join(policy.accounts.allowed_employment)} "
                      f"staff, not {employment!r}.", "A2")
    problems = password_problems(password, policy.accounts, username)
    if problems:
        raise BadInput("password " + "; ".join(problems) + ".", "A4")
    if db.execute(select(User.id).where(User.username == username)).first():
        raise Refused(f"The user name {username!r} is taken.")
    user = User(username=username, display_name=display_name.strip()[:120], unit=unit.strip()[:200],
                employment=employment, email=(email or None), region=(region or None),
                password_hash=hash_password(password), password_changed_at=now, status="active",
                created_at=now, created_by=actor.username)
    for r in roles:
        user.roles.append(UserRole(role=r, granted_by=actor.username, granted_at=now))
    db.add(user)
    db.flush()
    audit(db, actor.username, "account.created", subject=username, roles=roles,
          employment=employment, unit=user.unit)
    return user


def can_manage_account(actor: User, user: User) -> bool:
    return may_manage_account(actor, user)


def revoke_account(db: Session, actor: User, user: User, *, reason: str, now: dt.datetime) -> User:
    """Revoke access at once: sessions and tokens, case memberships, future bookings."""
    from enclave.bookings.service import remove_future
    from enclave.identity.sessions import revoke_all_for_user

    if not can_manage_account(actor, user):
        raise Forbidden(f"You may not revoke {user.username}.", "A1")
    if user.id == actor.id:
        raise Refused("You cannot revoke your own account.")
    if user.status == "revoked":
        return user
    from enclave.cases.models import Case

    led = db.execute(select(Case.code).join(CaseMember, CaseMember.case_id == Case.id).where(
        CaseMember.user_id == user.id, CaseMember.removed_at.is_(None), CaseMember.role.in_(("pi", "officer")),
        Case.status.in_(("draft", "approved", "active", "suspended")))).scalars().all()
    if led:
        raise Refused(f"{user.username} is the designated officer of {', '.join(led)}; hand the case(s) "
                      f"over first (the new officer is created before the old one is revoked).", "A7")
    user.status = "revoked"
    sync_case_officer(db, user, actor.username, "account revoked")
    tokens = revoke_all_for_user(db, user.id)
    members = db.execute(select(CaseMember).where(CaseMember.user_id == user.id,
                                                  CaseMember.removed_at.is_(None))).scalars().all()
    for m in members:
        m.removed_at = now
    bookings = remove_future(db, now=now, by=actor.username, reason=f"account revoked: {reason}",
                             status="revoked", user_id=user.id)
    audit(db, actor.username, "account.revoked", subject=user.username, reason=reason,
          tokens=tokens, memberships=len(members), bookings=bookings)
    return user


def mark_left(db: Session, actor: User, user: User, *, reason: str, when: dt.datetime) -> User:
    if not is_admin(actor):
        raise Forbidden("Only the centre admin records departures.", "A1")
    if reason not in LEFT_REASONS:
        raise BadInput(f"reason must be one of {LEFT_REASONS}.")
    user.left_at, user.left_reason = when, reason
    audit(db, actor.username, "account.left", subject=user.username, reason=reason,
          when=when.isoformat())
    return user


def change_password(db: Session, policy, *, username: str, old: str, new: str, now: dt.datetime,
                    client: str = "-") -> User:
    """A4: works without logging in (an expired password cannot log in but can be changed).
    Wrong current passwords count towards the same lock-out as failed log-ins."""
    from enclave.identity import throttle

    locked = throttle.lock_reason(db, policy, username[:64], client, now)
    if locked:
        audit(db, username or "?", "password.change_refused", reason="locked or throttled (A4)")
        raise Refused(locked, "A4")
    user = db.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or user.source != "local" or user.status != "active" \
            or not verify_password(user.password_hash, old):
        audit(db, username or "?", "password.change_refused", reason="bad credentials")
        throttle.record_failure(db, policy, username[:64], client, "control", now)
        raise Refused("Wrong user name or current password.", "A4")
    problems = password_problems(new, policy.accounts, username)
    if new == old:
        problems.append("must differ from the current password")
    if problems:
        raise BadInput("New password " + "; ".join(problems) + ".", "A4")
    user.password_hash, user.password_changed_at = hash_password(new), now
    audit(db, username, "password.changed")
    return user


def account_review(db: Session, policy, now: dt.datetime) -> dict[str, list[dict]]:
    """A6 yearly review: duplicate, idle, reassigned, departed and retired accounts."""
    users = db.execute(select(User).where(User.status != "revoked").order_by(User.username)).scalars().all()
    idle_before = now - dt.timedelta(days=policy.accounts.idle_account_days)
    out: dict[str, list[dict]] = {"duplicate": [], "idle": [], "reassigned": [], "departed": [],
                                  "retired": []}

    def row(u: User, why: str) -> dict:
        return {"username": u.username, "display_name": u.display_name, "unit": u.unit,
                "status": u.status, "why": why,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None}

    groups: dict[tuple, list[User]] = defaultdict(list)
    for u in users:
        if u.email:
            groups[("email", u.email.strip().casefold())].append(u)
        if u.display_name.strip():
            groups[("name", u.display_name.strip().casefold(), u.unit.strip().casefold())].append(u)
    seen = set()
    for key, us in groups.items():
        if len(us) > 1:
            for u in us:
                if u.username not in seen:
                    seen.add(u.username)
                    others = ", ".join(o.username for o in us if o is not u)
                    out["duplicate"].append(row(u, f"same {key[0]} as {others}"))
    for u in users:
        last = u.last_login_at or u.created_at
        if last < idle_before:
            out["idle"].append(row(u, f"no log-in since {last:%Y-%m-%d} "
                                      f"(>{policy.accounts.idle_account_days} days)"))
        if u.left_reason in LEFT_REASONS:
            out[u.left_reason].append(row(u, f"{u.left_reason} on {u.left_at:%Y-%m-%d}"
                                          if u.left_at else u.left_reason))
    return out


def record_review(db: Session, policy, actor: User, now: dt.datetime, revoke: list[str]) -> dict:
    """Record the yearly review in the audit log and revoke the accounts chosen."""
    if not is_admin(actor):
        raise Forbidden("Only the centre admin performs the account review.", "A6")
    found = account_review(db, policy, now)
    listed = {r["username"] for rows in found.values() for r in rows}
    not_listed = [u for u in revoke if u not in listed]
    if not_listed:
        raise BadInput(f"Not listed by the review: {not_listed}.")
    for name in revoke:
        revoke_account(db, actor, get_user(db, name), reason="yearly account review (A6)", now=now)
    audit(db, actor.username, "account.review", reason="yearly review (A6)",
          counts={k: len(v) for k, v in found.items()}, revoked=revoke)
    return {"found": found, "revoked": revoke}
