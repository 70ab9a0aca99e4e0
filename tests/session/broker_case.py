"""A case's encrypted extract and its real query broker process, for the tests that hold a
broker's results on its warden's answer (test_broker_pipelined: a warden that answers as the
test says; test_warden_broker: the hub's real warden)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa

from datasets import parquet_crypto as PC
from hub_config.spawner import unix_url

ROOT = Path(__file__).resolve().parents[2]
CASE = "C7"
KEY = PC.scope_kek(b"p" * 32, PC.case_scope(CASE))
SECRET = "secret-pid-0000123"
# never finishes on its own (4e10 pairs): it stops only if interrupted
ENDLESS = "SELECT count(*) FROM claims a, claims b WHERE a.x + b.x < -1"


def cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def extract(data: Path) -> None:
    n = 200_000
    ids = pa.array(range(n), pa.int64())
    table = pa.table({"id": ids, "g": pa.array([i % 7 for i in range(n)], pa.int64()),
                      "x": pa.array([float(i % 1000) for i in range(n)]),
                      "pid": pa.array([SECRET if i == 4321 else str(i) for i in range(n)])})
    PC.write_table(table, data / "claims.parquet", PC.Scope(PC.case_scope(CASE), KEY))


def _accepts(sock: Path) -> bool:
    import socket

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(str(sock))
        return True
    except OSError:
        return False
    finally:
        s.close()


def start_broker(tmp: Path, data: Path, warden_url: str, name: str, auth: str,
                 log: Path | None = None):
    """``python -m hub_config.broker`` for CASE on ``tmp/<name>.sock``: (process, url); its
    standard error (its log) into ``log`` when given."""
    sock = tmp / f"{name}.sock"
    env = dict(os.environ, ENCLAVE_BROKER_SOCKET=str(sock), ENCLAVE_BROKER_AUTH=auth,
               ENCLAVE_WARDEN_URL=warden_url, ENCLAVE_CASE=CASE, ENCLAVE_CASE_DATA=str(data),
               ENCLAVE_DATA_KEY=KEY.hex(), ENCLAVE_QUERY_MAX_ROWS="1000",
               ENCLAVE_QUERY_MAX_BYTES=str(1 << 24))
    err = open(log, "ab") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen([sys.executable, "-m", "hub_config.broker"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    finally:
        if log:
            err.close()
    for _ in range(400):
        if sock.exists() and _accepts(sock):   # bound is not yet listening (refused under load)
            return proc, unix_url(str(sock))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the broker did not start")
