"""A case's extract is built only from that case's approved spec, while the case is approved,
paid and running (D3, P10), less the file families the case gave up (D5:
``enclave.extracts.given_up``), and every build or refusal is in the audit log (A3).

The data library (``datasets.extract``) builds whatever spec it is handed and never writes
the control plane's log; this module is the one place that decides which spec is the
approved one and records what happened, for the CLI and for ``enclave up`` alike.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from enclave.audit import AuditEntry, append
from enclave.cases.models import Case
from enclave.db import session_scope
from enclave.extracts.given_up import withheld


REPORT_KEYS = ("table", "k_min", "satisfied", "classes_below_k", "quasi_identifiers")


class ExtractRefused(ValueError):
    """The case cannot receive an extract now; the message says why."""


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    return t.replace(tzinfo=dt.timezone.utc) if t is not None and t.tzinfo is None else t


def _read_meta(path) -> dict:
    import json
    from pathlib import Path

    try:
        return json.loads((Path(path) / "extract.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def approved_spec(case: Case | None, case_code: str, now: dt.datetime) -> dict:
    """The spec the case was approved with, or ExtractRefused saying what is missing."""
    if case is None:
        raise ExtractRefused(f"no case {case_code!r} in the state database; an extract is built "
                             "only for an approved case (D3)")
    if case.status != "active":
        raise ExtractRefused(f"case {case.code} is {case.status}; an extract is built only for an "
                             "approved, paid, active case (D3, P10)")
    if case.paid_at is None:
        raise ExtractRefused(f"case {case.code} has not paid its fees (P10)")
    end = _aware(case.period_end)
    if end is not None and end <= now:
        raise ExtractRefused(f"case {case.code}'s period ended at {end.isoformat()}")
    spec = dict(case.extract_spec or {})
    if not spec.get("files"):
        raise ExtractRefused(f"case {case.code} has no approved extract spec (D3)")
    return spec


def build_case_extract(case_code: str, *, settings, policy, actor: str, replace: bool = False,
                       k_override: str | None = None, on_progress=None,
                       now: dt.datetime | None = None):
    """Build ``projects/<case>/data`` from the case's approved spec and audit the outcome.

    Returns the builder's :class:`~datasets.extract.ExtractResult`; raises ExtractRefused or
    ``datasets.extract.ExtractError`` (both recorded as ``extract.refused``)."""
    from datasets.extract import ExtractError, build_extract_report

    now = now or dt.datetime.now(dt.timezone.utc)
    with session_scope(settings.db_url) as db:
        case = db.execute(select(Case).where(Case.code == case_code)).scalar_one_or_none()
        try:
            spec = approved_spec(case, case_code, now)
            spec, left_out = withheld(db, case_code, spec, policy)
            if not spec.get("files"):
                raise ExtractRefused(
                    f"case {case_code} gave up all of its data ({', '.join(left_out)}); the "
                    "centre does not provide it again (D5): it needs a new application")
        except ExtractRefused as e:
            append(db, AuditEntry("datasets", actor, "extract.refused", case_code=case_code,
                                  reason=str(e)), now=now)
            db.commit()
            raise
    try:
        res = build_extract_report(spec, case_code, settings, policy=policy, replace=replace,
                                   on_progress=on_progress, k_override=k_override)
    except ExtractError as e:
        with session_scope(settings.db_url) as db:
            append(db, AuditEntry("datasets", actor, "extract.refused", case_code=case_code,
                                  reason=str(e)[:2000],
                                  detail={"k_anonymity": getattr(e, "reports", None)}), now=now)
        raise
    # the record alone says what the case received (the case page reads it: enclave.extracts.status)
    built = _read_meta(res.path)
    with session_scope(settings.db_url) as db:
        append(db, AuditEntry(
            "datasets", actor, "extract.build", case_code=case_code, subject=res.release,
            reason=res.k_override,
            detail={"rows": res.rows, "persons": res.persons,
                    "files": {f: v["columns"] for f, v in spec["files"].items()},
                    "k_min": {r["table"]: r["k_min"] for r in res.k_anonymity},
                    "k": policy.data.k_anonymity_k if policy is not None else None,
                    "k_anonymity": [{k: r.get(k) for k in REPORT_KEYS} for r in res.k_anonymity],
                    "encrypted_at_rest": built.get("encrypted_at_rest"),
                    "k_override": res.k_override,
                    "given_up_left_out": left_out}), now=now)
    return res
