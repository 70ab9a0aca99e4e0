"""P9: at the end of the period, without an extension-and-retention request, the case's
accounts lose access and its files are removed, without reminder.

Safe to re-run: each case is purged in its own transaction; files are deleted before the case
is marked purged, so a crash part-way leaves the case un-purged and the next run finishes the
job (and a purged case whose directory re-appeared is cleaned again).  Every removal is
written to the audit log; audit records themselves are never touched (A5).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from sqlalchemy import select

from enclave.accounts.models import User
from enclave.cases import standing
from enclave.cases.models import Case, CaseMember, Extension
from enclave.cases.officers import end_case_officers
from enclave.cases.service import refresh_case
from enclave.core.audit import audit
from enclave.db import session_scope

PURGEABLE = ("approved", "active", "suspended")


def _shown(rel: str) -> str:
    """A name for the audit record: the case's sessions chose it, and one that is not UTF-8
    made the record unwritable after the files were gone (the purge then lost its list)."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _inventory(path: Path) -> tuple[list[str], int]:
    files, size = [], 0
    for root, dirs, names in os.walk(path, followlinks=False):
        # a link to a directory is listed under dirs and never entered: list it as a file
        for n in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            p = Path(root) / n
            files.append(_shown(str(p.relative_to(path))))
            try:
                size += p.lstat().st_size
            except OSError:
                pass
    return sorted(files), size


def _remove_dir(path: Path) -> dict:
    if path.is_symlink():
        path.unlink()
        return {"files": [], "bytes": 0, "symlink": True}
    if not path.exists():
        return {"files": [], "bytes": 0}
    files, size = _inventory(path)
    shutil.rmtree(path)
    return {"files": files[:1000], "file_count": len(files), "bytes": size}


def due_for_purge(db, now: dt.datetime) -> list[Case]:
    cases = db.execute(select(Case).where(Case.status.in_(PURGEABLE), Case.period_end.is_not(None),
                                          Case.period_end <= now).order_by(Case.id)).scalars().all()
    out = []
    for c in cases:
        filers = db.execute(select(Extension.requested_by).where(
            Extension.case_id == c.id, Extension.status == "pending",
            Extension.retention.is_(True))).scalars().all()
        # a retention request holds the purge off only while it still stands (A1): one filed by
        # an officer since suspended, revoked, gone or replaced is no request (P9)
        if not any(standing.lapsed(db, c, who, "extension", now) is None for who in filers):
            out.append(c)
    return out


def purge_case(db, case: Case, *, projects_dir: Path, now: dt.datetime, actor: str = "purge") -> dict:
    from enclave.bookings.service import remove_future
    from enclave.identity.sessions import revoke_all_for_user

    removed = _remove_dir(projects_dir / case.code)
    revoked_users, memberships = [], 0
    for m in case.members:
        if m.removed_at is None:
            m.removed_at = now
            memberships += 1
    db.flush()
    for m in case.members:
        user = db.get(User, m.user_id)
        others = db.execute(select(CaseMember.id).join(Case, Case.id == CaseMember.case_id).where(
            CaseMember.user_id == user.id, CaseMember.removed_at.is_(None),
            Case.status.in_(("draft", "approved", "active", "suspended")))).first()
        staff = any(user.has_role(r) for r in ("admin", "steward", "reviewer", "committee"))
        if others is None and not staff and user.status == "active":
            user.status = "revoked"
            revoke_all_for_user(db, user.id)
            revoked_users.append(user.username)
    bookings = remove_future(db, now=now, by=actor, reason="period ended (P9)", status="purged",
                             case_id=case.id)
    case.status, case.status_reason = "purged", f"period ended {case.period_end:%Y-%m-%d} (P9)"
    end_case_officers(db, case, actor, f"case {case.code} purged (P9)")
    summary = {"case": case.code, "files": removed, "memberships": memberships,
               "accounts_revoked": revoked_users, "bookings": bookings}
    audit(db, actor, "case.purged", case, reason="end of period without extension (P9)",
          **{k: v for k, v in summary.items() if k != "case"})
    return summary


def run_purge(db_url: str, policy, *, now: dt.datetime, projects_dir: Path | None = None,
              actor: str = "purge") -> list[dict]:
    """Purge every case due; also void unpaid cases (P10).  Returns what was removed."""
    if projects_dir is None:
        from enclave.settings import get_settings

        projects_dir = get_settings().projects_dir
    projects_dir = Path(projects_dir)
    with session_scope(db_url) as db:
        ids = [c.id for c in db.execute(select(Case).where(Case.status.in_(PURGEABLE))).scalars()]
        for cid in ids:
            refresh_case(db, policy, db.get(Case, cid), now, actor)
        due = [c.id for c in due_for_purge(db, now)]
        leftovers = [c.code for c in db.execute(select(Case).where(Case.status == "purged")).scalars()
                     if (projects_dir / c.code).exists() or (projects_dir / c.code).is_symlink()]
    done = []
    for cid in due:
        with session_scope(db_url) as db:
            case = db.get(Case, cid)
            if case.status in PURGEABLE:  # re-check inside the transaction
                done.append(purge_case(db, case, projects_dir=projects_dir, now=now, actor=actor))
    for code in leftovers:
        with session_scope(db_url) as db:
            removed = _remove_dir(projects_dir / code)
            case = db.execute(select(Case).where(Case.code == code)).scalar_one()
            audit(db, actor, "case.purge_leftovers", case, reason="files re-appeared after purge (P9)",
                  files=removed)
            done.append({"case": code, "files": removed, "leftovers": True})
    return done
