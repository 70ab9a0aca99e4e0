"""E6 against the real hub, sandbox and query broker: the researcher's kernel has no provenance
key - not in its environment, not in any process environment it can read, not in a file - the
broker (its own sandbox and uid) seals a table the kernel asks for, and a seal made in the
kernel with any key it can find fails the broker's verification."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from enclave.db import utcnow
from tests.services.hub import HubHarness

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the hub's sandbox spawner needs root")

KERNEL = r'''
import glob, os
from enclave.session import connect
from egress_review import safe_tables as sf
print("ENVKEY", [k for k in os.environ if "PROVENANCE" in k])
leak = []
for p in glob.glob("/proc/[0-9]*/environ"):
    try:
        if b"PROVENANCE_KEY" in open(p, "rb").read():
            leak.append(p)
    except OSError:
        pass
print("PROCKEY", leak)
con = connect("E6 test: seal made outside the kernel")
df = con.sql("SELECT pid, age_band FROM patients").df()
t = sf.value_counts(df, "age_band")
print("SEALED", t.is_sealed, t.note)
side = t.save("/tmp/vc.csv")
import json
print("VERIFY", con.verify_seal(json.loads(open(side).read())))
forged = []
for cand in [b"", b"0" * 32, os.environ.get("JUPYTERHUB_API_TOKEN", "").encode(),
             os.environ.get("ENCLAVE_CASE", "").encode(), b"egress-provenance:C1"]:
    t2 = sf.crosstab(df, "age_band", "age_band")
    s2 = t2.save("/tmp/f.csv", key=cand)
    forged.append(con.verify_seal(json.loads(open(s2).read())))
print("FORGED", forged)
'''


@pytest.fixture(scope="module")
def hub():
    h = HubHarness()
    from datasets.keyring import master_key

    master_key(h.settings, create=True)           # the enclave's master key (host only)
    h.add_user("alice")
    h.add_case("C1", ["alice"],
               tables={"patients": [{"pid": f"p{i}", "age_band": ["0-19", "20-64", "65+"][i % 3]}
                                    for i in range(60)]})
    h.book_now("alice", "C1", utcnow() + dt.timedelta(hours=1))
    with h.running():
        h.alice = h.session_user("alice")
        yield h


def test_kernel_has_no_key_and_the_broker_seals(hub):
    alice = hub.alice
    try:
        out = alice.execute(KERNEL, alice.start_kernel(), timeout=120)
    except Exception:
        print(hub.log_text()[-6000:])
        raise
    assert "ENVKEY []" in out and "PROCKEY []" in out, out
    assert "SEALED True" in out and "VERIFY True" in out, out
    assert "FORGED [False, False, False, False, False]" in out, out
