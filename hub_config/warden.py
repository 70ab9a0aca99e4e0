"""The warden: a hub-managed service that ends sessions on time and records session queries.

* Every ``slot_end_check_seconds`` it cuts off every running server whose user no longer
  holds an active booking - the slot ended, the case was suspended, the account revoked (S2):
  it deletes all of the user's tokens and invalidates their login cookies inside the hub
  (``hub_config.cutoff``), stops the server, and revokes again once the server is gone.  A
  cut-off that fails part-way is retried on every sweep until it is done.  Booked slots that
  ended without a login become ``no_show`` (S3).
* It listens on a unix socket (``hub_config.warden_http``, a thread per broker connection).  Each session's query broker
  (``hub_config.broker``) posts the purpose and every query there, before running it, with the
  session's own credential (hub token, or an overnight job token); the warden identifies the
  account from it on every record (``GET /hub/api/user``), finds the booked case itself (and
  refuses if the broker serves another case) and appends the record to the audit log (A3),
  durable before it answers (``hub_config.warden_record``: records arriving together share a
  commit).  Neither the session nor the broker writes the state DB, and neither can claim
  another account/case.

Run by the hub (``c.JupyterHub.services``) as ``python -m hub_config.warden``.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import sys
from urllib.parse import quote, unquote

from tornado import web

from enclave.core.http import Client, Response
from hub_config import warden_http
from hub_config.session_case import server_must_end
from hub_config.warden_record import Recorder

from enclave.audit import AuditEntry, append
from enclave.bookings import gate
from enclave.cases.models import Case
from enclave.accounts.models import User
from enclave.db import session_scope, utcnow

log = logging.getLogger("enclave.warden")


async def _call(client: Client, method: str, path: str, **kw) -> Response:
    """The enclave's one HTTP client (blocking) off the event loop; hub calls are few."""
    return await asyncio.to_thread(client.request, method, path, **kw)


