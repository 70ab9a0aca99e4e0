"""Benchmark: a steward load published to the local release area vs to an object store.

    python bench/release_store.py                    # 100,000 claim rows, 4 pairs
    python bench/release_store.py --rows 20000 --pairs 3

The store is moto's S3 server (the only S3 endpoint that runs here; ``tests.services.s3``, which
names the multipart completion as S3 does, so objects over 10 MB go up in parts) in its own process on
127.0.0.1, so this process's CPU (``time.process_time``: every thread of the load, the upload
and its read-back) is the steward's cost alone; the server's CPU is read from /proc and printed
beside it - moto is a Python stand-in, so that figure says nothing about a real store.  Both
loads run in this process, alternating which goes first, each into a fresh home (a source loads
once per warehouse); the first load of the run only warms the imports.  The largest object's
size is printed (over 10 MB: a multipart upload).
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUCKET = "bench-warehouse"


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "tests.services.s3", str(port)],
                            cwd=Path(__file__).resolve().parent.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto's server did not start")


def _load(src: Path, root: Path, name: str, url: str | None, server: int) -> dict:
    from datasets.load import load_release
    from enclave.settings import EnclaveSettings

    settings = EnclaveSettings(home=root / name, releases_url=url)
    s0, c, t = _cpu_of(server), time.process_time(), time.perf_counter()
    rep = load_release(src, "BENCH", settings)
    out = {"cpu_s": time.process_time() - c, "wall_s": time.perf_counter() - t,
           "server_cpu_s": _cpu_of(server) - s0, "rows": rep.rows_read}
    if url:
        from datasets.load import store as ST

        out["largest_mb"] = max(ST.objects(ST.store_for(settings), "BENCH").values()) / 2**20
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=4)
    a = ap.parse_args()

    import boto3

    from datasets.synthetic import generate

    proc, endpoint = _server()
    try:
        os.environ.update(ENCLAVE_S3_ENDPOINT=endpoint, ENCLAVE_S3_ACCESS_KEY_ID="bench",
                          ENCLAVE_S3_SECRET_ACCESS_KEY="bench-secret")
        boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="bench",
                     aws_secret_access_key="bench-secret", region_name="us-east-1"
                     ).create_bucket(Bucket=BUCKET)
        with tempfile.TemporaryDirectory(prefix="bench-store-") as d:
            root = Path(d)
            src = root / "src"
            generate(src, a.rows, seed=3, images=0)
            mb = sum(f.stat().st_size for f in src.iterdir()) / 1e6
            _load(src, root, "warm", None, proc.pid)
            print(f"{a.rows} claim rows, {mb:.1f} MB of CSV; CPU of this process per load "
                  f"(store/local), moto's own CPU beside")
            for i in range(a.pairs):
                order = ("local", "store") if i % 2 == 0 else ("store", "local")
                got = {}
                for kind in order:
                    url = f"s3://{BUCKET}/p{i}" if kind == "store" else None
                    got[kind] = _load(src, root, f"{kind}{i}", url, proc.pid)
                lo, st = got["local"], got["store"]
                print(f"pair {i + 1} ({order[0]} first): local {lo['cpu_s']:.2f} CPU-s "
                      f"{lo['wall_s']:.1f} s wall; store {st['cpu_s']:.2f} CPU-s {st['wall_s']:.1f} s "
                      f"wall (+ moto {st['server_cpu_s']:.2f} CPU-s); store/local CPU "
                      f"{st['cpu_s'] / lo['cpu_s']:.3f}, {st['rows']} rows, largest object "
                      f"{st['largest_mb']:.1f} MiB")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
