"""Does each rule's test notice when the rule is switched off?  (mutation testing by rule)

For every switch in ``policies/rules_index.yaml`` (``switches:`` of a rule: a policy setting
or a check replaced by one that always passes, see ``tests/rule_switch.py``) this runs the
tests the switch names twice in fresh pytest processes: as they are (must pass) and with the
switch on (must fail).  Prints one row per switch and the share caught.

    python bench/rule_switches.py [RULE ...] [--json]

Exit status 1 when any switch went unnoticed or a baseline failed.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def run(nodes: list[str], switch: dict | None) -> tuple[int, float, str]:
    env = dict(os.environ)
    env.pop("ENCLAVE_TEST_SWITCH_OFF", None)
    if switch is not None:
        env["ENCLAVE_TEST_SWITCH_OFF"] = json.dumps(switch)
    t = time.time()
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                        "-p", "no:randomly", *nodes], cwd=ROOT, env=env, capture_output=True, text=True)
    last = (p.stdout.strip().splitlines() or [""])[-1]
    return p.returncode, round(time.time() - t, 1), last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rules", nargs="*")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    index = yaml.safe_load((ROOT / "policies" / "rules_index.yaml").read_text())
    rows = []
    for rule, entry in index.items():
        if args.rules and rule not in args.rules:
            continue
        for sw in entry.get("switches") or []:
            switch = {k: sw[k] for k in ("policy", "patch") if k in sw}
            base_rc, base_s, base_last = run(sw["caught_by"], None)
            off_rc, off_s, off_last = run(sw["caught_by"], switch)
            rows.append({"rule": rule, "switch": sw["what"], "baseline_pass": base_rc == 0,
                         "caught": off_rc == 1, "seconds": base_s + off_s,
                         "baseline": base_last, "switched_off": off_last})
            if not args.json:
                mark = "caught" if off_rc == 1 else "MISSED"
                base = "" if base_rc == 0 else f"  (baseline failed: {base_last})"
                print(f"{rule:4} {mark:7} {sw['what']}{base}", flush=True)
    caught = sum(r["caught"] and r["baseline_pass"] for r in rows)
    summary = {"switches": len(rows), "caught": caught,
               "rules": len({r["rule"] for r in rows}),
               "share_caught": round(caught / len(rows), 3) if rows else None}
    if args.json:
        print(json.dumps({"rows": rows, **summary}, indent=1, ensure_ascii=False))
    else:
        print(f"{caught}/{len(rows)} switches caught over {summary['rules']} rules")
    return 0 if rows and caught == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