class Warden:
    def __init__(self, db_url: str, policy, api_url: str, token: str, runner=None) -> None:
        self.db_url, self.policy = db_url, policy
        self.api_url, self.token = api_url, token
        self.hub = Client(api_url, {"Authorization": f"token {token}"}, timeout=30)
        self.hub_as_caller = Client(api_url, timeout=30)   # whoami: the caller's own token
        self.runner = runner  # hub_config.overnight.OvernightRunner (S5), optional
        self._stopping: dict[str, asyncio.Task] = {}
        self._unfinished: dict[str, str] = {}  # cut-offs that failed part-way: user -> reason
        self.recorder = Recorder(db_url, policy)

    # ------------------------------------------------------------ slot end
    async def _revoke(self, q: str) -> int:
        """Delete every token and invalidate every login cookie of the user (in the hub)."""
        r = await _call(self.hub, "POST", f"enclave/cutoff/{q}", body=b"")
        if r.status_code != 200:
            raise RuntimeError(f"hub refused the cut-off of {unquote(q)}: "
                               f"{r.status_code} {r.text[:200]}")
        return int(r.json()["tokens_revoked"])

    async def stop_and_revoke(self, name: str, why: str) -> None:
        q = quote(name, safe="")
        # Revoke first: API and browser access end now, whatever the server stop takes.
        revoked = await self._revoke(q)
        r = await _call(self.hub, "DELETE", f"users/{q}/server")
        if r.status_code not in (202, 204, 400):  # 400: not running
            log.error("stopping %s: %s %s", name, r.status_code, r.text)
        for _ in range(240):  # at most ~60 s
            u = await _call(self.hub, "GET", f"users/{q}")
            if u.status_code != 200 or not u.json().get("servers"):
                break
            await asyncio.sleep(0.25)
        # Again, for anything issued while the server was stopping.
        revoked += await self._revoke(q)
        self._unfinished.pop(name, None)
        await asyncio.to_thread(self._audit, AuditEntry(
            "warden", "warden", "session.cutoff", subject=name, reason=why,
            detail={"tokens_revoked": revoked, "cookies_revoked": True}))
        log.info("cut off %s (%s), %d tokens revoked, login cookies invalidated",
                 name, why, revoked)

    async def _cutoff(self, name: str, why: str) -> None:
        try:
            await self.stop_and_revoke(name, why)
        except Exception:
            # The server may already be gone, so the next sweep would not see it running:
            # remember the user and retry until the revocation is done.
            self._unfinished[name] = why
            log.exception("cutting off %s failed; the next sweep retries", name)

    def _audit(self, entry: AuditEntry) -> None:
        with session_scope(self.db_url) as s:
            append(s, entry)

    def _sweep_db(self, now: dt.datetime) -> None:
        grace = dt.timedelta(seconds=self.policy.sessions.slot_end_grace_seconds)
        with session_scope(self.db_url) as s:
            for b in gate.unattended_ended(s, now):
                b.status = "no_show"
                case = s.get(Case, b.case_id)
                user = s.get(User, b.user_id)
                append(s, AuditEntry("warden", "warden", "booking.no_show", case_code=case.code,
                                     subject=user.username, detail={"booking": b.id}))
            for b in gate.ended_attended(s, now, grace):
                b.status = "ended"
                case = s.get(Case, b.case_id)
                user = s.get(User, b.user_id)
                append(s, AuditEntry("warden", "warden", "booking.ended", case_code=case.code,
                                     subject=user.username, detail={"booking": b.id}))

    def _must_stop(self, name: str, now: dt.datetime, server: dict) -> str | None:
        """Why ``name``'s running server must stop now: no booking lets them work, or the one
        that does is another case's (a slot of case B straight after one of case A)."""
        with session_scope(self.db_url) as s:
            d = gate.check(s, name, now)
            if not d.allowed:
                return d.reason
            return server_must_end(server, s.get(Case, d.booking.case_id).code)

    async def sweep(self) -> list[str]:
        """One pass: no-shows, ended bookings, and every running server without a booking."""
        now = utcnow()
        await asyncio.to_thread(self._sweep_db, now)
        r = await _call(self.hub, "GET", "users", params={"state": "active"})
        r.raise_for_status()
        stopped: dict[str, str] = {}
        for u in r.json():
            if not u.get("servers"):
                continue
            why = await asyncio.to_thread(self._must_stop, u["name"], now,
                                          u["servers"].get("") or {})
            if why:
                stopped[u["name"]] = why
        for n, why in list(self._unfinished.items()):
            stopped.setdefault(n, why)
        # Each cut-off runs as its own task so a slow stop never delays the next sweep.
        for n, why in stopped.items():
            if n not in self._stopping:
                t = asyncio.create_task(self._cutoff(n, why))
                self._stopping[n] = t
                t.add_done_callback(lambda _t, n=n: self._stopping.pop(n, None))
        return list(stopped)

    async def run_sweeps(self) -> None:
        every = self.policy.sessions.slot_end_check_seconds
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("warden sweep failed")
            if self.runner is not None:
                try:
                    await asyncio.to_thread(self.runner.sweep)
                except Exception:
                    log.exception("overnight sweep failed")
            await asyncio.sleep(every)

    # ------------------------------------------------------------ session log
    def whoami(self, token: str) -> str | None:
        """Blocking (a record's connection thread asks it): the account the hub token is."""
        r = self.hub_as_caller.request("GET", "user", headers={"Authorization": f"token {token}"})
        if r.status_code != 200:
            return None
        return r.json().get("name")

    def authenticate(self, authorization: str) -> tuple[str, int | None]:
        """The account (and, for an overnight job, its booking) the credential belongs to, asked
        again on every record - a token revoked or a job ended is refused at its next query;
        web.HTTPError 401/403 otherwise.  Blocking: called on the record's connection thread."""
        scheme, _, cred = authorization.partition(" ")
        scheme, cred = scheme.lower(), cred.strip()
        if scheme == "job" and self.runner is not None and cred:
            known = self.runner.tokens.get(cred)
            if known is None:
                raise web.HTTPError(403, "unknown job token")
            return known[0], known[1]
        if scheme == "token" and cred:
            name = self.whoami(cred)
            if name is None:
                raise web.HTTPError(403, "token not accepted by the hub")
            return name, None
        raise web.HTTPError(401, "Authorization: token <hub token> required")

    def record(self, name: str, body: dict, job_booking: int | None = None) -> dict:
        """Decide and write one record now (blocking), durable when this returns; refusals are
        web.HTTPError (see hub_config.warden_record)."""
        return self.recorder.record(name, body, job_booking)


async def amain() -> None:
    from policies import load_policy

    logging.basicConfig(level=logging.INFO, format="[warden %(asctime)s] %(message)s")
    policy = load_policy(os.environ.get("ENCLAVE_POLICY") or None)
    db_url = os.environ["ENCLAVE_DB_URL"]
    sock = os.environ["ENCLAVE_WARDEN_SOCKET"]
    runner = None
    if os.environ.get("ENCLAVE_HUB_CONFIG"):
        from hub_config.overnight import OvernightRunner

        with open(os.environ["ENCLAVE_HUB_CONFIG"]) as f:
            runner = OvernightRunner(db_url, policy, json.load(f))
    warden = Warden(db_url, policy, os.environ["JUPYTERHUB_API_URL"],
                    os.environ["JUPYTERHUB_API_TOKEN"], runner)
    # 0o666: any sandbox uid may connect (only brokers' sandboxes bind the socket in); the
    # credential in each request is what authenticates.  The record server runs on its own
    # threads (a thread per broker connection), beside this loop's sweeps.
    server = warden_http.listen(warden, sock, mode=0o666)
    log.info("warden listening on %s, sweeping every %ss", sock,
             policy.sessions.slot_end_check_seconds)
    try:
        await warden.run_sweeps()
    finally:
        server.close()
        if runner is not None:
            runner.stop_all()


def main() -> int:
    # The hub's service: if the hub dies, so does the warden (its sessions end with the hub
    # too, see hub_config.sandbox), instead of sweeping a dead hub forever.
    from hub_config.lifetime import end_with_parent

    if not end_with_parent():
        return 1
    asyncio.run(amain())
    return 0


if __name__ == "__main__":
    sys.exit(main())
