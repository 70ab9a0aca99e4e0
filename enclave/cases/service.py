"""Case life cycle (RULES.md P1–P12, A1, A2, A7, A8).

Every function takes the caller's session, changes state and appends to the audit log in the
same transaction; a rule that forbids the change raises :class:`Refused` naming the rule.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any, Iterable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from enclave.accounts.models import User
from enclave.core.audit import audit
from enclave.core.errors import BadInput, NotFound, Refused
from enclave.cases.models import (Case, CaseMember, Charge, Extension, Notification,
                                  Publication, SoftwareDeclaration)
from enclave.cases import standing
from enclave.identity.roles import grant_case_officer
from enclave.identity.permissions import (can_manage, can_view, case_people, is_decider, is_member,
                                          not_self, require)

LIVE_STATUSES = ("draft", "approved", "active", "suspended")  # P5: count towards the limit
CASE_TYPES = ("government", "research")
IRB_ROLES = ("pi", "co_pi")
CHANGE_KINDS = ("staff", "files", "columns")
FAMILY_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
COLUMN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    y, m = divmod(when.month - 1 + months, 12)
    year, month = when.year + y, m + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def notify(db: Session, user_id: int, subject: str, body: str = "") -> None:
    db.add(Notification(user_id=user_id, subject=subject[:300], body=body))


def get_case(db: Session, code: str) -> Case:
    case = db.execute(select(Case).where(Case.code == code)).scalar_one_or_none()
    if case is None:
        raise NotFound(f"No case {code!r}.")
    return case


def get_user(db: Session, username: str) -> User:
    user = db.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"No account {username!r}.")
    return user


def _serialise_case_creation(db: Session) -> None:
    # PostgreSQL: case codes and the P5 count are check-then-insert; serialise them.  SQLite
    # transactions already begin IMMEDIATE.
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(734202)"))


# ---------------------------------------------------------------- checks used elsewhere

def applications_refused(db: Session, user_id: int) -> bool:
    """A8: a live 'future applications refused' violation bars the person as applicant."""
    from enclave.violations.models import Violation

    return db.execute(select(func.count()).select_from(Violation).where(
        Violation.user_id == user_id, Violation.kind == "future_applications_refused",
        Violation.lifted_at.is_(None))).scalar_one() > 0


def overdue_publications(db: Session, policy, applicant_id: int, now: dt.datetime) -> list[Publication]:
    """P12: publications of the applicant's cases whose copy is overdue."""
    due_before = (now - dt.timedelta(days=policy.cases.publication_copy_due_days)).date()
    return list(db.execute(
        select(Publication).join(Case, Case.id == Publication.case_id)
        .where(Case.applicant_id == applicant_id, Publication.copy_received_at.is_(None),
               Publication.published_on < due_before)).scalars())


def live_cases(db: Session, applicant_id: int) -> list[Case]:
    return list(db.execute(select(Case).where(Case.applicant_id == applicant_id,
                                              Case.status.in_(LIVE_STATUSES))).scalars())


def check_person(policy, user: User, what: str) -> None:
    """A2: only active permanent or contract staff take part."""
    if user.employment not in policy.accounts.allowed_employment:
        raise Refused(f"{user.username} is {user.employment} staff; {what} is only for "
                      f"{' or '.join(policy.accounts.allowed_employment)} staff.", "A2")
    if user.status != "active":
        raise Refused(f"{user.username}'s account is {user.status}.", "A2")


