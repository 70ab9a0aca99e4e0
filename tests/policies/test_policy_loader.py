import re
import shutil
from pathlib import Path

import pytest

from policies import PolicyError, load_policy
from policies.loader import POLICY_ROOT

RULES_MD = Path(__file__).resolve().parents[3] / "shared" / "RULES.md"


def copy_policy(tmp_path) -> Path:
    dst = tmp_path / "nhi_centre"
    shutil.copytree(POLICY_ROOT / "nhi_centre", dst)
    return dst


def test_default_policy_matches_the_rules():
    p = load_policy(POLICY_ROOT / "nhi_centre")
    assert p.egress.min_units_per_cell == 6  # E2: "more than five"
    assert [(s.start.isoformat("minutes"), s.end.isoformat("minutes")) for s in p.sessions.slots] == [
        ("08:30", "12:30"), ("13:30", "17:30")]  # S2
    assert p.cases.max_concurrent_cases == 3  # P5
    assert p.accounts.password_max_age_days == 90  # A4
    assert p.egress.release_download_days == 14  # O2
    assert not p.demo and not p.sessions.round_the_clock


def test_demo_policy_is_marked_and_extends_the_centre():
    p = load_policy(POLICY_ROOT / "demo")
    assert p.demo and p.sessions.round_the_clock
    assert p.egress.min_units_per_cell == 6  # inherited, not relaxed


def test_every_setting_names_a_rule_from_rules_md():
    p = load_policy(POLICY_ROOT / "nhi_centre")
    ids = set(re.findall(r"^- ([A-Z]\d+) ", RULES_MD.read_text(), re.M)) if RULES_MD.exists() else None
    for section, key, _value, rule, description in p.settings_with_rules():
        assert rule, f"{section}.{key} names no rule"
        assert description, f"{section}.{key} has no description"
        if ids is not None:
            assert rule in ids, f"{section}.{key} names {rule}, not in RULES.md"


def test_bad_value_names_file_key_and_reason(tmp_path):
    d = copy_policy(tmp_path)
    (d / "egress.yaml").write_text("min_units_per_cell: 0\n")
    with pytest.raises(PolicyError) as e:
        load_policy(d)
    msg = str(e.value)
    assert "egress.yaml" in msg and "min_units_per_cell" in msg and "greater than or equal to 1" in msg


def test_unknown_key_is_refused(tmp_path):
    d = copy_policy(tmp_path)
    (d / "cases.yaml").write_text("max_concurent_cases: 9\n")  # typo must not be ignored
    with pytest.raises(PolicyError, match=r"cases.yaml: max_concurent_cases: Extra inputs"):
        load_policy(d)


def test_bad_yaml_reports_line(tmp_path):
    d = copy_policy(tmp_path)
    (d / "sessions.yaml").write_text("slots: [\n  - {name: a\n")
    with pytest.raises(PolicyError, match=r"sessions.yaml: line \d+ column \d+ invalid YAML"):
        load_policy(d)


def test_slot_that_ends_before_it_starts(tmp_path):
    d = copy_policy(tmp_path)
    (d / "sessions.yaml").write_text('slots:\n  - {name: x, start: "12:00", end: "08:00"}\n')
    with pytest.raises(PolicyError, match=r"sessions.yaml: slots.0: .*ends"):
        load_policy(d)


def test_unknown_section_file_and_extends_loop(tmp_path):
    d = copy_policy(tmp_path)
    (d / "egres.yaml").write_text("{}\n")
    with pytest.raises(PolicyError, match="unknown policy files"):
        load_policy(d)
    (d / "egres.yaml").unlink()
    (d / "policy.yaml").write_text("name: x\nextends: .\n")
    with pytest.raises(PolicyError, match="loops"):
        load_policy(d)
