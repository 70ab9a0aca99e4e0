"""E: egress of results (RULES.md E1–E8, O2)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from policies.fields import setting


class EgressPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_units_per_cell: int = setting(
        6, rule="E2", ge=1,
        description="Every statistic must rest on at least this many units ('more than five').")
    zero_cells_need_review: bool = setting(
        True, rule="E2", description="Zero cells are flagged for a reviewer's judgement.")
    nk_rule_n: int = setting(2, rule="E3", ge=1, description="Dominance (n,k) rule: n largest.")
    nk_rule_k: float = setting(
        0.85, rule="E3", gt=0, le=1, description="Dominance (n,k) rule: share k of the total.")
    p_percent: float = setting(
        0.10, rule="E3", gt=0, le=1, description="p% rule: estimate precision that is disclosive.")
    max_cells_per_unit: float = setting(
        0.2, rule="E6", gt=0,
        description="A table with more cells than this fraction of its units is over-fine.")
    max_decimal_places: int = setting(
        6, rule="E7", ge=0, description="Numbers with more decimals look like smuggled data.")
    entropy_bits_per_char: float = setting(
        4.5, rule="E7", gt=0, description="Strings above this entropy are treated as blobs.")
    reviews_required: int = setting(
        2, rule="E4", ge=1, le=2, description="Independent reviews before approval.")
    release_download_days: int = setting(
        14, rule="O2", ge=1, description="Days after approval during which files can be fetched.")
    committee_reviews_required: int = setting(
        1, rule="E5", ge=1, le=3,
        description="Committee approvals needed for models, figures and imaging results.")
    max_request_bytes: int = setting(
        50_000_000, rule="E1", ge=1,
        description="Largest egress request accepted (results are aggregates, not data).")
    release_zip_min_password_length: int = setting(
        10, rule="O2", ge=8, description="Shortest password accepted for an encrypted download.")
