"""The hub's Authenticator: local accounts or LDAP, then A4 and the booking gate.

The second factor is a TOTP code in the form, or a security key: the login page's key button
(the enclave's one script, ``/hub/webauthn.js``) sends user name and password to
``/hub/webauthn/login/begin`` (:mod:`hub_config.key_login`), lets the browser ask the key, and
submits the form with the key's answer, which ``authenticate`` checks with the same log-in
steps as every other front end (``enclave.identity.login``, front end ``hub``).

Refusals with a reason raise ``HTTPError(403, reason)``: JupyterHub renders the login form with
that message, so the user is told why (expired password, no booking, suspended case).
``check_allowed`` is overridden (never ``allow_all``, which skips it) and repeats the gate;
``refresh_user`` repeats it every ``auth_refresh_age`` so a browser session ends with its slot;
the pre-spawn hook repeats it once more and hands the booking to the spawner.
"""
from __future__ import annotations

import asyncio
import datetime as dt

from jupyterhub.auth import Authenticator
from tornado import web
from traitlets import Bool, Dict, Unicode, default

from enclave.accounts.models import ROLES
from enclave.audit import AuditEntry, append
from enclave.bookings import gate
from enclave.cases.models import Case
from enclave.db import session_scope, utcnow
from hub_config.identity import (Identity, LdapSettings, LoginRefused, check_password_policy,
                                 ldap_identity, local_identity)
from enclave.identity.sessions import session_for_token
from hub_config.session_access import SeatError, client_address, guard_environment, seat_refusal
from hub_config.sso_login import SSO_COOKIE


def _policy(policy_dir: str):
    from policies import current_policy, load_policy

    return load_policy(policy_dir) if policy_dir else current_policy()


def audit(db_url: str, entry: AuditEntry) -> None:
    with session_scope(db_url) as s:
        append(s, entry)