def validate_spec(spec: Any) -> dict:
    """D3 extract specification, the format ``datasets.extract`` builds from:
    {"release": "...", "files": {FAMILY: {"years": [...], "columns": [...]}},
    "cohort": {"icd_prefixes": [...], "sex": [...], "age": {...}}}.  Errors name the key."""
    if spec is None:
        return {"files": {}}
    if not isinstance(spec, dict):
        raise BadInput("extract_spec must be an object with a 'files' mapping.", "D3")
    unknown = set(spec) - {"release", "files", "cohort"}
    if unknown:
        raise BadInput(f"extract_spec: unknown keys {sorted(unknown)}; allowed: release, files, cohort.", "D3")
    files = spec.get("files", {})
    if not isinstance(files, dict):
        raise BadInput("extract_spec.files must map file family → {years, columns}.", "D3")
    out: dict[str, Any] = {"files": {}}
    for fam, body in files.items():
        if not isinstance(fam, str) or not FAMILY_RE.match(fam):
            raise BadInput(f"extract_spec.files: {fam!r} is not a file family name (e.g. H_NHI_OPDTE).", "D3")
        if not isinstance(body, dict) or set(body) - {"years", "columns"}:
            raise BadInput(f"extract_spec.files.{fam} must be an object with years and columns.", "D3")
        years = body.get("years") or []
        cols = body.get("columns", [])
        if not isinstance(years, list) or not all(isinstance(y, int) and 1990 <= y <= 2100 for y in years):
            raise BadInput(f"extract_spec.files.{fam}.years must be a list of years 1990-2100.", "D3")
        if not isinstance(cols, list) or not all(isinstance(c, str) and COLUMN_RE.match(c) for c in cols):
            raise BadInput(f"extract_spec.files.{fam}.columns must be a list of column names.", "D3")
        entry: dict[str, Any] = {"columns": list(dict.fromkeys(cols))}
        if years:  # no years: every year of the release (and families not split by year)
            entry["years"] = sorted(set(years))
        out["files"][fam] = entry
    if spec.get("release") is not None:
        if not isinstance(spec["release"], str) or len(spec["release"]) > 80:
            raise BadInput("extract_spec.release must be a release id.", "D3")
        out["release"] = spec["release"]
    if spec.get("cohort") is not None:
        if not isinstance(spec["cohort"], dict):
            raise BadInput("extract_spec.cohort must be an object (icd_prefixes, sex, age).", "D3")
        out["cohort"] = spec["cohort"]
    return out


def _irb_names_applicant(irb: Any, applicant: User) -> bool:
    if not isinstance(irb, dict) or not str(irb.get("number", "")).strip():
        return False
    names = {applicant.username.casefold(), (applicant.display_name or "").strip().casefold()} - {""}
    for inv in irb.get("investigators", []) or []:
        if isinstance(inv, dict) and str(inv.get("role", "")).lower() in IRB_ROLES \
                and str(inv.get("name", "")).strip().casefold() in names:
            return True
    return False


def _check_unit(case: Case, applicant: User, user: User, proof: str | None) -> None:
    """P2: processors belong to the applicant's unit, or show proof of participation."""
    if user.id == applicant.id:
        return
    if (user.unit or "").strip() and user.unit.strip() == (applicant.unit or "").strip():
        return
    if proof and proof.strip():
        return
    raise Refused(f"{user.username} is from unit {user.unit!r}, not the applicant's "
                  f"{applicant.unit!r}; attach proof of participation.", "P2")


# ---------------------------------------------------------------- application and approval

