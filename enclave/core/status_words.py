"""The status words pages show, Traditional Chinese first, then English (issue 16).

Stored statuses are English identifiers (``no_show``); a page shows 「未到 no show」.  A status
this table does not know is shown as it is stored (never hidden)."""
from __future__ import annotations

STATUS_ZH = {
    "draft": "草稿", "submitted": "已送出", "pending": "待審", "approved": "已核准", "refused": "不核准",
    "rejected": "已駁回", "active": "進行中", "suspended": "已停權", "revoked": "已撤銷",
    "ended": "已結束", "closed": "已結案", "expired": "已逾期", "data_use_stopped": "已停止資料使用",
    "booked": "已預約", "attended": "已出席", "no_show": "未到", "cancelled": "已取消",
    "displaced": "已改期", "purged": "已清除", "open": "開放", "signed": "已簽核", "void": "作廢",
    "paid": "已繳費", "unpaid": "未繳費", "left": "已離職", "in_review": "審查中",
    "blocked": "已阻擋", "released": "已釋出", "delivered": "已交付", "withdrawn": "已撤回",
    "flagged": "已標記問題",
}


def status_words(status: str | None) -> str:
    if not status:
        return ""
    zh = STATUS_ZH.get(status)
    en = status.replace("_", " ")
    return f"{zh} {en}" if zh else status