class EnclaveAuthenticator(Authenticator):
    backend = Unicode("local", config=True, help="'local' (state DB accounts) or 'ldap'.")
    db_url = Unicode(config=True, help="State database URL.")
    policy_dir = Unicode("", config=True, help="Policy directory ('' = deployment default).")
    ldap_server_uri = Unicode("", config=True)
    ldap_user_dn_template = Unicode("", config=True, help="e.g. uid={username},ou=people,…")
    ldap_group_search_base = Unicode("", config=True)
    ldap_group_filter = Unicode("(&(objectClass=groupOfNames)(member={dn}))", config=True)
    ldap_group_roles = Dict(config=True, help="Directory group cn -> enclave role.")
    # The one log-in's second factor (enclave.identity.login): JupyterHub 5 shows an "otp" field.
    request_otp = Bool(True, config=True, help="Ask for the TOTP code on the login form.")
    otp_prompt = Unicode("驗證碼 One-time code (TOTP):", config=True)
    sso_url = Unicode("", config=True, help="The control plane's origin for single sign-on (「以單一登入」); "
                      "'' = $ENCLAVE_SSO_URL, else $ENCLAVE_PUBLIC_ORIGIN_CONTROL, else no single sign-on.")
    public_origin = Unicode("", config=True, help="The hub's public origin (https://host:port) that "
                            "security-key challenges are bound to; '' = $ENCLAVE_PUBLIC_ORIGIN_HUB, else the "
                            "origin the browser reached (through the proxy's X-Forwarded-Proto).")

    @default("any_allow_config")
    def _any_allow(self):
        return True  # check_allowed below is the allow rule (the booking gate)

    @default("db_url")
    def _db_url(self):
        from enclave.settings import get_settings

        return get_settings().db_url

    @property
    def policy(self):
        return _policy(self.policy_dir)

    def get_handlers(self, app):
        # The slot-end cut-off endpoint must run inside the hub (see hub_config.cutoff).
        from hub_config.cutoff import CUTOFF_PATH, CutoffAPIHandler
        from hub_config.key_login import handlers as key_handlers
        from hub_config.pages import logout_handler
        from hub_config.slot_api import SLOT_API_PATH, SlotAPIHandler
        from hub_config.sso_login import handlers as sso_handlers

        return super().get_handlers(app) + [(CUTOFF_PATH, CutoffAPIHandler),
                                            (SLOT_API_PATH, SlotAPIHandler),
                                            ("/logout", logout_handler())] + key_handlers() + sso_handlers()

    @property
    def single_sign_on(self) -> bool:
        """Whether the login page offers 「以單一登入 Sign in with the enclave login」."""
        from enclave.identity.sso import control_origin

        return control_origin(self.sso_url or None) is not None

    @property
    def security_keys(self) -> bool:
        """Whether the login page offers 「使用安全金鑰 Use a security key」 (A4 policy)."""
        return bool(self.policy.accounts.webauthn_allowed)

    def _directory(self) -> LdapSettings | None:
        if self.backend == "ldap":
            return LdapSettings(self.ldap_server_uri, self.ldap_user_dn_template,
                                self.ldap_group_search_base, self.ldap_group_filter,
                                dict(self.ldap_group_roles))
        if self.backend == "local":
            return None
        raise ValueError(f"EnclaveAuthenticator.backend: unknown backend {self.backend!r}")

    def _identify(self, username: str, password: str) -> Identity | None:
        cfg = self._directory()
        if cfg is not None:
            return ldap_identity(cfg, username, password)
        return local_identity(self.db_url, username, password)

    def relying_party(self, request_origin: str):
        """The hub's WebAuthn relying party: its own public origin, the host name as RP ID."""
        from enclave.identity import webauthn

        return webauthn.relying_party(webauthn.front_end_origin("hub", request_origin, self.public_origin))

    def key_begin(self, username: str, password: str, client: str, request_origin: str) -> tuple[str, str]:
        """Step one of a key log-in on the hub: the password exactly as on the other front ends
        (lock-out, directory, account rules, counted), then (attempt token, request options).
        Raises LoginRefused (audited and committed) or ValueError (no relying party here)."""
        from enclave.identity.login import begin_key_login

        rp = self.relying_party(request_origin)
        with session_scope(self.db_url) as s:
            try:
                return begin_key_login(s, username, password, rp, policy=self.policy, client=client,
                                       front_end="hub", now=utcnow(), directory=self._directory())
            except LoginRefused:
                s.commit()
                raise

    def _key_factors(self, attempt: str, credential: str, client: str, request_origin: str,
                     now: dt.datetime) -> Identity:
        """Step two: the key's answer (refusals audited and counted as on every front end)."""
        from enclave.identity.login import finish_key_login

        try:
            rp = self.relying_party(request_origin)
        except ValueError as e:
            raise LoginRefused(f"此網址無法使用安全金鑰 Security keys cannot work at this address: {e}.") from None
        with session_scope(self.db_url) as s:
            try:
                res = finish_key_login(s, attempt, credential, rp, policy=self.policy, client=client,
                                       front_end="hub", now=now)
            except LoginRefused:
                s.commit()
                raise
            u = res.user
            return Identity(username=u.username, roles=[r for r in u.role_names if r in ROLES],
                            password_changed_at=u.password_changed_at, source=u.source)

    def _factors(self, username: str, password: str, otp: str | None, client: str,
                 now: dt.datetime) -> Identity | None:
        """The shared log-in's lock-out and second factor around this hub's directory check
        (enclave.identity.login): a locked account or client is refused, a wrong password or
        code is counted, a role needing TOTP without one enrolled is sent to enrol first."""
        from sqlalchemy import select

        from enclave.accounts.models import User
        from enclave.identity import login as one_login

        pol = self.policy
        with session_scope(self.db_url) as s:
            try:
                one_login.refuse_if_locked(s, pol, username, client, "hub", now)
            except LoginRefused:
                s.commit()
                raise
        ident = self._identify(username, password)
        if ident is None:
            with session_scope(self.db_url) as s:
                one_login.wrong_password(s, pol, username, client, "hub", now)
            return None
        check_password_policy(ident, password, pol.accounts, now)
        with session_scope(self.db_url) as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            try:
                if user is not None:      # A2 as on every other front end (the key path too)
                    one_login.check_account(s, pol, user, client=client, front_end="hub", now=now)
                second = one_login.second_factor(s, pol, user, ident.roles, otp, username=username,
                                                 client=client, front_end="hub", now=now)
            except LoginRefused:
                s.commit()
                raise
            if second == "enrol":
                s.commit()   # the refusal's audit record stays (the scope rolls back on raise)
                raise LoginRefused("Your role needs a one-time code (TOTP): enrol an authenticator app "
                                   "on the control plane (兩步驟驗證 Two-step) first (A4).")
            one_login.succeeded(s, user, username, client=client, front_end="hub", now=now,
                                source=ident.source, second=second == "ok")
        return ident

    def login_decision(self, username: str, password: str,
                       now: dt.datetime | None = None, otp: str | None = None,
                       client: str = "-") -> dict | None:
        """Synchronous core of ``authenticate`` (also used directly by tests and the CLI).

        Returns the JupyterHub auth model, None for a wrong user/password, or raises
        LoginRefused with the reason.
        """
        now = now or utcnow()
        ident = self._factors(username, password, otp, client, now)
        if ident is None:
            return None
        return self._admit(ident, now)

    def sso_decision(self, code: str, state: str, callback: str, client: str,
                     now: dt.datetime | None = None) -> tuple[dict, str]:
        """``login_decision`` for a single sign-on code from the control plane (redeemed as on
        every front end, this hub's policy deciding whether the log-in's factors suffice), then
        the same gate; (model, the enclave session the code opened)."""
        from enclave.identity import sso

        now = now or utcnow()
        with session_scope(self.db_url) as s:
            try:
                res = sso.redeem(s, code, front_end="hub", state=state, redirect_uri=callback, policy=self.policy,
                                 now=now, client=client,
                                 lifetime=dt.timedelta(seconds=self.policy.sessions.token_lifetime_seconds))
            except sso.SsoRefused as e:
                s.commit()
                raise LoginRefused(str(e)) from None
            u = res.user
            ident = Identity(username=u.username, roles=[r for r in u.role_names if r in ROLES],
                             password_changed_at=u.password_changed_at, source=u.source)
        return self._admit(ident, now), res.token

    def key_decision(self, attempt: str, credential: str, client: str, request_origin: str,
                     now: dt.datetime | None = None) -> dict:
        """``login_decision`` for a security key's answer: the same gate after the key."""
        now = now or utcnow()
        return self._admit(self._key_factors(attempt, credential, client, request_origin, now), now)

    def _admit(self, ident: Identity, now: dt.datetime) -> dict:
        """After both factors: the booking gate (researchers) or an administrator's log-in."""
        username = ident.username
        roles = ident.roles
        model = {"name": username, "admin": "admin" in roles,
                 "auth_state": None}
        if "researcher" in roles:
            with session_scope(self.db_url) as s:
                decision = gate.check(s, username, now)
                if not decision.allowed:
                    if "admin" in roles:
                        return model  # an administrator may log in (but not spawn) off-slot
                    raise LoginRefused(f"Login refused: {decision.reason}.")
                b = decision.booking
                case = s.get(Case, b.case_id)
                first = gate.mark_attended(s, b, now)
                append(s, AuditEntry("hub", username, "session.login", case_code=case.code,
                                     subject=f"booking:{b.id}",
                                     detail={"first_login": first, "slot": b.slot_name,
                                             "source": ident.source}))
            return model
        if "admin" in roles:
            audit(self.db_url, AuditEntry("hub", username, "session.login",
                                          detail={"admin": True, "source": ident.source}))
            return model
        raise LoginRefused("Login refused: the work area is for researchers with a booking "
                           f"(your roles: {', '.join(roles) or 'none'}).")

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        try:
            request = getattr(handler, "request", None)
            client = getattr(request, "remote_ip", None) or "-"
            if data.get("sso_code") is not None:  # single sign-on (hub_config.sso_login)
                if not getattr(handler, "sso_callback", False):
                    # only from the callback, which takes the state from this browser's cookie:
                    # a code and the state copied from a leaked callback address, posted to the
                    # login form, would skip that check
                    raise LoginRefused("單一登入代碼只能經回呼網址使用 A single sign-on code is accepted at "
                                       "the callback address only.")
                model, token = await asyncio.to_thread(self.sso_decision, data["sso_code"], data["sso_state"],
                                                       data["sso_callback"], client)
                username = model["name"]
                handler.set_cookie(SSO_COOKIE, token, path=handler.hub.base_url, httponly=True, samesite="Strict",
                                   secure=request.protocol == "https")
            elif data.get("webauthn_attempt"):  # the key button's answer (hub_config.key_login)
                origin = f"{request.protocol}://{request.host}" if request is not None else ""
                model = await asyncio.to_thread(self.key_decision, data["webauthn_attempt"][:100],
                                                data.get("webauthn_credential", ""), client, origin)
                username = model["name"]  # whose attempt it was, whatever the form's name field says
            else:
                model = await asyncio.to_thread(self.login_decision, username, password, None,
                                                data.get("otp") or None, client)
            if model is not None and not model.get("admin"):
                refusal = await asyncio.to_thread(seat_refusal, self.db_url, self.policy,
                                                  username, handler.request)
                if refusal:
                    raise LoginRefused(f"Login refused: {refusal}.")
            return model
        except LoginRefused as e:
            await asyncio.to_thread(audit, self.db_url, AuditEntry(
                "hub", username or "-", "session.login_refused", reason=str(e)))
            raise web.HTTPError(403, str(e)) from None

    def check_allowed(self, username, authentication=None):
        # Called right after authenticate: admins pass; researchers must still hold a booking.
        if authentication and authentication.get("admin"):
            return True
        with session_scope(self.db_url) as s:
            return gate.check(s, username, utcnow()).allowed

    async def refresh_user(self, user, handler=None, **kwargs):
        if user.admin:  # an administrator's single sign-on still ends with its log-in
            token = handler.get_cookie(SSO_COOKIE) if handler is not None else None
            if not token:
                return True

            def live() -> bool:
                with session_scope(self.db_url) as s:
                    return session_for_token(s, token, policy=self.policy) is not None  # A4: factor of now
            return await asyncio.to_thread(live)

        sso_token = handler.get_cookie(SSO_COOKIE) if handler is not None else None

        def still_booked():
            with session_scope(self.db_url) as s:
                if sso_token and session_for_token(s, sso_token, policy=self.policy) is None:
                    return False  # its control-plane log-in ended (logout anywhere, suspension, lock-out)
                if not gate.check(s, user.name, utcnow()).allowed:
                    return False
            # S4: on site, a login taken to another machine stops working there
            if handler is None or _session_server_check(handler):
                return True
            return not seat_refusal(self.db_url, self.policy, user.name, handler.request)
        return await asyncio.to_thread(still_booked)