def create_case(db: Session, policy, actor: User, *, applicant: User, title: str, case_type: str,
                imaging: bool = False, priority_class: str = "independent", purpose: str = "",
                irb_certificate: dict | None = None, extract_spec: dict | None = None,
                seats: int | None = None, period_months: int | None = None,
                members: Iterable[tuple[User, str | None]] = (), now: dt.datetime) -> Case:
    require(actor.id == applicant.id or is_decider(actor), "file an application for someone else")
    if case_type not in CASE_TYPES:
        raise BadInput(f"case_type must be one of {CASE_TYPES}, not {case_type!r}.", "P1")
    if priority_class not in policy.cases.priority_order:
        raise BadInput(f"priority_class must be one of {policy.cases.priority_order}.", "P6")
    if not title.strip():
        raise BadInput("A case needs a title.")
    if seats is None:
        seats = policy.sessions.seats_per_case      # S4: one seat unless more are asked for
    if seats < 1 or seats > policy.sessions.centre_seats:
        raise BadInput(f"seats must be 1..{policy.sessions.centre_seats}.", "S4")
    check_person(policy, applicant, "applying for a case")
    if applications_refused(db, applicant.id):
        raise Refused(f"{applicant.username} is barred from new applications by a recorded "
                      f"violation.", "A8")
    overdue = overdue_publications(db, policy, applicant.id, now)
    if overdue:
        raise Refused(f"A copy of the publication {overdue[0].title!r} is overdue "
                      f"(due {policy.cases.publication_copy_due_days} days after publication); "
                      f"the next application is refused until it arrives.", "P12")
    from enclave.cases.model_handover import check_next_application

    check_next_application(db, policy, applicant, now)   # E8: an imaging case's models owed
    if case_type == "research" and not _irb_names_applicant(irb_certificate, applicant):
        raise Refused("A research case needs an IRB certificate (number and investigators) naming "
                      "the applicant as PI or co-PI.", "P1")
    if imaging and period_months is not None and period_months not in policy.cases.imaging_period_months:
        raise BadInput(f"An imaging case's period is one of {policy.cases.imaging_period_months} "
                       f"months.", "P3")
    spec = validate_spec(extract_spec)
    _serialise_case_creation(db)
    live = live_cases(db, applicant.id)
    if len(live) >= policy.cases.max_concurrent_cases:
        raise Refused(f"{applicant.username} already has {len(live)} concurrent cases "
                      f"({', '.join(c.code for c in live)}); at most "
                      f"{policy.cases.max_concurrent_cases} - wait until one ends.", "P5")
    prefix = f"C{now.year}-"
    last = db.execute(select(func.max(Case.code)).where(Case.code.like(prefix + "%"))).scalar_one()
    n = int(last.removeprefix(prefix)) + 1 if last else 1
    case = Case(code=f"{prefix}{n:04d}", title=title.strip()[:300], case_type=case_type,
                imaging=imaging, priority_class=priority_class, status="draft",
                applicant_id=applicant.id, seats=seats, extract_spec=spec, purpose=purpose,
                irb_certificate=irb_certificate, period_months=period_months, created_at=now)
    case.members.append(CaseMember(user_id=applicant.id, role="pi", added_at=now))
    db.add(case)
    db.flush()
    for user, proof in members:
        _add_member(db, policy, case, applicant, user, proof, now)
    db.flush()
    # Filing grants nothing: the officer role comes with the committee's approval (A1, A7).
    audit(db, actor.username, "case.created", case, subject=applicant.username,
          case_type=case_type, imaging=imaging, priority_class=priority_class,
          members=[u.username for u, _ in members])
    return case


def _add_member(db: Session, policy, case: Case, applicant: User, user: User, proof: str | None,
                now: dt.datetime) -> CaseMember:
    check_person(policy, user, "case membership")
    _check_unit(case, applicant, user, proof)
    existing = next((m for m in case.members if m.user_id == user.id), None)
    if existing is not None:
        if existing.removed_at is None:
            raise Refused(f"{user.username} is already a member of {case.code}.")
        existing.removed_at, existing.participation_proof = None, proof
        existing.role, existing.added_at = "member", now
        return existing
    m = CaseMember(user_id=user.id, role="member", participation_proof=proof, added_at=now)
    case.members.append(m)
    db.flush()
    return m


def add_member(db: Session, policy, actor: User, case: Case, user: User, proof: str | None,
               now: dt.datetime) -> CaseMember:
    """A1: the case officer (or centre admin) adds members while the case is a draft; after
    approval staff change only through a change request (P7)."""
    require(can_manage(actor, case), f"add members to {case.code}")
    if case.status != "draft":
        raise Refused("After approval, processing staff change only through a staff change "
                      "request.", "P7")
    m = _add_member(db, policy, case, db.get(User, case.applicant_id), user, proof, now)
    audit(db, actor.username, "case.member_added", case, subject=user.username,
          proof=bool(proof))
    return m


