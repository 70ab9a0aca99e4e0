"""The demo's researcher-to-release flow, shared by tests/test_enclave_up.py (one host) and
tests/docker/podman_driver.py (inside a container, where pytest is not installed)."""
from __future__ import annotations

import contextlib
import re
import time

import httpx
import pyotp

KERNEL_CODE = r'''
import os
from enclave.session import connect, submit_outputs
from egress_review import safe_tables as st
db = connect("demo: persons with diabetes visits by sex")
df = db.sql("SELECT ID, ID_SEX FROM H_NHI_OPDTE").df()
t = st.count(df, by="ID_SEX", unit="ID")
side = t.save("/workspace/out/by_sex.csv")
man = {"version": 1, "case_code": os.environ["ENCLAVE_CASE"],
       "purpose": "Table 1 of the paper: persons with diabetes visits by sex",
       "files": [t.manifest_entry("by_sex.csv", "distinct persons by sex")]}
# the README's pre-check, as a researcher runs it in the notebook (!enclave egress check ...)
import subprocess, yaml
open("/workspace/out/manifest.yaml", "w").write(yaml.safe_dump(man, allow_unicode=True))
pre = subprocess.run(["enclave", "egress", "check", "/workspace/out/manifest.yaml"],
                     capture_output=True, text=True)
print("PRECHECK", pre.returncode, pre.stdout[-800:].replace("\n", " | "), pre.stderr[-400:])
print("SUBMITTED", submit_outputs(["/workspace/out/by_sex.csv", str(side)], man))
'''


_USED_STEPS: dict[str, int] = {}


def totp_code(secret: str | None, user: str) -> str:
    """A code of the printed secret, one not used before by this user (codes work once)."""
    if not secret:
        return ""
    totp = pyotp.TOTP(secret)
    while int(time.time()) // totp.interval <= _USED_STEPS.get(user, -1):
        time.sleep(1)
    _USED_STEPS[user] = int(time.time()) // totp.interval
    return totp.now()


def printed_secrets(up_log: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"^\s+\S+\s+(\S+)\s+\S+\s+TOTP secret ([A-Z2-7]+)\s*$",
                                                         up_log, re.M)}


@contextlib.contextmanager
def web_login(base: str, user: str, password: str, verify=True, secret: str | None = None):
    with httpx.Client(base_url=base, timeout=60, verify=verify) as c:
        r = c.post("/login", data={"username": user, "password": password, "next": "/",
                                   "otp": totp_code(secret, user)})
        assert r.status_code in (200, 303), r.text[:500]
        # a cookie-authenticated call says where it comes from and carries the session's CSRF
        # token, as the service's own pages do (enclave.web.csrf)
        from enclave.identity.sessions import csrf_token

        c.headers.update({"origin": base, "x-csrf-token": csrf_token(c.cookies.get("enclave_session"))})
        yield c
