"""A: accounts, logging and audit (RULES.md A2–A7)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from policies.fields import setting


class AccountPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allowed_employment: list[str] = setting(
        ["permanent", "contract"], rule="A2", description="Who may hold an account.")
    password_min_length: int = setting(12, rule="A4", ge=8, description="Minimum length.")
    password_min_classes: int = setting(
        3, rule="A4", ge=1, le=4, description="Of lower, upper, digit, symbol.")
    password_max_age_days: int = setting(
        90, rule="A4", ge=1, description="A password older than this cannot log in.")
    audit_retention_years: int = setting(
        3, rule="A5", ge=3, description="Audit records are kept at least this long.")
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