def fees_at_approval(policy, case: Case) -> list[tuple[str, int, int, str]]:
    """P10: (item, quantity, unit fee, note) from the policy fee schedule."""
    fees = policy.cases.fee_schedule
    lines = []
    pairs = sum(max(1, len(b.get("years", []))) for b in case.extract_spec.get("files", {}).values())
    if pairs:
        lines.append(("extraction_per_file", pairs, fees.get("extraction_per_file", 0),
                      "one per file family and year"))
    if case.half_days_approved:
        lines.append(("half_day_seat", case.half_days_approved * case.seats,
                      fees.get("half_day_seat", 0), "approved half-days × seats"))
    return lines


def recompute_period(policy, case: Case) -> None:
    """P3/P4: a research period is counted from the first use or N months after approval,
    whichever is first; a government period from approval; approved extensions are added.

    ``period_start`` is when the case may first be used: the approval until the first use is
    known (work may begin at once), then the start of the counted period."""
    if case.approved_at is None:
        return
    counted = add_months(case.approved_at, policy.cases.period_starts_after_approval_months) \
        if case.case_type == "research" else case.approved_at
    if case.first_use_at is not None and case.first_use_at < counted:
        counted = case.first_use_at
    months = case.period_months or (policy.cases.government_period_months
                                    if case.case_type == "government"
                                    else policy.cases.research_period_months)
    ext = sum(e.days for e in _extensions(case) if e.status == "approved")
    case.period_start = counted if (case.first_use_at is not None or counted <= case.approved_at) \
        else case.approved_at
    case.period_end = add_months(counted, months) + dt.timedelta(days=ext)


def _extensions(case: Case) -> list[Extension]:
    from sqlalchemy.orm import object_session

    db = object_session(case)
    return list(db.execute(select(Extension).where(Extension.case_id == case.id)
                           .order_by(Extension.id)).scalars())


def approve_case(db: Session, policy, actor: User, case: Case, *, now: dt.datetime,
                 period_months: int | None = None, working_days: float | None = None,
                 seats: int | None = None, seen_version: str | None = None, check_version: bool = False) -> Case:
    """``check_version``: the approval binds the draft version the decider read (``seen_version``,
    A1 round 8) - every HTTP approval; in-process callers that read the draft themselves pass none."""
    require(is_decider(actor), "approve cases")
    not_self(actor, case_people(case), f"approve {case.code}")
    standing.lock_for_decision(db, case)
    if case.status != "draft":
        raise Refused(f"{case.code} is {case.status}, not a draft awaiting approval.")
    if check_version:
        from enclave.cases.draft_version import require_version

        require_version(db, case, seen_version)
    if case.imaging:
        months = period_months or case.period_months
        if months not in policy.cases.imaging_period_months:
            raise BadInput(f"The committee sets an imaging case's period: one of "
                           f"{policy.cases.imaging_period_months} months.", "P3")
        case.period_months = months
    elif period_months is not None:
        raise BadInput("Only imaging cases take a committee-set period.", "P3")
    if case.case_type == "government":
        if not working_days or working_days <= 0:
            raise BadInput("A government case is limited to approved working days: give them.", "P4")
        case.half_days_approved = int(round(working_days * 2))
    elif working_days:
        case.half_days_approved = int(round(working_days * 2))
    if seats is not None:
        if seats < 1 or seats > policy.sessions.centre_seats:
            raise BadInput(f"seats must be 1..{policy.sessions.centre_seats}.", "S4")
        case.seats = seats
    case.status, case.approved_at, case.approved_by = "approved", now, actor.username
    case.payment_due_at = now + dt.timedelta(days=policy.cases.payment_deadline_days)
    total = 0
    for item, qty, unit, note in fees_at_approval(policy, case):
        db.add(Charge(case_id=case.id, item=item, quantity=qty, unit_fee=unit, amount=qty * unit,
                      note=note, created_at=now))
        total += qty * unit
    case.fees_due = total
    recompute_period(policy, case)
    grant_case_officer(db, db.get(User, case.applicant_id), case.code, actor.username, now)
    audit(db, actor.username, "case.approved", case, fees_due=total, seats=case.seats,
          payment_due_at=case.payment_due_at.isoformat(), period_end=case.period_end.isoformat(),
          half_days=case.half_days_approved)
    return case


