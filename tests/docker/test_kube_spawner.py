"""The hub's KubeSpawner subclass (hub_config/kube_spawner.py): what it creates for a session
and that it leaves nothing behind.

No Kubernetes API server can run on this machine (no cluster binaries reach it), so the API is
a recording stand-in (``FakeCore`` / ``FakeNetworking``) and KubeSpawner's own pod start/stop
(its code, tested upstream) is replaced by a recorder.  What is real: every object the
subclass sends is validated against the Kubernetes schemas of the configured version, the
certificate is issued by the enclave's own CA and checked here, and the order, cleanup and
refusals are the subclass's own code."""
from __future__ import annotations

import asyncio
import datetime as dt
import types

import pytest
from cryptography import x509
from kubernetes_asyncio.client.rest import ApiException

from enclave.deploy.k8s.validate import validate_all

CLUSTER_IP = "10.96.20.7"


class FakeCore:
    def __init__(self, phase: str = "Running") -> None:
        self.objects: dict[tuple[str, str], dict] = {}
        self.log: list[str] = []
        self.phase = phase

    def _create(self, kind, namespace, body):
        key = (kind, body["metadata"]["name"])
        assert key not in self.objects, f"{key} exists"
        assert body["metadata"]["namespace"] == namespace
        self.objects[key] = body
        self.log.append(f"create {kind} {body['metadata']['name']}")

    def _delete(self, kind, name, namespace):
        self.log.append(f"delete {kind} {name}")
        if self.objects.pop((kind, name), None) is None:
            raise ApiException(status=404, reason="Not Found")

    async def create_namespaced_service(self, namespace, body):
        self._create("Service", namespace, body)
        return types.SimpleNamespace(spec=types.SimpleNamespace(cluster_ip=CLUSTER_IP))

    async def create_namespaced_secret(self, namespace, body):
        self._create("Secret", namespace, body)

    async def create_namespaced_pod(self, namespace, body):
        self._create("Pod", namespace, body)

    async def read_namespaced_pod(self, name, namespace):
        assert ("Pod", name) in self.objects
        return types.SimpleNamespace(status=types.SimpleNamespace(phase=self.phase))

    async def delete_namespaced_pod(self, name, namespace):
        self._delete("Pod", name, namespace)

    async def delete_namespaced_service(self, name, namespace):
        self._delete("Service", name, namespace)

    async def delete_namespaced_secret(self, name, namespace):
        self._delete("Secret", name, namespace)


class FakeNetworking:
    def __init__(self, core: FakeCore) -> None:
        self.core = core

    async def create_namespaced_network_policy(self, namespace, body):
        self.core._create("NetworkPolicy", namespace, body)

    async def delete_namespaced_network_policy(self, name, namespace):
        self.core._delete("NetworkPolicy", name, namespace)


@pytest.fixture
def spawner(tmp_path, monkeypatch):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\ncurrent-context: x\n"
                          "clusters: [{name: x, cluster: {server: 'https://127.0.0.1:1'}}]\n"
                          "contexts: [{name: x, context: {cluster: x, user: x}}]\n"
                          "users: [{name: x, user: {token: unused}}]\n")
    import kubernetes_asyncio.config.kube_config as kc

    monkeypatch.setattr(kc, "KUBE_CONFIG_DEFAULT_LOCATION", str(kubeconfig))
    monkeypatch.setenv("ENCLAVE_HOME", str(tmp_path / "var"))
    from enclave.tls import ensure_certificates

    certs = ensure_certificates(tmp_path / "var" / "tls", hosts=["127.0.0.1"])
    from datasets.keyring import master_key
    from enclave.settings import get_settings

    master_key(get_settings(), create=True)   # the keyring the case keys derive from
    from kubespawner import KubeSpawner

    from hub_config.kube_spawner import EnclaveKubeSpawner

    calls: list[str] = []

    async def fake_parent_start(self):  # KubeSpawner's own pod start (upstream code)
        calls.append("session pod start")
        if getattr(self, "_fail_session", False):
            raise RuntimeError("the session pod did not start")
        return ("10.0.0.9", 8888)

    async def fake_parent_stop(self, now=False):
        calls.append("session pod stop")

    monkeypatch.setattr(KubeSpawner, "_start", fake_parent_start)
    monkeypatch.setattr(KubeSpawner, "stop", fake_parent_stop)
    loop = asyncio.new_event_loop()

    async def make():  # KubeSpawner builds its API client inside a running loop
        return EnclaveKubeSpawner(_mock=True)

    s = loop.run_until_complete(make())
    s.run = loop.run_until_complete
    s.user.name = "alice"
    s.api_token = "the-sessions-own-token"
    s.enclave = {"case_code": "C2026-0007", "case_id": 7, "booking_id": 1}
    s.enclave_k8s = {"kubernetes_version": "1.33"}
    core = FakeCore()
    s.api = core
    s._networking = lambda: FakeNetworking(core)
    s.calls = calls
    s.ca = certs.ca
    yield s
    loop.close()


