from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.base import Base, utcnow


class SingleUse:
    """A one-time secret (an enrolment code, a WebAuthn challenge, an SSO code): it expires,
    and ``used_at`` is set on its first use, right or wrong."""

    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    def expired(self, now: dt.datetime) -> bool:
        expires = self.expires_at
        if expires.tzinfo is None:  # stored values read back aware (UTCDateTime); naive is UTC
            expires = expires.replace(tzinfo=dt.timezone.utc)
        return now >= expires


class WebSession(Base):
    """A server-side login session or API token; only its SHA-256 is stored, so a leaked
    database does not hand out live sessions, and revocation takes effect at once."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="browser")  # browser | api
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    # Single sign-on (enclave.identity.sso): a front end's session opened with a code from the
    # control plane lives only as long as the control-plane log-in it came from (parent_id).
    parent_id: Mapped[int | None] = mapped_column(Integer, index=True)
    front_end: Mapped[str | None] = mapped_column(String(20))
    second_factor: Mapped[bool | None] = mapped_column(Boolean)  # the log-in had TOTP or a key
    # which: 'totp' | 'webauthn' (None: none, or a row older than the record); checked on every
    # request against the policy and roles of now (A4, enclave.identity.factor_gate)
    factor: Mapped[str | None] = mapped_column(String(10))


class LoginFailure(Base):
    """One refused log-in (wrong password or code, locked, throttled), by account name and by
    client address: the lock-out and throttle count these within the policy window (A4)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    front_end: Mapped[str] = mapped_column(String(20))  # control | review | hub
    at: Mapped[dt.datetime] = mapped_column(index=True)


class TotpCredential(Base):
    """A user's TOTP secret (RFC 6238).  ``confirmed_at`` is set once a code from the
    authenticator app has been accepted; ``last_step`` stops a code being used twice."""

    __tablename__ = "totp_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # sealed: "v1:" + AES-GCM under a key from the master key (enclave.identity.mfa); a copy of
    # the database alone yields no usable secret
    secret: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[dt.datetime | None]
    last_step: Mapped[int | None] = mapped_column(BigInteger)


class MfaEnrolmentCode(SingleUse, Base):
    """A one-time code an admin gives a user out of band (with the first password) to enrol
    the second factor: whoever learns the password alone cannot enrol their own device first
    (no trust on first use).  Only its SHA-256 is stored."""

    __tablename__ = "mfa_enrolment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime]


class WebAuthnCredential(Base):
    """A security key or platform authenticator (WebAuthn) registered as a second factor.
    Only public data: the credential id and COSE public key say nothing secret, so a copy of
    the database yields no way to log in.  ``sign_count`` is the authenticator's counter at the
    last accepted assertion: a clone shows up as a counter that does not increase."""

    __tablename__ = "webauthn_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url, ≤1023 bytes
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(64))
    rp_id: Mapped[str] = mapped_column(String(253))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]


class WebAuthnChallenge(SingleUse, Base):
    """One WebAuthn ceremony waiting for its answer: random, single-use (``used_at`` is set on
    the first answer, right or wrong), expiring, bound to one account and to the session
    (registration) or log-in attempt (``bound_hash``: SHA-256 of that token) that asked for it."""

    __tablename__ = "webauthn_challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # register | login
    challenge: Mapped[str] = mapped_column(String(100), unique=True)  # base64url of 32 random bytes
    bound_hash: Mapped[str] = mapped_column(String(64), index=True)
    rp_id: Mapped[str] = mapped_column(String(253))
    origin: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime]


class SsoCode(SingleUse, Base):
    """A one-time code the control plane hands a front end after its log-in (single sign-on):
    only its SHA-256 is kept; single-use (``used_at`` on the first presentation, right or
    wrong), short-lived, for one front end (``audience``) and callback, bound to the front end's
    state value (SHA-256) and to the control-plane log-in session it was issued from."""

    __tablename__ = "sso_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("web_sessions.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(20))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    state_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    child_id: Mapped[int | None] = mapped_column(Integer)  # the front end's session it opened