def refresh_case(db: Session, policy, case: Case, now: dt.datetime, actor: str = "system") -> Case:
    """Apply what time has decided: P10 an approved case unpaid after the deadline is void;
    P3 a first log-in recorded on a booking (by the sessions gate) starts the period."""
    from enclave.bookings.models import Booking

    if case.first_use_at is None and case.status in ("approved", "active", "suspended"):
        first = db.execute(select(func.min(Booking.first_login_at)).where(
            Booking.case_id == case.id)).scalar_one()
        if first is not None:
            if first.tzinfo is None:
                first = first.replace(tzinfo=dt.timezone.utc)
            record_first_use(db, policy, case, first, actor)
    if case.status == "approved" and case.paid_at is None and case.payment_due_at is not None \
            and now > case.payment_due_at:
        case.status = "void"
        case.status_reason = (f"not paid within {policy.cases.payment_deadline_days} days "
                              f"of approval (P10)")
        audit(db, actor, "case.void", case, reason=case.status_reason,
              payment_due_at=case.payment_due_at.isoformat())
        from enclave.cases.officers import end_case_officers

        end_case_officers(db, case, actor, f"case {case.code} void")
    return case


def record_payment(db: Session, policy, actor: User, case: Case, *, amount: int,
                   now: dt.datetime) -> Case:
    """P10: payment within the deadline activates the case; a late one finds it void.

    A late payment does not raise: the case is voided and the caller reports it (the void
    must be committed, not rolled back with an exception)."""
    require(is_decider(actor) or actor.has_role("steward"), "record payments")
    not_self(actor, case_people(case), f"record the payment of {case.code}")
    standing.lock_for_decision(db, case)
    refresh_case(db, policy, case, now, actor.username)
    if case.status == "void":
        audit(db, actor.username, "case.payment_refused", case, amount=amount,
              reason="payment after the deadline; the case is void (P10)")
        return case
    if case.status == "active" and case.paid_at is not None:
        from enclave.cases import bought_days

        rows = bought_days.unpaid(db, case)   # P7/P10: bought working days wait for this
        if rows:
            return bought_days.pay(db, actor, case, rows, amount=amount, now=now)
    if case.status != "approved" or case.paid_at is not None:
        raise Refused(f"{case.code} is {case.status}; no payment is awaited.")
    if amount < case.fees_due:
        raise Refused(f"{case.code} owes {case.fees_due} TWD; {amount} is not enough.", "P10")
    case.paid_at, case.status = now, "active"
    audit(db, actor.username, "case.paid", case, amount=amount)
    return case


def case_usable(case: Case, now: dt.datetime, at: dt.datetime | None = None) -> str | None:
    """Why the case cannot be used at ``at`` (None if it can): active, paid and in period."""
    at = at or now
    if case.status != "active":
        return f"case {case.code} is {case.status}" + (f": {case.status_reason}" if case.status_reason else "")
    if case.paid_at is None:
        return f"case {case.code} is not paid (P10)"
    if case.period_end is not None and at >= case.period_end:
        return f"case {case.code}'s data-use period ends {case.period_end:%Y-%m-%d %H:%M} UTC (P3)"
    return None


def record_first_use(db: Session, policy, case: Case, when: dt.datetime, actor: str) -> None:
    """P3: the first use starts the period if it comes before the approval-based start."""
    if case.first_use_at is None:
        case.first_use_at = when
        recompute_period(policy, case)
        audit(db, actor, "case.first_use", case, period_start=case.period_start.isoformat(),
              period_end=case.period_end.isoformat())


# ---------------------------------------------------------------- extensions (P4, P9)

