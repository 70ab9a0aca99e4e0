"""The data steward's walkthrough (issue 16).  The steward's tools are commands, not pages:
this test runs them as the steward would - `enclave db upgrade`, `enclave keys init`,
`enclave data generate`, `enclave data load`, `enclave data releases`, `enclave extract build`
as real subprocesses - then opens the control plane in headless Chromium (real uvicorn) as
the centre's admin and as the case's PI and checks what they see of the case's extract.
Screenshots in test-artefacts/ (tests/screenshots.py)."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from enclave.db import session_scope, utcnow
from tests.control.conftest import PASSWORD, mk_case, mk_user
from tests.identity.helpers import enrol_totp
from tests.screenshots import shot
from tests.services.browser import ARGS, CHROMIUM, control_login
from tests.services.net import control_plane

SPEC = {"files": {"H_NHI_ENROL": {"years": [2020], "columns": ["ID", "ID_S", "ID_BIRTH_Y"]}},
        "cohort": {"sex": ["M"]}}
pytestmark = pytest.mark.slow


STEWARD_LOGIN = "mei.steward"   # the operating-system account the steward types at


def steward(home: Path, *args: str, json_out: bool = True) -> dict | list | str:
    """One steward command, as typed at the terminal (JSON output, where it has one, for the
    test to read)."""
    from policies.loader import POLICY_ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("ENCLAVE_")}
    env.update(ENCLAVE_HOME=str(home), ENCLAVE_POLICY=str(POLICY_ROOT / "nhi_centre"),
               LOGNAME=STEWARD_LOGIN, USER=STEWARD_LOGIN)
    r = subprocess.run([sys.executable, "-m", "enclave.cli.main", *args, *(["--json"] if json_out else [])], env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"enclave {' '.join(args)}: {r.stdout[-2000:]} {r.stderr[-2000:]}"
    return json.loads(r.stdout) if json_out else r.stdout


def _sees_the_extract(page, built: dict, on_disk: dict, built_taipei: dt.datetime, k_min: int):
    """The case page's 「資料擷取 Extract」 section says what `enclave extract build` recorded."""
    sec = page.locator("#extract")
    assert sec.is_visible() and sec.get_attribute("data-built") == "yes"
    when = page.inner_text("#extract-built")
    assert built_taipei.strftime("%Y-%m-%d %H:%M") in when and "Taipei" in when
    assert STEWARD_LOGIN in when and built["release"] in when
    for fam, n in built["rows"].items():
        assert page.locator(f"#extract-rows tr[data-family='{fam}'] td").nth(1).inner_text() == str(n)
    assert page.inner_text("#extract-k-value") == str(built["k_anonymity"][0]["k"])
    assert page.inner_text("#extract-k-min") == str(k_min)
    for r in built["k_anonymity"]:
        cells = page.locator(f"#extract-k tr[data-table='{r['table']}'] td")
        assert cells.nth(2).inner_text() == str(r["k_min"])
    override = page.inner_text("#extract-override")
    if built["k_override"]:
        assert built["k_override"] in override
    else:
        assert "無 none" in override
    enc = page.locator("#extract-encrypted").get_attribute("data-encrypted")
    assert enc == ("yes" if on_disk["encrypted_at_rest"] else "no")


def _login(page, base, name, totp):
    control_login(page, base, name, PASSWORD, totp)


