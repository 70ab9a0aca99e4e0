"""O: operations (RULES.md O1)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from policies.fields import setting


class OperationsPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    announcements_page_size: int = setting(
        20, rule="O1", ge=1, le=200, description="Announcements per page, newest first.")
    announcement_attachment_max_bytes: int = setting(
        10 * 1024 * 1024, rule="O1", ge=1024, description="Largest attachment accepted.")