def request_extension(db: Session, policy, actor: User, case: Case, *, days: int, retention: bool = True,
                      now: dt.datetime) -> Extension:
    require(can_manage(actor, case), f"ask for an extension of {case.code}")
    cp = policy.cases
    if case.status not in ("active", "approved", "suspended") or case.period_end is None:
        raise Refused(f"{case.code} is {case.status}; only a running case can be extended.")
    if days < 1:
        raise BadInput("days must be at least 1.")
    left = case.period_end - now
    if left < dt.timedelta(days=cp.extension_notice_days):
        raise Refused(f"Extensions must be asked at least {cp.extension_notice_days} days before "
                      f"the period ends ({case.period_end:%Y-%m-%d}); only "
                      f"{max(left.days, 0)} days are left.", "P4")
    exts = [e for e in _extensions(case) if e.status in ("pending", "approved")]
    if any(e.status == "pending" for e in exts):
        raise Refused("An extension request is already waiting for a decision.")
    if case.imaging:
        if len(exts) >= cp.imaging_max_extensions:
            raise Refused(f"An imaging case may be extended {cp.imaging_max_extensions} time(s).", "P9")
        months = case.period_months or cp.research_period_months
        base_end = case.period_end - dt.timedelta(days=sum(e.days for e in exts if e.status == "approved"))
        original = (base_end - add_months(base_end, -months)).days
        if days > original:
            raise Refused(f"An imaging extension may not be longer than the original period "
                          f"({original} days).", "P9")
    else:
        if days > cp.extension_days:
            raise Refused(f"Each extension is at most {cp.extension_days} days.", "P4")
        if case.case_type == "research" and case.period_start is not None:
            base_end = case.period_end - dt.timedelta(days=sum(e.days for e in exts if e.status == "approved"))
            cap = (add_months(base_end, cp.research_max_extension_months) - base_end).days
            used = sum(e.days for e in exts)
            if used + days > cap:
                raise Refused(f"A research case may be extended by at most "
                              f"{cp.research_max_extension_months} months in all ({cap} days); "
                              f"{used} days are already asked or granted.", "P9")
    ext = Extension(case_id=case.id, days=days, retention=retention, requested_by=actor.username,
                    requested_at=now)
    db.add(ext)
    db.flush()
    audit(db, actor.username, "case.extension_requested", case, days=days, retention=retention)
    return ext


def decide_extension(db: Session, policy, actor: User, ext: Extension, *, approve: bool,
                     now: dt.datetime) -> Extension:
    require(is_decider(actor), "decide extension requests")
    case = db.get(Case, ext.case_id)
    not_self(actor, case_people(case) | _user_ids(db, [ext.requested_by]), f"decide on {case.code}'s extension")
    standing.lock_for_decision(db, ext)
    if ext.status != "pending":
        raise Refused(f"This extension request is already {ext.status}.")
    if approve:
        standing.require_standing(db, case, ext.requested_by, "extension", now)
    ext.status, ext.decided_by, ext.decided_at = ("approved" if approve else "refused"), actor.username, now
    db.flush()
    recompute_period(policy, case)
    audit(db, actor.username, f"case.extension_{ext.status}", case, days=ext.days,
          period_end=case.period_end.isoformat() if case.period_end else None)
    return ext


# ---------------------------------------------------------------- working days (P4, P7, P8)

def half_days_used(db: Session, case: Case) -> int:
    from enclave.bookings.models import Booking

    rows = db.execute(select(Booking.kind).where(Booking.case_id == case.id,
                                                 Booking.kind == "interactive")).all()
    return len(rows)  # booked, attended and no-show all count as used (S3)


def buy_working_days(db: Session, policy, actor: User, case: Case, *, days: int, now: dt.datetime) -> Case:
    require(can_manage(actor, case), f"buy working days for {case.code}")
    if days < 1 or days > 365:
        raise BadInput("days must be 1..365.")
    if case.status not in ("approved", "active") or case.half_days_approved is None:
        raise Refused(f"{case.code} has no working-day allowance to add to.", "P7")
    from enclave.cases import bought_days   # P7/P10: on a paid case they count once paid

    bought_days.buy(db, policy, actor, case, days=days, now=now)
    return case


