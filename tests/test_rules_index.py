"""Every rule of RULES.md is traced: where it is enforced and which tests try to break it."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RULES_MD = ROOT.parent / "shared" / "RULES.md"
INDEX = yaml.safe_load((ROOT / "policies" / "rules_index.yaml").read_text())


def rule_ids() -> list[str]:
    if not RULES_MD.exists():
        pytest.skip("../shared/RULES.md is not beside this checkout")
    return re.findall(r"^- ([A-Z]\d+) ", RULES_MD.read_text(), re.M)


def test_every_rule_is_indexed():
    ids = rule_ids()
    assert ids and sorted(set(ids) - set(INDEX)) == []
    assert sorted(set(INDEX) - set(ids)) == []


@pytest.mark.parametrize("rule", sorted(INDEX))
def test_entry_is_honest(rule):
    e = INDEX[rule]
    assert e["status"] in ("enforced", "partial", "outside")
    if e["status"] != "enforced":
        assert e.get("note"), f"{rule}: say what is missing or why software cannot enforce it"
    if e["status"] == "enforced":
        assert e["code"] and e["tests"], f"{rule}: enforced needs code and tests"
    for path in e["code"] + e["tests"]:
        assert (ROOT / path).exists(), f"{rule}: {path} does not exist"
    for path in e["tests"]:
        text = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"\b{rule}\b", text), f"{rule}: {path} never names the rule"
