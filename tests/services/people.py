"""Accounts for the service tests' worlds: one user row per person with their roles, their case
memberships and an API token, recorded on the world (``ids``, ``tokens``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from tests.services.accredit import accredit


@dataclass
class World:
    """A state DB with people in it, and the policy the service under test runs."""
    db_url: str
    policy: object
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def add_people(db, world, people: dict[str, tuple[tuple[str, ...], tuple[str, ...]]], cases: dict,
               *, token_lifetime: dt.timedelta, **user_fields) -> None:
    """``people``: name -> (roles, codes of the cases they are members of); ``cases``: code ->
    Case row (flushed); ``user_fields``: the User columns every person gets."""
    from enclave.accounts.models import User, UserRole
    from enclave.cases.models import CaseMember
    from enclave.web.auth import issue_token

    for name, (roles, member_of) in people.items():
        u = User(username=name, **user_fields)
        for r in roles:
            u.roles.append(UserRole(role=r))
        db.add(u)
        db.flush()
        accredit(db, u)
        world.ids[name] = u.id
        for code in member_of:
            db.add(CaseMember(case_id=cases[code].id, user_id=u.id))
        world.tokens[name] = issue_token(db, u, kind="api", lifetime=token_lifetime, factor="totp")