def transfer_working_days(db: Session, policy, actor: User, source: Case, target: Case, *, days: int,
                          now: dt.datetime) -> None:
    """P8: unused working days move to the same applicant's other case; never refunded."""
    require(can_manage(actor, source) and (can_manage(actor, target)), "move working days between these cases")
    if days < 1:
        raise BadInput("days must be at least 1.")
    if source.id == target.id:
        raise BadInput("Source and target are the same case.")
    if source.applicant_id != target.applicant_id:
        raise Refused("Working days move only to the same applicant's other case.", "P8")
    # re-read both under a lock: two transfers at once both saw the same unused days (PostgreSQL)
    standing.lock_cases(db, source, target)
    why = standing.unpaid_days(source)
    if why is not None:
        raise Refused(why + ".", "P8")
    if source.half_days_approved is None or target.half_days_approved is None:
        raise Refused("Both cases must have a working-day allowance.", "P8")
    if target.status not in ("approved", "active"):
        raise Refused(f"{target.code} is {target.status}.", "P8")
    unused = source.half_days_approved - half_days_used(db, source)
    if 2 * days > unused:
        raise Refused(f"{source.code} has {unused / 2:g} unused working days.", "P8")
    source.half_days_approved -= 2 * days
    target.half_days_approved += 2 * days
    audit(db, actor.username, "case.working_days_transferred", source, subject=target.code,
          days=days, refund=0)


# ---------------------------------------------------------------- software (P11)

def declare_software(db: Session, actor: User, case: Case, *, name: str, version: str = "",
                     purpose: str = "", now: dt.datetime) -> SoftwareDeclaration:
    require(is_member(actor, case) or can_manage(actor, case), f"declare software for {case.code}")
    if not name.strip():
        raise BadInput("Software needs a name.")
    d = SoftwareDeclaration(case_id=case.id, name=name.strip()[:120], version=version.strip()[:60],
                            purpose=purpose, requested_by=actor.username, requested_at=now)
    db.add(d)
    db.flush()
    audit(db, actor.username, "software.declared", case, subject=f"{d.name} {d.version}".strip())
    return d


def decide_software(db: Session, actor: User, d: SoftwareDeclaration, *, approve: bool,
                    now: dt.datetime) -> SoftwareDeclaration:
    require(is_decider(actor), "approve software")
    not_self(actor, case_people(db.get(Case, d.case_id)) | _user_ids(db, [d.requested_by]),
             "decide on software declared for your own case")
    standing.lock_for_decision(db, d)
    if d.status != "pending":
        raise Refused(f"This declaration is already {d.status}.")
    if approve:
        standing.require_standing(db, db.get(Case, d.case_id), d.requested_by, "software", now)
    d.status, d.decided_by, d.decided_at = ("approved" if approve else "refused"), actor.username, now
    audit(db, actor.username, f"software.{d.status}", db.get(Case, d.case_id),
          subject=f"{d.name} {d.version}".strip())
    return d


def software_approved(db: Session, case_code: str, name: str, version: str | None = None) -> bool:
    """P11: may this software be installed in the case's work area?"""
    q = select(SoftwareDeclaration).join(Case, Case.id == SoftwareDeclaration.case_id).where(
        Case.code == case_code, SoftwareDeclaration.name == name,
        SoftwareDeclaration.status == "approved")
    return any(version is None or d.version in ("", version) for d in db.execute(q).scalars())


def _user_ids(db: Session, names) -> set[int]:
    names = [n for n in names if n]
    if not names:
        return set()
    return set(db.execute(select(User.id).where(User.username.in_(names))).scalars())


def visible_cases(db: Session, user: User) -> list[Case]:
    cases = db.execute(select(Case).order_by(Case.id.desc())).scalars().all()
    return [c for c in cases if can_view(user, c)]


# Moved by job (#17); still reachable as ``cases.service.X`` for older callers.
_MOVED = {"request_change": "enclave.cases.changes", "decide_change": "enclave.cases.changes",
          "handover_officer": "enclave.cases.officers", "end_case_officers": "enclave.cases.officers",
          "register_publication": "enclave.cases.publications",
          "receive_publication_copy": "enclave.cases.publications"}


def __getattr__(name: str):
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
