"""A: accounts, logging and audit (RULES.md A2–A7)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from policies.fields import setting


class AccountPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_employment: list[str] = setting(
        ["permanent", "contract"], rule="A2", description="Who may hold an account.")
    password_min_length: int = setting(12, rule="A4", ge=8, description="Minimum length.")
    password_min_classes: int = setting(
        3, rule="A4", ge=1, le=4, description="Of lower, upper, digit, symbol.")
    password_max_age_days: int = setting(
        90, rule="A4", ge=1, description="A password older than this cannot log in.")
    audit_retention_years: int = setting(
        3, rule="A5", ge=3, description="Audit records are kept at least this long.")
    audit_witness_window_hours: float = setting(
        24.0, rule="A5", gt=0, le=24 * 366, allow_inf_nan=False,
        description="`enclave audit verify` with a witness fails when the witness's newest checkpoint "
                    "is older than the journal's newest by more than this ($ENCLAVE_AUDIT_WITNESS_"
                    "WINDOW_HOURS overrides it for one run).")
    audit_sample_interval_months: int = setting(6, rule="A6", ge=1, description="Sample cadence.")
    audit_sample_fraction: float = setting(
        0.2, rule="A6", gt=0, le=1, description="Share of accounts sampled.")
    audit_records_per_account: int = setting(
        10, rule="A6", ge=1, description="Records sampled per account (all if fewer).")
    idle_account_days: int = setting(
        180, rule="A6", ge=1, description="Accounts unused this long are listed as idle.")
    review_interval_months: int = setting(
        12, rule="A6", ge=1, description="All accounts are reviewed at least this often.")
    audit_supervisor_roles: list[str] = setting(
        ["admin", "committee"], rule="A6",
        description="Roles that may sign off an audit sample (not the one who drew it).")
    internal_audit_interval_months: int = setting(
        12, rule="A6", ge=1, le=24,
        description="One internal audit at least this often: the audit page and "
                    "GET /api/audit/internal say when it is due.")
    internal_auditor_roles: list[str] = setting(
        ["committee"], rule="A6",
        description="Roles that carry out the yearly internal audit (open it, record findings, "
                    "close it); never an account that also holds the admin role it audits.")
    query_approval_roles: list[str] = setting(
        ["committee"], rule="A3",
        description="Roles that may approve logged queries of any case (besides the case's PI "
                    "for the other members' queries); nobody approves their own.")
    query_approval_days: int = setting(
        14, rule="A3", ge=0, le=366,
        description="A query not approved by a supervisor this many days after it ran blocks new "
                    "sessions of its case until it is decided (0: never blocks).")
    accreditation_required: list[Literal["training", "undertaking"]] = setting(
        ["training", "undertaking"], rule="P11",
        description="What a person must have on record - current, not withdrawn - before the "
                    "booking gate lets them reach a case's data (log-in, session, overnight run, "
                    "every query): the centre's data-security training and the signed "
                    "confidentiality undertaking. The admin or the person's officer records them, "
                    "never the person. An empty list switches the check off.")
    training_valid_days: int = setting(
        365, rule="P11", ge=1, le=3660,
        description="A data-security training counts for this many days after it was completed "
                    "(then it is taken again).")
    undertaking_valid_days: int = setting(
        1095, rule="P11", ge=1, le=3660,
        description="A signed confidentiality undertaking counts for this many days after "
                    "signing (then it is signed again).")
    # Log-in throttling and the second factor: one login module applies these on every front
    # end (control plane, review service, release area, hub).
    login_max_failures: int = setting(
        5, rule="A4", ge=1, le=100,
        description="Wrong log-ins to one account within the window before it is locked.")
    login_client_max_failures: int = setting(
        20, rule="A4", ge=1, le=10000,
        description="Wrong log-ins from one client address within the window before it is throttled.")
    login_failure_window_minutes: int = setting(
        15, rule="A4", ge=1, le=1440, description="Window in which failures are counted.")
    login_lockout_minutes: int = setting(
        15, rule="A4", ge=1, le=10080,
        description="How long a locked account or throttled client is refused, even with the right password.")
    mfa_required_roles: list[str] = setting(
        ["admin", "committee", "reviewer", "steward", "officer", "researcher"], rule="A4",
        description="Roles that must log in with a second factor as well as the password: every "
                    "role, researchers included (SATRE 3.2.04, multi-factor authentication for "
                    "all users).")
    mfa_enrolment_code_required: bool = setting(
        True, rule="A4",
        description="Enrolling a second factor needs a one-time code the admin gives with the "
                    "first password (out of band): the password alone cannot enrol a device.")
    mfa_enrolment_code_hours: int = setting(
        72, rule="A4", ge=1, le=720,
        description="Hours an enrolment code stays valid after the admin issued it.")
    webauthn_allowed: bool = setting(
        True, rule="A4",
        description="Security keys and platform authenticators (WebAuthn) may be enrolled (with "
                    "the one-time enrolment code) and used as the second factor; with "
                    "mfa_required_roles, either a key or a TOTP code satisfies the role.")
    webauthn_required_roles: list[str] = setting(
        [], rule="A4",
        description="Roles that must log in with a security key: a TOTP code alone does not "
                    "satisfy them (phishing-resistant second factor). Needs webauthn_allowed.")
    webauthn_challenge_minutes: int = setting(
        5, rule="A4", ge=1, le=15,
        description="Minutes a WebAuthn challenge (registration or log-in) stays valid; each is "
                    "single-use.")
    sso_code_seconds: int = setting(
        60, rule="A4", ge=5, le=600,
        description="Seconds a single sign-on code from the control plane stays valid for the "
                    "front end it was issued to (single-use, bound to that front end's state).")
