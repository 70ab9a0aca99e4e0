"""D5: provided data a case gave up is not provided to it again.

A case's PI may ask the centre to delete file families of the case's extract (finished with
the images, a table taken by mistake) - or a steward acts on the PI's written request.  The
decision is an audit record (``extract.given_up``: which families, who asked, why), written
before any file is touched, so the record is what later builds obey: ``build_case_extract``
leaves given-up families out (and refuses when nothing is left), unless the policy's
``data.reprovide_given_up_data`` says the centre provides them again.  The files go through
the builder's one atomic publish: the extract is rebuilt without them (pseudonyms are keyed,
so what stays is byte for byte what was there), or removed whole when nothing stays.  Run again
after a crash, it finishes the deletion; the record is not written twice.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.audit import AuditEntry, append
from enclave.audit.models import AuditRecord
from enclave.cases.models import Case
from enclave.core.errors import BadInput, Forbidden, NotFound, Refused
from enclave.db import session_scope
from enclave.identity.permissions import OFFICER_ROLES, is_officer

ACTION = "extract.given_up"
LIVE = ("approved", "active", "suspended")


def given_up(db: Session, case_code: str) -> dict[str, dict]:
    """Family -> {at, by, requested_by, reason} of the first record that gave it up."""
    out: dict[str, dict] = {}
    rows = db.execute(select(AuditRecord).where(AuditRecord.case_code == case_code,
                                                AuditRecord.action == ACTION)
                      .order_by(AuditRecord.seq)).scalars()
    for r in rows:
        d = r.detail or {}
        for fam in d.get("files") or []:
            out.setdefault(str(fam), {"at": r.ts, "by": r.actor,
                                      "requested_by": d.get("requested_by"), "reason": r.reason})
    return out


def withheld(db: Session, case_code: str, spec: dict, policy) -> tuple[dict, list[str]]:
    """(the spec a build may use, the families it leaves out as given up) - D5."""
    if policy is not None and policy.data.reprovide_given_up_data:
        return spec, []
    gone = given_up(db, case_code)
    out = sorted(f for f in spec.get("files") or {} if f in gone)
    if not out:
        return spec, []
    return {**spec, "files": {f: v for f, v in spec["files"].items() if f not in gone}}, out


def _on_disk(data: Path) -> tuple[list[str], str | None]:
    """(the families the published extract holds, the k override its build recorded)."""
    try:
        meta = json.loads((data / "extract.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return (sorted(p.stem for p in data.glob("*.parquet")) if data.is_dir() else []), None
    return sorted((meta.get("rows") or {}).keys()), meta.get("k_override")


def _remove_extract(project: Path) -> None:
    """The whole data directory, out of the researchers' view first (one rename), then gone."""
    data = project / "data"
    if not data.exists() and not data.is_symlink():
        return
    old = project / f".data-given-up-{os.getpid()}"
    os.rename(data, old)
    for root, dirs, _ in os.walk(old):   # the builder publishes read-only
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o700)
    os.chmod(old, 0o700)
    shutil.rmtree(old)


def decide(db: Session, case_code: str, families: list[str] | None, *, actor: str,
           requested_by: str, reason: str, now: dt.datetime) -> tuple[list[str], list[str], dict]:
    """In ``db`` (the caller commits): record that the case gives up ``families`` (None: all of
    its extract).  Returns (newly given up, all given up, the approved spec).

    ``requested_by`` must be the case's current PI or officer (who answers for its data, A7),
    an active account; ``actor`` is who
    carries it out (the PI through the API, or a steward).  Raises NotFound, Forbidden,
    BadInput or Refused with the reason."""
    from enclave.accounts.models import User

    reason = (reason or "").strip()
    if len(reason) < 10:
        raise BadInput("say why the data is given up (at least 10 characters): the record keeps "
                       "it, and the case will not receive this data again (D5)", "D5")
    case = db.execute(select(Case).where(Case.code == case_code)).scalar_one_or_none()
    if case is None:
        raise NotFound(f"no case {case_code!r}")
    requester = db.execute(select(User).where(User.username == requested_by)).scalar_one_or_none()
    if requester is None or requester.status != "active" or not is_officer(requester, case):
        officers = sorted(u.username for m in case.members if m.removed_at is None
                          and m.role in OFFICER_ROLES and (u := db.get(User, m.user_id)) is not None)
        raise Forbidden(f"only case {case_code}'s PI or officer ({', '.join(officers) or 'none'}) "
                        "may give up its data (D5)", "D5")
    if case.status not in LIVE:
        raise Refused(f"case {case_code} is {case.status}: nothing is provided to give up", "D5")
    spec_fams = sorted((case.extract_spec or {}).get("files") or {})
    wanted = spec_fams if families is None else sorted(set(families))
    unknown = [f for f in wanted if f not in spec_fams]
    if unknown or not wanted:
        raise BadInput(f"case {case_code}'s extract has the file families {spec_fams}; "
                       f"{unknown or 'none'} named", "D5")
    before = given_up(db, case_code)
    new = [f for f in wanted if f not in before]
    if new:   # the decision first: later builds obey it even if the deletion fails
        append(db, AuditEntry("datasets", actor, ACTION, case_code=case_code, reason=reason,
                              detail={"files": new, "requested_by": requested_by}), now=now)
    return new, sorted(set(before) | set(new)), dict(case.extract_spec or {})


def delete_given_up(case_code: str, gone: list[str], spec: dict, *, settings, policy,
                    actor: str, now: dt.datetime, db_url: str | None = None) -> list[str]:
    """Take the given-up families out of the published extract (after :func:`decide` is
    committed); returns the families it holds now.  Idempotent: run again, it finishes."""
    project = Path(settings.projects_dir) / case_code
    held, k_override = _on_disk(project / "data")
    removed = sorted(set(gone) & set(held))
    if not removed:
        return held
    if len(removed) == len(held):
        _remove_extract(project)
        kept: list[str] = []
    else:
        from datasets.extract import build_extract_report

        spec = {**spec, "files": {f: v for f, v in spec["files"].items()
                                  if f in held and f not in gone}}
        # what stays was published under its recorded k decision; leaving tables out keeps it
        res = build_extract_report(spec, case_code, settings, policy=policy, replace=True,
                                   k_override=k_override)
        kept = sorted(res.rows)
    with session_scope(db_url or settings.db_url) as db:
        append(db, AuditEntry("datasets", actor, "extract.deleted", case_code=case_code,
                              reason=f"given up (D5): {', '.join(removed)}",
                              detail={"removed": removed, "kept": kept}), now=now)
    return kept


def give_up(case_code: str, families: list[str] | None, *, settings, policy, actor: str,
            requested_by: str, reason: str, now: dt.datetime | None = None) -> dict:
    """:func:`decide` in its own transaction, then :func:`delete_given_up` (the CLI's path)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    with session_scope(settings.db_url) as db:
        new, gone, spec = decide(db, case_code, families, actor=actor,
                                 requested_by=requested_by, reason=reason, now=now)
    kept = delete_given_up(case_code, gone, spec, settings=settings, policy=policy, actor=actor,
                           now=now)
    return {"case": case_code, "given_up": gone, "new": new, "kept": kept}
