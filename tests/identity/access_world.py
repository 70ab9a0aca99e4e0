"""A control-plane state DB with two running cases (A and B) and one object of every kind in
each - extension, change, software declaration, publication, booking, violation, query, account
created by the case's PI - and people of every kind around them, for the access matrix."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from enclave.accounts.models import User, UserRole
from enclave.audit import AuditEntry, append
from enclave.cases import service as cases
from enclave.db import session_scope, upgrade
from enclave.identity.sessions import issue_token
from tests.control.conftest import IRB, SPEC, T0, mk_user

DAY = dt.date(2026, 11, 24)     # the Tuesday after T0: an open day with free slots
# name -> (roles, case membership: "A", "B", "A-former" or None, account status)
PEOPLE = {
    "admin": (("admin",), None, "active"), "boss": (("committee",), None, "active"),
    "steward": (("steward",), None, "active"), "rev": (("reviewer",), None, "active"),
    "pi_a": (("researcher",), "A", "active"), "alice": (("researcher",), "A", "active"),
    "pi_b": (("researcher",), "B", "active"), "bob": (("researcher",), "B", "active"),
    "former": (("researcher",), "A-former", "active"), "norole": ((), None, "active"),
    "suspended": (("researcher",), "A", "suspended"), "revoked": (("researcher",), "A", "revoked"),
}


@dataclass
class AccessWorld:
    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)        # "A" -> case code
    objs: dict[str, dict[str, object]] = field(default_factory=dict)   # "A" -> {param: value}
    roles: dict[str, set[str]] = field(default_factory=dict)

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def build(url: str, policy) -> AccessWorld:
    from enclave.announcements import service as ann
    from enclave.audit.sampling import service as sampling
    from enclave.bookings import service as bookings
    from enclave.violations import service as violations

    upgrade(url)
    w = AccessWorld(url)
    with session_scope(url) as db:
        users = {}
        for name, (roles, _, _) in PEOPLE.items():
            u = mk_user(db, name, *roles, when=T0 - dt.timedelta(days=30)) if roles else None
            if u is None:   # an account with no role at all
                u = mk_user(db, name, "researcher", when=T0 - dt.timedelta(days=30))
                u.roles.clear()
                db.flush()
            users[name] = u
        admin, boss = users["admin"], users["boss"]
        made = {}
        for key, pi, member in (("A", "pi_a", "alice"), ("B", "pi_b", "bob")):
            extra = [(users[member], None)] + ([(users["former"], None), (users["suspended"], None),
                                                 (users["revoked"], None)] if key == "A" else [])
            c = cases.create_case(db, policy, users[pi], applicant=users[pi], title=f"case {key}",
                                  case_type="research", irb_certificate=IRB(pi), extract_spec=SPEC,
                                  members=extra, now=T0 - dt.timedelta(days=20))
            cases.approve_case(db, policy, boss, c, now=T0 - dt.timedelta(days=20))
            cases.record_payment(db, policy, admin, c, amount=c.fees_due, now=T0 - dt.timedelta(days=20))
            made[key] = c
            w.codes[key] = c.code
        for m in made["A"].members:
            if m.user_id == users["former"].id:
                m.removed_at = T0 - dt.timedelta(days=5)
        for key, pi, member in (("A", "pi_a", "alice"), ("B", "pi_b", "bob")):
            c, p, mem = made[key], users[pi], users[member]
            ext = cases.request_extension(db, policy, p, c, days=30, now=T0)
            ch = cases.request_change(db, policy, p, c, kind="files", now=T0,
                                      payload={"files": {"H_NHI_DDTE": {"years": [2020], "columns": ["ID"]}}})
            sw = cases.declare_software(db, mem, c, name="R", version="4.4", purpose="models", now=T0)
            pub = cases.register_publication(db, mem, c, title="A paper", published_on=dt.date(2026, 10, 1),
                                             cites_source=True, now=T0)
            bk = bookings.book(db, policy, mem, c, day=DAY, slot="morning", now=T0)[0]
            acct = User(username=f"acct_{key.lower()}", display_name="x", unit=p.unit, employment="permanent",
                        password_hash=mem.password_hash, password_changed_at=T0, status="active",
                        created_at=T0, created_by=pi)
            acct.roles.append(UserRole(role="researcher", granted_by=pi, granted_at=T0))
            db.add(acct)
            db.flush()
            v = violations.record_violation(db, policy, admin, mem, c, kind="pi_notified",
                                            reason="test", now=T0)
            q = append(db, AuditEntry("session", member, "session.query", case_code=c.code, reason="counts",
                                      subject="SELECT 1", detail={"booking": bk.id}), now=T0).seq
            a = ann.publish(db, policy, admin, title=f"notice {key}", body="<p>x</p>", region=f"R{key}",
                            keywords="", attachments=[("a.txt", "text/plain", b"hello")], now=T0)
            w.objs[key] = {"code": c.code, "ext_id": ext.id, "change_id": ch.id, "decl_id": sw.id,
                           "pub_id": pub.id, "booking_id": bk.id, "username": acct.username,
                           "violation_id": v.id, "query_seq": q, "ann_id": a.id,
                           "att_id": a.attachments[0].id, "member": member, "booker": member}
        s = sampling.create_sample(db, policy, admin, now=T0)
        from enclave.audit import internal   # A6: an internal audit opened by the committee

        ia = internal.open_audit(db, policy, boss, scope="the yearly internal audit of 2026", now=T0)
        for key in ("A", "B"):
            w.objs[key].update(audit_id=ia.id, sample_id=s.id, item_id=s.items[0].id if s.items else 1, number=1,
                               role="researcher")
        for name, u in users.items():
            w.tokens[name] = issue_token(db, u, kind="api", lifetime=dt.timedelta(days=400), factor="totp")
            u.status = PEOPLE[name][2]
            w.roles[name] = set(u.role_names)
    return w


def relation(w: AccessWorld, name: str, key: str) -> set[str]:
    """What ``name`` is to case ``key``'s objects: member / officer / own / created / independent."""
    roles, member_of, status = PEOPLE[name]
    out: set[str] = set()
    if member_of == key:
        out.add("member")
        if name.startswith("pi_"):
            out.add("officer")
    if name == w.objs[key]["booker"]:
        out.add("own")
    if name == f"pi_{key.lower()}":
        out.add("created")          # acct_<key> was created by the case's PI
    if member_of not in (key, f"{key}-former") and name != f"pi_{key.lower()}":
        out.add("independent")
    return out
