"""Headless Chromium for the page tests: where it is, how it starts, and the control plane's
log-in form as a person fills it."""
from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


def control_login(page, base: str, name: str, password: str, totp=None) -> None:
    """Log ``name`` in on the control plane's /login; staff roles also type a TOTP code (A4)."""
    page.goto(base + "/login")
    page.get_by_label("帳號 User name").fill(name)
    page.get_by_label("密碼 Password").fill(password)
    if totp is not None:
        page.get_by_label("驗證碼 One-time code").fill(totp.now())
    page.get_by_role("button", name="登入 Log in").click()
    page.wait_for_url(base + "/")
