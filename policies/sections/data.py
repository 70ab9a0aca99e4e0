"""D: data and de-identification settings (RULES.md D1, D3)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from policies.fields import setting

ColumnAction = Literal["keep", "recode", "drop", "generalise", "scrub"]


class DataPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recode_algorithm: Literal["hmac-sha256"] = setting(
        "hmac-sha256", rule="D1",
        description="Keyed re-coding of identifiers; a bare hash is never allowed.")
    pseudonym_hex_chars: int = setting(
        32, rule="D1", ge=16, le=64,
        description="Length of the hex pseudonym kept from the HMAC (≥16 = 64 bits).")
    birthday_granularity: Literal["year", "year_month"] = setting(
        "year_month", rule="D1", description="How far birthdays are generalised.")
    date_granularity: Literal["day", "month"] = setting(
        "day", rule="D1", description="Granularity kept for service dates.")
    free_text_scrub: bool = setting(
        True, rule="D1", description="Scan and mask personal data in free-text columns.")
    dicom_profile: Literal["ps3.15-basic"] = setting(
        "ps3.15-basic", rule="D1", description="DICOM header de-identification profile.")
    dicom_mask_burned_in_text: bool = setting(
        True, rule="D1", description="Mask text burned into DICOM pixels.")
    k_anonymity_k: int = setting(
        5, rule="D1", ge=2,
        description="k reported by the extract's k-anonymity report on quasi-identifiers.")
    columns: dict[str, dict[str, ColumnAction]] = setting(
        default_factory=dict, rule="D1",
        description="Per file family, per column: keep / recode / drop / generalise / scrub.")
    extract_only_requested_columns: bool = setting(
        True, rule="D3", description="A project extract holds only the approved columns.")
    extract_recode_per_case: bool = setting(
        True, rule="D3",
        description="Person identifiers are re-coded again with a per-case key in extracts.")
