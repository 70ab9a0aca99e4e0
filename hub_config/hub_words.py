"""The hub's words in Traditional Chinese, shown before the English (issue 16).

The refusals the hub raises (booking gate, seat check, log-in rules) are English sentences
built in the services; the pages show each one as it is, after its Chinese reading.  A
sentence this table does not know still gets a Chinese lead-in (never an English-only page)
and is shown in full, so no reason is ever hidden.  Times inside a reason (the lock-out's
``HH:MM UTC``) are given in Asia/Taipei in the Chinese reading.
"""
from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus
from zoneinfo import ZoneInfo

TAIPEI = ZoneInfo("Asia/Taipei")
ENCLAVE_ZH = "國家衛生研究資料中心"
ENCLAVE_EN = "NHI research enclave"
WORK_AREA_ZH = "研究工作區"
WORK_AREA_EN = "Research work area"

HTTP_STATUS_ZH = {
    400: "請求有誤", 401: "尚未登入", 403: "拒絕存取", 404: "找不到頁面", 405: "不允許的操作",
    409: "狀態衝突", 429: "請求過於頻繁", 500: "伺服器內部錯誤", 502: "閘道錯誤",
    503: "服務暫時無法使用", 504: "閘道逾時",
}


def _utc_to_taipei(hhmm: str) -> str:
    h, m = (int(x) for x in hhmm.split(":"))
    today = dt.datetime.now(dt.timezone.utc).replace(hour=h, minute=m, second=0, microsecond=0)
    return today.astimezone(TAIPEI).strftime("%H:%M")


# (pattern over the English sentence, Chinese reading; {1}.. are the pattern's groups)
_PARTS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, re.I), zh) for p, zh in (
    (r"no booked slot for you at this time", "您此時段沒有預約座位（S3）：請先預約"),
    (r"this slot is a registered overnight run", "此時段為已登記的夜間運算，不開放互動使用（S5）"),
    (r"case ([\w-]+) is suspended", "計畫 {1} 已停權"),
    (r"case ([\w-]+) is (\w+), not active", "計畫 {1} 的狀態為 {2}，不是進行中"),
    (r"case ([\w-]+): fees are not paid", "計畫 {1} 尚未繳費（P10）"),
    (r"case ([\w-]+) has no data-use period", "計畫 {1} 沒有資料使用期間"),
    (r"case ([\w-]+): data-use period starts ([\d-]+)", "計畫 {1} 的資料使用期間自 {2} 開始"),
    (r"case ([\w-]+): data-use period ended ([\d-]+)", "計畫 {1} 的資料使用期間已於 {2} 結束（P3）"),
    (r"you are not a member of case ([\w-]+)", "您不是計畫 {1} 的成員"),
    (r"case ([\w-]+) has (\d+) logged queries awaiting", "計畫 {1} 有 {2} 筆查詢紀錄逾期未經督導核可（A3）"),
    (r"no enclave account named", "沒有這個帳號"),
    (r"account ([\w.@-]+) is (\w+)", "帳號 {1} 的狀態為 {2}"),
    (r"this account is locked after (\d+) failed log-ins; try again after (\d\d:\d\d) UTC",
     "此帳號連續登入失敗 {1} 次已被鎖定，請於 {2:taipei}（台北時間）後再試，或洽中心管理員（A4）"),
    (r"too many failed log-ins from your address; try again after (\d\d:\d\d) UTC",
     "您的位址登入失敗次數過多，請於 {1:taipei}（台北時間）後再試（A4）"),
    (r"this account is (\w+)", "此帳號的狀態為 {1}，請洽您的計畫聯絡人"),
    (r"wrong user name or password|invalid username or password", "帳號或密碼錯誤"),
    (r"wrong or missing one-time code", "一次性驗證碼（TOTP）錯誤或未填寫"),
    (r"second factor is a security key", "此帳號的第二道驗證是安全金鑰：請輸入帳號、密碼後按「使用安全金鑰」"),
    (r"your role needs a one-time code", "您的角色需要一次性驗證碼（TOTP）：請先在控制台「兩步驟驗證」登錄驗證器 App（A4）"),
    (r"your password (expired|is older than)", "您的密碼已逾期（A4）：請先變更密碼再登入"),
    (r"password no longer meets the password policy", "您的密碼不符合密碼政策（A4），必須變更"),
    (r"password has no recorded change date", "您的密碼沒有變更紀錄，必須先變更"),
    (r"the directory is unreachable", "目錄服務無法連線，請稍後再試"),
    (r"the work area is for researchers with a booking", "工作區僅供已預約的研究人員使用"),
    (r"this session is served only at seat (\d+)", "此工作階段只在第 {1} 號座位提供（S4）"),
    (r"seat (\d+) is not a registered workstation", "第 {1} 號座位不是已登記的工作站（S4）"),
    (r"the client address is unknown|unreadable client address", "無法判斷您的連線位址（S4）"),
    (r"no active booking for this session", "此工作階段沒有有效的預約"),
    (r"the extract for case ([\w-]+) is not ready", "計畫 {1} 的資料萃取檔尚未備妥"),
    (r"login form invalid or expired", "登入表單已失效，請重新整理後再試"),
    (r"no access to resources", "您沒有權限存取此資源"),
    (r"action is not authorized with current scopes", "您目前的權限不能執行此操作"),
    (r"failed to start your server", "上次啟動工作階段失敗；若持續發生請洽管理員"),
    (r"failed to reach your server", "無法連線到您的工作階段，請稍後再試"),
))
_LEADS = ((re.compile(r"^\s*login refused:\s*", re.I), "登入被拒："),
          (re.compile(r"^\s*server start refused:\s*", re.I), "無法啟動工作階段："))


def _fill(zh: str, m: re.Match) -> str:
    def one(ref: re.Match) -> str:
        value = m.group(int(ref.group(1)))
        return _utc_to_taipei(value) if ref.group(2) == "taipei" else value
    return re.sub(r"\{(\d)(?::(\w+))?\}", one, zh)


def reason_zh(message: str | None) -> str:
    """The Chinese reading of a refusal or error sentence ('' for none)."""
    text = (message or "").strip()
    if not text:
        return ""
    wrapped = re.fullmatch(r"HTTP \d+: [^(]*\((.*)\)", text, re.S)  # str() of tornado's HTTPError
    if wrapped:
        text = wrapped.group(1).strip()
    lead = ""
    for pattern, zh in _LEADS:
        if pattern.search(text):
            lead, text = zh, pattern.sub("", text)
            break
    whole = [(p, zh) for p, zh in _PARTS if ";" in p.pattern and p.search(text)]
    pieces = [text] if whole else text.split("; ")  # the gate joins its reasons with "; "
    parts = []
    for piece in pieces:
        for pattern, zh in _PARTS:
            m = pattern.search(piece)
            if m:
                parts.append(_fill(zh, m))
                break
    if not parts:
        return (lead or "發生錯誤：") + "原因如下（英文）"
    return lead + "；".join(parts) + "。"


def status_zh(code: int | None) -> str:
    return HTTP_STATUS_ZH.get(int(code or 0), "錯誤")


def status_en(code: int | None) -> str:
    """The standard phrase (JupyterHub's own label is sometimes a reason key like 'error')."""
    try:
        return HTTPStatus(int(code or 0)).phrase
    except ValueError:
        return "Error"


def taipei(when: dt.datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as people at the centre read it (naive values are UTC, as the databases keep)."""
    if when is None or when == "":
        return ""
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(TAIPEI).strftime(fmt)
