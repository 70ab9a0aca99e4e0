"""The services hash passwords at full cost; only the suite's fixture accounts are cheap.

tests/conftest.py lowers the argon2id cost of hashes made in the test process (fixture
accounts), since a hash carries its own cost and the suite's logins then verify faster.  These
tests keep that from hiding a weaker production setting: a process that is not the test
process hashes at RFC 9106's second recommended cost, and still verifies a cheaper hash it is
given (the cost it reads is the hash's own), while a wrong password fails against either.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

from enclave.accounts.passwords import hash_password, verify_password
from tests.conftest import FIXTURE_HASH_COST, ROOT

RFC9106_LOW_MEMORY = {"m": 65536, "t": 3, "p": 4}
_PARAMS = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


def _cost(stored: str) -> dict[str, int]:
    m = _PARAMS.match(stored)
    assert m, f"not an argon2id v1.3 hash: {stored[:40]!r}"
    return dict(zip("mtp", map(int, m.groups())))


def _in_a_service_process(code: str) -> dict:
    """``code`` run by a fresh interpreter, as a service would run it (no test conftest)."""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def test_a_service_hashes_at_full_cost_and_the_suite_does_not():
    got = _in_a_service_process(
        "import json; from enclave.accounts.passwords import hash_password\n"
        "print(json.dumps(hash_password('Sturdy-Passw0rd!')))")
    assert _cost(got) == RFC9106_LOW_MEMORY
    mine = _cost(hash_password("Sturdy-Passw0rd!"))
    assert mine == {"m": FIXTURE_HASH_COST["memory_cost"], "t": FIXTURE_HASH_COST["time_cost"],
                    "p": FIXTURE_HASH_COST["parallelism"]}


def test_a_service_verifies_a_fixture_hash_by_its_own_cost():
    cheap = hash_password("Sturdy-Passw0rd!")
    got = _in_a_service_process(
        "import json; from enclave.accounts.passwords import verify_password as v\n"
        f"h = {cheap!r}\n"
        "print(json.dumps([v(h, 'Sturdy-Passw0rd!'), v(h, 'Sturdy-Passw0rd?'), v(h, ''),"
        " v(h[:-4], 'Sturdy-Passw0rd!')]))")
    assert got == [True, False, False, False]
    assert verify_password(cheap, "Sturdy-Passw0rd!") and not verify_password(cheap, "x")