def _session_server_check(handler) -> bool:
    """A token check that did not come through the proxy: the session's own server asking,
    over the hub's unix socket, who a token belongs to (it does so whenever its cache of the
    answer ages).  It carries no browser address, so the seat cannot be judged here: the
    session's server judges the seat of every browser request itself (S4, routes.py).  Every
    request from outside the host comes through the proxy, which always adds its entry, so
    a browser cannot take this path; a cookie request without one is still judged and refused.
    Without this, a session working longer than that cache was cut off mid-work."""
    return bool(getattr(handler, "_token_authenticated", False)) and \
        client_address(handler.request) is None


def _earlier_spawns(s, username: str, booking_id: int) -> int:
    from sqlalchemy import func, select

    from enclave.audit.models import AuditRecord

    return s.execute(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == "session.spawn", AuditRecord.actor == username,
        AuditRecord.subject == f"booking:{booking_id}")).scalar_one()


def booking_pre_spawn_hook(spawner) -> None:
    """Spawner.pre_spawn_hook: no active booking, no server (HTTP 403 with the reason)."""
    auth = spawner.authenticator
    db_url = auth.db_url
    pol = auth.policy
    now = utcnow()
    with session_scope(db_url) as s:
        decision = gate.check(s, spawner.user.name, now)
        if not decision.allowed:
            append(s, AuditEntry("hub", spawner.user.name, "session.spawn_refused",
                                 reason=decision.reason))
        else:
            b = decision.booking
            case = s.get(Case, b.case_id)
            spawner.enclave = {"booking_id": b.id, "case_code": case.code, "case_id": case.id,
                               "user_id": b.user_id, "ends_at": b.ends_at.isoformat(),
                               "purpose_min_length": pol.sessions.purpose_min_length,
                               "warn_minutes": pol.sessions.slot_end_warning_minutes}
            seat_no = b.seat_no
            # how many servers this booking had before: each restart gets half the output
            # budget of the one before, so restarting cannot multiply it (at most twice, S1)
            spawn_index = _earlier_spawns(s, spawner.user.name, b.id)
            append(s, AuditEntry("hub", spawner.user.name, "session.spawn", case_code=case.code,
                                 subject=f"booking:{b.id}",
                                 detail={"access_mode": pol.sessions.access_mode,
                                         "seat": seat_no}))
    if decision.allowed:
        # S1/S4: the server's browser guard (mode, caps, the booked seat, the ledger key)
        try:
            env = guard_environment(db_url, pol, spawner.enclave["case_code"], seat_no,
                                    spawn_index=spawn_index)
        except SeatError as e:
            audit(db_url, AuditEntry("hub", spawner.user.name, "session.spawn_refused",
                                     reason=str(e)))
            spawner.enclave = None
            raise _start_refused(f"Server start refused: {e} (S4)") from None
        spawner.environment = {**spawner.environment, **env}
    if not decision.allowed:
        spawner.enclave = None
        raise _start_refused(f"Server start refused: {decision.reason}")


def _start_refused(message: str) -> web.HTTPError:
    """403 whose reason JupyterHub shows on its pages (it hides a spawn failure's own text
    unless the exception carries ``jupyterhub_message``)."""
    e = web.HTTPError(403, message)
    e.jupyterhub_message = message
    return e

