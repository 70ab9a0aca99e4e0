"""The declared access table of the control plane and the review service (A1, E4, O2): for every
route and method, who may call it.  The handlers and services enforce it; this table is what
they are held to - ``tests/identity/test_access_matrix.py`` logs in as every kind of person and
calls every route with objects of their own and of another case, and the apps (control plane,
review service, the sandbox's session socket) refuse to start with a route the table does not
declare (:func:`check_declared`), so a new route is decided on before it is served.

An entry says:
- ``login``: False for the few routes open before log-in (log-in itself, health, scripts);
- ``roles``: the account needs one of these global roles (None: any active account);
- ``case``: what the caller must be to the route's object (case, request, booking...) -
  ``member`` (a current member), ``officer`` (its current PI/officer), ``own`` (the object is
  the caller's: their booking, their egress request), ``created`` (an account the caller
  created), ``independent`` (no part in the case:
  never requester, applicant, current or former member); several may be given;
- ``any_case``: roles that act on every case's objects (the centre's staff), instead of ``case``.
Separation of duties (nobody decides what is their own) comes on top, in the services.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Access:
    login: bool = True
    roles: tuple[str, ...] | None = None
    case: tuple[str, ...] = ()
    any_case: tuple[str, ...] = ()


PUBLIC = Access(login=False)
ANY = Access()
ADMIN = Access(roles=("admin",))
DECIDERS = ("admin", "committee")
STAFF = ("admin", "committee", "steward")
SUPERVISORS = ("admin", "committee")          # accounts.audit_supervisor_roles (A6)
REVIEWERS = ("reviewer", "committee")


def _a(*roles: str, case: tuple[str, ...] = (), any_case: tuple[str, ...] = ()) -> Access:
    return Access(roles=roles or None, case=case, any_case=any_case)


ACCOUNT_LIST = _a("admin", "officer")         # an officer: researchers of its unit (A1)
ACCOUNT_ADMIN = _a("admin", "officer", case=("created",), any_case=("admin",))  # officer: those it created
CASE_VIEW = _a(case=("member",), any_case=STAFF)
CASE_MANAGE = _a(case=("officer",), any_case=("admin",))
DECIDE = _a(*DECIDERS)
QUERY_LOG = _a(case=("officer",), any_case=("admin", "committee"))

# the same rule for the JSON API and the page doing the same thing
_SHARED = {
    "cases": ANY, "cases/{code}": CASE_VIEW, "cases/{code}/approve": DECIDE,
    "cases/{code}/payment": _a(*STAFF), "cases/{code}/changes": CASE_MANAGE,
    "cases/{code}/extensions": CASE_MANAGE, "cases/{code}/software": _a(case=("member",), any_case=("admin",)),
    "bookings": _a(case=("member",), any_case=("admin",)), "accounts": ACCOUNT_LIST,
    "accounts/{username}/revoke": ACCOUNT_ADMIN, "accounts/review": ADMIN, "audit/samples": ADMIN,
    "audit/samples/{sample_id}": _a(*SUPERVISORS),
    "audit/samples/{sample_id}/anomalies": _a(*SUPERVISORS),
    "audit/samples/{sample_id}/items/{item_id}/reviewed": _a(*SUPERVISORS),
    "audit/samples/{sample_id}/signoff": _a(*SUPERVISORS),
    "violations": ADMIN, "violations/{violation_id}/lift": ADMIN,
    "announcements": ANY, "announcements/{ann_id}": ANY,
    "announcements/{ann_id}/attachments/{att_id}": ANY,
    "accounts/{username}/roles": ACCOUNT_ADMIN, "accounts/{username}/suspend": ACCOUNT_ADMIN,
    "accounts/{username}/reinstate": ACCOUNT_ADMIN, "accounts/{username}/enrolment-code": ACCOUNT_ADMIN,
    "accounts/{username}/unlock": ACCOUNT_ADMIN,
}


def _both(method: str, tail: str, access: Access | None = None) -> dict[str, Access]:
    acc = access or _SHARED[tail]
    return {f"{method} /api/{tail}": acc, f"{method} /{tail}": acc}


CONTROL: dict[str, Access] = {
    # log-in, session, second factor
    "POST /api/token": PUBLIC, "POST /api/password": PUBLIC, "GET /api/me": ANY,
    "POST /api/mfa/enrol": ANY, "POST /api/mfa/confirm": ANY,
    "POST /api/webauthn/register/begin": ANY, "POST /api/webauthn/register/finish": ANY,
    "POST /api/webauthn/login/begin": PUBLIC, "POST /api/webauthn/login/finish": PUBLIC,
    "GET /login": PUBLIC, "POST /login": PUBLIC, "POST /logout": PUBLIC, "GET /assets/webauthn.js": PUBLIC,
    "GET /mfa": PUBLIC, "POST /mfa": PUBLIC,     # an enrol-only session or a log-in; nothing else
    "GET /password": PUBLIC, "POST /password": PUBLIC,   # old password proves it (A4)
    "GET /sso/authorize": PUBLIC,   # checks its parameters, then answers only a live browser session
    "GET /": ANY,
    # cases
    **_both("GET", "cases"), **_both("GET", "cases/{code}"), **_both("POST", "cases/{code}/approve"),
    **_both("POST", "cases/{code}/payment"), **_both("POST", "cases/{code}/changes"),
    **_both("POST", "cases/{code}/extensions"), **_both("POST", "cases/{code}/software"),
    "POST /api/cases": ANY, "POST /cases": ANY, "GET /cases/new": ANY,
    "GET /api/cases/{code}/changes": CASE_VIEW,
    "POST /api/changes/{change_id}/decision": DECIDE, "POST /changes/{change_id}/decide": DECIDE,
    "POST /api/extensions/{ext_id}/decision": DECIDE, "POST /extensions/{ext_id}/decide": DECIDE,
    "POST /api/software/{decl_id}/decision": DECIDE, "POST /software/{decl_id}/decide": DECIDE,
    "POST /api/cases/{code}/working-days": CASE_MANAGE,
    "POST /api/cases/{code}/working-days/transfer": CASE_MANAGE,
    # D5: only the case's current PI or officer gives up its data (checked again in the service)
    "POST /api/cases/{code}/extract/give-up": _a(case=("officer",)),
    "POST /api/cases/{code}/members": CASE_MANAGE, "POST /api/cases/{code}/handover": DECIDE,
    "POST /api/cases/{code}/publications": _a(case=("member",), any_case=DECIDERS),
    "POST /api/publications/{pub_id}/copy": _a(*STAFF),
    # bookings
    "GET /api/slots": ANY, "GET /calendar": ANY, **_both("POST", "bookings"),
    "GET /api/bookings": ANY,    # own; ?case_code= needs the case's officer or staff
    "DELETE /api/bookings/{booking_id}": _a(case=("own", "officer"), any_case=("admin",)),
    "POST /bookings/{booking_id}/cancel": _a(case=("own", "officer"), any_case=("admin",)),
    "GET /api/bookings.ics": ANY, "GET /calendar.ics": ANY,
    # accounts and roles
    **_both("POST", "accounts"), **_both("POST", "accounts/{username}/revoke"),
    "GET /api/accounts": ACCOUNT_LIST, "GET /accounts": ACCOUNT_LIST,
    "POST /api/accounts/{username}/left": ADMIN, "GET /api/accounts/review": ADMIN,
    **_both("POST", "accounts/review"), **_both("POST", "accounts/{username}/roles"),
    "DELETE /api/accounts/{username}/roles/{role}": ACCOUNT_ADMIN,
    **_both("POST", "accounts/{username}/suspend"), **_both("POST", "accounts/{username}/reinstate"),
    "POST /api/accounts/{username}/reset-password": ACCOUNT_ADMIN, "POST /accounts/{username}/reset": ACCOUNT_ADMIN,
    **_both("POST", "accounts/{username}/enrolment-code"), **_both("POST", "accounts/{username}/unlock"),
    # accreditation (P11): recorded and withdrawn by the admin or the managing officer; read also
    # by the person (the service checks the officer manages the account)
    "POST /api/accounts/{username}/accreditations": ACCOUNT_ADMIN,
    "POST /api/accounts/{username}/accreditations/withdraw": ACCOUNT_ADMIN,
    "GET /api/accounts/{username}/accreditations": ANY,
    # audit samples, violations, query log, work queue
    **_both("POST", "audit/samples"), "GET /audit/samples": _a(*SUPERVISORS),
    **_both("GET", "audit/samples/{sample_id}"), **_both("POST", "audit/samples/{sample_id}/anomalies"),
    **_both("POST", "audit/samples/{sample_id}/items/{item_id}/reviewed"),
    **_both("POST", "audit/samples/{sample_id}/signoff"),
    **_both("POST", "violations"), **_both("GET", "violations"),
    **_both("POST", "violations/{violation_id}/lift"),
    "GET /queries": QUERY_LOG, "GET /queries.csv": QUERY_LOG, "POST /queries/decide": QUERY_LOG,
    "GET /queue": DECIDE,
    # announcements (region-scoped reading; publishing by the admin or a steward)
    **_both("GET", "announcements"), **_both("GET", "announcements/{ann_id}"),
    **_both("GET", "announcements/{ann_id}/attachments/{att_id}"),
    "POST /api/announcements": _a("admin", "steward"), "POST /announcements": _a("admin", "steward"),
    # an imaging case's AI-model hand-over (E8): delivered by its applicant or officer, accepted
    # by the committee or a steward with no part in it (the service checks both)
    "GET /api/cases/{code}/model-handover": CASE_VIEW,
    "POST /api/cases/{code}/model-handover": _a(case=("officer",)),
    "POST /api/cases/{code}/model-handover/accept": _a("committee", "steward"),
    # the yearly internal audit (A6): read by the admin and supervisors, done by the auditors
    # (accounts.internal_auditor_roles; the service also refuses an auditor who is an admin)
    "GET /api/audit/internal": _a(*SUPERVISORS), "POST /api/audit/internal": _a("committee"),
    "POST /api/audit/internal/{audit_id}/findings": _a("committee"),
    "POST /api/audit/internal/{audit_id}/close": _a("committee"),
    # seats (S1)
    "GET /api/seats": ADMIN, "PUT /api/seats/{number}": ADMIN, "POST /api/seats/{number}/retire": ADMIN,
}

REQUESTER = _a(case=("own",))
REVIEW_VIEW = _a(case=("own",), any_case=REVIEWERS)   # reviewers: submitted ones, redacted if not independent
INDEPENDENT = _a(*REVIEWERS, case=("independent",))
IMPORT_VIEW = _a(case=("own", "member"), any_case=("reviewer", "committee", "steward", "admin"))

REVIEW: dict[str, Access] = {
    "GET /api/health": PUBLIC, "GET /api/me": ANY, "GET /": PUBLIC, "GET /assets/webauthn.js": PUBLIC,
    "POST /api/webauthn/login/begin": PUBLIC, "POST /api/webauthn/login/finish": PUBLIC,
    "GET /sso/start": PUBLIC, "GET /sso/callback": PUBLIC,
    "GET /login": PUBLIC, "POST /login": PUBLIC, "POST /logout": PUBLIC,
    # egress requests (E1-E8)
    "POST /api/precheck": _a(case=("member",)), "POST /api/requests": _a(case=("member",)),
    "GET /api/requests": ANY, "GET /api/requests/{rid}": REVIEW_VIEW,
    "POST /api/requests/{rid}/submit": REQUESTER, "POST /api/requests/{rid}/withdraw": REQUESTER,
    "POST /api/requests/{rid}/reviews": INDEPENDENT, "POST /requests/{rid}/review": INDEPENDENT,
    "POST /api/requests/{rid}/comments": _a(case=("own", "independent"), any_case=()),
    "POST /api/requests/{rid}/files/{fid}/comments": _a(case=("own", "independent")),
    "POST /requests/{rid}/comment": _a(case=("own", "independent")),
    "POST /requests/{rid}/files/{fid}/comment": _a(case=("own", "independent")),
    "GET /api/requests/{rid}/files/{fid}": INDEPENDENT,
    "GET /requests/{rid}/files/{fid}/counts.svg": INDEPENDENT,
    "GET /queue": _a(*REVIEWERS), "GET /requests/{rid}": REVIEW_VIEW,
    # import review (D4, P13)
    "POST /api/imports": _a(case=("member",)), "POST /api/imports/share": _a(case=("member",)),
    "GET /api/imports": ANY, "GET /api/imports/{rid}": IMPORT_VIEW,
    "POST /api/imports/{rid}/review": _a(*REVIEWERS, case=("independent",)),
    "GET /api/imports/{rid}/files/{path:path}": _a(*REVIEWERS, case=("own", "member", "independent"),
                                                    any_case=REVIEWERS),
    "GET /imports": ANY, "GET /imports/new": ANY, "POST /imports/new": _a(case=("member",)),
    "GET /imports/{rid}": IMPORT_VIEW, "POST /imports/{rid}/review": _a(*REVIEWERS, case=("independent",)),
    # release area (O2): the requester, while a current member of a case in good standing
    "GET /api/releases": ANY, "GET /downloads": ANY,
    "GET /api/releases/{rid}/files/{fid}": _a(case=("own",)), "POST /api/releases/{rid}/zip": _a(case=("own",)),
    "GET /downloads/{rid}/files/{fid}": _a(case=("own",)), "POST /downloads/{rid}/zip": _a(case=("own",)),
    "POST /downloads/{rid}/files/{fid}/comments": _a(case=("own",)),
}


# the sandbox's socket (egress_review.api.session_app): a hub token of the session, own requests only
SESSION: dict[str, Access] = {
    "GET /api/health": PUBLIC, "GET /api/me": ANY, "POST /api/precheck": _a(case=("member",)),
    "POST /api/requests": _a(case=("member",)), "GET /api/requests": ANY,
    "GET /api/requests/{rid}": REQUESTER, "POST /api/requests/{rid}/submit": REQUESTER,
    "POST /api/requests/{rid}/withdraw": REQUESTER, "POST /api/requests/{rid}/files/{fid}/comments": REQUESTER,
}


def route_keys(app) -> list[str]:
    """``"METHOD /path"`` of every API route of ``app`` (nested routers included; HEAD and
    OPTIONS are answered by the framework for the GET they belong to)."""
    from fastapi.routing import APIRoute

    def walk(routes, prefix=""):
        for r in routes:
            if isinstance(r, APIRoute):
                for m in sorted(r.methods or ()):
                    if m not in ("HEAD", "OPTIONS"):
                        yield f"{m} {prefix}{r.path}"
            elif hasattr(r, "original_router"):
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)

    return list(walk(app.router.routes))


def undeclared(app, table: dict[str, Access]) -> list[str]:
    return [k for k in route_keys(app) if k not in table]


def check_declared(app, table: dict[str, Access]) -> None:
    """Refuse to build an app serving a route nobody has declared the callers of (default deny)."""
    missing = undeclared(app, table)
    if missing:
        raise RuntimeError(f"routes without an entry in enclave/web/access.py: {missing}")
