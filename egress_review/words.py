"""The words people read for request states and review decisions: Traditional Chinese first,
then English (one table for the reviewer pages and the in-session view)."""
from __future__ import annotations

STATE_ZH = {"draft": "草稿", "submitted": "已送出", "checked": "已自動檢核", "in_review": "審查中",
            "approved": "已核准", "changes_requested": "請修改", "rejected": "已駁回",
            "released": "已釋出", "withdrawn": "已撤回"}
DECISION_ZH = {"approve": "核准 approve", "changes": "請修改 request changes", "reject": "駁回 reject"}
VERDICT_ZH = {"pass": "通過", "review": "需人工審查", "block": "阻擋"}


def state_words(state: str | None) -> str:
    if not state:
        return ""
    zh = STATE_ZH.get(state)
    return f"{zh} {state.replace('_', ' ')}" if zh else state
