"""The broker on TCP, as a pod of its own on a cluster (ENCLAVE_BROKER_LISTEN): HTTPS only, the
same credential check and query log as on a host's unix socket; without a certificate it does not
start at all.  The query log here is the in-process recorder of tests/session/test_query.py
(the real warden's refusals are tested there)."""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys

import certifi
import httpx
import pytest

from enclave.session.query import BrokerConnection, QueryError
from enclave.tls import ensure_certificates
from hub_config.broker import BrokerConfigError, CaseDatabase, listen
from hub_config.broker_http import serve
from tests.session.test_query import AUTH, CASE_KEY, ListLog, case_dirs  # noqa: F401  (fixture)
from tests.services.net import free_port


@pytest.fixture
def certs(tmp_path):
    return ensure_certificates(tmp_path / "tls", hosts=["127.0.0.1"])


@pytest.fixture
def tcp_broker(case_dirs, certs, monkeypatch):  # noqa: F811
    data, _, _ = case_dirs
    port = free_port()
    env = {"ENCLAVE_BROKER_LISTEN": f"127.0.0.1:{port}", "ENCLAVE_BROKER_TLS_CERT": str(certs.cert),
           "ENCLAVE_BROKER_TLS_KEY": str(certs.key)}
    sockets, ctx, where = listen(env)
    log = ListLog()
    db = CaseDatabase(data, log, max_rows=1000, max_bytes=1_000_000, purpose_min_length=10,
                      case_code="C1", data_key=CASE_KEY)
    server = serve(db, AUTH, sockets, ctx)
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca))  # the session trusts the enclave's CA
    yield where, log
    server.close()


def test_tcp_broker_serves_https_with_the_same_checks(tcp_broker, certs):
    url, log = tcp_broker
    assert url.startswith("https://127.0.0.1:")
    with BrokerConnection("persons by age for the paper", url, AUTH, 10) as db:
        assert sorted(db.sql("SELECT age FROM patients").df()["age"]) == [30, 40, 50]
    assert [r[0] for r in log.records] == ["purpose", "query"]
    before = list(log.records)
    for auth in ("token someone-elses-token", "job forged", "x"):
        with pytest.raises(QueryError, match="credential refused|403"):
            BrokerConnection("a purpose long enough", url, auth, 10)
    assert log.records == before  # nothing logged, nothing run
    # plain HTTP on the broker's port gets nothing; nor does a client without the CA
    with pytest.raises(httpx.HTTPError):
        httpx.post(url.replace("https://", "http://") + "/api/open", json={"purpose": "x" * 20},
                   headers={"Authorization": AUTH}, timeout=5)
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "/api/open", json={"purpose": "x" * 20}, headers={"Authorization": AUTH},
                   verify=ssl.create_default_context(cafile=certifi.where()), timeout=5)


@pytest.mark.parametrize("env, message", [
    ({"ENCLAVE_BROKER_LISTEN": "127.0.0.1:0"}, "HTTPS only"),
    ({"ENCLAVE_BROKER_LISTEN": "127.0.0.1:0", "ENCLAVE_BROKER_TLS_CERT": "/nonexistent.pem"}, "HTTPS only"),
    ({"ENCLAVE_BROKER_LISTEN": "127.0.0.1:0", "ENCLAVE_BROKER_TLS_CERT": "/nonexistent.pem",
      "ENCLAVE_BROKER_TLS_KEY": "/nonexistent.key"}, "nonexistent"),
    ({"ENCLAVE_BROKER_LISTEN": "no-port-here"}, "not host:port"),
    ({}, "ENCLAVE_BROKER_SOCKET"),
])
def test_tcp_without_a_usable_certificate_is_refused(env, message):
    with pytest.raises(BrokerConfigError, match=message):
        listen(env)


def test_broker_process_does_not_start_on_plain_tcp(case_dirs, tmp_path):  # noqa: F811
    data, _, _ = case_dirs
    port = free_port()
    env = {**os.environ, "ENCLAVE_BROKER_AUTH": AUTH, "ENCLAVE_WARDEN_URL": "http://127.0.0.1:9",
           "ENCLAVE_CASE": "C1", "ENCLAVE_CASE_DATA": str(data), "ENCLAVE_QUERY_MAX_ROWS": "10",
           "ENCLAVE_QUERY_MAX_BYTES": "100000", "ENCLAVE_BROKER_LISTEN": f"127.0.0.1:{port}",
           "ENCLAVE_DATA_KEY": CASE_KEY.hex()}
    p = subprocess.run([sys.executable, "-m", "hub_config.broker"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2 and "HTTPS only" in p.stderr, (p.returncode, p.stderr[-1000:])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
