"""A4 (identity round 8): a session's second factor is checked on every request, not only at log-in.

Every session and API token records the factor its log-in had (``WebSession.second_factor``
and ``factor``: 'totp' or 'webauthn').  A log-in opened without one stays a log-in only while
the policy of *now* (``accounts.mfa_required_roles``, ``webauthn_required_roles``) and the roles
the account holds *now* do not need one: a policy tightened, or a role granted, after the log-in
ends the use of that session until the person logs in again with the factor.  A session whose
factor is unknown (rows older than this record) counts as having none (default deny).
"""
from __future__ import annotations

from enclave.accounts.models import User
from enclave.identity.models import WebSession

FACTORS = ("totp", "webauthn")


def needed(policy, user: User) -> str | None:
    """The second factor the account's current roles need under ``policy``: 'webauthn' (a key
    only), 'any' (a TOTP code or a key), or None."""
    a = policy.accounts
    roles = set(user.role_names)
    if a.webauthn_allowed and roles & set(a.webauthn_required_roles):
        return "webauthn"
    if roles & set(a.mfa_required_roles):
        return "any"
    return None


def shortfall(policy, user: User, ws: WebSession) -> str | None:
    """Why ``ws`` may no longer act for ``user`` (None: it may).  An enrol-only session opens
    nothing but the enrolment, so it is not held to the factor it is there to enrol."""
    if ws.kind == "enrol":
        return None
    need = needed(policy, user)
    if need is None:
        return None
    factor = ws.factor if ws.factor in FACTORS else ("totp" if ws.second_factor and ws.factor is None else None)
    roles = ", ".join(sorted(set(user.role_names)))
    if need == "webauthn" and factor != "webauthn":
        return ("此登入未使用安全金鑰，而您現在的角色（" + roles + "）需要安全金鑰：請登出後以安全金鑰重新登入。"
                f"This log-in did not use a security key and your role(s) now ({roles}) need one (A4): "
                "log out and log in again with your security key.")
    if need == "any" and factor is None:
        return ("此登入沒有第二道驗證，而您現在的角色（" + roles + "）需要：請登出後以一次性密碼或安全金鑰重新登入"
                "（尚未設定者請先設定）。"
                f"This log-in had no second factor and your role(s) now ({roles}) need one (A4): log out "
                "and log in again with your one-time code or security key (enrol one first if you have none).")
    return None


def policy_or_deployed(policy):
    """The policy to judge by: the caller's, else the deployment's (never none at all)."""
    if policy is not None:
        return policy
    from policies import current_policy

    return current_policy()
