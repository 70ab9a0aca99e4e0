"""Demo people, case and booking for ``enclave up`` (DEMO ONLY: known passwords).

Idempotent: accounts, the case and the booking are looked up before they are created, so
``seed_demo`` can run on every start.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from enclave.accounts.models import User, UserRole
from enclave.accounts.passwords import hash_password, password_problems
from enclave.bookings import calendar as cal
from enclave.bookings.models import Booking
from enclave.cases.models import Case
from enclave.core.errors import Refused
from enclave.db import session_scope

DEMO_TITLE = "Demo: outpatient diabetes care 門診糖尿病照護（示範）"
DEMO_UNIT = "Demo University Hospital 示範大學醫院"
# role, username, password, display name, roles granted.  Passwords meet A4 and are printed by
# ``enclave up``; change them for anything real.
DEMO_ACCOUNTS = [
    ("admin", "admin", "Enclave-Demo-A1!", "Centre Admin 中心管理者", ["admin"]),
    ("reviewer", "reviewer1", "Enclave-Demo-V1!", "Reviewer One 審查員一", ["reviewer"]),
    ("reviewer", "reviewer2", "Enclave-Demo-V2!", "Reviewer Two 審查員二", ["reviewer"]),
    ("steward", "steward", "Enclave-Demo-S1!", "Data Steward 資料管理員", ["steward"]),
    ("supervisor", "supervisor", "Enclave-Demo-C1!", "Audit Supervisor 稽核主管", ["committee"]),
    ("researcher", "researcher", "Enclave-Demo-P1!", "Demo Researcher 示範研究員", ["researcher"]),
]
DEMO_SPEC = {
    "files": {
        "H_NHI_OPDTE": {"years": [2019, 2020, 2021],
                        "columns": ["FEE_YM", "HOSP_ID", "FUNC_TYPE", "FUNC_DATE", "ID", "ID_BIRTHDAY",
                                    "ID_SEX", "ICD9CM_CODE", "ICD9CM_CODE_1", "DRUG_DAYS", "T_DOT"]},
        "H_NHI_ENROL": {"years": [2019, 2020, 2021], "columns": ["ID", "ID_S", "ID_BIRTH_Y", "HOME_CITY"]},
    },
    "cohort": {"icd_prefixes": ["E11"]},
}


def seed_demo(db_url: str, policy, *, now: dt.datetime) -> dict:
    """Create (once) the demo accounts, an approved, paid, active case with an extract spec,
    and the researcher's booking of the current slot.  Returns what ``enclave up`` prints."""
    from enclave.accounts import accreditation
    from enclave.accounts import service as accounts
    from enclave.bookings import service as bookings
    from enclave.cases import service as cases
    from enclave.identity import mfa

    with session_scope(db_url) as db:
        users: dict[str, User] = {}
        for role, name, password, display, roles in DEMO_ACCOUNTS:
            u = db.execute(select(User).where(User.username == name)).scalar_one_or_none()
            if u is None:
                u = User(username=name, display_name=display, unit=DEMO_UNIT, employment="permanent",
                         region="north", status="active", created_by="demo", created_at=now)
                problems = password_problems(password, policy.accounts, name)
                if problems:
                    raise ValueError(f"demo password of {name} breaks the policy: {problems}")
                u.password_hash, u.password_changed_at = hash_password(password), now
                for r in roles:
                    u.roles.append(UserRole(role=r, granted_by="demo", granted_at=now))
                db.add(u)
                db.flush()
                cases.audit(db, "demo", "account.created", subject=name, roles=roles, demo=True)
            users[name] = u
        admin, pi = users["admin"], users["researcher"]
        case = db.execute(select(Case).where(Case.title == DEMO_TITLE, Case.applicant_id == pi.id)
                          .order_by(Case.id.desc())).scalars().first()
        if case is None or case.status not in ("approved", "active"):
            irb = {"number": "DEMO-IRB-0001", "board": "Demo IRB",
                   "investigators": [{"name": pi.username, "role": "pi"}]}
            case = cases.create_case(db, policy, pi, applicant=pi, title=DEMO_TITLE, case_type="research",
                                     priority_class="independent", purpose="Demonstration only.",
                                     irb_certificate=irb, extract_spec=DEMO_SPEC, now=now)
            cases.approve_case(db, policy, admin, case, now=now)
            cases.record_payment(db, policy, admin, case, amount=case.fees_due, now=now)
        for name, u in users.items():
            db.refresh(u)  # roles granted by the case's approval (the PI is its officer)
            if mfa.required(policy, u) and not mfa.enrolled(db, u):
                # every role the policy asks a second factor of logs in with one in the demo
                # too: the secret is enrolled and confirmed here and printed by `enclave up`,
                # as an authenticator app would hold it
                cred = mfa.start_enrolment(db, u, now)
                cred.confirmed_at = now
                db.flush()
                cases.audit(db, "demo", "mfa.enrolled", subject=name, demo=True)
        for name, u in users.items():
            if u is admin:
                continue   # nobody records their own; the admin reaches no case's data
            for kind in sorted(set(policy.accounts.accreditation_required)
                               - accreditation.current_kinds(db, u, now)):
                # the demo people have done the training and signed the undertaking (P11)
                accreditation.record(db, policy, admin, u, kind=kind, completed_at=now,
                                     note="demo", now=now)
        slot = cal.slot_at(now, policy)
        booking = _book(db, policy, bookings, cases, pi, case, slot, now) if slot is not None else None
        if booking is not None:
            # and the slot right after it, where it follows on: a demo brought up minutes before
            # its slot ends would otherwise lose its session at the boundary (back-to-back
            # bookings are one session, hub_config/slot_api.session_end)
            nxt = cal.slot_at(slot.ends_at, policy)
            if nxt is not None and nxt.starts_at == slot.ends_at:
                try:
                    _book(db, policy, bookings, cases, pi, case, nxt, now)
                except Refused:
                    pass  # the case's quota or calendar says no: the demo keeps the one slot
        return {
            "case_code": case.code,
            "extract_spec": dict(case.extract_spec),
            "accounts": [{"role": role, "username": name, "password": password,
                          "totp_secret": _secret(db, users[name])}
                         for role, name, password, _d, _r in DEMO_ACCOUNTS],
            "booking": ({"slot": f"{slot.key}", "starts_at": booking.starts_at.isoformat(),
                         "ends_at": booking.ends_at.isoformat(), "seat": booking.seat_no}
                        if booking is not None else None),
        }


def _book(db, policy, bookings, cases, pi: User, case: Case, slot, now: dt.datetime) -> Booking | None:
    """The researcher's booking of ``slot``: the one already made, else a new one (None when
    the case cannot be used then)."""
    booking = db.execute(select(Booking).where(Booking.user_id == pi.id,
                                               Booking.starts_at == slot.starts_at)).scalar_one_or_none()
    if booking is None and cases.case_usable(case, now, at=slot.starts_at) is None:
        booking = bookings.book(db, policy, pi, case, day=slot.date, slot=slot.name, now=now)[0]
    return booking


def _secret(db, user: User) -> str | None:
    """The demo account's TOTP secret (None: it logs in with its password alone)."""
    from enclave.identity import mfa

    c = mfa.credential(db, user)
    return mfa.secret_of(c) if c is not None and c.confirmed_at is not None else None