def test_start_creates_the_broker_then_the_session_and_stop_removes_it(spawner):
    core = spawner.api
    spawner.run(spawner._start())
    kinds = [(k, n) for k, n in core.objects]
    assert set(kinds) == {("Service", "broker-alice"), ("Secret", "broker-alice"), ("Pod", "broker-alice"),
                          ("NetworkPolicy", "session-alice"), ("NetworkPolicy", "broker-alice")}
    # the broker exists before the session pod is asked for
    assert spawner.calls == ["session pod start"]
    assert core.log.index("create Pod broker-alice") < len(core.log)
    problems = validate_all(list(core.objects.values()), "1.33")
    assert problems == [], problems
    env = spawner.environment
    assert env["ENCLAVE_BROKER_URL"] == f"https://{CLUSTER_IP}:8765"
    assert env["ENCLAVE_CASE"] == "C2026-0007"
    assert "ENCLAVE_PROVENANCE_KEY" not in env and "auth" not in str(env) and "provenance" not in str(env)
    secret = core.objects[("Secret", "broker-alice")]["stringData"]
    assert secret["auth"] == "token the-sessions-own-token"
    # the broker's certificate: for the Service's address, from the enclave's CA, short-lived
    cert = x509.load_pem_x509_certificates(secret["tls.crt"].encode())[0]
    ca = x509.load_pem_x509_certificate(spawner.ca.read_bytes())
    assert cert.issuer == ca.subject
    ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                           __import__("cryptography.hazmat.primitives.asymmetric.ec",
                                      fromlist=["ECDSA"]).ECDSA(cert.signature_hash_algorithm))
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert CLUSTER_IP in [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=3)
    # the broker pod: the case's extract only, read-only, the case's broker uid
    pod = core.objects[("Pod", "broker-alice")]
    mounts = pod["spec"]["containers"][0]["volumeMounts"]
    data = [m for m in mounts if m["mountPath"] == "/case/data"][0]
    assert data["readOnly"] is True and data["subPath"] == "projects/C2026-0007/data"
    assert pod["spec"]["automountServiceAccountToken"] is False
    # the extract is encrypted at rest (O3): the broker pod, and only it, gets the case key from
    # its Secret - required, so a pod without the key never starts
    benv = {e["name"]: e for e in pod["spec"]["containers"][0]["env"]}
    ref = benv["ENCLAVE_DATA_KEY"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] == "broker-alice" and ref["key"] == "data" and ref["optional"] is False
    assert benv["ENCLAVE_DATA_ENCRYPTED"]["value"] == "required"
    assert "ENCLAVE_DATA_KEY" not in env and secret["data"] not in str(env)
    assert len(bytes.fromhex(secret["data"])) == 32

    spawner.run(spawner.stop())
    assert core.objects == {}
    assert spawner.calls == ["session pod start", "session pod stop"]


def test_a_failed_session_start_leaves_no_broker(spawner):
    spawner._fail_session = True
    with pytest.raises(RuntimeError, match="did not start"):
        spawner.run(spawner._start())
    assert spawner.api.objects == {}


def test_a_broker_that_does_not_run_fails_the_spawn_and_is_removed(spawner):
    from tornado import web

    spawner.api.phase = "Failed"
    with pytest.raises(web.HTTPError) as e:
        spawner.run(spawner._start())
    assert e.value.status_code == 503 and "broker" in e.value.log_message
    assert spawner.api.objects == {} and spawner.calls == []  # no session pod without a broker


def test_no_booking_no_objects(spawner):
    from tornado import web

    spawner.enclave = None
    with pytest.raises(web.HTTPError) as e:
        spawner.run(spawner._start())
    assert e.value.status_code == 403
    assert spawner.api.objects == {} and spawner.calls == []


def test_left_overs_of_a_dead_session_are_replaced(spawner):
    spawner.run(spawner._start())
    first = spawner.api.objects[("Secret", "broker-alice")]["stringData"]["tls.key"]
    spawner.api_token = "a-new-token"
    spawner.run(spawner._start())  # the hub restarted the session without a clean stop
    secret = spawner.api.objects[("Secret", "broker-alice")]["stringData"]
    assert secret["auth"] == "token a-new-token" and secret["tls.key"] != first
