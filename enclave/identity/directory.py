"""Who is logging in: local accounts in the state DB (embedded default) or LDAP (production).

Every front end (hub, control plane, review service, release area) asks these the same
question through :mod:`enclave.identity.login`.

Both backends answer the same question - password right, roles, when the password was last
changed - so the A4 checks (length/complexity of the presented password, maximum age) and the
booking gate are applied identically whatever the directory.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from enclave.accounts.models import ROLES, User
from enclave.accounts.passwords import hash_password, password_problems, verify_password
from enclave.db import session_scope


@dataclass
class Identity:
    username: str
    roles: list[str]
    password_changed_at: dt.datetime | None
    source: str  # local | ldap
    attributes: dict = field(default_factory=dict)


class LoginRefused(Exception):
    """The password was right but policy refuses the login; the message is shown to the user."""


def check_password_policy(ident: Identity, password: str, accounts_policy,
                          now: dt.datetime) -> None:
    """Raise LoginRefused (with the reason) when A4 forbids this login."""
    problems = password_problems(password, accounts_policy, ident.username)
    if problems:
        raise LoginRefused("Your password no longer meets the password policy (A4: "
                           + "; ".join(problems) + "). Change it before logging in.")
    max_age = dt.timedelta(days=accounts_policy.password_max_age_days)
    if ident.password_changed_at is None:
        raise LoginRefused("Your password has no recorded change date; it must be changed "
                           "before you can log in (A4).")
    age = now - ident.password_changed_at
    if age > max_age:
        raise LoginRefused(f"Your password expired: it was last changed "
                           f"{ident.password_changed_at:%Y-%m-%d}, {age.days} days ago, and the "
                           f"limit is {accounts_policy.password_max_age_days} days (A4). "
                           f"Change it before logging in.")


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def local_identity(db_url: str, username: str, password: str) -> Identity | None:
    """Check a local account's password; None for unknown user or wrong password."""
    with session_scope(db_url) as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None or user.source != "local" or not user.password_hash:
            verify_password(_dummy_hash(), password)  # same cost as a real check: no user probing
            return None
        if not verify_password(user.password_hash, password):
            return None
        if user.status != "active":
            raise LoginRefused(f"Account {username} is {user.status}.")
        return Identity(username=username, roles=[r for r in user.role_names if r in ROLES],
                        password_changed_at=user.password_changed_at, source="local")


@dataclass
class LdapSettings:
    server_uri: str
    user_dn_template: str  # e.g. "uid={username},ou=people,dc=enclave,dc=test"
    group_search_base: str
    group_filter: str = "(&(objectClass=groupOfNames)(member={dn}))"
    # directory group cn -> enclave role
    group_roles: dict[str, str] = field(default_factory=dict)
    connect_timeout: int = 5  # ldap3 packs it with struct: must be an int


def ldap_settings_from_env(environ=None) -> LdapSettings | None:
    """The directory the web front ends use (the hub has its own traitlets):
    ``ENCLAVE_LDAP_URI``, ``ENCLAVE_LDAP_USER_DN_TEMPLATE``, ``ENCLAVE_LDAP_GROUP_BASE`` and
    ``ENCLAVE_LDAP_GROUP_ROLES`` (JSON: directory group cn -> enclave role).  None when unset."""
    env = os.environ if environ is None else environ
    uri = env.get("ENCLAVE_LDAP_URI", "").strip()
    if not uri:
        return None
    try:
        roles = json.loads(env.get("ENCLAVE_LDAP_GROUP_ROLES") or "{}")
    except json.JSONDecodeError as e:
        raise ValueError(f"ENCLAVE_LDAP_GROUP_ROLES is not JSON: {e.msg}") from None
    if not isinstance(roles, dict) or not all(isinstance(v, str) and v in ROLES for v in roles.values()):
        raise ValueError(f"ENCLAVE_LDAP_GROUP_ROLES must map group names to roles {list(ROLES)}")
    template = env.get("ENCLAVE_LDAP_USER_DN_TEMPLATE", "")
    if "{username}" not in template:
        raise ValueError("ENCLAVE_LDAP_USER_DN_TEMPLATE must contain {username}")
    return LdapSettings(uri, template, env.get("ENCLAVE_LDAP_GROUP_BASE", ""), group_roles=roles)


def _ldap_changed_at(entry) -> dt.datetime | None:
    attrs = entry.entry_attributes_as_dict
    if attrs.get("pwdChangedTime"):
        v = attrs["pwdChangedTime"][0]
        if isinstance(v, dt.datetime):
            return v.astimezone(dt.timezone.utc)
        return dt.datetime.strptime(str(v)[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)
    if attrs.get("shadowLastChange"):
        days = int(attrs["shadowLastChange"][0])
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=days)
    return None


def ldap_identity(cfg: LdapSettings, username: str, password: str) -> Identity | None:
    """Bind as the user (simple bind), then read the password age and group memberships."""
    import ldap3
    from ldap3.core.exceptions import LDAPBindError, LDAPException
    from ldap3.utils.dn import escape_rdn

    if not password or not username:
        return None  # an empty password would be an anonymous bind
    dn = cfg.user_dn_template.format(username=escape_rdn(username))
    # get_info=NONE: no schema check, so pwdChangedTime (ppolicy) may be asked for even when
    # the directory lacks that overlay.
    server = ldap3.Server(cfg.server_uri, connect_timeout=cfg.connect_timeout, get_info=ldap3.NONE)
    try:
        conn = ldap3.Connection(server, user=dn, password=password, auto_bind=True,
                                receive_timeout=cfg.connect_timeout)
    except LDAPBindError:
        return None
    except LDAPException as e:
        raise LoginRefused(f"The directory is unreachable ({e.__class__.__name__}); try later.")
    try:
        conn.search(dn, "(objectClass=*)", search_scope=ldap3.BASE,
                    attributes=["pwdChangedTime", "shadowLastChange", "uid"])
        if not conn.entries:
            return None
        changed = _ldap_changed_at(conn.entries[0])
        # the directory's own spelling of the name: a directory matches uid case- and
        # width-insensitively (RFC 4518), so "LENA" binds as lena - the caller compares
        uid = conn.entries[0].uid.value if "uid" in conn.entries[0] else None
        uid = uid[0] if isinstance(uid, list) and uid else uid
        conn.search(cfg.group_search_base,
                    cfg.group_filter.format(dn=ldap3.utils.conv.escape_filter_chars(dn)),
                    attributes=["cn"])
        groups = [str(e.cn.value) for e in conn.entries]
    finally:
        conn.unbind()
    roles = sorted({cfg.group_roles[g] for g in groups if g in cfg.group_roles})
    return Identity(username=str(uid) if uid else username, roles=roles, password_changed_at=changed, source="ldap",
                    attributes={"groups": groups})