def test_steward_loads_and_builds_then_admin_and_pi_see_the_case(tmp_path, monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright
    from policies import load_policy
    from policies.loader import POLICY_ROOT

    home = tmp_path / "home"
    home.mkdir()
    # one enclave: this process writes the case with the master key the steward's init makes
    monkeypatch.setenv("ENCLAVE_HOME", str(home))
    for var in ("ENCLAVE_KEYS", "ENCLAVE_DB_URL", "ENCLAVE_AUDIT_JOURNAL"):
        monkeypatch.delenv(var, raising=False)
    src = tmp_path / "src"
    # the steward's terminal
    steward(home, "db", "upgrade", json_out=False)
    steward(home, "keys", "init", json_out=False)
    gen = steward(home, "data", "generate", "--out", str(src), "--rows", "300", "--images", "0",
                  "--seed", "5")
    assert gen["claim_rows"] >= 300
    rep = steward(home, "data", "load", str(src), "--release", "R2026A")
    assert rep["reconciled"] and rep["rows_loaded"] == rep["rows_read"]
    assert [r["release"] for r in steward(home, "data", "releases")] == ["R2026A"]

    url = f"sqlite:///{home / 'state.db'}"
    policy = load_policy(POLICY_ROOT / "nhi_centre")
    now = utcnow()
    with session_scope(url) as db:
        admin = mk_user(db, "admin", "admin", when=now)
        alice = mk_user(db, "alice", when=now)
        totp = {"admin": enrol_totp(db, admin)}
        bob = mk_user(db, "bob", when=now)      # a plain member of the case
        case = mk_case(db, policy, alice, admin=admin, now=now, spec=SPEC, members=[(bob, None)])
        totp["alice"] = enrol_totp(db, alice)   # the PI is the case's officer: TOTP (A4)
        totp["steward"] = enrol_totp(db, mk_user(db, "steward", "steward", when=now))
        totp["bob"] = enrol_totp(db, bob)
        code = case.code
    built = steward(home, "extract", "build", code, "--k-override-reason",
                    "synthetic data for the walkthrough, no real persons")
    assert built["rows"]["H_NHI_ENROL"] == built["persons"] > 0
    with session_scope(url) as db:
        from enclave.audit.models import AuditRecord

        acts = [(r.action, r.case_code) for r in db.scalars(select(AuditRecord))]
        built_ts = db.scalars(select(AuditRecord.ts).where(AuditRecord.action == "extract.build")).one()
    assert ("data.load", None) in acts and ("extract.build", code) in acts
    # what the case page must show, from the build's own output and the files it wrote
    on_disk = json.loads((home / "projects" / code / "data" / "extract.json").read_text())
    built_taipei = dt.datetime.fromisoformat(built_ts).astimezone(ZoneInfo("Asia/Taipei"))
    k_min = min(r["k_min"] for r in built["k_anonymity"])

    env = {k: v for k, v in os.environ.items() if not k.startswith("ENCLAVE_")}
    env.update(ENCLAVE_HOME=str(home), ENCLAVE_DB_URL=url, ENCLAVE_KEYS=str(home / "keys"),
               ENCLAVE_POLICY=str(POLICY_ROOT / "nhi_centre"))
    with control_plane(env) as base:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                for who, name in (("admin", "steward-admin-case"), ("alice", "steward-pi-case")):
                    page = browser.new_context().new_page()
                    _login(page, base, who, totp[who])
                    page.goto(f"{base}/cases/{code}")
                    spec = page.locator("#extract-spec")
                    assert spec.is_visible()
                    row = spec.locator("tr", has_text="H_NHI_ENROL")
                    assert row.count() == 1
                    assert "2020" in row.inner_text() and "ID_BIRTH_Y" in row.inner_text()
                    assert "cohort" in spec.inner_text() and '"M"' in spec.inner_text()
                    _sees_the_extract(page, built, on_disk, built_taipei, k_min)
                    shot(page, name)
                    page.context.close()
                # the steward sees it too; a plain member of the case sees the case, not this
                page = browser.new_context().new_page()
                _login(page, base, "steward", totp["steward"])
                page.goto(f"{base}/cases/{code}")
                _sees_the_extract(page, built, on_disk, built_taipei, k_min)
                shot(page, "steward-steward-case")
                page.context.close()
                page = browser.new_context().new_page()
                _login(page, base, "bob", totp["bob"])
                page.goto(f"{base}/cases/{code}")
                assert page.locator("#extract-spec").is_visible()
                assert page.locator("#extract").count() == 0
                assert "資料擷取 Extract" not in page.inner_text("body")
                page.context.close()
            finally:
                browser.close()
