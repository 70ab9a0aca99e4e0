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


def _defined_tests(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.name.startswith("test")}


@pytest.mark.parametrize("rule", sorted(r for r in INDEX if INDEX[r].get("switches")))
def test_switches_name_real_tests_of_the_rule(rule):
    """Each switch names how the rule is switched off and the test functions that then fail
    (bench/rule_switches.py runs them both ways)."""
    for sw in INDEX[rule]["switches"]:
        assert sw.get("what") and sw.get("caught_by"), f"{rule}: a switch needs what and caught_by"
        assert ("policy" in sw) != ("patch" in sw), f"{rule}: a switch is a policy setting or a patch"
        if "policy" in sw:
            from policies import current_policy

            pol = current_policy()
            raw = pol.model_dump()
            for dotted, value in sw["policy"].items():
                section, _, key = dotted.partition(".")
                assert hasattr(getattr(pol, section), key), f"{rule}: no policy setting {dotted}"
                raw[section][key] = value
            # a switch must be a valid policy: a refused one would make tests error, not catch
            type(pol).model_validate(raw)
        else:
            import importlib

            mod, _, attr = sw["patch"]["target"].partition(":")
            obj = importlib.import_module(mod)
            for part in attr.split("."):
                obj = getattr(obj, part)
        for node in sw["caught_by"]:
            path, _, func = node.partition("::")
            assert func and (ROOT / path).exists(), f"{rule}: {node} is not a test function node"
            assert func in _defined_tests(ROOT / path), f"{rule}: {path} defines no {func}"
            assert re.search(rf"\b{rule}\b", (ROOT / path).read_text(encoding="utf-8")), \
                f"{rule}: {path} never names the rule"


def test_switch_coverage_only_grows():
    """Enforced rules whose switch-off is not yet proven to be noticed: this list may only
    shrink (add a switch to the index, then remove the rule here)."""
    without = sorted(r for r, e in INDEX.items() if e["status"] == "enforced" and not e.get("switches"))
    not_yet = {"D1", "D2", "P1", "P2", "P4", "P6", "P8", "P9",
               "P11", "P12", "P13", "S4", "S7", "E8", "A1", "A5", "A7", "A8", "O1", "O3", "O4"}
    assert set(without) <= not_yet, f"enforced without a switch and not listed: {set(without) - not_yet}"
