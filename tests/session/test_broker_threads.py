"""A broker's compute threads follow its CPU cap from the policy (issue 18, S1), not the host's
cores: on a node of many cores every broker would otherwise start a DuckDB worker and an Arrow
decoding thread per core, all waiting on the one core its cgroup (or pod limit) grants.  The
policy's ``broker_cpu_percent`` is the broker's cgroup cap (native sandbox), its pod's CPU limit
(Kubernetes), and - rounded up to whole cores - the threads the broker gives DuckDB and Arrow.
The researcher cannot change them: the broker's configuration is locked."""
from __future__ import annotations

import json

import pytest

from enclave.deploy.k8s import K8sConfig, render_all
from hub_config import broker_launch as spawner
from policies import current_policy
from tests.services.unix_http import Answer201, serve
from tests.session.broker_case import extract, start_broker

PURPOSE = "checking the broker's compute threads"


def _policy(cpu_percent: int):
    pol = current_policy()
    return pol.model_copy(update={"sessions": pol.sessions.model_copy(
        update={"broker_cpu_percent": cpu_percent})})


@pytest.mark.parametrize("percent, threads", [(10, 1), (100, 1), (101, 2), (150, 2), (200, 2),
                                              (250, 3), (800, 8)])
def test_threads_are_the_cap_in_whole_cores_rounded_up(percent, threads):
    pol = _policy(percent)
    assert pol.sessions.broker_compute_threads == threads
    got = spawner.broker_settings(pol)
    assert (got["cpu_percent"], got["threads"]) == (percent, threads)


def test_the_native_broker_sandbox_gets_the_policy_cap(tmp_path):
    (tmp_path / "projects" / "C1" / "data").mkdir(parents=True)
    spec = spawner.build_broker_spec(
        name="ann", case_id=1, case_code="C1", projects_dir=tmp_path / "projects",
        socket_root=tmp_path / "sock", sandbox_root=tmp_path / "sb", uid_base=50000,
        memory_mb=2048, max_processes=64, cpu_percent=250)
    assert spec["limits"]["cpu_percent"] == 250


@pytest.mark.parametrize("percent, cpu, threads", [(100, "1", "1"), (250, "2.5", "3")])
def test_the_broker_pod_gets_the_policy_cap_and_its_threads(percent, cpu, threads):
    pod = next(o for o in render_all(_policy(percent), K8sConfig())
               if o["kind"] == "Pod" and o["metadata"]["name"] == "broker-researcher")
    c = pod["spec"]["containers"][0]
    assert c["resources"]["limits"]["cpu"] == cpu
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["ENCLAVE_BROKER_THREADS"] == threads


class _Warden:
    """A stand-in warden that answers every record 201: the record is not under test here."""

    def __init__(self, tmp):
        self.server = serve(tmp / "warden.sock", Answer201)
        self.url = spawner.unix_url(str(tmp / "warden.sock"))


@pytest.mark.parametrize("threads", ["1", "5"])
def test_a_running_broker_sizes_duckdb_and_arrow_to_its_threads(tmp_path, monkeypatch, threads):
    from enclave.core.http import Client

    data = tmp_path / "data"
    data.mkdir()
    extract(data)
    warden = _Warden(tmp_path)
    monkeypatch.setenv("ENCLAVE_BROKER_THREADS", threads)
    log = tmp_path / "broker.log"
    proc, url = start_broker(tmp_path, data, warden.url, "b", "token t", log=log)
    try:
        client = Client(url, {"Authorization": "token t"}, timeout=60)
        assert client.post("/api/open", {"purpose": PURPOSE}).status_code == 200
        r = client.post("/api/query", {"purpose": PURPOSE,
                                       "sql": "SELECT current_setting('threads') AS t"})
        assert r.status_code == 200, r.text
        import pyarrow as pa

        with pa.ipc.open_stream(pa.py_buffer(r.content)) as rd:
            assert rd.read_all().column("t").to_pylist() == [int(threads)]
        # the researcher cannot raise them: SET is refused (and the configuration is locked)
        for sql in ("SET threads = 64", "PRAGMA threads = 64", "SET GLOBAL threads TO 64",
                    "RESET threads"):
            r = client.post("/api/query", {"purpose": PURPOSE, "sql": sql})
            assert r.status_code != 200, sql
            assert json.loads(r.content).get("error"), sql
        r = client.post("/api/query", {"purpose": PURPOSE,
                                       "sql": "SELECT current_setting('threads') AS t"})
        with pa.ipc.open_stream(pa.py_buffer(r.content)) as rd:
            assert rd.read_all().column("t").to_pylist() == [int(threads)]
    finally:
        proc.terminate()
        proc.wait(10)
        warden.server.shutdown()
    # and Arrow's decoding pool, which DuckDB's setting does not reach (the broker says so)
    assert f"compute threads: DuckDB {threads}, Arrow {threads})" in log.read_text()
