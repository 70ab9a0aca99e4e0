"""The session's JupyterLab as configured (issue 16), without a hub: the read-only system config
makes Traditional Chinese the default, turns news and update checks off, disables the Help
menu's internet links and loads the slot clock; the slot clock's payload is the booking's end
with the policy's warning lead (S2); the hub's refusals get a Chinese reading."""
from __future__ import annotations

import datetime as dt
import json
import runpy
from pathlib import Path

import pytest

from hub_config import hub_words
from hub_config.lockdown import OFFLINE_PLUGINS, write_system_config
from hub_config.singleuser import slot_clock

INTERNET_HELP = ("@jupyterlab/help-extension:resources", "@jupyterlab/help-extension:jupyter-forum",
                 "@jupyterlab/help-extension:about")


@pytest.fixture(scope="module")
def system_config(tmp_path_factory) -> Path:
    return write_system_config(tmp_path_factory.mktemp("jupyter") / "etc")


def test_default_locale_is_zh_tw_and_news_off(system_config):
    overrides = json.loads((system_config / "lab/settings/overrides.json").read_text())
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_TW"
    note = overrides["@jupyterlab/apputils-extension:notification"]
    assert note["fetchNews"] == "false" and note["checkForUpdates"] is False
    # and the pack the locale names is installed, with the strings JupyterLab asks for
    import jupyterlab_language_pack_zh_TW as pack

    catalogue = Path(pack.__file__).parent / "locale/zh_TW/LC_MESSAGES/jupyterlab.json"
    assert json.loads(catalogue.read_text(encoding="utf-8"))


def test_internet_help_links_disabled_and_locked(system_config):
    page = json.loads((system_config / "labconfig/page_config.json").read_text())
    for plugin in INTERNET_HELP:
        assert plugin in OFFLINE_PLUGINS
        assert page["disabledExtensions"][plugin] is True
        assert page["lockedExtensions"][plugin] is True


def test_server_config_loads_the_slot_clock_and_fetches_nothing(system_config):
    ns = runpy.run_path(str(system_config / "jupyter_server_config.py"),
                        init_globals={"get_config": _Config})
    c = ns["c"]
    assert c.LabApp.news_url is None
    assert c.LabApp.check_for_updates_class == "jupyterlab.NeverCheckForUpdate"
    paths = c.LabApp.extra_labextensions_path
    assert paths == [str(slot_clock.LABEXTENSIONS.resolve())]
    ext = Path(paths[0]) / slot_clock.NAME
    meta = json.loads((ext / "package.json").read_text())
    entry = ext / meta["jupyterlab"]["_build"]["load"]
    assert meta["name"] == slot_clock.NAME and entry.is_file()
    js = entry.read_text()
    assert f'window._JUPYTERLAB["{slot_clock.NAME}"]' in js and "enclaveSlot" in js
    assert "http://" not in js and "https://" not in js and "fetch(" not in js
    # its one request: the slot end, re-read from this server through JupyterLab's connection
    assert js.count("makeRequest(") == 1 and 's.baseUrl + "enclave/slot"' in js
    assert "XMLHttpRequest" not in js and "WebSocket" not in js
    # the main menu's titles, named in Traditional Chinese by menu id
    for menu, zh in (("file", "檔案"), ("edit", "編輯"), ("view", "檢視"), ("kernel", "核心"),
                     ("tabs", "分頁")):
        assert f'"jp-mainmenu-{menu}": ["{zh}",' in js


class _Section(dict):
    def __getattr__(self, k):
        return self.setdefault(k, _Section())

    def __setattr__(self, k, v):
        self[k] = v


def _Config():
    return _Section()


def test_slot_payload_is_the_booking_end_in_taipei_with_the_policy_lead():
    """S2: what JupyterLab counts down to is what the spawner was told (the booking's end)."""
    now = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.timezone.utc)
    s = slot_clock.slot({"ENCLAVE_SLOT_END": "2026-03-02T04:30:00+00:00",
                         "ENCLAVE_SLOT_WARN_MINUTES": "15"}, now=now)
    assert s == {"ends": "2026-03-02T04:30:00+00:00", "endsTaipei": "12:30", "warnMinutes": 15,
                 "now": now.isoformat()}
    naive = slot_clock.slot({"ENCLAVE_SLOT_END": "2026-03-02T09:29:00"}, now=now)  # rows are UTC
    assert naive["endsTaipei"] == "17:29" and naive["warnMinutes"] == 10
    assert slot_clock.slot({}, now=now)["ends"] == ""  # unknown: the page says so, no guess


@pytest.mark.parametrize("english, chinese", [
    ("Login refused: no booked slot for you at this time (S3): book a seat first.",
     "登入被拒：您此時段沒有預約座位（S3）：請先預約。"),
    ("Login refused: case C3 is suspended; you are not a member of case C9.",
     "登入被拒：計畫 C3 已停權；您不是計畫 C9 的成員。"),
    ("HTTP 403: Forbidden (Server start refused: seat 4 is not a registered workstation (S4))",
     "無法啟動工作階段：第 4 號座位不是已登記的工作站（S4）。"),
    ("Too many failed log-ins from your address; try again after 02:15 UTC (A4).",
     "您的位址登入失敗次數過多，請於 10:15（台北時間）後再試（A4）。"),
])
def test_refusals_read_in_chinese(english, chinese):
    assert hub_words.reason_zh(english) == chinese


def test_unknown_reason_still_leads_in_chinese():
    assert hub_words.reason_zh("something new broke") == "發生錯誤：原因如下（英文）"
    assert hub_words.status_zh(404) == "找不到頁面" and hub_words.status_en(404) == "Not Found"
