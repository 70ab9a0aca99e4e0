"""P: cases (projects), people and time (RULES.md P1–P12)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from policies.fields import setting


class CasePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    research_period_months: int = setting(12, rule="P3", ge=1, description="Research period.")
    imaging_period_months: list[int] = setting(
        [3, 6, 12], rule="P3", description="Periods the committee may set for imaging cases.")
    period_starts_after_approval_months: int = setting(
        3, rule="P3", ge=0,
        description="Period starts at first use or this many months after approval.")
    extension_notice_days: int = setting(
        10, rule="P4", ge=0, description="Extensions must be asked this many days before end.")
    extension_days: int = setting(30, rule="P4", ge=1, description="Days per extension.")
    research_max_extension_months: int = setting(
        12, rule="P9", ge=0, description="Total extension of a research case.")
    imaging_max_extensions: int = setting(1, rule="P9", ge=0, description="Imaging extensions.")
    max_concurrent_cases: int = setting(
        3, rule="P5", ge=1, description="Concurrent cases per applicant.")
    priority_order: list[str] = setting(
        ["administrative", "nhi_commissioned", "agency_commissioned", "independent"],
        rule="P6", description="Scheduling priority, highest first.")
    staff_change_interval_months: int = setting(
        6, rule="P7", ge=0, description="Months between processing-staff changes.")
    staff_change_max_people: int = setting(6, rule="P7", ge=1, description="People per change.")
    file_additions_allowed: int = setting(1, rule="P7", ge=0, description="File/year additions.")
    column_additions_allowed: int = setting(4, rule="P7", ge=0, description="Column additions.")
    payment_deadline_days: int = setting(
        14, rule="P10", ge=1, description="Days to pay before the case is void.")
    model_handover_due_days: int = setting(
        30, rule="E8", ge=1, le=365,
        description="Days after an imaging case's period ends by which its AI-model deliverables "
                    "are handed over (recorded and accepted).")
    refuse_without_model_handover: bool = setting(
        True, rule="E8",
        description="Refuse the next application of an applicant whose ended imaging case has no "
                    "accepted AI-model hand-over past the due days (the centre may refuse it).")
    publication_copy_due_days: int = setting(
        30, rule="P12", ge=1, description="Days after publication a copy is due.")
    government_period_months: int = setting(
        12, rule="P4", ge=1, description="Period of a government case from approval.")
    priority_bump_notice_hours: int = setting(
        48, rule="P6", ge=0,
        description="A higher-priority case may take a full slot's seat from a lower-priority "
                    "booking only if the slot starts at least this many hours later.")
    fee_schedule: dict[str, int] = setting(
        default_factory=lambda: {"half_day_seat": 3000, "overnight_run": 1500,
                                 "extraction_per_file": 5000, "extra_working_day": 6000},
        rule="P10", description="Fees in TWD.")
