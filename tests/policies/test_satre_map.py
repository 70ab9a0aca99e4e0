"""docs/satre.md stays true: every mandatory statement of SATRE v2 is answered once, with a
known status, and whatever a row cites exists - a file, a test defined by that name, a rule
of RULES.md that policies/rules_index.yaml says is enforced (or partial) - and every gap is
listed again at the end.  A row that says "software" must cite a test or an enforced rule."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "satre.md"

# The requirement indexes SATRE v2 marks Mandatory (specification.yaml, importance: Mandatory).
MANDATORY = """
1.1.01 1.1.02 1.1.03 1.2.01 1.2.02 1.2.04 1.2.05 1.2.06 1.2.07 1.2.09 1.2.10 1.3.01 1.3.02
1.3.03 1.3.04 1.3.05 1.4.01 1.4.02 1.4.03 1.4.04 1.5.01 1.5.02 1.5.03 1.5.04 1.5.05 1.5.06
1.6.01 1.6.02 1.6.03 1.6.04 2.1.01 2.1.05 2.1.08 2.1.09 2.1.10 2.1.14 2.2.01 2.2.03 2.2.04
2.2.06 2.2.09 2.2.10 2.2.11 2.2.13 2.3.01 2.3.03 2.3.04 2.4.01 2.4.05 2.5.01 2.5.03 2.6.04
2.7.02 2.8.01 2.8.02 3.1.01 3.1.03 3.1.04 3.1.05 3.1.06 3.1.08 3.1.09 3.1.12 3.1.17 3.2.01
3.2.02 3.2.03 3.2.04 3.3.04 3.3.05 3.3.07 4.3.01 4.4.01 4.5.01 4.6.01 5.1.01 5.1.02 5.1.03
5.1.04 5.1.05 5.1.06 5.1.07 5.2.01 5.3.01 5.3.02 5.4.01 5.4.02 5.5.01 5.6.01
""".split()
STATUSES = {"software", "software + procedure", "procedure", "gap", "n/a"}
RULE = re.compile(r"^[DPSEAO]\d{1,2}$")
ROW = re.compile(r"^\| (\d\.\d\.\d\d) \|(.*)\|\s*$")


def _rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if not m:
            continue
        assert m.group(1) not in rows, f"{m.group(1)} answered twice"
        rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def _rules() -> dict:
    return yaml.safe_load((ROOT / "policies" / "rules_index.yaml").read_text(encoding="utf-8"))


def _check_token(token: str, rules: dict) -> str | None:
    """What is wrong with one cited item, or None."""
    if RULE.match(token):
        entry = rules.get(token)
        if not isinstance(entry, dict):
            return f"{token} is not in the rules index"
        if entry.get("status") not in ("enforced", "partial"):
            return f"{token} is {entry.get('status')}, not enforced"
        return None
    path, _, name = token.partition("::")
    if not (ROOT / path).exists():
        return f"{path} does not exist"
    if name and not re.search(rf"^(async )?def {re.escape(name)}\(", (ROOT / path).read_text(
            encoding="utf-8"), re.M):
        return f"{path} defines no {name}"
    return None


def test_every_mandatory_statement_is_answered_once_and_nothing_else():
    rows = _rows()
    assert len(MANDATORY) == 89 and len(set(MANDATORY)) == 89
    assert sorted(rows) == sorted(MANDATORY), (
        f"missing: {sorted(set(MANDATORY) - set(rows))}; not mandatory: "
        f"{sorted(set(rows) - set(MANDATORY))}")


def test_every_row_has_a_known_status_and_says_how():
    for sid, cells in _rows().items():
        assert len(cells) == 4, (sid, cells)
        asks, status, how, _ = cells
        assert status in STATUSES, (sid, status)
        assert asks and how, sid
        assert (status == "n/a") == sid.startswith("5."), (sid, status)


def test_whatever_a_row_cites_exists():
    rules, wrong = _rules(), []
    for sid, (_, status, _, evidence) in _rows().items():
        tokens = re.findall(r"`([^`]+)`", evidence)
        if status != "n/a":
            assert tokens, f"{sid} cites nothing"
        for token in tokens:
            problem = _check_token(token, rules)
            if problem:
                wrong.append(f"{sid}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_software_rows_cite_a_test_or_an_enforced_rule():
    rules = _rules()
    for sid, (_, status, _, evidence) in _rows().items():
        if status != "software":
            continue
        tokens = re.findall(r"`([^`]+)`", evidence)
        shown = [t for t in tokens if t.startswith("tests/") or t == ".ci/run"
                 or (RULE.match(t) and rules.get(t, {}).get("status") == "enforced")]
        assert shown, f"{sid} says software but cites no test and no enforced rule"


def test_every_gap_is_listed_at_the_end():
    text = PAGE.read_text(encoding="utf-8")
    tail = text.split("## Gaps", 1)[1]
    for sid, (_, status, _, _) in _rows().items():
        if status == "gap":
            assert sid in tail, f"{sid} is a gap the closing list does not name"


@pytest.mark.parametrize("token, problem", [
    ("O9", "not in the rules index"), ("tests/nowhere.py", "does not exist"),
    ("tests/policies/test_satre_map.py::no_such_test", "defines no"),
])
def test_the_checker_refuses_what_does_not_exist(token, problem):
    assert problem in (_check_token(token, _rules()) or "")
